"""The kiosk's screens: idle, welcome, goodbye with debrief, repeat, refused, forgotten
check-out, no badge, and the shift-lead PIN. They only show things and emit signals;
the window decides what happens."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QImage, QPixmap
from PySide6.QtWidgets import (QBoxLayout, QButtonGroup, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from ... import i18n
from ...i18n import N_, _, format_date, format_time
from ...services.observations import CATEGORIES as CATEGORY_LABELS
from ...services.observations import IMPACTS as IMPACT_LABELS
from ...services.names import isolate
from ..language import keep
from ..widgets import LongPressLabel, PinPad, big_button
from .keyboard import OnScreenKeyboard

_RIGHT_TO_LEFT = ("R", "AL")


class DirectedLabel(QLabel):
    """A label whose line runs in the direction of the language on screen, also when its text
    begins with an Arabic or Hebrew name (Qt would otherwise take the direction of the first
    letter, and 'محمد الأحمد is on Click-and-collect' would read backwards)."""

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        import unicodedata

        from PySide6.QtWidgets import QApplication

        if any(unicodedata.bidirectional(ch) in _RIGHT_TO_LEFT for ch in text):
            mark = "\u200f" if QApplication.isRightToLeft() else "\u200e"
            text = text if text.startswith(mark) else mark + text
        super().setText(text)


def label(text: str = "", role: str = "body", wrap: bool = True, align=Qt.AlignmentFlag.AlignLeft) -> QLabel:
    """A label whose look comes from kiosk.qss through its role (title, big, body, small...)."""
    widget = DirectedLabel()
    widget.setText(text)
    widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def elide_lines(text: str, metrics: QFontMetrics, width: int, lines: int) -> str:
    """text cut to fit in `lines` lines of `width` px (word wrapped), with an ellipsis."""
    words = text.split()
    out: list[str] = []
    current = ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if metrics.horizontalAdvance(candidate) <= width:
            current = candidate
            continue
        out.append(current)
        current = word
        if len(out) == lines:
            rest = " ".join([current] + words[index + 1:])
            last = out[-1] + " " + rest
            out[-1] = metrics.elidedText(last, Qt.TextElideMode.ElideRight, width)
            return "\n".join(out)
    out.append(current)
    return "\n".join(line for line in out if line)


#: Below this height a page is "tight": a windowed kiosk at 150 % on a 1366x768 screen has 442
#: pixels. Margins, gaps and big buttons shrink, and what can wait gives way.
TIGHT = 560
#: a big button's height on a tight page (78 on such a screen: still a large target)
TIGHT_BUTTON = 52


class Page(QWidget):
    """A full-window screen with its own background colour (set in kiosk.qss by objectName)."""

    key = ""
    spacing = 20
    #: below this height the page is tight (a page with more on it sets a higher one)
    tight_below = TIGHT

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"{self.key}Page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(48, 32, 48, 32)
        self.outer.setSpacing(self.spacing)
        self.tight = False

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.relayout(event.size().width(), event.size().height())

    def relayout(self, width: int, height: int) -> None:
        """Adapt to the page's shape (landscape or portrait, small or large)."""
        self.tight = height < self.tight_below
        margin = 12 if self.tight else 24 if width < 1200 else 48
        vertical = 10 if self.tight else 20 if height < 900 else 32
        self.outer.setContentsMargins(margin, vertical, margin, vertical)
        self.outer.setSpacing(8 if self.tight else self.spacing)
        for button in self.findChildren(QPushButton):
            if button.objectName() in ("letterKey", "pinKey", "pinOk"):
                continue  # the keyboards size their own keys
            tall = button.property("tall")
            if tall is None:
                tall = button.minimumHeight()
                button.setProperty("tall", tall)
            button.setMinimumHeight(min(tall, TIGHT_BUTTON) if self.tight else tall)


class IdlePage(Page):
    key = "idle"
    no_badge_clicked = Signal()
    exit_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        top = QHBoxLayout()
        self.site = LongPressLabel("")
        self.site.setProperty("role", "site")
        keep(self.site, accessible=N_("Site name (shift lead: press and hold to leave kiosk mode)"))
        self.site.long_pressed.connect(self.exit_requested.emit)
        self.date = label("", "site", wrap=False, align=Qt.AlignmentFlag.AlignRight)
        self.small_clock = label("", "smallClock", wrap=False, align=Qt.AlignmentFlag.AlignRight)
        keep(self.small_clock, accessible=N_("Time"))
        top.addWidget(self.site, 1)
        top.addWidget(self.date)
        top.addWidget(self.small_clock)
        self.outer.addLayout(top)

        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.setSpacing(32)
        left = QVBoxLayout()
        left.setSpacing(12)
        self.clock = label("", "clock", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        keep(self.clock, accessible=N_("Time"))
        self.prompt = keep(label("", "prompt", align=Qt.AlignmentFlag.AlignCenter), text=N_("Scan your badge"))
        self.hint = label("", "hint", align=Qt.AlignmentFlag.AlignCenter)
        self.no_badge = keep(big_button("", "", "noBadge", 80), text=N_("No badge? Tap here"),
                             accessible=N_("No badge? Find your name"))
        self.no_badge.clicked.connect(self.no_badge_clicked.emit)
        left.addStretch(1)
        left.addWidget(self.clock)
        left.addWidget(self.prompt)
        left.addWidget(self.hint)
        left.addSpacing(8)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.no_badge)
        row.addStretch(1)
        left.addLayout(row)
        left.addSpacing(8)
        self.languages = LanguageBar()
        left.addWidget(self.languages, 0, Qt.AlignmentFlag.AlignHCenter)
        left.addStretch(1)
        self.body.addLayout(left, 3)
        self.camera_view = QLabel()
        self.camera_view.setObjectName("cameraView")
        keep(self.camera_view, accessible=N_("Camera: hold your badge up to it"))
        self.camera_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.camera_view.setMinimumSize(240, 180)
        self.camera_view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.camera_view.hide()
        self.body.addWidget(self.camera_view, 2)
        self.outer.addLayout(self.body, 1)

        self.told = QFrame()
        self.told.setObjectName("toldUs")
        told_layout = QVBoxLayout(self.told)
        told_layout.setContentsMargins(28, 16, 28, 16)
        told_layout.setSpacing(6)
        self.told_heading = keep(label("", "toldHeading"), text=N_("You told us — we did"))
        self.told_said = label("", "toldText")
        self.told_done = label("", "toldDone")
        told_layout.addWidget(self.told_heading)
        told_layout.addWidget(self.told_said)
        told_layout.addWidget(self.told_done)
        self.outer.addWidget(self.told)
        self._told_item: dict | None = None
        self._width = 1024
        self._told_lines = 2
        self._camera = False
        self.set_camera_visible(False)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.LanguageChange:
            self.set_camera_visible(self._camera)
            self.show_told(self._told_item)
        super().changeEvent(event)

    def set_time(self, clock: str, date: str) -> None:
        self.clock.setText(clock)
        self.small_clock.setText(clock)
        self.date.setText(date)

    def set_camera_visible(self, visible: bool) -> None:
        self._camera = visible
        self.camera_view.setVisible(visible)
        self.hint.setText(_("Hold your badge under the scanner or up to the camera.") if visible
                          else _("Hold your badge under the scanner."))

    def show_frame(self, image: QImage) -> None:
        if self.camera_view.isVisible():
            pixmap = QPixmap.fromImage(image).scaled(self.camera_view.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                     Qt.TransformationMode.FastTransformation)
            self.camera_view.setPixmap(pixmap.transformed(pixmap.transform().scale(-1, 1)))

    def show_told(self, item: dict | None) -> None:
        """One actioned observation: what was noticed and what was done (never who)."""
        self._told_item = item
        self.told.setVisible(item is not None and not self.tight)
        if item is None:
            return
        # The page margins, the panel's own margins and its coloured edge, and a little slack.
        width = max(200, self._width - 2 * self.outer.contentsMargins().left() - 2 * 28 - 10 - 16)
        category = CATEGORY_LABELS.get(item["category"], "")
        quoted = _("“{text}”").format(text=item["text"])
        said = _("{category}: {quoted}").format(category=category, quoted=quoted) if category else quoted
        lines = self._told_lines
        self.told_said.setText(elide_lines(said, QFontMetrics(self.told_said.font()), width, lines))
        self.told_done.setText(elide_lines(f"✔ {item['follow_up']}", QFontMetrics(self.told_done.font()), width,
                                           lines))

    def relayout(self, width: int, height: int) -> None:
        super().relayout(width, height)
        self._width = width
        portrait = height > width
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)
        # A short screen (1024x768, or a banner showing) puts the clock in the top bar.
        compact = height < 900
        self.clock.setVisible(not compact)
        self.small_clock.setVisible(compact)
        self.date.setVisible(not compact)
        self._told_lines = 2 if height >= 700 else 1
        self.show_told(self._told_item)


class ResultPage(Page):
    """A big headline with an icon, then details; Done goes back to idle."""

    done_clicked = Signal()
    icon_text = "✔"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        head = QHBoxLayout()
        head.setSpacing(24)
        self.icon = label(self.icon_text, "icon", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.icon.setAccessibleName("")  # the headline says it
        self.headline = label("", "headline")
        head.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.headline, 1)
        self.outer.addLayout(head)
        self.details = QVBoxLayout()
        self.details.setSpacing(16)
        self.outer.addLayout(self.details)
        self.outer.addStretch(1)
        self.actions = QHBoxLayout()
        self.actions.addStretch(1)
        self.done = keep(big_button("", "", "primary", 80), text=N_("Done"),
                         accessible=N_("Done, back to the start"))
        self.done.setMinimumWidth(220)
        self.done.clicked.connect(self.done_clicked.emit)
        self.actions.addWidget(self.done)
        self.outer.addLayout(self.actions)


class WelcomePage(ResultPage):
    key = "welcome"
    tight_below = 800  # a task card and a booking: 1024x768 (and under a banner) is tight

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.checked_in = label("", "big")
        self.task_card = QFrame()
        self.task_card.setObjectName("taskCard")
        card = QVBoxLayout(self.task_card)
        card.setContentsMargins(28, 20, 28, 20)
        card.setSpacing(8)
        self.task_heading = keep(label("", "cardHeading"), text=N_("Your task"))
        self.task_title = label("", "cardTitle")
        self.task_text = label("", "cardText")
        self.task_where = label("", "cardText")
        for widget in (self.task_heading, self.task_title, self.task_text, self.task_where):
            card.addWidget(widget)
        self.booking = label("", "big")
        self.details.addWidget(self.checked_in)
        self.details.addWidget(self.task_card)
        self.details.addWidget(self.booking)
        self.languages = LanguageBar()
        self.actions.insertWidget(0, self.languages)
        self.task_id: str | None = None
        self._long = {self.task_text: "", self.booking: ""}
        self._lines = {self.task_text: 2, self.booking: 2}

    def show_welcome(self, name: str, since: str, booking_text: str) -> None:
        self.headline.setText(_("Welcome, {name}!").format(name=isolate(name)))
        self.checked_in.setText(_("You're checked in at {time}.").format(time=since))
        self._set_long(self.booking, booking_text)
        self.booking.setVisible(bool(booking_text))

    def _set_long(self, widget: QLabel, text: str) -> None:
        """A text that may be long (a task's description, a booking): as many lines as the
        screen has room for, ended with '…' (read out whole)."""
        self._long[widget] = text
        widget.setAccessibleName(text)
        room = self.width() - 2 * self.outer.contentsMargins().left() - (60 if widget is self.task_text else 0)
        widget.setText(elide_lines(text, QFontMetrics(widget.font()), max(200, room - 8), self._lines[widget])
                       if text else "")

    def relayout(self, width: int, height: int) -> None:
        super().relayout(width, height)
        # A short screen keeps the task's title and place whole and shortens the rest.
        self._lines = {self.task_text: 1 if height < 640 else 2, self.booking: 1 if height < 640 else 2}
        self.task_card.layout().setContentsMargins(*((20, 6, 20, 6) if self.tight else (28, 20, 28, 20)))
        self.task_card.layout().setSpacing(2 if self.tight else 8)
        self.details.setSpacing(6 if self.tight else 16)
        self.icon.setVisible(not self.tight)
        # Very short (150 % under a banner): "Welcome" says it already.
        self.checked_in.setVisible(height >= 420)
        for widget, text in self._long.items():
            self._set_long(widget, text)

    def show_task(self, task: dict | None) -> None:
        self.task_id = task["id"] if task else None
        if task is None:
            self.task_title.setText(_("Your shift lead will give you a task shortly."))
            self.task_text.hide()
            self.task_where.hide()
            return
        self.task_title.setText(task["title"])
        self._set_long(self.task_text, task.get("description") or "")
        self.task_text.setVisible(bool(task.get("description")))
        self.task_where.setText(_("Where: {area}").format(area=task["area"]) if task.get("area") else "")
        self.task_where.setVisible(bool(task.get("area")))


class RepeatPage(ResultPage):
    key = "repeat"
    icon_text = "ℹ"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.outer.insertStretch(0, 1)
        self.note = keep(label("", "big"), text=N_("Nothing more to do: you can go ahead."))
        self.task = label("", "big")
        self.details.addWidget(self.note)
        self.details.addWidget(self.task)

    def show_repeat(self, message: str, task: dict | None) -> None:
        self.headline.setText(message)
        self.task.setText(_("Your task: {title}").format(title=task["title"]) if task else "")
        self.task.setVisible(task is not None)


class RefusedPage(ResultPage):
    key = "refused"
    icon_text = "✖"
    no_badge_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        keep(self.headline, text=N_("We couldn't check you in"))
        self.outer.insertStretch(0, 1)  # a short message sits in the middle of the screen
        self.reason = label("", "reason")
        keep(self.reason, accessible=N_("Why"))
        self.details.addWidget(self.reason)
        self.no_badge = keep(big_button("", "", "secondary", 80), text=N_("Check in by name instead"),
                             accessible=N_("Check in by name instead"))
        self.no_badge.clicked.connect(self.no_badge_clicked.emit)
        self.actions.insertWidget(0, self.no_badge)

    def show_refusal(self, sentence: str) -> None:
        self.reason.setText(sentence)


class GoodbyePage(Page):
    """Thanks, time given, and the debrief: category, what you noticed, a customer's words,
    impact. Every change is reported through changed() so the window can autosave."""

    key = "goodbye"
    spacing = 14
    tight_below = 700  # the fullest screen: also 1024x768 under a banner
    #: below this (150 % on 1366x768 under a banner) the thanks give way, and the quote while typing
    SHORT = 420
    changed = Signal()
    finish_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.headline = label("", "headline")
        self.given = label("", "given")
        self.question = keep(label("", "question"), text=N_("What did you notice today?"))
        self.languages = LanguageBar(compact=True)
        head = QHBoxLayout()
        head.addWidget(self.headline, 1)
        head.addWidget(self.languages, 0, Qt.AlignmentFlag.AlignTop)
        self.outer.addLayout(head)
        self.outer.addWidget(self.given)
        self.outer.addWidget(self.question)

        self.category_grid = QGridLayout()
        self.category_grid.setSpacing(10)
        self.categories = QButtonGroup(self)
        self.categories.setExclusive(True)
        self.category_buttons: dict[str, QPushButton] = {}
        for key, text in CATEGORY_LABELS.items():
            button = keep(big_button("", "", "choice", 64), text=text.source, accessible=text.source)
            button.setCheckable(True)
            button.setProperty("category", key)
            self.categories.addButton(button)
            self.category_buttons[key] = button
        self.categories.buttonToggled.connect(lambda *_: self.changed.emit())
        self.outer.addLayout(self.category_grid)

        self.text = QPlainTextEdit()
        self.text.setObjectName("debriefText")
        keep(self.text, accessible=N_("What you noticed"), placeholder=N_("Tap here and write what you saw or heard…"))
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(96)
        self.text.textChanged.connect(lambda: self.changed.emit())
        self.outer.addWidget(self.text, 1)

        self.quote = QLineEdit()
        self.quote.setObjectName("debriefQuote")
        keep(self.quote, accessible=N_("A customer's own words (optional)"),
             placeholder=N_("A customer's own words (optional)"))
        self.quote.setMinimumHeight(64)
        self.quote.textChanged.connect(lambda _text: self.changed.emit())
        self.outer.addWidget(self.quote)
        self.keyboard = OnScreenKeyboard(None, key_size=52, names=False)
        self.keyboard.hide()
        self.outer.addWidget(self.keyboard)

        actions = QHBoxLayout()
        actions.setSpacing(12)
        actions.addWidget(keep(label("", "small", wrap=False), text=N_("How big?")))
        self.impacts = QButtonGroup(self)
        self.impact_buttons: dict[str, QPushButton] = {}
        for key, text in IMPACT_LABELS.items():
            button = keep(big_button("", "", "choice", 64), text=text.source, accessible=text.source)
            button.setCheckable(True)
            button.setProperty("impact", key)
            self.impacts.addButton(button)
            self.impact_buttons[key] = button
            actions.addWidget(button)
        self.impacts.buttonToggled.connect(lambda *_: self.changed.emit())
        self.keyboard_button = keep(big_button("⌨", "", "choice", 64),
                                    accessible=N_("Show or hide the on-screen keyboard"))
        self.keyboard_button.setCheckable(True)
        self.keyboard_button.toggled.connect(self.on_keyboard_toggled)
        actions.addWidget(self.keyboard_button)
        self.status = label("", "status", wrap=True, align=Qt.AlignmentFlag.AlignRight)
        keep(self.status, accessible=N_("Saved status"))
        actions.addWidget(self.status, 1)
        self.finish = keep(big_button("", "", "primary", 80), accessible=N_("Skip or save"))
        self.finish.setMinimumWidth(160)
        self.finish.clicked.connect(self.finish_clicked.emit)
        actions.addWidget(self.finish)
        self.outer.addLayout(actions)
        self.changed.connect(self.on_changed)
        self._columns = 0
        self.relayout(1024, 768)

    def reset(self, name: str, given_text: str) -> None:
        self.blockSignals(True)
        self.thank(name, given_text)
        for group in (self.categories, self.impacts):
            group.setExclusive(False)
            for button in group.buttons():
                button.setChecked(False)
            group.setExclusive(True)
        self.text.clear()
        self.quote.clear()
        self.status.setText("")
        self.keyboard_button.setChecked(False)
        self.blockSignals(False)
        self.on_changed()

    def thank(self, name: str, given_text: str) -> None:
        """The thanks and time given (again, in a visitor's newly chosen language)."""
        self.headline.setText(_("Thank you, {name}!").format(name=isolate(name)))
        self.given.setText(given_text)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.LanguageChange:
            self.on_changed()
        super().changeEvent(event)

    def on_keyboard_toggled(self, shown: bool) -> None:
        # While typing on screen the thanks and the choices above give their room to the keys
        # (the choices come back with the keyboard hidden).
        self.keyboard.setVisible(shown)
        self._show_parts()
        if shown and not self.quote.hasFocus():
            self.text.setFocus()

    def _show_parts(self) -> None:
        typing = self.keyboard_button.isChecked()
        short = self.height() < self.SHORT
        for widget in (self.given, *self.category_buttons.values()):
            widget.setVisible(not typing)
        for widget in (self.headline, self.languages):
            widget.setVisible(not typing and not short)
        # Only a very short page drops the question: the text box's placeholder asks it too.
        self.question.setVisible(not typing and self.height() >= TIGHT)
        self.quote.setVisible(not (typing and short))
        if typing:
            height = self.height()
            rows = len(self.keyboard.rows)
            self.keyboard.set_key_size(min(64, int((height * 0.45 - 6 * (rows - 1)) / rows)))
        self.text.setMinimumHeight((72 if typing else 56) if self.tight else 96)

    def has_content(self) -> bool:
        return bool(self.text.toPlainText().strip() or self.quote.text().strip())

    def values(self) -> dict:
        category = self.categories.checkedButton()
        impact = self.impacts.checkedButton()
        return {"category": category.property("category") if category else None,
                "impact": impact.property("impact") if impact else None,
                "text": self.text.toPlainText(), "quote": self.quote.text()}

    def on_changed(self) -> None:
        self.finish.setText(_("Save") if self.has_content() else _("Skip"))

    def relayout(self, width: int, height: int) -> None:
        super().relayout(width, height)
        self.category_grid.setSpacing(6 if self.tight else 10)
        self.quote.setMinimumHeight(44 if self.tight else 64)
        if self.tight:
            for button in self.category_buttons.values():
                button.setMinimumHeight(44)
        self._show_parts()
        columns = 5 if width >= 1500 else 3
        if columns == self._columns:
            return
        self._columns = columns
        for index, button in enumerate(self.category_buttons.values()):
            self.category_grid.addWidget(button, index // columns, index % columns)


class ForgottenPage(Page):
    """After a visit closed by itself: 'when did you leave?' with big +/- steps."""

    key = "forgotten"
    save_clicked = Signal()
    unknown_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.headline = label("", "headline")
        self.question = label("", "big")
        self.outer.addWidget(self.headline)
        self.outer.addWidget(self.question)
        self.outer.addStretch(1)
        self.time = label("", "clock", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        keep(self.time, accessible=N_("Time you left"))
        self.outer.addWidget(self.time)
        stepper = QHBoxLayout()
        stepper.setSpacing(16)
        stepper.addStretch(1)
        self.step_buttons = []
        for text, minutes, name in ((N_("− 1 h"), -60, N_("One hour earlier")),
                                    (N_("− 15 min"), -15, N_("15 minutes earlier")),
                                    (N_("+ 15 min"), 15, N_("15 minutes later")),
                                    (N_("+ 1 h"), 60, N_("One hour later"))):
            button = keep(big_button("", "", "choice", 80), text=text, accessible=name)
            button.setMinimumWidth(180)
            button.setProperty("minutes", minutes)
            self.step_buttons.append(button)
            stepper.addWidget(button)
        stepper.addStretch(1)
        self.outer.addLayout(stepper)
        self.outer.addStretch(1)
        actions = QHBoxLayout()
        self.unknown = keep(big_button("", "", "secondary", 80), text=N_("I don't remember"),
                            accessible=N_("I don't remember"))
        self.unknown.clicked.connect(self.unknown_clicked.emit)
        self.save = keep(big_button("", "", "primary", 80), text=N_("That's right"),
                         accessible=N_("Save the time I left"))
        self.save.setMinimumWidth(260)
        self.save.clicked.connect(self.save_clicked.emit)
        actions.addWidget(self.unknown)
        actions.addStretch(1)
        actions.addWidget(self.save)
        self.outer.addLayout(actions)


class NoBadgePage(Page):
    """Find your name: type a few letters (on screen or on a keyboard), tap your name."""

    key = "no_badge"
    person_chosen = Signal(str)
    back_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.headline = keep(label("", "headline"), text=N_("Find your name"))
        self.outer.addWidget(self.headline)
        # The search box and Back on one row: the list of names below needs the height.
        row = QHBoxLayout()
        row.setSpacing(12)
        self.search = QLineEdit()
        self.search.setObjectName("nameSearch")
        keep(self.search, accessible=N_("Your name"), placeholder=N_("Type the first letters of your name"))
        self.search.setMinimumHeight(72)
        self.search.setClearButtonEnabled(True)
        row.addWidget(self.search, 1)
        self.back = keep(big_button("", "", "secondary", 72), text=N_("Back"), accessible=N_("Back to the start"))
        self.back.setMinimumWidth(160)
        self.back.clicked.connect(self.back_clicked.emit)
        row.addWidget(self.back)
        self.outer.addLayout(row)
        self.results = QListWidget()
        self.results.setObjectName("nameResults")
        keep(self.results, accessible=N_("People whose name matches"))
        self.results.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        # A long name is shortened at its end rather than scrolled sideways.
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.setMinimumHeight(96)
        self.results.itemClicked.connect(self.on_item)
        self.results.itemActivated.connect(self.on_item)
        self.outer.addWidget(self.results, 1)
        self.empty = label("", "small")
        self.outer.addWidget(self.empty)
        self.keyboard = OnScreenKeyboard(self.search)
        self.outer.addWidget(self.keyboard)
        self._shown: tuple[list[dict], str] = ([], "")

    def reset(self) -> None:
        self.search.clear()
        self.results.clear()
        self.empty.setText(_("Type at least two letters; your name will appear here."))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.LanguageChange:
            self.show_people(*self._shown)
        super().changeEvent(event)

    def show_people(self, people: list[dict], query: str) -> None:
        self._shown = (people, query)
        self.results.clear()
        for person in people:
            # What the tap will do comes before the department, so a narrow screen cuts the latter.
            text = isolate(person["name"])
            if person.get("on_site"):
                text += "  ·  " + _("here now: tap to check out")
            if person.get("department"):
                text += f"  ·  {person['department']}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, person["id"])
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            self.results.addItem(item)
        if len(query.strip()) < 2:
            self.empty.setText(_("Type at least two letters; your name will appear here."))
        elif not people:
            self.empty.setText(_("No one by that name. Please ask the shift lead."))
        else:
            self.empty.setText(_("Tap your name."))
        self._show_hint()

    def on_item(self, item: QListWidgetItem) -> None:
        self.person_chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def relayout(self, width: int, height: int) -> None:
        super().relayout(width, height)
        # On a short screen the list needs the room as much as the letters do: the heading
        # goes (the search box says what to do), then the digits (a name rarely has any), and
        # the keys shrink towards a finger's width.
        self.headline.setVisible(height >= 800)
        self.search.setMinimumHeight(TIGHT_BUTTON if self.tight else 72)
        self.keyboard.set_digits_visible(height >= 900)
        rows = self.keyboard.row_count()
        self.keyboard.set_key_size(min(72, int(height * 0.42 - 6 * (rows - 1)) // rows))
        self._show_hint()

    def _show_hint(self) -> None:
        # With names listed, "Tap your name" is clear enough without its own line on a short screen.
        self.empty.setVisible(self.results.count() == 0 or self.height() >= 800)


class PinPage(Page):
    """The shift-lead PIN, to leave kiosk mode or to confirm a check-in without badge."""

    key = "pin"
    tight_below = 700  # the pad and what it is for, beside each other: also 1024x768 under a banner

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.headline = label("", "headline", align=Qt.AlignmentFlag.AlignCenter)
        self.outer.addWidget(self.headline)
        self.row = row = QHBoxLayout()
        row.setSpacing(24)
        # On a tight page who or what the PIN is for stands beside the pad instead of above it.
        self.side = label("", "big", align=Qt.AlignmentFlag.AlignLeft)
        self.side.hide()
        row.addWidget(self.side, 2)
        row.addStretch(1)
        self.pad = PinPad(_("Shift lead: enter your PIN"), button_size=80)
        keep(self.pad.cancel_button, text=N_("Cancel"), accessible=N_("Cancel"))
        keep(self.pad.ok_button, accessible=N_("Confirm PIN"))
        keep(self.pad.delete_button, accessible=N_("Delete last digit"))
        keep(self.pad.display, accessible=N_("PIN"))
        keep(self.pad.message, accessible=N_("PIN message"))
        self.pad.setMaximumWidth(760)
        self._compact: bool | None = None
        row.addWidget(self.pad, 2, Qt.AlignmentFlag.AlignVCenter)
        row.addStretch(1)
        self.outer.addLayout(row, 1)
        self.purpose = ""

    def open(self, purpose: str, headline: str, title: str) -> None:
        self.purpose = purpose
        self.headline.setText(headline)
        self._title = title
        self.pad.reset(self._pad_title())
        self.pad.set_locked(False)

    def _pad_title(self) -> str:
        # Without its headline (a short screen) the pad still says who or what the PIN is for.
        title = getattr(self, "_title", "")
        self.side.setText(f"{self.headline.text()}\n\n{title}".strip())
        if not self.headline.isHidden() or not self.headline.text():
            return title
        return f"{self.headline.text()}\n{title}"

    def relayout(self, width: int, height: int) -> None:
        super().relayout(width, height)
        # Below 800 pixels the pad's own title says what the PIN is for.
        self.headline.setVisible(height >= 800)
        self.side.setVisible(self.tight)
        self.pad.title.setVisible(not self.tight)
        # side by side: half each; otherwise the pad in the middle
        for index, stretch in enumerate((1, 0, 1, 0) if self.tight else (2, 1, 2, 1)):
            self.row.setStretch(index, stretch)
        self.pad.title.setText(self._pad_title())
        size = 48 if height < TIGHT else 56 if height < 800 else 64 if height < 900 else 88
        if size != self._compact:
            self._compact = size
            self.pad.set_button_size(size)
            # The pad's own gaps (its layout and its grid of keys) close up on a short page.
            pad_layout = self.pad.layout()
            pad_layout.setSpacing(6 if height < 800 else 16)
            for index in range(pad_layout.count()):
                grid = pad_layout.itemAt(index).layout()
                if grid is not None:
                    grid.setSpacing(6 if height < 800 else 12)


def fit_windowed(window: QWidget, width: int = 1280, height: int = 800) -> None:
    """A windowed kiosk (a PC someone also works on) at width x height, or smaller to fit the
    screen's free room with its title bar (a 1366x768 screen with a taskbar has 1366x698 for it),
    placed in the middle of that room."""
    room = window.screen().availableGeometry()
    frame = window.frameGeometry().height() - window.geometry().height() if window.isVisible() else 0
    frame = frame or 30  # not shown yet: a usual title bar
    size = QSize(min(width, room.width()), min(height, room.height() - frame))
    window.resize(size)
    window.move(room.x() + (room.width() - size.width()) // 2,
                room.y() + frame + (room.height() - frame - size.height()) // 2)


def forgotten_question(check_in_local: dt.datetime, today: dt.date) -> str:
    arrived = format_time(check_in_local)
    if (today - check_in_local.date()).days == 1:
        return _("You didn't scan out yesterday (you arrived at {time}). When did you leave?").format(time=arrived)
    return _("You didn't scan out on {day} (you arrived at {time}). When did you leave?").format(
        day=format_date(check_in_local, "MMMMEEEEd"), time=arrived)


class LanguageBar(QWidget):
    """The languages a visitor can read the kiosk in, each named in itself; tapping one switches
    the kiosk for this visitor until it returns to its idle screen."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None, compact: bool = False):
        super().__init__(parent)
        self.setObjectName("languageBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QPushButton] = {}
        for code in i18n.available():
            # Compact, where room is short: 'FR', still read out as 'Français'.
            button = big_button(code.upper() if compact else i18n.language_name(code), i18n.language_name(code),
                                "language", 48)
            button.setCheckable(True)
            button.setProperty("language", code)
            button.clicked.connect(lambda _=False, c=code: self.chosen.emit(c))
            self.group.addButton(button)
            self.buttons[code] = button
            layout.addWidget(button)
        self.mark_current()

    def mark_current(self) -> None:
        button = self.buttons.get(i18n.current())
        if button is not None:
            button.setChecked(True)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.LanguageChange:
            self.mark_current()
        super().changeEvent(event)
