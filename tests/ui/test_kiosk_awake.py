"""While the kiosk is open the screen saver and sleep are held off, and let go when the shift
lead leaves it: checked against a real session D-Bus (dbus-daemon started here) with a stand-in
for the desktop's org.freedesktop.ScreenSaver service, as GNOME and KDE offer it. (The Windows
path, SetThreadExecutionState, is not exercised on this Linux test machine.)"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from storeshift.services import pin
from storeshift.ui.kiosk.window import KioskWindow
from storeshift.ui.watcher import DatabaseWatcher

pytestmark = pytest.mark.qt_log_ignore("No RHI backend", "Couldn't (load|resolve)", "PulseAudioService",
                                       "QSoundEffect", "audio device")
ROOT = Path(__file__).resolve().parents[2]


class Lines:
    """A child process's output, line by line as it comes."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.queue: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [self.queue.put(line.strip()) for line in process.stdout],
                         daemon=True).start()

    def next(self, timeout: float = 10.0) -> str:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"nothing within {timeout} s") from None

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.process.stdout.close()


@pytest.fixture
def session_bus(tmp_path, monkeypatch):
    """A private session bus with a screen saver service on it; yields the service's output."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.skip("dbus-daemon is not installed")
    bus = subprocess.Popen([daemon, "--session", "--nofork", "--print-address=1", "--nopidfile"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = bus.stdout.readline().strip()
    assert address.startswith("unix:"), address
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    service = Lines(subprocess.Popen([sys.executable, str(ROOT / "tests" / "ui" / "screensaver_child.py")],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}))
    try:
        assert service.next() == "ready"
        yield service
    finally:
        service.stop()
        bus.terminate()
        bus.wait(10)
        bus.stdout.close()


def open_kiosk(qtbot, storage) -> tuple[KioskWindow, DatabaseWatcher]:
    watcher = DatabaseWatcher(storage.path, interval_ms=50)
    kiosk = KioskWindow(storage, watcher, windowed=False, camera=False, sounds=False)
    qtbot.addWidget(kiosk)
    kiosk.show()
    qtbot.waitExposed(kiosk)
    kiosk.activateWindow()
    qtbot.waitUntil(kiosk.isActiveWindow)
    return kiosk, watcher


def test_the_screen_saver_is_held_off_while_the_kiosk_is_open_and_let_go_after(qtbot, storage, session_bus):
    pin.set_pin(storage, "2468")
    kiosk, watcher = open_kiosk(qtbot, storage)
    try:
        assert session_bus.next() == "inhibit 100 storeshift: The check-in kiosk is open"
        assert kiosk.awake.method == "dbus" and kiosk.awake.cookie == 100
        # The shift lead leaves kiosk mode with the PIN.
        QTest.keyClick(kiosk, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert kiosk.current_screen() == "pin"
        for digit in "2468":
            qtbot.mouseClick(kiosk.pin_page.pad.digit_buttons[digit], Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(kiosk.exited, timeout=2000):
            qtbot.mouseClick(kiosk.pin_page.pad.ok_button, Qt.MouseButton.LeftButton)
        assert session_bus.next() == "released 100 (holder left the bus)"
        assert kiosk.awake.method is None
    finally:
        if kiosk.isVisible():
            kiosk.leave()
        watcher.stop()


def test_without_a_screen_saver_service_the_kiosk_says_so_in_the_log_and_runs(qtbot, storage, tmp_path,
                                                                             monkeypatch, caplog):
    # A bus address where no bus is: as on a kiosk PC without a desktop session.
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    pin.set_pin(storage, "2468")  # a full-screen kiosk needs one
    kiosk, watcher = open_kiosk(qtbot, storage)
    try:
        assert kiosk.awake.method is None
        assert "the screen saver and sleep are not held off" in caplog.text
        assert kiosk.current_screen() == "idle"
    finally:
        kiosk.leave()
        watcher.stop()
