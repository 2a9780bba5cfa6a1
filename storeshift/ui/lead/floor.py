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

from ...errors import UserError
from ...services import bookings, hours, roster, settings, tasks as task_service, visits
from ...timeutil import local
from .common import (ERROR, SUCCESS, WARNING, ElidingLabel, FormDialog, LeadContext, confirm,
                     fit_columns_to_contents, guard_search_box, record_table)
from .models import TASK_MIME, DidntCheckOutModel, ExpectedModel, FloorModel, LeftTodayModel, TaskModel

#: The side list of expected people shows the earliest this many (a list of thousands helps
#: nobody, and reading them all slowed every refresh of the board); the title gives the count.
EXPECTED_SHOWN = 200
CHECKOUT_REASONS = ["Forgot to scan out", "Left early", "Went home unwell", "Badge not working",
                    "Shift ended"]


def _table(model, stretch_column: int | None = None) -> QTableView:
    view = record_table(model, stretch_column=stretch_column)
    # On a small screen the columns scroll rather than vanish.
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
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
        # Who and what they do come first: on a narrow screen those two stay in view and the
        # department and time scroll (a stretching task column was squeezed out of sight).
        header.moveSection(header.visualIndex(model.column_of("task_title")), 1)
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
        super().__init__(parent, f"Give {person_name} a task", ok_text="Give task")
        self.setObjectName("taskPicker")
        self.body.addWidget(QLabel(f"Which task should <b>{person_name}</b> do now?"))
        self.list = QListWidget()
        self.list.setObjectName("taskPickerList")
        for row in task_rows:
            places = ("no limit" if row["capacity"] is None
                      else f"{row['taken']} of {row['capacity']} places taken")
            text = f"{row['title']}   ·   {row['area'] or 'anywhere'}   ·   {places}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, row["id"])
            if row["id"] == current_task_id:
                item.setText(text + "   (current task)")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            elif TaskModel.is_full(row):
                item.setText(f"{row['title']}   ·   FULL ({row['taken']} of {row['capacity']})")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip("Full: finish or move someone first, or raise its capacity on the Tasks page.")
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
        super().__init__(parent, f"Check {person_name} out", ok_text="Check out")
        self.setObjectName("checkOutDialog")
        self.body.addWidget(QLabel(f"Check <b>{person_name}</b> out now. Why are you doing it by hand?"))
        self.reason = QComboBox()
        self.reason.setObjectName("checkOutReason")
        self.reason.setEditable(True)
        self.reason.addItems(CHECKOUT_REASONS)
        self.reason.setCurrentIndex(0)
        self.body.addWidget(self.reason)
        self.buttons.accepted.connect(self.accept)
        self.finish_layout()
        self.resize(440, 160)


class DepartureDialog(FormDialog):
    """One step for a visit nobody checked out: the time they left, or the closing time confirmed."""

    def __init__(self, parent, row: dict, tz: str):
        arrived, closed = local(row["check_in_at"], tz), local(row["ended_at"], tz)
        super().__init__(parent, f"When did {row['name']} leave?", ok_text="Save this time")
        self.setObjectName("departureDialog")
        self.keep_closing = False
        story = QLabel(f"<b>{row['name']}</b> arrived at {arrived:%H:%M} on {arrived:%A} {arrived.day} "
                       f"{arrived:%B} and did not scan out, so the visit ended at closing time "
                       f"({closed:%H:%M}) as an estimate.")
        story.setWordWrap(True)
        self.body.addWidget(story)
        self.time = QTimeEdit()
        self.time.setObjectName("departureTime")
        self.time.setDisplayFormat("HH:mm")
        self.time.setTimeRange(QTime(arrived.hour, arrived.minute), QTime(closed.hour, closed.minute))
        guess = min(closed, arrived + dt.timedelta(hours=3))
        self.time.setTime(QTime(guess.hour, guess.minute - guess.minute % 15))
        asked = QLabel("They left at")
        asked.setBuddy(self.time)
        line = QHBoxLayout()
        line.addWidget(asked)
        line.addWidget(self.time)
        line.addStretch(1)
        self.body.addLayout(line)
        self.keep_button = self.buttons.addButton(f"Keep {closed:%H:%M} (confirm)",
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
        super().__init__(parent, "Check someone in by hand", ok_text="Check in")
        self.setObjectName("checkInDialog")
        self.body.addWidget(QLabel("Only for someone you recognise who has no badge with them."))
        self.search = QLineEdit()
        self.search.setObjectName("checkInSearch")
        guard_search_box(self.search, parent.ctx)
        self.search.setPlaceholderText("Type part of their name…")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setObjectName("checkInList")
        self.search.setAccessibleName("Name")
        for person in people:
            label = f"{person['name']}   ·   {person['department'] or 'no department'}"
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

    title = "Floor"

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

        self.heading = QLabel("On the floor now")
        self.heading.setObjectName("pageTitle")
        self.counts = QLabel()
        self.counts.setObjectName("floorCounts")
        self.assign_button = QPushButton("&Give task…")
        self.assign_button.setToolTip("Choose a task for the selected person (Enter on the board, or drag a "
                                      "task onto them)")
        self.done_button = QPushButton("Mark task &done…")
        self.check_out_button = QPushButton("Check &out…")
        self.check_out_button.setToolTip("Check the selected person out by hand (Delete on the board)")
        self.check_in_button = QPushButton("Check &in by hand…")
        self.roll_call_button = QPushButton("Print &roll call")
        self.roll_call_button.setToolTip("Who is on site now, on one page (for an evacuation)")
        for button, name in ((self.assign_button, "give_task"), (self.done_button, "mark_task_done"),
                             (self.check_out_button, "check_out"), (self.check_in_button, "check_in_by_hand"),
                             (self.roll_call_button, "print_roll_call")):
            button.setObjectName(name)
        self.assign_button.setProperty("primary", True)

        self.board = FloorBoard(self.model)
        self.empty = QLabel("Nobody is on the floor yet.\nPeople appear here as soon as they scan their "
                            "badge at the kiosk,\nor when you check them in by hand.")
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
        self.didnt.setToolTip("Double-click (or Enter) to set when they left, or to confirm the closing time.")
        self.expected_title = QLabel("Expected today, not in yet")
        self.left_title = QLabel("Left today")
        self.didnt_title = QLabel("Didn't check out")
        self.didnt_title.setWordWrap(True)
        catalogue_title = QLabel("Tasks — drag one onto a person")
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
        self.selection_hint = ElidingLabel("Selected person:")
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
        self.expected.setToolTip("Double-click someone who arrived without their badge to check them in.")

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
        parts = [f"<b>{on_floor}</b> on the floor"]
        if no_task:
            parts.append(f"<b style='color:#b45309'>{no_task} without a task</b>")
        parts += [f"{expected:,} expected", f"{left} left today"]
        self.counts.setText("  ·  ".join(parts))
        day, forgotten = visits.didnt_check_out(storage, now)
        self.didnt_model.set_rows(forgotten)
        estimated = sum(r["minutes"] for r in forgotten)
        when = "yesterday" if day == local(now, tz).date() - dt.timedelta(days=1) else \
            (f"{day:%a} {day.day} {day:%b}" if day else "")
        self.didnt_title.setText(f"Didn't check out {when} ({len(forgotten)} · {hours.hours_text(estimated)} h "
                                 "estimated) <span style='font-weight:normal'>— double-click one to correct</span>")
        # Up to four rows show without scrolling; the board keeps the rest of the height.
        shown = min(4, len(forgotten))
        self.didnt.setFixedHeight(self.didnt.horizontalHeader().sizeHint().height() + 2
                                  + shown * self.didnt.verticalHeader().defaultSectionSize())
        for widget in (self.didnt_title, self.didnt):
            widget.setVisible(bool(forgotten))
        self.expected_title.setText(f"Expected today, not in yet ({expected:,})" if expected == shown_expected else
                                    f"Expected today, not in yet ({expected:,}; the first {shown_expected} shown)")
        self.left_title.setText(f"Left today ({left})")
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
        self.assign_button.setText("Chan&ge task…" if person and person.get("task_id") else "&Give task…")
        self.selection_hint.setText(f"{person['name']}:" if person else "Select a person to:")

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
        return True

    def assign(self, visit_id: str, task_id: str) -> bool:
        row = next((r for r in self.model.rows() if r["visit_id"] == visit_id), None)
        task = next((t for t in self.task_model.rows() if t["id"] == task_id), None)
        name = row["name"] if row else "The person"
        title = task["title"] if task else "the task"
        if row and row.get("task_id") == task_id:
            self.ctx.tell(f"{name} is already on '{title}'.")
            return True
        verb = "now does" if row and row.get("task_id") else "is on"
        previous = row.get("assignment_id") if row else None
        return self._run(lambda: task_service.assign(self.ctx.storage, visit_id, task_id),
                         f"{name} {verb} '{title}'.",
                         undo=(f"giving {name} '{title}'",
                               lambda given: task_service.undo_assign(self.ctx.storage, given["id"], previous)))

    def on_task_dropped(self, visit_id: str, task_id: str) -> None:
        self.assign(visit_id, task_id)

    def on_assign_clicked(self) -> None:
        person = self.selected()
        if person is None:
            self.ctx.tell("Select a person on the board first.")
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
            self.ctx.tell("Select a person with a task first.")
            return
        confirm(self, "Mark task done",
                f"Mark '{person['task_title']}' done for {person['name']}? They will have no task until you give "
                "them the next one.", "&Mark done",
                lambda: self._run(lambda: task_service.complete(self.ctx.storage, person["visit_id"]),
                                  f"'{person['task_title']}' done — well done, {person['name']}. "
                                  "Give them their next task.",
                                  undo=(f"'{person['task_title']}' done for {person['name']}",
                                        lambda done: task_service.undo_complete(self.ctx.storage, done["id"]))))

    def on_check_out_clicked(self) -> None:
        person = self.selected()
        if person is None:
            self.ctx.tell("Select a person on the board first.")
            return
        self.check_out_dialog = CheckOutDialog(self, person["name"])
        dialog = self.check_out_dialog
        dialog.accepted.connect(lambda: self._run(
            lambda: visits.check_out_manually(self.ctx.storage, person["visit_id"], dialog.reason.currentText(),
                                              now=self.ctx.now()),
            f"{person['name']} is checked out ({dialog.reason.currentText().strip() or 'no reason given'}).",
            undo=(f"checking {person['name']} out",
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
                         f"{name} is checked in. Give them a task: drag one onto their name."):
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
            said = f"left at {left_at:%H:%M}" if left_at else "stayed until closing time (confirmed)"
            self._run(lambda: visits.correct_departure(self.ctx.storage, row["visit_id"], left_at, actor="shift lead",
                                                       now=self.ctx.now()),
                      f"Saved: {row['name']} {said}.",
                      undo=(f"the departure time of {row['name']}",
                            lambda visit: visits.undo_departure(self.ctx.storage, visit["id"])))

        dialog.accepted.connect(save)
        dialog.open()
        dialog.time.setFocus()

    def on_roll_call_clicked(self) -> None:
        """One click: the one-page roll call PDF, opened for printing."""
        from ...reports.rollcall import build_roll_call

        now = self.ctx.now()
        path = self.ctx.storage.path
        folder = (path.parent if path is not None else Path(tempfile.gettempdir())) / "roll calls"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            out = build_roll_call(self.ctx.storage, folder / f"roll-call-{local(now, 'UTC'):%Y%m%d-%H%M%S}.pdf",
                                  now=now)
        except (UserError, OSError) as exc:
            self.ctx.tell(f"The roll call could not be made: {exc}", ERROR)
            return
        self.last_roll_call = out
        count = len(visits.roll_call(self.ctx.storage, now))
        if self.open_file(out):
            self.ctx.tell(f"Roll call of {count} {'person' if count == 1 else 'people'} opened for printing "
                          f"({out}).", SUCCESS)
        else:
            self.ctx.tell(f"Roll call of {count} saved as {out}; no PDF viewer is set up to open it.", WARNING)
