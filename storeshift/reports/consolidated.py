"""The consolidated report across every site merged into this database: each site's week against
the last, open follow-ups by owner across sites, the themes seen at several sites ("seen by 7
people at 3 sites", grouped as the weekly report groups them), and the programme scorecard
(which departments did floor time, which sites got no visit, who came back). Every figure is
data.py's, counted per site in the site's own time zone."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, TableStyle

from ..errors import UserError
from ..i18n import _, format_date, format_list, format_number, ngettext
from ..services.observations import CATEGORIES, STATUSES
from ..storage.db import Storage
from ..timeutil import local, utc_now, week_bounds
from . import charts, data, fonts, layout, tables, text
from .weekly import change_on_last_week, changed_since, figure_grid, hours_cell, hours_label, hours_note, hours_text, page_info, render, report_language

Progress = Callable[[int, int], None] | None
STEPS = 5
MAX_SITE_BARS = 14
MAX_PEOPLE_ROWS = 60
STALE_DAYS = 14
#: Themes seen at one site, listed one line each; each site's own report has them in full.
MAX_SINGLE_THEMES = 20


@dataclass
class SiteWeek:
    """One site's week, counted in the site's own time zone (as its own weekly report counts it)."""
    id: str
    name: str
    timezone: str
    is_home: bool
    figures: data.Figures
    previous: data.Figures
    person_ids: set[str]
    last_visit: str | None
    follow_ups_open: int
    follow_ups_before: int
    oldest_open_days: int
    unowned: int
    open_items: list[data.FollowUp] = field(default_factory=list)


@dataclass
class Returner:
    id: str
    name: str
    department: str
    sites: list[str]
    visits: int
    minutes: int
    first_visit: str
    weeks_on_floor: int

    @property
    def first_time(self) -> bool:
        return self.weeks_on_floor <= 1


@dataclass
class ChainTheme:
    """What people noticed across the chain: the sites' themes (and automatic groups) that the
    grouping finds tell of the same thing."""
    title: str
    members: list[data.ReportTheme]

    @property
    def observations(self) -> list[dict]:
        return [o for member in self.members for o in member.observations]

    @property
    def people(self) -> int:
        return len({o.get("person_id") or o["id"] for o in self.observations})

    @property
    def sites(self) -> list[str]:
        return sorted({site for member in self.members for site in member.sites}, key=str.casefold)

    @property
    def automatic(self) -> bool:
        return all(member.automatic for member in self.members)

    @property
    def item(self) -> data.FollowUp:
        """The follow-up whose status and owner the chain's theme shows: the first site's that
        someone has triaged (a site's automatic group has none of its own)."""
        return next((member.item for member in self.members if not member.automatic), self.members[0].item)


def chain_themes(found: list[data.ReportTheme]) -> list[ChainTheme]:
    """Join the week's themes of different sites that tell of the same thing, with the grouping
    the sites' own reports use; the chain's title is that of the most reported triaged theme."""
    from ..services import grouping

    if not found:
        return []
    texts = [" ".join([t.title, *(o["text"] for o in t.observations[:3])]) for t in found]
    joined: dict[int, list[data.ReportTheme]] = {}
    for label, theme in zip(grouping.group(texts), found):
        joined.setdefault(label, []).append(theme)
    out = []
    for members in joined.values():
        named = sorted(members, key=lambda t: (t.automatic, -t.people, -len(t.observations)))
        out.append(ChainTheme(title=named[0].title, members=named))
    out.sort(key=lambda t: (-len(t.sites), -t.people, -len(t.observations), t.title.casefold()))
    return out


@dataclass
class Consolidated:
    week: data.WeekData
    sites: list[SiteWeek]
    themes: list[ChainTheme]
    theme_sites: list[list[str]]
    people: list[Returner]
    departments: list[dict]
    idle_departments: list[str]
    left_out: list[str] = field(default_factory=list)

    @property
    def visited(self) -> list[SiteWeek]:
        return [s for s in self.sites if s.figures.visits]

    @property
    def unvisited(self) -> list[SiteWeek]:
        return [s for s in self.sites if not s.figures.visits]


def consolidated_data(storage: Storage, year: int, week: int, now: dt.datetime | None = None) -> Consolidated:
    """Every figure the consolidated report prints, as plain data."""
    now = now or utc_now()
    week_data = data.week_data(storage, year, week, site_id=data.ALL_SITES, now=now)
    counted, left_out = data.chain_sites(storage)
    sites = _site_weeks(storage, counted, year, week, now, week_data)
    # The chain's open follow-ups are the sum of the sites' rows, each counted as its own report does.
    week_data.figures.follow_ups_open = sum(s.follow_ups_open for s in sites)
    week_data.previous.follow_ups_open = sum(s.follow_ups_before for s in sites)
    # Themes seen at several sites first: those are the chain's problems, not one store's.
    found = chain_themes(week_data.themes)
    theme_sites = [t.sites for t in found]
    people = _returners(storage, week_data)
    departments, idle = _departments(storage, week_data, people)
    return Consolidated(week=week_data, sites=sites, themes=found, theme_sites=theme_sites, people=people,
                        departments=departments, idle_departments=idle, left_out=left_out)


def _site_weeks(storage: Storage, sites: list[dict], year: int, week: int, now: dt.datetime,
                week_data: data.WeekData) -> list[SiteWeek]:
    """Each site's week and the one before, counted by data.figures in the site's own time zone;
    its follow-ups from the chain's items as at the end of the week."""
    monday = dt.date.fromisocalendar(year, week, 1) - dt.timedelta(days=7)
    p_year, p_week, _ = monday.isocalendar()
    out = []
    for site in sites:
        tz = site["timezone"] or "UTC"
        start, site_end = week_bounds(year, week, tz)
        current = data.figures(storage, start, site_end, [site["id"]], now)
        previous = data.figures(storage, *week_bounds(p_year, p_week, tz), [site["id"]], now)
        # The site's follow-ups as its own weekly report counts them (its notes grouped on their own).
        here = data.follow_up_items(storage, site_end, [site["id"]], data.weeks_before(year, week, tz,
                                                                                       data.TREND_WEEKS - 1))
        open_items = [i for i in here if i.is_open_at(site_end)]
        current.follow_ups_open = len(open_items)
        previous.follow_ups_open = sum(1 for i in here if i.is_open_at(week_bounds(p_year, p_week, tz)[1]))
        oldest = min((i.opened_at for i in open_items), default=None)
        as_at = min(now, dt.datetime.fromisoformat(site_end.replace("Z", "+00:00")))
        person_ids = data.people_at_site(storage, start, site_end, site["id"])
        out.append(SiteWeek(
            id=site["id"], name=site["name"], timezone=tz, is_home=bool(site["is_home"]), figures=current,
            previous=previous, person_ids=person_ids,
            last_visit=data.last_visit_at(storage, site_end, site["id"]),
            follow_ups_open=len(open_items), follow_ups_before=previous.follow_ups_open, open_items=open_items,
            oldest_open_days=max(0, (as_at - dt.datetime.fromisoformat(oldest.replace("Z", "+00:00"))).days)
            if oldest else 0,
            unowned=sum(1 for i in open_items if not i.owner)))
    return out


def _returners(storage: Storage, week_data: data.WeekData) -> list[Returner]:
    """Everyone on the floor this week, with where they went and how many weeks they have come."""
    rows = data.visits_with_sites(storage, week_data.start, week_data.end)
    spans, frozen = data.Spans(storage, week_data.generated_at), data.frozen_at(week_data.end, week_data.generated_at)
    this_week: dict[str, dict] = {}
    for row in rows:
        entry = this_week.setdefault(row["person_id"], {"sites": set(), "visits": 0, "minutes": 0})
        entry["sites"].add(row["site_name"] or "?")
        entry["visits"] += 1
        entry["minutes"] += spans(row, frozen).minutes
    if not this_week:
        return []
    history: dict[str, dict] = {}
    ids = list(this_week)
    tz = week_data.timezone
    for row in data.visits_before(storage, ids, week_data.end):
        item = history.setdefault(row["person_id"], {"first": row["check_in_at"], "weeks": set()})
        item["first"] = min(item["first"], row["check_in_at"])
        year, week, _weekday = local(row["check_in_at"], tz).isocalendar()
        item["weeks"].add((year, week))
    names = {p["id"]: p for p in week_data.people}
    out = []
    for person_id, entry in this_week.items():
        person = names.get(person_id, {})
        past = history.get(person_id, {"first": "", "weeks": set()})
        out.append(Returner(id=person_id, name=person.get("name") or _("(name erased)"),
                            department=person.get("department") or "", sites=sorted(entry["sites"], key=str.casefold),
                            visits=entry["visits"], minutes=entry["minutes"], first_visit=past["first"],
                            weeks_on_floor=len(past["weeks"])))
    out.sort(key=lambda r: (-r.weeks_on_floor, -len(r.sites), -r.minutes, r.name.casefold()))
    return out


def _departments(storage: Storage, week_data: data.WeekData, people: list[Returner]) -> tuple[list[dict], list[str]]:
    """Floor time per department this week, and the departments on the roster that did none."""
    per: dict[str, dict] = defaultdict(lambda: {"people": set(), "sites": set(), "minutes": 0, "visits": 0})
    for person in people:
        entry = per[person.department or _("No department")]
        entry["people"].add(person.id)
        entry["sites"].update(person.sites)
        entry["visits"] += person.visits
        entry["minutes"] += person.minutes
    for department, minutes in week_data.minutes_per_department:
        # Visits of people erased since still count their hours.
        per[department]["minutes"] = max(per[department]["minutes"], minutes)
    rows = [{"department": name, "people": len(v["people"]), "sites": len(v["sites"]), "visits": v["visits"],
             "minutes": v["minutes"]} for name, v in per.items()]
    rows.sort(key=lambda r: (-r["minutes"], r["department"].casefold()))
    roster = data.roster_departments(storage)
    idle = sorted(roster - set(per), key=str.casefold)
    return rows, idle


# ---------------------------------------------------------------- the PDF

def build_consolidated_report(storage: Storage, year: int, week: int, out: str | Path, paper: str = "a4",
                              progress: Progress = None, now: dt.datetime | None = None) -> Path:
    """Write the consolidated report of every site in this database for one ISO week to out."""
    size = layout.page_size(paper)
    out = Path(out)
    _step(progress, 0)
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise UserError(_("{week} is not a week of the calendar.").format(week=f"{year}-W{week:02d}")) from None
    report = consolidated_data(storage, year, week, now)
    _step(progress, 2)
    story = consolidated_story(report, size)
    _step(progress, 3)
    render(story, out, paper, page_info(report.week, _("Consolidated report"),
                                         site=_("All sites ({count})").format(count=format_number(len(report.sites))),
                                         language=report_language(storage)))
    _step(progress, STEPS)
    return out


def _step(progress: Progress, done: int) -> None:
    if progress is not None:
        progress(done, STEPS)


def _follow_ups(count: int) -> str:
    return ngettext("{count} follow-up", "{count} follow-ups", count).format(count=format_number(count))


def _names(names: list[str], limit: int = 8) -> str:
    if len(names) <= limit:
        return format_list(names)
    return format_list(names[:limit] + [_("{count} more").format(count=format_number(len(names) - limit))])


def _last_visit(site) -> str:
    return format_date(local(site.last_visit, site.timezone), "medium") if site.last_visit else _("never")


def seen_at(theme: ChainTheme, sites: list[str]) -> str:
    """'seen by 7 people at 3 sites' (or 'at Riverside Store' when one site saw it)."""
    who = ngettext("{count} person", "{count} people", theme.people).format(count=format_number(theme.people))
    if len(sites) > 1:
        return ngettext("seen by {people} at {count} site", "seen by {people} at {count} sites", len(sites)).format(
            people=who, count=format_number(len(sites)))
    return _("seen by {people} at {site}").format(people=who, site=sites[0] if sites else _("one site"))


def consolidated_story(report: Consolidated, size: tuple[float, float]) -> list:
    st = layout.styles()
    width = size[0] - 2 * layout.MARGIN
    story = _cover(report, st, width)
    story += _sites_section(report, st, width)
    story += _owners_section(report, st, width)
    story += _themes_section(report, st, width)
    story += _scorecard(report, st, width)
    story += changed_since(report.week, st, width)
    return story


def _cover(report: Consolidated, st: layout.Styles, width: float) -> list:
    w = report.week
    f, p = w.figures, w.previous
    visited, total_sites = len(report.visited), len(report.sites)
    previous_visited = sum(1 for s in report.sites if s.previous.visits)
    story: list = [
        Paragraph(text.markup(_("Consolidated programme report")), st.subtitle),
        text.para(_("All sites ({count})").format(count=format_number(total_sites))
                  + (f" · {w.organisation}" if w.organisation else ""), st.title, width),
        Paragraph(text.markup(_("Week {week} of {year} · {first} to {last}").format(
            week=w.week, year=w.year, first=format_date(w.days[0]), last=format_date(w.days[-1]))), st.subtitle),
        figure_grid([
            (_("Sites visited"), _("{count} of {total}").format(count=format_number(visited),
                                                              total=format_number(total_sites)),
             change_on_last_week(visited, previous_visited)),
            (_("People who came"), format_number(f.people), change_on_last_week(f.people, p.people)),
            (hours_label(f), hours_text(f.minutes), change_on_last_week(f.minutes, p.minutes, as_hours=True)),
            (_("Observations"), format_number(f.observations), change_on_last_week(f.observations, p.observations)),
            (_("Follow-ups open at the end of the week"), format_number(f.follow_ups_open),
             change_on_last_week(f.follow_ups_open, p.follow_ups_open, higher_is_good=False)),
            (_("Follow-ups actioned or closed"), format_number(w.follow_up_flow.done),
             change_on_last_week(w.follow_up_flow.done, w.follow_up_flow.done_before)),
        ], st, width, padding=9),
        Spacer(1, 3 * mm),
        Paragraph(text.markup(
            _("Figures for the whole week ({zone} time); each site's row below is counted in the site's own time "
              "zone, as its own weekly report counts it.").format(zone=w.timezone) + " " + hours_note(w) + " "
            + _("Follow-ups as they stood at the end of the week.")), st.note),
        Spacer(1, 3 * mm), Paragraph(text.markup(_("At a glance")), st.h2)]
    points = []
    names = {site.id: site.name for site in report.sites}
    if w.done:
        shown = "; ".join(f"{text.markup(i.title)} ({text.markup(names.get(i.site_id, '?'))})" for i in w.done[:3])
        if len(w.done) > 3:
            shown += " " + _("and {count} more").format(count=format_number(len(w.done) - 3))
        points.append(ngettext("<b>Done this week:</b> {follow_ups} actioned or closed — {which}.",
                               "<b>Done this week:</b> {follow_ups} actioned or closed — {which}.",
                               len(w.done)).format(follow_ups=_follow_ups(len(w.done)), which=shown))
    open_items = [(i, site) for site in report.sites for i in site.open_items]
    if open_items:
        item, site = min(open_items, key=lambda pair: pair[0].opened_at)
        unowned = sum(1 for i, _site in open_items if not i.owner)
        age = max(0, (min(w.generated_at, dt.datetime.fromisoformat(w.end.replace("Z", "+00:00")))
                      - dt.datetime.fromisoformat(item.opened_at.replace("Z", "+00:00"))).days)
        points.append(_("<b>Still open:</b> {follow_ups}, {unowned} without an owner; the oldest, {title} at {site}, "
                        "for {days}.").format(
            follow_ups=_follow_ups(len(open_items)), unowned=format_number(unowned),
            title=text.markup(tables.short(item.title, 70)), site=text.markup(site.name),
            days=ngettext("{count} day", "{count} days", age).format(count=format_number(age))))
    shared = [(t, s) for t, s in zip(report.themes, report.theme_sites) if len(s) > 1]
    if shared:
        theme, sites = shared[0]
        points.append(_("<b>Seen across the chain:</b> {theme} — {where}.").format(
            theme=text.markup(theme.title), where=text.markup(seen_at(theme, sites))))
        if len(shared) > 1:
            points.append(_("<b>{count}</b> themes were seen at more than one site this week.").format(
                count=format_number(len(shared))))
    if not report.sites:
        points.append(_("<b>No site is in this database yet.</b> Merge the sites' bundles first "
                        "(storeshift merge, or Settings → Merge bundles)."))
    elif report.unvisited:
        points.append(_("<b>No visit this week:</b> {sites}.").format(
            sites=text.markup(_names([s.name for s in report.unvisited], 6))))
    else:
        points.append(_("Every site had at least one visit this week."))
    if report.people:
        back = [r for r in report.people if not r.first_time]
        several = [r for r in report.people if len(r.sites) > 1]
        point = ngettext(
            "<b>{back}</b> of {count} person had been on the floor in an earlier week; <b>{first}</b> came for the "
            "first time",
            "<b>{back}</b> of {count} people had been on the floor in an earlier week; <b>{first}</b> came for the "
            "first time", len(report.people)).format(back=format_number(len(back)),
                                                     count=format_number(len(report.people)),
                                                     first=format_number(len(report.people) - len(back)))
        points.append(ngettext("{summary}; {count} worked at more than one site.",
                               "{summary}; {count} worked at more than one site.", len(several)).format(
            summary=point, count=format_number(len(several))) if several else _("{summary}.").format(summary=point))
    if report.departments:
        top = report.departments[0]
        point = ngettext("<b>{count}</b> department did floor time; the most was <b>{top}</b> ({hours} hours)",
                         "<b>{count}</b> departments did floor time; the most was <b>{top}</b> ({hours} hours)",
                         len(report.departments)).format(count=format_number(len(report.departments)),
                                                        top=text.markup(top["department"]),
                                                        hours=hours_text(top["minutes"]))
        points.append(_("{summary}; none from {departments}.").format(
            summary=point, departments=text.markup(format_list(report.idle_departments[:6])))
            if report.idle_departments else _("{summary}.").format(summary=point))
    for point in points:
        story.append(Paragraph("• " + point, st.body))
    return story


def _sites_section(report: Consolidated, st: layout.Styles, width: float) -> list:
    story: list = [CondPageBreak(70 * mm), Spacer(1, 4 * mm),
                   layout.Heading(text.markup(_("Sites this week")), st.h1, outline=_("Sites this week")),
                   Paragraph(text.markup(_(
                       "Busiest first; sites with no visit at the end, shaded. Last visit: the latest check-in "
                       "up to the end of the week.")), st.note)]
    ordered = sorted(report.sites, key=lambda s: (-s.figures.minutes, -s.figures.observations, s.name.casefold()))
    rows, shaded = [], []
    for index, site in enumerate(ordered):
        f, p = site.figures, site.previous
        last = _last_visit(site)
        rows.append([site.name + (" " + _("(this database)") if site.is_home else ""), f.people,
                     _cell(hours_cell(f.minutes, f.estimated_minutes), _delta(f.minutes - p.minutes, hours=True), st),
                     _cell(format_number(f.observations), _delta(f.observations - p.observations), st),
                     _cell(format_number(site.follow_ups_open), _delta(site.follow_ups_open - site.follow_ups_before,
                                                                       higher_is_good=False), st), last])
        if not f.visits:
            shaded.append(index)
    total = report.week.figures
    rows.append([_("All sites"), total.people, hours_cell(total.minutes, total.estimated_minutes),
                 format_number(total.observations), format_number(total.follow_ups_open), ""])
    widths = [0.25, 0.1, 0.17, 0.17, 0.17, 0.14]
    table = tables.table([_("Site"), _("People"), _("Hours"), _("Observations"), _("Open follow-ups"),
                          _("Last visit")], rows,
                         [width * w for w in widths], st, numeric=(1, 2, 3, 4), highlight=shaded)
    table.setStyle(TableStyle([("FONTNAME", (0, len(rows)), (-1, len(rows)), fonts.BOLD),
                               ("LINEABOVE", (0, len(rows)), (-1, len(rows)), 0.8, layout.INK)]))
    note = _("Each figure with its change on the week before (green: better, red: worse). People are counted once "
             "per site; the All sites row counts each person once, so it can be less than the sum of the rows.")
    if report.left_out:
        note += " " + _("Not listed: {sites} (this database's own site, which has never had a visit).").format(
            sites=", ".join(report.left_out))
    story += [table, Spacer(1, 2 * mm), Paragraph(text.markup(note), st.muted)]
    busy = [s for s in ordered if s.figures.minutes]
    if len(busy) > 1:
        # The busiest only: one bar for "all the others" would dwarf every site shown.
        shown = busy[:MAX_SITE_BARS]
        title = (_("Hours per site (the {shown} busiest of {count})").format(
            shown=format_number(len(shown)), count=format_number(len(busy))) if len(busy) > len(shown)
            else _("Hours per site"))
        story += [Spacer(1, 4 * mm), charts.bar_chart(title, [s.name for s in shown],
                                                        [s.figures.minutes / 60 for s in shown], width * 0.8,
                                                        fmt=charts.hours, label_share=0.3)]
    return story


def _delta(amount: float, hours: bool = False, higher_is_good: bool = True) -> tuple[str, colors.Color]:
    if not amount:
        return _("same"), layout.MUTED
    shown = format_number(abs(amount) / 60, 1) if hours else format_number(round(abs(amount)))
    good = (amount > 0) == higher_is_good
    return f"{'▲' if amount > 0 else '▼'} {shown}", layout.GOOD if good else layout.BAD


def _cell(value: str, change: tuple[str, colors.Color], st: layout.Styles) -> Paragraph:
    """A figure with its change on last week beneath it, coloured good or bad."""
    shown, colour = change
    return Paragraph(f"{text.markup(value)}<br/><font size='7' color='#{colour.hexval()[2:]}'>"
                     f"{text.markup(shown)}</font>", st.cell_right)


def _themes_section(report: Consolidated, st: layout.Styles, width: float) -> list:
    story: list = [CondPageBreak(60 * mm), Spacer(1, 4 * mm),
                   layout.Heading(text.markup(_("Seen at several sites")), st.h1, outline=_("Seen at several sites"))]
    shared = [(t, s) for t, s in zip(report.themes, report.theme_sites) if len(s) > 1]
    single = [(t, s) for t, s in zip(report.themes, report.theme_sites) if len(s) == 1]
    if shared:
        story.append(Paragraph(text.markup(_(
            "The same words and phrases written by different people at different sites this week: problems of "
            "the chain rather than of one store. Most sites first.")), st.note))
    else:
        story.append(Paragraph(text.markup(
            _("No phrase was written at more than one site this week.")), st.note))
    for number, (theme, sites) in enumerate(shared, start=1):
        headline = f"{number}. {theme.title} — {seen_at(theme, sites)}"
        kinds = ", ".join(f"{CATEGORIES.get(k, k)} {format_number(v)}" for k, v in
                          Counter(o["category"] for o in theme.observations).most_common())
        detail = ngettext("{count} observation ({kinds})", "{count} observations ({kinds})",
                          len(theme.observations)).format(count=format_number(len(theme.observations)), kinds=kinds)
        high = sum(1 for o in theme.observations if o["impact"] == "high")
        if high:
            detail += ", " + _("{count} rated high impact").format(count=format_number(high))
        detail += " · " + (_("grouped automatically") if theme.automatic else _status(theme.item))
        representative = _representative(theme.observations)
        parts = [Paragraph(text.markup(headline), st.h2),
                 Paragraph(text.markup(detail + " · " + _("at {sites}").format(sites=_names(sites))), st.muted),
                 text.para(tables.short(representative["text"], 500), st.body, width)]
        quote = next((o["quote"] for o in theme.observations if o.get("quote")), None)
        if quote:
            parts.append(text.para(_("Customer: “{quote}”").format(quote=tables.short(quote, 240)), st.quote,
                                   width - 10))
        story.append(KeepTogether(parts))
    if single:
        story += [Spacer(1, 2 * mm), Paragraph(text.markup(_("Seen at one site")), st.h2)]
        for theme, sites in single[:MAX_SINGLE_THEMES]:
            story.append(Paragraph("• " + text.markup(f"{theme.title} — {seen_at(theme, sites)}"), st.body))
        if len(single) > MAX_SINGLE_THEMES:
            story.append(Paragraph(text.markup(_("… and {count} more, in each site's own weekly report.").format(
                count=format_number(len(single) - MAX_SINGLE_THEMES))), st.muted))
    return story


def _owners_section(report: Consolidated, st: layout.Styles, width: float) -> list:
    """Open follow-ups by owner across every site, the owner with the oldest first."""
    end = dt.datetime.fromisoformat(report.week.end.replace("Z", "+00:00"))
    as_at = min(report.week.generated_at, end)
    items = [{"owner": i.owner, "site_id": site.id, "text": i.title,
              "age_days": max(0, (as_at - dt.datetime.fromisoformat(i.opened_at.replace("Z", "+00:00"))).days)}
             for site in report.sites for i in site.open_items]
    story: list = [CondPageBreak(60 * mm), Spacer(1, 4 * mm),
                   layout.Heading(text.markup(_("Open follow-ups by owner")), st.h1,
                                  outline=_("Open follow-ups by owner"))]
    if not items:
        return story + [Paragraph(text.markup(_("Nothing is waiting at any site.")), st.note)]
    names = {s.id: s.name for s in report.sites}
    by_owner: dict[str, list[dict]] = defaultdict(list)
    no_owner = _("No owner yet")
    for item in items:
        by_owner[str(item["owner"] or no_owner)].append(item)
    rows = []
    for owner, owned in sorted(by_owner.items(), key=lambda kv: (kv[0] != no_owner,
                                                                 -max(i["age_days"] for i in kv[1]))):
        sites = sorted({names.get(i["site_id"], "?") for i in owned}, key=str.casefold)
        oldest = max(owned, key=lambda i: i["age_days"])
        rows.append([owner, len(owned), _names(sites, 4), oldest["age_days"],
                     sum(1 for i in owned if i["age_days"] > STALE_DAYS), tables.short(oldest["text"], 90)])
    story.append(Paragraph(text.markup(_(
        "Each theme once, as it stood at the end of the week; praise needs no owner and is not counted. "
        "Days: the oldest open item's age at the end of the week.")), st.note))
    story.append(tables.table([_("Owner"), _("Open"), _("Sites"), _("Oldest (days)"), _("Over 2 weeks"),
                               _("Oldest item")], rows,
                              [width * w for w in (0.2, 0.08, 0.22, 0.11, 0.11, 0.28)], st, numeric=(1, 3, 4)))
    return story


def _status(item: data.FollowUp) -> str:
    shown = str(STATUSES.get(item.status, item.status.capitalize()))
    return shown + (f" — {item.owner}" if item.owner else "")


def _representative(notes: list[dict]) -> dict:
    rank = {"high": 0, "medium": 1, "low": 2}
    return min(notes, key=lambda o: (rank.get(o["impact"], 3), -min(len(o["text"]), 300), o["created_at"]))


def _scorecard(report: Consolidated, st: layout.Styles, width: float) -> list:
    story: list = [CondPageBreak(80 * mm), Spacer(1, 4 * mm),
                   layout.Heading(text.markup(_("Programme scorecard")), st.h1, outline=_("Programme scorecard"))]
    # Departments
    story.append(Paragraph(text.markup(_("Departments on the floor")), st.h2))
    if report.departments:
        rows = [[d["department"], d["people"], d["visits"], hours_text(d["minutes"]), d["sites"]]
                for d in report.departments]
        story.append(tables.table([_("Department"), _("People"), _("Visits"), _("Hours"), _("Sites")], rows,
                                  [width * 0.44, width * 0.14, width * 0.14, width * 0.14, width * 0.14], st,
                                  numeric=(1, 2, 3, 4)))
    else:
        story.append(Paragraph(text.markup(_("No department did floor time this week.")), st.note))
    if report.idle_departments:
        story.append(Paragraph(text.markup(_("No floor time this week from: {departments}.").format(
            departments=", ".join(report.idle_departments))), st.body))
    # Sites without a visit
    story += [Spacer(1, 3 * mm), Paragraph(text.markup(_("Sites with no visit this week")), st.h2)]
    if not report.sites:
        story.append(Paragraph(text.markup(_("No site is in this database yet.")), st.note))
    elif report.unvisited:
        rows = []
        for site in sorted(report.unvisited, key=lambda s: (s.last_visit or "", s.name.casefold())):
            rows.append([site.name, _last_visit(site), site.follow_ups_open,
                         site.oldest_open_days if site.follow_ups_open else ""])
        story.append(tables.table([_("Site"), _("Last visit"), _("Open follow-ups"), _("Oldest open (days)")], rows,
                                  [width * 0.46, width * 0.18, width * 0.18, width * 0.18], st, numeric=(2, 3)))
    else:
        story.append(Paragraph(text.markup(_("Every site had at least one visit this week.")), st.note))
    # Who came back
    story += [CondPageBreak(45 * mm), Spacer(1, 3 * mm), Paragraph(text.markup(_("Who came back")), st.h2)]
    people = report.people
    if not people:
        story.append(Paragraph(text.markup(_("Nobody was on the floor this week.")), st.note))
        return story
    back = [r for r in people if not r.first_time]
    story.append(Paragraph(text.markup(
        ngettext("{back} of {count} person had been on the floor in an earlier week; {first} came for the first time.",
                 "{back} of {count} people had been on the floor in an earlier week; {first} came for the first time.",
                 len(people)).format(back=format_number(len(back)), count=format_number(len(people)),
                                     first=format_number(len(people) - len(back)))
        + " " + _("Weeks on the floor: the weeks with at least one visit, at any site, up to this one.")), st.note))
    shown = people[:MAX_PEOPLE_ROWS]
    rows = []
    for person in shown:
        first = format_date(local(person.first_visit, report.week.timezone), "medium") if person.first_visit else ""
        rows.append([person.name, person.department, ", ".join(person.sites), person.visits, hours_text(person.minutes),
                     _("first time") if person.first_time else person.weeks_on_floor, first])
    story.append(tables.table([_("Name"), _("Department"), _("Sites this week"), _("Visits"), _("Hours"),
                               _("Weeks on the floor"), _("First visit")], rows,
                              [width * w for w in (0.2, 0.14, 0.24, 0.08, 0.08, 0.12, 0.14)], st,
                              numeric=(3, 4, 5)))
    if len(people) > len(shown):
        story.append(Paragraph(text.markup(ngettext("… and {count} more person.", "… and {count} more people.",
                                                    len(people) - len(shown)).format(
            count=format_number(len(people) - len(shown)))), st.muted))
    return story
