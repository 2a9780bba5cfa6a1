"""Case 9, and the kiosk's side of cases 3 and 4: the shift-lead PIN (growing lockout that
survives a restart, audited, never stored or logged in clear), a kiosk that reaches nothing
but check-in, and a kiosk that keeps a scan or a typed debrief when the database cannot take it."""

from __future__ import annotations

import ast
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from storeshift import logs
from storeshift.errors import Refused
from storeshift.services import badges, pin, roster, visits
from storeshift.storage import open_storage
from storeshift.timeutil import UTC

from .support import REPO, child_env, cli, seed_store, spawn

pytestmark = [pytest.mark.reliability,
              pytest.mark.qt_log_ignore("No RHI backend", "Couldn't (load|resolve)", "PulseAudioService",
                                        "QSoundEffect", "audio device")]

PIN = "739184265031"        # long enough that no hash or uuid in the file holds it by chance
WRONG = "555000111222"
T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def file_bytes(storage) -> bytes:
    """The database as it lies on disk, WAL included (checkpointed first, and the WAL read too)."""
    storage.conn.execute("PRAGMA wal_checkpoint(FULL)")
    path = Path(storage.path)
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_wrong_pins_lock_out_for_longer_each_time_and_it_survives_a_restart(db_path):
    storage = open_storage(db_path)
    pin.set_pin(storage, PIN)
    for attempt in range(pin.FREE_ATTEMPTS - 1):
        assert pin.check_pin(storage, WRONG, now=T0) is False
        assert pin.locked_until(storage, T0) is None, f"locked after only {attempt + 1} wrong PINs"
    assert pin.check_pin(storage, WRONG, now=T0) is False
    lockouts = [pin.locked_until(storage, T0) - T0]
    # Locked: even the right PIN is refused, with a sentence saying until when.
    with pytest.raises(Refused) as raised:
        pin.check_pin(storage, PIN, now=T0 + dt.timedelta(seconds=1))
    assert "Too many wrong PINs" in str(raised.value) and re.search(r"\d\d:\d\d", str(raised.value))
    storage.close()

    storage = open_storage(db_path)  # the app restarted: the lockout is remembered
    moment = T0 + dt.timedelta(seconds=1)
    with pytest.raises(Refused):
        pin.check_pin(storage, PIN, now=moment)
    for _ in range(4):
        moment = pin.locked_until(storage, moment) + dt.timedelta(seconds=1)
        assert pin.check_pin(storage, WRONG, now=moment) is False
        lockouts.append(pin.locked_until(storage, moment) - moment)
    seconds = [round(d.total_seconds()) for d in lockouts]
    assert seconds == [30, 60, 120, 240, 480], seconds
    moment = pin.locked_until(storage, moment) + dt.timedelta(seconds=1)
    assert pin.check_pin(storage, PIN, now=moment) is True
    assert pin.locked_until(storage, moment) is None
    # Every wrong PIN is in the audit log, and the log still verifies.
    assert storage.value("SELECT count(*) FROM audit_log WHERE action = 'pin_failed'") == pin.FREE_ATTEMPTS + 4
    assert cli("check", "--db", str(db_path)).returncode == 0
    storage.close()


def test_the_pin_is_never_stored_or_logged_in_clear(db_path):
    storage = open_storage(db_path)
    pin.set_pin(storage, PIN)
    pin.check_pin(storage, WRONG, now=T0)
    with pytest.raises(Refused):
        pin.set_pin(storage, "246813579111", old_pin=WRONG)
    stored = storage.value("SELECT value FROM settings WHERE key = 'pin_hash'")
    assert stored.startswith("scrypt$") and PIN not in stored
    raw = file_bytes(storage)
    storage.close()
    for secret in (PIN, WRONG, "246813579111"):
        for encoding in ("ascii", "utf-16-le"):
            assert secret.encode(encoding) not in raw, f"{secret} is in the database file"
    logged = b"".join(p.read_bytes() for p in logs.log_dir().glob("*.log*"))
    for secret in (PIN, WRONG):
        assert secret.encode() not in logged


def test_kiosk_mode_does_not_start_without_a_pin(tmp_path):
    db = tmp_path / "kiosk.db"
    seed_store(db, people=1)
    done = cli("kiosk", "--db", str(db), timeout=60)
    assert done.returncode == 1
    err = done.stderr.decode()
    assert err.count("\n") == 1 and "PIN" in err


# --- the kiosk window -------------------------------------------------------------------------

@pytest.fixture
def kiosk(qtbot, demo_storage):
    from storeshift.ui.kiosk.window import KioskWindow
    from storeshift.ui.watcher import DatabaseWatcher

    clock = [dt.datetime(2026, 11, 25, 11, 5, tzinfo=UTC)]
    watcher = DatabaseWatcher(demo_storage.path, interval_ms=50)
    window = KioskWindow(demo_storage, watcher, windowed=True, clock=lambda: clock[0], camera=False, sounds=False)
    window.test_clock = clock
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.leave()
    watcher.stop()


def newcomer(storage) -> tuple[dict, str]:
    busy = {row["person_id"] for row in storage.rows("SELECT person_id FROM visits WHERE check_in_at >= "
                                                      "'2026-11-25T00:00:00Z' OR check_out_at IS NULL")}
    for person, payload in badges.badge_payloads(storage):
        if person["id"] not in busy:
            return person, payload
    raise AssertionError("nobody left to check in")


KIOSK_PAGES = {"idle", "welcome", "goodbye", "repeat", "refused", "forgotten", "no_badge", "pin"}
FORBIDDEN = re.compile(r"roster|people|report|setting|export|backup|import|erase|merge|badge sheet|print|"
                       r"task list|assign|triage|observations", re.I)


def test_the_kiosk_reaches_nothing_but_check_in(qtbot, kiosk, demo_storage, settle):
    from PySide6.QtGui import QAction, QShortcut
    from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMenuBar, QToolBar, QWidget

    pin.set_pin(demo_storage, "2468")
    # Enough people who have not come today for a fresh check-in before every button press.
    roster.import_people(demo_storage, ("name\n" + "\n".join(f"Crawler {i:03d}" for i in range(150))).encode())
    assert set(kiosk.pages) == KIOSK_PAGES
    assert not kiosk.findChildren(QMenuBar) and not kiosk.findChildren(QToolBar)
    lead_widgets = [w for w in kiosk.findChildren(QWidget) if type(w).__module__.startswith("storeshift.ui.lead")]
    assert not lead_widgets
    labels = [b.text() for b in kiosk.findChildren(QAbstractButton)] + [a.text() for a in kiosk.findChildren(QAction)]
    assert not [t for t in labels if FORBIDDEN.search(t)], labels
    shortcuts = kiosk.findChildren(QShortcut)
    assert [s.key().toString() for s in shortcuts] == ["Ctrl+Shift+Q"]

    # Press every button on every screen a visitor can bring up: each leads to another kiosk
    # screen, never to another window. (Checkable buttons only pick a category or impact.)
    def idle():
        kiosk.show_idle()

    def scan(payload: str) -> None:
        kiosk.handle_payload(payload)
        qtbot.waitUntil(lambda: not kiosk.writer.busy, timeout=3000)  # the writer thread records it

    def refused():
        scan("SS1-FORGED-PAYLOAD")

    def welcome():
        scan(newcomer(demo_storage)[1])

    def repeat():
        payload = newcomer(demo_storage)[1]
        scan(payload)
        scan(payload)

    def goodbye():
        payload = newcomer(demo_storage)[1]
        scan(payload)
        kiosk.test_clock[0] += dt.timedelta(minutes=30)
        scan(payload)

    def no_badge():
        kiosk.show_no_badge()
        kiosk.no_badge.search.setText(newcomer(demo_storage)[0]["name"][:4])

    before = set(QApplication.topLevelWidgets())
    reached, pressed = set(), 0
    for setup in (idle, refused, welcome, repeat, goodbye, no_badge):
        setup()
        key = kiosk.current_screen()
        assert key == setup.__name__
        count = len(kiosk.pages[key].findChildren(QAbstractButton))
        for index in range(count):
            setup()
            button = kiosk.pages[key].findChildren(QAbstractButton)[index]
            if button.isCheckable() or not (button.isVisible() and button.isEnabled()):
                continue
            button.click()
            pressed += 1
            settle()
            reached.add(kiosk.current_screen())
            opened = [w for w in QApplication.topLevelWidgets() if w not in before and w.isVisible()]
            assert not opened, f"{key}: '{button.text()}' opened {opened}"
            assert kiosk.isVisible() and kiosk.current_screen() in KIOSK_PAGES
    assert pressed >= 6 and reached <= KIOSK_PAGES
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
    for shortcut in shortcuts:
        shortcut.activated.emit()
        assert kiosk.current_screen() == "pin"


def test_kiosk_code_imports_nothing_that_manages_the_store():
    """The kiosk modules cannot call what they do not import: no lead window, reports, export,
    backup, erase or sync; checked in the source and in a fresh interpreter."""
    allowed_services = {"observations", "pin", "roster", "settings", "tasks", "visits", "badges", "names", "hours",
                        "kiosk_session"}
    for path in (REPO / "storeshift" / "ui" / "kiosk").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert "lead" not in module and "reports" not in module and "sync" not in module, (path, module)
                if module.endswith("services"):
                    assert {a.name for a in node.names} <= allowed_services, (path, [a.name for a in node.names])
                assert not module.endswith(("maintenance", "privacy", "csvio")), (path, module)
    probe = subprocess.run([sys.executable, "-c",
                            "import sys, storeshift.ui.kiosk.window; "
                            "print(sorted(m for m in sys.modules if m.startswith('storeshift.') and "
                            "any(w in m for w in ('lead', 'reports', 'sync', 'privacy', 'maintenance'))))"],
                           cwd=REPO, env=child_env(), capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "[]", probe.stdout


def test_kiosk_says_the_scan_is_kept_while_another_process_holds_the_lock_then_records(qtbot, kiosk, demo_storage):
    from storeshift.ui.kiosk.window import RECORDING

    person, payload = newcomer(demo_storage)
    holder = spawn("hold", demo_storage.path, "--seconds", 3)
    assert holder.stdout.readline().strip() == "LOCKED"
    kiosk.handle_payload(payload)
    assert kiosk.current_screen() == "idle"
    qtbot.waitUntil(lambda: kiosk.banner.text() == RECORDING, timeout=2000)
    qtbot.waitUntil(lambda: "saved and will be recorded" in kiosk.banner.text(), timeout=3000)
    assert not demo_storage.rows("SELECT id FROM visits WHERE person_id = ? AND check_out_at IS NULL", (person["id"],))
    qtbot.waitUntil(lambda: kiosk.banner.text().startswith("1 scan recorded"), timeout=10000)
    assert holder.wait(timeout=10) == 0
    assert kiosk.current_screen() == "idle"  # summed up, not a welcome 3 s late
    rows = demo_storage.rows("SELECT check_in_at FROM visits WHERE person_id = ? AND check_out_at IS NULL",
                             (person["id"],))
    assert rows == [{"check_in_at": "2026-11-25T11:05:00Z"}], "the scan was not recorded at the moment it was made"


def checked_out_at_debrief(qtbot, kiosk, storage) -> dict:
    person, payload = newcomer(storage)
    kiosk.handle_payload(payload)
    kiosk.test_clock[0] += dt.timedelta(hours=2)
    kiosk.handle_payload(payload)
    qtbot.waitUntil(lambda: kiosk.current_screen() == "goodbye", timeout=3000)
    return visits.open_visit(storage, person["id"]) or storage.one(
        "SELECT * FROM visits WHERE person_id = ? ORDER BY check_in_at DESC LIMIT 1", (person["id"],))


def break_the_writer(kiosk, fault: str) -> None:
    """A full disk or a read-only file, as the kiosk's writer connection meets it."""
    conn = kiosk.writer.storage.conn
    if fault == "disk_full":
        conn.execute(f"PRAGMA max_page_count={conn.execute('PRAGMA page_count').fetchone()[0]}")
    else:
        conn.execute("PRAGMA query_only=ON")


def mend_the_writer(kiosk) -> None:
    kiosk.writer.storage.conn.execute("PRAGMA max_page_count=1073741823")
    kiosk.writer.storage.conn.execute("PRAGMA query_only=OFF")


@pytest.mark.parametrize("fault", ["disk_full", "read_only"])
def test_debrief_text_is_kept_when_it_cannot_be_saved_and_saved_once_it_can(qtbot, kiosk, demo_storage, fault):
    from PySide6.QtCore import Qt

    visit = checked_out_at_debrief(qtbot, kiosk, demo_storage)
    kiosk.writer.retry_ms = 100
    page = kiosk.goodbye
    typed = "Customers could not find the returns desk; " * 100  # needs new pages, whatever room is left
    page.text.setPlainText(typed.strip())
    before = demo_storage.value("SELECT count(*) FROM observations")
    break_the_writer(kiosk, fault)
    qtbot.mouseClick(page.finish, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.current_screen() == "idle", timeout=3000)  # kept: the visitor may go
    assert demo_storage.value("SELECT count(*) FROM observations") == before
    for _retry in range(2):  # retries meet the fault too
        with qtbot.waitSignal(kiosk.writer.retried, timeout=3000):
            pass
    assert demo_storage.value("SELECT count(*) FROM observations") == before
    mend_the_writer(kiosk)
    qtbot.waitUntil(lambda: demo_storage.rows("SELECT text FROM observations WHERE visit_id = ?", (visit["id"],))
                    == [{"text": typed.strip()}], timeout=3000)


def test_a_debrief_refused_by_a_rule_stays_in_the_form_with_the_reason(qtbot, kiosk, demo_storage):
    from PySide6.QtCore import Qt

    checked_out_at_debrief(qtbot, kiosk, demo_storage)
    page = kiosk.goodbye
    page.text.setPlainText("x" * 20000)  # longer than a note may be
    qtbot.mouseClick(page.finish, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(page.status.text()), timeout=3000)
    assert kiosk.current_screen() == "goodbye", "the visitor was sent away with their words unsaved"
    assert page.text.toPlainText() == "x" * 20000 and "\n" not in page.status.text()


def test_debrief_that_could_not_be_saved_at_the_idle_timeout_is_saved_once_the_disk_has_room(qtbot, kiosk,
                                                                                            demo_storage):
    visit = checked_out_at_debrief(qtbot, kiosk, demo_storage)
    kiosk.writer.retry_ms = 100
    typed = "The lift to the stock room was out all morning. " * 100
    kiosk.goodbye.text.setPlainText(typed.strip())
    break_the_writer(kiosk, "disk_full")
    kiosk.on_idle_timeout()  # the visitor walked away while the disk was full
    assert kiosk.current_screen() == "idle"
    qtbot.waitUntil(lambda: not kiosk.writer.busy, timeout=3000)
    mend_the_writer(kiosk)
    qtbot.waitUntil(lambda: demo_storage.rows("SELECT text FROM observations WHERE visit_id = ?", (visit["id"],))
                    == [{"text": typed.strip()}], timeout=3000)
