"""The CSV import preview: what a file would add and change and every bad line with its
reason, shown before anything is written; the import itself runs in the background."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView

from ...services.csvio import ImportReport
from ...storage.db import Storage, open_storage
from ..worker import run_in_background
from .common import ERROR, FormDialog
from .models import ImportProblemsModel


def run_with_own_storage(storage: Storage, job: Callable[[Storage], object], on_done, on_failed,
                         on_progress=None):
    """Run job(storage) off the UI thread on a connection of its own (SQLite connections stay on
    one thread); an in-memory database has no second connection, so it runs here."""
    if storage.path is None:
        try:
            result = job(storage)
        except Exception as exc:  # the same split as the worker: sentences for UserError
            from ...errors import UserError

            on_failed(str(exc) if isinstance(exc, UserError) else "Something went wrong; see the log file.")
            return None
        on_done(result)
        return None
    path = storage.path

    def work(*progress):
        own = open_storage(path)
        try:
            return job(own, *progress) if progress else job(own)
        finally:
            own.close()

    return run_in_background(work, on_done, on_failed, on_progress)


class ImportPreview(FormDialog):
    """Shows the plan for a CSV import; 'Import' applies it (skipping bad lines if there are any)."""

    def __init__(self, parent, path: Path, report: ImportReport, noun: str,
                 apply: Callable[[Storage, bool], ImportReport], on_imported: Callable[[str], None]):
        good = report.added + report.updated
        super().__init__(parent, f"Import {noun} from {path.name}", ok_text="Import")
        self.setObjectName("importPreview")
        self.page = parent
        self.noun = noun
        self.apply = apply
        self.on_imported = on_imported
        self.report = report
        summary = QLabel()
        summary.setObjectName("importSummary")
        summary.setWordWrap(True)
        lines = [f"<b>{html.escape(path.name)}</b>: {report.added} to add, {report.updated} to update, "
                 f"{report.unchanged} already up to date."]
        if report.errors:
            lines.append(f"<span style='color:#b91c1c'><b>{len(report.errors)} bad line"
                         f"{'s' if len(report.errors) != 1 else ''}</b> cannot be imported (listed below). "
                         "Fix them in the file and import again, or import only the good lines now.</span>")
        else:
            lines.append("No bad lines.")
        summary.setText("<br>".join(lines))
        self.summary = summary
        self.body.addWidget(summary)
        self.problems = ImportProblemsModel(self)
        self.problems.set_rows([{"n": i, "line": e.line, "reason": e.reason} for i, e in enumerate(report.errors)])
        self.table = QTableView()
        self.table.setObjectName("importProblems")
        self.table.setModel(self.problems)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setVisible(bool(report.errors))
        self.body.addWidget(self.table, 1)
        if report.errors:
            self.ok_button.setText(f"Import the {good} good line{'s' if good != 1 else ''}")
        else:
            self.ok_button.setText(f"Import {good} {noun}" if good else "Nothing to import")
        self.ok_button.setEnabled(good > 0)
        self.buttons.accepted.connect(self.on_import)
        self.finish_layout()
        self.resize(720, 480 if report.errors else 220)
        self.job = None

    def on_import(self) -> None:
        skip = bool(self.report.errors)
        self.ok_button.setEnabled(False)
        self.ok_button.setText("Importing…")
        self.job = run_with_own_storage(self.page.ctx.storage, lambda storage: self.apply(storage, skip),
                                        self.on_done, self.on_failed)

    def on_done(self, report: ImportReport) -> None:
        self.accept()
        self.on_imported(f"Imported: {report.summary(self.noun)}.")

    def on_failed(self, text: str) -> None:
        self.show_error(text)
        self.ok_button.setText("Try again")
        self.ok_button.setEnabled(True)
        self.page.ctx.tell(text, ERROR)

