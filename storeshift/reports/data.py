"""The figures of one week, computed from the database as plain data (all report SQL is here):
headline figures and last week's, hours per day and department, observations, follow-ups,
bookings against attendance, who came, and how the task catalogue was covered."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..errors import NotFound, UserError
from ..i18n import _, format_number
from ..services import hours, themes as theme_service
from ..services.hours import Hours
from ..services.observations import CATEGORIES
from ..storage.db import Storage
from ..timeutil import from_iso, local, local_day_bounds, to_iso, utc_now, week_bounds, week_days

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
    #: Of minutes: ended at closing time, nobody has confirmed them yet.
    estimated_minutes: int = 0
    #: Visits still on the floor at the time the figures are for (counted up to then).
    open_visits: int = 0

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def hours_given(self) -> Hours:
        return Hours(self.minutes, self.estimated_minutes, self.open_visits)


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
    follow_ups: list[dict]          # open follow-ups (one per theme) at the week's end, with age_days
    #: The moment the hours are read at: the week's end once it is over (figures that never
    #: move), else generated_at. finished: the week is over.
    as_of: str = ""
    finished: bool = False
    #: Departures of visits of earlier weeks recorded during this week (see corrections()).
    corrections: list[dict] = field(default_factory=list)
    estimated_per_day: list[int] = field(default_factory=lambda: [0] * 7)
    themes: list[ReportTheme] = field(default_factory=list)      # the week's themes, most reported first
    follow_up_flow: FollowUpFlow | None = None
    done: list[FollowUp] = field(default_factory=list)           # actioned or closed in the week
    running: list[tuple[FollowUp, int]] = field(default_factory=list)  # raised several weeks running
    trend: list[tuple[str, Figures]] = field(default_factory=list)     # the last TREND_WEEKS weeks
    departments: list[dict] = field(default_factory=list)        # this quarter's share who took part
    items: list[FollowUp] = field(default_factory=list)          # every follow-up item, as at the end
    previous_end: str = ""
    quarter: str = ""

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


#: The visit columns every hours figure reads (hours.span's, with the site for its schedule).
VISIT_COLUMNS = ", ".join(f"v.{c}" for c in ("id", "site_id", "person_id", "department", *hours.SPAN_COLUMNS))


def frozen_at(end: str, now: dt.datetime) -> str | None:
    """A week that is over is read as it was known at its end (its figures never move); None
    while it runs."""
    return end if now >= from_iso(end) else None


class Spans:
    """hours.span for visits of any site, each with its own site's closing times."""

    def __init__(self, storage: Storage, now: dt.datetime):
        self.storage, self.now = storage, now
        self._schedules: dict[str, hours.Schedule] = {}

    def __call__(self, visit: dict, frozen: str | None) -> hours.Span:
        site_id = visit["site_id"]
        if site_id not in self._schedules:
            self._schedules[site_id] = hours.schedule(self.storage, site_id)
        return hours.span(visit, self._schedules[site_id], self.now, frozen)

    def total(self, visits: list[dict], frozen: str | None) -> hours.Hours:
        found = hours.Hours()
        for visit in visits:
            found.add(self(visit, frozen))
        return found


def _week_visits(storage: Storage, start: str, end: str, site_ids: list[str] | None) -> list[dict]:
    where, params = _site_filter("v.site_id", site_ids)
    return storage.rows(
        f"SELECT {VISIT_COLUMNS}, p.name AS person_name, p.department AS person_department FROM visits v "
        f"LEFT JOIN people p ON p.id = v.person_id WHERE v.check_in_at >= ? AND v.check_in_at < ? AND {where} "
        "ORDER BY v.check_in_at", [start, end, *params])


def figures(storage: Storage, start: str, end: str, site_ids: list[str] | None, now: dt.datetime,
            visits: list[dict] | None = None) -> Figures:
    """Headline figures for visits begun in [start, end): hours as services.hours reads them, as
    known at end once the week is over (a visit open then counts up to end, later corrections are
    the next week's), else as known now. Follow-ups open is filled in by week_data (it needs the
    themes)."""
    visits = _week_visits(storage, start, end, site_ids) if visits is None else visits
    given = Spans(storage, now).total(visits, frozen_at(end, now))
    where, params = _site_filter("v.site_id", site_ids)
    tasks_done = storage.value(
        "SELECT count(*) FROM assignments a JOIN visits v ON v.id = a.visit_id "
        f"WHERE a.status = 'done' AND v.check_in_at >= ? AND v.check_in_at < ? AND {where}", [start, end, *params])
    where_o, params_o = _site_filter("site_id", site_ids)
    observations = storage.value(
        f"SELECT count(*) FROM observations WHERE created_at >= ? AND created_at < ? AND {where_o}",
        [start, end, *params_o])
    return Figures(people=len({v["person_id"] for v in visits if v["person_id"]}), visits=len(visits),
                   minutes=given.minutes, estimated_minutes=given.estimated, open_visits=given.open_visits,
                   tasks_done=tasks_done or 0, observations=observations or 0)


def corrections(storage: Storage, start: str, until: str, site_ids: list[str] | None,
                now: dt.datetime) -> list[dict]:
    """Visits of earlier weeks whose departure was recorded in [start, until): a forgotten
    check-out confirmed or corrected, or a check-out after the visit's week had ended. Each
    with the minutes its own week's report counted (frozen at that week's end) and the minutes
    now, so the next report can list what changed."""
    where, params = _site_filter("v.site_id", site_ids)
    # A visit ends at the latest at the first closing time after it began: one checked out in
    # this week began at most a couple of days before it (a night shift over the week's end).
    recent = to_iso(from_iso(start) - dt.timedelta(days=3))
    rows = storage.rows(
        f"SELECT {VISIT_COLUMNS}, p.name AS person_name, s.timezone FROM visits v "
        "LEFT JOIN people p ON p.id = v.person_id LEFT JOIN sites s ON s.id = v.site_id "
        f"WHERE v.check_in_at < ? AND {where} AND ((v.confirmed_at >= ? AND v.confirmed_at < ?) OR "
        "(v.auto_closed = 0 AND v.check_in_at >= ? AND v.check_out_at >= ? AND v.check_out_at < ?)) "
        "ORDER BY v.check_in_at", [start, *params, start, until, recent, start, until])
    spans = Spans(storage, now)
    out = []
    for visit in rows:
        tz = visit["timezone"] or "UTC"
        year, week, _ = local(visit["check_in_at"], tz).isocalendar()
        _, week_end = week_bounds(year, week, tz)
        before, after = spans(visit, week_end), spans(visit, until)
        out.append({**visit, "day": local(visit["check_in_at"], tz).date(), "week": f"{year}-W{week:02d}",
                    "minutes_before": before.minutes, "minutes_after": after.minutes,
                    "was_estimated": before.estimated or before.open, "estimated": after.estimated})
    return out


# ---------------------------------------------------------------- themes and follow-ups

#: Weeks of history the trends show, and the window in which untriaged notes are grouped.
TREND_WEEKS = 8
_IMPACT_RANK = {"high": 2, "medium": 1, "low": 0}


@dataclass
class FollowUp:
    """One thing to follow up, as it stood at a time: a theme the shift lead made, a group the
    report made of notes nobody triaged ('auto'), or a note triaged before themes existed ('note')."""
    key: str                    # theme id, 'auto-…' (stable for the same notes) or the note's id
    kind: str                   # 'theme', 'auto' or 'note'
    title: str
    site_id: str
    opened_at: str              # when its first note was written
    status: str                 # as at the time it was computed for
    owner: str | None
    follow_up: str | None
    done_at: str | None         # when it was actioned or closed, if it was by then
    praise_only: bool           # praise needs nobody to act on it
    count: int                  # its notes written by then
    impact: str                 # the highest impact of its notes
    category: str               # its most frequent category
    record: dict | None = None  # the theme row (kind 'theme')
    notes: list[dict] = field(default_factory=list)  # its notes of the recent weeks

    @property
    def id(self) -> str | None:
        return self.key if self.kind == "theme" else None

    @property
    def automatic(self) -> bool:
        return self.kind == "auto"

    @property
    def sites(self) -> set[str]:
        """The sites it was noted at (an automatic group at head office can span several)."""
        return {n["site_id"] for n in self.notes} | {self.site_id}

    def status_at(self, at: str) -> str | None:
        """Its status just before at (None if not raised by then)."""
        if self.opened_at >= at:
            return None
        if self.record is not None:
            return theme_service.status_at(self.record, at)
        if self.done_at and self.done_at >= at:
            return "triaged"
        return self.status

    def is_open_at(self, at: str) -> bool:
        return not self.praise_only and self.status_at(at) in OPEN_STATUSES


@dataclass
class ReportTheme:
    """A theme as one week's report shows it: the follow-up item and that week's notes of it."""
    item: FollowUp
    observations: list[dict]
    people: int
    sites: list[str]

    @property
    def title(self) -> str:
        return self.item.title

    @property
    def automatic(self) -> bool:
        return self.item.automatic

    @property
    def status(self) -> str:
        return self.item.status

    @property
    def owner(self) -> str | None:
        return self.item.owner

    def as_json(self) -> dict:
        return {"id": self.item.key if self.item.kind != "note" else f"note-{self.item.key}",
                "title": self.title, "automatic": self.automatic,
                "observation_ids": [o["id"] for o in self.observations], "observations": len(self.observations),
                "people": self.people, "sites": self.sites, "status": self.status, "owner": self.owner,
                "follow_up": self.item.follow_up, "raised_at": self.item.opened_at}


@dataclass
class FollowUpFlow:
    """Follow-ups over one week: opened, actioned or closed, open at its end, and a week before."""
    opened: int
    done: int
    open_now: int
    open_before: int
    done_before: int = 0            # actioned or closed the week before


def _notes(storage: Storage, start: str, end: str, site_ids: list[str] | None) -> list[dict]:
    where, params = _site_filter("o.site_id", site_ids)
    return storage.rows(
        "SELECT o.id, o.person_id, o.visit_id, o.task_id, o.category, o.text, o.quote, o.impact, o.status, "
        "o.owner, o.follow_up, o.created_at, o.updated_at, o.theme_id, o.site_id, p.name AS person_name, "
        "p.department AS department, t.title AS task_title, s.name AS site_name FROM observations o "
        "LEFT JOIN people p ON p.id = o.person_id LEFT JOIN tasks t ON t.id = o.task_id "
        "LEFT JOIN sites s ON s.id = o.site_id "
        f"WHERE o.created_at >= ? AND o.created_at < ? AND {where} ORDER BY o.created_at, o.id",
        [start, end, *params])


def follow_up_items(storage: Storage, end: str, site_ids: list[str] | None, window_start: str) -> list[FollowUp]:
    """Every theme, automatic group and triaged note raised before end, as it stood at end.
    Notes nobody triaged are grouped automatically when written since window_start (older ones
    stand alone), with the same grouping the shift lead's suggestions use."""
    where_t, params_t = _site_filter("site_id", site_ids)
    where_o, params_o = _site_filter("site_id", site_ids)
    stats = {r["theme_id"]: r for r in storage.rows(
        "SELECT theme_id, count(*) AS n, min(category = 'praise') AS praise_only, "
        "max(CASE impact WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END) AS impact "
        f"FROM observations WHERE theme_id IS NOT NULL AND created_at < ? AND {where_o} GROUP BY theme_id",
        [end, *params_o])}
    categories: dict[str, Counter] = defaultdict(Counter)
    for row in storage.rows(f"SELECT theme_id, category, count(*) AS n FROM observations WHERE theme_id IS NOT NULL "
                            f"AND created_at < ? AND {where_o} GROUP BY theme_id, category", [end, *params_o]):
        categories[row["theme_id"]][row["category"]] = row["n"]
    recent = _notes(storage, window_start, end, site_ids)
    by_theme: dict[str, list[dict]] = defaultdict(list)
    for note in recent:
        if note["theme_id"]:
            by_theme[note["theme_id"]].append(note)
    ranks = {v: k for k, v in _IMPACT_RANK.items()}
    items = []
    for theme in storage.rows(f"SELECT * FROM themes WHERE opened_at < ? AND {where_t}", [end, *params_t]):
        stat = stats.get(theme["id"])
        if stat is None:
            continue  # its notes were all written after end
        status = theme_service.status_at(theme, end)
        done = [theme[c] for c in ("actioned_at", "closed_at") if theme[c] and theme[c] < end]
        items.append(FollowUp(
            key=theme["id"], kind="theme", title=theme["title"], site_id=theme["site_id"],
            opened_at=theme["opened_at"], status=status, owner=theme["owner"] if status != "new" else None,
            # What was done is shown once it was done: a plan written later would change a past week.
            follow_up=theme["follow_up"] if status in ("actioned", "closed") else None,
            done_at=min(done) if status in ("actioned", "closed") and done else None,
            praise_only=bool(stat["praise_only"]), count=stat["n"], impact=ranks[stat["impact"]],
            category=categories[theme["id"]].most_common(1)[0][0], record=theme, notes=by_theme[theme["id"]]))
    # Notes triaged on their own, before themes existed (another site's, not yet upgraded there).
    for note in storage.rows(
            "SELECT id, site_id, category, text, impact, status, owner, follow_up, created_at, updated_at "
            f"FROM observations WHERE theme_id IS NULL AND status != 'new' AND created_at < ? AND {where_o}",
            [end, *params_o]):
        done_at = note["updated_at"] if note["status"] in ("actioned", "closed") else None
        status = note["status"] if not done_at or done_at < end else "triaged"
        items.append(FollowUp(
            key=note["id"], kind="note", title=_short(note["text"]), site_id=note["site_id"],
            opened_at=note["created_at"], status=status, owner=note["owner"], follow_up=note["follow_up"],
            done_at=done_at if status in ("actioned", "closed") else None, praise_only=note["category"] == "praise",
            count=1, impact=note["impact"], category=note["category"],
            notes=[n for n in recent if n["id"] == note["id"]]))
    untriaged = [n for n in recent if n["theme_id"] is None and n["status"] == "new"]
    for group in theme_service.auto_groups(untriaged):
        items.append(_auto_item(group.id, group.title, group.observations, group.observations))
    for note in storage.rows(
            "SELECT id, site_id, category, text, impact, created_at FROM observations WHERE theme_id IS NULL "
            f"AND status = 'new' AND created_at < ? AND {where_o}", [window_start, *params_o]):
        items.append(_auto_item(note["id"], _short(note["text"]), [note], []))
    return items


def _auto_item(key: str, title: str, notes: list[dict], recent: list[dict]) -> FollowUp:
    kinds = Counter(n["category"] for n in notes)
    impact = max(notes, key=lambda n: _IMPACT_RANK.get(n["impact"], 0))["impact"]
    return FollowUp(key=key, kind="auto", title=title, site_id=notes[0]["site_id"], opened_at=notes[0]["created_at"],
                    status="new", owner=None, follow_up=None, done_at=None,
                    praise_only=set(kinds) == {"praise"}, count=len(notes), impact=impact,
                    category=kinds.most_common(1)[0][0], notes=recent)


def _short(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + "…"


def _people(notes: list[dict]) -> int:
    return len({n.get("person_id") or f"note:{n['id']}" for n in notes})


def week_themes_of(items: list[FollowUp], start: str, end: str) -> list[ReportTheme]:
    """The themes of the notes written in [start, end), most reported (by people) first."""
    found = []
    for item in items:
        notes = [n for n in item.notes if start <= n["created_at"] < end]
        if notes:
            sites = sorted({n.get("site_name") or "?" for n in notes}, key=str.casefold)
            found.append(ReportTheme(item=item, observations=notes, people=_people(notes), sites=sites))
    found.sort(key=lambda t: (-t.people, -len(t.observations), t.item.automatic, t.observations[0]["created_at"]))
    return found


def week_themes(storage: Storage, year: int, week: int, site_id: str | None = None) -> list[ReportTheme]:
    """The themes the weekly report prints for a week (`storeshift themes`)."""
    site, site_ids = resolve_site(storage, site_id)
    start, end = week_bounds(year, week, site["timezone"])
    items = follow_up_items(storage, end, site_ids, weeks_before(year, week, site["timezone"], TREND_WEEKS - 1))
    return week_themes_of(items, start, end)


def weeks_before(year: int, week: int, tz: str, count: int) -> str:
    monday = dt.date.fromisocalendar(year, week, 1) - dt.timedelta(weeks=count)
    y, w, _weekday = monday.isocalendar()
    return week_bounds(y, w, tz)[0]


def weeks_running(item: FollowUp, year: int, week: int, tz: str) -> int:
    """How many weeks in a row, up to this one, the item's notes were written in."""
    weeks = {local(n["created_at"], tz).isocalendar()[:2] for n in item.notes}
    monday = dt.date.fromisocalendar(year, week, 1)
    count = 0
    while monday.isocalendar()[:2] in weeks:
        count += 1
        monday -= dt.timedelta(weeks=1)
    return count


def departments_this_quarter(storage: Storage, day: dt.date, end: str, tz: str,
                             site_ids: list[str] | None) -> tuple[str, list[dict]]:
    """Each roster department's share of people who came at least once this quarter (the quarter
    the week begins in, up to the week's end), departments nobody came from included at zero.
    People added to the roster after end are not counted, so a past week reads the same later."""
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    start = local_day_bounds(first, tz)[0]
    where, params = _site_filter("v.site_id", site_ids)
    came = {r["id"] for r in storage.rows(
        f"SELECT DISTINCT v.person_id AS id FROM visits v WHERE v.check_in_at >= ? AND v.check_in_at < ? AND {where} "
        "AND v.person_id IS NOT NULL", [start, end, *params])}
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for person in storage.rows("SELECT id, department, active, created_at FROM people"):
        if person["id"] not in came and (not person["active"] or person["created_at"] >= end):
            continue  # not on the roster then
        counts = per[person["department"] or "No department"]
        counts[0] += 1
        counts[1] += person["id"] in came
    rows: list[dict[str, Any]] = [
        {"department": name, "people": total, "came": took, "share": took / total if total else 0.0}
        for name, (total, took) in per.items()]
    rows.sort(key=lambda r: (-r["share"], -r["came"], r["department"].casefold()))
    return f"Q{(first.month - 1) // 3 + 1} {first.year}", rows


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
    frozen = frozen_at(end, now)
    spans = Spans(storage, now)

    day_index = {day: i for i, day in enumerate(days)}
    per_day = [0] * 7
    estimated_per_day = [0] * 7
    per_department: Counter = Counter()
    people: dict[str, dict] = {}
    anonymous = 0
    attended: set[tuple[str, dt.date]] = set()
    minutes_of_visit = {}
    for visit in visits:
        visit_span = spans(visit, frozen)
        minutes = visit_span.minutes
        minutes_of_visit[visit["id"]] = minutes
        day = local(visit["check_in_at"], tz).date()
        per_day[day_index.get(day, 0)] += minutes
        estimated_per_day[day_index.get(day, 0)] += visit_span.estimated_minutes
        per_department[visit["department"] or visit["person_department"] or "No department"] += minutes
        if visit["person_id"] is None:
            anonymous += 1
            continue
        attended.add((visit["person_id"], day))
        person = people.setdefault(visit["person_id"], {
            "id": visit["person_id"], "name": visit["person_name"] or "(name erased)",
            "department": visit["person_department"] or visit["department"] or "",
            "visits": 0, "minutes": 0, "estimated_minutes": 0, "tasks_done": 0, "observations": 0})
        person["visits"] += 1
        person["minutes"] += minutes
        person["estimated_minutes"] += visit_span.estimated_minutes

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

    # Themes and follow-ups as they stood at the end of the week, so a finished week's report
    # says the same whenever it is printed.
    items = follow_up_items(storage, end, site_ids, weeks_before(year, week, tz, TREND_WEEKS - 1))
    item_of = {note["id"]: item for item in items for note in item.notes}
    for obs in observations:
        item = item_of.get(obs["id"])
        if item is not None and item.kind != "auto":
            obs.update(status=item.status, owner=item.owner, follow_up=item.follow_up, theme=item.title)
        else:
            obs.update(status="new", owner=None, follow_up=None, theme=item.title if item else None)
    as_at = min(now, from_iso(end))
    open_items = sorted((i for i in items if i.is_open_at(end)), key=lambda i: (i.opened_at, i.key))
    follow_ups = [{"id": i.key, "kind": i.kind, "created_at": i.opened_at, "category": i.category,
                   "impact": i.impact, "status": i.status, "owner": i.owner, "text": i.title, "count": i.count,
                   "site_id": i.site_id, "age_days": max(0, (as_at - from_iso(i.opened_at)).days)}
                  for i in open_items]
    # Praise is passed on, not followed up: it is never counted as a follow-up, open or done.
    done = sorted((i for i in items if i.done_at and start <= i.done_at < end and not i.praise_only),
                  key=lambda i: i.done_at)
    flow = FollowUpFlow(opened=sum(1 for i in items if not i.praise_only and start <= i.opened_at < end),
                        done=len(done), open_now=len(open_items),
                        open_before=sum(1 for i in items if i.is_open_at(p_end)),
                        done_before=sum(1 for i in items if i.done_at and p_start <= i.done_at < p_end
                                        and not i.praise_only))
    this_week.follow_ups_open, last_week.follow_ups_open = flow.open_now, flow.open_before
    running = sorted(((i, n) for i in items if (n := weeks_running(i, year, week, tz)) >= 2),
                     key=lambda pair: (-pair[1], -pair[0].count, pair[0].title.casefold()))
    trend = []
    for back in range(TREND_WEEKS - 1, -1, -1):
        y, w, _weekday = (days[0] - dt.timedelta(weeks=back)).isocalendar()
        figures_then = this_week if back == 0 else last_week if back == 1 else \
            figures(storage, *week_bounds(y, w, tz), site_ids, now)
        trend.append((f"W{w:02d}", figures_then))
    quarter, departments = departments_this_quarter(storage, days[0], end, tz, site_ids)

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
        anonymous_visits=anonymous, tasks=tasks, observations=observations, follow_ups=follow_ups,
        themes=week_themes_of(items, start, end), follow_up_flow=flow, done=done, running=running, trend=trend,
        departments=departments, quarter=quarter, items=items, previous_end=p_end,
        as_of=frozen or to_iso(now), finished=frozen is not None,
        corrections=corrections(storage, start, frozen or to_iso(now), site_ids, now),
        estimated_per_day=estimated_per_day)


# ---------------------------------------------------------------- across sites (the consolidated report)

def chain_sites(storage: Storage) -> tuple[list[dict], list[str]]:
    """The sites a chain's report counts (id, name, timezone, is_home), by name, and the names of
    those it leaves out: head office's own site when it has no visits (it runs no kiosk: it is
    where the bundles meet, not a site to visit)."""
    counted, left_out = [], []
    for site in storage.rows("SELECT id, name, timezone, is_home FROM sites ORDER BY name COLLATE NOCASE"):
        if site["is_home"] and not storage.value("SELECT 1 FROM visits WHERE site_id = ? LIMIT 1", (site["id"],)):
            left_out.append(site["name"])
            continue
        counted.append(site)
    return counted, left_out


def people_at_site(storage: Storage, start: str, end: str, site_id: str) -> set[str]:
    """Who came to one site between start and end (people erased since are not counted)."""
    return {r["person_id"] for r in storage.rows(
        "SELECT DISTINCT person_id FROM visits WHERE check_in_at >= ? AND check_in_at < ? AND site_id = ? "
        "AND person_id IS NOT NULL", (start, end, site_id))}


def last_visit_at(storage: Storage, before: str, site_id: str) -> str | None:
    return storage.value("SELECT max(check_in_at) FROM visits WHERE check_in_at < ? AND site_id = ?",
                         (before, site_id))


def visits_with_sites(storage: Storage, start: str, end: str) -> list[dict]:
    """Every site's visits of named people between start and end, with the site's name."""
    return storage.rows(
        f"SELECT {VISIT_COLUMNS}, s.name AS site_name "
        "FROM visits v LEFT JOIN sites s ON s.id = v.site_id "
        "WHERE v.check_in_at >= ? AND v.check_in_at < ? AND v.person_id IS NOT NULL", (start, end))


def visits_before(storage: Storage, person_ids: list[str], before: str) -> list[dict]:
    """(person_id, check_in_at) of every visit of these people before a moment, at any site."""
    found: list[dict] = []
    for chunk in range(0, len(person_ids), 500):  # SQLite's limit on the number of ? in a statement
        part = person_ids[chunk:chunk + 500]
        found += storage.rows(
            f"SELECT person_id, check_in_at FROM visits WHERE person_id IN ({','.join('?' * len(part))}) "
            "AND check_in_at < ?", [*part, before])
    return found


def roster_departments(storage: Storage) -> set[str]:
    """The departments of the people on the roster now (active ones)."""
    return {r["department"] for r in storage.rows(
        "SELECT DISTINCT department FROM people WHERE active = 1 AND department != ''")}


def current_week(storage: Storage, now: dt.datetime | None = None) -> tuple[int, int]:
    """(year, week) of now in this site's zone."""
    tz = storage.value("SELECT timezone FROM sites WHERE id = ?", (storage.site_id,)) or "UTC"
    year, week, _weekday = local(now or utc_now(), tz).isocalendar()
    return year, week


__all__ = ["Figures", "WeekData", "week_data", "figures", "corrections", "frozen_at", "Spans", "VISIT_COLUMNS",
           "resolve_site", "current_week", "ALL_SITES", "to_iso"]
