"""The CSV import preview: what a file would add and change and every bad line with its
reason, shown before anything is written; the import itself runs in the background."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView

from ...i18n import _, format_number, ngettext
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

            on_failed(str(exc) if isinstance(exc, UserError) else _("Something went wrong; see the log file."))
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
        title = (_("Import people from {file}") if noun == "people" else _("Import tasks from {file}"))
        super().__init__(parent, title.format(file=path.name), ok_text=_("Import"))
        self.setObjectName("importPreview")
        self.page = parent
        self.noun = noun
        self.apply = apply
        self.on_imported = on_imported
        self.report = report
        summary = QLabel()
        summary.setObjectName("importSummary")
        summary.setWordWrap(True)
        lines = [_("{file}: {added} to add, {updated} to update, {unchanged} already up to date.").format(
            file=f"<b>{html.escape(path.name)}</b>", added=format_number(report.added),
            updated=format_number(report.updated), unchanged=format_number(report.unchanged))]
        if report.errors:
            bad = ngettext("{count} bad line", "{count} bad lines", len(report.errors)).format(
                count=format_number(len(report.errors)))
            lines.append("<span style='color:#b91c1c'>" + _(
                "{bad} cannot be imported (listed below). Fix them in the file and import again, or import only the "
                "good lines now.").format(bad=f"<b>{bad}</b>") + "</span>")
        else:
            lines.append(_("No bad lines."))
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
            self.ok_button.setText(ngettext("Import the {count} good line", "Import the {count} good lines", good)
                                   .format(count=format_number(good)))
        elif not good:
            self.ok_button.setText(_("Nothing to import"))
        elif noun == "people":
            self.ok_button.setText(ngettext("Import {count} person", "Import {count} people", good)
                                   .format(count=format_number(good)))
        else:
            self.ok_button.setText(ngettext("Import {count} task", "Import {count} tasks", good)
                                   .format(count=format_number(good)))
        self.ok_button.setEnabled(good > 0)
        self.buttons.accepted.connect(self.on_import)
        self.finish_layout()
        self.resize(720, 480 if report.errors else 220)
        self.job = None

    def on_import(self) -> None:
        skip = bool(self.report.errors)
        self.ok_button.setEnabled(False)
        self.ok_button.setText(_("Importing…"))
        self.job = run_with_own_storage(self.page.ctx.storage, lambda storage: self.apply(storage, skip),
                                        self.on_done, self.on_failed)

    def on_done(self, report: ImportReport) -> None:
        self.accept()
        self.on_imported(_("Imported: {summary}.").format(summary=report.summary(self.noun)))

    def on_failed(self, text: str) -> None:
        self.show_error(text)
        self.ok_button.setText(_("Try again"))
        self.ok_button.setEnabled(True)
        self.page.ctx.tell(text, ERROR)

