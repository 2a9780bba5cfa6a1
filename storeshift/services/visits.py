"""Visits: the one scan() that turns a badge into check-in, check-out, repeat or refusal,
manual check-in/out by the shift lead, auto-closing forgotten visits, and who is on the floor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import NotFound, UserError
from ..storage import audit
from ..storage.db import Storage
from ..timeutil import (from_iso, local, local_clock, local_day_bounds, minutes_between, to_iso,
                        utc_now, zone)
from . import badges, settings

CHECKED_IN, CHECKED_OUT, REPEAT, REFUSED = "checked_in", "checked_out", "repeat", "refused"


@dataclass
class ScanResult:
    kind: str
    message: str
    person: dict | None = None
    visit: dict | None = None
    reason: str | None = None
    minutes_today: int = 0
    minutes_total: int = 0
    task: dict | None = None
    booking: dict | None = None
    #: An earlier visit that was closed automatically: ask when the person really left.
    forgotten_visit: dict | None = None
    extra: dict = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.kind != REFUSED


def visit_minutes(visit: dict, now: dt.datetime | None = None) -> int:
    """Minutes given in one visit: the one place hours are computed."""
    end = visit.get("check_out_at") or to_iso(now or utc_now())
    return minutes_between(visit["check_in_at"], end)


def _closing_instant(check_in: str, closing: str, tz: str) -> dt.datetime:
    """When a visit begun at check_in is closed if nobody checks out: the site's closing time
    that day, or the next day's for a visit begun after closing (night shifts)."""
    start = local(check_in, tz)
    closing_time = dt.time.fromisoformat(closing)
    close = dt.datetime.combine(start.date(), closing_time, zone(tz))
    if close <= start:
        close = dt.datetime.combine(start.date() + dt.timedelta(days=1), closing_time, zone(tz))
    return close.astimezone(dt.timezone.utc)


def _last_closing(now: dt.datetime, closing: str, tz: str) -> dt.datetime:
    """The latest closing instant at or before now."""
    closing_time = dt.time.fromisoformat(closing)
    today = local(now, tz).date()
    close = dt.datetime.combine(today, closing_time, zone(tz))
    if close > now:
        close = dt.datetime.combine(today - dt.timedelta(days=1), closing_time, zone(tz))
    return close.astimezone(dt.timezone.utc)


def close_forgotten_visits(storage: Storage, now: dt.datetime) -> int:
    """Close every open visit whose closing time has passed, flagged auto_closed."""
    tz, closing = settings.get(storage, "timezone"), settings.get(storage, "closing_time")
    closed = 0
    # Every scan calls this: only visits begun before the last closing time can be past theirs
    # (a visit closes at the first closing time after it began), so today's open visits are
    # never read and the cost does not grow with the number of people on the floor.
    before = to_iso(_last_closing(now, closing, tz))
    with storage.write("close forgotten visits"):
        for visit in storage.rows("SELECT id, check_in_at FROM visits WHERE check_out_at IS NULL AND site_id = ? "
                                  "AND check_in_at < ?", (storage.site_id, before)):
            close_at = _closing_instant(visit["check_in_at"], closing, tz)
            if close_at <= now:
                _end_assignment(storage, visit["id"], to_iso(close_at), "system")
                audit.update(storage, "visits", visit["id"],
                             {"check_out_at": to_iso(close_at), "source_out": "auto", "auto_closed": 1},
                             "system", "auto_close")
                closed += 1
    return closed


def _end_assignment(storage: Storage, visit_id: str, at: str, actor: str) -> None:
    active = storage.one("SELECT id FROM assignments WHERE visit_id = ? AND status = 'active'", (visit_id,))
    if active:
        audit.update(storage, "assignments", active["id"], {"status": "done", "ended_at": at}, actor, "complete")


def open_visit(storage: Storage, person_id: str) -> dict | None:
    return storage.one("SELECT * FROM visits WHERE person_id = ? AND check_out_at IS NULL "
                       "ORDER BY check_in_at DESC LIMIT 1", (person_id,))


def current_task(storage: Storage, visit_id: str) -> dict | None:
    return storage.one("SELECT t.*, a.id AS assignment_id, a.assigned_at FROM assignments a "
                       "JOIN tasks t ON t.id = a.task_id WHERE a.visit_id = ? AND a.status = 'active'",
                       (visit_id,))


def _minutes_given(storage: Storage, person_id: str, now: dt.datetime, tz: str) -> tuple[int, int]:
    """(today, all time) minutes a person has given, today meaning the site's local day."""
    day_start, day_end = local_day_bounds(local(now, tz).date(), tz)
    today = total = 0
    for visit in storage.rows("SELECT check_in_at, check_out_at FROM visits WHERE person_id = ?", (person_id,)):
        minutes = visit_minutes(visit, now)
        total += minutes
        if day_start <= visit["check_in_at"] < day_end:
            today += minutes
    return today, total


def todays_booking(storage: Storage, person_id: str, now: dt.datetime, tz: str) -> dict | None:
    day_start, day_end = local_day_bounds(local(now, tz).date(), tz)
    return storage.one("SELECT * FROM bookings WHERE person_id = ? AND start_at >= ? AND start_at < ? "
                       "ORDER BY start_at LIMIT 1", (person_id, day_start, day_end))


def _forgotten(storage: Storage, person_id: str) -> dict | None:
    return storage.one("SELECT * FROM visits WHERE person_id = ? AND auto_closed = 1 AND departure_confirmed = 0 "
                       "ORDER BY check_in_at DESC LIMIT 1", (person_id,))


def scan(storage: Storage, payload: str, now: dt.datetime | None = None) -> ScanResult:
    """Everything a badge scan means, decided and committed in one transaction."""
    now = now or utc_now()
    check = badges.verify(storage, payload)
    if not check.ok:
        return ScanResult(REFUSED, check.message, person=check.person, reason=check.reason)
    person = check.person
    with storage.write("record the scan"):
        close_forgotten_visits(storage, now)
        tz = settings.get(storage, "timezone")
        window = settings.get(storage, "repeat_window_s")
        visit = open_visit(storage, person["id"])
        if visit is not None:
            since = from_iso(visit["check_in_at"])
            if abs((now - since).total_seconds()) < window:
                result = ScanResult(REPEAT, f"You're already checked in since {local_clock(since, tz)}.",
                                    person, visit, task=current_task(storage, visit["id"]))
            else:
                check_out_at = to_iso(max(now, since))
                _end_assignment(storage, visit["id"], check_out_at, "kiosk")
                visit = audit.update(storage, "visits", visit["id"],
                                     {"check_out_at": check_out_at, "source_out": "badge"}, "kiosk", "check_out")
                result = ScanResult(CHECKED_OUT, f"Thank you, {person['name']}! You gave "
                                    f"{visit_minutes(visit)} minutes today.", person, visit,
                                    task=storage.one("SELECT t.* FROM assignments a JOIN tasks t ON t.id = a.task_id "
                                                     "WHERE a.visit_id = ? ORDER BY a.assigned_at DESC LIMIT 1",
                                                     (visit["id"],)))
        else:
            last = storage.one("SELECT * FROM visits WHERE person_id = ? AND check_out_at IS NOT NULL "
                               "ORDER BY check_out_at DESC LIMIT 1", (person["id"],))
            if last and not last["auto_closed"] and \
                    abs((now - from_iso(last["check_out_at"])).total_seconds()) < window:
                result = ScanResult(REPEAT, f"You're already checked out at "
                                    f"{local_clock(last['check_out_at'], tz)}.", person, last)
            else:
                visit = audit.insert(storage, "visits", {
                    "person_id": person["id"], "department": person["department"],
                    "check_in_at": to_iso(now), "source_in": "badge"}, "kiosk", "check_in")
                result = ScanResult(CHECKED_IN, f"Welcome, {person['name']}!", person, visit,
                                    booking=todays_booking(storage, person["id"], now, tz))
        result.minutes_today, result.minutes_total = _minutes_given(storage, person["id"], now, tz)
        if result.kind == CHECKED_IN:
            result.forgotten_visit = _forgotten(storage, person["id"])
    return result


def check_in_manually(storage: Storage, person_id: str, actor: str = "shift lead",
                      now: dt.datetime | None = None) -> dict:
    """Check in a person who came without their badge (the shift lead confirmed who they are)."""
    now = now or utc_now()
    with storage.write("check the person in"):
        close_forgotten_visits(storage, now)
        person = storage.one("SELECT * FROM people WHERE id = ?", (person_id,))
        if person is None:
            raise NotFound("There is no such person.")
        if not person["active"]:
            raise UserError(f"{person['name']} is not active; reactivate them first.")
        if open_visit(storage, person_id):
            raise UserError(f"{person['name']} is already checked in.")
        return audit.insert(storage, "visits", {"person_id": person_id, "department": person["department"],
                                                "check_in_at": to_iso(now), "source_in": "manual"},
                            actor, "check_in")


def check_out_manually(storage: Storage, visit_id: str, reason: str = "", actor: str = "shift lead",
                       now: dt.datetime | None = None) -> dict:
    now = now or utc_now()
    with storage.write("check the person out"):
        visit = storage.one("SELECT * FROM visits WHERE id = ?", (visit_id,))
        if visit is None:
            raise NotFound("There is no such visit.")
        if visit["check_out_at"]:
            raise UserError("This person has already checked out.")
        at = to_iso(max(now, from_iso(visit["check_in_at"])))
        _end_assignment(storage, visit_id, at, actor)
        return audit.update(storage, "visits", visit_id, {"check_out_at": at, "source_out": "manual",
                                                          "checkout_reason": reason.strip() or None},
                            actor, "check_out")


def undo_check_out(storage: Storage, visit_id: str, actor: str = "shift lead") -> dict:
    """Take back a check-out: the person is on the floor again, on the task the check-out
    ended (if it still has a place). Refused, changing nothing, when they have checked in
    again since or the visit was closed automatically (confirm its time instead)."""
    with storage.write("undo the check-out"):
        visit = get_visit(storage, visit_id)
        if visit is None:
            raise NotFound("There is no such visit.")
        who = visit["name"] or "This person"
        if not visit["check_out_at"]:
            raise UserError(f"{who} is still checked in; there is nothing to undo.")
        if visit["auto_closed"]:
            raise UserError("This visit was closed at closing time, not checked out; there is nothing to undo.")
        if open_visit(storage, visit["person_id"]):
            raise UserError(f"{who} has checked in again since; nothing was changed.")
        ended = storage.one("SELECT a.*, t.capacity, (SELECT count(*) FROM assignments o WHERE o.task_id = a.task_id "
                            "AND o.status = 'active') AS taken FROM assignments a JOIN tasks t ON t.id = a.task_id "
                            "WHERE a.visit_id = ? AND a.status = 'done' AND a.ended_at = ?",
                            (visit_id, visit["check_out_at"]))
        reopened = audit.update(storage, "visits", visit_id, {"check_out_at": None, "source_out": None,
                                                              "checkout_reason": None}, actor, "undo_check_out")
        # The task the check-out ended comes back unless someone else took its last place.
        if ended is not None and (ended["capacity"] is None or ended["taken"] < ended["capacity"]):
            audit.update(storage, "assignments", ended["id"], {"status": "active", "ended_at": None}, actor,
                         "undo_check_out")
        return reopened


def correct_departure(storage: Storage, visit_id: str, left_at: dt.datetime | None,
                      actor: str = "visitor") -> dict:
    """Record when a person really left after a visit was closed automatically
    (left_at=None: they don't remember; the automatic time stands)."""
    with storage.write("save the departure time"):
        visit = storage.one("SELECT * FROM visits WHERE id = ?", (visit_id,))
        if visit is None:
            raise NotFound("There is no such visit.")
        changes: dict = {"departure_confirmed": 1}
        if left_at is not None:
            if left_at.tzinfo is None:
                raise ValueError("left_at needs a time zone")
            if not (from_iso(visit["check_in_at"]) <= left_at <= from_iso(visit["check_out_at"])):
                raise UserError("That time is outside the visit: pick a time between arriving and closing.")
            changes["check_out_at"] = to_iso(left_at)
        return audit.update(storage, "visits", visit_id, changes, actor, "correct_departure")


def on_floor(storage: Storage) -> list[dict]:
    """Everyone checked in now, with their current task: the Floor board's rows."""
    return storage.rows(
        "SELECT v.id AS visit_id, v.person_id, v.check_in_at, v.source_in, p.name, p.department, "
        "a.id AS assignment_id, t.id AS task_id, t.title AS task_title "
        "FROM visits v JOIN people p ON p.id = v.person_id "
        "LEFT JOIN assignments a ON a.visit_id = v.id AND a.status = 'active' "
        "LEFT JOIN tasks t ON t.id = a.task_id "
        "WHERE v.check_out_at IS NULL AND v.site_id = ? ORDER BY v.check_in_at", (storage.site_id,))


def left_today(storage: Storage, now: dt.datetime | None = None) -> list[dict]:
    now = now or utc_now()
    tz = settings.get(storage, "timezone")
    start, end = local_day_bounds(local(now, tz).date(), tz)
    # check_out_at has no index; bounding check_in_at (indexed) keeps this a short range scan
    # on a database of a million visits. Visits close automatically at the next closing time,
    # so one begun more than a week before today cannot have ended today in practice.
    earliest = to_iso(from_iso(start) - dt.timedelta(days=7))
    return storage.rows(
        "SELECT v.id AS visit_id, v.person_id, v.check_in_at, v.check_out_at, v.auto_closed, p.name, p.department "
        "FROM visits v JOIN people p ON p.id = v.person_id "
        "WHERE v.check_in_at >= ? AND v.check_in_at < ? AND v.check_out_at >= ? AND v.check_out_at < ? "
        "AND v.site_id = ? ORDER BY v.check_out_at DESC", (earliest, end, start, end, storage.site_id))


def recent_auto_closed(storage: Storage) -> list[dict]:
    return storage.rows("SELECT v.*, p.name FROM visits v JOIN people p ON p.id = v.person_id "
                        "WHERE v.auto_closed = 1 AND v.departure_confirmed = 0 ORDER BY v.check_in_at DESC")


def get_visit(storage: Storage, visit_id: str) -> dict | None:
    """One visit with the name of whoever made it (None once erased)."""
    return storage.one("SELECT v.*, p.name FROM visits v LEFT JOIN people p ON p.id = v.person_id "
                       "WHERE v.id = ?", (visit_id,))
