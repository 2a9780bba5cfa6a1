"""The kiosk window driven as visitors and the shift lead use it: scanner bursts typed as timed
key events, webcam frames, taps on the screen, and the clock running out."""

from __future__ import annotations

import datetime as dt
import gc
import io
import sqlite3
import threading
import time

import pytest
import qrcode
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QImage, QKeyEvent, QPainter
from PySide6.QtMultimedia import QVideoFrame
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPlainTextEdit, QPushButton

from storeshift import logs
from storeshift.services import badges, pin, settings, tasks, visits
from storeshift.errors import UserError
from storeshift.ui.kiosk.window import RECORDING, KioskWindow
from storeshift.ui.watcher import DatabaseWatcher

# A test machine without GPU or sound card says so; that is not a fault of the kiosk.
pytestmark = pytest.mark.qt_log_ignore("No RHI backend", "Couldn't (load|resolve)", "PulseAudioService",
                                       "QSoundEffect", "audio device")

AZERTY = str.maketrans({"0": "à", "1": "&", "2": "é", "3": '"', "4": "'", "5": "(", "6": "-", "7": "è",
                        "8": "_", "9": "ç", "-": ")", "A": "Q", "Q": "A", "Z": "W", "W": "Z", "M": "?"})


def key_code(ch: str) -> int:
    if ch in "\r\n":
        return int(Qt.Key.Key_Return)
    if ch.isascii() and ch.isprintable():
        return ord(ch.upper())
    return int(Qt.Key.Key_unknown)


_STAMP = [10_000_000]  # the window system's clock for the key events below (ms)


def type_keys(text: str, gap_ms: int, widget=None) -> None:
    """Keys as the window system delivers them to whatever has focus, their time stamps gap_ms
    apart (the scanner reads those, not the wall clock): no sleeping between keys. A scanner
    burst is 1 ms apart; each call starts a second after the last one ended."""
    _STAMP[0] += 1000
    for ch in text:
        target = widget or QApplication.focusWidget() or QApplication.activeWindow()
        _STAMP[0] += max(1, gap_ms)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key_code(ch), Qt.KeyboardModifier.NoModifier, ch)
            event.setTimestamp(_STAMP[0])
            QApplication.sendEvent(target, event)


def scan(payload: str, widget=None) -> None:
    """A keyboard-wedge scanner: the whole code back to back, then Enter. (Sub-millisecond gaps:
    a test machine that stalls for longer than the gap setting must not split the burst.) Then
    the kiosk's writer thread has recorded it."""
    type_keys(payload + "\r", gap_ms=0, widget=widget)
    for window in QApplication.topLevelWidgets():
        if isinstance(window, KioskWindow):
            window.settle()


@pytest.fixture
def kiosk(demo_storage, at, make_kiosk):
    settings.put(demo_storage, "scan_char_gap_ms", 60)  # room for a busy test machine
    return make_kiosk(demo_storage, at(11, 5))


def newcomer(storage) -> dict:
    """An active person with a badge who is not on the floor, did not come today and did not
    forget to scan out on the last open day."""
    moment = dt.datetime(2026, 11, 25, 11, 0, tzinfo=dt.timezone.utc)
    on_floor = {row["person_id"] for row in visits.on_floor(storage, moment)}
    left = {row["person_id"] for row in visits.left_today(storage, moment)}
    forgot = {row["person_id"] for row in visits.didnt_check_out(storage, moment)[1]}  # asked about it first
    for person, payload in badges.badge_payloads(storage):
        if person["id"] not in on_floor | left | forgot:
            return {**person, "payload": payload}
    raise AssertionError("the demo has nobody left to check in")


def visits_of(storage, person_id) -> list[dict]:
    return storage.rows("SELECT * FROM visits WHERE person_id = ? ORDER BY check_in_at", (person_id,))


def test_idle_screen_is_readable_touchable_named_and_has_no_camera_area_here(kiosk):
    assert kiosk.current_screen() == "idle"
    idle = kiosk.idle
    assert not idle.camera_view.isVisible()  # this machine has no camera
    assert idle.site.text() == "Riverside Store"
    shown = [w for w in idle.findChildren(QLabel) if w.isVisible() and w.text()]
    assert shown and all(w.font().pointSizeF() >= 32 for w in shown), \
        [(w.text(), w.font().pointSizeF()) for w in shown if w.font().pointSizeF() < 32]
    assert idle.told.isVisible() and "✔" in idle.told_done.text()
    for page in kiosk.pages.values():
        controls = [*page.findChildren(QPushButton), *page.findChildren(QLineEdit),
                    *page.findChildren(QPlainTextEdit)]
        for control in controls:
            assert control.accessibleName(), f"{page.key}: {control.text() if hasattr(control, 'text') else ''}"
            if isinstance(control, QPushButton):
                assert control.minimumSizeHint().height() >= 48 or control.minimumHeight() >= 48


def test_check_in_shows_welcome_then_a_task_assigned_meanwhile_then_repeat(qtbot, kiosk, demo_storage):
    person = newcomer(demo_storage)
    scan(person["payload"])
    assert kiosk.current_screen() == "welcome"
    assert person["name"] in kiosk.welcome.headline.text()
    assert "11:05" in kiosk.welcome.checked_in.text()
    assert "shortly" in kiosk.welcome.task_title.text()

    visit = visits.open_visit(demo_storage, person["id"])
    task = tasks.list_tasks(demo_storage)[0]
    tasks.assign(demo_storage, visit["id"], task["id"])  # the shift lead, at the back-office PC
    qtbot.waitUntil(lambda: kiosk.welcome.task_title.text() == task["title"], timeout=3000)
    assert kiosk.current_screen() == "welcome"

    kiosk.clock_fn.advance(seconds=20)
    scan(person["payload"])
    assert kiosk.current_screen() == "repeat"
    assert "already checked in since 11:05" in kiosk.repeat.headline.text()
    assert len(visits_of(demo_storage, person["id"])) == 1


def test_goodbye_after_a_night_shift_tells_the_time_given_on_the_day_it_began(qtbot, kiosk, demo_storage):
    # Begun after closing time (22:00): a night shift, ended at the next closing time at the latest.
    person = newcomer(demo_storage)
    kiosk.clock_fn.advance(hours=12, minutes=25)        # 23:30
    scan(person["payload"])
    assert kiosk.current_screen() == "welcome"
    kiosk.clock_fn.advance(minutes=45)                  # 00:15 the next day
    scan(person["payload"])
    assert kiosk.current_screen() == "goodbye"
    assert kiosk.goodbye.given.text().replace("\xa0", " ") == (
        "You gave 45 min on the shift you began yesterday and 45 min in total.")


def test_check_out_with_a_debrief_typed_and_saved(qtbot, kiosk, demo_storage):
    person = newcomer(demo_storage)
    scan(person["payload"])
    kiosk.clock_fn.advance(hours=2, minutes=10)
    scan(person["payload"])
    assert kiosk.current_screen() == "goodbye"
    assert person["name"] in kiosk.goodbye.headline.text()
    assert "2\u00a0h\u00a010\u00a0min today" in kiosk.goodbye.given.text()  # a duration never breaks
    page = kiosk.goodbye
    assert page.finish.text() == "Skip"
    qtbot.mouseClick(page.category_buttons["product_issue"], Qt.MouseButton.LeftButton)
    page.text.setFocus()
    type_keys("Oat milk gone by 10", gap_ms=80, widget=page.text)
    qtbot.waitUntil(lambda: page.text.toPlainText() == "Oat milk gone by 10", timeout=2000)
    qtbot.mouseClick(page.impact_buttons["high"], Qt.MouseButton.LeftButton)
    assert page.finish.text() == "Save"
    qtbot.mouseClick(page.finish, Qt.MouseButton.LeftButton)
    assert kiosk.current_screen() == "idle"
    visit = visits_of(demo_storage, person["id"])[-1]
    assert visit["check_out_at"] and visit["source_out"] == "badge"
    saved = demo_storage.rows("SELECT * FROM observations WHERE visit_id = ?", (visit["id"],))
    assert [(o["category"], o["text"], o["impact"]) for o in saved] == [("product_issue", "Oat milk gone by 10",
                                                                          "high")]


def test_a_scan_while_someone_types_their_debrief_never_lands_in_the_text(qtbot, kiosk, demo_storage):
    first = newcomer(demo_storage)
    scan(first["payload"])
    kiosk.clock_fn.advance(hours=1)
    scan(first["payload"])
    page = kiosk.goodbye
    page.text.setFocus()
    type_keys("Queue at till 2", gap_ms=80, widget=page.text)
    qtbot.waitUntil(lambda: page.text.toPlainText() == "Queue at till 2", timeout=2000)
    second = next({**p, "payload": code} for p, code in badges.badge_payloads(demo_storage)
                  if p["id"] != first["id"] and not visits.open_visit(demo_storage, p["id"]))
    scan(second["payload"], widget=page.text)  # the scanner types into the focused text box
    assert page.text.toPlainText() == "Queue at till 2"
    assert kiosk.current_screen() == "welcome" and second["name"] in kiosk.welcome.headline.text()
    first_visit = visits_of(demo_storage, first["id"])[-1]
    saved = demo_storage.rows("SELECT text, category FROM observations WHERE visit_id = ?", (first_visit["id"],))
    assert saved == [{"text": "Queue at till 2", "category": "customer_voice"}]


def test_walking_away_mid_debrief_keeps_what_was_typed(qtbot, kiosk, demo_storage):
    settings.put(demo_storage, "debrief_idle_s", 1)
    kiosk.reload_settings()
    person = newcomer(demo_storage)
    scan(person["payload"])
    kiosk.clock_fn.advance(hours=1)
    scan(person["payload"])
    kiosk.goodbye.text.setFocus()
    type_keys("Labels wrong on aisle 4", gap_ms=70, widget=kiosk.goodbye.text)
    qtbot.waitUntil(lambda: kiosk.current_screen() == "idle", timeout=4000)
    visit = visits_of(demo_storage, person["id"])[-1]
    saved = demo_storage.rows("SELECT text FROM observations WHERE visit_id = ?", (visit["id"],))
    assert saved == [{"text": "Labels wrong on aisle 4"}]


def test_results_return_to_idle_by_themselves(qtbot, kiosk, demo_storage):
    settings.put(demo_storage, "kiosk_idle_s", 1)
    kiosk.reload_settings()
    scan(newcomer(demo_storage)["payload"])
    assert kiosk.current_screen() == "welcome"
    qtbot.waitUntil(lambda: kiosk.current_screen() == "idle", timeout=3000)


def test_forged_replaced_and_revoked_badges_are_refused_in_plain_words(qtbot, kiosk, demo_storage):
    person = newcomer(demo_storage)
    forged = person["payload"][:-4] + ("AAAA" if not person["payload"].endswith("AAAA") else "BBBB")
    scan(forged)
    assert kiosk.current_screen() == "refused"
    assert kiosk.refused.reason.text() == badges.REASONS["damaged"]
    scan("SS1-NOT-A-REAL-BADGE-AT-ALL")
    assert kiosk.refused.reason.text() == badges.REASONS["not_ours"]

    badges.issue(demo_storage, person["id"])  # the old card is replaced by a new one
    scan(person["payload"])
    assert kiosk.refused.reason.text() == badges.REASONS["replaced"]
    badges.revoke(demo_storage, person["id"])
    scan(badges.make_payload(badges.org_key(demo_storage), person["id"], 2))
    assert kiosk.refused.reason.text() == badges.REASONS["revoked"]
    assert "shift lead" in kiosk.refused.reason.text()
    assert visits_of(demo_storage, person["id"]) == []


def test_a_scanner_on_an_azerty_layout_still_checks_people_in(kiosk, demo_storage):
    person = newcomer(demo_storage)
    mangled = person["payload"].translate(AZERTY)
    assert mangled != person["payload"]
    scan(mangled)
    assert kiosk.current_screen() == "welcome"
    assert len(visits_of(demo_storage, person["id"])) == 1


def test_slow_typing_on_the_idle_screen_is_not_a_scan(kiosk, demo_storage):
    person = newcomer(demo_storage)
    type_keys(person["payload"][:12] + "\r", gap_ms=90, widget=kiosk)
    QTest.qWait(100)
    assert kiosk.current_screen() == "idle"
    assert visits_of(demo_storage, person["id"]) == []


def test_a_badge_held_up_to_the_webcam_checks_in_once(qtbot, kiosk, demo_storage):
    person = newcomer(demo_storage)
    code = qrcode.QRCode(border=4, box_size=5)
    code.add_data(person["payload"])
    code.make(fit=True)
    png = io.BytesIO()
    code.make_image().get_image().convert("L").save(png, "PNG")
    badge = QImage.fromData(png.getvalue())
    kiosk.camera.interval_ms = 30
    for _ in range(8):
        canvas = QImage(640, 480, QImage.Format.Format_RGB32)
        canvas.fill(Qt.GlobalColor.gray)
        painter = QPainter(canvas)
        painter.drawImage(200, 120, badge)
        painter.end()
        kiosk.camera.sink.setVideoFrame(QVideoFrame(canvas))
        QTest.qWait(40)
    qtbot.waitUntil(lambda: kiosk.current_screen() == "welcome", timeout=3000)
    QTest.qWait(200)
    assert kiosk.current_screen() == "welcome"  # not flipped to 'repeat' by later frames
    assert len(visits_of(demo_storage, person["id"])) == 1


def test_forgotten_check_out_is_asked_and_corrected(qtbot, kiosk, demo_storage, at):
    person = newcomer(demo_storage)
    visits.scan(demo_storage, person["payload"], at(9, 0, day=24))  # came yesterday, never scanned out
    scan(person["payload"])
    assert kiosk.current_screen() == "forgotten"
    assert "yesterday" in kiosk.forgotten.question.text()
    assert kiosk.forgotten.time.text() == "12:00"
    later = next(b for b in kiosk.forgotten.step_buttons if b.property("minutes") == 60)
    qtbot.mouseClick(later, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.forgotten.save, Qt.MouseButton.LeftButton)
    assert kiosk.current_screen() == "welcome"
    yesterday, today = visits_of(demo_storage, person["id"])
    assert yesterday["check_out_at"] == "2026-11-24T13:00:00Z" and yesterday["departure_confirmed"] == 1
    assert today["check_out_at"] is None


def test_no_badge_check_in_by_name_confirmed_with_the_pin(qtbot, kiosk, demo_storage):
    pin.set_pin(demo_storage, "2468")
    person = newcomer(demo_storage)
    qtbot.mouseClick(kiosk.idle.no_badge, Qt.MouseButton.LeftButton)
    assert kiosk.current_screen() == "no_badge"
    assert kiosk.no_badge.results.count() == 0  # the roster is never shown unasked
    type_keys(person["name"][:5], gap_ms=90, widget=kiosk.no_badge.search)
    qtbot.waitUntil(lambda: kiosk.no_badge.search.text() == person["name"][:5], timeout=2000)
    rows = [kiosk.no_badge.results.item(i) for i in range(kiosk.no_badge.results.count())]
    mine = next(item for item in rows if item.data(Qt.ItemDataRole.UserRole) == person["id"])
    rect = kiosk.no_badge.results.visualItemRect(mine)
    qtbot.mouseClick(kiosk.no_badge.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert kiosk.current_screen() == "pin"
    pad = kiosk.pin_page.pad
    for digit in "2468":
        qtbot.mouseClick(pad.digit_buttons[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pad.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.current_screen() == "welcome", timeout=3000)  # the writer checks the PIN
    assert person["name"] in kiosk.welcome.headline.text()
    assert [v["source_in"] for v in visits_of(demo_storage, person["id"])] == ["manual"]


def test_only_the_pin_leaves_and_wrong_pins_lock_it(qtbot, kiosk, demo_storage):
    pin.set_pin(demo_storage, "2468")
    kiosk.close()
    QTest.keyClick(kiosk, Qt.Key.Key_Escape)
    QTest.keyClick(kiosk, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    assert kiosk.isVisible() and kiosk.current_screen() == "idle"
    QTest.keyClick(kiosk, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert kiosk.current_screen() == "pin"
    pad = kiosk.pin_page.pad
    for _attempt in range(pin.FREE_ATTEMPTS):
        pad.display.setText("1111")
        qtbot.mouseClick(pad.ok_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not kiosk.writer.busy, timeout=3000)
    assert "Too many wrong PINs" in pad.message.text()
    assert not pad.ok_button.isEnabled()
    pad.display.setText("2468")
    pad.on_ok()  # even the right PIN waits out the lockout
    qtbot.waitUntil(lambda: not kiosk.writer.busy, timeout=3000)
    assert kiosk.isVisible()
    assert pin.locked_until(demo_storage) is not None


def test_the_right_pin_leaves_kiosk_mode(qtbot, kiosk, demo_storage):
    pin.set_pin(demo_storage, "2468")
    kiosk.ask_exit_pin()
    pad = kiosk.pin_page.pad
    pad.display.setText("1357")
    qtbot.mouseClick(pad.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not right" in pad.message.text(), timeout=3000)
    assert kiosk.isVisible()
    for digit in "2468":
        qtbot.mouseClick(pad.digit_buttons[digit], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(kiosk.exited, timeout=1000):
        qtbot.mouseClick(pad.ok_button, Qt.MouseButton.LeftButton)
    assert not kiosk.isVisible()


class WriteLock(threading.Thread):
    """Another program holding the database's write lock (a connection of its own, on its own
    thread) until the test releases it."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.taken, self.release = threading.Event(), threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(str(self.path), timeout=5)
        conn.execute("BEGIN IMMEDIATE")
        self.taken.set()
        self.release.wait(30)
        conn.rollback()
        conn.close()

    def __enter__(self):
        self.start()
        assert self.taken.wait(5)
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.join(10)


class Ticks:
    """A timer ticking every 10 ms on the event loop: the longest gap between two ticks is the
    longest the kiosk's screen was frozen. The garbage collector waits meanwhile: a collection
    over the test runner's heap (60-200 ms late in a run) is not the kiosk waiting."""

    def __init__(self):
        gc.collect()
        gc.disable()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self.tick)
        self.last = self.started = time.monotonic()
        self.longest = 0.0
        self.timer.start()

    def tick(self) -> None:
        now = time.monotonic()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def stop(self) -> None:  # (twice is harmless)
        self.timer.stop()
        gc.enable()


def test_a_write_lock_held_for_5_s_never_freezes_the_kiosk_and_the_scan_is_recorded_after(qtbot, kiosk,
                                                                                          demo_storage, request):
    person = newcomer(demo_storage)
    kiosk.writer.retry_ms = 300
    ticks = Ticks()
    request.addfinalizer(ticks.stop)
    with WriteLock(demo_storage.path):
        type_keys(person["payload"] + "\r", gap_ms=0)  # the scanner; the kiosk must not wait for the database
        assert kiosk.current_screen() == "idle"
        qtbot.waitUntil(lambda: kiosk.banner.isVisible() and kiosk.banner.text() == RECORDING, timeout=2000)
        qtbot.waitUntil(lambda: kiosk.banner.text() == "Your scan is saved and will be recorded. You can go ahead.",
                        timeout=3000)
        # The screen answers meanwhile: the PIN pad opens and closes.
        QTest.keyClick(kiosk, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert kiosk.current_screen() == "pin"
        qtbot.mouseClick(kiosk.pin_page.pad.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: ticks.elapsed() >= 5, timeout=8000)
        assert visits_of(demo_storage, person["id"]) == []
    qtbot.waitUntil(lambda: kiosk.banner.text().startswith("1 scan recorded"), timeout=10000)
    ticks.stop()
    assert ticks.longest <= 0.1, f"the event loop stood still for {ticks.longest * 1000:.0f} ms"
    assert kiosk.banner.text() == f"1 scan recorded: {person['name']} checked in."
    assert kiosk.current_screen() == "idle"  # no welcome for someone who has gone
    visit = visits_of(demo_storage, person["id"])[0]
    assert visit["check_in_at"] == "2026-11-25T11:05:00Z"  # the time of the scan, not of the retry


def test_scans_kept_while_the_database_is_busy_are_summed_up_in_one_banner(qtbot, kiosk, demo_storage):
    people = [newcomer(demo_storage)]
    people += [{**p, "payload": code} for p, code in badges.badge_payloads(demo_storage)
               if p["id"] != people[0]["id"] and not visits.open_visit(demo_storage, p["id"])][:2]
    before = {p["id"]: len(visits_of(demo_storage, p["id"])) for p in people}
    kiosk.writer.retry_ms = 200
    with WriteLock(demo_storage.path):
        for person in people:
            type_keys(person["payload"] + "\r", gap_ms=0)
        qtbot.waitUntil(lambda: kiosk.banner.text().startswith("3 scans are saved"), timeout=8000)
    qtbot.waitUntil(lambda: "recorded:" in kiosk.banner.text(), timeout=10000)
    assert kiosk.banner.text() == "3 scans recorded: {}, {} and {}.".format(
        *(f"{p['name']} checked in" for p in people))
    assert kiosk.current_screen() == "idle"
    for person in people:
        assert len(visits_of(demo_storage, person["id"])) == before[person["id"]] + 1


def test_scans_kept_when_the_kiosk_stopped_are_recorded_when_it_opens_again(qtbot, demo_storage, at):
    import json

    from storeshift.services.kiosk_session import journal_path

    person = newcomer(demo_storage)
    journal_path(demo_storage.path).write_text(json.dumps([{"payload": person["payload"],
                                                            "at": "2026-11-25T10:58:00Z"}]))
    watcher = DatabaseWatcher(demo_storage.path, interval_ms=50)
    window = KioskWindow(demo_storage, watcher, windowed=True, clock=lambda: at(11, 5), camera=False, sounds=False)
    qtbot.addWidget(window)
    window.writer.retry_ms = 100
    try:
        qtbot.waitUntil(lambda: window.banner.text() == f"1 scan recorded: {person['name']} checked in.",
                        timeout=5000)
        assert visits_of(demo_storage, person["id"])[-1]["check_in_at"] == "2026-11-25T10:58:00Z"
        assert not journal_path(demo_storage.path).exists()
    finally:
        window.leave()
        watcher.stop()


def test_a_repeat_scan_during_the_debrief_keeps_the_form_and_the_words(qtbot, kiosk, demo_storage):
    person = newcomer(demo_storage)
    scan(person["payload"])
    kiosk.clock_fn.advance(hours=1)
    scan(person["payload"])
    page = kiosk.goodbye
    qtbot.mouseClick(page.category_buttons["idea"], Qt.MouseButton.LeftButton)
    page.text.setFocus()
    type_keys("Self-checkout queue", gap_ms=70, widget=page.text)
    qtbot.waitUntil(lambda: page.text.toPlainText() == "Self-checkout queue", timeout=2000)
    kiosk.clock_fn.advance(seconds=10)
    scan(person["payload"], widget=page.text)  # the same badge, read again
    assert kiosk.current_screen() == "goodbye"
    assert page.text.toPlainText() == "Self-checkout queue"
    assert page.categories.checkedButton() is page.category_buttons["idea"]
    assert "Already checked out" in page.status.text()
    qtbot.mouseClick(page.impact_buttons["high"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.finish, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.current_screen() == "idle", timeout=3000)
    visit = visits_of(demo_storage, person["id"])[-1]
    assert demo_storage.rows("SELECT category, text, impact FROM observations WHERE visit_id = ?",
                             (visit["id"],)) == [{"category": "idea", "text": "Self-checkout queue", "impact": "high"}]


def test_two_badges_in_one_scanner_burst_each_get_their_own_welcome(qtbot, kiosk, demo_storage):
    first = newcomer(demo_storage)
    second = next({**p, "payload": code} for p, code in badges.badge_payloads(demo_storage)
                  if p["id"] != first["id"] and not visits.open_visit(demo_storage, p["id"]))
    before = len(visits_of(demo_storage, first["id"])), len(visits_of(demo_storage, second["id"]))
    seen = []
    kiosk.screen_changed.connect(lambda key: seen.append((key, kiosk.welcome.headline.text())))
    scan(first["payload"] + second["payload"])  # one burst, no Enter between the two codes
    assert kiosk.current_screen() == "welcome" and first["name"] in kiosk.welcome.headline.text()
    qtbot.waitUntil(lambda: second["name"] in kiosk.welcome.headline.text(), timeout=5000)
    assert [name for key, name in seen if key == "welcome"] == [f"Welcome, {first['name']}!",
                                                                 f"Welcome, {second['name']}!"]
    assert (len(visits_of(demo_storage, first["id"])), len(visits_of(demo_storage, second["id"]))) == (
        before[0] + 1, before[1] + 1)


def test_a_second_kiosk_on_the_same_database_refuses_with_a_sentence(qtbot, kiosk, demo_storage):
    pin.set_pin(demo_storage, "2468")
    watcher = DatabaseWatcher(demo_storage.path, interval_ms=50)
    try:
        with pytest.raises(UserError, match="A kiosk is already open on this database"):
            KioskWindow(demo_storage, watcher, windowed=False, camera=False, sounds=False)
    finally:
        watcher.stop()
    assert kiosk.isVisible()


def test_a_full_screen_kiosk_needs_a_pin_however_it_is_opened(qtbot, demo_storage):
    watcher = DatabaseWatcher(demo_storage.path, interval_ms=50)
    try:
        with pytest.raises(UserError, match="Set the shift-lead PIN first"):
            KioskWindow(demo_storage, watcher, windowed=False, camera=False, sounds=False)
        # Refused before taking the database's kiosk lease: a windowed kiosk opens after it.
        window = KioskWindow(demo_storage, watcher, windowed=True, camera=False, sounds=False)
        qtbot.addWidget(window)
        window.leave()
    finally:
        watcher.stop()


def test_visits_past_closing_time_are_ended_by_the_writer_when_the_kiosk_opens(qtbot, demo_storage, at):
    person = newcomer(demo_storage)
    visits.scan(demo_storage, person["payload"], at(9, 0, day=24))  # never scanned out yesterday
    watcher = DatabaseWatcher(demo_storage.path, interval_ms=50)
    window = KioskWindow(demo_storage, watcher, windowed=True, clock=lambda: at(11, 5), camera=False, sounds=False)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: visits_of(demo_storage, person["id"])[0]["auto_closed"] == 1, timeout=3000)
    finally:
        window.leave()
        watcher.stop()


def test_logs_name_no_person_payload_pin_or_observation_text(qtbot, kiosk, demo_storage):
    pin.set_pin(demo_storage, "97531")
    person = newcomer(demo_storage)
    scan(person["payload"])
    kiosk.clock_fn.advance(hours=1)
    scan(person["payload"])
    kiosk.goodbye.text.setPlainText("Secret remark about aisle 9")
    kiosk.save_debrief()
    scan("SS1-FORGED-PAYLOAD-XYZ")
    kiosk.ask_exit_pin()
    kiosk.pin_page.pad.display.setText("1234")
    kiosk.pin_page.pad.on_ok()
    qtbot.waitUntil(lambda: not kiosk.writer.busy, timeout=3000)
    kiosk.pin_page.pad.display.setText("97531")
    with qtbot.waitSignal(kiosk.exited, timeout=3000):
        kiosk.pin_page.pad.on_ok()
    text = (logs.log_dir() / "storeshift.log").read_text(encoding="utf-8")
    assert "scan: checked_in" in text and "scan: checked_out" in text
    for secret in (person["name"], person["payload"], "FORGED", "97531", "1234", "Secret remark"):
        assert secret not in text


def test_an_unexpected_error_is_logged_and_the_kiosk_goes_back_to_idle(qtbot, kiosk, demo_storage):
    import sys

    from storeshift.ui.app import install_crash_hook

    visitor = newcomer(demo_storage)
    scan(visitor["payload"])
    assert kiosk.current_screen() == "welcome"
    previous = sys.excepthook
    install_crash_hook(kiosk.report_problem)
    try:
        try:
            raise RuntimeError(f"a bug while greeting {visitor['name']}")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    assert kiosk.current_screen() == "idle" and kiosk.isVisible()
    assert kiosk.banner.isVisible() and "Something went wrong" in kiosk.banner.text()
    logged = (logs.log_dir() / "storeshift.log").read_text(encoding="utf-8")
    # The traceback and the kind of error, never its message (it may quote a visitor's words).
    assert "builtins.RuntimeError" in logged and "test_kiosk.py" in logged and visitor["name"] not in logged


def test_holding_the_site_name_asks_for_the_pin_and_a_tap_does_not(qtbot, kiosk):
    site = kiosk.idle.site
    site.set_hold_ms(150)
    qtbot.mouseClick(site, Qt.MouseButton.LeftButton)
    QTest.qWait(250)
    assert kiosk.current_screen() == "idle"
    qtbot.mousePress(site, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.current_screen() == "pin", timeout=2000)
    qtbot.mouseRelease(site, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.pin_page.pad.cancel_button, Qt.MouseButton.LeftButton)
    assert kiosk.current_screen() == "idle"


def test_the_debrief_can_be_typed_on_the_touch_keyboard(qtbot, kiosk, demo_storage):
    person = newcomer(demo_storage)
    scan(person["payload"])
    kiosk.clock_fn.advance(hours=1)
    scan(person["payload"])
    page = kiosk.goodbye
    qtbot.mouseClick(page.keyboard_button, Qt.MouseButton.LeftButton)
    assert page.keyboard.isVisible()
    keys = {button.text(): button for button in page.keyboard.keys}
    page.text.setFocus()
    for key in ("H", "I", "Space", "2", "."):
        qtbot.mouseClick(keys[key], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(keys["⌫"], Qt.MouseButton.LeftButton)
    assert page.text.toPlainText() == "Hi 2"
    qtbot.mouseClick(page.finish, Qt.MouseButton.LeftButton)
    visit = visits_of(demo_storage, person["id"])[-1]
    assert demo_storage.rows("SELECT text FROM observations WHERE visit_id = ?", (visit["id"],)) == [{"text": "Hi 2"}]


@pytest.mark.qt_log_ignore("Couldn't (load|resolve)", "PulseAudio", "QSoundEffect", "pa_context")
def test_the_shift_lead_window_cannot_open_a_second_kiosk_on_its_database(qtbot, window):
    qtbot.mouseClick(window.kiosk_button, Qt.MouseButton.LeftButton)
    first = window.kiosk_window
    assert first is not None and first.isVisible()
    qtbot.mouseClick(window.kiosk_button, Qt.MouseButton.LeftButton)  # again, by mistake
    assert "A kiosk is already open on this database" in window.banner.text()
    assert first.isVisible()
    first.leave()
    qtbot.mouseClick(window.kiosk_button, Qt.MouseButton.LeftButton)  # once left with the PIN: a new one opens
    assert window.kiosk_window is not first and window.kiosk_window.isVisible()
    window.kiosk_window.leave()


def test_a_scan_leaves_the_we_did_list_alone_and_a_note_actioned_elsewhere_updates_it(qtbot, kiosk, demo_storage):
    from storeshift.services import observations
    from storeshift.storage import open_storage

    told = kiosk._told
    person = newcomer(demo_storage)
    scan(person["payload"])
    qtbot.waitUntil(lambda: kiosk.current_screen() == "welcome")
    kiosk.watcher.poll()  # the scan's change, as the watcher tells it
    assert kiosk._told is told  # a scan is no reason to read the list again (it is slow in a big store)
    # The shift lead, in another program, marks a new note as acted on.
    lead = open_storage(demo_storage.path)
    try:
        note = observations.add_observation(lead, category="process_problem", text="The lift was out all day.")
        observations.triage(lead, note["id"], status="actioned", follow_up="Lift repaired on Tuesday.")
    finally:
        lead.close()
    kiosk.watcher.poll()
    assert any(item["text"] == "The lift was out all day." for item in kiosk._told)
