"""The weekly insight report of one site: cover with headline figures against last week,
what we learned (themes, then every observation by category), follow-ups by owner and age,
charts, who came, and how the task catalogue was covered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table,
                                TableStyle)

from ..errors import UserError
from ..services import hours
from ..services.observations import CATEGORIES, IMPACTS, STATUSES
from ..storage.db import Storage
from ..timeutil import local
from . import blocks, charts, data, fonts, layout, tables, text, themes

Progress = Callable[[int, int], None] | None
STEPS = 5
MAX_DEPARTMENT_BARS = 12
#: Open follow-ups listed per owner (the oldest); the owner table counts them all.
PER_OWNER = 12


def build_weekly_report(storage: Storage, year: int, week: int, out: str | Path, paper: str = "a4",
                        progress: Progress = None, site_id: str | None = None,
                        now: dt.datetime | None = None) -> Path:
    """Write the weekly report PDF of one site (default: this database's own site) to out."""
    layout.page_size(paper)
    out = Path(out)
    _step(progress, 0)
    week_data = data.week_data(storage, year, week, site_id=site_id, now=now)
    _step(progress, 1)
    found = themes.find_themes(week_data.observations)
    _step(progress, 2)
    story = weekly_story(week_data, found, layout.page_size(paper))
    _step(progress, 3)
    render(story, out, paper, page_info(week_data, "Weekly insight report"))
    _step(progress, STEPS)
    return out


def _step(progress: Progress, done: int) -> None:
    if progress is not None:
        progress(done, STEPS)


def render(story: list, out: Path, paper: str, info: layout.PageInfo) -> None:
    """Build story into out; a file that cannot be written becomes a sentence."""
    doc, maker = layout.document(out, paper, info)
    try:
        doc.build(story, canvasmaker=maker)
    except PermissionError:
        raise UserError(f"Cannot write {out}: permission denied. Choose another folder.") from None
    except FileNotFoundError:
        raise UserError(f"Cannot write {out}: the folder does not exist.") from None
    except OSError as exc:
        raise UserError(f"Cannot write {out}: {exc.strerror or exc}.") from None


def page_info(week_data: data.WeekData, title: str, site: str | None = None) -> layout.PageInfo:
    """The running header and footer: site (or what stands for it), week, generation time."""
    tz = week_data.timezone
    generated = local(week_data.generated_at, tz).strftime("%d %b %Y %H:%M") + f" ({tz})"
    return layout.PageInfo(title=title, site=site or week_data.site["name"],
                           period=f"Week {week_data.label} · {_date_range(week_data.days)}",
                           generated=generated, organisation=week_data.organisation)


# ---------------------------------------------------------------- formatting

def _date_range(days: list[dt.date]) -> str:
    first, last = days[0], days[-1]
    if first.month == last.month:
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


def hours_text(minutes: int) -> str:
    """Hours as the report prints them: one decimal ('46.1')."""
    return hours.hours_text(minutes)


def hours_cell(minutes: int, estimated: int) -> str:
    """An hours cell that says how much of it is estimated: '3.5' or '3.5 (1.0 est.)'."""
    return hours_text(minutes) + (f" ({hours_text(estimated)} est.)" if estimated else "")


def hours_label(f: data.Figures) -> str:
    """The headline's label: 'Hours delivered' and, when some are, how many are estimated."""
    return "Hours delivered" + (f", {hours_text(f.estimated_minutes)} h of it estimated" if f.estimated_minutes
                                else "")


def hours_note(week_data: data.WeekData) -> str:
    """How the hours were counted, in the words of this week's state."""
    f = week_data.figures
    note = (f"Hours run from check-in to check-out ({f.minutes:,} minutes in all). A visit nobody checked out "
            "ends at the site's closing time and counts as estimated until someone confirms a time"
            + (f": {hours.Hours(f.minutes, f.estimated_minutes).text()}." if f.estimated_minutes else "."))
    if week_data.finished:
        note += (" The figures are those known at the end of the week, so they stay the same when the report is "
                 "made again; later corrections are listed in the next week's report.")
    elif f.open_visits:
        note += (f" {f.open_visits:,} visit{'s are' if f.open_visits != 1 else ' is'} still on the floor, counted up "
                 "to the time of this report.")
    return note


def _day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _when(iso: str, tz: str) -> str:
    return local(iso, tz).strftime("%a %d %b %H:%M")


def _change(current: float, previous: float, unit: str = "", higher_is_good: bool = True,
            as_hours: bool = False) -> tuple[str, colors.Color]:
    delta = current - previous
    shown_previous = hours_text(int(previous)) if as_hours else f"{previous:,.0f}"
    if as_hours:
        amount = f"{abs(delta) / 60:,.1f}{unit}"
    else:
        amount = f"{abs(delta):,.0f}{unit}"
    if delta == 0:
        return f"same as last week ({shown_previous})", layout.MUTED
    arrow = "▲" if delta > 0 else "▼"
    good = (delta > 0) == higher_is_good
    return f"{arrow} {amount} on last week ({shown_previous})", layout.GOOD if good else layout.BAD


# ---------------------------------------------------------------- story

def weekly_story(week_data: data.WeekData, found: list[themes.Theme], size: tuple[float, float]) -> list:
    st = layout.styles()
    width = size[0] - 2 * layout.MARGIN
    story: list = cover(week_data, found, st, width)
    if week_data.empty:
        return story
    story += [PageBreak()]
    story += learned(week_data, found, st, width)
    story += follow_ups(week_data, st, width)
    story += chart_pages(week_data, st, width)
    story += who_came(week_data, st, width)
    story += changed_since(week_data, st, width)
    story += coverage(week_data, st, width)
    return story


def cover(week_data: data.WeekData, found: list[themes.Theme], st: layout.Styles, width: float) -> list:
    f, p = week_data.figures, week_data.previous
    story: list = [
        Paragraph("Weekly insight report", st.subtitle),
        text.para(week_data.site["name"], st.title, width),
        Paragraph(text.markup(f"Week {week_data.week} of {week_data.year} · "
                              f"{_day(week_data.days[0])} to {_day(week_data.days[-1])} {week_data.days[-1].year}"),
                  st.subtitle),
    ]
    cells = [
        ("People who came", f"{f.people:,}", _change(f.people, p.people)),
        ("Visits", f"{f.visits:,}", _change(f.visits, p.visits)),
        (hours_label(f), hours_text(f.minutes), _change(f.minutes, p.minutes, " h", as_hours=True)),
        ("Tasks done", f"{f.tasks_done:,}", _change(f.tasks_done, p.tasks_done)),
        ("Observations", f"{f.observations:,}", _change(f.observations, p.observations)),
        ("Follow-ups open", f"{f.follow_ups_open:,}", _change(f.follow_ups_open, p.follow_ups_open,
                                                              higher_is_good=False)),
    ]
    grid = []
    for row_start in (0, 3):
        row = []
        for label, value, (change, colour) in cells[row_start:row_start + 3]:
            change_style = layout.ParagraphStyle("change", parent=st.figure_change, textColor=colour)
            row.append([Paragraph(text.markup(value), st.figure), Paragraph(text.markup(label), st.figure_label),
                        Paragraph(text.markup(change), change_style)])
        grid.append(row)
    figure_table = Table(grid, colWidths=[width / 3] * 3, hAlign="LEFT")
    figure_table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.6, layout.RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.6, layout.RULE),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fafbfc")),
        ("TOPPADDING", (0, 0), (-1, -1), 9), ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    story += [figure_table, Spacer(1, 3 * mm),
              Paragraph(text.markup(hours_note(week_data) + " Follow-ups open: observations raised up to the end "
                                    "of the week that are still new or triaged today."), st.note)]
    if week_data.empty:
        story += [Spacer(1, 10 * mm), _banner(
            "No visits this week",
            f"Nobody checked in at {week_data.site['name']} between {week_data.days[0].day} {week_data.days[0]:%B} "
            f"and {week_data.days[-1].day} {week_data.days[-1]:%B %Y}, and no observations were written. "
            + (f"{f.follow_ups_open:,} follow-up{'s' if f.follow_ups_open != 1 else ''} from earlier weeks "
               f"{'are' if f.follow_ups_open != 1 else 'is'} still open."
               if f.follow_ups_open else "There are no open follow-ups."), st, width)]
        return story
    story += [Spacer(1, 4 * mm), Paragraph("At a glance", st.h2)]
    points = []
    if found:
        top = found[0]
        points.append(f"<b>Most reported:</b> {text.markup(top.headline)}.")
        if len(found) > 1:
            others = "; ".join(text.markup(t.headline) for t in found[1:3])
            points.append(f"<b>Also:</b> {others}.")
    high = sum(1 for o in week_data.observations if o["impact"] == "high")
    if week_data.observations:
        busiest = max(week_data.observations_per_category.items(), key=lambda kv: kv[1])
        points.append(f"<b>{high:,}</b> of {len(week_data.observations):,} observations were rated high impact; "
                      f"the most common kind was <b>{text.markup(CATEGORIES[busiest[0]].lower())}</b> "
                      f"({busiest[1]:,}).")
    stale = [item for item in week_data.follow_ups if item["age_days"] > 14]
    unowned = [item for item in week_data.follow_ups if not item["owner"]]
    if week_data.follow_ups:
        points.append(f"<b>{len(unowned):,}</b> open follow-up{'s have' if len(unowned) != 1 else ' has'} no owner yet; "
                      f"<b>{len(stale):,}</b> {'have' if len(stale) != 1 else 'has'} been open more than two weeks.")
    if week_data.people:
        best_day = max(range(7), key=lambda i: week_data.minutes_per_day[i])
        points.append(f"The busiest day was <b>{week_data.days[best_day]:%A}</b> "
                      f"({hours_text(week_data.minutes_per_day[best_day])} hours).")
    no_shows = len(week_data.no_shows)
    past = [i for i, day in enumerate(week_data.days) if day < local(week_data.generated_at, week_data.timezone).date()]
    booked = sum(week_data.booked_per_day[i] for i in past)
    if booked:
        came = sum(week_data.attended_per_day[i] for i in past)
        points.append(f"{came:,} of {booked:,} booked slots were attended"
                      + (f"; {no_shows:,} no-show{'s' if no_shows != 1 else ''}." if no_shows else "."))
    elif sum(week_data.booked_per_day):
        points.append(f"{sum(week_data.booked_per_day):,} slots are booked for the rest of the week.")
    for point in points:
        story.append(Paragraph("• " + point, st.body))
    if found:
        story += [Spacer(1, 4 * mm), Paragraph("What people noticed most", st.h2)]
        for theme in found[:3]:
            parts = [Paragraph(text.markup(theme.headline), st.h3),
                     text.para(tables.short(theme.representative["text"], 220), st.body, width)]
            if theme.quote:
                parts.append(text.para(f"Customer: “{tables.short(theme.quote, 160)}”", st.quote, width - 10))
            story.append(KeepTogether(parts))
    actioned = [o for o in week_data.observations if o["status"] == "actioned" and o.get("follow_up")]
    if actioned:
        story += [Spacer(1, 3 * mm), Paragraph("You told us, we did", st.h2)]
        for obs in actioned[:3]:
            story.append(Paragraph("• " + text.markup(tables.short(obs["follow_up"], 200))
                                   + f" <font color='#5f6b7a'>({text.markup(tables.short(obs['text'], 90))})</font>",
                                   st.body))
    return story


def _banner(title: str, body: str, st: layout.Styles, width: float) -> Table:
    box = Table([[Paragraph(text.markup(title), st.h1)], [Paragraph(text.markup(body), st.body)]],
                colWidths=[width], hAlign="LEFT")
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), layout.ACCENT_LIGHT),
                             ("LEFTPADDING", (0, 0), (-1, -1), 12), ("RIGHTPADDING", (0, 0), (-1, -1), 12),
                             ("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
    return box


def _person(obs: dict) -> str:
    return obs.get("person_name") or "Someone (name erased)"


def learned(week_data: data.WeekData, found: list[themes.Theme], st: layout.Styles, width: float) -> list:
    tz = week_data.timezone
    story: list = [Paragraph("What we learned", st.h1)]
    if found:
        story.append(Paragraph(text.markup(
            "Themes: the same words and phrases written by different people this week, the most reported first."),
            st.note))
    else:
        story.append(Paragraph(text.markup(
            "No theme this week: no phrase was written by more than one person. Every observation is listed "
            "by category below."), st.note))
    for number, theme in enumerate(found, start=1):
        parts = [Paragraph(f"{number}. " + text.markup(theme.headline), st.h2)]
        kinds = ", ".join(f"{CATEGORIES.get(k, k).lower()} {v}" for k, v in theme.categories.most_common())
        detail = f"{len(theme.observations)} observation{'s' if len(theme.observations) != 1 else ''} ({kinds})"
        if theme.high_impact:
            detail += f", {theme.high_impact} rated high impact"
        names = theme.names[:6]
        who = ", ".join(names) + (f" and {len(theme.names) - 6} more" if len(theme.names) > 6 else "")
        parts.append(Paragraph(text.markup(detail + (f" · from {who}" if who else "")), st.muted))
        parts.append(text.para(tables.short(theme.representative["text"], 600), st.body, width))
        if theme.quote:
            parts.append(text.para(f"“{tables.short(theme.quote, 300)}”", st.quote, width - 10))
        story.append(KeepTogether(parts))
    story += [Spacer(1, 3 * mm), Paragraph("Observations by category", st.h1)]
    counts = week_data.observations_per_category
    summary = tables.table(["Category", "Observations", "High impact", "Still new"],
                           [[CATEGORIES[key], counts.get(key, 0),
                             sum(1 for o in week_data.observations if o["category"] == key and o["impact"] == "high"),
                             sum(1 for o in week_data.observations if o["category"] == key and o["status"] == "new")]
                            for key in CATEGORIES], [width * 0.4, width * 0.2, width * 0.2, width * 0.2], st,
                           numeric=(1, 2, 3))
    story += [summary, Spacer(1, 2 * mm)]
    impact_rank = {"high": 0, "medium": 1, "low": 2}
    for key, label in CATEGORIES.items():
        items = [o for o in week_data.observations if o["category"] == key]
        if not items:
            continue
        items.sort(key=lambda o: (impact_rank.get(o["impact"], 3), o["created_at"]))
        # The heading travels inside the first note's block, so a long first note never
        # pushes the heading (and the whole note) to the next page, leaving a gap.
        for index, obs in enumerate(items):
            story += _observation(obs, st, width, tz, f"{label} ({len(items):,})" if index == 0 else None)
    return story


_LOOKS: dict[str, blocks.Look] = {}


def _looks() -> dict[str, blocks.Look]:
    if not _LOOKS:
        _LOOKS.update(
            heading=blocks.Look(fonts.BOLD, 11.5, 15, layout.INK, 0, 10, auto_direction=False),
            meta=blocks.Look(fonts.BODY, 8, 10.5, layout.MUTED, 0, 6, auto_direction=False),
            body=blocks.Look(fonts.BODY, 9.5, 12.5, layout.INK),
            quote=blocks.Look(fonts.BODY, 9, 12, layout.ACCENT, 10, 1),
            follow=blocks.Look(fonts.BODY, 8, 10.5, layout.GOOD, 10, 1, auto_direction=False))
    return _LOOKS


def _observation(obs: dict, st: layout.Styles, width: float, tz: str, heading: str | None = None) -> list:
    """One observation as a TextBlock: who/when/task/impact/status, the text, quote, follow-up."""
    status = STATUSES.get(obs["status"], obs["status"])
    if obs.get("owner"):
        status += f" — {obs['owner']}"
    meta = [_person(obs)]
    if obs.get("department"):
        meta.append(obs["department"])
    meta.append(_when(obs["created_at"], tz))
    meta.append(f"task: {obs['task_title']}" if obs.get("task_title") else "no task")
    meta.append(f"impact {IMPACTS.get(obs['impact'], obs['impact']).lower()}")
    meta.append(status)
    looks = _looks()
    segments = [(" · ".join(meta), looks["meta"]), (obs["text"], looks["body"])]
    if obs.get("quote"):
        segments.append((f"“{obs['quote']}”", looks["quote"]))
    if obs.get("follow_up"):
        segments.append((f"Follow-up: {obs['follow_up']}", looks["follow"]))
    if heading:
        return [blocks.TextBlock([(heading, looks["heading"]), *segments], keep=3)]
    return [blocks.TextBlock(segments)]


def follow_ups(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    items = week_data.follow_ups
    story: list = [CondPageBreak(60 * mm), Paragraph("Follow-ups still open", st.h1)]
    if not items:
        story.append(Paragraph("Nothing is waiting: every observation up to this week has been actioned or closed.",
                               st.note))
        return story
    story.append(Paragraph(text.markup(
        f"{len(items):,} observations raised up to the end of the week are still new or triaged. "
        "By owner, oldest first; age is in days, counted to the time of this report."), st.note))
    by_owner: dict[str, list[dict]] = {}
    for item in items:
        by_owner.setdefault(item["owner"] or "No owner yet", []).append(item)
    owners = sorted(by_owner.items(), key=lambda kv: (kv[0] != "No owner yet", -len(kv[1]), kv[0].casefold()))
    summary_rows = [[owner, len(owned), max(i["age_days"] for i in owned),
                     sum(1 for i in owned if i["impact"] == "high"),
                     sum(1 for i in owned if i["age_days"] > 14)] for owner, owned in owners]
    story += [tables.table(["Owner", "Open", "Oldest (days)", "High impact", "Over 2 weeks"], summary_rows,
                           [width * 0.4, width * 0.12, width * 0.16, width * 0.16, width * 0.16], st,
                           numeric=(1, 2, 3, 4)), Spacer(1, 3 * mm)]
    for owner, owned in owners:
        oldest = max(i["age_days"] for i in owned)
        listed = sorted(owned, key=lambda i: (-i["age_days"], i["impact"] != "high"))[:PER_OWNER]
        more = f", the {len(listed)} oldest listed" if len(owned) > len(listed) else ""
        story.append(Paragraph(text.markup(owner) + f" <font color='#5f6b7a' size='8.5'>· {len(owned):,} open, "
                               f"oldest {oldest} day{'s' if oldest != 1 else ''}{more}</font>", st.h3))
        rows = [[item["age_days"], _when(item["created_at"], week_data.timezone)[:10],
                 CATEGORIES.get(item["category"], item["category"]), IMPACTS.get(item["impact"], item["impact"]),
                 STATUSES.get(item["status"], item["status"]), item["text"]]
                for item in listed]
        story.append(tables.table(["Days open", "Raised", "Category", "Impact", "Status", "Observation"], rows,
                                  [width * 0.09, width * 0.12, width * 0.14, width * 0.09, width * 0.1,
                                   width * 0.46], st, numeric=(0,)))
    return story


def chart_pages(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    half = (width - 8 * mm) / 2
    day_labels = [f"{d:%a} {d.day}" for d in week_data.days]
    per_day = [[m / 60 for m in week_data.minutes_per_day]]
    if any(week_data.estimated_per_day):
        # Beside each day's hours, how many of them are estimated (visits ended at closing time).
        per_day.append([m / 60 for m in week_data.estimated_per_day])
    hours_per_day = charts.column_chart("Hours per day", day_labels, per_day, half, 150, fmt=charts.hours,
                                        names=["hours", "of them estimated"],
                                        series_colours=[layout.ACCENT, layout.SERIES[1]])
    categories = list(CATEGORIES)
    per_category = charts.bar_chart("Observations per category", [CATEGORIES[c] for c in categories],
                                    [week_data.observations_per_category.get(c, 0) for c in categories], half,
                                    colours=[layout.CATEGORY_COLOURS[c] for c in categories])
    departments = week_data.minutes_per_department
    if len(departments) > MAX_DEPARTMENT_BARS:
        rest = sum(m for _, m in departments[MAX_DEPARTMENT_BARS - 1:])
        count = len(departments) - MAX_DEPARTMENT_BARS + 1
        departments = departments[:MAX_DEPARTMENT_BARS - 1] + [(f"{count} other departments", rest)]
    per_department = charts.bar_chart("Hours per department", [d for d, _ in departments],
                                      [m / 60 for _, m in departments], half, fmt=charts.hours)
    booked = charts.column_chart("Booked vs attended", day_labels,
                                 [week_data.booked_per_day, week_data.attended_per_day], half, 150,
                                 names=["booked", "attended"], series_colours=[layout.RULE, layout.ACCENT],
                                 empty_note="no bookings this week")
    grid = Table([[hours_per_day, per_category], [per_department, booked]], colWidths=[half + 8 * mm, half],
                 hAlign="LEFT")
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
    story: list = [CondPageBreak(120 * mm), Paragraph("The week in charts", st.h1), grid]
    if week_data.no_shows:
        names = ", ".join(f"{n['name']} ({n['day']:%a})" for n in week_data.no_shows[:40])
        more = f" and {len(week_data.no_shows) - 40} more" if len(week_data.no_shows) > 40 else ""
        story.append(Paragraph("<b>Booked but did not come:</b> " + text.markup(names + more), st.small))
    return story


def who_came(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    f = week_data.figures
    story: list = [CondPageBreak(60 * mm), Paragraph("Who came: thank you", st.h1),
                   Paragraph(text.markup(
                       f"Thank you to the {f.people:,} people who gave {hours_text(f.minutes)} hours at "
                       f"{week_data.site['name']} this week"
                       + (f" ({hours_text(f.estimated_minutes)} h of it estimated: visits nobody checked out, ended "
                          "at closing time)." if f.estimated_minutes else ".")), st.body), Spacer(1, 2 * mm)]
    rows = [[p["name"], p["department"], p["visits"], hours_cell(p["minutes"], p.get("estimated_minutes", 0)),
             p["tasks_done"], p["observations"]] for p in week_data.people]
    if week_data.anonymous_visits:
        story.append(Paragraph(text.markup(
            f"{week_data.anonymous_visits:,} visit(s) by people whose details have since been erased are counted "
            "in the hours but not named."), st.note))
    story.append(tables.table(["Name", "Department", "Visits", "Hours", "Tasks done", "Observations"], rows,
                              [width * 0.27, width * 0.22, width * 0.09, width * 0.15, width * 0.12, width * 0.15],
                              st, numeric=(2, 3, 4, 5)))
    return story


def changed_since(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    """Departures of earlier weeks' visits recorded this week: those weeks' reports keep the
    figures they had, and the change is listed here."""
    items = week_data.corrections
    if not items:
        return []
    tz = week_data.timezone
    delta = sum(c["minutes_after"] - c["minutes_before"] for c in items)
    story: list = [CondPageBreak(40 * mm), Paragraph("Changes to earlier weeks", st.h1), Paragraph(text.markup(
        f"Recorded this week for {len(items):,} visit{'s' if len(items) != 1 else ''} of earlier weeks: forgotten "
        f"check-outs confirmed or corrected, and check-outs made after a week had ended. Those weeks' reports keep "
        f"their figures; the change, {'+' if delta >= 0 else '−'}{hours_text(abs(delta))} h in all, is listed "
        "here."), st.note)]
    rows = []
    for item in items:
        before = hours_text(item["minutes_before"]) + (" (estimated)" if item["was_estimated"] else "")
        after = hours_text(item["minutes_after"]) + (" (estimated)" if item["estimated"] else "")
        change = item["minutes_after"] - item["minutes_before"]
        rows.append([item["person_name"] or "(name erased)", f"{_when(item['check_in_at'], tz)} ({item['week']})",
                     before, after, f"{'+' if change >= 0 else '−'}{hours_text(abs(change))}"])
    story.append(tables.table(["Name", "Visit began", "Counted then (h)", "Now (h)", "Change (h)"], rows,
                              [width * 0.26, width * 0.28, width * 0.17, width * 0.15, width * 0.14], st,
                              numeric=(2, 3, 4)))
    return story


def coverage(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    tasks = week_data.tasks
    story: list = [CondPageBreak(50 * mm), Paragraph("Task catalogue coverage", st.h1)]
    if not tasks:
        story.append(Paragraph("The task catalogue is empty.", st.note))
        return story
    covered = [t for t in tasks if t["assigned"]]
    idle = [t for t in tasks if not t["assigned"] and t["active"]]
    story.append(Paragraph(text.markup(
        f"{len(covered)} of {len(tasks)} tasks were given to someone this week."
        + (f" Not covered: {', '.join(t['title'] for t in idle[:30])}{' …' if len(idle) > 30 else ''}." if idle else "")),
        st.body))
    story.append(Spacer(1, 2 * mm))
    rows = [[t["title"], t["area"], t["assigned"], t["people"], t["done"], hours_text(t["minutes"])]
            for t in sorted(tasks, key=lambda t: (-t["assigned"], t["title"].casefold()))]
    highlight = [i for i, t in enumerate(sorted(tasks, key=lambda t: (-t["assigned"], t["title"].casefold())))
                 if not t["assigned"]]
    story.append(tables.table(["Task", "Area", "Times given", "People", "Done", "Hours on visits"], rows,
                              [width * 0.34, width * 0.2, width * 0.11, width * 0.1, width * 0.1, width * 0.15], st,
                              numeric=(2, 3, 4, 5), highlight=highlight))
    return story


__all__ = ["build_weekly_report", "weekly_story", "render", "page_info", "hours_text", "Flowable", "fonts"]
