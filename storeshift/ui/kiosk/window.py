"""The check-in kiosk window: turns scans (keyboard-wedge scanner or webcam) into the core's
check-in/out, shows the result, collects the debrief, and is locked down behind the PIN."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from ... import i18n
from ...errors import UserError
from ...i18n import N_, _, format_date, format_time
from ...services import kiosk_session, names, observations, settings, visits
from ...services.badges import REASONS
from ...services.kiosk_lease import HEARTBEAT_S, KioskLease
from ...services.kiosk_session import DATABASE_ERRORS, PinVerdict, Retried, Submitted
from ...storage.db import Storage
from ...timeutil import local, local_clock, utc_now
from ..app import style_sheet
from .. import language, media
from ..language import keep
from ..scanner import WedgeScanner
from ..first_frame import after_first_frame
from ..watcher import Change, DatabaseWatcher
from ..widgets import VerdictWatch
from .screens import (ForgottenPage, GoodbyePage, IdlePage, NoBadgePage, PinPage, RefusedPage, RepeatPage,
                      WelcomePage, forgotten_question)
from . import awake, by_name, focus
from ..emoji import use_emoji_font
from .screens import DirectedLabel, fit_windowed
from .writer import KioskWriter

log = logging.getLogger("storeshift.ui.kiosk")
# What each part of the screen reads, to know which changes concern it (watcher.Change).
SETTINGS_TABLES = {"settings", "sites"}
TOLD_TABLES = {"observations", "themes"}
TASK_TABLES = {"assignments", "tasks"}

CANT_RECORD = N_("Can't record right now, please tell the shift lead.")
# The file is damaged (or from a newer storeshift): nothing will be recorded until it is restored.
CANT_RECORD_AT_ALL = N_("This kiosk cannot record check-ins: its database is damaged. Shift lead: restore the "
                        "latest backup.")
RECORDING = N_("Recording your scan…")
TAKEN_OVER = N_("Another kiosk has taken over this database. Shift lead: close this one.")
_PT_SIZE = re.compile(r"(\d+(?:\.\d+)?)pt\b")
#: "Recording…" appears only when a scan takes longer than this (never as a flash)...
RECORDING_AFTER_MS = 300
#: ...and after this long without an answer the visitor is told the scan is kept, and may go.
KEEP_AFTER_MS = 1500
#: The PIN pad (and the check-in or out by name it confirms) waits this long for the writer
#: before going on without it: the shift lead is there and waiting anyway.
PIN_WAIT_MS = 1000
#: The second badge of one scanner burst waits until the first one's screen has shown this long.
CONFIRM_MS = 2000


class KioskWindow(QMainWindow):
    """The kiosk. handle_payload() is the one entry for a scanned badge (wedge, camera,
    scripts, benchmarks); current_screen() names what is showing."""

    screen_changed = Signal(str)
    exited = Signal()

    def __init__(self, storage: Storage, watcher: DatabaseWatcher, windowed: bool = False,
                 clock: Callable[[], dt.datetime] | None = None, camera: bool = True, sounds: bool = True):
        super().__init__()
        # A full-screen kiosk needs a PIN, however it is opened (command line or shift-lead window),
        # and one kiosk per database: both refuse before anything is built.
        kiosk_session.require_pin(storage, windowed)
        self.lease = KioskLease(storage.path, timezone=settings.site_timezone(storage)) if storage.path else None
        if self.lease is not None:
            self.lease.acquire()
        self.storage = storage
        self.watcher = watcher
        self.windowed = windowed
        self.clock = clock or utc_now
        self._may_close = False
        self._visit: dict | None = None
        self._person: dict | None = None
        self._forgotten: dict | None = None
        self._left_at: dt.datetime | None = None
        # Scans asked of the writer and not answered: token -> when (monotonic seconds).
        self._tokens = 0
        self._waiting: dict[int, float] = {}
        # Of those, the ones the visitor was told are kept: their results go to one summary.
        self._late: set[int] = set()
        self._late_results: list[visits.ScanResult] = []
        self._kept = 0  # scans the session keeps for the database
        # Results of a burst waiting for the one on screen to have been read.
        self._queue: list[visits.ScanResult] = []
        self._shown_until = 0.0  # monotonic seconds
        self._banner_kind = ""
        self._told: list[dict] = []
        self._told_index = 0
        self._chosen_person: str | None = None
        self._booking: dict | None = None
        self._task: dict | None = None
        self._settings: dict = {}
        self._given: tuple = (0, 0, None)
        keep(self, window_title=N_("storeshift kiosk"))
        self.setObjectName("kiosk")
        # The site's language from the first frame, Qt's own texts with it, and every later change.
        settings.use_site_language(storage)
        language.follow()
        self._style = style_sheet("kiosk")
        self._scale = 0.0
        # Styled once, at the scale of the screen it fills (a windowed kiosk is styled when it
        # gets its size): each style sheet costs the whole tree a re-polish.
        if not windowed:
            screen = self.screen().geometry()
            self._apply_scale(self._scale_for(screen.width(), screen.height()))
        self._build()
        self._connect()
        self.reload_settings()
        self._sounds: dict = {}
        self.scanner = WedgeScanner(self._settings["scan_char_gap_ms"], self._settings["scan_min_length"], self,
                                    scope=self)
        self.scanner.scanned.connect(lambda code: self.handle_payload(code, follows=self.scanner.in_burst))
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
        if windowed:
            fit_windowed(self)  # never larger than the screen's free room
        else:
            self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
            # The whole screen also where no window manager grants "full screen" (a kiosk PC
            # often runs the app alone on a bare X session).
            self.setGeometry(self.screen().geometry())
            self.setWindowState(Qt.WindowState.WindowFullScreen)
        self.writer = KioskWriter(storage, self.now, self)
        self.writer.retried.connect(self.on_retried)
        self.heartbeat_timer = QTimer(self)
        self.heartbeat_timer.setInterval(HEARTBEAT_S * 1000)
        self.heartbeat_timer.timeout.connect(self.on_heartbeat)
        if self.lease is not None:
            self.heartbeat_timer.start()
        self._built = True
        self.show_idle()
        # The keyboard kept for the scanner, the PC kept awake (both let go at exit).
        self.focus_keeper = focus.keep_keyboard(self, full_screen=not windowed)
        self.awake = awake.stay_awake(self)
        # Nothing on the first frame needs these: loading the audio back end and looking for
        # cameras take 0.1-0.2 s each, the emoji font is for visitors' notes.
        self._wants = (sounds, camera and self.camera is not None)
        after_first_frame(self, self._after_first_frame)

    def _after_first_frame(self) -> None:
        if self.writer.stopped:
            return  # closed before its first frame: nothing to start any more
        sounds, camera = self._wants
        use_emoji_font()
        if sounds:
            self._load_sounds()
        if camera:
            self._start_camera()

    # --- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        central.setObjectName("kioskRoot")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = DirectedLabel("")  # a name first keeps the line's direction
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

        # Forgotten visits end at closing time even when nobody scans then; the writer ends them.
        self.closing = ClosingTimer(lambda: self.storage, self.now, self,
                                    close=lambda now: self.writer.call("close_forgotten", now, wait_ms=0))

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(1000)
        self.told_timer = QTimer(self)
        self.told_timer.setInterval(9000)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(1500)
        self.recording_timer = QTimer(self)
        self.recording_timer.setSingleShot(True)
        self.recording_timer.setInterval(RECORDING_AFTER_MS)
        self.keep_timer = QTimer(self)
        self.keep_timer.setSingleShot(True)
        self.keep_timer.setInterval(KEEP_AFTER_MS)
        self.confirm_timer = QTimer(self)
        self.confirm_timer.setSingleShot(True)
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
        self.recording_timer.timeout.connect(self.on_still_recording)
        self.keep_timer.timeout.connect(self.on_keep_waiting)
        self.confirm_timer.timeout.connect(self.on_next_confirmation)
        self.banner_timer.timeout.connect(self.hide_banner)
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

    def reload_settings(self, told: bool = True) -> None:
        self._settings = settings.all_settings(self.storage)
        if self._settings["language"] != i18n.site_language():  # changed in the shift-lead window
            i18n.set_site_language(self._settings["language"])
        self.idle.site.setText(self._settings["site_name"])
        if hasattr(self, "scanner"):
            self.scanner.set_timing(self._settings["scan_char_gap_ms"], self._settings["scan_min_length"])
        if told:
            self._told = observations.actioned(self.storage, limit=20)
        self.on_clock()

    def now(self) -> dt.datetime:
        return self.clock()

    def show_idle(self) -> None:
        if self.current_screen() == "goodbye":
            self.save_debrief()  # what the visitor wrote is kept (by the writer, also when the database is busy)
        i18n.set_visitor_language(None)  # the next visitor is greeted in the site's language
        self.autosave_timer.stop()
        self._visit = self._person = None
        self._chosen_person = None
        self.idle.show_told(self._told[self._told_index % len(self._told)] if self._told else None)
        self._show("idle", None)

    # --- scans ------------------------------------------------------------------------------
    def handle_payload(self, payload: str, follows: bool = False) -> None:
        """A badge was read: the writer records it and its screen shows when the answer comes
        back (on a busy database "recording…", then "kept"); never raises, never waits. follows:
        it came after another badge in the same burst, whose confirmation it must not cut short."""
        try:
            self._tokens += 1
            token = self._tokens
            # Not even a short wait for the answer: it comes back within milliseconds on a free
            # database, and a scanner's next key must never find the screen busy.
            job = self.writer.call("submit", payload, self.now(), token,
                                   done=lambda outcome: self.on_scan_answered(outcome, follows),
                                   failed=lambda exc: self.on_scan_failed(exc, token), wait_ms=0)
            if not job.delivered:
                self._waiting[token] = time.monotonic()
                if not self.recording_timer.isActive():
                    self.recording_timer.start()
                self.keep_timer.start()
        except Exception:
            log.error("unexpected error while handling a scan", exc_info=True)
            self.report_problem(_("Something went wrong. Please scan again, or tell the shift lead."))

    def settle(self, timeout_ms: int = 5000) -> bool:
        """Run the event loop until the writer has answered everything asked of it (False if it
        has not within timeout_ms): for the self-test, tests and tools that drive the kiosk
        step by step. The kiosk itself never waits like this."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.writer.busy and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
            QThread.msleep(2)
        QCoreApplication.processEvents()
        return not self.writer.busy

    def on_scan_answered(self, outcome: Submitted, follows: bool) -> None:
        try:
            token = outcome.token
            late = token in self._late
            self._answered(token)
            if outcome.kept:
                self._kept = outcome.waiting
                self._late.add(token)
                self._tell_kept()
                return
            if late:
                self._late.discard(token)
                self._late_results.append(outcome.result)
                self._tell_late()
                return
            self._present(outcome.result, follows)
        except Exception:
            log.error("unexpected error while showing a scan", exc_info=True)
            self.report_problem(_("Something went wrong. Please scan again, or tell the shift lead."))

    def on_scan_failed(self, exc: Exception, token: int) -> None:
        """Not a database error (those are kept): a bug, logged by the writer."""
        self._answered(token)
        self._late.discard(token)
        self.report_problem(str(exc) if isinstance(exc, UserError)
                            else _("Something went wrong. Please scan again, or tell the shift lead."))

    def _answered(self, token: int) -> None:
        self._waiting.pop(token, None)
        if not self._waiting:
            self.recording_timer.stop()
            self.keep_timer.stop()
            if self._banner_kind == "recording":
                self.hide_banner()

    def on_still_recording(self) -> None:
        if self._waiting and not self._late.issuperset(self._waiting):
            self.show_banner(_(RECORDING), sticky=True, kind="recording")

    def on_keep_waiting(self) -> None:
        """No answer yet (the database is busy): the visitor is told their scan is kept and may
        go; its result will be summed up with the others, not shown as their screen."""
        if not self._waiting:
            return
        self._late.update(self._waiting)
        self._tell_kept()
        if self.current_screen() not in ("idle", "goodbye", "pin"):
            self.show_idle()

    def on_retried(self, outcome: Retried) -> None:
        """Kept scans recorded (or given up) by the writer's retries."""
        for token, result in outcome.recorded:
            self._late.discard(token)
            self._late_results.append(result)
        self._kept = outcome.waiting
        if outcome.gave_up:
            self._late.clear()
            self._late_results.clear()
            self.show_banner(kiosk_session.gave_up_sentence(outcome.gave_up), sticky=False, kind="gave_up")
            return
        self._tell_late()

    def _tell_kept(self) -> None:
        count = max(self._kept, len(self._late))
        if count:
            self.show_banner(kiosk_session.kept_sentence(count), sticky=True, kind="kept")

    def _tell_late(self) -> None:
        """Once nothing is kept any more: one banner for every scan recorded late."""
        if self._late or self._kept:
            self._tell_kept()
            return
        if self._late_results:
            for result in self._late_results:
                log.info("scan recorded late: %s", result.kind)
            self.show_banner(kiosk_session.late_summary(self._late_results), sticky=False, kind="summary")
            self._late_results = []
        elif self._banner_kind in ("kept", "recording"):
            self.hide_banner()

    def _present(self, result: visits.ScanResult, follows: bool = False) -> None:
        """Show a result, unless it follows another of the same burst still being read: then it
        waits its turn (each badge of the burst gets its own confirmation)."""
        if self.current_screen() == "goodbye" and self._visit is not None and result.kind == visits.REPEAT \
                and result.person and self._person and result.person["id"] == self._person["id"]:
            # The same badge again while its owner writes: the form and their words stay.
            log.info("scan: repeat during the debrief")
            self.goodbye.status.setText(_("Already checked out — your note is safe."))
            self.idle_timer.start()
            return
        now = time.monotonic()
        if self._queue or (follows and now < self._shown_until):
            self._queue.append(result)
            if not self.confirm_timer.isActive():
                self.confirm_timer.start(max(1, int((self._shown_until - now) * 1000)))
            return
        self._shown_until = now + CONFIRM_MS / 1000
        self._show_result(result)

    def on_next_confirmation(self) -> None:
        if self._queue:
            self._shown_until = time.monotonic() + CONFIRM_MS / 1000
            self._show_result(self._queue.pop(0))
            if self._queue:
                self.confirm_timer.start(CONFIRM_MS)

    def _show_result(self, result: visits.ScanResult) -> None:
        visit_id = result.visit["id"] if result.visit else "-"
        log.info("scan: %s visit=%s reason=%s", result.kind, visit_id, result.reason or "-")
        if self._banner_kind in ("kept", "recording") and not self._waiting and not self._kept:
            self.hide_banner()
        if self.current_screen() == "goodbye" and self._visit is not None:
            self.save_debrief()  # the previous visitor's words are kept before the next one's screen
        if result.kind == visits.REFUSED:
            self.play("refusal")
            self.refused.show_refusal(result.message or str(REASONS["not_ours"]))
            self._show("refused", self._settings["kiosk_idle_s"])
            return
        self.play("success")
        self._person, self._visit = result.person, result.visit
        if result.kind == visits.CHECKED_IN:
            self._booking = result.booking
            self._task = result.task
            if result.forgotten_visit:
                self.show_forgotten(result.forgotten_visit)
            else:
                self.show_welcome()
        elif result.kind == visits.CHECKED_OUT:
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
        """The welcome from what the scan returned (no query of its own)."""
        tz = self._settings["timezone"]
        booking = self._booking
        booking_text = ""
        if booking:
            start, end = local_clock(booking["start_at"], tz), local_clock(booking["end_at"], tz)
            title = booking.get("task_title")
            booking_text = (_("Booked today {start}–{end}: {task}.").format(start=start, end=end, task=title)
                            if title else _("Booked today {start}–{end}.").format(start=start, end=end))
        self.welcome.show_welcome(self._person["name"], local_clock(self._visit["check_in_at"], tz), booking_text)
        self.welcome.show_task(self._task)

    # --- forgotten check-out ----------------------------------------------------------------
    def show_forgotten(self, visit: dict) -> None:
        tz = self._settings["timezone"]
        self._forgotten = visit
        self._left_at = kiosk_session.departure_guess(visit, tz)
        self.forgotten.headline.setText(_("Welcome back, {name}!").format(name=self._person["name"]))
        self.forgotten.question.setText(forgotten_question(local(visit["check_in_at"], tz),
                                                           local(self.now(), tz).date()))
        self._show_left_at()
        self._show("forgotten", self._settings["debrief_idle_s"])

    def _show_left_at(self) -> None:
        self.forgotten.time.setText(format_time(self._left_at))

    def on_forgotten_step(self, minutes: int) -> None:
        self._left_at = kiosk_session.step_departure(self._forgotten, self._left_at, minutes,
                                                     self._settings["timezone"])
        self._show_left_at()

    def on_forgotten_save(self) -> None:
        self._correct_departure(self._left_at)

    def on_forgotten_unknown(self) -> None:
        self._correct_departure(None)

    def _correct_departure(self, left_at: dt.datetime | None) -> None:
        self.writer.call("correct_departure", self._forgotten["id"], left_at, failed=self.on_departure_failed)
        self._forgotten = None
        self.show_welcome()

    def on_departure_failed(self, exc: Exception) -> None:
        self.show_banner(_(CANT_RECORD) if isinstance(exc, DATABASE_ERRORS) else str(exc))

    # --- debrief ----------------------------------------------------------------------------
    def on_debrief_changed(self) -> None:
        if self.current_screen() == "goodbye":
            self.autosave_timer.start()

    def save_debrief(self, then: Callable[[], None] | None = None) -> None:
        """Store what the visitor wrote (the session adds the note once, then edits it). The
        writer keeps the words when the database is busy; a rule's refusal (too long) is said
        on the form. then: called once the words are stored or kept."""
        self.autosave_timer.stop()
        if self._visit is None or not self.goodbye.has_content():
            if then is not None:
                then()
            return
        visit_id = self._visit["id"]

        def saved(_observation_id) -> None:
            if self._visit is not None and self._visit["id"] == visit_id:
                self.goodbye.status.setText(_("Saved ✔"))
            if then is not None:
                then()

        def failed(exc: Exception) -> None:
            log.warning("debrief not saved (%s)", type(exc).__name__)
            on_form = self.current_screen() == "goodbye" and self._visit is not None and self._visit["id"] == visit_id
            if isinstance(exc, DATABASE_ERRORS):
                if on_form:
                    self.goodbye.status.setText(_("Your note is kept and will be saved."))
                if then is not None:
                    then()
            elif on_form:
                self.goodbye.status.setText(str(exc) if isinstance(exc, UserError) else _(CANT_RECORD))

        job = self.writer.call("save_debrief", visit_id, self.goodbye.values(), done=saved, failed=failed)
        if not job.delivered and self.current_screen() == "goodbye":
            self.goodbye.status.setText(_("Saving…"))  # the database is slow: the button did something

    def on_debrief_finish(self) -> None:
        if not self.goodbye.has_content():
            self.show_idle()
            return
        visit_id = self._visit["id"] if self._visit else None

        def leave() -> None:
            if self.current_screen() == "goodbye" and self._visit is not None and self._visit["id"] == visit_id:
                self._visit = None  # saved: show_idle must not save it again
                self.show_idle()
        self.save_debrief(then=leave)

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
                people = names.search_people(self.storage, query)  # any case, accent, script
            except UserError:
                self.show_banner(_(CANT_RECORD))
        self.no_badge.show_people(people, query)

    def on_person_chosen(self, person_id: str) -> None:
        by_name.choose(self, person_id)  # check in, or out when on site

    def _check_in_chosen(self) -> None:
        self.writer.call("check_in_by_name", self._chosen_person, self.now(), done=self._present,
                         failed=self.on_by_name_failed, wait_ms=PIN_WAIT_MS)

    def on_by_name_failed(self, exc: Exception) -> None:
        log.warning("check-in or check-out by name refused (%s)", type(exc).__name__)
        self.show_idle()
        self.show_banner(_(CANT_RECORD) if isinstance(exc, DATABASE_ERRORS) or not isinstance(exc, UserError)
                         else str(exc))

    # --- PIN and leaving --------------------------------------------------------------------
    def ask_exit_pin(self) -> None:
        self.pin_page.open("exit", _("Leave kiosk mode"), _("Shift lead: enter your PIN"))
        self._show("pin", self._settings["kiosk_idle_s"] * 4)
        self.pin_page.pad.focus()

    def on_pin_submitted(self, entered: str) -> None:
        # Checked by the writer: a wrong PIN is counted in the database (and scrypt takes a moment).
        purpose = self.pin_page.purpose
        # The pad may wait a little longer than a scan for its answer (scrypt alone takes tens of
        # milliseconds); a busy database still never holds it for more than PIN_WAIT_MS.
        self.writer.call("check_pin", entered, done=lambda verdict: self.on_pin_verdict(verdict, purpose),
                         failed=lambda exc: self.on_pin_verdict(PinVerdict(False, _(CANT_RECORD)), purpose),
                         wait_ms=PIN_WAIT_MS)

    def on_pin_verdict(self, verdict: PinVerdict, purpose: str) -> None:
        if self.current_screen() != "pin" or self.pin_page.purpose != purpose:
            return  # the pad was left meanwhile
        pad = self.pin_page.pad
        if not verdict.ok:
            pad.show_message(verdict.sentence, error=True)
            if verdict.locked_ms:
                pad.set_locked(True, verdict.locked_ms)
            return
        if purpose == "exit":
            self.leave()
        elif purpose == "check_out":  # by name (by_name.choose asked for it): the writer records it
            self.writer.call("check_out_by_name", self._chosen_person, self.now(), done=self._present,
                             failed=self.on_by_name_failed, wait_ms=PIN_WAIT_MS)
        else:
            by_name.confirmed(self)  # check-in by name (through _check_in_chosen)

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
        self.writer.stop()  # after the jobs already asked for, such as that debrief
        if self.lease is not None:
            self.lease.release()
        self.heartbeat_timer.stop()
        self.scanner.uninstall()
        if self.camera is not None:
            self.camera.stop()
        for timer in (self.idle_timer, self.clock_timer, self.told_timer, self.autosave_timer, self.recording_timer,
                      self.keep_timer, self.confirm_timer):
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

    def on_database_changed(self, change: Change | None = None) -> None:
        """Another screen (the shift lead's, maybe another process) changed something: read again
        only what the change concerns. (Each scan is a change: re-reading the 'we did' list after
        every one cost a large store a second of frozen screen.)"""
        change = change or Change()
        try:
            if change.concerns(SETTINGS_TABLES):
                self.reload_settings(told=False)
            if change.concerns(TOLD_TABLES):
                self._told = observations.actioned(self.storage, limit=20)
            if change.concerns(TASK_TABLES) and self.current_screen() == "welcome" and self._visit is not None:
                task = visits.current_task(self.storage, self._visit["id"])
                if (task["id"] if task else None) != self.welcome.task_id:
                    self._task = task
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

    @staticmethod
    def _scale_for(width: int, height: int) -> float:
        # Smaller too (down to 0.6), for a windowed kiosk at 150 % on 1366x768.
        return max(0.6, min(1.6, width / 1024, height / 768))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        size = event.size()
        self._apply_scale(self._scale_for(size.width(), size.height()))
        super().resizeEvent(event)

    # --- telling people ---------------------------------------------------------------------
    def on_database_refused(self, _sentence: str) -> None:
        """The file is damaged: say so at once and for good (the sentence for the lead is in
        the shift-lead window and the command line; a visitor needs only to know)."""
        self._out_of_order = True
        self.show_banner(_(CANT_RECORD_AT_ALL), sticky=True)

    def on_heartbeat(self) -> None:
        if not self.lease.heartbeat():
            self.heartbeat_timer.stop()
            self.show_banner(_(TAKEN_OVER), sticky=True, kind="taken_over")

    def hide_banner(self) -> None:
        self.banner.hide()
        self._banner_kind = ""

    def show_banner(self, text: str, sticky: bool = False, kind: str = "notice") -> None:
        """kind: what the banner says (recording, kept, summary…), so that only its own news
        takes it away."""
        if self._out_of_order:
            text, sticky = _(CANT_RECORD_AT_ALL), True
        self._banner_kind = kind
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

