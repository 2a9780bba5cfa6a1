"""The kiosk's on-screen keyboard: QWERTY, AZERTY or QWERTZ as the language on screen has it,
with digits and the accented letters that language writes, for a kiosk without a keyboard."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLineEdit, QPlainTextEdit, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from ... import i18n
from ...i18n import N_, _
from ..language import keep
from ..widgets import big_button


@dataclass(frozen=True)
class Layout:
    name: str
    letters: tuple[str, ...]
    accents: str
    digits: str = "1234567890"


# Keys as printed on that country's keyboards; the accents are the letters its language writes
# (and, in English, those of colleagues' names from elsewhere in Europe).
LAYOUTS = {
    "en": Layout("QWERTY", ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"), "ÉÈÀÇÑÄÖÜØÅ"),  # not translated: keys
    "fr": Layout("AZERTY", ("AZERTYUIOP", "QSDFGHJKLM", "WXCVBN"), "ÉÈÊËÀÂÇÙÛÔÎÏŒ"),  # not translated: keys
    "de": Layout("QWERTZ", ("QWERTZUIOPÜ", "ASDFGHJKLÖÄ", "YXCVBNM"), "ßÉÈÀÇÑØ"),  # not translated: keys
}
NAME_MARKS = "-'"
TEXT_MARKS = ",.?!"
_SPOKEN = {"-": N_("Hyphen"), "'": N_("Apostrophe"), ",": N_("Comma"), ".": N_("Full stop"),
           "?": N_("Question mark"), "!": N_("Exclamation mark")}


def layout_for(language: str) -> Layout:
    return LAYOUTS.get(language, LAYOUTS["en"])


class OnScreenKeyboard(QWidget):
    """Types into `target`, or with no target into whichever line edit or text box has the
    focus. names=True capitalises every word (a name search); names=False capitalises
    sentences and adds punctuation (free text). The layout follows the language on screen."""

    def __init__(self, target: QLineEdit | QPlainTextEdit | None = None, parent: QWidget | None = None,
                 key_size: int = 60, names: bool = True, language: str | None = None):
        super().__init__(parent)
        self.setObjectName("letterKeyboard")
        self.target = target
        self.names = names
        self.key_size = key_size
        self._fixed_language = language
        self.layout_name = ""
        self.keys: list[QPushButton] = []
        self.rows: list[QHBoxLayout] = []
        self.digit_row: QHBoxLayout | None = None
        self._digits_visible = True
        self._outer = QVBoxLayout(self)
        self._outer.setSpacing(6)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._build()

    # --- building -----------------------------------------------------------------------
    def _language(self) -> str:
        return self._fixed_language or i18n.current()

    def _build(self) -> None:
        layout = layout_for(self._language())
        if layout.name == self.layout_name:
            return
        self.layout_name = layout.name
        for button in self.keys:
            button.deleteLater()
        self.keys = []
        while self._outer.count():
            item = self._outer.takeAt(0)
            if item.layout() is not None:
                item.layout().deleteLater()
        self.rows = []
        # Four rows for a name (five with the digits, for text always), so that the list of
        # names above keeps its room: hyphen, apostrophe and delete end the last letter row,
        # the space bar ends the accents.
        self.digit_row = self._row()
        for ch in layout.digits + ("" if self.names else TEXT_MARKS):
            self.digit_row.addWidget(self._key(ch))
        for index, letters in enumerate(layout.letters):
            line = self._row()
            for ch in letters:
                line.addWidget(self._key(ch))
            if index == len(layout.letters) - 1:
                for ch in NAME_MARKS:
                    line.addWidget(self._key(ch))
                delete = keep(big_button("⌫", "", "letterKey", self.key_size),
                              accessible=N_("Delete the last letter"))
                delete.setProperty("wide", 3)
                delete.clicked.connect(self.delete)
                line.addWidget(delete)
        last = self._row()
        for ch in layout.accents:
            last.addWidget(self._key(ch))
        space = keep(big_button("", "", "letterKey", self.key_size), text=N_("Space"), accessible=N_("Space"))
        space.setProperty("typed", " ")
        space.setProperty("wide", 6)
        space.clicked.connect(lambda: self.type(" "))
        last.addWidget(space)
        self.keys += [delete, space]
        self.space_key, self.delete_key = space, delete
        self.set_key_size(self.key_size)
        self.set_digits_visible(self._digits_visible or not self.names)

    def _row(self) -> QHBoxLayout:
        line = QHBoxLayout()
        line.setSpacing(6)
        line.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._outer.addLayout(line)
        self.rows.append(line)
        return line

    def _key(self, ch: str) -> QPushButton:
        button = big_button(ch, self._spoken(ch), "letterKey", self.key_size)
        button.setProperty("typed", ch)
        button.setMinimumWidth(self.key_size)
        # Keys grow with a wide screen (bigger targets) up to twice their height.
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.setMaximumWidth(self.key_size * 2)
        button.clicked.connect(lambda _=False, typed=ch: self.type(typed))
        self.keys.append(button)
        return button

    @staticmethod
    def _spoken(ch: str) -> str:
        message = _SPOKEN.get(ch)
        return _(message) if message else _("Key {letter}").format(letter=ch)

    def key(self, text: str) -> QPushButton:
        """The key showing text (a letter, 'Space' in the language on screen, '⌫')."""
        return next(button for button in self.keys if button.text() == text)

    # --- size -----------------------------------------------------------------------------
    def set_key_size(self, size: int) -> None:
        """Key height in px (at least 32, which is 48 on a screen at 150 %): smaller on short
        screens. Keys are as wide as the row allows, up to twice their height."""
        size = max(32, size)
        self.key_size = size
        for button in self.keys:
            button.setMinimumHeight(size)
            button.setMaximumHeight(size)
            wide = button.property("wide") or 1
            button.setMinimumWidth(min(size, 40) * (2 if wide > 1 else 1))
            button.setMaximumWidth(size * 2 * wide)
            policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            policy.setHorizontalStretch(wide)
            button.setSizePolicy(policy)

    def set_digits_visible(self, visible: bool) -> None:
        """Digits are for a staff number or for text; a short screen keeps the room for names."""
        self._digits_visible = visible
        if self.digit_row is not None:
            for index in range(self.digit_row.count()):
                self.digit_row.itemAt(index).widget().setVisible(visible)

    def row_count(self) -> int:
        return len(self.rows) - (0 if self._digits_visible else 1)

    # --- typing ---------------------------------------------------------------------------
    def _target(self) -> QLineEdit | QPlainTextEdit | None:
        if self.target is not None:
            return self.target
        focused = QApplication.focusWidget()
        return focused if isinstance(focused, (QLineEdit, QPlainTextEdit)) else None

    def type(self, text: str) -> None:
        target = self._target()
        if target is None:
            return
        before = target.text()[:target.cursorPosition()] if isinstance(target, QLineEdit) else \
            target.toPlainText()[:target.textCursor().position()]
        if text.isalpha():
            if self.names:
                capital = not before or before[-1] in " -"
            else:
                stripped = before.rstrip()
                capital = not stripped or stripped[-1] in ".?!"
            upper = text.upper()
            # ß has no one-letter capital in names ('SS' is not what anyone typed).
            text = (upper if len(upper) == 1 else text.lower()) if capital else text.lower()
        if isinstance(target, QLineEdit):
            target.insert(text)
        else:
            target.insertPlainText(text)

    def delete(self) -> None:
        target = self._target()
        if isinstance(target, QLineEdit):
            target.backspace()
        elif isinstance(target, QPlainTextEdit):
            target.textCursor().deletePreviousChar()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.LanguageChange:
            self._build()  # a visitor who switched to French gets AZERTY
            for button in self.keys:
                typed = button.property("typed")
                if typed and typed != " ":
                    button.setAccessibleName(self._spoken(typed))
        super().changeEvent(event)
