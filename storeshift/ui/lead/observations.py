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
                               QSizePolicy, QSplitter, QVBoxLayout, QWidget)

from ...i18n import N_, _, format_date, format_date_range, format_datetime, format_number, format_time, ngettext
from ..language import add_item, keep
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
        self.shown_theme: str | None = None
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
        keep(self.search, accessible=N_("Search observations"))
        guard_search_box(self.search, ctx)
        self.count = QLabel()
        self.count.setObjectName("hint")
        self.export_button = keep(QPushButton(), text=N_("E&xport CSV…"))
        filters = QHBoxLayout()
        for widget in (self.week, self.category, self.status, self.impact):
            # Sized to what they show, not their longest choice, so the row fits a 1024-wide screen;
            # where there is room they grow, so "4 dernières semaines" is not cut to "4 dernières sem".
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            widget.setMinimumContentsLength(9)
            widget.setMaximumWidth(260)
            filters.addWidget(widget, 1)
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
        self.detail = keep(QLabel(), text=N_("Select an observation to read it in full and triage it."))
        self.detail.setObjectName("obsDetail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # "Same as…": shown for a note in no theme.
        self.suggest_box = QFrame()
        self.suggest_box.setObjectName("triageBox")
        suggest_layout = QVBoxLayout(self.suggest_box)
        suggest_title = keep(QLabel(), text=N_("Which theme is it?"))
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
            # The title is cut to fit the pane; the tooltip gives it whole.
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _checked=False, i=index: self.on_same_as(i))
            suggest_layout.addWidget(button)
            self.same_as.append(button)
        self.new_title = QLineEdit()
        self.new_title.setObjectName("newThemeTitle")
        keep(self.new_title, placeholder=N_("Title of a new theme, e.g. Self-checkout rejects bags"))
        self.new_theme_button = keep(QPushButton(), text=N_("New theme"))
        self.new_theme_button.setObjectName("newTheme")
        new_row = QHBoxLayout()
        new_row.addWidget(self.new_title, 1)
        new_row.addWidget(self.new_theme_button)
        suggest_layout.addLayout(new_row)
        self.group_button = keep(QPushButton(), text=N_("Group all new notes of these weeks"))
        self.group_button.setObjectName("groupNotes")
        keep(self.group_button, tooltip=N_("Make themes of the new notes of the weeks chosen above that tell of the "
                                           "same thing; check their titles after."))
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
        self.rename_button = keep(QPushButton(), text=N_("Rename"))
        self.rename_button.setObjectName("renameTheme")
        rename_row = QHBoxLayout()
        rename_row.addWidget(self.theme_title, 1)
        rename_row.addWidget(self.rename_button)
        theme_layout.addLayout(rename_row)
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
        self.follow_up.setMaximumHeight(90)
        self.save_button = keep(QPushButton(), text=N_("&Save theme"))
        self.save_button.setProperty("primary", True)
        form = QFormLayout()
        form.addRow(keep(QLabel(), text=N_("Owner")), self.owner)
        form.addRow(keep(QLabel(), text=N_("Status")), self.triage_status)
        form.addRow(keep(QLabel(), text=N_("Follow-up")), self.follow_up)
        theme_layout.addLayout(form)
        theme_layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        self.merge_with = QComboBox()
        self.merge_with.setObjectName("mergeWith")
        self.merge_button = keep(QPushButton(), text=N_("Merge into this"))
        self.merge_button.setObjectName("mergeThemes")
        keep(self.merge_button, tooltip=N_("The chosen theme's notes join this theme, and the chosen theme goes."))
        merge_row = QHBoxLayout()
        merge_row.addWidget(self.merge_with, 1)
        merge_row.addWidget(self.merge_button)
        theme_layout.addLayout(merge_row)
        self.detach_button = keep(QPushButton(), text=N_("Take this note out"))
        self.detach_button.setObjectName("detachNote")
        self.split_button = keep(QPushButton(), text=N_("Split…"))
        self.split_button.setObjectName("splitTheme")
        keep(self.split_button, tooltip=N_("Move some of this theme's notes into a new theme of their own."))
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
        # The note, then what to do with it, then who wrote it and when: the triage stays near the top.
        self.facts = QLabel()
        self.facts.setObjectName("obsFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QVBoxLayout()
        note.addWidget(self.detail)
        note.addWidget(self.facts)
        note.addStretch(1)
        triage = QVBoxLayout()
        triage.addWidget(self.suggest_box)
        triage.addWidget(self.theme_box)
        triage.addStretch(1)
        self.pane_layout = QVBoxLayout(pane)
        self.pane_layout.addLayout(note)
        self.pane_layout.addLayout(triage)
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
        # Below the table the pane is wide and low: the note and its triage side by side.
        self.pane_layout.setDirection(QVBoxLayout.Direction.TopToBottom if wide else QVBoxLayout.Direction.LeftToRight)
        if not wide:
            # Below the table the triage form needs most of the height: suggestions, title, owner, status.
            height = self.splitter.height()
            self.splitter.setSizes([height * 2 // 5, height - height * 2 // 5])

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
                           if capped else _("{shown}, {new}").format(
                               shown=ngettext("{count} shown", "{count} shown", len(rows)).format(
                                   count=format_number(len(rows))),
                               new=ngettext("{count} new", "{count} new", new).format(count=format_number(new))))
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
            self.suggest_box.hide()
            self.theme_box.hide()
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
            read = hours.span(visit, hours.schedule(self.ctx.storage, visit["site_id"]), self.ctx.now())
            if read.open:
                until = _("still on the floor")
            elif read.estimated:
                until = _("{time} (closing time, estimated)").format(time=format_time(local(read.end, tz)))
            else:
                until = format_time(local(read.end, tz))
            facts.append(_("<b>Visit:</b> {start}–{end}").format(
                start=format_datetime(local(visit["check_in_at"], tz)), end=until))
        # Who, which task and when go in the facts beneath, once (not again in the note itself).
        self.detail.setText("".join(parts))
        self.facts.setText("<br>".join(facts))
        self.facts.show()
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
                notes = ngettext("{count} note", "{count} notes", theme["observations"]).format(
                    count=format_number(theme["observations"]))
                button.setText(_("Same as: {theme}  ({notes}, {status})").format(
                    theme=theme["title"], notes=notes, status=obs_service.STATUSES[theme["status"]]))
                button.setToolTip(_("Put this note into the theme “{theme}”.").format(theme=theme["title"]))
                button.show()
            else:
                button.hide()
        self.suggest_hint.setText(_("Same as one of these open themes? One click puts it there.") if self.suggested
                                  else _("No open theme is like this note yet: start one."))
        from ...services import grouping

        self.new_title.setText(grouping.theme_title([row["text"]]) or row["text"][:60])
        self.new_title.setCursorPosition(0)  # the title's start shows in a narrow pane
        self.suggest_box.show()

    def _show_theme(self, row: dict) -> None:
        self.suggest_box.hide()
        try:
            theme = themes.get_theme(self.ctx.storage, row["theme_id"])
        except UserError:
            self.theme_box.hide()
            return
        count = self.ctx.storage.value("SELECT count(*) FROM observations WHERE theme_id = ?", (theme["id"],))
        self.theme_heading.setText(ngettext("Theme · {count} note, raised {day}", "Theme · {count} notes, raised {day}",
                                            count).format(count=format_number(count), day=format_date(
                                                local(theme["opened_at"], self.model.timezone), "MMMd")))
        self.theme_title.setText(theme["title"])
        self.theme_title.setCursorPosition(0)
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
        self.ctx.changed(self)
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
            self._reselect(_("Added to the theme “{theme}”.").format(theme=theme["title"]))

    def on_new_theme(self) -> None:
        row = self.selected()
        if row is None:
            return
        theme = self._theme_action(lambda: themes.create_theme(self.ctx.storage, self.new_title.text(), [row["id"]]))
        if theme:
            self._reselect(_("New theme “{theme}”: give it an owner below.").format(theme=theme["title"]))
            self.owner.setFocus()

    def on_rename(self) -> None:
        row = self.selected()
        if row and row.get("theme_id"):
            theme = self._theme_action(lambda: themes.rename(self.ctx.storage, row["theme_id"], self.theme_title.text()))
            if theme:
                self._reselect(_("Theme renamed “{theme}”.").format(theme=theme["title"]))

    def on_detach(self) -> None:
        row = self.selected()
        if row and row.get("theme_id"):
            if self._theme_action(lambda: themes.detach(self.ctx.storage, row["id"]) or True):
                self._reselect(_("The note is out of its theme; it is new again."))

    def on_merge(self) -> None:
        row = self.selected()
        other = self.merge_with.currentData()
        if row and row.get("theme_id") and other:
            theme = self._theme_action(lambda: themes.merge(self.ctx.storage, row["theme_id"], [other]))
            if theme:
                self._reselect(_("Merged into “{theme}”.").format(theme=theme["title"]))

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
        moved = len(dialog.chosen())
        self._reselect(ngettext("{count} note moved to the new theme “{theme}”.",
                                "{count} notes moved to the new theme “{theme}”.", moved).format(
            count=format_number(moved), theme=new["title"]))

    def on_group_clicked(self) -> None:
        start, end = self.week.currentData() or (None, None)
        made = self._theme_action(lambda: themes.group_untriaged(self.ctx.storage, start, end))
        if made is None:
            return
        if made:
            self._reselect(ngettext("{count} theme made from new notes that tell of the same thing; check its title.",
                                    "{count} themes made from new notes that tell of the same thing; check their "
                                    "titles.", len(made)).format(count=format_number(len(made))))
        else:
            self.ctx.tell(_("No two new notes of these weeks tell of the same thing."), SUCCESS)

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
        status = obs_service.STATUSES[saved["status"]]
        self._reselect((_("Theme saved: {status}, owner {owner}.") if saved.get("owner")
                        else _("Theme saved: {status}.")).format(status=status, owner=saved.get("owner")),
                       undo=(_("the triage"), lambda: themes.undo_update(self.ctx.storage, row["theme_id"], before,
                                                                         saved)))

    def on_export_clicked(self) -> None:
        suggested = f"observations-{self.ctx.now():%Y-%m-%d}.csv"
        choose_file(self, _("Export the observations shown"), _("CSV files (*.csv)"), self.export_csv, save=True,
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
            self.ctx.tell(_("Could not write {file}: {reason}.").format(file=path.name, reason=exc.strerror or exc),
                          ERROR)
            return
        self.ctx.tell(ngettext("{count} observation written to {file}.", "{count} observations written to {file}.",
                               len(rows)).format(count=format_number(len(rows)), file=path), SUCCESS)


class SplitDialog(FormDialog):
    """Choose the notes of a theme that belong to a new theme of their own, and its title."""

    def __init__(self, parent: QWidget, notes: list[dict], tz: str):
        super().__init__(parent, _("Split the theme"), ok_text=_("Make the new theme"))
        self.setObjectName("splitDialog")
        self.body.addWidget(keep(QLabel(), text=N_("Tick the notes that tell of something else:")))
        self.notes = QListWidget()
        self.notes.setObjectName("splitNotes")
        for note in notes:
            text = " ".join(note["text"].split())
            item = QListWidgetItem(f"{format_date(local(note['created_at'], tz), 'MMMd')} · {text[:110]}")
            item.setData(Qt.ItemDataRole.UserRole, note["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.notes.addItem(item)
        self.body.addWidget(self.notes)
        self.title = QLineEdit()
        self.title.setObjectName("splitTitle")
        keep(self.title, placeholder=N_("Title of the new theme"))
        form = QFormLayout()
        form.addRow(_("New theme"), self.title)
        self.body.addLayout(form)
        self.finish_layout()
        self.resize(560, 380)

    def chosen(self) -> list[str]:
        return [self.notes.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.notes.count())
                if self.notes.item(i).checkState() == Qt.CheckState.Checked]
