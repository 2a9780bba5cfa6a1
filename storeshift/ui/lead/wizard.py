"""The first-run wizard of the shift-lead window: a new store set up page by page in the order of
`storeshift setup` (language, organisation key, site name, time zone, opening hours, PIN, roster,
tasks), checked as it goes and written all at once at the end. The language chosen on the first
page is spoken at once, by the wizard and the window behind it."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTime, QTimeZone, Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QCompleter, QGridLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QRadioButton, QTimeEdit, QVBoxLayout, QWidget, QWizard,
                               QWizardPage)

from ... import i18n
from ...errors import UserError
from ...i18n import N_, _, format_number, ngettext
from ...services import roster, settings, setup
from ...services import tasks as task_service
from ...services.csvio import MissingColumn
from ...timeutil import all_zones
from ..language import keep, retranslate
from .common import LeadContext, PinField, choose_file
from .imports import ColumnsPreview, run_with_own_storage


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("wizardHint")
    label.setWordWrap(True)
    return label


# not translated: Qt's own words for its wizard's buttons, which Qt's catalogue translates
_QT_BUTTONS = ((QWizard.WizardButton.BackButton, "< &Back"), (QWizard.WizardButton.NextButton, "&Next >"),
               (QWizard.WizardButton.CancelButton, "Cancel"))


def _with_bad_lines(added: str, bad: int) -> str:
    """'5 people to add.' or '5 people to add; 2 bad lines will be skipped.'"""
    if not bad:
        return _("{summary}.").format(summary=added)
    return ngettext("{summary}; {count} bad line will be skipped.", "{summary}; {count} bad lines will be skipped.",
                    bad).format(summary=added, count=format_number(bad))


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("formError")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


class FileField(QWidget):
    """A path typed or chosen with Browse…; changed(path) when it changes."""

    changed = Signal(str)

    def __init__(self, caption: str, name_filter: str, placeholder: str, parent=None):
        """caption, name_filter and placeholder: messages marked N_(), said in the language of the moment."""
        super().__init__(parent)
        self.caption, self.name_filter = caption, name_filter
        self.edit = keep(QLineEdit(), placeholder=placeholder)
        self.edit.setClearButtonEnabled(True)
        self.browse = keep(QPushButton(), text=N_("Browse…"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.browse)
        self.edit.textChanged.connect(self.changed.emit)
        self.browse.clicked.connect(self.on_browse)
        self.setFocusProxy(self.edit)

    def on_browse(self) -> None:
        choose_file(self, _(self.caption), _(self.name_filter), lambda path: self.edit.setText(str(path)))

    def path(self) -> Path | None:
        text = self.edit.text().strip()
        return Path(text).expanduser() if text else None


class OrganisationPage(QWizardPage):
    def __init__(self):
        super().__init__()
        keep(self, title=N_("Organisation key"),
             subtitle=N_("Badges are signed with your organisation's key. Use head office's, so that a "
                         "badge works in every store; it must be chosen before anyone is added."))
        self.use_head_office = keep(QRadioButton(), text=N_("Use head office's organisation key"))
        self.key_file = FileField(N_("Head office's organisation key"),
                                  N_("Organisation keys (*.key *.json);;All files (*)"),
                                  N_("The file head office sent (storeshift org-key export)"))
        self.start_new = keep(QRadioButton(),
                              text=N_("Start a new organisation (this store is the first, or on its own)"))
        self.organisation_name = keep(QLineEdit(), placeholder=N_("Organisation name, e.g. Acme Retail"))
        group = QButtonGroup(self)
        group.addButton(self.use_head_office)
        group.addButton(self.start_new)
        self.use_head_office.setChecked(True)
        self.error = _error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.use_head_office)
        layout.addWidget(self.key_file)
        layout.addSpacing(10)
        layout.addWidget(self.start_new)
        layout.addWidget(self.organisation_name)
        layout.addWidget(self.error)
        layout.addStretch(1)
        for signal in (self.use_head_office.toggled, self.key_file.changed, self.organisation_name.textChanged):
            signal.connect(self.on_changed)
        self.on_changed()

    def on_changed(self, *_args) -> None:
        head_office = self.use_head_office.isChecked()
        self.key_file.setEnabled(head_office)
        self.organisation_name.setEnabled(not head_office)
        self.error.hide()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        if self.use_head_office.isChecked():
            return self.key_file.path() is not None
        return bool(self.organisation_name.text().strip())

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        if self.use_head_office.isChecked():
            try:
                setup.read_key_file(self.key_file.path())
            except UserError as exc:
                self.error.setText(str(exc))
                self.error.show()
                return False
        return True

    def fill(self, plan: setup.StoreSetup) -> None:
        if self.use_head_office.isChecked():
            plan.org_key_file = self.key_file.path()
        else:
            plan.new_organisation = self.organisation_name.text().strip()


class SitePage(QWizardPage):
    def __init__(self, current: str):
        super().__init__()
        keep(self, title=N_("Site name"), subtitle=N_("The name badges, reports and the kiosk show."))
        self.name = QLineEdit("" if current == settings.BY_KEY["site_name"].default else current)
        keep(self.name, placeholder=N_("e.g. Lyon Part-Dieu, or Leeds contact centre"),
             accessible=N_("Site name"))
        self.name.setMaxLength(120)
        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addStretch(1)
        self.name.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return bool(self.name.text().strip())

    def fill(self, plan: setup.StoreSetup) -> None:
        plan.site_name = self.name.text().strip()


def _system_zone() -> str | None:
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "ignore")
    return name if name in all_zones() else None


class TimezonePage(QWizardPage):
    def __init__(self, current: str):
        super().__init__()
        keep(self, title=N_("Time zone"),
             subtitle=N_("Times are shown, and weeks counted, in the store's time zone. Type part of a "
                         "city's name to find it."))
        self.zones = all_zones()
        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.addItems(self.zones)
        # 'paris' finds Europe/Paris: the city is what a store knows, not the region.
        completer = QCompleter(self.zones, self.zone)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.zone.setCompleter(completer)
        chosen = current if current != settings.BY_KEY["timezone"].default else (_system_zone() or current)
        self.zone.setCurrentText(chosen)
        keep(self.zone, accessible=N_("Time zone"))
        self.error = _error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.zone)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.zone.currentTextChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return self.zone.currentText().strip() in self.zones

    def fill(self, plan: setup.StoreSetup) -> None:
        plan.timezone = self.zone.currentText().strip()


class LanguagePage(QWizardPage):
    """The first page: each language named in itself, so anyone finds theirs; choosing one
    switches the wizard (and the window behind it) to it at once."""

    def __init__(self, current: str):
        super().__init__()
        keep(self, title=N_("Language"),
             subtitle=N_("The language of this window, the kiosk and the reports. Visitors can switch at "
                         "the kiosk."))
        layout = QVBoxLayout(self)
        self.buttons: dict[str, QRadioButton] = {}
        group = QButtonGroup(self)
        for code in i18n.available():
            button = QRadioButton(i18n.language_name(code))  # not translated: each language in itself
            button.setObjectName(f"language_{code}")
            group.addButton(button)
            layout.addWidget(button)
            self.buttons[code] = button
        self.buttons.get(current, self.buttons[i18n.SOURCE_LANGUAGE]).setChecked(True)
        layout.addStretch(1)
        for code, button in self.buttons.items():
            button.toggled.connect(lambda on, chosen=code: self.on_chosen(chosen) if on else None)

    def chosen(self) -> str:
        return next(code for code, button in self.buttons.items() if button.isChecked())

    def on_chosen(self, code: str) -> None:
        # Spoken from now on; stored with everything else at the end (a cancelled wizard goes
        # back to the store's language).
        i18n.set_site_language(code)

    def fill(self, plan: setup.StoreSetup) -> None:
        plan.language = self.chosen()


class HoursPage(QWizardPage):
    def __init__(self, current: str):
        super().__init__()
        keep(self, title=N_("Opening hours"),
             subtitle=N_("When the store opens and closes each day. A visit nobody checked out ends at "
                         "closing time."))
        days = settings.weekly_hours(current)
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(14)
        for column, text in enumerate((N_("Open"), N_("Opens"), N_("Closes")), start=1):
            heading = keep(QLabel(), text=text)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            grid.addWidget(heading, 0, column)
        self.rows: list[tuple[QCheckBox, QTimeEdit, QTimeEdit]] = []
        self.day_labels: list[QLabel] = []
        for day in range(7):
            is_open = QCheckBox()
            is_open.setObjectName(f"open_{day}")
            opens, closes = QTimeEdit(), QTimeEdit()
            for edit in (opens, closes):
                edit.setDisplayFormat("HH:mm")
            pair = days[day] or ("09:00", "18:00")
            opens.setTime(QTime.fromString(pair[0], "HH:mm"))
            closes.setTime(QTime.fromString(pair[1], "HH:mm"))
            is_open.setChecked(days[day] is not None)
            name = QLabel()
            self.day_labels.append(name)
            grid.addWidget(name, day + 1, 0)
            grid.addWidget(is_open, day + 1, 1)
            grid.addWidget(opens, day + 1, 2)
            grid.addWidget(closes, day + 1, 3)
            is_open.toggled.connect(opens.setEnabled)
            is_open.toggled.connect(closes.setEnabled)
            is_open.toggled.connect(self.on_changed)
            opens.setEnabled(is_open.isChecked())
            closes.setEnabled(is_open.isChecked())
            self.rows.append((is_open, opens, closes))
        self.error = _error_label()
        grid.addWidget(self.error, 9, 0, 1, 4)
        grid.setColumnStretch(4, 1)
        grid.setRowStretch(10, 1)
        self.name_days()

    def name_days(self) -> None:
        """The days by their names in the language of the moment ('Lundi', 'Montag')."""
        for name, label, (is_open, opens, closes) in zip(i18n.weekday_names("wide"), self.day_labels, self.rows):
            day = name[:1].upper() + name[1:]
            label.setText(day)
            is_open.setAccessibleName(_("Open on {day}").format(day=day))
            opens.setAccessibleName(_("{day}: opens").format(day=day))
            closes.setAccessibleName(_("{day}: closes").format(day=day))

    def text(self) -> str:
        return settings.format_hours([
            (opens.time().toString("HH:mm"), closes.time().toString("HH:mm")) if is_open.isChecked() else None
            for is_open, opens, closes in self.rows])

    def on_changed(self, *_args) -> None:
        self.error.hide()

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        try:
            settings.weekly_hours(self.text())
        except ValueError as exc:
            self.error.setText(_("{setting}: {problem}.").format(setting=settings.BY_KEY["opening_hours"].label,
                                                                 problem=exc))
            self.error.show()
            return False
        return True

    def fill(self, plan: setup.StoreSetup) -> None:
        plan.opening_hours = self.text()


class PinPage(QWizardPage):
    def __init__(self):
        super().__init__()
        keep(self, title=N_("Shift-lead PIN"),
             subtitle=N_("4 to 12 digits. It unlocks this window and is the only way out of the kiosk, so "
                         "give it only to shift leads."))
        self.pin = keep(PinField(), placeholder=N_("PIN"), accessible=N_("PIN"))
        self.again = keep(PinField(), placeholder=N_("The same PIN again"), accessible=N_("The same PIN again"))
        self.error = _error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pin)
        layout.addWidget(self.again)
        layout.addWidget(self.error)
        layout.addStretch(1)
        for field in (self.pin, self.again):
            field.textChanged.connect(self.on_changed)

    def on_changed(self, *_args) -> None:
        self.error.hide()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return len(self.pin.text()) >= 4 and bool(self.again.text())

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        if self.pin.text() != self.again.text():
            self.error.setText(_("The two PINs are not the same; type them again."))
            self.error.show()
            self.again.clear()
            self.again.setFocus()
            return False
        return True

    def fill(self, plan: setup.StoreSetup) -> None:
        plan.pin = self.pin.text()


class RosterPage(QWizardPage):
    """The roster from an HR export, previewed with its column mapping and sample rows."""

    def __init__(self, ctx: LeadContext):
        super().__init__()
        self.ctx = ctx
        keep(self, title=N_("Roster"),
             subtitle=N_("The people who will come for shifts: the CSV file your HR system exports (English, "
                         "French or German headers are recognised). You can also add people later."))
        self.file = FileField(N_("Import the roster"), N_("CSV files (*.csv *.txt);;All files (*)"),
                              N_("Roster CSV file"))
        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.columns = ColumnsPreview()
        self.columns.hide()
        self.error = _error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.file)
        layout.addWidget(self.summary)
        layout.addWidget(self.columns, 1)
        layout.addWidget(self.error)
        self.mapping: dict | None = None
        self.ready = True
        self.file.changed.connect(self.on_file)
        self.columns.mapping_changed.connect(self.on_mapping)

    def on_file(self, _text: str = "") -> None:
        self.mapping = None
        self.preview()

    def on_mapping(self, mapping: dict) -> None:
        self.mapping = mapping
        self.preview()

    def preview(self) -> None:
        self.error.hide()
        path = self.file.path()
        self.ready = path is None
        if path is None:
            self.summary.setText(_("No roster: people can be added on the People page later."))
            self.columns.hide()
        elif not path.is_file():
            self.summary.setText(_("There is no such file."))
            self.columns.hide()
        else:
            try:
                plan = roster.plan_people_import(self.ctx.storage, path, self.mapping)
            except MissingColumn as exc:
                self.summary.setText(_("Choose the column that holds each person's name."))
                self.columns.show_missing(exc.headers, exc.problem)
                self.columns.show()
            except UserError as exc:
                self.summary.setText(str(exc))
                self.columns.hide()
            else:
                report = plan.report
                added = ngettext("{count} person to add", "{count} people to add", report.added).format(
                    count=format_number(report.added))
                self.summary.setText(_with_bad_lines(added, len(report.errors)))
                self.columns.show_table(plan.table)
                self.columns.show()
                self.ready = report.added + report.updated > 0
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return self.ready

    def fill(self, plan: setup.StoreSetup) -> None:
        plan.roster = self.file.path()
        plan.roster_mapping = self.mapping


class TasksPage(QWizardPage):
    def __init__(self, ctx: LeadContext):
        super().__init__()
        self.ctx = ctx
        keep(self, title=N_("Tasks"),
             subtitle=N_("The tasks visitors can be given: a CSV file with title, description, area, minutes "
                         "and capacity. You can also add tasks later."))
        self.file = FileField(N_("Import the task catalogue"), N_("CSV files (*.csv *.txt);;All files (*)"),
                              N_("Tasks CSV file"))
        self.summary = QLabel(_("No tasks file: tasks can be added on the Tasks page later."))
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.error = _error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.file)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.ready = True
        self.file.changed.connect(self.on_file)

    def on_file(self, _text: str = "") -> None:
        self.error.hide()
        path = self.file.path()
        self.ready = path is None
        if path is None:
            self.summary.setText(_("No tasks file: tasks can be added on the Tasks page later."))
        elif not path.is_file():
            self.summary.setText(_("There is no such file."))
        else:
            try:
                report, _inserts, _updates = task_service.plan_tasks_import(self.ctx.storage, path)
            except UserError as exc:
                self.summary.setText(str(exc))
            else:
                titles = ", ".join(t["title"] for t in _inserts[:4]) + ("…" if len(_inserts) > 4 else "")
                added = ngettext("{count} task to add", "{count} tasks to add", report.added).format(
                    count=format_number(report.added))
                self.summary.setText(_("{summary}: {titles}").format(
                    summary=_with_bad_lines(added, len(report.errors)).rstrip("."), titles=titles) if titles
                    else _with_bad_lines(added, len(report.errors)))
                self.ready = report.added + report.updated > 0
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return self.ready

    def fill(self, plan: setup.StoreSetup) -> None:
        plan.tasks = self.file.path()


class SetupWizard(QWizard):
    """The first-run wizard; done(lines) once the store is set up."""

    set_up = Signal(list)

    def __init__(self, ctx: LeadContext, parent=None, on_done: Callable[[list[str]], None] | None = None):
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.ctx = ctx
        keep(self, window_title=N_("Set up this store — storeshift"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setModal(True)
        storage = ctx.storage
        self.language = LanguagePage(settings.get(storage, "language"))
        self.organisation = OrganisationPage()
        self.site = SitePage(settings.get(storage, "site_name"))
        self.timezone = TimezonePage(settings.get(storage, "timezone"))
        self.hours = HoursPage(settings.get(storage, "opening_hours"))
        self.pin = PinPage()
        self.roster = RosterPage(ctx)
        self.tasks = TasksPage(ctx)
        # The order of `storeshift setup` (setup.STEPS).
        self.steps = {"language": self.language, "organisation": self.organisation, "site_name": self.site,
                      "timezone": self.timezone, "opening_hours": self.hours, "pin": self.pin,
                      "roster": self.roster, "tasks": self.tasks}
        assert tuple(self.steps) == setup.STEPS
        for page in self.steps.values():
            self.addPage(page)
        # The steps down the side, as the lead window's navigation: where one is, and what is left.
        self.step_list = QLabel()
        self.step_list.setObjectName("wizardSteps")
        self.step_list.setAlignment(Qt.AlignmentFlag.AlignTop)
        # Wrapped, not cut: 'Organisationsschlüssel' and 'PIN der Schichtleitung' are long words.
        self.step_list.setWordWrap(True)
        self.step_list.setFixedWidth(240)
        self.setSideWidget(self.step_list)
        self.currentIdChanged.connect(self.on_step)
        self.on_step(self.currentId())
        self.name_buttons()
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton):
            self.button(which).setProperty("primary", True)
        self.resize(900, 640)
        self.job = None
        self._applied = False
        if on_done is not None:
            self.set_up.connect(on_done)

    def on_step(self, current: int) -> None:
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton):
            button = self.button(which)  # the style sheet sees the "primary" property once re-polished
            button.style().unpolish(button)
            button.style().polish(button)
        lines = []
        for number, page in enumerate(self.steps.values(), start=1):
            title = html.escape(page.title())
            if number - 1 == current:
                lines.append(f"<p style='color:#ffffff'><b>{number}&nbsp;&nbsp;{title}</b></p>")
            elif number - 1 < current:
                lines.append(f"<p style='color:#94a3b8'>✓&nbsp;&nbsp;{title}</p>")
            else:
                lines.append(f"<p style='color:#cbd5e1'>{number}&nbsp;&nbsp;{title}</p>")
        heading = html.escape(_("Set up this store"))
        self.step_list.setText(f"<p style='color:#ffffff; font-size:13pt'><b>{heading}</b></p>" + "".join(lines))

    def name_buttons(self) -> None:
        # Back, Next and Cancel in Qt's own words and translation (qtbase_<lang>.qm): QWizard names
        # them once, when it is made, and not again at a language change. Finish says what it does.
        for which, text in _QT_BUTTONS:
            self.setButtonText(which, QCoreApplication.translate("QWizard", text))  # not translated: Qt's context
        self.setButtonText(QWizard.WizardButton.FinishButton, _("Set up the store"))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # A finished or cancelled wizard is never shown again (a new one is made), so it need not follow.
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "steps") and self.isVisible():
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text again in the language just chosen: the pages' kept texts, the days, the
        steps down the side, the buttons, and what the roster and task files would bring."""
        retranslate(self)
        self.hours.name_days()
        self.name_buttons()
        self.on_step(self.currentId())
        self.roster.preview()
        self.tasks.on_file()

    def reject(self) -> None:
        """Cancelled: nothing was written, and the store's own language is spoken again."""
        super().reject()
        settings.use_site_language(self.ctx.storage)

    def plan(self) -> setup.StoreSetup:
        plan = setup.StoreSetup(skip_invalid=True)
        for page in self.steps.values():
            page.fill(plan)
        return plan

    def accept(self) -> None:
        """Finish: write everything in one transaction, off the UI thread; the wizard stays open
        (with the reason on the last page) if it fails."""
        if self._applied:
            super().accept()
            return
        plan = self.plan()
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.tasks.error.hide()
        self.job = run_with_own_storage(self.ctx.storage, lambda storage: setup.apply(storage, plan),
                                        self.on_applied, self.on_failed)

    def on_applied(self, changes: list[str]) -> None:
        self._applied = True
        self.set_up.emit(changes)
        super().accept()

    def on_failed(self, text: str) -> None:
        self.tasks.error.setText(_("The store was not set up: {reason}").format(reason=text))
        self.tasks.error.show()
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)

