"""The CSV import preview: how the file was read (encoding, delimiter, which column is which, a
few sample rows), what it would add and change and every bad line with its reason, shown before
anything is written; the import itself runs in the background."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGridLayout, QHeaderView, QLabel, QTableView,
                               QVBoxLayout, QWidget)

from ...errors import UserError
from ...i18n import N_, _, format_number, ngettext
from ...services.csvio import CsvRows, ImportReport
from ...storage.db import Storage, open_storage
from ..language import add_item, keep
from ..worker import run_in_background
from .common import ERROR, FormDialog
from .models import ImportProblemsModel, RowTableModel

#: The roster fields a lead can point at a column: (field, caption, name for a screen reader).
ROSTER_FIELDS = [("name", N_("Name:"), N_("Column for the name")),
                 ("first_name", N_("First name:"), N_("Column for the first name")),
                 ("last_name", N_("Last name:"), N_("Column for the last name")),
                 ("email", N_("Email:"), N_("Column for the email")),
                 ("employee_id", N_("Employee id:"), N_("Column for the employee id")),
                 ("department", N_("Department:"), N_("Column for the department"))]
NOT_IMPORTED = N_("(not imported)")
SAMPLE_ROWS = 5
# Whole sentences per separator, so each language words them its own way.
_HOW_READ = {
    ",": N_("Read as {encoding} text, values separated by commas. Check that each field comes from the right "
            "column:"),
    ";": N_("Read as {encoding} text, values separated by semicolons. Check that each field comes from the right "
            "column:"),
    "\t": N_("Read as {encoding} text, values separated by tabs. Check that each field comes from the right "
             "column:"),
    "|": N_("Read as {encoding} text, values separated by bars (|). Check that each field comes from the right "
            "column:"),
}
#: What an import brings in, as the dialog's title says it.
_TITLES = {"people": N_("Import people from {file}"), "tasks": N_("Import tasks from {file}")}


class SampleRowsModel(RowTableModel):
    """The first rows of a file as they will be imported."""

    columns = [("name", N_("Name")), ("email", N_("Email")), ("employee_id", N_("Employee id")),
               ("department", N_("Department"))]
    key = "n"


class ColumnsPreview(QWidget):
    """Which column of the file each roster field is read from (a choice per field), how the file
    was read, and its first rows as they would be imported. Emits mapping_changed when the lead
    points a field at another column."""

    mapping_changed = Signal(dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("columnsPreview")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.how_read = QLabel()
        self.how_read.setTextFormat(Qt.TextFormat.PlainText)
        self.how_read.setObjectName("howRead")
        self.how_read.setWordWrap(True)
        layout.addWidget(self.how_read)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        self.choosers: dict[str, QComboBox] = {}
        for i, (fieldname, label, spoken) in enumerate(ROSTER_FIELDS):
            chooser = keep(QComboBox(), accessible=spoken)
            chooser.setObjectName(f"column_{fieldname}")
            caption = keep(QLabel(), text=label)
            caption.setBuddy(chooser)
            # Two fields a row: the choices stay wide enough to read a column's name.
            grid.addWidget(caption, i // 2, (i % 2) * 2)
            grid.addWidget(chooser, i // 2, (i % 2) * 2 + 1)
            grid.setColumnStretch((i % 2) * 2 + 1, 1)
            self.choosers[fieldname] = chooser
            chooser.activated.connect(self.on_chosen)
        layout.addLayout(grid)
        self.ignored = QLabel()
        self.ignored.setTextFormat(Qt.TextFormat.PlainText)
        self.ignored.setObjectName("ignoredColumns")
        self.ignored.setWordWrap(True)
        layout.addWidget(self.ignored)
        self.samples = SampleRowsModel(self)
        self.table = QTableView()
        self.table.setObjectName("sampleRows")
        self.table.setModel(self.samples)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(40 + 31 * SAMPLE_ROWS)
        layout.addWidget(self.table)

    def show_headers(self, headers: list[str], columns: dict[str, str]) -> None:
        """Fill the choices with the file's columns, each field at the column it is read from."""
        for fieldname, chooser in self.choosers.items():
            chooser.blockSignals(True)
            chooser.clear()
            add_item(chooser, NOT_IMPORTED, None)
            for header in headers:
                if header:
                    chooser.addItem(header, header)
            chosen = columns.get(fieldname)
            chooser.setCurrentIndex(max(0, chooser.findData(chosen)) if chosen else 0)
            chooser.blockSignals(False)

    def show_table(self, table: CsvRows) -> None:
        self.show_headers(table.headers, table.columns)
        self.how_read.setText(_(_HOW_READ.get(table.delimiter, _HOW_READ[","])).format(encoding=table.encoding))
        self.ignored.setText(_("Not imported: {columns}").format(columns=", ".join(table.ignored)) if table.ignored
                             else _("Every column is imported."))
        self.samples.set_rows([{"n": i, **values} for i, (_line, values) in enumerate(table.rows[:SAMPLE_ROWS])])

    def show_missing(self, headers: list[str], text: str) -> None:
        self.show_headers(headers, {})
        self.how_read.setText(text)
        self.ignored.setText("")
        self.samples.set_rows([])

    def mapping(self) -> dict[str, str | None]:
        return {fieldname: chooser.currentData() for fieldname, chooser in self.choosers.items()}

    def on_chosen(self, _index: int) -> None:
        self.mapping_changed.emit(self.mapping())


def run_with_own_storage(storage: Storage, job: Callable[[Storage], object], on_done, on_failed,
                         on_progress=None):
    """Run job(storage) off the UI thread on a connection of its own (SQLite connections stay on
    one thread); an in-memory database has no second connection, so it runs here."""
    if storage.path is None:
        try:
            result = job(storage)
        except Exception as exc:  # the same split as the worker: sentences for UserError
            from ...errors import UserError

            on_failed(str(exc) if isinstance(exc, UserError) else _("Something went wrong; see the log file."))
            return None
        on_done(result)
        return None
    path = storage.path

    def work(*progress):
        own = open_storage(path, checked_by=storage)  # the window's integrity verdict, not a check of its own
        try:
            return job(own, *progress) if progress else job(own)
        finally:
            own.close()

    return run_in_background(work, on_done, on_failed, on_progress)


class ImportPreview(FormDialog):
    """Shows the plan for a CSV import; 'Import' applies it (skipping bad lines if there are any).

    With replan (a roster), it also shows how the file was read and lets the lead point each field
    at another column: replan(mapping) gives the new (report, table), and apply gets the mapping."""

    def __init__(self, parent, path: Path, report: ImportReport | None, noun: str,
                 apply: Callable[..., ImportReport], on_imported: Callable[[str], None],
                 table: CsvRows | None = None, replan: Callable[[dict], tuple[ImportReport, CsvRows]] | None = None,
                 missing: tuple[list[str], str] | None = None):
        super().__init__(parent, _(_TITLES.get(noun, _TITLES["people"])).format(file=path.name), ok_text=_("Import"))
        self.setObjectName("importPreview")
        self.page = parent
        self.path = path
        self.noun = noun
        self.apply = apply
        self.on_imported = on_imported
        self.replan = replan
        self.mapping: dict | None = None
        summary = QLabel()
        summary.setObjectName("importSummary")
        summary.setWordWrap(True)
        self.summary = summary
        self.body.addWidget(summary)
        self.columns = None
        if replan is not None:
            self.columns = ColumnsPreview()
            self.columns.mapping_changed.connect(self.on_mapping_changed)
            self.body.addWidget(self.columns)
        self.problems = ImportProblemsModel(self)
        self.table = QTableView()
        self.table.setObjectName("importProblems")
        self.table.setModel(self.problems)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.body.addWidget(self.table, 1)
        self.buttons.accepted.connect(self.on_import)
        self.finish_layout()
        self.job = None
        if missing is not None:
            self.show_missing(*missing)
        else:
            self.show_report(report, table)
        self.resize(760, 600 if self.columns is not None else (480 if report and report.errors else 220))

    def show_report(self, report: ImportReport, table: CsvRows | None = None) -> None:
        self.report = report
        good = report.added + report.updated
        lines = [_("<b>{file}</b>: {added} to add, {updated} to update, {unchanged} already up to date.").format(
            file=html.escape(self.path.name), added=format_number(report.added),
            updated=format_number(report.updated), unchanged=format_number(report.unchanged))]
        if report.errors:
            bad = ngettext("<b>{count} bad line</b> cannot be imported (listed below). Fix it in the file and import "
                           "again, or import only the good lines now.",
                           "<b>{count} bad lines</b> cannot be imported (listed below). Fix them in the file and "
                           "import again, or import only the good lines now.", len(report.errors))
            lines.append(f"<span style='color:#b91c1c'>{bad.format(count=format_number(len(report.errors)))}</span>")
        else:
            lines.append(_("No bad lines."))
        self.summary.setText("<br>".join(lines))
        if self.columns is not None and table is not None:
            self.columns.show_table(table)
        self.problems.set_rows([{"n": i, "line": e.line, "reason": e.reason} for i, e in enumerate(report.errors)])
        self.table.setVisible(bool(report.errors))
        if report.errors:
            self.ok_button.setText(ngettext("Import the {count} good line", "Import the {count} good lines", good)
                                   .format(count=format_number(good)))
        elif not good:
            self.ok_button.setText(_("Nothing to import"))
        elif self.noun == "people":
            self.ok_button.setText(ngettext("Import {count} person", "Import {count} people", good)
                                   .format(count=format_number(good)))
        else:
            self.ok_button.setText(ngettext("Import {count} task", "Import {count} tasks", good)
                                   .format(count=format_number(good)))
        self.ok_button.setEnabled(good > 0)
        self.error.hide()

    def show_missing(self, headers: list[str], text: str) -> None:
        """The file has no column the import needs: say so, and offer its columns to choose from."""
        self.report = ImportReport()
        self.summary.setText(f"<b>{html.escape(self.path.name)}</b>: <span style='color:#b91c1c'>"
                             + html.escape(_("choose the column that holds each person's name.")) + "</span>")
        if self.columns is not None:
            self.columns.show_missing(headers, text)
        self.problems.set_rows([])
        self.table.hide()
        self.ok_button.setText(_("Nothing to import"))
        self.ok_button.setEnabled(False)

    def on_mapping_changed(self, mapping: dict) -> None:
        from ...services.csvio import MissingColumn

        self.mapping = mapping
        try:
            report, table = self.replan(mapping)
        except MissingColumn as exc:
            self.show_missing(exc.headers, exc.problem)
            return
        except UserError as exc:
            self.show_error(str(exc))
            return
        self.show_report(report, table)

    def on_import(self) -> None:
        skip = bool(self.report.errors)
        self.ok_button.setEnabled(False)
        self.ok_button.setText(_("Importing…"))
        if self.replan is not None:
            mapping = self.mapping

            def job(storage):
                return self.apply(storage, skip, mapping)
        else:
            def job(storage):
                return self.apply(storage, skip)
        self.job = run_with_own_storage(self.page.ctx.storage, job, self.on_done, self.on_failed)

    def on_done(self, report: ImportReport) -> None:
        self.accept()
        self.on_imported(_("Imported: {summary}.").format(summary=report.summary(self.noun)))

    def on_failed(self, text: str) -> None:
        self.show_error(text)
        self.ok_button.setText(_("Try again"))
        self.ok_button.setEnabled(True)
        self.page.ctx.tell(text, ERROR)
