"""The Observations page: what visitors noticed, filtered by week, category, status, impact
and text; the full note beside the table; triage (owner, status, follow-up); CSV export."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QCompleter, QFormLayout, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout, QWidget)

from ...i18n import N_, _, format_date_range, format_datetime, format_number, ngettext
from ..language import add_item, keep
from ...errors import UserError
from ...services import observations as obs_service, settings, visits
from ...services.csvio import write_csv
from ...timeutil import local, local_clock, week_bounds, week_days
from .common import ERROR, SUCCESS, LeadContext, choose_file, record_table
from .models import ObservationModel

#: The table shows at most this many (newest first); the filters narrow it down.
MAX_ROWS = 2000
CSV_HEADERS = ["written_at", "category", "impact", "status", "text", "customer_quote", "person", "department",
               "task", "owner", "follow_up"]


def week_choices(now: dt.datetime, tz: str, count: int = 12) -> list[tuple[str, str | None, str | None]]:
    """(label, start, end) for 'All weeks', 'Last 4 weeks' and the last count ISO weeks in the
    site's zone."""
    today = local(now, tz).date()
    year, week, _weekday = today.isocalendar()
    _start, this_week_end = week_bounds(year, week, tz)
    four_back = (today - dt.timedelta(weeks=3)).isocalendar()
    four_weeks_start, _end = week_bounds(four_back[0], four_back[1], tz)
    choices: list[tuple[str, str | None, str | None]] = [(_("All weeks"), None, None),
                                                         (_("Last 4 weeks"), four_weeks_start, this_week_end)]
    for back in range(count):
        year, week, _weekday = (today - dt.timedelta(weeks=back)).isocalendar()
        days = week_days(year, week)
        span = format_date_range(days[0], days[-1])
        name = _("This week") if back == 0 else _("Last week") if back == 1 else f"{year}-W{week:02d}"
        start, end = week_bounds(year, week, tz)
        choices.append((f"{name} ({span})", start, end))
    return choices


class ObservationsPage(QWidget):
    title = N_("Observations")

    def __init__(self, ctx: LeadContext, parent=None):
        super().__init__(parent)
        self.setObjectName("observationsPage")
        self.ctx = ctx
        self.shown_id: str | None = None
        tz = settings.site_timezone(ctx.storage)
        self.model = ObservationModel(tz, self)

        heading = keep(QLabel(), text=N_("Observations"))
        heading.setObjectName("pageTitle")
        self.week = QComboBox()
        self.week.setObjectName("obsWeek")
        for label, start, end in week_choices(ctx.now(), tz):
            self.week.addItem(label, (start, end))
        self.week.setCurrentIndex(1)  # recent notes are what a lead triages
        self.category = self._choice_box("obsCategory", N_("All categories"), obs_service.CATEGORIES)
        self.status = self._choice_box("obsStatus", N_("All statuses"), obs_service.STATUSES)
        self.impact = self._choice_box("obsImpact", N_("All impacts"), obs_service.IMPACTS)
        self.search = QLineEdit()
        self.search.setObjectName("obsSearch")
        keep(self.search, placeholder=N_("Search text, quote, owner…"))
        self.search.setClearButtonEnabled(True)
        self.count = QLabel()
        self.count.setObjectName("hint")
        self.export_button = keep(QPushButton(), text=N_("Export CSV…"))
        filters = QHBoxLayout()
        for widget in (self.week, self.category, self.status, self.impact):
            filters.addWidget(widget)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.count)
        filters.addWidget(self.export_button)

        self.table = record_table(self.model, "obsTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.model.column_of("text"), QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        # The detail pane: the whole note, then the triage form.
        self.detail = keep(QLabel(), text=N_("Select an observation to read it in full and triage it."))
        self.detail.setObjectName("obsDetail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.owner = QLineEdit()
        self.owner.setObjectName("obsOwner")
        keep(self.owner, placeholder=N_("Who follows it up, e.g. Store manager"))
        self.owner_names = QStringListModel(self)
        completer = QCompleter(self.owner_names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.owner.setCompleter(completer)
        self.triage_status = QComboBox()
        self.triage_status.setObjectName("obsTriageStatus")
        for key, label in obs_service.STATUSES.items():
            add_item(self.triage_status, label, key)
        self.follow_up = QPlainTextEdit()
        self.follow_up.setObjectName("obsFollowUp")
        keep(self.follow_up, placeholder=N_("What was or will be done about it"))
        self.follow_up.setTabChangesFocus(True)
        self.save_button = keep(QPushButton(), text=N_("Save triage"))
        self.save_button.setProperty("primary", True)
        triage_title = keep(QLabel(), text=N_("Triage"))
        triage_title.setObjectName("sectionTitle")
        form = QFormLayout()
        form.addRow(keep(QLabel(), text=N_("Owner")), self.owner)
        form.addRow(keep(QLabel(), text=N_("Status")), self.triage_status)
        form.addRow(keep(QLabel(), text=N_("Follow-up")), self.follow_up)
        self.triage_box = QFrame()
        self.triage_box.setObjectName("triageBox")
        triage_layout = QVBoxLayout(self.triage_box)
        triage_layout.addWidget(triage_title)
        triage_layout.addLayout(form)
        triage_layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        self.triage_box.setEnabled(False)
        pane = QFrame()
        pane.setObjectName("detailPane")
        pane.setMinimumWidth(330)
        pane.setMaximumWidth(500)
        pane_layout = QVBoxLayout(pane)
        pane_layout.addWidget(self.detail, 1)
        pane_layout.addWidget(self.triage_box)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

        # Typing in the search box waits for a pause, so each key is not a query.
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(200)
        self.search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self.search_timer.start())
        for box in (self.week, self.category, self.status, self.impact):
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_detail())
        self.save_button.clicked.connect(self.on_save_triage)
        self.export_button.clicked.connect(self.on_export_clicked)
        self.refresh()

    @staticmethod
    def _choice_box(name: str, everything: str, choices: dict) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        add_item(box, everything, "")
        for key, label in choices.items():
            add_item(box, label, key)
        return box

    def retranslate(self) -> None:
        """The week choices name their weeks in the language (the other boxes keep their items)."""
        tz = settings.site_timezone(self.ctx.storage)
        for index, (label, _start, _end) in enumerate(week_choices(self.ctx.now(), tz)):
            if index < self.week.count():
                self.week.setItemText(index, label)

    def filters(self) -> dict:
        start, end = self.week.currentData() or (None, None)
        return {"start": start, "end": end, "category": self.category.currentData(),
                "status": self.status.currentData(), "impact": self.impact.currentData(),
                "search": self.search.text().strip()}

    def refresh(self) -> None:
        self.model.timezone = settings.site_timezone(self.ctx.storage)
        rows = obs_service.list_observations(self.ctx.storage, **self.filters(), limit=MAX_ROWS + 1)
        capped = len(rows) > MAX_ROWS
        rows = rows[:MAX_ROWS]
        self.model.set_rows(rows)
        new = sum(1 for r in rows if r["status"] == "new")
        self.count.setText(_("newest {count} shown — narrow the filters").format(count=format_number(MAX_ROWS))
                           if capped else _("{count} shown, {new} new").format(count=format_number(len(rows)),
                                                                               new=format_number(new)))
        owners = sorted({r["owner"] for r in rows if r.get("owner")} | set(self.owner_names.stringList()))
        self.owner_names.setStringList(owners)
        self.show_detail()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def show_detail(self) -> None:
        row = self.selected()
        if row is None:
            self.shown_id = None
            self.detail.setText(_("Select an observation to read it in full and triage it."))
            self.triage_box.setEnabled(False)
            return
        tz = self.model.timezone
        esc = html.escape
        head = _("{category} · impact {impact} · {status}").format(
            category=f"<b>{esc(str(obs_service.CATEGORIES[row['category']]))}</b>",
            impact=f"<b>{esc(str(obs_service.IMPACTS[row['impact']]))}</b>",
            status=esc(str(obs_service.STATUSES[row["status"]])))
        parts = [f"<p style='font-size:13pt'>{head}</p>",
                 f"<p style='font-size:12pt'>{esc(row['text']).replace(chr(10), '<br>')}</p>"]
        if row.get("quote"):
            quote = _("“{text}”").format(text=esc(row["quote"]))
            parts.append(f"<p style='font-size:12pt'><i>{quote}</i> — " + _("a customer") + "</p>")
        who = esc(row.get("person_name") or _("someone since erased"))
        if row.get("department"):
            who += f" ({esc(row['department'])})"
        facts = [_("<b>By:</b> {who}").format(who=who),
                 _("<b>Task:</b> {task}").format(task=esc(row.get("task_title") or _("none"))),
                 _("<b>Written:</b> {when}").format(when=format_datetime(local(row["created_at"], tz)))]
        visit = visits.get_visit(self.ctx.storage, row["visit_id"]) if row.get("visit_id") else None
        if visit:
            until = local_clock(visit["check_out_at"], tz) if visit["check_out_at"] else _("still on the floor")
            facts.append(_("<b>Visit:</b> {start}–{end}").format(
                start=format_datetime(local(visit["check_in_at"], tz)), end=until))
        parts.append("<p>" + "<br>".join(facts) + "</p>")
        self.detail.setText("".join(parts))
        self.triage_box.setEnabled(True)
        if row["id"] != self.shown_id:
            # Only a new selection resets the form, so a refresh never eats what the lead is typing.
            self.shown_id = row["id"]
            self.owner.setText(row.get("owner") or "")
            self.triage_status.setCurrentIndex(self.triage_status.findData(row["status"]))
            self.follow_up.setPlainText(row.get("follow_up") or "")

    def on_save_triage(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            saved = obs_service.triage(self.ctx.storage, row["id"], status=self.triage_status.currentData(),
                                       owner=self.owner.text(), follow_up=self.follow_up.toPlainText())
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return
        self.shown_id = None
        self.refresh()
        status = obs_service.STATUSES[saved["status"]]
        self.ctx.tell((_("Triage saved: {status}, owner {owner}.") if saved.get("owner")
                       else _("Triage saved: {status}.")).format(status=status, owner=saved.get("owner")), SUCCESS)

    def on_export_clicked(self) -> None:
        suggested = f"observations-{self.ctx.now():%Y-%m-%d}.csv"
        choose_file(self, _("Export the observations shown"), _("CSV files (*.csv)"), self.export_csv, save=True,
                    suggested=suggested)

    def export_csv(self, path: Path) -> None:
        """Write the rows shown now; cells that start like a formula are escaped."""
        tz = self.model.timezone
        rows = [[f"{local(r['created_at'], tz):%Y-%m-%d %H:%M}", obs_service.CATEGORIES[r["category"]],
                 obs_service.IMPACTS[r["impact"]], obs_service.STATUSES[r["status"]], r["text"], r.get("quote"),
                 r.get("person_name"), r.get("department"), r.get("task_title"), r.get("owner"), r.get("follow_up")]
                for r in self.model.rows()]
        try:
            write_csv(path, CSV_HEADERS, rows)
        except OSError as exc:
            self.ctx.tell(_("Could not write {file}: {reason}.").format(file=path.name, reason=exc.strerror or exc),
                          ERROR)
            return
        self.ctx.tell(ngettext("{count} observation written to {file}.", "{count} observations written to {file}.",
                               len(rows)).format(count=format_number(len(rows)), file=path), SUCCESS)
