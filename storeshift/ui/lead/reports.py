"""The Reports page: the weekly report and badge sheets made in the background with progress,
previewed in the window, then saved, printed (with a print preview) or opened in the system's
PDF viewer."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (QComboBox, QDialog, QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from ...i18n import N_, _, format_date_range, format_number, ngettext
from ..language import add_item, keep
from ...services import settings
from ...timeutil import local, week_days
from .common import ERROR, SUCCESS, WARNING, ElidingLabel, LeadContext, choose_file
from .imports import run_with_own_storage

PAPERS = [(N_("A4"), "a4"), (N_("US Letter"), "letter")]
PRINT_DPI = 300


def week_key(year: int, week: int) -> str:
    return f"{year}-W{week:02d}"


def recent_weeks(now: dt.datetime, tz: str, count: int = 26) -> list[tuple[str, int, int]]:
    """(label, year, week) for this week and the count-1 before it, in the site's zone."""
    today = local(now, tz).date()
    found = []
    for back in range(count):
        year, week, _weekday = (today - dt.timedelta(weeks=back)).isocalendar()
        days = week_days(year, week)
        name = _("this week, so far") if back == 0 else _("last week") if back == 1 else ""
        label = f"{year}-W{week:02d}  ({format_date_range(days[0], days[-1])})" + (f"  · {name}" if name else "")
        found.append((label, year, week))
    return found


def _missing_feature(exc: ImportError) -> str:
    return _("PDFs cannot be made: this installation has no PDF reports ({module} is missing).").format(
        module=exc.name)


class ReportsPage(QWidget):
    title = N_("Reports")

    def __init__(self, ctx: LeadContext, parent=None):
        super().__init__(parent)
        self.setObjectName("reportsPage")
        self.ctx = ctx
        self.job = None
        self.current_pdf: Path | None = None
        self.current_name = ""
        self.folder = Path(tempfile.mkdtemp(prefix="storeshift-reports-"))

        heading = keep(QLabel(), text=N_("Reports"))
        heading.setObjectName("pageTitle")
        self.week = QComboBox()
        self.week.setObjectName("reportWeek")
        self.week.setMinimumContentsLength(22)
        self.week.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.paper = QComboBox()
        self.paper.setObjectName("reportPaper")
        for label, key in PAPERS:
            add_item(self.paper, label, key)
        self.make_button = keep(QPushButton(), text=N_("&Make weekly report"))
        self.make_button.setProperty("primary", True)
        self.badges_button = keep(QPushButton(), text=N_("&Badge sheet for everyone"))
        controls = QHBoxLayout()
        makers = QHBoxLayout()
        week_label = keep(QLabel(), text=N_("&Week:"))
        week_label.setBuddy(self.week)
        paper_label = keep(QLabel(), text=N_("Pape&r:"))
        paper_label.setBuddy(self.paper)
        controls.addWidget(week_label)
        controls.addWidget(self.week, 1)
        controls.addWidget(paper_label)
        controls.addWidget(self.paper)
        makers.addWidget(self.make_button)
        makers.addWidget(self.badges_button)
        makers.addStretch(1)

        self.progress = QProgressBar()
        self.progress.setObjectName("reportProgress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.state = keep(QLabel(), text=N_("Pick a week and press 'Make weekly report'. The report opens here to "
                                            "check before you save or print it."))
        self.state.setObjectName("hint")
        self.state.setWordWrap(True)

        self.document = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setObjectName("pdfView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.placeholder = keep(QLabel(), text=N_("No report yet.\n\nThe weekly report sums up hours given, who "
                                                  "came, tasks done and everything visitors noticed."))
        self.placeholder.setObjectName("emptyBoard")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)

        self.doc_title = ElidingLabel()
        self.doc_title.setObjectName("sectionTitle")
        self.save_button = keep(QPushButton(), text=N_("&Save as…"))
        self.preview_button = keep(QPushButton(), text=N_("Print pre&view…"))
        self.print_button = keep(QPushButton(), text=N_("&Print…"))
        keep(self.print_button, tooltip=N_("Print the PDF shown (Ctrl+P)"))
        self.open_button = keep(QPushButton(), text=N_("&Open in viewer"))
        keep(self.open_button, tooltip=N_("Open the PDF in this computer's PDF viewer"))
        bar = QHBoxLayout()
        bar.addWidget(self.doc_title, 1)
        for button in (self.save_button, self.preview_button, self.print_button, self.open_button):
            bar.addWidget(button)
        self.preview_frame = QFrame()
        self.preview_frame.setObjectName("previewFrame")
        frame_layout = QVBoxLayout(self.preview_frame)
        frame_layout.setContentsMargins(0, 0, 0, 0)
        frame_layout.addLayout(bar)
        frame_layout.addWidget(self.view, 1)
        frame_layout.addWidget(self.placeholder, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(controls)
        layout.addLayout(makers)
        layout.addWidget(self.state)
        layout.addWidget(self.progress)
        layout.addWidget(self.preview_frame, 1)

        self.make_button.clicked.connect(self.on_make_weekly)
        self.badges_button.clicked.connect(lambda: self.make_badge_sheet(None))
        self.save_button.clicked.connect(self.on_save_clicked)
        self.print_button.clicked.connect(self.on_print_clicked)
        self.preview_button.clicked.connect(self.on_preview_clicked)
        self.open_button.clicked.connect(self.on_open_clicked)
        self.ctx.badge_sheet_requested.connect(self.make_badge_sheet)
        self.fill_weeks()
        self._show_document(None)

    def fill_weeks(self) -> None:
        tz = settings.site_timezone(self.ctx.storage)
        chosen = self.week.currentData()
        self.week.blockSignals(True)
        self.week.clear()
        for label, year, week in recent_weeks(self.ctx.now(), tz):
            self.week.addItem(label, week_key(year, week))
        # Last week is the one a lead reports on; otherwise keep what they picked (the key is
        # text: a tuple stored in the box never compared equal, so a refresh lost the choice).
        index = self.week.findData(chosen) if chosen else 1
        self.week.setCurrentIndex(index if index >= 0 else 1)
        self.week.blockSignals(False)

    def chosen_week(self) -> tuple[int, int]:
        year, week = self.week.currentData().split("-W")
        return int(year), int(week)

    def refresh(self) -> None:
        self.fill_weeks()

    # -- making -------------------------------------------------------------------------------
    def busy(self) -> bool:
        return self.job is not None

    def _start(self, making: str, ready: str, name: str, build) -> None:
        """making: 'Making the report for 2026-W48…'; ready: 'The report for 2026-W48 is ready.'"""
        if self.busy():
            self.ctx.tell(_("A PDF is still being made; wait for it to finish."), WARNING)
            return
        out = self.folder / name
        self.make_button.setEnabled(False)
        self.badges_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.state.setText(_("{making} You can keep working on other pages meanwhile.").format(making=making))

        def done(path) -> None:
            self.job = None
            self._finish()
            self.current_name = name
            self._show_document(Path(path))
            self.state.setText(_("{ready} Check it below, then save or print it.").format(ready=ready))
            self.ctx.tell(ready, SUCCESS)

        def failed(text: str) -> None:
            self.job = None
            self._finish()
            self.state.setText(text)
            self.ctx.tell(text, ERROR)

        def progress(step: int, total: int) -> None:
            self.progress.setRange(0, max(1, total))
            self.progress.setValue(step)

        self.job = run_with_own_storage(self.ctx.storage, lambda storage, report: build(storage, out, report),
                                        done, failed, progress)

    def _finish(self) -> None:
        self.progress.hide()
        self.make_button.setEnabled(True)
        self.badges_button.setEnabled(True)

    def on_make_weekly(self) -> None:
        try:
            from ...reports.weekly import build_weekly_report
        except ImportError as exc:
            self.ctx.tell(_missing_feature(exc), ERROR)
            return
        year, week = self.chosen_week()
        paper = self.paper.currentData()
        label = f"{year}-W{week:02d}"
        self._start(_("Making the report for {week}…").format(week=label),
                    _("The report for {week} is ready.").format(week=label),
                    # The name offered when saving it: in the store's words too.
                    _("storeshift-report-{week}.pdf").format(week=label),
                    lambda storage, out, report: build_weekly_report(storage, year, week, out, paper=paper,
                                                                     progress=report))

    def make_badge_sheet(self, person_ids: list[str] | None = None) -> None:
        """Make a badge sheet (everyone, or these people) and show it here."""
        window = self.window()
        if hasattr(window, "show_page"):
            window.show_page("reports")
        try:
            from ...reports.badge_sheet import build_badge_sheet
        except ImportError as exc:
            self.ctx.tell(_missing_feature(exc), ERROR)
            return
        paper = self.paper.currentData()
        if person_ids is None:
            making, ready = _("Making the badge sheet for everyone…"), _("The badge sheet for everyone is ready.")
        else:
            count = len(person_ids)
            making = ngettext("Making the badge sheet for {count} person…", "Making the badge sheet for {count} people…",
                              count).format(count=format_number(count))
            ready = ngettext("The badge sheet for {count} person is ready.",
                             "The badge sheet for {count} people is ready.", count).format(count=format_number(count))
        stamp = f"{self.ctx.now():%Y%m%d-%H%M%S}"
        self._start(making, ready, _("storeshift-badges-{when}.pdf").format(when=stamp),
                    lambda storage, out, report: build_badge_sheet(storage, out, person_ids=person_ids,
                                                                   paper=paper, progress=report))

    def cleanup(self) -> None:
        """Remove the PDFs made for preview (saved copies live where the lead put them)."""
        self.document.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- showing and handing on ---------------------------------------------------------------
    def _show_document(self, path: Path | None) -> None:
        self.current_pdf = path
        if path is not None:
            self.document.close()
            self.document.load(str(path))
            pages = self.document.pageCount()
            self.doc_title.setText(f"{path.name}  ·  " + ngettext("{count} page", "{count} pages", pages)
                                   .format(count=format_number(pages)))
        has = path is not None
        self.view.setVisible(has)
        self.placeholder.setVisible(not has)
        for button in (self.save_button, self.preview_button, self.print_button, self.open_button):
            button.setEnabled(has)
        if not has:
            self.doc_title.setText(_("Preview"))

    def on_save_clicked(self) -> None:
        if self.current_pdf is None:
            return
        choose_file(self, _("Save the PDF"), _("PDF files (*.pdf)"), self.save_to, save=True,
                    suggested=self.current_name)

    def save_to(self, target: Path) -> None:
        try:
            shutil.copyfile(self.current_pdf, target)
        except OSError as exc:
            self.ctx.tell(_("Could not save {file}: {reason}.").format(file=target.name, reason=exc.strerror or exc),
                          ERROR)
            return
        self.ctx.tell(_("Saved {file}.").format(file=target), SUCCESS)

    def print_page(self) -> None:
        """Ctrl+P on this page."""
        self.on_print_clicked()

    def on_print_clicked(self) -> None:
        """Ask which printer and pages, then print; the dialog does not block the event loop."""
        if self.current_pdf is None:
            self.ctx.tell(_("Make a report or a badge sheet first; then print it from here."))
            return
        self.printer = self._printer()
        self.print_dialog = QPrintDialog(self.printer, self)
        self.print_dialog.setObjectName("printDialog")
        self.print_dialog.setWindowTitle(_("Print {file}").format(file=self.current_name or "PDF"))
        self.print_dialog.setMinMax(1, max(1, self.document.pageCount()))
        self.print_dialog.finished.connect(self.on_print_dialog_finished)
        # PySide6 binds only QPrintDialog.open(receiver, member) and hides QDialog.open(), so
        # dialog.open() raised a TypeError; the base class's open() is the non-blocking one.
        QDialog.open(self.print_dialog)

    def on_print_dialog_finished(self, result: int) -> None:
        dialog, self.print_dialog = self.print_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        if result == QDialog.DialogCode.Accepted:
            pages = self.print_pages(self.printer)
            if pages:
                self.ctx.tell(ngettext("Sent {count} page to the printer.", "Sent {count} pages to the printer.", pages)
                              .format(count=format_number(pages)), SUCCESS)

    def on_preview_clicked(self) -> None:
        """Show the pages as the printer will lay them out, with a Print button of its own."""
        if self.current_pdf is None:
            self.ctx.tell(_("Make a report or a badge sheet first; then print it from here."))
            return
        self.printer = self._printer()
        self.preview_dialog = QPrintPreviewDialog(self.printer, self)
        self.preview_dialog.setObjectName("printPreview")
        self.preview_dialog.setWindowTitle(_("Print preview — {file}").format(file=self.current_name or "PDF"))
        self.preview_dialog.paintRequested.connect(self.print_pages)
        self.preview_dialog.finished.connect(lambda _result: self.preview_dialog.deleteLater())
        screen = self.screen().availableGeometry()
        self.preview_dialog.resize(min(1000, screen.width() - 40), min(900, screen.height() - 60))
        self.preview_dialog.open()

    def _printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.current_name or "storeshift")
        return printer

    def print_pages(self, printer: QPrinter) -> int:
        """Paint each PDF page (or the range the lead chose), rendered by QtPdf at the printer's
        resolution, onto the printer or the preview; returns how many pages were painted."""
        count = self.document.pageCount()
        first, last = 1, count
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first, last = max(1, printer.fromPage()), min(count, printer.toPage() or count)
        painter = QPainter()
        if not painter.begin(printer):
            self.ctx.tell(_("The printer could not be started; check that it is on and connected."), ERROR)
            return 0
        painted = 0
        try:
            area = printer.pageLayout().paintRectPixels(printer.resolution())
            for page in range(first - 1, last):
                if painted:
                    printer.newPage()
                size = self.document.pagePointSize(page)
                scale = min(area.width() / size.width(), area.height() / size.height())
                target = QRectF(0, 0, size.width() * scale, size.height() * scale)
                # 300 dpi is sharp on paper; the printer's own 1200 dpi made 500 MB images a page.
                dpi = min(PRINT_DPI, printer.resolution())
                image = self.document.render(page, QSize(round(size.width() * dpi / 72),
                                                         round(size.height() * dpi / 72)))
                painter.drawImage(target, image)
                painted += 1
        finally:
            painter.end()
        return painted

    def on_open_clicked(self) -> None:
        if self.current_pdf is None:
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.current_pdf))):
            self.ctx.tell(_("No PDF viewer is set up on this computer; use 'Save as…' and open the file yourself."),
                          WARNING)
