"""The Tasks page: the task catalogue as an editable table; add, archive or restore, set
capacity, and import a CSV after seeing every bad line."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QTableView, QVBoxLayout, QWidget)

from ...i18n import N_, _
from ..language import keep
from ...errors import UserError
from ...services import tasks as task_service
from .common import ERROR, SUCCESS, LeadContext, choose_file, fit_columns_to_contents
from .imports import ImportPreview
from .models import TaskModel


class TasksPage(QWidget):
    title = N_("Tasks")

    def __init__(self, ctx: LeadContext, parent=None):
        super().__init__(parent)
        self.setObjectName("tasksPage")
        self.ctx = ctx
        self.preview: ImportPreview | None = None
        self.model = TaskModel(editable=True, on_edit=self.on_edit, parent=self)

        heading = keep(QLabel(), text=N_("Task catalogue"))
        heading.setObjectName("pageTitle")
        hint = keep(QLabel(), text=N_("Double-click a cell to change it. Capacity is how many people can do a task "
                                      "at once (empty: no limit)."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)

        self.new_title = QLineEdit()
        self.new_title.setObjectName("newTaskTitle")
        keep(self.new_title, placeholder=N_("New task, e.g. Greet at the door"))
        self.new_area = QLineEdit()
        self.new_area.setObjectName("newTaskArea")
        keep(self.new_area, placeholder=N_("Area, e.g. Shop floor"))
        self.new_capacity = QSpinBox()
        self.new_capacity.setObjectName("newTaskCapacity")
        self.new_capacity.setRange(0, 99)
        keep(self.new_capacity, special=N_("no limit"))
        self.new_capacity.setPrefix("")
        keep(self.new_capacity, tooltip=N_("How many people can do it at once (0 = no limit)"))
        self.add_button = keep(QPushButton(), text=N_("&Add task"))
        self.add_button.setProperty("primary", True)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_title, 3)
        add_row.addWidget(self.new_area, 2)
        add_row.addWidget(keep(QLabel(), text=N_("Places:")))
        add_row.addWidget(self.new_capacity)
        add_row.addWidget(self.add_button)

        self.table = QTableView()
        self.table.setObjectName("tasksTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        fit_columns_to_contents(self.table)
        self.table.horizontalHeader().setSectionResizeMode(self.model.column_of("description"),
                                                           QHeaderView.ResizeMode.Stretch)

        self.show_archived = keep(QCheckBox(), text=N_("Show arc&hived tasks"))
        self.archive_button = keep(QPushButton(), text=N_("A&rchive"))
        self.import_button = keep(QPushButton(), text=N_("&Import CSV…"))
        actions = QHBoxLayout()
        actions.addWidget(self.show_archived)
        actions.addStretch(1)
        actions.addWidget(self.archive_button)
        actions.addWidget(self.import_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addLayout(add_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

        self.add_button.clicked.connect(self.on_add)
        self.new_title.returnPressed.connect(self.on_add)
        self.archive_button.clicked.connect(self.on_archive)
        self.import_button.clicked.connect(self.on_import_clicked)
        self.show_archived.toggled.connect(lambda _on: self.refresh())
        self.table.selectionModel().selectionChanged.connect(self.on_selection_changed)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(task_service.list_tasks(self.ctx.storage, include_archived=self.show_archived.isChecked()))
        self.on_selection_changed()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def on_selection_changed(self, *_args) -> None:
        task = self.selected()
        self.archive_button.setEnabled(task is not None)
        self.archive_button.setText(_("Resto&re") if task and not task["active"] else _("A&rchive"))

    def on_edit(self, task_id: str, field: str, value) -> bool:
        try:
            task_service.edit_task(self.ctx.storage, task_id, **{field: value})
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return False
        self.refresh()
        self.ctx.changed(self)
        return True

    def on_add(self) -> None:
        capacity = self.new_capacity.value() or None
        try:
            task = task_service.add_task(self.ctx.storage, title=self.new_title.text(), area=self.new_area.text(),
                                         capacity=capacity)
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return
        self.new_title.clear()
        self.new_area.clear()
        self.new_capacity.setValue(0)
        self.refresh()
        self.ctx.changed(self)
        self.table.selectRow(self.model.index_of(task["id"]).row())
        self.ctx.tell(_("Task '{task}' added. It is on the Floor page to drag onto people.").format(task=task["title"]),
                      SUCCESS)

    def on_archive(self) -> None:
        task = self.selected()
        if task is None:
            return
        try:
            if task["active"]:
                task_service.archive_task(self.ctx.storage, task["id"])
                message = _("'{task}' is archived: it can no longer be given out. People on it now keep it until "
                            "they finish.").format(task=task["title"])
            else:
                task_service.edit_task(self.ctx.storage, task["id"], active=1)
                message = _("'{task}' is back in the catalogue.").format(task=task["title"])
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return
        self.refresh()
        self.ctx.changed(self)
        self.ctx.tell(message, SUCCESS)

    def on_import_clicked(self) -> None:
        choose_file(self, _("Import tasks from a CSV file"), _("CSV files (*.csv)"), self.preview_import)

    def preview_import(self, path: Path) -> None:
        """Check the file and show what would change, with every bad line, before writing."""
        try:
            report, _inserts, _updates = task_service.plan_tasks_import(self.ctx.storage, path)
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return
        self.preview = ImportPreview(self, path, report, "tasks",
                                     lambda storage, skip: task_service.import_tasks(storage, path,
                                                                                     skip_invalid=skip),
                                     self.on_imported)
        self.preview.open()

    def on_imported(self, summary: str) -> None:
        self.refresh()
        self.ctx.changed(self)
        self.ctx.tell(summary, SUCCESS)
