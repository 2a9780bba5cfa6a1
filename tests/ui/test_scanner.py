"""The keyboard-wedge scanner: bursts from a scanner become scans, people typing are left alone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from storeshift.ui.scanner import WedgeScanner, from_azerty, split_codes

CODE = "SS1-ABCD-EFGHIJKLMNOPQRSTUVWXYZ2345-12-ABCDEFGHIJKLMNOP"


def key_code(ch: str) -> int:
    if ch in "\r\n":
        return int(Qt.Key.Key_Return)
    if ch == "\t":
        return int(Qt.Key.Key_Tab)
    if ch.isascii() and ch.isprintable():
        return ord(ch.upper())
    return int(Qt.Key.Key_unknown)


def type_keys(widget, text: str, gap_ms: int) -> None:
    """Key press and release for each character, gap_ms apart, as a scanner or a person would."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key_code(ch), Qt.KeyboardModifier.NoModifier, ch))
        if gap_ms:
            QTest.qWait(gap_ms)


@pytest.fixture
def form(qtbot):
    root = QWidget()
    layout = QVBoxLayout(root)
    line, text, button = QLineEdit(), QPlainTextEdit(), QPushButton("Go")
    for widget in (line, text, button):
        layout.addWidget(widget)
    qtbot.addWidget(root)
    root.show()
    scanner = WedgeScanner(gap_ms=80, min_length=8)
    scanner.install()
    QTest.qWait(50)  # let pending paints and timers run first: a stall mid-burst is not a test
    found: list[str] = []
    scanner.scanned.connect(found.append)
    yield line, text, button, scanner, found
    scanner.uninstall()


def test_a_burst_ending_in_enter_is_a_scan_and_never_reaches_the_focused_box(qtbot, form):
    line, text, _, _, found = form
    text.setPlainText("Customers asked ")
    type_keys(text, CODE + "\r", gap_ms=2)
    assert found == [CODE]
    assert text.toPlainText() == "Customers asked "
    type_keys(line, CODE + "\t", gap_ms=2)
    assert found == [CODE, CODE] and line.text() == ""


def test_slow_typing_reaches_the_widget_and_is_never_a_scan(qtbot, form):
    line, _, _, _, found = form
    type_keys(line, "SS1-ABCD-EFGH\r", gap_ms=150)
    QTest.qWait(120)
    assert line.text() == "SS1-ABCD-EFGH"
    assert found == []


def test_a_short_fast_run_of_keys_is_replayed_in_order(qtbot, form):
    _, text, _, _, found = form
    type_keys(text, "th", gap_ms=1)  # two keys rolled over quickly: still a person
    QTest.qWait(150)
    type_keys(text, "e end", gap_ms=120)
    QTest.qWait(150)
    assert text.toPlainText() == "the end"
    assert found == []


def test_a_burst_without_final_enter_ends_by_pause_and_its_late_enter_is_swallowed(qtbot, form):
    _, _, button, _, found = form
    clicks: list[bool] = []
    button.clicked.connect(lambda: clicks.append(True))
    button.setFocus()
    type_keys(button, CODE, gap_ms=2)
    qtbot.waitUntil(lambda: found == [CODE], timeout=1000)
    type_keys(button, "\r", gap_ms=0)
    assert found == [CODE] and clicks == []


def test_a_key_held_down_is_typing_not_a_scan(qtbot, form):
    line, _, _, _, found = form
    type_keys(line, "a", gap_ms=0)
    for _ in range(20):  # auto-repeat: fast, but from a person's finger
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(line, QKeyEvent(kind, ord("A"), Qt.KeyboardModifier.NoModifier, "a", True))
    QTest.qWait(150)
    assert line.text() == "a" * 21 and found == []


def test_control_characters_around_a_code_are_dropped(qtbot, form):
    line, _, _, _, found = form
    type_keys(line, "\x02" + CODE + "\x03\r", gap_ms=2)
    assert found == [CODE]
    assert line.text() == ""


def test_two_codes_in_one_burst_are_two_scans():
    other = CODE.replace("-12-", "-13-")
    assert split_codes(CODE + other) == [CODE, other]
    assert split_codes(f"\x02{CODE}\r\n{other}\x03") == [CODE, other]
    assert split_codes("\x02\x03") == []
    assert split_codes(f"{CODE}\r{CODE}") == [CODE]


def test_azerty_mangled_code_maps_back():
    mangled = CODE.translate(str.maketrans({"1": "&", "2": "é", "3": '"', "4": "'", "5": "(", "-": ")",
                                            "A": "Q", "Q": "A", "Z": "W", "W": "Z", "M": "?"}))
    assert mangled != CODE and "à" not in mangled
    assert from_azerty(mangled) == CODE
    assert from_azerty("à&é\"'(-è_ç") == "0123456789"


def test_a_scanner_scoped_to_one_window_leaves_other_windows_alone(qtbot, form):
    line, _, _, scanner, found = form
    other = QLineEdit()
    qtbot.addWidget(other)
    other.show()
    scoped = WedgeScanner(gap_ms=60, min_length=8, scope=line.window())
    scoped.install()
    mine: list[str] = []
    scoped.scanned.connect(mine.append)
    scanner.uninstall()
    try:
        type_keys(other, CODE + "\r", gap_ms=0)
        assert mine == [] and other.text() == CODE
        type_keys(line, CODE + "\r", gap_ms=0)
        assert mine == [CODE] and line.text() == ""
    finally:
        scoped.uninstall()


def test_timing_comes_from_settings_values(qtbot, form):
    line, _, _, scanner, found = form
    scanner.set_timing(gap_ms=80, min_length=60)  # longer than the code: a burst of it is typing
    type_keys(line, CODE + "\r", gap_ms=1)
    QTest.qWait(150)
    assert found == [] and line.text() == CODE
