"""Visits: the one scan() that turns a badge into check-in, check-out, repeat or refusal,
manual check-in/out by the shift lead, closing forgotten visits at closing time and confirming
them, who is on the floor (and the roll call), who left today and who didn't check out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import NotFound, UserError
from ..i18n import N_, _, format_date
from ..storage import audit
from ..storage.db import Storage
from ..timeutil import (format_duration, from_iso, local, local_clock, local_day_bounds, minutes_between, to_iso,
                        utc_now)
from . import badges, hours, settings

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
    #: The site-local day minutes_today is for: the day the checked-out visit began.
    day: dt.date | None = None
    #: At check-out, the sentence telling the visitor the time given (given_sentence).
    given: str = ""

    @property
    def accepted(self) -> bool:
        return self.kind != REFUSED


def visit_minutes(visit: dict, now: dt.datetime | None = None) -> int:
    """Minutes given in one closed visit, or in an open one up to now (for a visit read from
    the database, where closing time may have ended it, use hours.span)."""
    end = visit.get("check_out_at") or to_iso(now or utc_now())
    return minutes_between(visit["check_in_at"], end)


def close_forgotten_visits(storage: Storage, now: dt.datetime, sched: hours.Schedule | None = None) -> int:
    """Close every open visit whose closing time has passed, at that closing time, flagged
    auto_closed and estimated until someone confirms a time. Called by every scan, by a running
    window at closing time and by each process that opens the database. A read comes first, so
    that when nothing is to close no write lock is taken. sched: the site's schedule when the
    caller has read it already (a scan)."""
    sched = sched or hours.schedule(storage)
    # Only visits begun before the last closing time can be past theirs (a visit closes at the
    # first closing time after it began), so today's open visits are never read and the cost does
    # not grow with the number of people on the floor.
    before = to_iso(sched.last_closing(now))
    query = ("SELECT id, check_in_at FROM visits WHERE check_out_at IS NULL AND site_id = ? AND check_in_at < ?",
             (storage.site_id, before))
    held = storage.conn.in_transaction  # a scan's transaction: what it read stands
    found = storage.rows(*query)
    if not found:
        return 0
    closed = 0
    with storage.write(N_("close forgotten visits")):
        for visit in found if held else storage.rows(*query):  # read again under the write lock
            close_at = to_iso(sched.closing_after(visit["check_in_at"]))
            _end_assignment(storage, visit["id"], close_at, "system")
            audit.update(storage, "visits", visit["id"],
                         {"check_out_at": close_at, "estimated_out_at": close_at, "source_out": "auto",
                          "auto_closed": 1}, "system", "auto_close")
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


def _minutes_given(history: list[dict], sched: hours.Schedule, now: dt.datetime, day: dt.date) -> tuple[int, int]:
    """(on day, all time) minutes given in these visits (all of one person's); a visit counts on
    the site-local day it began."""
    day_start, day_end = local_day_bounds(day, sched.timezone)
    on_day = total = 0
    for visit in history:
        minutes = hours.span(visit, sched, now).minutes
        total += minutes
        if day_start <= visit["check_in_at"] < day_end:
            on_day += minutes
    return on_day, total


def _latest(history: list[dict], keep, by: str) -> dict | None:
    return max((visit for visit in history if keep(visit)), key=lambda visit: visit[by], default=None)


def _scan_settings(storage: Storage) -> tuple[hours.Schedule, int]:
    """The site's schedule and repeat window, in one read."""
    rows = storage.rows("SELECT s.timezone, st.key, st.value FROM sites s LEFT JOIN settings st "
                        "ON st.site_id = s.id AND (st.key LIKE 'closing_time%' OR st.key = 'repeat_window_s') "
                        "WHERE s.id = ?", (storage.site_id,))
    stored = {row["key"]: row["value"] for row in rows if row["key"]}
    tz = (rows[0]["timezone"] if rows else None) or settings.BY_KEY["timezone"].default
    window = settings.BY_KEY["repeat_window_s"]
    try:
        repeat_s = window.default if stored.get(window.key) is None else window.parse(stored[window.key])
    except ValueError:  # stored by a newer storeshift: as if unset, as settings.get reads it
        repeat_s = window.default
    return hours.Schedule(tz, hours.closing_times_from(stored)), repeat_s


def given_sentence(minutes_day: int, minutes_total: int, day: dt.date, today: dt.date) -> str:
    """What a visitor is told at check-out: the time given on the day their visit began."""
    given, total = format_duration(minutes_day), format_duration(minutes_total)
    if day == today:
        return _("You gave {today} today and {total} in total.").format(today=given, total=total)
    if day == today - dt.timedelta(days=1):
        return _("You gave {time} on the shift you began yesterday and {total} in total.").format(
            time=given, total=total)
    return _("You gave {time} on the shift you began on {day} and {total} in total.").format(
        time=given, day=format_date(day, "MMMMEEEEd"), total=total)


def todays_booking(storage: Storage, person_id: str, now: dt.datetime, tz: str) -> dict | None:
    """A person's first booking today, with its task's title (task_title, None without a task)."""
    day_start, day_end = local_day_bounds(local(now, tz).date(), tz)
    return storage.one("SELECT b.*, t.title AS task_title FROM bookings b LEFT JOIN tasks t ON t.id = b.task_id "
                       "WHERE b.person_id = ? AND b.start_at >= ? AND b.start_at < ? ORDER BY b.start_at LIMIT 1",
                       (person_id, day_start, day_end))


_HISTORY_COLUMNS = ", ".join(("id", *hours.SPAN_COLUMNS))


def _whole(storage: Storage, visit: dict) -> dict:
    return storage.one("SELECT * FROM visits WHERE id = ?", (visit["id"],))


def _end_visit_task(storage: Storage, visit_id: str, at: str, actor: str) -> dict | None:
    """End a visit's active assignment, if any, and return the task it was on last (one read)."""
    task = storage.one("SELECT a.id AS assignment_id, a.status AS assignment_status, t.* FROM assignments a "
                       "JOIN tasks t ON t.id = a.task_id WHERE a.visit_id = ? "
                       "ORDER BY a.status = 'active' DESC, a.assigned_at DESC LIMIT 1", (visit_id,))
    if task is None:
        return None
    assignment_id, status = task.pop("assignment_id"), task.pop("assignment_status")
    if status == "active":
        audit.update(storage, "assignments", assignment_id, {"status": "done", "ended_at": at}, actor, "complete")
    return task


def scan(storage: Storage, payload: str, now: dt.datetime | None = None) -> ScanResult:
    """Everything a badge scan means, decided and committed in one transaction: the badge is read
    first (a refusal takes no write lock), then the settings, the person's visits and the change
    with its audit entry, each read once."""
    now = now or utc_now()
    check = badges.verify(storage, payload)
    if not check.ok:
        return ScanResult(REFUSED, check.message, person=check.person, reason=check.reason)
    person = check.person
    with storage.write(N_("record the scan")):
        sched, window = _scan_settings(storage)
        tz = sched.timezone
        close_forgotten_visits(storage, now, sched)
        # Only the columns the decision and the hours need (a person may have hundreds of visits);
        # a visit handed back whole is read whole.
        history = storage.rows(f"SELECT {_HISTORY_COLUMNS} FROM visits WHERE person_id = ?", (person["id"],))
        visit = _latest(history, lambda v: v["check_out_at"] is None, "check_in_at")
        if visit is not None:
            since = from_iso(visit["check_in_at"])
            if abs((now - since).total_seconds()) < window:
                result = ScanResult(REPEAT, _("You're already checked in since {time}.").format(
                                    time=local_clock(since, tz)),
                                    person, _whole(storage, visit), task=current_task(storage, visit["id"]))
            else:
                check_out_at = to_iso(max(now, since))
                task = _end_visit_task(storage, visit["id"], check_out_at, "kiosk")
                visit = audit.update(storage, "visits", visit["id"],
                                     {"check_out_at": check_out_at, "source_out": "badge"}, "kiosk", "check_out")
                result = ScanResult(CHECKED_OUT, _("Thank you, {name}!").format(name=person["name"]), person, visit,
                                    task=task)
        else:
            last = _latest(history, lambda v: v["check_out_at"] is not None, "check_out_at")
            if last and not last["auto_closed"] and \
                    abs((now - from_iso(last["check_out_at"])).total_seconds()) < window:
                result = ScanResult(REPEAT, _("You're already checked out at {time}.").format(
                                    time=local_clock(last["check_out_at"], tz)), person, _whole(storage, last))
            else:
                visit = audit.insert(storage, "visits", {
                    "person_id": person["id"], "department": person["department"],
                    "check_in_at": to_iso(now), "source_in": "badge"}, "kiosk", "check_in")
                result = ScanResult(CHECKED_IN, _("Welcome, {name}!").format(name=person["name"]), person, visit,
                                    booking=todays_booking(storage, person["id"], now, tz))
        history = [v for v in history if v["id"] != result.visit["id"]] + [result.visit]  # as it is now
        # A visit belongs to the day it began: at check-out "today" is that day.
        today = local(now, tz).date()
        result.day = local(result.visit["check_in_at"], tz).date() if result.kind == CHECKED_OUT else today
        result.minutes_today, result.minutes_total = _minutes_given(history, sched, now, result.day)
        if result.kind == CHECKED_OUT:
            result.given = given_sentence(result.minutes_today, result.minutes_total, result.day, today)
            result.message = f"{result.message} {result.given}"
        if result.kind == CHECKED_IN:
            forgotten = _latest(history, lambda v: v["auto_closed"] == 1 and v["departure_confirmed"] == 0,
                                "check_in_at")
            result.forgotten_visit = forgotten and _whole(storage, forgotten)
    return result


def check_in_manually(storage: Storage, person_id: str, actor: str = "shift lead",
                      now: dt.datetime | None = None) -> dict:
    """Check in a person who came without their badge (the shift lead confirmed who they are)."""
    now = now or utc_now()
    with storage.write(N_("check the person in")):
        close_forgotten_visits(storage, now)
        person = storage.one("SELECT * FROM people WHERE id = ?", (person_id,))
        if person is None:
            raise NotFound(_("There is no such person."))
        if not person["active"]:
            raise UserError(_("{name} is not active; reactivate them first.").format(name=person["name"]))
        if open_visit(storage, person_id):
            raise UserError(_("{name} is already checked in.").format(name=person["name"]))
        return audit.insert(storage, "visits", {"person_id": person_id, "department": person["department"],
                                                "check_in_at": to_iso(now), "source_in": "manual"},
                            actor, "check_in")


def check_out_manually(storage: Storage, visit_id: str, reason: str = "", actor: str = "shift lead",
                       now: dt.datetime | None = None) -> dict:
    now = now or utc_now()
    with storage.write(N_("check the person out")):
        close_forgotten_visits(storage, now)
        visit = storage.one("SELECT * FROM visits WHERE id = ?", (visit_id,))
        if visit is None:
            raise NotFound(_("There is no such visit."))
        if visit["check_out_at"]:
            raise UserError(_("This person has already checked out."))
        at = to_iso(max(now, from_iso(visit["check_in_at"])))
        _end_assignment(storage, visit_id, at, actor)
        return audit.update(storage, "visits", visit_id, {"check_out_at": at, "source_out": "manual",
                                                          "checkout_reason": reason.strip() or None},
                            actor, "check_out")


def undo_check_out(storage: Storage, visit_id: str, actor: str = "shift lead") -> dict:
    """Take back a check-out: the person is on the floor again, on the task the check-out
    ended (if it still has a place). Refused, changing nothing, when they have checked in
    again since or the visit was closed automatically (confirm its time instead)."""
    with storage.write(N_("undo the check-out")):
        visit = get_visit(storage, visit_id)
        if visit is None:
            raise NotFound(_("There is no such visit."))
        who = visit["name"] or _("This person")
        if not visit["check_out_at"]:
            raise UserError(_("{name} is still checked in; there is nothing to undo.").format(name=who))
        if visit["auto_closed"]:
            raise UserError(_("This visit was closed at closing time, not checked out; there is nothing to undo."))
        if open_visit(storage, visit["person_id"]):
            raise UserError(_("{name} has checked in again since; nothing was changed.").format(name=who))
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
                      actor: str = "visitor", now: dt.datetime | None = None) -> dict:
    """Record when a person really left a visit that closing time ended (left_at=None: the
    closing time stands, confirmed). The estimate is kept beside the correction, with its time,
    so a finished week's report does not move (the next report lists the change)."""
    now = now or utc_now()
    with storage.write(N_("save the departure time")):
        visit = storage.one("SELECT * FROM visits WHERE id = ?", (visit_id,))
        if visit is None:
            raise NotFound(_("There is no such visit."))
        if visit["check_out_at"] is None:
            # Past its closing time but not closed in the file yet: close it first.
            close_forgotten_visits(storage, now)
            visit = storage.one("SELECT * FROM visits WHERE id = ?", (visit_id,))
            if visit["check_out_at"] is None:
                raise UserError(_("This person is still on the floor: check them out instead."))
        if not visit["auto_closed"]:
            raise UserError(_("This visit was checked out by a scan or by hand; its time needs no confirming."))
        estimate = visit["estimated_out_at"] or visit["check_out_at"]
        changes: dict = {"departure_confirmed": 1, "confirmed_at": to_iso(now), "estimated_out_at": estimate}
        if left_at is not None:
            if left_at.tzinfo is None:
                raise ValueError("left_at needs a time zone")
            if not (from_iso(visit["check_in_at"]) <= left_at <= from_iso(estimate)):
                raise UserError(_("That time is outside the visit: pick a time between arriving and closing."))
            changes["check_out_at"] = to_iso(left_at)
        else:
            changes["check_out_at"] = estimate
        return audit.update(storage, "visits", visit_id, changes, actor, "correct_departure")


def undo_departure(storage: Storage, visit_id: str, actor: str = "shift lead") -> dict:
    """Take back a departure time set or confirmed (correct_departure): the visit ends at
    closing time again, estimated, and is back on the "Didn't check out" list."""
    with storage.write(N_("undo the departure time")):
        visit = storage.one("SELECT * FROM visits WHERE id = ?", (visit_id,))
        if visit is None:
            raise NotFound(_("There is no such visit."))
        if not (visit["auto_closed"] and visit["departure_confirmed"] and visit["estimated_out_at"]):
            raise UserError(_("That departure time is not confirmed any more, so there is nothing to undo."))
        return audit.update(storage, "visits", visit_id, {"check_out_at": visit["estimated_out_at"],
                                                          "departure_confirmed": 0, "confirmed_at": None},
                            actor, "undo_departure")


def on_floor(storage: Storage, now: dt.datetime | None = None) -> list[dict]:
    """Everyone on the floor now, with their current task: the Floor board's rows and the roll
    call. A visit that closing time has ended is never on the floor, closed in the file or not."""
    still_open, params = hours.still_open_sql(hours.schedule(storage), now or utc_now())
    return storage.rows(
        "SELECT v.id AS visit_id, v.person_id, v.check_in_at, v.source_in, p.name, p.department, "
        "a.id AS assignment_id, t.id AS task_id, t.title AS task_title "
        "FROM visits v JOIN people p ON p.id = v.person_id "
        "LEFT JOIN assignments a ON a.visit_id = v.id AND a.status = 'active' "
        "LEFT JOIN tasks t ON t.id = a.task_id "
        f"WHERE {still_open} AND v.site_id = ? ORDER BY v.check_in_at", (*params, storage.site_id))


def left_today(storage: Storage, now: dt.datetime | None = None) -> list[dict]:
    """Today's visits that have ended (a visit belongs to the day it began), latest first."""
    now = now or utc_now()
    sched = hours.schedule(storage)
    start, end = local_day_bounds(local(now, sched.timezone).date(), sched.timezone)
    rows = storage.rows(
        f"SELECT v.id AS visit_id, v.person_id, {', '.join('v.' + c for c in hours.SPAN_COLUMNS)}, p.name, "
        "p.department FROM visits v JOIN people p ON p.id = v.person_id "
        "WHERE v.check_in_at >= ? AND v.check_in_at < ? AND v.site_id = ? "
        "AND (v.check_out_at IS NOT NULL OR v.check_in_at < ?)",
        (start, end, storage.site_id, to_iso(sched.last_closing(now))))
    return _with_spans(rows, sched, now, key=lambda r: r["ended_at"], reverse=True)


def _with_spans(rows: list[dict], sched: hours.Schedule, now: dt.datetime, key, reverse: bool = False) -> list[dict]:
    """Rows with ended_at, minutes and estimated as hours.span reads them."""
    for row in rows:
        visit_span = hours.span(row, sched, now)
        row.update(ended_at=visit_span.end, minutes=visit_span.minutes, estimated=visit_span.estimated)
    return sorted(rows, key=key, reverse=reverse)


def previous_open_day(storage: Storage, now: dt.datetime | None = None) -> dt.date | None:
    """The latest site-local day before today on which anyone checked in (None: never)."""
    now = now or utc_now()
    tz = settings.site_timezone(storage)
    start, _ = local_day_bounds(local(now, tz).date(), tz)
    last = storage.value("SELECT max(check_in_at) FROM visits WHERE check_in_at < ? AND site_id = ?",
                         (start, storage.site_id))
    return local(last, tz).date() if last else None


def didnt_check_out(storage: Storage, now: dt.datetime | None = None,
                    day: dt.date | None = None) -> tuple[dt.date | None, list[dict]]:
    """(day, visits) of the previous open day (or the day given) that nobody checked out and
    nobody has confirmed yet: ended at closing time, estimated. Earliest first."""
    now = now or utc_now()
    day = day or previous_open_day(storage, now)
    if day is None:
        return None, []
    sched = hours.schedule(storage)
    start, end = local_day_bounds(day, sched.timezone)
    rows = storage.rows(
        f"SELECT v.id AS visit_id, v.person_id, {', '.join('v.' + c for c in hours.SPAN_COLUMNS)}, "
        "p.name, p.department FROM visits v JOIN people p ON p.id = v.person_id "
        "WHERE v.check_in_at >= ? AND v.check_in_at < ? AND v.site_id = ? "
        "AND ((v.auto_closed = 1 AND v.departure_confirmed = 0) OR v.check_out_at IS NULL)",
        (start, end, storage.site_id))
    ended = [r for r in _with_spans(rows, sched, now, key=lambda r: r["check_in_at"]) if r["estimated"]]
    return day, ended


def roll_call(storage: Storage, now: dt.datetime | None = None) -> list[dict]:
    """Who is on site now, for an evacuation: person_id, name, department, since (ISO UTC),
    task (or None), by name. Never a visit that closing time has ended."""
    return sorted(({"person_id": row["person_id"], "name": row["name"], "department": row["department"],
                    "since": row["check_in_at"], "task": row["task_title"]} for row in on_floor(storage, now)),
                  key=lambda r: (r["name"].casefold(), r["since"]))


def get_visit(storage: Storage, visit_id: str) -> dict | None:
    """One visit with the name of whoever made it (None once erased)."""
    return storage.one("SELECT v.*, p.name FROM visits v LEFT JOIN people p ON p.id = v.person_id "
                       "WHERE v.id = ?", (visit_id,))
