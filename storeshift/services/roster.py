"""The roster: people who come to do shifts, added by hand or from CSV, deactivated, erased."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import NotFound, UserError
from ..i18n import N_, _, _l, format_number
from ..storage import audit
from ..storage.db import Storage, new_id, now_iso
from . import badges
from .csvio import CsvRefused, CsvRows, ImportReport, LineError, header_key, read_csv

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME = 1000
PERSON_FIELDS = ("name", "department", "email", "employee_id")
#: What a roster file may hold: a person's fields, or the name in two parts.
ROSTER_COLUMNS = (*PERSON_FIELDS, "first_name", "last_name")

#: The header names HR systems and spreadsheets use for each field, in English, French and
#: German, best first (compared without case, accents, spaces or punctuation; see header_key).
# not translated: the header names as HR files write them
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("Full Name", "Name", "Employee Name", "Display Name", "Person", "Nom complet",
             "Nom et prénom", "Prénom et nom", "Prénom Nom", "Nom Prénom", "Nom", "Collaborateur",
             "Vollständiger Name", "Vor- und Nachname", "Mitarbeitername", "Mitarbeiter", "Mitarbeiter/in"),
    "first_name": ("First Name", "Given Name", "Forename", "First", "Prénom", "Vorname", "Rufname"),
    "last_name": ("Last Name", "Surname", "Family Name", "Last", "Nom de famille", "Nom d'usage",
                  "Nachname", "Familienname", "Zuname"),
    "email": ("Work Email", "Business Email", "Email Address", "Work Email Address", "E-mail", "Mail",
              "Courriel", "Adresse e-mail", "Adresse email", "Adresse électronique", "Courriel professionnel",
              "E-mail professionnel", "Mél", "E-Mail-Adresse", "E-Mail geschäftlich", "Geschäftliche E-Mail",
              "Dienstliche E-Mail"),
    "employee_id": ("Employee ID", "Employee Number", "Employee No", "Employee #", "Staff ID", "Staff Number",
                    "Personnel Number", "Payroll Number", "Badge Number", "Matricule", "N° matricule",
                    "Numéro de matricule", "ID employé", "Numéro d'employé", "N° salarié", "Personalnummer",
                    "Personal-Nr.", "Pers.-Nr.", "Mitarbeiternummer", "Mitarbeiter-ID"),
    "department": ("Department", "Dept", "Team", "Division", "Business Unit", "Service", "Département",
                   "Direction", "Équipe", "Abteilung", "Bereich", "Organisationseinheit", "Team/Abteilung"),
}
# Beside a first-name column, these name the family name: French 'Prénom;Nom', German 'Vorname;Name'.
_FAMILY_NAME_IN_NAME = {header_key(h) for h in ("Name", "Nom")}  # not translated: header names


#: Longest department, email and employee id kept; a longer value is a pasting accident.
MAX_FIELD = 320
#: A person's fields as a sentence names them.
FIELD_LABELS = {"name": _l("name"), "department": _l("department"), "email": _l("email"),
                "employee_id": _l("employee id")}


def _unsafe(text: str) -> bool:
    """Control characters (terminal escapes, NUL) or lone surrogates, which cannot be stored as UTF-8."""
    return any(ch < " " or "\x7f" <= ch <= "\x9f" or "\ud800" <= ch <= "\udfff" for ch in text)


def _clean(values: dict) -> dict:
    """Trimmed values with empty optional fields as None; raises ValueError with a reason."""
    for field in PERSON_FIELDS:
        text = str(values.get(field) or "")
        if len(text) > (MAX_NAME if field == "name" else MAX_FIELD):
            raise ValueError(_("{field} is longer than {limit} characters").format(
                field=FIELD_LABELS[field], limit=format_number(MAX_NAME if field == "name" else MAX_FIELD)))
        if _unsafe(text.strip()):
            raise ValueError(_("{field} contains control characters").format(field=FIELD_LABELS[field]))
    name = str(values.get("name") or "").strip()
    if not name:
        raise ValueError(_("name is missing"))
    email = (values.get("email") or "").strip() or None
    if email and not EMAIL_RE.match(email):
        raise ValueError(_("'{email}' is not an email address").format(email=email))
    employee_id = (values.get("employee_id") or "").strip() or None
    department = " ".join(str(values.get("department") or "").split())
    return {"name": name, "department": department, "email": email, "employee_id": employee_id}


def _conflict(storage: Storage, person: dict, exclude_id: str | None) -> str | None:
    if person["employee_id"]:
        other = storage.one("SELECT id FROM people WHERE employee_id = ?", (person["employee_id"],))
        if other and other["id"] != exclude_id:
            return _("employee id {id} belongs to another person").format(id=person["employee_id"])
    if person["email"]:
        other = storage.one("SELECT id FROM people WHERE lower(email) = lower(?)", (person["email"],))
        if other and other["id"] != exclude_id:
            return _("email {email} belongs to another person").format(email=person["email"])
    return None


def add_person(storage: Storage, actor: str = "shift lead", **values) -> dict:
    """Add a person and issue their first badge."""
    try:
        person = _clean(values)
    except ValueError as exc:
        raise UserError(_("Cannot add this person: {reason}.").format(reason=exc)) from None
    with storage.write(N_("add the person")):
        problem = _conflict(storage, person, None)
        if problem:
            raise UserError(_("Cannot add this person: {reason}.").format(reason=problem))
        row = audit.insert(storage, "people", {**person, "photo": values.get("photo"), "active": 1}, actor)
        badges.issue(storage, row["id"], actor)
    return row


def edit_person(storage: Storage, person_id: str, actor: str = "shift lead", **values) -> dict:
    current = get_person(storage, person_id)
    try:
        person = _clean({**current, **values})
    except ValueError as exc:
        raise UserError(_("Cannot save: {reason}.").format(reason=exc)) from None
    with storage.write(N_("save the person")):
        problem = _conflict(storage, person, person_id)
        if problem:
            raise UserError(_("Cannot save: {reason}.").format(reason=problem))
        changes = {k: v for k, v in person.items() if current.get(k) != v}
        return audit.update(storage, "people", person_id, changes, actor) if changes else current


def set_active(storage: Storage, person_id: str, active: bool, actor: str = "shift lead") -> dict:
    get_person(storage, person_id)
    return audit.update(storage, "people", person_id, {"active": int(active)}, actor,
                        "reactivate" if active else "deactivate")


def get_person(storage: Storage, person_id: str) -> dict:
    person = storage.one("SELECT * FROM people WHERE id = ?", (person_id,))
    if person is None:
        raise NotFound(_("There is no such person (they may have been erased)."))
    return person


def find_person(storage: Storage, ref: str) -> dict:
    """A person by id, employee id or exact email: what command-line users type."""
    person = storage.one("SELECT * FROM people WHERE id = ? OR employee_id = ? OR lower(email) = lower(?)",
                         (ref, ref, ref))
    if person is None:
        raise NotFound(_("No person has the id, employee id or email '{ref}'.").format(ref=ref))
    return person


def list_people(storage: Storage, search: str = "", department: str = "", include_inactive: bool = True) -> list[dict]:
    sql = "SELECT * FROM people WHERE 1=1"
    params: list = []
    if search:
        sql += " AND (name LIKE ? OR email LIKE ? OR employee_id LIKE ?)"
        like = f"%{search}%"
        params += [like, like, like]
    if department:
        sql += " AND department = ?"
        params.append(department)
    if not include_inactive:
        sql += " AND active = 1"
    return storage.rows(sql + " ORDER BY name COLLATE NOCASE", params)


def departments(storage: Storage) -> list[str]:
    return [r["department"] for r in storage.rows(
        "SELECT DISTINCT department FROM people WHERE department != '' ORDER BY department")]


@dataclass
class PersonPlan:
    """The result of checking a roster CSV: what would change, every bad line, and how the file was read."""
    report: ImportReport
    inserts: list[dict]
    updates: list[tuple[str, dict]]
    table: CsvRows


def _name_parts(chosen: dict[str, int], headers: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """A 'Nom' or 'Name' column beside a first-name column holds the family name, not the full name."""
    name = chosen.get("name")
    if (name is not None and "name" not in mapping and "first_name" in chosen and "last_name" not in chosen
            and header_key(headers[name]) in _FAMILY_NAME_IN_NAME):
        chosen = {**chosen, "last_name": name}
        del chosen["name"]
    return chosen


def read_roster(source: str | Path | bytes, mapping: dict[str, str] | None = None) -> CsvRows:
    """A roster file's rows as person fields: the name joined from its parts where it comes in two."""
    table = read_csv(source, required=(("name", "first_name", "last_name"),), known=ROSTER_COLUMNS,
                     aliases=HEADER_ALIASES, mapping=mapping, adjust=_name_parts)
    for _line, values in table.rows:
        first, last = values.pop("first_name", ""), values.pop("last_name", "")
        if not values.get("name"):
            values["name"] = " ".join(part for part in (first, last) if part)
    return table


def plan_people_import(storage: Storage, source: str | Path | bytes,
                       mapping: dict[str, str] | None = None) -> PersonPlan:
    table = read_roster(source, mapping)
    report = ImportReport.of(table)
    inserts, updates = [], []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    existing = {r["id"]: r for r in storage.rows("SELECT * FROM people")}
    by_employee = {r["employee_id"]: r for r in existing.values() if r["employee_id"]}
    by_email = {r["email"].lower(): r for r in existing.values() if r["email"]}
    for line, values in table.rows:
        try:
            person = _clean(values)
        except ValueError as exc:
            report.errors.append(LineError(line, str(exc)))
            continue
        employee_id, email = person["employee_id"], (person["email"] or "").lower() or None
        if employee_id and employee_id in seen_ids:
            report.errors.append(LineError(line, _("employee id {id} is also on line {line}").format(
                id=employee_id, line=format_number(seen_ids[employee_id]))))
            continue
        if email and email in seen_emails:
            report.errors.append(LineError(line, _("email {email} is also on line {line}").format(
                email=person["email"], line=format_number(seen_emails[email]))))
            continue
        match = by_employee.get(employee_id) if employee_id else None
        if match is None and email:
            match = by_email.get(email)
        email_owner = by_email.get(email) if email else None
        if match and email_owner and email_owner["id"] != match["id"]:
            report.errors.append(LineError(line, _("email {email} belongs to another person").format(
                email=person["email"])))
            continue
        if match and employee_id and match["employee_id"] and match["employee_id"] != employee_id:
            report.errors.append(LineError(line, _("email {email} belongs to employee {id}").format(
                email=person["email"], id=match["employee_id"])))
            continue
        if employee_id:
            seen_ids[employee_id] = line
        if email:
            seen_emails[email] = line
        if match is None:
            inserts.append(person)
            report.added += 1
            continue
        # An empty cell in the file never wipes what the roster already knows.
        changes = {k: v for k, v in person.items() if v not in (None, "") and match.get(k) != v}
        if changes:
            updates.append((match["id"], changes))
            report.updated += 1
        else:
            report.unchanged += 1
    report.errors.sort(key=lambda e: e.line)
    return PersonPlan(report, inserts, updates, table)


def import_people(storage: Storage, source: str | Path | bytes, skip_invalid: bool = False,
                  actor: str = "import", mapping: dict[str, str] | None = None) -> ImportReport:
    """Import a roster CSV in one transaction: all lines, or (skip_invalid) all good lines.
    mapping ({field: column}) names the columns the headers alone do not make clear."""
    plan = plan_people_import(storage, source, mapping)
    if plan.report.errors and not skip_invalid:
        raise CsvRefused(Path(source).name if isinstance(source, (str, Path)) else _("the file"), plan.report.errors)
    with storage.write(N_("import the people")):
        now = now_iso()
        rows = [{"id": new_id(), "site_id": storage.site_id, "created_at": now, "updated_at": now,
                 **person, "photo": None, "active": 1} for person in plan.inserts]
        audit.insert_many(storage, "people", rows, actor)
        audit.insert_many(storage, "badges", [
            {"id": new_id(), "site_id": storage.site_id, "created_at": now, "updated_at": now,
             "person_id": row["id"], "serial": 1, "revoked_at": None} for row in rows], actor, "issue")
        for person_id, changes in plan.updates:
            audit.update(storage, "people", person_id, changes, actor)
    plan.report.applied = True
    return plan.report
