"""Widgets the kiosk and the shift-lead window share: the PIN pad, a press-and-hold label
and a small on-screen letter keyboard."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QDialog, QGridLayout, QLabel, QLineEdit,
                               QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from ..errors import UserError
from ..i18n import N_, _
from .language import keep


def big_button(text: str, accessible: str | None = None, object_name: str = "", min_height: int = 64) -> QPushButton:
    """A push button at least min_height px tall (touch target), named for screen readers."""
    button = QPushButton(text)
    button.setAccessibleName(accessible or text.replace("&", ""))
    button.setMinimumHeight(min_height)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    if object_name:
        button.setObjectName(object_name)
    return button


class PinPad(QWidget):
    """Digits 0-9 as big touch buttons plus the keyboard, a masked display, OK and Cancel.
    Emits submitted(pin) on OK or Enter and cancelled() on Cancel; it checks nothing itself,
    the owner calls services.pin.check_pin and shows the answer with show_message()."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, title: str | None = None, parent: QWidget | None = None, max_digits: int = 12,
                 button_size: int = 88):
        super().__init__(parent)
        self.setObjectName("pinPad")
        self.title = QLabel(title) if title is not None else keep(QLabel(), text=N_("Shift-lead PIN"))
        self.title.setObjectName("pinTitle")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display = QLineEdit()
        self.display.setObjectName("pinDisplay")
        self.display.setEchoMode(QLineEdit.EchoMode.Password)
        self.display.setMaxLength(max_digits)
        self.display.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d*"), self.display))
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        keep(self.display, accessible=N_("PIN"))
        self.display.setMinimumHeight(button_size)
        self.display.returnPressed.connect(self.on_ok)
        self.message = QLabel("")
        self.message.setObjectName("pinMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        keep(self.message, accessible=N_("PIN message"))
        self.message.setProperty("error", False)

        grid = QGridLayout()
        grid.setSpacing(12)
        self.digit_buttons: dict[str, QPushButton] = {}
        for index, digit in enumerate("123456789"):
            self._add_digit(grid, digit, index // 3, index % 3, button_size)
        self.delete_button = keep(big_button("⌫", None, "pinKey", button_size), accessible=N_("Delete last digit"))
        self.delete_button.clicked.connect(self.display.backspace)
        grid.addWidget(self.delete_button, 3, 0)
        self._add_digit(grid, "0", 3, 1, button_size)
        self.ok_button = keep(big_button("", None, "pinOk", button_size), text=N_("OK"), accessible=N_("Confirm PIN"))
        self.ok_button.clicked.connect(self.on_ok)
        grid.addWidget(self.ok_button, 3, 2)
        self.cancel_button = keep(big_button("", None, "pinCancel", max(48, button_size * 3 // 4)),
                                  text=N_("Cancel"), accessible=N_("Cancel"))
        self.cancel_button.clicked.connect(self.on_cancel)

        layout = QVBoxLayout(self)
        layout.setSpacing(16)
        layout.addWidget(self.title)
        layout.addWidget(self.display)
        layout.addWidget(self.message)
        layout.addLayout(grid)
        layout.addWidget(self.cancel_button)
        self._locked_timer = QTimer(self)
        self._locked_timer.setSingleShot(True)
        self._locked_timer.timeout.connect(lambda: self.set_locked(False))

    def _add_digit(self, grid: QGridLayout, digit: str, row: int, column: int, size: int) -> None:
        button = big_button(digit, _("Digit {digit}").format(digit=digit), "pinKey", size)
        button.setMinimumWidth(size)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.clicked.connect(lambda _=False, d=digit: self.press(d))
        grid.addWidget(button, row, column)
        self.digit_buttons[digit] = button

    def set_button_size(self, size: int) -> None:
        """Key height in px (at least 48): smaller on short screens, larger on big ones."""
        size = max(48, size)
        for button in (*self.digit_buttons.values(), self.delete_button, self.ok_button):
            button.setMinimumHeight(size)
            button.setMinimumWidth(size)
        self.display.setMinimumHeight(size)
        self.cancel_button.setMinimumHeight(max(48, size * 3 // 4))

    def press(self, digit: str) -> None:
        if len(self.display.text()) < self.display.maxLength():
            self.display.setText(self.display.text() + digit)

    def pin(self) -> str:
        return self.display.text()

    def on_ok(self) -> None:
        pin = self.display.text()
        self.display.clear()
        if pin and self.ok_button.isEnabled():
            self.submitted.emit(pin)

    def on_cancel(self) -> None:
        self.reset()
        self.cancelled.emit()

    def reset(self, title: str | None = None) -> None:
        """Empty the display and the message (and set a new title) before showing it again."""
        if title is not None:
            self.title.setText(title)
        self.display.clear()
        self.show_message("")

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def set_locked(self, locked: bool, for_ms: int = 0) -> None:
        """Disable the keys during a lockout (for_ms > 0: enable them again after that)."""
        for button in (*self.digit_buttons.values(), self.delete_button, self.ok_button):
            button.setEnabled(not locked)
        self.display.setEnabled(not locked)
        if locked and for_ms > 0:
            self._locked_timer.start(for_ms)

    def focus(self) -> None:
        self.display.setFocus()


class PinDialog(QDialog):
    """A PinPad in a small dialog: accept() once check(pin) returns True. check may raise
    UserError (e.g. locked out); its sentence is shown on the pad."""

    def __init__(self, check: Callable[[str], bool], title: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        title = title if title is not None else _("Shift-lead PIN")
        self.setWindowTitle(title)
        self.check = check
        self.pad = PinPad(title, self, button_size=64)
        self.pad.submitted.connect(self.on_submitted)
        self.pad.cancelled.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pad)

    def on_submitted(self, pin: str) -> None:
        try:
            ok = self.check(pin)
        except UserError as exc:
            self.pad.show_message(str(exc), error=True)
            return
        if ok:
            self.accept()
        else:
            self.pad.show_message(_("That PIN is not right. Please try again."), error=True)


class LongPressLabel(QLabel):
    """A label that emits long_pressed when held down for hold_ms (mouse or touch)."""

    long_pressed = Signal()

    def __init__(self, text: str = "", hold_ms: int = 2000, parent: QWidget | None = None):
        super().__init__(text, parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(hold_ms)
        self._timer.timeout.connect(self.long_pressed.emit)

    def set_hold_ms(self, hold_ms: int) -> None:
        self._timer.setInterval(hold_ms)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton:
            self._timer.start()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        self._timer.stop()
        super().mouseReleaseEvent(event)


class VerdictWatch(QTimer):
    """Tells a window as soon as the file it opened is known to be damaged (or from a newer
    storeshift): the integrity check runs in the background, and the window should say so at
    once, not when someone first tries to save. Emits problem(sentence) at most once."""

    problem = Signal(str)

    def __init__(self, storage, parent: QWidget):
        super().__init__(parent)
        self.storage = storage
        self.setInterval(100)
        self.timeout.connect(self.poll)
        QTimer.singleShot(0, self, self.poll)
        self.start()

    def watch(self, storage) -> None:
        """A restore replaced the database: watch the new one."""
        self.storage = storage
        self.start()

    def poll(self) -> None:
        known, problem = self.storage.verdict()
        if not known:
            return
        self.stop()
        if problem is not None:
            self.problem.emit(str(problem))
