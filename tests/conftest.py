"""Test set-up: headless Qt, logs and default database in tmp folders, and fresh databases."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

# Set before any Qt import, so plain `pytest` works with no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

from storeshift.storage import open_storage  # noqa: E402
from storeshift.timeutil import UTC  # noqa: E402
from PySide6.QtCore import QEvent, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from storeshift.ui.lead.window import LeadWindow  # noqa: E402
from storeshift.ui.watcher import DatabaseWatcher  # noqa: E402
from storeshift.ui.worker import wait_for_background  # noqa: E402

# Sample roster and task catalogue CSVs, as a head office would send them.
SAMPLE_DATA = Path(__file__).resolve().parent / "data"


def pytest_addoption(parser):
    parser.addoption("--full", action="store_true", default=False,
                     help="Run the reliability suite at full counts (slow).")


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Logs and the default database never touch the real user folders."""
    root = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("STORESHIFT_LOG_DIR", str(root / "logs"))
    monkeypatch.setenv("STORESHIFT_DB", str(root / "default.db"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "config"))
    from storeshift import logs

    logs.setup()
    yield


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "storeshift.db"


@pytest.fixture
def storage(db_path):
    store = open_storage(db_path)
    yield store
    store.close()


@pytest.fixture
def demo_storage(db_path):
    """A small seeded demo store, at a fixed moment so tests are repeatable."""
    from storeshift.services import demo

    store = open_storage(db_path)
    demo.seed(store, people=40, weeks=3, seed=7, now=dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC))
    yield store
    store.close()


@pytest.fixture
def at():
    """at(hour, minute, day=25): a UTC moment on 2026-11-25 (London is on UTC in November)."""
    def make(hour: int, minute: int = 0, day: int = 25, month: int = 11) -> dt.datetime:
        return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)
    return make


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """The language is process-wide: a test that switches it leaves the next one in English."""
    yield
    from storeshift import i18n

    i18n.set_visitor_language(None)
    i18n.set_site_language(i18n.SOURCE_LANGUAGE)


# -- The shift-lead window as the UI tests open it: at a fixed moment, with its own settings file
# and a fast watcher, closed and its watchers stopped after the test.

#: The moment the lead windows of these tests live in (the demo store's week).
LEAD_NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


@pytest.fixture
def ini(tmp_path):
    return QSettings(str(tmp_path / "lead.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, db_path, ini):
    """make_window(storage, size=None, active=False, clock=...): a shown lead window; active also
    gives it the keyboard (as a shift lead's click would), size resizes it first, clock says when
    it lives (LEAD_NOW unless told). Ask for the storage's
    fixture before this one, so that the windows stop before their database closes."""
    made = []

    def make(storage, size: tuple[int, int] | None = None, active: bool = False, clock=lambda: LEAD_NOW):
        watcher = DatabaseWatcher(db_path, interval_ms=50)
        win = LeadWindow(storage, watcher, clock=clock, settings_store=ini)
        qtbot.addWidget(win)
        if size:
            win.resize(*size)
        win.show()
        qtbot.waitExposed(win)
        # What waits for the first frame (the page behind a lock screen, the closing-time timer) has run.
        qtbot.waitUntil(lambda: win._first_frame_done)
        if active:
            win.activateWindow()
            qtbot.waitActive(win)
        made.append((win, watcher))
        return win

    yield make
    wait_for_background()
    for win, watcher in made:
        win.watcher.stop()
        watcher.stop()
        # Gone, timers and all, before the database closes: a page's timer firing in a later test
        # would read a closed database.
        win.close()
        win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(demo_storage, make_window):
    return make_window(demo_storage)


class KioskClock:
    """A kiosk's clock, moved on by the test."""

    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture
def make_kiosk(qtbot):
    """make_kiosk(storage, at=None, size=(w, h), windowed=True, active=False, **options): a shown
    kiosk whose clock starts at `at` (window.clock_fn moves it; None: the real clock), full screen
    with a PIN when not windowed, given the keyboard when active, left the PIN's way at the end."""
    from storeshift.services import pin
    from storeshift.ui.kiosk.window import KioskWindow

    made = []

    def make(storage, at: dt.datetime | None = None, size: tuple[int, int] = (1280, 800), windowed: bool = True,
             active: bool = False, **options):
        if not windowed and not pin.has_pin(storage):
            pin.set_pin(storage, "2468")  # a full-screen kiosk needs one
        clock = KioskClock(at) if at is not None else None
        watcher = DatabaseWatcher(storage.path, interval_ms=50)
        window = KioskWindow(storage, watcher, windowed=windowed, clock=clock, **options)
        qtbot.addWidget(window)
        if windowed:
            window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        if active:
            window.activateWindow()
            qtbot.waitUntil(window.isActiveWindow)
        window.clock_fn = clock
        made.append((window, watcher))
        return window

    yield make
    for window, watcher in made:
        window.leave()
        watcher.stop()


@pytest.fixture
def settle():
    """settle(): let what Qt posted run (layout requests, zero timers: a page fitting itself)
    without waiting on the clock."""
    def run() -> None:
        for _turn in range(3):  # what one turn posts runs on the next
            QApplication.sendPostedEvents()
            QApplication.processEvents()
    return run
