"""Keeps the scanner's keys going to the kiosk: a full-screen kiosk takes the keyboard back
within a second of losing it (Alt+Tab, another program's window), a kiosk without the keyboard
says so plainly ("tap here"), and a badge scanned into any other storeshift window is caught
there with a sentence instead of being typed into a field or taken for a PIN."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPlainTextEdit, QToolTip, QVBoxLayout, QWidget

from ...i18n import N_, _
from ..language import keep
from ..scanner import WedgeScanner, looks_like_badge

log = logging.getLogger("storeshift.ui.kiosk")

#: how soon after losing the keyboard the kiosk notices (and, full screen, takes it back), and
#: how often it tries again when the window system said no
RECLAIM_MS = 300
#: another storeshift window (the shift lead's, on the other screen) keeps the keyboard while a
#: person is using it: until this long after their last key or click
SHARED_IDLE_MS = 30_000
TAP_HERE = N_("Tap here so the scanner reaches the kiosk")
TAP_HERE_WHY = N_("Another window has the keyboard, so a badge scan would not arrive here.")
# (The shift-lead window says the same when its own scanner watch catches a badge.)
BADGE_AT_KIOSK = N_("That was a badge — scan it at the kiosk. (This window does not check people in.)")


class FocusNotice(QWidget):
    """Covers the kiosk while it does not have the keyboard; a tap gives it back."""

    tapped = Signal()

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("focusNotice")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # Its own look, so a kiosk.qss without it (or a scaled one) still shows it plainly.
        self.setStyleSheet("#focusNotice { background: rgba(11, 34, 57, 242); }"
                           "#focusNotice QLabel { color: #ffffff; background: transparent; }"
                           "#focusNotice QLabel#focusHeadline { color: #1a1a1a; background: #ffd166;"
                           " border-radius: 18px; padding: 24px 36px; font-size: 30pt; font-weight: bold; }"
                           "#focusNotice QLabel#focusWhy { font-size: 20pt; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 40, 40, 40)
        layout.addStretch(1)
        self.headline = keep(QLabel(), text=TAP_HERE, accessible=TAP_HERE)
        self.headline.setObjectName("focusHeadline")
        self.headline.setWordWrap(True)
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.why = keep(QLabel(), text=TAP_HERE_WHY)
        self.why.setObjectName("focusWhy")
        self.why.setWordWrap(True)
        self.why.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.headline)
        layout.addSpacing(16)
        layout.addWidget(self.why)
        layout.addStretch(1)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.hide()
        parent.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parent().rect())
        return False

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.setGeometry(self.parent().rect())
        self.raise_()
        super().showEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        event.accept()  # the tap is for the notice, not for a button underneath
        self.tapped.emit()


class FocusKeeper(QObject):
    """Watches whether the kiosk window has the keyboard. Full screen, it takes it back;
    windowed (a PC someone also works on), it only shows the notice until tapped."""

    lost = Signal()
    regained = Signal()

    def __init__(self, kiosk: QWidget, take_back: bool):
        super().__init__(kiosk)
        self.kiosk = kiosk
        self.take_back = take_back
        self.shared_idle_ms = SHARED_IDLE_MS
        self.notice = FocusNotice(kiosk)
        self.notice.tapped.connect(self.on_notice_tapped)
        self._has_keyboard = True
        self._last_input_elsewhere = -1e12
        self._tries = 0
        self.timer = QTimer(self)
        self.timer.setInterval(RECLAIM_MS)
        self.timer.timeout.connect(self.check)
        app = QApplication.instance()
        app.focusWindowChanged.connect(self.on_focus_window_changed)
        # (Bound methods, not lambdas: the connections end with the keeper.)
        app.applicationStateChanged.connect(self.on_application_state)
        app.installEventFilter(self)
        self._running = True
        # Also on a timer, not only on focus events: a kiosk shown on a bare X session (no window
        # manager) never had the keyboard to lose, and no event says so.
        self.timer.start()

    def stop(self) -> None:
        """The kiosk closed: nothing more to keep."""
        if not self._running:
            return
        self._running = False
        self.timer.stop()
        app = QApplication.instance()
        app.removeEventFilter(self)
        app.focusWindowChanged.disconnect(self.on_focus_window_changed)
        app.applicationStateChanged.disconnect(self.on_application_state)

    # --- what has the keyboard --------------------------------------------------------------
    def kiosk_has_keyboard(self) -> bool:
        focus = QGuiApplication.focusWindow()
        return focus is not None and self._is_kiosk(focus)

    def _is_kiosk(self, window: QWindow) -> bool:
        handle = self.kiosk.windowHandle()
        while window is not None:  # the kiosk's own pop-ups count as the kiosk
            if window is handle:
                return True
            window = window.transientParent()
        return False

    def _another_window_in_use(self) -> bool:
        focus = QGuiApplication.focusWindow()
        if focus is None:  # another program has the keyboard
            return False
        return (time.monotonic() * 1000 - self._last_input_elsewhere) < self.shared_idle_ms

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            if isinstance(watched, QWindow):
                elsewhere = not self._is_kiosk(watched)
            elif isinstance(watched, QWidget):
                elsewhere = watched.window() is not self.kiosk
            else:
                elsewhere = False
            if elsewhere:
                self._last_input_elsewhere = time.monotonic() * 1000
        return False

    # --- reacting ---------------------------------------------------------------------------
    def on_focus_window_changed(self, _window) -> None:
        if self._running and self.kiosk_has_keyboard():
            self.check()  # at once; a loss is handled by the timer, so a blink is no loss

    def on_application_state(self, _state) -> None:
        self.on_focus_window_changed(None)

    def check(self) -> None:
        if not self._running or not self.kiosk.isVisible():
            return
        if self.kiosk_has_keyboard():
            self.notice.hide()
            if not self._has_keyboard:
                self._has_keyboard = True
                log.info("the kiosk has the keyboard again")
                self.regained.emit()
            self._tries = 0
            return
        if self._has_keyboard:
            self._has_keyboard = False
            log.info("the kiosk lost the keyboard to %s", "another storeshift window"
                     if QGuiApplication.focusWindow() is not None else "another program")
            self.lost.emit()
        if self.take_back and not self._another_window_in_use():
            self._take_back()
        # Shown also full screen: if the window system refuses to hand the keyboard back, a
        # person can see it, and a tap settles it.
        self.notice.setVisible(True)

    def _take_back(self) -> None:
        self._tries += 1
        if self._tries in (1, 20):  # once, and again if it keeps failing (every 6 s is too chatty)
            log.info("taking the keyboard back (try %d)", self._tries)
        if self.kiosk.isMinimized():  # someone minimised the kiosk: it comes back, as it was
            self.kiosk.setWindowState(self.kiosk.windowState() & ~Qt.WindowState.WindowMinimized)
        self.kiosk.raise_()
        self.kiosk.activateWindow()

    def on_notice_tapped(self) -> None:
        self.kiosk.raise_()
        self.kiosk.activateWindow()
        self.check()


class StrayBadgeGuard(QObject):
    """A watch over every window of this program that has no scanner of its own (dialogs, the
    set-up wizard, a search box), while the kiosk is open. It only looks: keys reach their
    widget as typed, whatever their speed. When a scanner's burst turns out to hold a badge, the
    code is taken back out of the field it went into, its Enter never arrives (no dialog is
    accepted by it), and a sentence says to scan the badge at the kiosk."""

    told = Signal(str)

    def __init__(self, kiosk: QWidget, gap_ms: int = 35, min_length: int = 8):
        super().__init__(kiosk)
        self.kiosk = kiosk
        self.gap_ms, self.min_length = gap_ms, min_length
        self._typed: list[str] = []
        self._target: QWidget | None = None
        self._last_ms = -1e12
        self._swallow_release = False
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.timeout.connect(self.on_pause)
        self._installed = False

    def install(self) -> None:
        if not self._installed:
            QApplication.instance().installEventFilter(self)
            self._installed = True

    def uninstall(self) -> None:
        if self._installed:
            QApplication.instance().removeEventFilter(self)
            self._installed = False
        self._pause.stop()
        self._typed.clear()

    def _watches(self, widget: QWidget) -> bool:
        window = widget.window()
        if window is self.kiosk or not self.kiosk.isVisible():
            return False
        # A window with a scanner of its own (the shift-lead window while locked) knows best.
        return not any(scanner.scope is window and scanner._installed for scanner in window.findChildren(WedgeScanner))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or not isinstance(watched, QWidget):
            return False
        if kind == QEvent.Type.KeyRelease:
            if self._swallow_release and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._swallow_release = False
                return True
            return False
        if not self._watches(watched):
            return False
        now = float(event.timestamp()) or time.monotonic() * 1000
        fast = now - self._last_ms <= self.gap_ms and watched is self._target
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            if fast and self._is_badge():
                self._take_out()
                self._swallow_release = True
                return True  # the scanner's Enter: no dialog accepts, no search runs
            self._typed.clear()
            return False
        text = event.text()
        if not text or not text.isprintable() or event.isAutoRepeat():
            self._typed.clear()
            return False
        if not fast:
            self._typed.clear()
        self._typed.append(text)
        self._target, self._last_ms = watched, now
        self._pause.start(max(self.gap_ms * 3, 120))  # a scanner set to send no Enter
        return False

    def _is_badge(self) -> bool:
        typed = "".join(self._typed)
        return len(typed) >= self.min_length and looks_like_badge(typed)

    def on_pause(self) -> None:
        if self._is_badge():
            self._take_out()
        self._typed.clear()

    def _take_out(self) -> None:
        typed, target = "".join(self._typed), self._target
        self._typed.clear()
        self._pause.stop()
        if isinstance(target, QLineEdit) and target.text().endswith(typed):
            target.setText(target.text()[:-len(typed)])
        elif isinstance(target, QPlainTextEdit) and target.toPlainText().endswith(typed):
            cursor = target.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            cursor.movePosition(cursor.MoveOperation.Left, cursor.MoveMode.KeepAnchor, len(typed))
            cursor.removeSelectedText()
        self.tell(target)

    def tell(self, target: QWidget | None) -> None:
        log.info("a badge scan reached a window that cannot use it; taken out again")
        text = _(BADGE_AT_KIOSK)
        self.told.emit(text)
        window = target.window() if target is not None else QApplication.activeWindow()
        if window is not None and hasattr(window, "show_message"):  # the shift-lead window's banner
            window.show_message(text, "warning")
        elif target is not None:
            where = target.rect().bottomLeft() if isinstance(target, QLineEdit) else target.rect().center()
            QToolTip.showText(target.mapToGlobal(where), text, target, target.rect(), 8000)


def guard_other_windows(kiosk: QWidget) -> StrayBadgeGuard:
    """Watch, while the kiosk is open, the windows without a scanner of their own."""
    scanner = getattr(kiosk, "scanner", None)
    guard = StrayBadgeGuard(kiosk, getattr(scanner, "gap_ms", 35), getattr(scanner, "min_length", 8))
    guard.install()
    if hasattr(kiosk, "exited"):
        kiosk.exited.connect(guard.uninstall)
    return guard


def keep_keyboard(kiosk: QWidget, full_screen: bool) -> FocusKeeper:
    """What the kiosk installs: the keeper and the guard (both stopped when the kiosk exits)."""
    keeper = FocusKeeper(kiosk, take_back=full_screen)
    keeper.guard = guard_other_windows(kiosk)
    if hasattr(kiosk, "exited"):
        kiosk.exited.connect(keeper.stop)
    return keeper
