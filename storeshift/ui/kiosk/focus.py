"""Keeps the scanner's keys going to the kiosk: a full-screen kiosk takes the keyboard back
within a second of losing it (Alt+Tab, another program's window), a kiosk without the keyboard
says so plainly ("tap here"), and a badge scanned into any other storeshift window is caught
there with a sentence instead of being typed into a field or taken for a PIN."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QToolTip, QVBoxLayout, QWidget

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
        self.setStyleSheet("#focusNotice { background: rgba(11, 34, 57, 225); }"
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
        app.applicationStateChanged.connect(lambda _state: self.on_focus_window_changed(None))
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
        self.kiosk.raise_()
        self.kiosk.activateWindow()

    def on_notice_tapped(self) -> None:
        self.kiosk.raise_()
        self.kiosk.activateWindow()
        self.check()


class StrayBadgeGuard(WedgeScanner):
    """A scanner watch over every window that has none of its own (dialogs, the set-up wizard,
    a search box): a burst holding a badge is taken out and a sentence says where to scan it;
    anything else, however fast, reaches the window unchanged."""

    told = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent=parent)

    def _in_scope(self, watched: QObject) -> bool:
        window = watched.window() if isinstance(watched, QWidget) else None
        if window is None and isinstance(watched, QWindow):
            window = next((w for w in QApplication.topLevelWidgets() if w.windowHandle() is watched), None)
        if window is None:
            return False
        # A window with a scanner of its own (the kiosk, the shift-lead window) knows best.
        return not any(scanner.scope is window and scanner._installed
                       for scanner in window.findChildren(WedgeScanner) if scanner is not self)

    def _looks_like_badge(self) -> bool:
        return looks_like_badge("".join(self._text))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and self._held and not self._looks_like_badge()):
            self._flush_to_widgets()  # fast typing that is no badge: the keys, then this Enter
            return False
        return super().eventFilter(watched, event)

    def _finish_scan(self) -> None:
        if not self._looks_like_badge():
            self._flush_to_widgets()
            return
        target = next((widget for widget, _event in self._held if isinstance(widget, QWidget)), None) \
            or QApplication.focusWidget()
        super()._finish_scan()
        self.tell(target)

    def tell(self, target: QWidget | None) -> None:
        log.info("a badge scan reached a window that cannot use it; not typed in")
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
    guard = StrayBadgeGuard(kiosk)
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
