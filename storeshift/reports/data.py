"""The figures of one week, computed from the database as plain data (all report SQL is here):
headline figures and last week's, hours per day and department, observations, follow-ups,
bookings against attendance, who came, and how the task catalogue was covered."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..errors import NotFound, UserError
from ..i18n import _, format_number
from ..services.observations import CATEGORIES
from ..services.visits import visit_minutes
from ..storage.db import Storage
from ..timeutil import local, to_iso, utc_now, week_bounds, week_days

OPEN_STATUSES = ("new", "triaged")
ALL_SITES = "*"


@dataclass
class Figures:
    """The headline figures of one week."""
    people: int = 0
    visits: int = 0
    minutes: int = 0
    tasks_done: int = 0
    observations: int = 0
    follow_ups_open: int = 0

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass
class WeekData:
    year: int
    week: int
    site: dict                      # id, name, timezone (for all sites: name 'All sites')
    site_ids: list[str]             # the sites counted
    organisation: str
    timezone: str
    start: str                      # UTC ISO bounds [start, end) of the week in the site's zone
    end: str
    days: list[dt.date]
    generated_at: dt.datetime
    figures: Figures
    previous: Figures
    minutes_per_day: list[int]
    minutes_per_department: list[tuple[str, int]]
    observations_per_category: dict[str, int]
    booked_per_day: list[int]
    attended_per_day: list[int]
    no_shows: list[dict]
    people: list[dict]              # thank-you list: name, department, visits, minutes, tasks_done, observations
    anonymous_visits: int           # visits of people erased since (hours kept, names gone)
    tasks: list[dict]               # catalogue coverage: title, area, assigned, people, done, minutes
    observations: list[dict]        # with person_name, department, task_title, local time
    follow_ups: list[dict]          # open observations up to the week's end, with age_days
    extra: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def empty(self) -> bool:
        return self.figures.visits == 0 and self.figures.observations == 0


def _site_filter(column: str, site_ids: list[str] | None) -> tuple[str, list]:
    if site_ids is None:
        return "1=1", []
    return f"{column} IN ({','.join('?' * len(site_ids))})", list(site_ids)


def resolve_site(storage: Storage, site_id: str | None) -> tuple[dict, list[str] | None]:
    """(site row, site ids to count); site_id=ALL_SITES counts every site in the database."""
    if site_id == ALL_SITES:
        home = storage.one("SELECT id, name, timezone FROM sites WHERE id = ?", (storage.site_id,))
        count = storage.value("SELECT count(*) FROM sites")
        return {"id": ALL_SITES, "name": _("All sites ({count})").format(count=format_number(count)),
                "timezone": home["timezone"]}, None
    wanted = site_id or storage.site_id
    site = storage.one("SELECT id, name, timezone FROM sites WHERE id = ?", (wanted,))
    if site is None:
        site = storage.one("SELECT id, name, timezone FROM sites WHERE lower(name) = lower(?)", (wanted,))
    if site is None:
        raise NotFound(_("There is no site '{site}' in this database.").format(site=wanted))
    return site, [site["id"]]


def _week_visits(storage: Storage, start: str, end: str, site_ids: list[str] | None) -> list[dict]:
    where, params = _site_filter("v.site_id", site_ids)
    return storage.rows(
        "SELECT v.id, v.person_id, v.department, v.check_in_at, v.check_out_at, v.auto_closed, "
        "p.name AS person_name, p.department AS person_department FROM visits v "
        f"LEFT JOIN people p ON p.id = v.person_id WHERE v.check_in_at >= ? AND v.check_in_at < ? AND {where} "
        "ORDER BY v.check_in_at", [start, end, *params])


def figures(storage: Storage, start: str, end: str, site_ids: list[str] | None, now: dt.datetime,
            visits: list[dict] | None = None) -> Figures:
    """Headline figures for visits begun in [start, end): hours as services.visits counts them
    (an open visit counts up to now); follow-ups open = observations raised before end that are
    still new or triaged today."""
    visits = _week_visits(storage, start, end, site_ids) if visits is None else visits
    where, params = _site_filter("v.site_id", site_ids)
    tasks_done = storage.value(
        "SELECT count(*) FROM assignments a JOIN visits v ON v.id = a.visit_id "
        f"WHERE a.status = 'done' AND v.check_in_at >= ? AND v.check_in_at < ? AND {where}", [start, end, *params])
    where_o, params_o = _site_filter("site_id", site_ids)
    observations = storage.value(
        f"SELECT count(*) FROM observations WHERE created_at >= ? AND created_at < ? AND {where_o}",
        [start, end, *params_o])
    open_follow_ups = storage.value(
        f"SELECT count(*) FROM observations WHERE created_at < ? AND status IN ('new', 'triaged') AND {where_o}",
        [end, *params_o])
    return Figures(people=len({v["person_id"] for v in visits if v["person_id"]}), visits=len(visits),
                   minutes=sum(visit_minutes(v, now) for v in visits), tasks_done=tasks_done or 0,
                   observations=observations or 0, follow_ups_open=open_follow_ups or 0)


def week_data(storage: Storage, year: int, week: int, site_id: str | None = None,
              now: dt.datetime | None = None) -> WeekData:
    """Everything the weekly report shows, for one site (default: this one) or ALL_SITES."""
    try:
        days = week_days(year, week)
    except ValueError:
        raise UserError(_("{week} is not a week of the calendar.").format(week=f"{year}-W{week:02d}")) from None
    now = now or utc_now()
    site, site_ids = resolve_site(storage, site_id)
    tz = site["timezone"]
    start, end = week_bounds(year, week, tz)
    previous_monday = days[0] - dt.timedelta(days=7)
    p_year, p_week, _weekday = previous_monday.isocalendar()
    p_start, p_end = week_bounds(p_year, p_week, tz)
    organisation = storage.value("SELECT name FROM organisation LIMIT 1") or ""

    visits = _week_visits(storage, start, end, site_ids)
    this_week = figures(storage, start, end, site_ids, now, visits)
    last_week = figures(storage, p_start, p_end, site_ids, now)

    day_index = {day: i for i, day in enumerate(days)}
    per_day = [0] * 7
    per_department: Counter = Counter()
    people: dict[str, dict] = {}
    anonymous = 0
    attended: set[tuple[str, dt.date]] = set()
    minutes_of_visit = {}
    for visit in visits:
        minutes = visit_minutes(visit, now)
        minutes_of_visit[visit["id"]] = minutes
        day = local(visit["check_in_at"], tz).date()
        per_day[day_index.get(day, 0)] += minutes
        per_department[visit["department"] or visit["person_department"] or "No department"] += minutes
        if visit["person_id"] is None:
            anonymous += 1
            continue
        attended.add((visit["person_id"], day))
        person = people.setdefault(visit["person_id"], {
            "id": visit["person_id"], "name": visit["person_name"] or "(name erased)",
            "department": visit["person_department"] or visit["department"] or "",
            "visits": 0, "minutes": 0, "tasks_done": 0, "observations": 0})
        person["visits"] += 1
        person["minutes"] += minutes

    where, params = _site_filter("v.site_id", site_ids)
    assignments = storage.rows(
        "SELECT a.task_id, a.status, a.visit_id, v.person_id FROM assignments a JOIN visits v ON v.id = a.visit_id "
        f"WHERE v.check_in_at >= ? AND v.check_in_at < ? AND {where}", [start, end, *params])
    task_use: dict[str, dict] = defaultdict(lambda: {"assigned": 0, "people": set(), "done": 0, "visits": set()})
    for a in assignments:
        use = task_use[a["task_id"]]
        use["assigned"] += 1
        use["visits"].add(a["visit_id"])
        if a["person_id"]:
            use["people"].add(a["person_id"])
        if a["status"] == "done":
            use["done"] += 1
            if a["person_id"] in people:
                people[a["person_id"]]["tasks_done"] += 1
    where_t, params_t = _site_filter("site_id", site_ids)
    task_rows = storage.rows(f"SELECT id, title, area, active FROM tasks WHERE {where_t} "
                             "ORDER BY area, title COLLATE NOCASE", params_t)
    tasks = []
    for task in task_rows:
        use = task_use.get(task["id"])
        if not task["active"] and not use:
            continue
        tasks.append({"id": task["id"], "title": task["title"], "area": task["area"], "active": task["active"],
                      "assigned": use["assigned"] if use else 0, "people": len(use["people"]) if use else 0,
                      "done": use["done"] if use else 0,
                      "minutes": sum(minutes_of_visit.get(v, 0) for v in use["visits"]) if use else 0})

    where_o, params_o = _site_filter("o.site_id", site_ids)
    observations = storage.rows(
        "SELECT o.id, o.person_id, o.visit_id, o.task_id, o.category, o.text, o.quote, o.impact, o.status, "
        "o.owner, o.follow_up, o.created_at, p.name AS person_name, p.department AS department, "
        "t.title AS task_title, s.name AS site_name FROM observations o "
        "LEFT JOIN people p ON p.id = o.person_id LEFT JOIN tasks t ON t.id = o.task_id "
        "LEFT JOIN sites s ON s.id = o.site_id "
        f"WHERE o.created_at >= ? AND o.created_at < ? AND {where_o} ORDER BY o.created_at",
        [start, end, *params_o])
    per_category = {key: 0 for key in CATEGORIES}
    for obs in observations:
        per_category[obs["category"]] = per_category.get(obs["category"], 0) + 1
        if obs["person_id"] in people:
            people[obs["person_id"]]["observations"] += 1

    follow_ups = storage.rows(
        "SELECT o.id, o.category, o.text, o.impact, o.status, o.owner, o.follow_up, o.created_at, "
        "p.name AS person_name, s.name AS site_name FROM observations o "
        "LEFT JOIN people p ON p.id = o.person_id LEFT JOIN sites s ON s.id = o.site_id "
        f"WHERE o.created_at < ? AND o.status IN ('new', 'triaged') AND {where_o} ORDER BY o.created_at",
        [end, *params_o])
    for item in follow_ups:
        item["age_days"] = max(0, (now - dt.datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))).days)

    where_b, params_b = _site_filter("b.site_id", site_ids)
    bookings = storage.rows(
        "SELECT b.person_id, b.start_at, p.name, p.department FROM bookings b JOIN people p ON p.id = b.person_id "
        f"WHERE b.start_at >= ? AND b.start_at < ? AND {where_b} ORDER BY b.start_at", [start, end, *params_b])
    booked, came = [0] * 7, [0] * 7
    no_shows = []
    today = local(now, tz).date()
    for booking in bookings:
        day = local(booking["start_at"], tz).date()
        index = day_index[day]
        booked[index] += 1
        if (booking["person_id"], day) in attended:
            came[index] += 1
        elif day < today:
            no_shows.append({**booking, "day": day})

    return WeekData(
        year=year, week=week, site=site, site_ids=site_ids or [], organisation=organisation, timezone=tz,
        start=start, end=end, days=days, generated_at=now, figures=this_week, previous=last_week,
        minutes_per_day=per_day,
        minutes_per_department=sorted(per_department.items(), key=lambda kv: (-kv[1], kv[0].casefold())),
        observations_per_category=per_category, booked_per_day=booked, attended_per_day=came, no_shows=no_shows,
        people=sorted(people.values(), key=lambda p: (-p["minutes"], p["name"].casefold())),
        anonymous_visits=anonymous, tasks=tasks, observations=observations, follow_ups=follow_ups)


def current_week(storage: Storage, now: dt.datetime | None = None) -> tuple[int, int]:
    """(year, week) of now in this site's zone."""
    tz = storage.value("SELECT timezone FROM sites WHERE id = ?", (storage.site_id,)) or "UTC"
    year, week, _weekday = local(now or utc_now(), tz).isocalendar()
    return year, week


__all__ = ["Figures", "WeekData", "week_data", "figures", "resolve_site", "current_week", "ALL_SITES", "to_iso"]
