"""Bookings: expected slots (person, start, end), imported from CSV; who is expected and not yet in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import UserError
from ..i18n import _
from ..storage import audit
from ..storage.db import Storage, new_id, now_iso
from ..timeutil import local, local_day_bounds, parse_local, to_iso, utc_now
from . import settings
from .csvio import CsvRefused, ImportReport, LineError, read_csv

BOOKING_FIELDS = ("employee_id", "email", "start", "end", "task")


def add_booking(storage: Storage, person_id: str, start: dt.datetime, end: dt.datetime,
                task_id: str | None = None, actor: str = "shift lead") -> dict:
    if end <= start:
        raise UserError(_("The booking ends before it starts."))
    return audit.insert(storage, "bookings", {"person_id": person_id, "start_at": to_iso(start),
                                              "end_at": to_iso(end), "task_id": task_id}, actor)


def import_bookings(storage: Storage, source: str | Path | bytes, skip_invalid: bool = False,
                    actor: str = "import") -> ImportReport:
    """CSV with employee_id or email, start, end (site-local times such as 2026-11-25 09:00)
    and an optional task title. A booking already there (same person and start) is unchanged."""
    table = read_csv(source, required=("start", "end"), known=BOOKING_FIELDS)
    report = ImportReport.of(table)
    if "employee_id" not in table.columns and "email" not in table.columns:
        raise UserError(_("The header line needs an 'employee_id' or 'email' column to say who is booked."))
    tz = settings.get(storage, "timezone")
    people = storage.rows("SELECT id, employee_id, lower(email) AS email FROM people")
    by_employee = {p["employee_id"]: p["id"] for p in people if p["employee_id"]}
    by_email = {p["email"]: p["id"] for p in people if p["email"]}
    tasks = {t["title"].casefold(): t["id"] for t in storage.rows("SELECT id, title FROM tasks")}
    existing = {(b["person_id"], b["start_at"]) for b in storage.rows("SELECT person_id, start_at FROM bookings")}
    rows = []
    now = now_iso()
    for line, values in table.rows:
        person_id = by_employee.get(values.get("employee_id", "")) or by_email.get(values.get("email", "").lower())
        if person_id is None:
            who = values.get("employee_id") or values.get("email") or _("nobody")
            report.errors.append(LineError(line, _("{who} is not on the roster").format(who=who)))
            continue
        try:
            start, end = parse_local(values["start"], tz), parse_local(values["end"], tz)
        except ValueError:
            report.errors.append(LineError(line, _("start and end must be times such as 2026-11-25 09:00")))
            continue
        if end <= start:
            report.errors.append(LineError(line, _("ends before it starts")))
            continue
        task_id = None
        if values.get("task"):
            task_id = tasks.get(values["task"].casefold())
            if task_id is None:
                report.errors.append(LineError(line, _("there is no task '{task}'").format(task=values["task"])))
                continue
        key = (person_id, to_iso(start))
        if key in existing:
            report.unchanged += 1
            continue
        existing.add(key)
        rows.append({"id": new_id(), "site_id": storage.site_id, "created_at": now, "updated_at": now,
                     "person_id": person_id, "start_at": to_iso(start), "end_at": to_iso(end), "task_id": task_id})
        report.added += 1
    report.errors.sort(key=lambda e: e.line)
    if report.errors and not skip_invalid:
        raise CsvRefused(Path(source).name if isinstance(source, (str, Path)) else _("the file"), report.errors)
    audit.insert_many(storage, "bookings", rows, actor)
    report.applied = True
    return report


def expected_today(storage: Storage, now: dt.datetime | None = None, limit: int | None = None) -> list[dict]:
    """Today's bookings (site-local day) of people who have not checked in today, earliest
    first (in index order, so that a limit stops the reading early); at most limit of them."""
    where, params = _expected_today(storage, now)
    return storage.rows(
        "SELECT b.id, b.person_id, b.start_at, b.end_at, b.task_id, p.name, p.department, t.title AS task_title "
        "FROM bookings b JOIN people p ON p.id = b.person_id LEFT JOIN tasks t ON t.id = b.task_id "
        f"WHERE {where} ORDER BY b.start_at, b.person_id LIMIT ?", (*params, -1 if limit is None else limit))


def count_expected_today(storage: Storage, now: dt.datetime | None = None) -> int:
    """How many expected_today() would list without a limit."""
    where, params = _expected_today(storage, now)
    return storage.value(f"SELECT count(*) FROM bookings b WHERE {where}", params)


def _expected_today(storage: Storage, now: dt.datetime | None) -> tuple[str, tuple]:
    now = now or utc_now()
    tz = settings.get(storage, "timezone")
    start, end = local_day_bounds(local(now, tz).date(), tz)
    # NOT IN a list made once (today's arrivals), not a look-up in the visits index per booking.
    # (An erased person's visits keep no person_id: one NULL in a NOT IN list would hide everyone.)
    return ("b.start_at >= ? AND b.start_at < ? AND b.person_id NOT IN (SELECT v.person_id FROM visits v "
            "WHERE v.check_in_at >= ? AND v.check_in_at < ? AND v.person_id IS NOT NULL)",
            (start, end, start, end))
