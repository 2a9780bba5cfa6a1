"""Keyboard-wedge scanner input: tells a scanner's fast burst of keys from a person typing,
application-wide, and maps back what an AZERTY-configured scanner does to a badge code."""

from __future__ import annotations

import re
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QApplication, QWidget

from ..services.kiosk_session import from_azerty  # noqa: F401 (the AZERTY reading lives in the core)

_TERMINATORS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab}
# Keys that produce no character and never end a burst (scanners press Shift for capitals).
_MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta,
                  Qt.Key.Key_AltGr, Qt.Key.Key_CapsLock}
# Where a badge code begins: used to split two codes read in one burst with nothing between.
_CODE_START = re.compile(r"(?=SS[1&][-)])", re.IGNORECASE)


# The start of a badge payload as printed: version and organisation key id.
_BADGE_IN_TEXT = re.compile(r"SS1-[A-Z2-7]{4}-")


def looks_like_badge(text: str) -> bool:
    """Whether text holds a badge code, as printed or as an AZERTY-configured scanner types it."""
    return any(_BADGE_IN_TEXT.search(candidate.upper()) for candidate in (text, from_azerty(text)))


def split_codes(text: str) -> list[str]:
    """Printable pieces of one burst: control characters are dropped, two codes that arrived
    back to back are separated, and the same code read twice in a row counts once."""
    printable = "".join(ch if ch.isprintable() else "\n" for ch in text)
    pieces: list[str] = []
    for chunk in printable.split("\n"):
        for piece in (part.strip() for part in _CODE_START.split(chunk)):
            # A scanner that read the same code twice in one go meant one scan.
            if piece and (not pieces or pieces[-1] != piece):
                pieces.append(piece)
    return pieces


class WedgeScanner(QObject):
    """An application event filter. Key presses that come faster than gap_ms apart are held
    back; if min_length of them arrive (ending in Enter/Tab or a pause) they are a scan and
    never reach the focused widget, otherwise they are replayed to it unchanged."""

    scanned = Signal(str)

    def __init__(self, gap_ms: int = 35, min_length: int = 8, parent: QObject | None = None,
                 scope: QWidget | None = None):
        super().__init__(parent)
        #: Only keys going to this window (whatever has focus in it) are watched; None: every
        #: window. The kiosk sets itself, so a shift-lead window in the same process is left alone.
        self.scope = scope
        self.gap_ms = gap_ms
        self.min_length = min_length
        self._held: list[tuple[QObject, QKeyEvent]] = []
        self._text: list[str] = []
        self._last_ms = 0.0
        self._replaying = False
        self._scanned_at = -1e9
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.on_pause)
        self._installed = False
        self.in_burst = False

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False
        self._timer.stop()
        self._held.clear()
        self._text.clear()

    def set_timing(self, gap_ms: int, min_length: int) -> None:
        self.gap_ms, self.min_length = max(1, int(gap_ms)), max(2, int(min_length))

    @staticmethod
    def _now_ms() -> float:
        return time.monotonic() * 1000.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or self._replaying:
            return False
        if not isinstance(watched, (QWidget, QWindow)) or not self._in_scope(watched):
            return False
        key = event.key()
        if key in _MODIFIER_KEYS:
            return False
        # The window system's time stamp is the true gap even when the UI was briefly busy.
        now = float(event.timestamp()) or self._now_ms()
        if kind == QEvent.Type.KeyRelease:
            if self._held:
                self._held.append((watched, self._copy(event)))
                return True
            # The release of a key that was part of a scan (or its trailing Enter).
            return now - self._scanned_at < 150
        if event.isAutoRepeat():
            # A key held down repeats fast, but scanners never send repeats: a person.
            if self._held:
                self.on_pause()
            return False
        text = event.text()
        burst_alive = bool(self._held) and now - self._last_ms <= self.gap_ms
        chord = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        if key in _TERMINATORS and not chord:
            if burst_alive and self._printable_count() >= self.min_length:
                self._finish_scan()
                return True
            if not self._held and now - self._scanned_at < 150:
                # A scanner's Enter that came just after the pause already ended its scan.
                return True
            self._flush_to_widgets()
            return False
        if not text or chord:
            # Arrows, Backspace, shortcuts: a person is at the keyboard.
            if self._held:
                self.on_pause()
            return False
        if self._held and not burst_alive:
            self.on_pause()
        if not self._held and not text.isprintable():
            return False
        self._held.append((watched, self._copy(event)))
        self._text.append(text)
        self._last_ms = now
        self._timer.start(self.gap_ms + 1)
        return True

    def _in_scope(self, watched: QObject) -> bool:
        if self.scope is None:
            return True
        if isinstance(watched, QWidget):
            return watched.window() is self.scope
        return watched == self.scope.windowHandle()

    def _printable_count(self) -> int:
        return sum(1 for ch in "".join(self._text) if ch.isprintable() and not ch.isspace())

    def on_pause(self) -> None:
        """No key for gap_ms: a long enough burst was a scan without Enter; a short one was typing."""
        self._timer.stop()
        if not self._held:
            return
        if self._printable_count() >= self.min_length:
            self._finish_scan()
        else:
            self._flush_to_widgets()

    def _finish_scan(self) -> None:
        text = "".join(self._text)
        self._held.clear()
        self._text.clear()
        self._timer.stop()
        self._scanned_at = self._last_ms
        for index, code in enumerate(split_codes(text)):
            # Read by a slot that wants to know: a code after the first of one burst (two badges
            # held up together) deserves its own confirmation, not to replace the first one's.
            self.in_burst = index > 0
            self.scanned.emit(code)
        self.in_burst = False

    def _flush_to_widgets(self) -> None:
        """Give a person's keys back to where they were going, in order."""
        held, self._held, self._text = self._held, [], []
        self._timer.stop()
        self._replaying = True
        try:
            for target, event in held:
                try:
                    QApplication.sendEvent(target, event)
                except RuntimeError:  # the widget went away meanwhile
                    pass
        finally:
            self._replaying = False

    @staticmethod
    def _copy(event: QKeyEvent) -> QKeyEvent:
        return QKeyEvent(event.type(), event.key(), event.modifiers(), event.nativeScanCode(),
                         event.nativeVirtualKey(), event.nativeModifiers(), event.text(),
                         event.isAutoRepeat(), event.count())
