"""The Floor page: who is on the floor now and doing what, the task catalogue to drag from,
today's expected arrivals, those who already left, who didn't check out on the last open day
(with a one-step correction), and the roll call printed in one click. Every change made here can
be taken back with Ctrl+Z; the board is usable from the keyboard alone (Enter gives a task)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, QTime, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialogButtonBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSplitter,
                               QStackedWidget, QTableView, QTimeEdit, QVBoxLayout, QWidget)

from ...i18n import N_, _, format_date, format_number, format_time, ngettext
from ..language import keep
from ...errors import UserError
from ...services import bookings, hours, roster, settings, tasks as task_service, visits
from ...timeutil import local
from .common import (ERROR, SUCCESS, WARNING, ElidingLabel, FormDialog, LeadContext, confirm,
                     fit_columns_to_contents, guard_search_box, record_table)
from .models import TASK_MIME, DidntCheckOutModel, ExpectedModel, FloorModel, LeftTodayModel, TaskModel

#: The side list of expected people shows the earliest this many (a list of thousands helps
#: nobody, and reading them all slowed every refresh of the board); the title gives the count.
EXPECTED_SHOWN = 200
CHECKOUT_REASONS = [N_("Forgot to scan out"), N_("Left early"), N_("Went home unwell"), N_("Badge not working"),
                    N_("Shift ended")]


def _table(model, stretch_column: int | None = None) -> QTableView:
    view = record_table(model, stretch_column=stretch_column)
    # On a small screen the columns scroll rather than vanish, and two rows stay in view (the
    # page scrolls instead of squeezing a list down to its header).
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    view.setMinimumHeight(112)
    return view


class FloorBoard(QTableView):
    """The board of people on the floor. A task dropped on a person (MIME TASK_MIME, the
    task's id) is reported with task_dropped(visit_id, task_id)."""

    task_dropped = Signal(str, str)
    #: Enter on a person: give them a task
    open_requested = Signal()

    def __init__(self, model: FloorModel, parent=None):
        super().__init__(parent)
        self.setObjectName("floorBoard")
        self.setModel(model)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(42)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        fit_columns_to_contents(self)
        # Who, what they do and for how long come first: on a narrow screen the department is
        # what scrolls out of view (a stretching task column used to be squeezed out of sight).
        header.moveSection(header.visualIndex(model.column_of("task_title")), 1)
        header.moveSection(header.visualIndex(model.column_of("on_floor")), 2)
        header.setStretchLastSection(True)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.selectRow(self.currentIndex().row())
            self.open_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def _person_row(self, event) -> int:
        return self.indexAt(event.position().toPoint()).row()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(TASK_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        row = self._person_row(event)
        if event.mimeData().hasFormat(TASK_MIME) and row >= 0:
            # Show whom the task would go to.
            self.selectRow(row)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        row = self._person_row(event)
        person = self.model().row_at(row)
        if not event.mimeData().hasFormat(TASK_MIME) or person is None:
            event.ignore()
            return
        task_id = bytes(event.mimeData().data(TASK_MIME).data()).decode("utf-8")
        event.acceptProposedAction()
        self.selectRow(row)
        self.task_dropped.emit(person["visit_id"], task_id)


class TaskPicker(FormDialog):
    """Pick a task for one person: full and archived tasks are listed but cannot be chosen."""

    def __init__(self, parent, person_name: str, task_rows: list[dict], current_task_id: str | None):
        super().__init__(parent, _("Give {name} a task").format(name=person_name), ok_text=_("Give task"))
        self.setObjectName("taskPicker")
        self.body.addWidget(QLabel(_("Which task should <b>{name}</b> do now?").format(name=person_name)))
        self.list = QListWidget()
        self.list.setObjectName("taskPickerList")
        for row in task_rows:
            places = (_("no limit") if row["capacity"] is None
                      else _("{taken} of {capacity} places taken").format(taken=row["taken"], capacity=row["capacity"]))
            text = f"{row['title']}   ·   {row['area'] or _('anywhere')}   ·   {places}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, row["id"])
            if row["id"] == current_task_id:
                item.setText(text + "   " + _("(current task)"))
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            elif TaskModel.is_full(row):
                item.setText(f"{row['title']}   ·   " + _("FULL ({taken} of {capacity})").format(
                    taken=row["taken"], capacity=row["capacity"]))
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(_("Full: finish or move someone first, or raise its capacity on the Tasks page."))
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.list.currentItemChanged.connect(lambda *_: self.ok_button.setEnabled(self.chosen() is not None))
        self.body.addWidget(self.list)
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.finish_layout()
        self.resize(560, 420)

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        if item is None or not (item.flags() & Qt.ItemFlag.ItemIsEnabled):
            return None
        return item.data(Qt.ItemDataRole.UserRole)


class CheckOutDialog(FormDialog):
    """Check a person out by hand, saying why (kept with the visit)."""

    def __init__(self, parent, person_name: str):
        super().__init__(parent, _("Check {name} out").format(name=person_name), ok_text=_("Check out"))
        self.setObjectName("checkOutDialog")
        self.body.addWidget(QLabel(_("Check <b>{name}</b> out now. Why are you doing it by hand?")
                                   .format(name=person_name)))
        self.reason = QComboBox()
        self.reason.setObjectName("checkOutReason")
        self.reason.setEditable(True)
        self.reason.addItems([_(reason) for reason in CHECKOUT_REASONS])
        self.reason.setCurrentIndex(0)
        self.body.addWidget(self.reason)
        self.buttons.accepted.connect(self.accept)
        self.finish_layout()
        self.resize(440, 160)


class DepartureDialog(FormDialog):
    """One step for a visit nobody checked out: the time they left, or the closing time confirmed."""

    def __init__(self, parent, row: dict, tz: str):
        arrived, closed = local(row["check_in_at"], tz), local(row["ended_at"], tz)
        super().__init__(parent, _("When did {name} leave?").format(name=row["name"]), ok_text=_("Save this time"))
        self.setObjectName("departureDialog")
        self.keep_closing = False
        story = QLabel(_("<b>{name}</b> arrived at {time} on {day} and did not scan out, so the visit ended at "
                         "closing time ({closing}) as an estimate.").format(
            name=row["name"], time=format_time(arrived), day=format_date(arrived, "MMMMEEEEd"),
            closing=format_time(closed)))
        story.setWordWrap(True)
        self.body.addWidget(story)
        self.time = QTimeEdit()
        self.time.setObjectName("departureTime")
        self.time.setDisplayFormat("HH:mm")
        self.time.setTimeRange(QTime(arrived.hour, arrived.minute), QTime(closed.hour, closed.minute))
        guess = min(closed, arrived + dt.timedelta(hours=3))
        self.time.setTime(QTime(guess.hour, guess.minute - guess.minute % 15))
        asked = QLabel(_("They left at"))
        asked.setBuddy(self.time)
        line = QHBoxLayout()
        line.addWidget(asked)
        line.addWidget(self.time)
        line.addStretch(1)
        self.body.addLayout(line)
        self.keep_button = self.buttons.addButton(_("Keep {time} (confirm)").format(time=format_time(closed)),
                                                  QDialogButtonBox.ButtonRole.ActionRole)
        self.keep_button.setObjectName("keepClosingTime")
        self.keep_button.clicked.connect(self.on_keep_clicked)
        self.buttons.accepted.connect(self.accept)
        self.finish_layout()
        self.resize(460, 180)
        self.arrived = arrived

    def on_keep_clicked(self) -> None:
        self.keep_closing = True
        self.accept()

    def left_at(self) -> dt.datetime | None:
        """The chosen time on the visit's day (None: keep the closing time)."""
        if self.keep_closing:
            return None
        chosen = self.time.time()
        return self.arrived.replace(hour=chosen.hour(), minute=chosen.minute(), second=0)


class CheckInDialog(FormDialog):
    """Check in someone who came without their badge: find them by name."""

    def __init__(self, parent, people: list[dict]):
        super().__init__(parent, _("Check someone in by hand"), ok_text=_("Check in"))
        self.setObjectName("checkInDialog")
        self.body.addWidget(keep(QLabel(), text=N_("Only for someone you recognise who has no badge with them.")))
        self.search = QLineEdit()
        self.search.setObjectName("checkInSearch")
        guard_search_box(self.search, parent.ctx)
        keep(self.search, placeholder=N_("Type part of their name…"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setObjectName("checkInList")
        keep(self.search, accessible=N_("Name"))
        for person in people:
            label = f"{person['name']}   ·   {person['department'] or _('no department')}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, person["id"])
            self.list.addItem(item)
        self.search.textChanged.connect(self.on_search)
        self.search.returnPressed.connect(self.on_return)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.list.currentItemChanged.connect(lambda *_: self.ok_button.setEnabled(self.chosen() is not None))
        self.body.addWidget(self.search)
        self.body.addWidget(self.list)
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.finish_layout()
        self.resize(480, 460)

    def on_search(self, text: str) -> None:
        needle = text.casefold().strip()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hidden = bool(needle) and needle not in item.text().casefold()
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        self.list.setCurrentItem(first)

    def choose(self, person_id: str) -> None:
        """Pre-select one person (two people can share a name)."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == person_id and not item.isHidden():
                self.list.setCurrentItem(item)

    def on_return(self) -> None:
        if self.chosen():
            self.accept()

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None or item.isHidden() else item.data(Qt.ItemDataRole.UserRole)


class FloorPage(QWidget):
    """The default page: the live board and everything the lead does with people on the floor."""

    title = N_("Floor")

    def __init__(self, ctx: LeadContext, parent=None):
        super().__init__(parent)
        self.setObjectName("floorPage")
        self.ctx = ctx
        self.picker: TaskPicker | None = None
        self.check_out_dialog: CheckOutDialog | None = None
        self.check_in_dialog: CheckInDialog | None = None
        self.departure_dialog: DepartureDialog | None = None
        #: How a made roll call is opened (the system's PDF viewer); tests replace it.
        self.open_file = lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        self.last_roll_call: Path | None = None
        tz = settings.site_timezone(ctx.storage)
        self.model = FloorModel(ctx.now, tz, self)
        self.task_model = TaskModel(editable=False, parent=self)
        self.expected_model = ExpectedModel(tz, self)
        self.left_model = LeftTodayModel(tz, self)
        self.didnt_model = DidntCheckOutModel(tz, self)

        self.heading = keep(QLabel(), text=N_("On the floor now"))
        self.heading.setObjectName("pageTitle")
        self.counts = QLabel()
        self.counts.setObjectName("floorCounts")
        self.assign_button = keep(QPushButton(), text=N_("&Give task…"))
        keep(self.assign_button, tooltip=N_("Choose a task for the selected person (Enter on the board, or drag a "
                                            "task onto them)"))
        self.done_button = keep(QPushButton(), text=N_("Mark task &done…"))
        self.check_out_button = keep(QPushButton(), text=N_("Check &out…"))
        keep(self.check_out_button, tooltip=N_("Check the selected person out by hand (Delete on the board)"))
        self.check_in_button = keep(QPushButton(), text=N_("Check &in by hand…"))
        self.roll_call_button = keep(QPushButton(), text=N_("Print &roll call"))
        keep(self.roll_call_button, tooltip=N_("Who is on site now, on one page (for an evacuation)"))
        for button, name in ((self.assign_button, "give_task"), (self.done_button, "mark_task_done"),
                             (self.check_out_button, "check_out"), (self.check_in_button, "check_in_by_hand"),
                             (self.roll_call_button, "print_roll_call")):
            button.setObjectName(name)
        self.assign_button.setProperty("primary", True)

        self.board = FloorBoard(self.model)
        self.empty = keep(QLabel(), text=N_("Nobody is on the floor yet.\nPeople appear here as soon as they scan "
                                            "their badge at the kiosk,\nor when you check them in by hand."))
        self.empty.setObjectName("emptyBoard")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.board_stack = QStackedWidget()
        self.board_stack.addWidget(self.board)
        self.board_stack.addWidget(self.empty)

        self.catalogue = _table(self.task_model, stretch_column=0)
        self.catalogue.setObjectName("floorCatalogue")
        self.catalogue.setDragEnabled(True)
        self.catalogue.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.catalogue.setDefaultDropAction(Qt.DropAction.CopyAction)
        # Who is expected matters more than their planned task: the task takes what is left.
        self.expected = _table(self.expected_model, stretch_column=self.expected_model.column_of("task_title"))
        self.expected.setObjectName("expectedList")
        self.left = _table(self.left_model, stretch_column=0)
        self.left.setObjectName("leftList")
        self.didnt = _table(self.didnt_model, stretch_column=0)
        self.didnt.setObjectName("didntCheckOutList")
        # Its height is set for its rows: a scroll bar would hide one.
        self.didnt.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        keep(self.didnt, tooltip=N_("Double-click (or Enter) to set when they left, or to confirm the closing time."))
        self.expected_title = keep(QLabel(), text=N_("Expected today, not in yet"))
        self.left_title = keep(QLabel(), text=N_("Left today"))
        self.didnt_title = keep(QLabel(), text=N_("Didn't check out"))
        self.didnt_title.setWordWrap(True)
        catalogue_title = keep(QLabel(), text=N_("Tasks — drag one onto a person"))
        for label in (self.expected_title, self.left_title, self.didnt_title, catalogue_title):
            label.setObjectName("sectionTitle")
            label.setWordWrap(True)

        # Two short rows rather than one long one, so that a 1024 px screen shows every button.
        self.counts.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addSpacing(12)
        top.addWidget(self.counts, 1)
        top.addWidget(self.check_in_button)
        top.addWidget(self.roll_call_button)
        actions = QHBoxLayout()
        self.selection_hint = keep(ElidingLabel(""), text=N_("Selected person:"))
        self.selection_hint.setObjectName("hint")
        self.selection_hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        actions.addWidget(self.selection_hint, 1)
        for button in (self.assign_button, self.done_button, self.check_out_button):
            actions.addWidget(button)

        side = QWidget()
        side.setMinimumWidth(240)
        side.setMaximumWidth(560)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(2)
        side_layout.addWidget(catalogue_title)
        side_layout.addWidget(self.catalogue, 5)
        side_layout.addWidget(self.expected_title)
        side_layout.addWidget(self.expected, 3)
        side_layout.addWidget(self.left_title)
        side_layout.addWidget(self.left, 3)

        # Under the board (which is empty in the morning, when this list matters), only when needed.
        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(self.board_stack, 1)
        main_layout.addWidget(self.didnt_title)
        main_layout.addWidget(self.didnt)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(main)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        # The side column takes about a third of the width until the lead drags the handle.
        self._auto_split = True
        self.splitter.splitterMoved.connect(lambda *_: setattr(self, "_auto_split", False))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.splitter, 1)

        # Connections in one place.
        self.board.task_dropped.connect(self.on_task_dropped)
        self.board.selectionModel().selectionChanged.connect(self.on_selection_changed)
        self.board.doubleClicked.connect(lambda _index: self.on_assign_clicked())
        self.board.open_requested.connect(self.on_assign_clicked)
        self.assign_button.clicked.connect(self.on_assign_clicked)
        self.done_button.clicked.connect(self.on_done_clicked)
        self.check_out_button.clicked.connect(self.on_check_out_clicked)
        self.check_in_button.clicked.connect(self.on_check_in_clicked)
        self.expected.doubleClicked.connect(self.on_expected_double_clicked)
        self.didnt.doubleClicked.connect(self.on_didnt_activated)
        self.didnt.activated.connect(self.on_didnt_activated)
        self.roll_call_button.clicked.connect(self.on_roll_call_clicked)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.board, self.on_check_out_clicked)

        for before, after in ((self.board, self.assign_button), (self.assign_button, self.done_button),
                              (self.done_button, self.check_out_button), (self.check_out_button, self.check_in_button),
                              (self.check_in_button, self.roll_call_button), (self.roll_call_button, self.catalogue),
                              (self.catalogue, self.expected), (self.expected, self.left), (self.left, self.didnt)):
            QWidget.setTabOrder(before, after)
        keep(self.expected, tooltip=N_("Double-click someone who arrived without their badge to check them in."))

        # The clock ticks the time-on-floor column; the database is never polled here.
        self.ticker = QTimer(self)
        self.ticker.setInterval(15000)
        self.ticker.timeout.connect(self.model.tick)
        self.ticker.start()
        self.refresh()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._auto_split:
            total = self.splitter.width()
            side = max(240, min(560, total // 3))
            self.splitter.setSizes([total - side, side])

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the board from the database and update the models in place (public so
        that it can be timed)."""
        storage, now = self.ctx.storage, self.ctx.now()
        tz = settings.site_timezone(storage)
        for model in (self.model, self.expected_model, self.left_model, self.didnt_model):
            model.timezone = tz
        self.model.set_rows(visits.on_floor(storage, now))
        self.task_model.set_rows(task_service.list_tasks(storage))
        self.expected_model.set_rows(bookings.expected_today(storage, now, limit=EXPECTED_SHOWN))
        self.left_model.set_rows(visits.left_today(storage, now))
        on_floor, expected, left = self.model.rowCount(), self.expected_model.rowCount(), self.left_model.rowCount()
        shown_expected = expected
        if expected == EXPECTED_SHOWN:
            expected = bookings.count_expected_today(storage, now)
        no_task = sum(1 for r in self.model.rows() if not r.get("task_title"))
        parts = [_("<b>{count}</b> on the floor").format(count=format_number(on_floor))]
        if no_task:
            parts.append("<b style='color:#b45309'>" + ngettext("{count} without a task", "{count} without a task",
                                                                no_task).format(count=format_number(no_task))
                         + "</b>")
        parts += [ngettext("{count} expected", "{count} expected", expected).format(count=format_number(expected)),
                  ngettext("{count} left today", "{count} left today", left).format(count=format_number(left))]
        self.counts.setText("  ·  ".join(parts))
        day, forgotten = visits.didnt_check_out(storage, now)
        self.didnt_model.set_rows(forgotten)
        estimated = sum(r["minutes"] for r in forgotten)
        if day == local(now, tz).date() - dt.timedelta(days=1):
            title = _("Didn't check out yesterday ({count} · {hours} h estimated)")
        elif day:
            title = _("Didn't check out on {day} ({count} · {hours} h estimated)")
        else:
            title = _("Didn't check out ({count} · {hours} h estimated)")
        title = title.format(day=format_date(day, "MMMEd") if day else "", count=format_number(len(forgotten)),
                             hours=hours.hours_text(estimated))
        hint = _("— double-click one to correct")
        self.didnt_title.setText(f"{title} <span style='font-weight:normal'>{hint}</span>")
        # Up to four rows show without scrolling; the board keeps the rest of the height.
        shown = min(4, len(forgotten))
        self.didnt.setFixedHeight(self.didnt.horizontalHeader().sizeHint().height() + 2
                                  + shown * self.didnt.verticalHeader().defaultSectionSize())
        for widget in (self.didnt_title, self.didnt):
            widget.setVisible(bool(forgotten))
        self.expected_title.setText(
            _("Expected today, not in yet ({count})").format(count=format_number(expected)) if expected == shown_expected
            else _("Expected today, not in yet ({count}; the first {shown} shown)").format(
                count=format_number(expected), shown=format_number(shown_expected)))
        self.left_title.setText(_("Left today ({count})").format(count=format_number(left)))
        self.board_stack.setCurrentWidget(self.board if on_floor else self.empty)
        self.on_selection_changed()


    def selected(self) -> dict | None:
        rows = self.board.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_person(self, person_id: str) -> None:
        for i, row in enumerate(self.model.rows()):
            if row["person_id"] == person_id:
                self.board.selectionModel().select(
                    self.model.index(i, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                return

    def on_selection_changed(self, *_args) -> None:
        person = self.selected()
        self.assign_button.setEnabled(person is not None)
        self.check_out_button.setEnabled(person is not None)
        self.done_button.setEnabled(bool(person and person.get("task_id")))
        self.assign_button.setText(_("Chan&ge task…") if person and person.get("task_id") else _("&Give task…"))
        self.selection_hint.setText(_("{name}:").format(name=person["name"]) if person else _("Select a person to:"))

    # -- doing --------------------------------------------------------------------------------
    def _run(self, action, success: str | None = None, undo=None) -> bool:
        """Do action; say success (and offer undo=(what, call_with_result)) or the reason."""
        try:
            result = action()
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return False
        if success:
            self.ctx.tell(success, SUCCESS, undo=(undo[0], lambda: undo[1](result)) if undo else None)
        self.refresh()
        self.ctx.changed(self)
        return True

    def assign(self, visit_id: str, task_id: str) -> bool:
        row = next((r for r in self.model.rows() if r["visit_id"] == visit_id), None)
        task = next((t for t in self.task_model.rows() if t["id"] == task_id), None)
        name = row["name"] if row else _("The person")
        title = task["title"] if task else _("the task")
        if row and row.get("task_id") == task_id:
            self.ctx.tell(_("{name} is already on '{task}'.").format(name=name, task=title))
            return True
        done = (_("{name} now does '{task}'.") if row and row.get("task_id") else _("{name} is on '{task}'."))
        previous = row.get("assignment_id") if row else None
        return self._run(lambda: task_service.assign(self.ctx.storage, visit_id, task_id),
                         done.format(name=name, task=title),
                         undo=(_("giving {name} '{task}'").format(name=name, task=title),
                               lambda given: task_service.undo_assign(self.ctx.storage, given["id"], previous)))

    def on_task_dropped(self, visit_id: str, task_id: str) -> None:
        self.assign(visit_id, task_id)

    def on_assign_clicked(self) -> None:
        person = self.selected()
        if person is None:
            self.ctx.tell(_("Select a person on the board first."))
            return
        self.picker = TaskPicker(self, person["name"], self.task_model.rows(), person.get("task_id"))
        visit_id = person["visit_id"]
        self.picker.accepted.connect(lambda: self.assign(visit_id, self.picker.chosen()) if self.picker.chosen()
                                     else None)
        self.picker.open()
        self.picker.list.setFocus()  # arrows choose a task, Enter gives it

    def on_done_clicked(self) -> None:
        person = self.selected()
        if person is None or not person.get("task_id"):
            self.ctx.tell(_("Select a person with a task first."))
            return
        values = {"task": person["task_title"], "name": person["name"]}
        confirm(self, _("Mark task done"),
                _("Mark '{task}' done for {name}? They will have no task until you give them the next one.")
                .format(**values), _("&Mark done"),
                lambda: self._run(lambda: task_service.complete(self.ctx.storage, person["visit_id"]),
                                  _("'{task}' done — well done, {name}. Give them their next task.").format(**values),
                                  undo=(_("'{task}' done for {name}").format(**values),
                                        lambda done: task_service.undo_complete(self.ctx.storage, done["id"]))))

    def on_check_out_clicked(self) -> None:
        person = self.selected()
        if person is None:
            self.ctx.tell(_("Select a person on the board first."))
            return
        self.check_out_dialog = CheckOutDialog(self, person["name"])
        dialog = self.check_out_dialog
        dialog.accepted.connect(lambda: self._run(
            lambda: visits.check_out_manually(self.ctx.storage, person["visit_id"], dialog.reason.currentText(),
                                              now=self.ctx.now()),
            _("{name} is checked out ({reason}).").format(
                name=person["name"], reason=dialog.reason.currentText().strip() or _("no reason given")),
            undo=(_("checking {name} out").format(name=person["name"]),
                  lambda visit: visits.undo_check_out(self.ctx.storage, visit["id"]))))
        dialog.open()

    def on_expected_double_clicked(self, index) -> None:
        booking = self.expected_model.row_at(index.row())
        if booking is not None:
            self.on_check_in_clicked(search=booking["name"], person_id=booking["person_id"])

    def on_check_in_clicked(self, _checked: bool = False, search: str = "", person_id: str = "") -> None:
        here = {r["person_id"] for r in self.model.rows()}
        people = [p for p in roster.list_people(self.ctx.storage, include_inactive=False) if p["id"] not in here]
        self.check_in_dialog = CheckInDialog(self, people)
        dialog = self.check_in_dialog

        def check_in() -> None:
            person_id = dialog.chosen()
            if person_id is None:
                return
            name = next(p["name"] for p in people if p["id"] == person_id)
            if self._run(lambda: visits.check_in_manually(self.ctx.storage, person_id, now=self.ctx.now()),
                         _("{name} is checked in. Give them a task: drag one onto their name.").format(name=name)):
                self.select_person(person_id)

        dialog.accepted.connect(check_in)
        dialog.open()
        dialog.search.setFocus()
        if search:
            dialog.search.setText(search)
        if person_id:
            dialog.choose(person_id)

    def on_didnt_activated(self, index) -> None:
        row = self.didnt_model.row_at(index.row())
        if row is None:
            return
        self.departure_dialog = DepartureDialog(self, row, self.didnt_model.timezone)
        dialog = self.departure_dialog

        def save() -> None:
            left_at = dialog.left_at()
            if left_at:
                said = _("Saved: {name} left at {time}.").format(name=row["name"], time=format_time(left_at))
            else:
                said = _("Saved: {name} stayed until closing time (confirmed).").format(name=row["name"])
            self._run(lambda: visits.correct_departure(self.ctx.storage, row["visit_id"], left_at, actor="shift lead",
                                                       now=self.ctx.now()),
                      said,
                      undo=(_("the departure time of {name}").format(name=row["name"]),
                            lambda visit: visits.undo_departure(self.ctx.storage, visit["id"])))

        dialog.accepted.connect(save)
        dialog.open()
        dialog.time.setFocus()

    def print_page(self) -> None:
        """Ctrl+P on this page: the roll call."""
        self.on_roll_call_clicked()

    def on_roll_call_clicked(self) -> None:
        """One click: the one-page roll call PDF, opened for printing."""
        from ...reports.rollcall import build_roll_call

        now = self.ctx.now()
        path = self.ctx.storage.path
        folder = (path.parent if path is not None else Path(tempfile.gettempdir())) / "roll calls"  # not translated: a folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
            out = build_roll_call(self.ctx.storage, folder / f"roll-call-{local(now, 'UTC'):%Y%m%d-%H%M%S}.pdf",
                                  now=now)
        except (UserError, OSError) as exc:
            self.ctx.tell(_("The roll call could not be made: {reason}").format(reason=exc), ERROR)
            return
        self.last_roll_call = out
        count = len(visits.roll_call(self.ctx.storage, now))
        if self.open_file(out):
            self.ctx.tell(ngettext("Roll call of {count} person opened for printing ({file}).",
                                   "Roll call of {count} people opened for printing ({file}).", count).format(
                count=format_number(count), file=out), SUCCESS)
        else:
            self.ctx.tell(ngettext("Roll call of {count} person saved as {file}; no PDF viewer is set up to open it.",
                                   "Roll call of {count} people saved as {file}; no PDF viewer is set up to open it.",
                                   count).format(count=format_number(count), file=out), WARNING)
