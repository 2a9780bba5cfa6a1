"""The Observations page: what visitors noticed, filtered by week, category, status, impact
and text; the full note beside the table; triage (owner, status, follow-up); CSV export."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QCompleter, QFormLayout, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout, QWidget)

from ...errors import UserError
from ...services import observations as obs_service, settings, visits
from ...services.csvio import write_csv
from ...timeutil import local, week_bounds, week_days
from .common import ERROR, SUCCESS, LeadContext, choose_file, guard_search_box, record_table
from .models import ObservationModel

#: The table shows at most this many (newest first); the filters narrow it down.
MAX_ROWS = 2000
CSV_HEADERS = ["written_at", "category", "impact", "status", "text", "customer_quote", "person", "department",
               "task", "owner", "follow_up"]


def week_choices(now: dt.datetime, tz: str, count: int = 12) -> list[tuple[str, str | None, str | None]]:
    """(label, start, end) for 'All weeks', 'Last 4 weeks' and the last count ISO weeks in the
    site's zone."""
    today = local(now, tz).date()
    year, week, _ = today.isocalendar()
    _, this_week_end = week_bounds(year, week, tz)
    four_back = (today - dt.timedelta(weeks=3)).isocalendar()
    four_weeks_start, _ = week_bounds(four_back[0], four_back[1], tz)
    choices: list[tuple[str, str | None, str | None]] = [("All weeks", None, None),
                                                         ("Last 4 weeks", four_weeks_start, this_week_end)]
    for back in range(count):
        year, week, _ = (today - dt.timedelta(weeks=back)).isocalendar()
        days = week_days(year, week)
        span = f"{days[0]:%d %b}–{days[-1]:%d %b}"
        name = "This week" if back == 0 else "Last week" if back == 1 else f"{year}-W{week:02d}"
        start, end = week_bounds(year, week, tz)
        choices.append((f"{name} ({span})", start, end))
    return choices


class ObservationsPage(QWidget):
    title = "Observations"

    def __init__(self, ctx: LeadContext, parent=None):
        super().__init__(parent)
        self.setObjectName("observationsPage")
        self.ctx = ctx
        self.shown_id: str | None = None
        tz = settings.site_timezone(ctx.storage)
        self.model = ObservationModel(tz, self)

        heading = QLabel("Observations")
        heading.setObjectName("pageTitle")
        self.week = QComboBox()
        self.week.setObjectName("obsWeek")
        for label, start, end in week_choices(ctx.now(), tz):
            self.week.addItem(label, (start, end))
        self.week.setCurrentIndex(1)  # recent notes are what a lead triages
        self.category = self._choice_box("obsCategory", "All categories", obs_service.CATEGORIES)
        self.status = self._choice_box("obsStatus", "All statuses", obs_service.STATUSES)
        self.impact = self._choice_box("obsImpact", "All impacts", obs_service.IMPACTS)
        self.search = QLineEdit()
        self.search.setObjectName("obsSearch")
        self.search.setPlaceholderText("Search text, quote, owner…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search observations")
        guard_search_box(self.search, ctx)
        self.count = QLabel()
        self.count.setObjectName("hint")
        self.export_button = QPushButton("E&xport CSV…")
        filters = QHBoxLayout()
        for widget in (self.week, self.category, self.status, self.impact):
            filters.addWidget(widget)
        filters.addStretch(1)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count)
        search_row.addWidget(self.export_button)

        self.table = record_table(self.model, "obsTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.model.column_of("text"), QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

        # The detail pane: the whole note, then the triage form.
        self.detail = QLabel("Select an observation to read it in full and triage it.")
        self.detail.setObjectName("obsDetail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.owner = QLineEdit()
        self.owner.setObjectName("obsOwner")
        self.owner.setPlaceholderText("Who follows it up, e.g. Store manager")
        self.owner_names = QStringListModel(self)
        completer = QCompleter(self.owner_names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.owner.setCompleter(completer)
        self.triage_status = QComboBox()
        self.triage_status.setObjectName("obsTriageStatus")
        for key, label in obs_service.STATUSES.items():
            self.triage_status.addItem(label, key)
        self.follow_up = QPlainTextEdit()
        self.follow_up.setObjectName("obsFollowUp")
        self.follow_up.setPlaceholderText("What was or will be done about it")
        self.follow_up.setTabChangesFocus(True)
        self.save_button = QPushButton("&Save triage")
        self.save_button.setProperty("primary", True)
        triage_title = QLabel("Triage")
        triage_title.setObjectName("sectionTitle")
        form = QFormLayout()
        form.addRow("Owner", self.owner)
        form.addRow("Status", self.triage_status)
        form.addRow("Follow-up", self.follow_up)
        self.triage_box = QFrame()
        self.triage_box.setObjectName("triageBox")
        triage_layout = QVBoxLayout(self.triage_box)
        triage_layout.addWidget(triage_title)
        triage_layout.addLayout(form)
        triage_layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        self.triage_box.setEnabled(False)
        pane = QFrame()
        pane.setObjectName("detailPane")
        pane.setMinimumWidth(260)
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
        layout.addLayout(search_row)
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

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        # On a narrow window the note and its triage go below the table, which keeps the width.
        wide = self.width() >= 900
        self.splitter.setOrientation(Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical)
        self.splitter.widget(1).setMaximumWidth(500 if wide else 16777215)
        self.table.setMinimumHeight(0 if wide else 200)  # a few rows stay in view; the page scrolls

    @staticmethod
    def _choice_box(name: str, everything: str, choices: dict) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        box.addItem(everything, "")
        for key, label in choices.items():
            box.addItem(label, key)
        return box

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
        self.count.setText(f"newest {MAX_ROWS:,} shown — narrow the filters" if capped
                           else f"{len(rows)} shown, {new} new")
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
            self.detail.setText("Select an observation to read it in full and triage it.")
            self.triage_box.setEnabled(False)
            return
        tz = self.model.timezone
        esc = html.escape
        parts = [f"<p style='font-size:13pt'><b>{esc(obs_service.CATEGORIES[row['category']])}</b> · "
                 f"impact <b>{esc(obs_service.IMPACTS[row['impact']])}</b> · "
                 f"{esc(obs_service.STATUSES[row['status']])}</p>",
                 f"<p style='font-size:12pt'>{esc(row['text']).replace(chr(10), '<br>')}</p>"]
        if row.get("quote"):
            parts.append(f"<p style='font-size:12pt'><i>“{esc(row['quote'])}”</i> — a customer</p>")
        who = esc(row.get("person_name") or "someone since erased")
        if row.get("department"):
            who += f" ({esc(row['department'])})"
        facts = [f"<b>By:</b> {who}", f"<b>Task:</b> {esc(row.get('task_title') or 'none')}",
                 f"<b>Written:</b> {local(row['created_at'], tz):%a %d %b %Y %H:%M}"]
        visit = visits.get_visit(self.ctx.storage, row["visit_id"]) if row.get("visit_id") else None
        if visit:
            until = f"{local(visit['check_out_at'], tz):%H:%M}" if visit["check_out_at"] else "still on the floor"
            facts.append(f"<b>Visit:</b> {local(visit['check_in_at'], tz):%a %d %b %H:%M}–{until}")
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
        owner = f", owner {saved['owner']}" if saved.get("owner") else ""
        before = {k: row.get(k) for k in obs_service.TRIAGE_FIELDS}
        self.ctx.tell(f"Triage saved: {obs_service.STATUSES[saved['status']]}{owner}.", SUCCESS,
                      undo=("the triage", lambda: obs_service.undo_triage(self.ctx.storage, row["id"], before, saved)))

    def on_export_clicked(self) -> None:
        suggested = f"observations-{self.ctx.now():%Y-%m-%d}.csv"
        choose_file(self, "Export the observations shown", "CSV files (*.csv)", self.export_csv, save=True,
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
            self.ctx.tell(f"Could not write {path.name}: {exc.strerror or exc}.", ERROR)
            return
        self.ctx.tell(f"{len(rows)} observations written to {path}.", SUCCESS)
