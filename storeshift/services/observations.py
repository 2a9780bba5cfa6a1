"""Observations: what visitors noticed, with card and phone numbers masked, and their triage."""

from __future__ import annotations

import re

from ..errors import NotFound, UserError
from ..i18n import N_, _, _l, format_number
from ..storage import audit
from ..storage.db import Storage

# Labels are lazy: read in the language of the moment they are shown (str() them for Qt).
CATEGORIES = {
    "customer_voice": _l("Customer voice"),
    "process_problem": _l("Process problem"),
    "product_issue": _l("Product issue"),
    "idea": _l("Idea"),
    "praise": _l("Praise"),
}
IMPACTS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
STATUSES = {"new": _l("New"), "triaged": _l("Triaged"), "actioned": _l("Actioned"), "closed": _l("Closed")}
MAX_TEXT = 5000
MAX_QUOTE = 1000

# Runs of 9+ digits with spaces, dots, dashes or brackets between them: card or phone numbers.
_NUMBER_RUN = re.compile(r"\+?\(?\d(?:[\s.\-()/]{0,2}\d){8,}")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def mask_numbers(text: str) -> str:
    """Replace card numbers with [card number] and phone numbers with [phone number], so that
    personal data customers read out never lands in the database."""
    def replace(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return _("[card number]")
        if len(digits) <= 15:
            return _("[phone number]")
        return _("[number removed]")
    return _NUMBER_RUN.sub(replace, text)


# Control characters other than line breaks and tabs (terminal escapes, NUL, a scanner's framing).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _scrub(text: str) -> str:
    # A lone surrogate (half an emoji pasted) cannot be stored as UTF-8: it becomes U+FFFD.
    return _LONE_SURROGATE.sub("\ufffd", _CONTROLS.sub("", text.replace("\r\n", "\n")))


# What each text is called when it is too long (whole sentences, so each language can say it its way).
_TOO_LONG = {
    "observation": N_("The observation is {length} characters long; please keep it under {limit}."),
    "quote": N_("The customer quote is {length} characters long; please keep it under {limit}."),
    "follow_up": N_("The follow-up note is {length} characters long; please keep it under {limit}."),
}
_NOT_A_CHOICE = {
    "category": N_("'{value}' is not a category; choose one of: {choices}."),
    "impact": N_("'{value}' is not an impact; choose one of: {choices}."),
    "status": N_("'{value}' is not a status; choose one of: {choices}."),
}


def _clean_text(text: str | None, limit: int, label: str, required: bool) -> str | None:
    text = _scrub(text or "").strip()
    if not text:
        if required:
            raise UserError(_("Please write what you noticed: the observation is empty."))
        return None
    if len(text) > limit:
        raise UserError(_(_TOO_LONG[label]).format(length=format_number(len(text)), limit=format_number(limit)))
    return mask_numbers(text)


def _check_choice(value: str, choices: dict, label: str) -> str:
    if value not in choices:
        raise UserError(_(_NOT_A_CHOICE[label]).format(value=value, choices=", ".join(map(str, choices.values()))))
    return value


def add_observation(storage: Storage, *, category: str, text: str, quote: str | None = None,
                    impact: str = "medium", visit_id: str | None = None, person_id: str | None = None,
                    task_id: str | None = None, actor: str = "kiosk") -> dict:
    values = {"category": _check_choice(category, CATEGORIES, "category"),
              "impact": _check_choice(impact, IMPACTS, "impact"),
              "text": _clean_text(text, MAX_TEXT, "observation", True),
              "quote": _clean_text(quote, MAX_QUOTE, "quote", False)}
    with storage.write(N_("save the observation")):
        if visit_id is not None:
            visit = storage.one("SELECT person_id FROM visits WHERE id = ?", (visit_id,))
            if visit is None:
                raise NotFound(_("There is no such visit."))
            person_id = person_id or visit["person_id"]
            if task_id is None:
                task_id = storage.value("SELECT task_id FROM assignments WHERE visit_id = ? "
                                        "ORDER BY assigned_at DESC LIMIT 1", (visit_id,))
        return audit.insert(storage, "observations", {
            **values, "visit_id": visit_id, "person_id": person_id, "task_id": task_id,
            "status": "new", "owner": None, "follow_up": None}, actor)


def edit_observation(storage: Storage, observation_id: str, actor: str = "kiosk", **values) -> dict:
    """Change what was written (the kiosk autosaves a debrief as the visitor types)."""
    current = get_observation(storage, observation_id)
    changes = {}
    if "category" in values:
        changes["category"] = _check_choice(values["category"], CATEGORIES, "category")
    if "impact" in values:
        changes["impact"] = _check_choice(values["impact"], IMPACTS, "impact")
    if "text" in values:
        changes["text"] = _clean_text(values["text"], MAX_TEXT, "observation", True)
    if "quote" in values:
        changes["quote"] = _clean_text(values["quote"], MAX_QUOTE, "quote", False)
    changes = {k: v for k, v in changes.items() if current.get(k) != v}
    return audit.update(storage, "observations", observation_id, changes, actor) if changes else current


def triage(storage: Storage, observation_id: str, *, status: str | None = None, owner: str | None = None,
           follow_up: str | None = None, actor: str = "shift lead") -> dict:
    current = get_observation(storage, observation_id)
    changes = {}
    if status is not None:
        changes["status"] = _check_choice(status, STATUSES, "status")
    if owner is not None:
        changes["owner"] = " ".join(_scrub(owner).split()) or None
    if follow_up is not None:
        changes["follow_up"] = _clean_text(follow_up, MAX_TEXT, "follow_up", False)
    if changes.get("owner") and current["status"] == "new" and "status" not in changes:
        changes["status"] = "triaged"
    changes = {k: v for k, v in changes.items() if current.get(k) != v}
    return audit.update(storage, "observations", observation_id, changes, actor, "triage") if changes else current


TRIAGE_FIELDS = ("status", "owner", "follow_up")


def undo_triage(storage: Storage, observation_id: str, before: dict, after: dict,
                actor: str = "shift lead") -> dict:
    """Put an observation's triage (status, owner, follow-up) back as it was before a save,
    unless someone has changed it again since (then nothing changes)."""
    with storage.write(N_("undo the triage")):
        current = get_observation(storage, observation_id)
        if any(current.get(k) != after.get(k) for k in TRIAGE_FIELDS):
            raise UserError(_("The triage has changed again since, so it was not undone."))
        changes = {k: before.get(k) for k in TRIAGE_FIELDS if current.get(k) != before.get(k)}
        changes["status"] = _check_choice(before.get("status") or "new", STATUSES, "status")
        return audit.update(storage, "observations", observation_id, changes, actor, "undo_triage")


def get_observation(storage: Storage, observation_id: str) -> dict:
    row = storage.one("SELECT * FROM observations WHERE id = ?", (observation_id,))
    if row is None:
        raise NotFound(_("There is no such observation."))
    return row


def list_observations(storage: Storage, *, start: str | None = None, end: str | None = None,
                      category: str = "", status: str = "", impact: str = "", search: str = "",
                      limit: int | None = None, theme_id: str | None = None) -> list[dict]:
    """Observations with who wrote them, on which task and in which theme; times bound created_at
    as UTC ISO. A note in a theme shows the theme's status, owner and follow-up (triage lives there)."""
    status_of = "coalesce(th.status, o.status)"
    sql = ("SELECT o.id, o.site_id, o.created_at, o.updated_at, o.visit_id, o.person_id, o.task_id, o.category, "
           f"o.text, o.quote, o.impact, o.theme_id, {status_of} AS status, "
           "CASE WHEN th.id IS NULL THEN o.owner ELSE th.owner END AS owner, "
           "CASE WHEN th.id IS NULL THEN o.follow_up ELSE th.follow_up END AS follow_up, th.title AS theme_title, "
           "p.name AS person_name, p.department AS department, t.title AS task_title "
           "FROM observations o LEFT JOIN themes th ON th.id = o.theme_id LEFT JOIN people p ON p.id = o.person_id "
           "LEFT JOIN tasks t ON t.id = o.task_id WHERE 1=1")
    params: list = []
    for column, value in (("o.category", category), (status_of, status), ("o.impact", impact),
                          ("o.theme_id", theme_id)):
        if value:
            sql += f" AND {column} = ?"
            params.append(value)
    if start:
        sql += " AND o.created_at >= ?"
        params.append(start)
    if end:
        sql += " AND o.created_at < ?"
        params.append(end)
    if search:
        sql += (" AND (o.text LIKE ? OR o.quote LIKE ? OR o.owner LIKE ? OR o.follow_up LIKE ? OR th.title LIKE ? "
                "OR th.owner LIKE ? OR th.follow_up LIKE ?)")
        params += [f"%{search}%"] * 7
    sql += " ORDER BY o.created_at DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return storage.rows(sql, params)


def actioned(storage: Storage, limit: int = 20) -> list[dict]:
    """'You told us, we did': actioned themes (and notes triaged before themes) with what was
    done, no names; newest first."""
    return storage.rows(
        "SELECT category, text, follow_up, updated_at FROM ("
        "SELECT (SELECT o.category FROM observations o WHERE o.theme_id = t.id GROUP BY o.category "
        "ORDER BY count(*) DESC LIMIT 1) AS category, t.title AS text, t.follow_up, "
        "coalesce(t.actioned_at, t.updated_at) AS updated_at FROM themes t "
        "WHERE t.status = 'actioned' AND t.follow_up IS NOT NULL AND t.site_id = ? "
        "UNION ALL SELECT category, text, follow_up, updated_at FROM observations "
        "WHERE status = 'actioned' AND follow_up IS NOT NULL AND theme_id IS NULL AND site_id = ?) "
        "WHERE category IS NOT NULL ORDER BY updated_at DESC LIMIT ?", (storage.site_id, storage.site_id, limit))


# ---------------------------------------------------------------- CSV import

OBSERVATION_FIELDS = ("employee_id", "email", "at", "category", "text", "quote", "impact")


def _choice_of(value: str, choices: dict) -> str | None:
    """A key of choices from its key or its label, in any case, with spaces, dashes or underscores."""
    wanted = "_".join(value.replace("-", " ").replace("_", " ").casefold().split())
    for key, label in choices.items():
        # The key, or the label in the language of the moment or in English.
        if wanted in (key, "_".join(str(label).casefold().split()), "_".join(label.source.casefold().split())):
            return key
    return None


def import_observations(storage: Storage, source, skip_invalid: bool = False, actor: str = "import"):
    """Import observations from a CSV (paper sheets, survey exports): employee_id or email, at (ISO
    8601; site time when it has no offset), category, text, quote, impact. Each is linked to that
    person's visit at that time when there is one, else kept as a note of this site; a line already
    imported (same person, time and text) is unchanged. Bad lines as the roster import treats them."""
    from pathlib import Path

    from ..storage.db import new_id, now_iso
    from ..timeutil import parse_local, to_iso, utc_now
    from . import settings
    from .csvio import CsvRefused, ImportReport, LineError, read_csv

    table = read_csv(source, required=("at", "category", "text"), known=OBSERVATION_FIELDS)
    if "employee_id" not in table.headers and "email" not in table.headers:
        raise UserError(_("The header line needs an 'employee_id' or 'email' column to say who noticed it."))
    report = ImportReport(errors=list(table.errors))
    tz = settings.get(storage, "timezone")
    people = storage.rows("SELECT id, employee_id, lower(email) AS email FROM people")
    by_employee = {p["employee_id"]: p["id"] for p in people if p["employee_id"]}
    by_email = {p["email"]: p["id"] for p in people if p["email"]}
    existing = {(o["person_id"], o["created_at"], o["text"]) for o in storage.rows(
        "SELECT person_id, created_at, text FROM observations WHERE site_id = ?", (storage.site_id,))}
    now = utc_now()
    stamp = now_iso()
    planned = []
    for line, values in table.rows:
        employee, email = values.get("employee_id", ""), values.get("email", "").lower()
        person_id = by_employee.get(employee) if employee else by_email.get(email)
        if person_id is None:
            who = employee or values.get("email") or ""
            report.errors.append(LineError(line, _("{who} is not on the roster").format(who=who) if who
                                           else _("says nobody: employee_id or email is empty")))
            continue
        try:
            at = parse_local(values["at"], tz)
        except ValueError:
            report.errors.append(LineError(line, _("at '{value}' is not a time such as 2026-11-25 14:30").format(
                value=values["at"])))
            continue
        if at > now:
            report.errors.append(LineError(line, _("at {value} is in the future").format(value=values["at"])))
            continue
        category = _choice_of(values["category"], CATEGORIES)
        if category is None:
            report.errors.append(LineError(line, _("category '{value}' is not one of: {choices}").format(
                value=values["category"], choices=", ".join(c.lower() for c in CATEGORIES.values()))))
            continue
        impact = _choice_of(values.get("impact") or "medium", IMPACTS)
        if impact is None:
            report.errors.append(LineError(line, _("impact '{value}' is not low, medium or high").format(
                value=values["impact"])))
            continue
        try:
            text = _clean_text(values["text"], MAX_TEXT, "observation", True)
            quote = _clean_text(values.get("quote"), MAX_QUOTE, "quote", False)
        except UserError as exc:
            report.errors.append(LineError(line, str(exc)))
            continue
        key = (person_id, to_iso(at), text)
        if key in existing:
            report.unchanged += 1
            continue
        existing.add(key)
        planned.append((person_id, to_iso(at), category, impact, text, quote))
    report.errors.sort(key=lambda e: e.line)
    if report.errors and not skip_invalid:
        raise CsvRefused(Path(source).name if isinstance(source, (str, Path)) else _("the file"), report.errors)
    with storage.write(N_("import the observations")):
        rows = []
        for person_id, noticed_at, category, impact, text, quote in planned:
            visit = storage.one(
                "SELECT id FROM visits WHERE person_id = ? AND site_id = ? AND check_in_at <= ? AND "
                "(check_out_at IS NULL OR check_out_at >= ?) ORDER BY check_in_at DESC LIMIT 1",
                (person_id, storage.site_id, noticed_at, noticed_at))
            task_id = None
            if visit:
                task_id = storage.value("SELECT task_id FROM assignments WHERE visit_id = ? AND assigned_at <= ? "
                                        "ORDER BY assigned_at DESC LIMIT 1", (visit["id"], noticed_at))
            # Written at the time on the sheet: reports count it in the week it was noticed.
            rows.append({"id": new_id(), "site_id": storage.site_id, "created_at": noticed_at, "updated_at": stamp,
                         "visit_id": visit["id"] if visit else None, "person_id": person_id, "task_id": task_id,
                         "category": category, "text": text, "quote": quote, "impact": impact, "status": "new",
                         "owner": None, "follow_up": None, "theme_id": None})
        audit.insert_many(storage, "observations", rows, actor)
    report.added = len(rows)
    report.applied = True
    return report
