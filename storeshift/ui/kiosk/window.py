"""The check-in kiosk window: turns scans (keyboard-wedge scanner or webcam) into the core's
check-in/out, shows the result, collects the debrief, and is locked down behind the PIN."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from ... import i18n
from ...errors import DamagedDatabase, DatabaseBusy, DiskFull, NewerDatabase, ReadOnlyDatabase, UserError
from ...i18n import N_, _, format_date, format_time
from ...services import names, observations, pin, roster, settings, tasks, visits
from ...services.badges import REASONS
from ...storage.db import Storage
from ...timeutil import local, local_clock, utc_now
from ..app import style_sheet
from .. import language, media
from ..language import keep
from ..scanner import WedgeScanner, from_azerty
from ..watcher import DatabaseWatcher
from ..widgets import VerdictWatch
from .screens import (ForgottenPage, GoodbyePage, IdlePage, NoBadgePage, PinPage, RefusedPage, RepeatPage,
                      WelcomePage, forgotten_question)
# kiosk-ui: kept awake, no-badge check-in/out, the keyboard kept, emoji, right-to-left names
from . import awake, by_name, focus
from ..emoji import use_emoji_font
from .screens import DirectedLabel, fit_windowed

log = logging.getLogger("storeshift.ui.kiosk")

CANT_RECORD = N_("Can't record right now, please tell the shift lead.")
# The file is damaged (or from a newer storeshift): nothing will be recorded until it is restored.
CANT_RECORD_AT_ALL = N_("This kiosk cannot record check-ins: its database is damaged. Shift lead: restore the "
                        "latest backup.")
# Errors of the database itself (as opposed to a rule refusing something): the calm banner.
_DATABASE_ERRORS = (DatabaseBusy, DiskFull, ReadOnlyDatabase, DamagedDatabase, NewerDatabase)
# Refusals that a scanner on the wrong keyboard layout can cause: worth a second reading.
_LAYOUT_REASONS = {"not_ours", "damaged", "other_org"}
RETRY_MS = 3000
_PT_SIZE = re.compile(r"(\d+(?:\.\d+)?)pt\b")
RETRY_LIMIT = 40  # two minutes of retries before giving up on a scan


class KioskWindow(QMainWindow):
    """The kiosk. handle_payload() is the one entry for a scanned badge (wedge, camera,
    scripts, benchmarks); current_screen() names what is showing."""

    screen_changed = Signal(str)
    exited = Signal()

    def __init__(self, storage: Storage, watcher: DatabaseWatcher, windowed: bool = False,
                 clock: Callable[[], dt.datetime] | None = None, camera: bool = True, sounds: bool = True):
        super().__init__()
        self.storage = storage
        self.watcher = watcher
        self.windowed = windowed
        self.clock = clock or utc_now
        self._may_close = False
        self._visit: dict | None = None
        self._person: dict | None = None
        self._observation_id: str | None = None
        self._forgotten: dict | None = None
        self._left_at: dt.datetime | None = None
        self._pending: list[tuple[str, dt.datetime]] = []
        self._unsaved_debrief: tuple[str, str | None, dict] | None = None
        self._retries = 0
        self._told: list[dict] = []
        self._told_index = 0
        self._chosen_person: str | None = None
        self._booking: dict | None = None
        self._settings: dict = {}
        self._given: tuple = (0, 0, None)
        keep(self, window_title=N_("storeshift kiosk"))
        self.setObjectName("kiosk")
        # The site's language from the first frame, Qt's own texts with it, and every later change.
        settings.use_site_language(storage)
        language.follow()
        self._style = style_sheet("kiosk")
        self._scale = 0.0
        self._apply_scale(1.0)
        self._build()
        self._connect()
        self.reload_settings()
        self._sounds: dict = {}
        if sounds:  # after the first frame: loading the audio back end takes 0.1-0.2 s
            QTimer.singleShot(0, self, self._load_sounds)
        self.scanner = WedgeScanner(self._settings["scan_char_gap_ms"], self._settings["scan_min_length"], self,
                                    scope=self)
        self.scanner.scanned.connect(self.handle_payload)
        self.scanner.install()
        self._out_of_order = False
        self.verdict = VerdictWatch(storage, self)
        self.verdict.problem.connect(self.on_database_refused)
        # None without QtMultimedia: the scanner alone reads badges then.
        self.camera = media.camera_scanner(self)
        if self.camera is not None:
            self.camera.scanned.connect(self.handle_payload)
            self.camera.preview.connect(self.idle.show_frame)
            self.camera.lost.connect(lambda: self.idle.set_camera_visible(False))
        self.idle.set_camera_visible(False)
        if camera and self.camera is not None:  # after the first frame: looking for cameras takes 0.1-0.2 s
            QTimer.singleShot(0, self, self._start_camera)
        if windowed:
            fit_windowed(self)  # kiosk-ui hook: never larger than the screen's free room
        else:
            self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
            # The whole screen also where no window manager grants "full screen" (a kiosk PC
            # often runs the app alone on a bare X session).
            self.setGeometry(self.screen().geometry())
            self.setWindowState(Qt.WindowState.WindowFullScreen)
        self._built = True
        self.show_idle()
        # kiosk-ui hooks: the keyboard kept for the scanner, the PC kept awake (both let go at exit).
        self.focus_keeper = focus.keep_keyboard(self, full_screen=not windowed)
        self.awake = awake.stay_awake(self)
        use_emoji_font()

    # --- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        central.setObjectName("kioskRoot")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = DirectedLabel("")  # kiosk-ui hook: a name first keeps the line's direction
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        keep(self.banner, accessible=N_("Notice"))
        self.banner.hide()
        layout.addWidget(self.banner)
        self.stack = QStackedWidget()
        # Each screen adapts to the room it gets (relayout); none may push the window past
        # the screen, whose size is what it is on a kiosk.
        self.stack.setMinimumSize(320, 240)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.idle = IdlePage()
        self.welcome = WelcomePage()
        self.goodbye = GoodbyePage()
        self.repeat = RepeatPage()
        self.refused = RefusedPage()
        self.forgotten = ForgottenPage()
        self.no_badge = NoBadgePage()
        self.pin_page = PinPage()
        self.pages = {page.key: page for page in (self.idle, self.welcome, self.goodbye, self.repeat,
                                                   self.refused, self.forgotten, self.no_badge, self.pin_page)}
        for page in self.pages.values():
            self.stack.addWidget(page)
        from ..closing import ClosingTimer

        # Forgotten visits end at closing time even when nobody scans then.
        self.closing = ClosingTimer(lambda: self.storage, self.now, self)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(1000)
        self.told_timer = QTimer(self)
        self.told_timer.setInterval(9000)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(1500)
        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.setInterval(RETRY_MS)
        self.banner_timer = QTimer(self)
        self.banner_timer.setSingleShot(True)
        self.exit_shortcut = QShortcut(QKeySequence("Ctrl+Shift+Q"), self)
        self.exit_shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)

    def _connect(self) -> None:
        """Every connection in one place."""
        self.watcher.changed.connect(self.on_database_changed)
        self.idle_timer.timeout.connect(self.on_idle_timeout)
        self.clock_timer.timeout.connect(self.on_clock)
        self.told_timer.timeout.connect(self.on_next_told)
        self.autosave_timer.timeout.connect(self.save_debrief)
        self.retry_timer.timeout.connect(self.on_retry)
        self.banner_timer.timeout.connect(self.banner.hide)
        self.exit_shortcut.activated.connect(self.ask_exit_pin)
        self.idle.no_badge_clicked.connect(self.show_no_badge)
        self.idle.exit_requested.connect(self.ask_exit_pin)
        for page in (self.welcome, self.repeat, self.refused):
            page.done_clicked.connect(self.show_idle)
        self.refused.no_badge_clicked.connect(self.show_no_badge)
        self.goodbye.changed.connect(self.on_debrief_changed)
        self.goodbye.finish_clicked.connect(self.on_debrief_finish)
        self.forgotten.save_clicked.connect(self.on_forgotten_save)
        self.forgotten.unknown_clicked.connect(self.on_forgotten_unknown)
        for button in self.forgotten.step_buttons:
            button.clicked.connect(lambda _=False, b=button: self.on_forgotten_step(b.property("minutes")))
        self.no_badge.search.textChanged.connect(self.on_name_search)
        self.no_badge.person_chosen.connect(self.on_person_chosen)
        self.no_badge.back_clicked.connect(self.show_idle)
        for page in (self.idle, self.welcome, self.goodbye):
            page.languages.chosen.connect(self.on_language_chosen)
        self.pin_page.pad.submitted.connect(self.on_pin_submitted)
        self.pin_page.pad.cancelled.connect(self.show_idle)
        self.clock_timer.start()
        self.told_timer.start()
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def _start_camera(self) -> None:
        if self._may_close:  # closed before the timer fired
            return
        has_camera = self.camera.start()
        self.camera.preview_wanted = has_camera
        self.idle.set_camera_visible(has_camera)

    def _load_sounds(self) -> None:
        self._sounds = media.load_sounds(self, ("success", "refusal"))

    def play(self, name: str) -> None:
        effect = self._sounds.get(name)
        if effect is not None:
            effect.play()

    # --- state ------------------------------------------------------------------------------
    def current_screen(self) -> str:
        return self.stack.currentWidget().key

    def _show(self, key: str, timeout_s: int | None) -> None:
        self.stack.setCurrentWidget(self.pages[key])
        if timeout_s:
            self.idle_timer.start(timeout_s * 1000)
        else:
            self.idle_timer.stop()
        self.screen_changed.emit(key)

    def reload_settings(self) -> None:
        self._settings = settings.all_settings(self.storage)
        if self._settings["language"] != i18n.site_language():  # changed in the shift-lead window
            i18n.set_site_language(self._settings["language"])
        self.idle.site.setText(self._settings["site_name"])
        if hasattr(self, "scanner"):
            self.scanner.set_timing(self._settings["scan_char_gap_ms"], self._settings["scan_min_length"])
        self._told = observations.actioned(self.storage, limit=20)
        self.on_clock()

    def now(self) -> dt.datetime:
        return self.clock()

    def show_idle(self) -> None:
        if self.current_screen() == "goodbye" and not self.save_debrief() and self._unsaved_debrief:
            self.retry_timer.start()
        i18n.set_visitor_language(None)  # the next visitor is greeted in the site's language
        self.autosave_timer.stop()
        self._visit = self._person = None
        self._observation_id = None
        self._chosen_person = None
        self.idle.show_told(self._told[self._told_index % len(self._told)] if self._told else None)
        self._show("idle", None)

    # --- scans ------------------------------------------------------------------------------
    def handle_payload(self, payload: str) -> None:
        """A badge was read. Decides, records, shows; never raises."""
        try:
            self._handle(payload, self.now())
        except Exception:
            log.error("unexpected error while handling a scan", exc_info=True)
            self.report_problem(_("Something went wrong. Please scan again, or tell the shift lead."))

    def _handle(self, payload: str, at: dt.datetime) -> None:
        self._save_unsaved_debrief()
        if self.current_screen() == "goodbye":
            self.save_debrief()  # the previous visitor's words are kept before the next scan
        try:
            result = self._scan(payload, at)
        except UserError as exc:
            log.warning("scan not recorded (%s); will retry", type(exc).__name__)
            self._pending.append((payload, at))
            self._retries = 0
            self.show_banner(_(CANT_RECORD), sticky=True)
            self.retry_timer.start()
            if self.current_screen() != "idle":
                self.show_idle()
            return
        self._show_result(result)

    def _scan(self, payload: str, at: dt.datetime) -> visits.ScanResult:
        result = visits.scan(self.storage, payload, at)
        if result.kind == visits.REFUSED and result.reason in _LAYOUT_REASONS:
            remapped = from_azerty(payload)
            if remapped != payload:
                second = visits.scan(self.storage, remapped, at)
                if second.accepted or second.reason not in _LAYOUT_REASONS:
                    log.info("scan read with the AZERTY layout mapping")
                    result = second
        return result

    def on_retry(self) -> None:
        self._save_unsaved_debrief()
        while self._pending:
            payload, at = self._pending[0]
            try:
                result = self._scan(payload, at)
            except UserError:
                self._retries += 1
                if self._retries >= RETRY_LIMIT:
                    log.error("gave up recording %d scan(s) after %d tries", len(self._pending), self._retries)
                    self._pending.clear()
                    self.show_banner(_(CANT_RECORD), sticky=False)
                else:
                    self.retry_timer.start()
                return
            self._pending.pop(0)
            log.info("scan recorded on retry")
            if not self._pending:
                self.banner.hide()
            self._show_result(result)

    def _show_result(self, result: visits.ScanResult) -> None:
        visit_id = result.visit["id"] if result.visit else "-"
        log.info("scan: %s visit=%s reason=%s", result.kind, visit_id, result.reason or "-")
        if not self._pending and self.banner.property("sticky"):
            self.banner.hide()
        if result.kind == visits.REFUSED:
            self.play("refusal")
            self.refused.show_refusal(result.message or str(REASONS["not_ours"]))
            self._show("refused", self._settings["kiosk_idle_s"])
            return
        self.play("success")
        self._person, self._visit = result.person, result.visit
        if result.kind == visits.CHECKED_IN:
            self._booking = result.booking
            if result.forgotten_visit:
                self.show_forgotten(result.forgotten_visit)
            else:
                self.show_welcome()
        elif result.kind == visits.CHECKED_OUT:
            self._observation_id = None
            self._given = (result.minutes_today, result.minutes_total, result.day)
            self.goodbye.reset(result.person["name"], self._given_text())
            self._show("goodbye", self._settings["debrief_idle_s"])
            self.goodbye.text.setFocus()  # a visitor with a keyboard can start typing at once
        else:
            self.repeat.show_repeat(result.message, result.task)
            self._show("repeat", self._settings["kiosk_idle_s"])

    def _given_text(self) -> str:
        """The time given, in the current language (a visitor may switch it on the goodbye screen)."""
        minutes_day, minutes_total, day = self._given
        today = local(self.now(), self._settings["timezone"]).date()
        return visits.given_sentence(minutes_day, minutes_total, day or today, today)

    def show_welcome(self) -> None:
        self.show_welcome_texts()
        self._show("welcome", self._settings["kiosk_idle_s"])

    def show_welcome_texts(self) -> None:
        tz = self._settings["timezone"]
        booking = self._booking
        booking_text = ""
        if booking:
            start, end = local_clock(booking["start_at"], tz), local_clock(booking["end_at"], tz)
            title = None
            if booking.get("task_id"):
                try:
                    title = tasks.get_task(self.storage, booking["task_id"])["title"]
                except UserError:
                    pass
            booking_text = (_("Booked today {start}–{end}: {task}.").format(start=start, end=end, task=title)
                            if title else _("Booked today {start}–{end}.").format(start=start, end=end))
        self.welcome.show_welcome(self._person["name"], local_clock(self._visit["check_in_at"], tz), booking_text)
        self.welcome.show_task(visits.current_task(self.storage, self._visit["id"]))

    # --- forgotten check-out ----------------------------------------------------------------
    def show_forgotten(self, visit: dict) -> None:
        tz = self._settings["timezone"]
        self._forgotten = visit
        arrived = local(visit["check_in_at"], tz)
        closed = local(visit["check_out_at"], tz)
        guess = min(closed, arrived + dt.timedelta(hours=3))
        self._left_at = guess.replace(minute=guess.minute - guess.minute % 15, second=0)
        self.forgotten.headline.setText(_("Welcome back, {name}!").format(name=self._person["name"]))
        self.forgotten.question.setText(forgotten_question(arrived, local(self.now(), tz).date()))
        self._show_left_at()
        self._show("forgotten", self._settings["debrief_idle_s"])

    def _show_left_at(self) -> None:
        self.forgotten.time.setText(format_time(self._left_at))

    def on_forgotten_step(self, minutes: int) -> None:
        tz = self._settings["timezone"]
        arrived = local(self._forgotten["check_in_at"], tz)
        closed = local(self._forgotten["check_out_at"], tz)
        self._left_at = max(arrived, min(closed, self._left_at + dt.timedelta(minutes=minutes)))
        self._show_left_at()

    def on_forgotten_save(self) -> None:
        self._correct_departure(self._left_at)

    def on_forgotten_unknown(self) -> None:
        self._correct_departure(None)

    def _correct_departure(self, left_at: dt.datetime | None) -> None:
        try:
            visits.correct_departure(self.storage, self._forgotten["id"], left_at, actor="visitor", now=self.now())
            log.info("departure confirmed visit=%s corrected=%s", self._forgotten["id"], left_at is not None)
        except UserError as exc:
            self.show_banner(_(CANT_RECORD) if isinstance(exc, _DATABASE_ERRORS) else str(exc))
        self._forgotten = None
        self.show_welcome()

    # --- debrief ----------------------------------------------------------------------------
    def on_debrief_changed(self) -> None:
        if self.current_screen() == "goodbye":
            self.autosave_timer.start()

    def save_debrief(self) -> bool:
        """Store what the visitor wrote (first save adds, later saves edit the same note).
        False when it could not be stored; the text stays on screen and the message says why."""
        self.autosave_timer.stop()
        if self._visit is None or not self.goodbye.has_content():
            return True
        values = self.goodbye.values()
        text = values["text"].strip() or values["quote"].strip()
        fields = {"category": values["category"] or "customer_voice", "impact": values["impact"] or "medium",
                  "text": text, "quote": values["quote"] or None}
        try:
            self._observation_id = self._store_debrief(self._visit["id"], self._observation_id, fields)
            self.goodbye.status.setText(_("Saved ✔"))
            return True
        except UserError as exc:
            log.warning("debrief not saved (%s)", type(exc).__name__)
            self.goodbye.status.setText(str(exc))
            if isinstance(exc, _DATABASE_ERRORS):
                self.show_banner(_(CANT_RECORD))
                # Kept in memory and retried, so words typed just before walking away survive
                # a busy or full database.
                self._unsaved_debrief = (self._visit["id"], self._observation_id, fields)
            return False

    def _store_debrief(self, visit_id: str, observation_id: str | None, fields: dict) -> str:
        if observation_id is None:
            row = observations.add_observation(self.storage, visit_id=visit_id, actor="kiosk", **fields)
            log.info("debrief saved observation=%s", row["id"])
            return row["id"]
        observations.edit_observation(self.storage, observation_id, actor="kiosk", **fields)
        return observation_id

    def _save_unsaved_debrief(self) -> None:
        """Retry a debrief that the database refused when its visitor had already gone."""
        if self._unsaved_debrief is None:
            return
        try:
            self._store_debrief(*self._unsaved_debrief)
        except UserError:
            self.retry_timer.start()
            return
        log.info("debrief saved on retry")
        self._unsaved_debrief = None

    def on_debrief_finish(self) -> None:
        had_content = self.goodbye.has_content()
        self.save_debrief()
        if had_content and self._observation_id is None:
            return  # not saved (the message says why): let them fix it
        self.show_idle()

    # --- no badge ---------------------------------------------------------------------------
    def show_no_badge(self) -> None:
        self.no_badge.reset()
        self._show("no_badge", self._settings["debrief_idle_s"])
        self.no_badge.search.setFocus()

    def on_name_search(self, text: str) -> None:
        query = " ".join(text.split())
        people = []
        if len(query) >= 2:
            try:
                people = names.search_people(self.storage, query)  # kiosk-ui hook: any case, accent, script
            except UserError:
                self.show_banner(_(CANT_RECORD))
        self.no_badge.show_people(people, query)

    def on_person_chosen(self, person_id: str) -> None:
        by_name.choose(self, person_id)  # kiosk-ui hook: check in, or out when on site

    def _check_in_chosen(self) -> None:
        try:
            visit = visits.check_in_manually(self.storage, self._chosen_person, actor="shift lead at kiosk",
                                             now=self.now())
        except UserError as exc:
            log.warning("manual check-in refused (%s)", type(exc).__name__)
            self.show_idle()
            self.show_banner(str(exc))
            return
        log.info("manual check-in visit=%s", visit["id"])
        self.play("success")
        self._person = roster.get_person(self.storage, self._chosen_person)
        self._visit = visit
        self._booking = visits.todays_booking(self.storage, self._chosen_person, self.now(),
                                              self._settings["timezone"])
        self.show_welcome()

    # --- PIN and leaving --------------------------------------------------------------------
    def ask_exit_pin(self) -> None:
        self.pin_page.open("exit", _("Leave kiosk mode"), _("Shift lead: enter your PIN"))
        self._show("pin", self._settings["kiosk_idle_s"] * 4)
        self.pin_page.pad.focus()

    def on_pin_submitted(self, entered: str) -> None:
        pad = self.pin_page.pad
        try:
            ok = pin.check_pin(self.storage, entered)
        except UserError as exc:
            pad.show_message(str(exc), error=True)
            until = pin.locked_until(self.storage)
            if until is not None:
                pad.set_locked(True, int(max(1.0, (until - utc_now()).total_seconds()) * 1000))
            return
        if not ok:
            log.info("wrong shift-lead PIN at the kiosk")
            until = pin.locked_until(self.storage)
            if until is not None:
                tz = self._settings["timezone"]
                pad.show_message(_("Too many wrong PINs. Try again after {time}.").format(time=local_clock(until, tz)),
                                 error=True)
                pad.set_locked(True, int(max(1.0, (until - utc_now()).total_seconds()) * 1000))
            else:
                pad.show_message(_("That PIN is not right. Please try again."), error=True)
            return
        if self.pin_page.purpose == "exit":
            self.leave()
        else:
            by_name.confirmed(self)  # kiosk-ui hook: check-in or check-out by name

    def leave(self) -> None:
        log.info("kiosk mode left with the shift-lead PIN")
        self._may_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._may_close:
            event.ignore()  # Alt+F4, the window manager: only the PIN leaves
            return
        if self.current_screen() == "goodbye":
            self.save_debrief()
        self.scanner.uninstall()
        if self.camera is not None:
            self.camera.stop()
        for timer in (self.idle_timer, self.clock_timer, self.told_timer, self.retry_timer, self.autosave_timer):
            timer.stop()
        self.closing.stop()
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        event.accept()
        self.exited.emit()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            event.accept()  # Escape never leaves the kiosk
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Any touch, click or key keeps the current screen up a little longer."""
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin) \
                and self.idle_timer.isActive():
            self.idle_timer.start()
        return False

    # --- timers and the watcher -------------------------------------------------------------
    def on_idle_timeout(self) -> None:
        if self.current_screen() != "idle":
            self.show_idle()

    def on_clock(self) -> None:
        tz = self._settings.get("timezone", "Europe/London")
        moment = local(self.now(), tz)
        self.idle.set_time(format_time(moment), format_date(moment, "MMMEd"))

    def on_next_told(self) -> None:
        if self._told and self.current_screen() == "idle":
            self._told_index = (self._told_index + 1) % len(self._told)
            self.idle.show_told(self._told[self._told_index])

    def on_database_changed(self) -> None:
        """Another screen (the shift lead's, maybe another process) changed something."""
        try:
            self.reload_settings()
            if self.current_screen() == "welcome" and self._visit is not None:
                task = visits.current_task(self.storage, self._visit["id"])
                if (task["id"] if task else None) != self.welcome.task_id:
                    self.welcome.show_task(task)
                    if task is not None:
                        self.play("success")
                        self.idle_timer.start()
        except UserError:
            pass  # the next change or scan will try again

    # --- language ---------------------------------------------------------------------------
    def on_language_chosen(self, code: str) -> None:
        """A visitor reads the kiosk in their own language until it returns to idle."""
        i18n.set_visitor_language(None if code == i18n.site_language() else code)
        if self.idle_timer.isActive():
            self.idle_timer.start()  # reading again in another language takes a moment

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # (The window hears of a language change also while __init__ is still building it, and
        # once closed; a hidden window catches up when it is shown again.)
        if event.type() == QEvent.Type.LanguageChange and getattr(self, "_built", False):
            if self.isVisible():
                self.retranslate()
            else:
                self._language_stale = True
        super().changeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if getattr(self, "_language_stale", False):
            self._language_stale = False
            self.retranslate()
        super().showEvent(event)

    def retranslate(self) -> None:
        """Every text on screen again in the current language (pages keep their own state)."""
        language.retranslate(self)
        self.on_clock()
        screen = self.current_screen()
        try:
            if screen == "welcome" and self._person is not None:
                self.show_welcome_texts()
            elif screen == "goodbye" and self._person is not None:
                self.goodbye.thank(self._person["name"], self._given_text())
        except UserError as exc:  # the database is busy: the texts follow with the next change
            log.warning("texts not redrawn in the new language (%s)", type(exc).__name__)

    # --- size ------------------------------------------------------------------------------
    def _apply_scale(self, scale: float) -> None:
        """kiosk.qss is written for 1024x768; larger screens get proportionally larger text so
        that it stays readable from across the entrance."""
        scale = round(scale, 1)
        if scale == self._scale:
            return
        self._scale = scale
        self.setStyleSheet(_PT_SIZE.sub(lambda m: f"{round(float(m.group(1)) * scale)}pt", self._style))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        size = event.size()
        # kiosk-ui hook: smaller too (down to 0.6), for a windowed kiosk at 150 % on 1366x768
        self._apply_scale(max(0.6, min(1.6, size.width() / 1024, size.height() / 768)))
        super().resizeEvent(event)

    # --- telling people ---------------------------------------------------------------------
    def on_database_refused(self, _sentence: str) -> None:
        """The file is damaged: say so at once and for good (the sentence for the lead is in
        the shift-lead window and the command line; a visitor needs only to know)."""
        self._out_of_order = True
        self.show_banner(_(CANT_RECORD_AT_ALL), sticky=True)

    def show_banner(self, text: str, sticky: bool = False) -> None:
        if self._out_of_order:
            text, sticky = _(CANT_RECORD_AT_ALL), True
        self.banner.setText(text)
        self.banner.setProperty("sticky", sticky)
        self.banner.show()
        if sticky:
            self.banner_timer.stop()
        else:
            self.banner_timer.start(15000)

    def report_problem(self, text: str) -> None:
        """The calm banner for an unexpected problem; the kiosk goes back to idle."""
        self.show_banner(text)
        if self.current_screen() not in ("idle", "pin"):
            self.show_idle()

