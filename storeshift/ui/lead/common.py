"""Pieces every page of the shift-lead window shares: the context (database, clock, how to
tell the lead something, the last change to undo), the inline message banner, record tables,
non-blocking confirmations and file choosers, search boxes that notice a badge, and the PIN
entry."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIntValidator, QPainter
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QDialog, QDialogButtonBox, QFileDialog, QFrame,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton, QSizePolicy,
                               QTableView, QVBoxLayout, QWidget)

from ...i18n import N_, _
from ..language import keep
from ...errors import UserError
from ...storage.db import Storage
from ...services.names import written_right_to_left  # right-to-left names in the banner
from ...timeutil import utc_now

INFO, SUCCESS, WARNING, ERROR = "info", "success", "warning", "error"


def record_table(model, name: str = "", stretch_column: int | None = None, multi_select: bool = False,
                 view: QTableView | None = None) -> QTableView:
    """A read-only table of whole-row records, as every page shows them."""
    view = view if view is not None else QTableView()
    if name:
        view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi_select
                          else QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    # Arrows move between rows; Tab leaves the table for the next control.
    view.setTabKeyNavigation(False)
    view.verticalHeader().hide()
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    fit_columns_to_contents(view)
    if stretch_column is not None:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return view


def fit_columns_to_contents(view: QTableView) -> None:
    """Columns grow to fit what they show (measured on the first 60 rows), never shrink under
    the lead's eyes, and stop following a column once the lead has resized it by hand.
    (ResizeToContents measured the rows again on every layout pass, a hundred thousand data()
    calls while the shift-lead window was built, yet missed rows that arrived later.)"""
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setResizeContentsPrecision(60)
    _ColumnFitter(view)


#: A stretching column is never squeezed below its contents or this, whichever is less.
STRETCH_FLOOR = 180


class _ColumnFitter(QObject):
    """Widens a table's columns after its rows change (once per event-loop turn, however many
    rows changed) and when it is first shown (pages not opened yet cost nothing at start).
    A stretching column fills the room the others leave, but on a narrow window it keeps the
    width of its contents (up to STRETCH_FLOOR) and the table scrolls sideways instead: a
    stretching column used to shrink to a sliver and take its column out of reach."""

    def __init__(self, view: QTableView):
        super().__init__(view)
        self.view = view
        self.pending = self.fitting = False
        self.by_hand: set[int] = set()
        self.stretching: set[int] | None = None  # found at the first fit (set up after this)
        model = view.model()
        for changed in (model.rowsInserted, model.modelReset, model.dataChanged):
            changed.connect(self.schedule)
        view.horizontalHeader().sectionResized.connect(self.on_section_resized)
        view.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Show:
            self.fit()  # before the first paint, so the columns never jump in front of the lead
        elif event.type() == QEvent.Type.Resize and self.stretching:
            self.schedule()
        return False

    def on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if not self.fitting and QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            self.by_hand.add(column)

    def schedule(self, *_args) -> None:
        if not self.pending:
            self.pending = True
            QTimer.singleShot(0, self, self.fit)

    def fit(self) -> None:
        self.pending = False
        if not self.view.isVisible() or self.view.model().rowCount() == 0:
            return
        header = self.view.horizontalHeader()
        stretch = QHeaderView.ResizeMode.Stretch
        if self.stretching is None:
            self.stretching = {c for c in range(header.count()) if header.sectionResizeMode(c) == stretch}
        self.fitting = True
        try:
            for column in range(header.count()):
                # A stretching column takes what the others leave: sizing it would fix its width.
                if column in self.by_hand or column in self.stretching or \
                        header.sectionResizeMode(column) != QHeaderView.ResizeMode.Interactive:
                    continue
                wanted = max(self.view.sizeHintForColumn(column), header.sectionSizeHint(column))
                if wanted > header.sectionSize(column):
                    header.resizeSection(column, wanted)
            for column in self.stretching:
                floor = min(STRETCH_FLOOR, max(self.view.sizeHintForColumn(column), header.sectionSizeHint(column)))
                others = sum(header.sectionSize(c) for c in range(header.count())
                             if c != column and not header.isSectionHidden(c))
                if others + floor > self.view.viewport().width():
                    header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                    header.resizeSection(column, floor)
                else:
                    header.setSectionResizeMode(column, stretch)
        finally:
            self.fitting = False


class LeadContext(QObject):
    """What the pages share: the open database (replaced after a restore), the clock, the
    one way to tell the lead something (a non-blocking banner, never a modal box) and the last
    change the lead can take back (Ctrl+Z or the banner's Undo)."""

    message = Signal(str, str)  # text, level
    #: a change was just reported with tell(..., undo=...): the banner offers to take it back
    undo_offered = Signal(str)
    storage_replaced = Signal()
    #: person ids (None: everyone) whose badge sheet the Reports page should make
    badge_sheet_requested = Signal(object)
    #: the initiator (a page) just committed a change and has shown it: see changed()
    changed_here = Signal(object)

    def __init__(self, storage: Storage, clock: Callable[[], dt.datetime] | None = None, parent=None):
        super().__init__(parent)
        self.storage = storage
        self._clock = clock
        #: (what it was, the call that takes it back) of the last undoable change, or None
        self.last_change: tuple[str, Callable[[], object]] | None = None

    def now(self) -> dt.datetime:
        return self._clock() if self._clock else utc_now()

    def tell(self, text: str, level: str = INFO, undo: tuple[str, Callable[[], object]] | None = None) -> None:
        """Show text; undo=(what, call) also makes this change the one Ctrl+Z takes back."""
        self.message.emit(text, level)
        if undo is not None:
            self.last_change = undo
            self.undo_offered.emit(undo[0])

    def changed(self, initiator: object) -> None:
        """initiator (a page) committed a change and refreshed itself: the window tells every
        other view once, and initiator is left out of that notification."""
        self.changed_here.emit(initiator)

    def undo_last(self) -> None:
        """Take back the last change; a sentence says what happened either way."""
        if self.last_change is None:
            self.tell(_("There is nothing to undo."))
            return
        (what, call), self.last_change = self.last_change, None
        try:
            call()
        except UserError as exc:
            self.tell(_("Could not undo {change}: {reason}").format(change=what, reason=exc), ERROR)
            return
        self.tell(_("Undone: {change}.").format(change=what), SUCCESS)


# The start of a badge payload: version and organisation key id.
_BADGE_IN_TEXT = re.compile(r"SS1-[A-Z2-7]{4}-")


def looks_like_badge(text: str) -> bool:
    """Whether text holds a badge code, as printed or as an AZERTY-configured scanner types it."""
    from ..scanner import from_azerty

    return any(_BADGE_IN_TEXT.search(candidate.upper()) for candidate in (text, from_azerty(text)))


def guard_search_box(box: QLineEdit, ctx: LeadContext) -> None:
    """A badge scanned into this search box (the kiosk did not have the keyboard) is taken out
    again, the rest of the scanner's burst is dropped, and the lead is told to scan it at the
    kiosk, instead of a search for the code."""
    _BadgeGuard(box, ctx)


class _BadgeGuard(QObject):
    #: keys closer together than this after a badge showed up are the rest of its burst
    BURST_END_MS = 300

    def __init__(self, box: QLineEdit, ctx: LeadContext):
        super().__init__(box)
        self.box, self.ctx = box, ctx
        self.swallowing = False
        self.quiet = QTimer(self)
        self.quiet.setSingleShot(True)
        self.quiet.setInterval(self.BURST_END_MS)
        self.quiet.timeout.connect(lambda: setattr(self, "swallowing", False))
        box.textChanged.connect(self.check)
        box.installEventFilter(self)

    def check(self, text: str) -> None:
        if looks_like_badge(text):
            self.swallowing = True
            self.quiet.start()
            self.box.clear()
            self.ctx.tell(_(BADGE_AT_KIOSK), WARNING)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if not self.swallowing or event.type() not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        self.quiet.start()
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.swallowing = False  # the scanner's last key
        return True


BADGE_AT_KIOSK = N_("That was a badge — scan it at the kiosk. (This window does not check people in.)")


class ElidingLabel(QLabel):
    """One line of text that gives up width on a narrow window, shortened in the middle with
    '…' (a long folder path keeps its start and its file name) instead of widening the window."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(self.fontMetrics().horizontalAdvance("…") * 8, super().minimumSizeHint().height())

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        area = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, area.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(area, int(self.alignment()), shown)


class Banner(QFrame):
    """An inline message strip at the top of the window: green for done, amber for a warning,
    red for a problem. Information fades after a while; problems stay until closed or replaced."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("✕")
        close.setObjectName("bannerClose")
        keep(close, tooltip=N_("Hide this message"))
        close.setFlat(True)
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(self.hide)
        self.undo_button = keep(QPushButton(), text=N_("Undo"), tooltip=N_("Take this change back (Ctrl+Z)"))
        self.undo_button.setObjectName("bannerUndo")
        self.undo_button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 8, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.level = INFO
        self.hide()

    def show_message(self, text: str, level: str = INFO) -> None:
        self.level = level
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
        icons = {INFO: "ℹ", SUCCESS: "✓", WARNING: "⚠", ERROR: "✖"}
        line = f"{icons.get(level, '')}  {text}"
        if written_right_to_left(line):  # an Arabic name first must not turn the whole line around
            line = ("\u200f" if QApplication.isRightToLeft() else "\u200e") + line
        self.label.setText(line)
        self.undo_button.hide()
        self.show()
        if level in (INFO, SUCCESS):
            self._timer.start(12000)
        else:
            self._timer.stop()

    def offer_undo(self, what: str) -> None:
        """Show Undo beside the message just shown (it reported an undoable change)."""
        self.undo_button.setAccessibleName(_("Undo {change}").format(change=what))
        self.undo_button.show()

    def text(self) -> str:
        return self.label.text()


def confirm(parent: QWidget, title: str, text: str, yes_text: str, on_yes: Callable[[], None],
            danger: bool = False) -> QMessageBox:
    """A window-modal question that does not block the event loop; on_yes runs if confirmed.
    The box is kept as parent.confirm_box so the caller (and tests) can reach it."""
    box = QMessageBox(QMessageBox.Icon.Warning if danger else QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setObjectName("confirmBox")
    box.yes_button, box.cancel_button = yes, cancel

    def finished() -> None:
        if box.clickedButton() is yes:
            on_yes()
        box.deleteLater()

    box.finished.connect(finished)
    parent.confirm_box = box
    box.open()
    return box


def choose_file(parent: QWidget, caption: str, name_filter: str, on_chosen: Callable[[Path], None],
                save: bool = False, suggested: str = "") -> QFileDialog:
    """A file chooser that does not block the event loop; kept as parent.file_dialog."""
    dialog = QFileDialog(parent, caption)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setNameFilter(name_filter)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        suffix = name_filter.split("*.")[-1].rstrip(")").split()[0] if "*." in name_filter else ""
        if suffix:
            dialog.setDefaultSuffix(suffix)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    if suggested:
        dialog.selectFile(suggested)
    dialog.fileSelected.connect(lambda path: on_chosen(Path(path)) if path else None)
    dialog.finished.connect(lambda _=0: dialog.deleteLater())
    parent.file_dialog = dialog
    dialog.open()
    return dialog


def choose_folder(parent: QWidget, caption: str, on_chosen: Callable[[Path], None]) -> QFileDialog:
    dialog = QFileDialog(parent, caption)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    dialog.fileSelected.connect(lambda path: on_chosen(Path(path)) if path else None)
    dialog.finished.connect(lambda _=0: dialog.deleteLater())
    parent.file_dialog = dialog
    dialog.open()
    return dialog


class PinField(QLineEdit):
    """A masked field that takes digits only (4 to 12), as the PIN rules say."""

    def __init__(self, placeholder: str | None = None, parent=None):
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setValidator(QIntValidator(0, 2_147_483_647, self))
        self.setMaxLength(12)
        self.setPlaceholderText(placeholder or _("PIN"))
        self.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData)


class LockScreen(QWidget):
    """Shown instead of the pages until the shift-lead PIN is entered (on start when a PIN is
    set, and after a spell of inactivity). Uses the shared PIN pad: keys or clicks."""

    unlocked = Signal()
    #: The roll call needs no PIN: in an evacuation nobody should have to unlock first.
    roll_call_requested = Signal()

    def __init__(self, check: Callable[[str], bool], parent=None):
        from ..widgets import PinPad

        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._check = check
        self.pad = PinPad("", button_size=56)
        keep(self.pad.title, text=N_("storeshift is locked — enter the shift-lead PIN"))
        self.pad.cancel_button.hide()
        self.pad.submitted.connect(self.on_submitted)
        box = QFrame()
        box.setObjectName("lockBox")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.addWidget(self.pad)
        box.setFixedWidth(400)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        self.roll_call_button = keep(QPushButton(), text=N_("Print roll call (evacuation)"))
        self.roll_call_button.setObjectName("lockRollCall")
        self.roll_call_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the PIN pad
        self.roll_call_button.clicked.connect(self.roll_call_requested)
        outer.addWidget(self.roll_call_button, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)

    def reset(self, reason: str = "") -> None:
        self.pad.reset()
        if reason:
            self.pad.show_message(reason)
        self.pad.focus()

    def on_submitted(self, pin: str) -> None:
        from ...errors import UserError

        try:
            ok = self._check(pin)
        except UserError as exc:
            self.pad.show_message(str(exc), error=True)
            return
        if ok:
            self.pad.reset()
            self.unlocked.emit()
        else:
            self.pad.show_message(_("That PIN is not right. Please try again."), error=True)
            self.pad.focus()


class FormDialog(QDialog):
    """A small window-modal form that does not block the event loop (opened with open())."""

    def __init__(self, parent: QWidget, title: str, ok_text: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.body = QVBoxLayout(self)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text or _("Save"))
        self.ok_button.setProperty("primary", True)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.body.addWidget(self.error)
        self.body.addWidget(self.buttons)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
