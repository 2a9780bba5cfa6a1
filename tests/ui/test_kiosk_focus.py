"""The kiosk keeps the keyboard for the scanner: another window takes it, the full-screen kiosk
has it back within a second (in this process, and from another program on a real X server);
windowed, it says 'tap here' until tapped; a badge scanned into another window is caught."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QToolTip, QVBoxLayout

from storeshift import i18n
from storeshift.services import badges, roster

pytestmark = pytest.mark.qt_log_ignore("No RHI backend", "Couldn't (load|resolve)", "PulseAudioService",
                                       "QSoundEffect", "audio device")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def kiosk_for(storage, make_kiosk):
    """kiosk_for(windowed): a kiosk with the keyboard, as a store PC starts it."""
    return lambda windowed: make_kiosk(storage, size=(1024, 700), windowed=windowed, active=True,
                                       camera=False, sounds=False)


@pytest.fixture
def other(qtbot):
    """A window of something else, as a person would bring it up over the kiosk."""
    widget = QLineEdit()
    widget.setWindowTitle("another window")
    qtbot.addWidget(widget)
    widget.resize(400, 80)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_full_screen_kiosk_takes_the_keyboard_back_within_a_second(qtbot, kiosk_for, other):
    kiosk = kiosk_for(windowed=False)
    seen: list[tuple[str, float]] = []  # what happened, when (the keeper may act before a poll sees it)
    kiosk.focus_keeper.lost.connect(lambda: seen.append(("lost", time.monotonic())))
    kiosk.focus_keeper.regained.connect(lambda: seen.append(("regained", time.monotonic())))
    app = QApplication.instance()
    handle, went_to_other = other.windowHandle(), []

    def on_focus(window) -> None:
        if window is handle:
            went_to_other.append(window)
    app.focusWindowChanged.connect(on_focus)
    try:
        for round_ in range(2):  # and again: it is not a one-off
            other.activateWindow()
            qtbot.waitUntil(lambda expected=2 * (round_ + 1): len(seen) == expected, timeout=3000)
            (lost, lost_at), (regained, regained_at) = seen[-2:]
            assert (lost, regained) == ("lost", "regained")
            assert regained_at - lost_at < 1.0
            assert len(went_to_other) == round_ + 1  # the other window really had the keyboard
            assert kiosk.isActiveWindow() and not other.isActiveWindow()
            assert not kiosk.focus_keeper.notice.isVisible()
    finally:
        app.focusWindowChanged.disconnect(on_focus)


def test_a_storeshift_window_in_use_keeps_the_keyboard_until_left_alone(qtbot, kiosk_for, other):
    kiosk = kiosk_for(windowed=False)
    kiosk.focus_keeper.shared_idle_ms = 700
    qtbot.mouseClick(other, Qt.MouseButton.LeftButton)  # the shift lead clicks into their window
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow)
    typed_until = time.monotonic() + 1.2
    while time.monotonic() < typed_until:  # the shift lead typing there
        QTest.keyClick(other, Qt.Key.Key_A)
        QTest.qWait(100)
        assert other.isActiveWindow(), "the kiosk took the keyboard from a person typing"
    # Left alone: back to the kiosk.
    qtbot.waitUntil(kiosk.isActiveWindow, timeout=1000 + 700)
    assert other.text().startswith("aaaa")


def test_windowed_kiosk_says_tap_here_and_a_tap_brings_the_keyboard_back(qtbot, kiosk_for, other):
    kiosk = kiosk_for(windowed=True)
    notice = kiosk.focus_keeper.notice
    assert not notice.isVisible()
    other.activateWindow()
    qtbot.waitUntil(notice.isVisible, timeout=1000)
    assert not kiosk.isActiveWindow()  # a windowed kiosk does not snatch the keyboard
    assert notice.headline.text() == "Tap here so the scanner reaches the kiosk"
    assert notice.geometry() == kiosk.rect()
    qtbot.mouseClick(notice, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(kiosk.isActiveWindow, timeout=1000)
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=1000)
    assert kiosk.current_screen() == "idle"  # the tap pressed nothing underneath


def test_the_tap_here_notice_speaks_the_language(qtbot, kiosk_for, other):
    kiosk = kiosk_for(windowed=True)
    i18n.set_site_language("de")
    other.activateWindow()
    qtbot.waitUntil(kiosk.focus_keeper.notice.isVisible, timeout=1000)
    assert kiosk.focus_keeper.notice.headline.text() == "Hier tippen, damit gescannte Ausweise beim Kiosk ankommen"


def burst(widget, text: str) -> None:
    """A keyboard-wedge scanner: back to back, then Enter."""
    for ch in text + "\r":
        key = Qt.Key.Key_Return if ch == "\r" else (ord(ch.upper()) if ch.isascii() else Qt.Key.Key_unknown)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))


def test_a_badge_scanned_into_another_window_is_caught_and_explained(qtbot, kiosk_for, storage):
    person = roster.add_person(storage, name="Chloé Dubois", department="Finance")
    payload = next(code for someone, code in badges.badge_payloads(storage) if someone["id"] == person["id"])
    kiosk = kiosk_for(windowed=True)
    dialog = QDialog()
    qtbot.addWidget(dialog)
    box = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(box)
    dialog.show()
    qtbot.waitExposed(dialog)
    box.setFocus()
    accepted = []
    box.returnPressed.connect(lambda: accepted.append(box.text()))
    with qtbot.waitSignal(kiosk.focus_keeper.guard.told, timeout=1000):
        burst(box, payload)
    assert box.text() == "" and accepted == []  # neither typed in nor 'Enter' on the dialog
    qtbot.waitUntil(QToolTip.isVisible, timeout=1000)
    assert QToolTip.text().startswith("That was a badge — scan it at the kiosk.")
    # Fast typing that is no badge arrives as typed, Enter included.
    burst(box, "Aisle 4 restock")
    assert box.text() == "Aisle 4 restock" and accepted == ["Aisle 4 restock"]
    # Once the kiosk is closed, the watch ends with it.
    kiosk.leave()
    box.clear()
    burst(box, payload)
    assert box.text() == payload


# --- a real X server, another program ------------------------------------------------------
@pytest.fixture
def x_display():
    """A fresh Xvfb screen (no window manager, as on a bare kiosk PC)."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (tools/install.sh installs it)")
    read, write = os.pipe()
    server = subprocess.Popen([xvfb, "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(10)


class Child:
    """A program of ours on the X server; its lines are read as they come."""

    def __init__(self, display: str, tmp_path: Path, *args: str):
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "STORESHIFT_LOG_DIR": str(tmp_path)}
        # No session bus (nothing to autolaunch one with this X display, which would outlive the test).
        env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path / 'no-bus'}"
        self.process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "ui" / "focus_child.py"), *args],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True, env=env, cwd=ROOT)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            stamp, what = line.strip().split(" ", 1)
            self.lines.put((float(stamp), what))

    def wait_for(self, what: str, timeout: float = 15.0) -> float:
        deadline = time.monotonic() + timeout
        while True:
            try:
                stamp, seen = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no '{what}' within {timeout} s") from None
            if seen == what:
                return stamp

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process.stdout.close()


@pytest.mark.slow
def test_on_a_real_x_server_the_kiosk_takes_the_keyboard_back_from_another_program(x_display, tmp_path,
                                                                                     storage):
    kiosk = Child(x_display, tmp_path, "kiosk", str(storage.path))
    try:
        kiosk.wait_for("shown")
        kiosk.wait_for("regained", timeout=5)  # no window manager gave it the keyboard: it took it
        thief = Child(x_display, tmp_path, "other")
        try:
            thief.wait_for("has keyboard")  # the other program really had it
            lost = kiosk.wait_for("lost", timeout=5)
            regained = kiosk.wait_for("regained", timeout=5)
            assert regained - lost < 1.0
            thief.wait_for("lost keyboard", timeout=5)
        finally:
            thief.close()
    finally:
        kiosk.close()


def test_a_minimised_full_screen_kiosk_comes_back(qtbot, kiosk_for, other):
    kiosk = kiosk_for(windowed=False)
    kiosk.showMinimized()
    other.activateWindow()
    qtbot.waitUntil(lambda: kiosk.isActiveWindow() and not kiosk.isMinimized(), timeout=1000)
    assert kiosk.windowState() & Qt.WindowState.WindowFullScreen
