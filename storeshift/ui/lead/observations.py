"""The Observations page: what visitors noticed, filtered by week, category, status, impact
and text; the full note beside the table; triage into themes ("same as…" one of the three most
similar open themes, or a new theme; rename, merge, split) with the owner, status and follow-up
on the theme; CSV export."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QCompleter, QFormLayout, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QScrollArea,
                               QSplitter, QVBoxLayout, QWidget)

from ...errors import UserError
from ...services import hours, observations as obs_service, settings, themes, visits
from ...services.csvio import write_csv
from ...timeutil import local, week_bounds, week_days
from .common import ERROR, SUCCESS, FormDialog, LeadContext, choose_file, guard_search_box, record_table
from .models import ObservationModel

#: The table shows at most this many (newest first); the filters narrow it down.
MAX_ROWS = 2000
CSV_HEADERS = ["written_at", "category", "impact", "status", "text", "customer_quote", "person", "department",
               "task", "theme", "owner", "follow_up"]
#: "Same as…" buttons: the open themes most like the note.
SUGGESTIONS = 3


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
        self.shown_theme: str | None = None
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
            # Sized to what they show, not their longest choice, so the row fits a 1024-wide screen.
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            widget.setMinimumContentsLength(9)
            filters.addWidget(widget)
        filters.addStretch(1)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count)
        search_row.addWidget(self.export_button)
        self.filters_layout = filters

        self.table = record_table(self.model, "obsTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.model.column_of("text"), QHeaderView.ResizeMode.Stretch)
        # Status and theme title in a fixed width, elided: the note's own text gets the rest.
        header.setSectionResizeMode(self.model.column_of("status"), QHeaderView.ResizeMode.Fixed)
        header.resizeSection(self.model.column_of("status"), 170)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

        # The detail pane: the whole note, then the triage form.
        self.detail = QLabel("Select an observation to read it in full and triage it.")
        self.detail.setObjectName("obsDetail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # "Same as…": shown for a note in no theme.
        self.suggest_box = QFrame()
        self.suggest_box.setObjectName("triageBox")
        suggest_layout = QVBoxLayout(self.suggest_box)
        suggest_title = QLabel("Which theme is it?")
        suggest_title.setObjectName("sectionTitle")
        suggest_layout.addWidget(suggest_title)
        self.suggest_hint = QLabel()
        self.suggest_hint.setObjectName("hint")
        self.suggest_hint.setWordWrap(True)
        suggest_layout.addWidget(self.suggest_hint)
        self.same_as: list[QPushButton] = []
        for index in range(SUGGESTIONS):
            button = QPushButton()
            button.setObjectName(f"sameAs{index}")
            button.setStyleSheet("text-align: left")
            button.clicked.connect(lambda _checked=False, i=index: self.on_same_as(i))
            suggest_layout.addWidget(button)
            self.same_as.append(button)
        self.new_title = QLineEdit()
        self.new_title.setObjectName("newThemeTitle")
        self.new_title.setPlaceholderText("Title of a new theme, e.g. Self-checkout rejects bags")
        self.new_theme_button = QPushButton("New theme")
        self.new_theme_button.setObjectName("newTheme")
        new_row = QHBoxLayout()
        new_row.addWidget(self.new_title, 1)
        new_row.addWidget(self.new_theme_button)
        suggest_layout.addLayout(new_row)
        self.group_button = QPushButton("Group all new notes of these weeks")
        self.group_button.setObjectName("groupNotes")
        self.group_button.setToolTip("Make themes of the new notes of the weeks chosen above that tell of the same "
                                     "thing; check their titles after.")
        suggest_layout.addWidget(self.group_button, 0, Qt.AlignmentFlag.AlignLeft)

        # The note's theme: rename, take the note out, merge, split, and the theme's triage.
        self.theme_box = QFrame()
        self.theme_box.setObjectName("triageBox")
        theme_layout = QVBoxLayout(self.theme_box)
        self.theme_heading = QLabel()
        self.theme_heading.setObjectName("sectionTitle")
        self.theme_heading.setWordWrap(True)
        theme_layout.addWidget(self.theme_heading)
        self.theme_title = QLineEdit()
        self.theme_title.setObjectName("themeTitle")
        self.rename_button = QPushButton("Rename")
        self.rename_button.setObjectName("renameTheme")
        rename_row = QHBoxLayout()
        rename_row.addWidget(self.theme_title, 1)
        rename_row.addWidget(self.rename_button)
        theme_layout.addLayout(rename_row)
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
        self.follow_up.setMaximumHeight(90)
        self.save_button = QPushButton("&Save theme")
        self.save_button.setProperty("primary", True)
        form = QFormLayout()
        form.addRow("Owner", self.owner)
        form.addRow("Status", self.triage_status)
        form.addRow("Follow-up", self.follow_up)
        theme_layout.addLayout(form)
        theme_layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        self.merge_with = QComboBox()
        self.merge_with.setObjectName("mergeWith")
        self.merge_button = QPushButton("Merge into this")
        self.merge_button.setObjectName("mergeThemes")
        self.merge_button.setToolTip("The chosen theme's notes join this theme, and the chosen theme goes.")
        merge_row = QHBoxLayout()
        merge_row.addWidget(self.merge_with, 1)
        merge_row.addWidget(self.merge_button)
        theme_layout.addLayout(merge_row)
        self.detach_button = QPushButton("Take this note out")
        self.detach_button.setObjectName("detachNote")
        self.split_button = QPushButton("Split…")
        self.split_button.setObjectName("splitTheme")
        self.split_button.setToolTip("Move some of this theme's notes into a new theme of their own.")
        more_row = QHBoxLayout()
        more_row.addWidget(self.detach_button)
        more_row.addWidget(self.split_button)
        more_row.addStretch(1)
        theme_layout.addLayout(more_row)
        self.suggest_box.hide()
        self.theme_box.hide()
        self.triage_box = self.theme_box

        pane = QFrame()
        pane.setObjectName("detailPane")
        pane_layout = QVBoxLayout(pane)
        pane_layout.addWidget(self.detail)
        pane_layout.addWidget(self.suggest_box)
        pane_layout.addWidget(self.theme_box)
        pane_layout.addStretch(1)
        # On a small screen the pane scrolls rather than squeezing the form.
        scroller = QScrollArea()
        scroller.setObjectName("detailScroll")
        scroller.setWidget(pane)
        scroller.setWidgetResizable(True)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setMinimumWidth(310)
        scroller.setMaximumWidth(520)
        self.suggested: list[dict] = []

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(scroller)
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
        self.new_theme_button.clicked.connect(self.on_new_theme)
        self.new_title.returnPressed.connect(self.on_new_theme)
        self.rename_button.clicked.connect(self.on_rename)
        self.theme_title.returnPressed.connect(self.on_rename)
        self.merge_button.clicked.connect(self.on_merge)
        self.detach_button.clicked.connect(self.on_detach)
        self.split_button.clicked.connect(self.on_split_clicked)
        self.group_button.clicked.connect(self.on_group_clicked)
        self.export_button.clicked.connect(self.on_export_clicked)
        self.refresh()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        # On a narrow window the note and its triage go below the table, which keeps the width.
        wide = self.width() >= 900
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if orientation == self.splitter.orientation():
            return
        self.splitter.setOrientation(orientation)
        self.splitter.widget(1).setMaximumWidth(520 if wide else 16777215)
        if not wide:
            # Below the table the triage form needs most of the height: suggestions, title, owner, status.
            height = self.splitter.height()
            self.splitter.setSizes([height * 2 // 5, height - height * 2 // 5])

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
            self.suggest_box.hide()
            self.theme_box.hide()
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
            read = hours.span(visit, hours.schedule(self.ctx.storage, visit["site_id"]), self.ctx.now())
            until = ("still on the floor" if read.open else f"{local(read.end, tz):%H:%M}"
                     + (" (closing time, estimated)" if read.estimated else ""))
            facts.append(f"<b>Visit:</b> {local(visit['check_in_at'], tz):%a %d %b %H:%M}–{until}")
        parts.append("<p>" + "<br>".join(facts) + "</p>")
        self.detail.setText("".join(parts))
        if row["id"] == self.shown_id and row.get("theme_id") == self.shown_theme:
            return  # only a new selection resets the forms, so a refresh never eats what the lead is typing
        self.shown_id, self.shown_theme = row["id"], row.get("theme_id")
        if row.get("theme_id"):
            self._show_theme(row)
        else:
            self._show_suggestions(row)

    def _show_suggestions(self, row: dict) -> None:
        self.theme_box.hide()
        try:
            self.suggested = themes.suggestions(self.ctx.storage, row["id"], k=SUGGESTIONS)
        except UserError as exc:
            self.suggested = []
            self.ctx.tell(str(exc), ERROR)
        for index, button in enumerate(self.same_as):
            if index < len(self.suggested):
                theme = self.suggested[index]
                notes = f"{theme['observations']} note{'s' if theme['observations'] != 1 else ''}"
                button.setText(f"Same as: {theme['title']}  ({notes}, {obs_service.STATUSES[theme['status']]})")
                button.setToolTip(f"Put this note into the theme “{theme['title']}”.")
                button.show()
            else:
                button.hide()
        self.suggest_hint.setText("Same as one of these open themes? One click puts it there." if self.suggested
                                  else "No open theme is like this note yet: start one.")
        from ...services import grouping

        self.new_title.setText(grouping.theme_title([row["text"]]) or row["text"][:60])
        self.suggest_box.show()

    def _show_theme(self, row: dict) -> None:
        self.suggest_box.hide()
        try:
            theme = themes.get_theme(self.ctx.storage, row["theme_id"])
        except UserError:
            self.theme_box.hide()
            return
        count = self.ctx.storage.value("SELECT count(*) FROM observations WHERE theme_id = ?", (theme["id"],))
        self.theme_heading.setText(f"Theme · {count} note{'s' if count != 1 else ''}, raised "
                                   f"{local(theme['opened_at'], self.model.timezone):%d %b}")
        self.theme_title.setText(theme["title"])
        self.owner.setText(theme["owner"] or "")
        self.triage_status.setCurrentIndex(self.triage_status.findData(theme["status"]))
        self.follow_up.setPlainText(theme["follow_up"] or "")
        self.merge_with.clear()
        for other in themes.list_themes(self.ctx.storage, statuses=themes.OPEN, site_ids=[theme["site_id"]]):
            if other["id"] != theme["id"]:
                self.merge_with.addItem(f"{other['title']} ({other['observations']})", other["id"])
        self.merge_with.setEnabled(self.merge_with.count() > 0)
        self.merge_button.setEnabled(self.merge_with.count() > 0)
        self.split_button.setEnabled(count > 1)
        self.theme_box.show()

    def _reselect(self, message: str, undo=None) -> None:
        """Show the change: the same note, its forms filled afresh (undo: what Ctrl+Z takes back)."""
        self.shown_id = None
        self.refresh()
        self.ctx.tell(message, SUCCESS, undo=undo)

    def _theme_action(self, action) -> dict | None:
        try:
            return action()
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return None

    def on_same_as(self, index: int) -> None:
        row = self.selected()
        if row is None or index >= len(self.suggested):
            return
        theme = self._theme_action(lambda: themes.attach(self.ctx.storage, row["id"], self.suggested[index]["id"]))
        if theme:
            self._reselect(f"Added to the theme “{theme['title']}”.")

    def on_new_theme(self) -> None:
        row = self.selected()
        if row is None:
            return
        theme = self._theme_action(lambda: themes.create_theme(self.ctx.storage, self.new_title.text(), [row["id"]]))
        if theme:
            self._reselect(f"New theme “{theme['title']}”: give it an owner below.")
            self.owner.setFocus()

    def on_rename(self) -> None:
        row = self.selected()
        if row and row.get("theme_id"):
            theme = self._theme_action(lambda: themes.rename(self.ctx.storage, row["theme_id"], self.theme_title.text()))
            if theme:
                self._reselect(f"Theme renamed “{theme['title']}”.")

    def on_detach(self) -> None:
        row = self.selected()
        if row and row.get("theme_id"):
            if self._theme_action(lambda: themes.detach(self.ctx.storage, row["id"]) or True):
                self._reselect("The note is out of its theme; it is new again.")

    def on_merge(self) -> None:
        row = self.selected()
        other = self.merge_with.currentData()
        if row and row.get("theme_id") and other:
            theme = self._theme_action(lambda: themes.merge(self.ctx.storage, row["theme_id"], [other]))
            if theme:
                self._reselect(f"Merged into “{theme['title']}”.")

    def on_split_clicked(self) -> None:
        row = self.selected()
        if not row or not row.get("theme_id"):
            return
        self.split_dialog = SplitDialog(self, themes.theme_observations(self.ctx.storage, row["theme_id"]),
                                        self.model.timezone)
        self.split_dialog.ok_button.clicked.connect(lambda: self.on_split(row["theme_id"]))
        self.split_dialog.open()

    def on_split(self, theme_id: str) -> None:
        dialog = self.split_dialog
        try:
            new = themes.split(self.ctx.storage, theme_id, dialog.chosen(), dialog.title.text())
        except UserError as exc:
            dialog.show_error(str(exc))
            return
        dialog.accept()
        self._reselect(f"{len(dialog.chosen())} note(s) moved to the new theme “{new['title']}”.")

    def on_group_clicked(self) -> None:
        start, end = self.week.currentData() or (None, None)
        made = self._theme_action(lambda: themes.group_untriaged(self.ctx.storage, start, end))
        if made is None:
            return
        if made:
            self._reselect(f"{len(made)} theme{'s' if len(made) != 1 else ''} made from new notes that tell of "
                           "the same thing; check their titles.")
        else:
            self.ctx.tell("No two new notes of these weeks tell of the same thing.", SUCCESS)

    def on_save_triage(self) -> None:
        row = self.selected()
        if row is None or not row.get("theme_id"):
            return
        try:
            before = themes.get_theme(self.ctx.storage, row["theme_id"])
            saved = themes.update(self.ctx.storage, row["theme_id"], status=self.triage_status.currentData(),
                                  owner=self.owner.text(), follow_up=self.follow_up.toPlainText())
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return
        owner = f", owner {saved['owner']}" if saved.get("owner") else ""
        self._reselect(f"Theme saved: {obs_service.STATUSES[saved['status']]}{owner}.",
                       undo=("the triage", lambda: themes.undo_update(self.ctx.storage, row["theme_id"], before, saved)))

    def on_export_clicked(self) -> None:
        suggested = f"observations-{self.ctx.now():%Y-%m-%d}.csv"
        choose_file(self, "Export the observations shown", "CSV files (*.csv)", self.export_csv, save=True,
                    suggested=suggested)

    def export_csv(self, path: Path) -> None:
        """Write the rows shown now; cells that start like a formula are escaped."""
        tz = self.model.timezone
        rows = [[f"{local(r['created_at'], tz):%Y-%m-%d %H:%M}", obs_service.CATEGORIES[r["category"]],
                 obs_service.IMPACTS[r["impact"]], obs_service.STATUSES[r["status"]], r["text"], r.get("quote"),
                 r.get("person_name"), r.get("department"), r.get("task_title"), r.get("theme_title"), r.get("owner"),
                 r.get("follow_up")]
                for r in self.model.rows()]
        try:
            write_csv(path, CSV_HEADERS, rows)
        except OSError as exc:
            self.ctx.tell(f"Could not write {path.name}: {exc.strerror or exc}.", ERROR)
            return
        self.ctx.tell(f"{len(rows)} observations written to {path}.", SUCCESS)


class SplitDialog(FormDialog):
    """Choose the notes of a theme that belong to a new theme of their own, and its title."""

    def __init__(self, parent: QWidget, notes: list[dict], tz: str):
        super().__init__(parent, "Split the theme", ok_text="Make the new theme")
        self.setObjectName("splitDialog")
        self.body.addWidget(QLabel("Tick the notes that tell of something else:"))
        self.notes = QListWidget()
        self.notes.setObjectName("splitNotes")
        for note in notes:
            text = " ".join(note["text"].split())
            item = QListWidgetItem(f"{local(note['created_at'], tz):%d %b} · {text[:110]}")
            item.setData(Qt.ItemDataRole.UserRole, note["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.notes.addItem(item)
        self.body.addWidget(self.notes)
        self.title = QLineEdit()
        self.title.setObjectName("splitTitle")
        self.title.setPlaceholderText("Title of the new theme")
        form = QFormLayout()
        form.addRow("New theme", self.title)
        self.body.addLayout(form)
        self.finish_layout()
        self.resize(560, 380)

    def chosen(self) -> list[str]:
        return [self.notes.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.notes.count())
                if self.notes.item(i).checkState() == Qt.CheckState.Checked]
