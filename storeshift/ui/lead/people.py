"""The People & badges page: the roster with search and department filter; add, edit,
deactivate; CSV import with a preview; badge sheets, revoke and reissue; erase a person."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from ...i18n import N_, _, format_number, ngettext
from ..language import keep
from ...errors import UserError
from ...services import badges, privacy, roster
from ...services.csvio import MissingColumn
from .common import ERROR, SUCCESS, FormDialog, LeadContext, choose_file, confirm, guard_search_box, record_table
from .imports import ImportPreview
from .models import PeopleModel


class PersonDialog(FormDialog):
    """Add or edit one person; problems are shown in the form, which stays open."""

    def __init__(self, parent, departments: list[str], person: dict | None = None):
        super().__init__(parent, _("Edit person") if person else _("Add a person"),
                         ok_text=_("Save") if person else _("Add and issue badge"))
        self.setObjectName("personDialog")
        self.person = person
        form = QFormLayout()
        self.name = QLineEdit(person["name"] if person else "")
        self.name.setObjectName("personName")
        self.department = QComboBox()
        self.department.setObjectName("personDepartment")
        self.department.setEditable(True)
        self.department.addItems([""] + departments)
        self.department.setCurrentText(person["department"] if person else "")
        self.email = QLineEdit((person or {}).get("email") or "")
        self.email.setObjectName("personEmail")
        self.employee_id = QLineEdit((person or {}).get("employee_id") or "")
        self.employee_id.setObjectName("personEmployeeId")
        form.addRow(_("Name"), self.name)
        form.addRow(_("Department"), self.department)
        form.addRow(_("Email"), self.email)
        form.addRow(_("Employee id"), self.employee_id)
        self.body.addLayout(form)
        self.finish_layout()
        self.resize(460, 240)

    def values(self) -> dict:
        return {"name": self.name.text(), "department": self.department.currentText(),
                "email": self.email.text(), "employee_id": self.employee_id.text()}


class PeoplePage(QWidget):
    title = N_("People & badges")

    def __init__(self, ctx: LeadContext, parent=None):
        super().__init__(parent)
        self.setObjectName("peoplePage")
        self.ctx = ctx
        self.dialog: PersonDialog | None = None
        self.preview: ImportPreview | None = None
        self.model = PeopleModel(self)

        heading = keep(QLabel(), text=N_("People & badges"))
        heading.setObjectName("pageTitle")
        self.search = QLineEdit()
        self.search.setObjectName("peopleSearch")
        keep(self.search, placeholder=N_("Search name, email, id…"))
        self.search.setClearButtonEnabled(True)
        keep(self.search, accessible=N_("Search people"))
        guard_search_box(self.search, ctx)
        self.department = QComboBox()
        self.department.setObjectName("peopleDepartment")
        self.department.setMinimumContentsLength(12)
        self.department.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.show_inactive = keep(QCheckBox(), text=N_("Show inac&tive"))
        self.show_inactive.setChecked(True)
        self.count = QLabel()
        self.count.setObjectName("hint")
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.department, 1)
        filters.addWidget(self.show_inactive)
        filters.addWidget(self.count)

        self.table = record_table(self.model, "peopleTable", stretch_column=0, multi_select=True)

        self.add_button = keep(QPushButton(), text=N_("&Add person…"))
        self.add_button.setProperty("primary", True)
        self.edit_button = keep(QPushButton(), text=N_("&Edit…"))
        self.active_button = keep(QPushButton(), text=N_("Deacti&vate"))
        self.import_button = keep(QPushButton(), text=N_("&Import CSV…"))
        self.sheet_button = keep(QPushButton(), text=N_("Badge &sheet…"))
        self.reissue_button = keep(QPushButton(), text=N_("&Reissue badge…"))
        self.revoke_button = keep(QPushButton(), text=N_("Revo&ke badge…"))
        self.erase_button = keep(QPushButton(), text=N_("Erase…"))
        self.erase_button.setProperty("danger", True)
        # The roster's buttons above the table, the badges' below: rows short enough for 1024 px.
        roster_row = QHBoxLayout()
        for button in (self.add_button, self.import_button, self.edit_button, self.active_button):
            roster_row.addWidget(button)
        roster_row.addStretch(1)
        roster_row.addWidget(self.erase_button)
        badge_row = QHBoxLayout()
        badge_label = keep(QLabel(), text=N_("Badges:"))
        badge_label.setObjectName("hint")
        badge_row.addWidget(badge_label)
        for button in (self.sheet_button, self.reissue_button, self.revoke_button):
            badge_row.addWidget(button)
        badge_row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(filters)
        layout.addLayout(roster_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(badge_row)

        self.search.textChanged.connect(lambda _text: self.refresh())
        self.department.currentIndexChanged.connect(lambda _i: self.refresh())
        self.show_inactive.toggled.connect(lambda _on: self.refresh())
        self.table.selectionModel().selectionChanged.connect(self.on_selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.on_edit())
        self.add_button.clicked.connect(self.on_add)
        self.edit_button.clicked.connect(self.on_edit)
        self.active_button.clicked.connect(self.on_toggle_active)
        self.import_button.clicked.connect(self.on_import_clicked)
        self.sheet_button.clicked.connect(self.on_badge_sheet)
        self.reissue_button.clicked.connect(self.on_reissue)
        self.revoke_button.clicked.connect(self.on_revoke)
        self.erase_button.clicked.connect(self.on_erase)
        self.refresh()

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        storage = self.ctx.storage
        chosen = self.department.currentData() or ""
        departments = roster.departments(storage)
        current_items = [self.department.itemData(i) for i in range(self.department.count())]
        if current_items != [""] + departments:
            self.department.blockSignals(True)
            self.department.clear()
            self.department.addItem(_("All departments"), "")
            for name in departments:
                self.department.addItem(name, name)
            index = self.department.findData(chosen)
            self.department.setCurrentIndex(max(0, index))
            self.department.blockSignals(False)
            chosen = self.department.currentData() or ""
        people = roster.list_people(storage, search=self.search.text().strip(), department=chosen,
                                    include_inactive=self.show_inactive.isChecked())
        latest = badges.latest_badges(storage)
        for person in people:
            badge = latest.get(person["id"])
            person["badge_serial"] = badge["serial"] if badge else None
            person["badge_revoked_at"] = badge["revoked_at"] if badge else None
        self.model.set_rows(people)
        self.count.setText(ngettext("{count} person shown", "{count} people shown", len(people))
                           .format(count=format_number(len(people))))
        self.on_selection_changed()

    def selected_people(self) -> list[dict]:
        return [self.model.row_at(i.row()) for i in sorted(self.table.selectionModel().selectedRows(),
                                                            key=lambda i: i.row())]

    def select_person(self, person_id: str) -> None:
        index = self.model.index_of(person_id)
        if index.isValid():
            self.table.selectRow(index.row())

    def on_selection_changed(self, *_args) -> None:
        chosen = self.selected_people()
        one = len(chosen) == 1
        for button in (self.edit_button, self.active_button, self.reissue_button, self.revoke_button,
                       self.erase_button):
            button.setEnabled(one)
        if one:
            self.active_button.setText(_("Deacti&vate") if chosen[0]["active"] else _("Reacti&vate"))
            valid = chosen[0].get("badge_serial") and not chosen[0].get("badge_revoked_at")
            self.revoke_button.setEnabled(bool(valid))
        self.sheet_button.setText(_("Print badge&s for {count}…").format(count=format_number(len(chosen)))
                                  if len(chosen) > 1 else _("Print thi&s badge…") if one else _("Print all badge&s…"))

    # -- doing --------------------------------------------------------------------------------
    def _do(self, action, success: str) -> bool:
        try:
            action()
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return False
        self.refresh()
        self.ctx.changed(self)
        self.ctx.tell(success, SUCCESS)
        return True

    def on_add(self) -> None:
        self.dialog = PersonDialog(self, roster.departments(self.ctx.storage))
        dialog = self.dialog

        def save() -> None:
            try:
                person = roster.add_person(self.ctx.storage, **dialog.values())
            except UserError as exc:
                dialog.show_error(str(exc))
                return
            dialog.accept()
            self.refresh()
            self.ctx.changed(self)
            self.select_person(person["id"])
            self.ctx.tell(_("{name} is on the roster with badge #1. Print it with 'Print this badge'.")
                          .format(name=person["name"]), SUCCESS)

        dialog.buttons.accepted.connect(save)
        dialog.open()

    def on_edit(self) -> None:
        chosen = self.selected_people()
        if len(chosen) != 1:
            return
        self.dialog = PersonDialog(self, roster.departments(self.ctx.storage), chosen[0])
        dialog, person_id = self.dialog, chosen[0]["id"]

        def save() -> None:
            try:
                person = roster.edit_person(self.ctx.storage, person_id, **dialog.values())
            except UserError as exc:
                dialog.show_error(str(exc))
                return
            dialog.accept()
            self.refresh()
            self.ctx.changed(self)
            self.ctx.tell(_("Saved {name}.").format(name=person["name"]), SUCCESS)

        dialog.buttons.accepted.connect(save)
        dialog.open()

    def on_toggle_active(self) -> None:
        chosen = self.selected_people()
        if len(chosen) != 1:
            return
        person = chosen[0]
        becomes = not person["active"]
        self._do(lambda: roster.set_active(self.ctx.storage, person["id"], becomes),
                 (_("{name} is active again.") if becomes else
                  _("{name} is deactivated: their badge is refused until you reactivate them.")).format(
                     name=person["name"]))

    def on_reissue(self) -> None:
        chosen = self.selected_people()
        if len(chosen) != 1:
            return
        person = chosen[0]
        if person.get("badge_serial"):
            question = _("Give {name} a new badge? Their printed badge #{serial} stops working at the kiosk at "
                         "once, so print the new one before they come in.")
            done = _("New badge issued for {name}; badge #{serial} no longer works. Print it with 'Print this badge'.")
        else:
            question = _("Give {name} a new badge? Any older badge of theirs stops working at the kiosk at once, "
                         "so print the new one before they come in.")
            done = _("New badge issued for {name}; any older badge of theirs no longer works. "
                     "Print it with 'Print this badge'.")
        values = {"name": person["name"], "serial": person.get("badge_serial")}
        confirm(self, _("Reissue badge"), question.format(**values), _("Reissue badge"),
                lambda: self._do(lambda: badges.issue(self.ctx.storage, person["id"]), done.format(**values)),
                danger=True)

    def on_revoke(self) -> None:
        chosen = self.selected_people()
        if len(chosen) != 1:
            return
        person = chosen[0]
        confirm(self, _("Revoke badge"),
                _("Revoke {name}'s badge #{serial}? It is refused at the kiosk from now on. Use 'Reissue badge' "
                  "to give them a new one.").format(name=person["name"], serial=person["badge_serial"]),
                _("Revoke badge"),
                lambda: self._do(lambda: badges.revoke(self.ctx.storage, person["id"]),
                                 _("{name}'s badge is revoked.").format(name=person["name"])), danger=True)

    def on_erase(self) -> None:
        chosen = self.selected_people()
        if len(chosen) != 1:
            return
        person = chosen[0]
        try:
            summary = privacy.erase_summary(self.ctx.storage, person["id"])
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return
        confirm(self, _("Erase a person"), summary + "\n\n" + _("This cannot be undone."),
                _("Erase {name}").format(name=person["name"]),
                lambda: self._do(lambda: privacy.erase_person(self.ctx.storage, person["id"]),
                                 _("{name} is erased; their visits and notes stay without a name.")
                                 .format(name=person["name"])),
                danger=True)

    def on_badge_sheet(self) -> None:
        chosen = self.selected_people()
        ids = [p["id"] for p in chosen] if chosen else None
        if chosen and not any(p["active"] and p.get("badge_serial") and not p.get("badge_revoked_at")
                              for p in chosen):
            self.ctx.tell(_("None of the selected people has a valid badge (inactive or revoked); "
                          "reactivate them or reissue their badge first."), ERROR)
            return
        self.ctx.badge_sheet_requested.emit(ids)

    def on_import_clicked(self) -> None:
        choose_file(self, _("Import people from a CSV file"), _("CSV files (*.csv)"), self.preview_import)

    def preview_import(self, path: Path) -> None:
        def replan(mapping: dict):
            plan = roster.plan_people_import(self.ctx.storage, path, mapping)
            return plan.report, plan.table

        def apply(storage, skip: bool, mapping: dict | None):
            return roster.import_people(storage, path, skip_invalid=skip, mapping=mapping)

        try:
            plan = roster.plan_people_import(self.ctx.storage, path)
        except MissingColumn as exc:
            # Not a refusal yet: the lead may know which column holds the name.
            self.preview = ImportPreview(self, path, None, "people", apply, self.on_imported, replan=replan,
                                         missing=(exc.headers, exc.problem))
            self.preview.open()
            return
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return
        self.preview = ImportPreview(self, path, plan.report, "people", apply, self.on_imported,
                                     table=plan.table, replan=replan)
        self.preview.open()

    def on_imported(self, summary: str) -> None:
        self.refresh()
        self.ctx.changed(self)
        self.ctx.tell(summary + " " + _("Each new person has badge #1."), SUCCESS)

