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
from ..i18n import (_, format_date, format_date_range, format_datetime, format_hours, format_list, format_number,
                    format_time, ngettext, weekday_names)
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
    render(story, out, paper, page_info(week_data, _("Weekly insight report")))
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
        raise UserError(_("Cannot write {file}: permission denied. Choose another folder.").format(file=out)) from None
    except FileNotFoundError:
        raise UserError(_("Cannot write {file}: the folder does not exist.").format(file=out)) from None
    except OSError as exc:
        raise UserError(_("Cannot write {file}: {reason}.").format(file=out, reason=exc.strerror or exc)) from None


def page_info(week_data: data.WeekData, title: str, site: str | None = None) -> layout.PageInfo:
    """The running header and footer: site (or what stands for it), week, generation time."""
    tz = week_data.timezone
    generated = f"{format_datetime(local(week_data.generated_at, tz))} ({tz})"
    return layout.PageInfo(title=title, site=site or week_data.site["name"],
                           period=_("Week {week} · {dates}").format(week=week_data.label,
                                                                    dates=_date_range(week_data.days)),
                           generated=generated, organisation=week_data.organisation)


# ---------------------------------------------------------------- formatting

def _date_range(days: list[dt.date]) -> str:
    """'30 Nov – 6 Dec 2026', by the language's rules."""
    return format_date_range(days[0], days[-1])


def hours_text(minutes: int) -> str:
    """Hours as the report prints them: one decimal ('46.1', German '46,1')."""
    return format_number(minutes / 60, 1)


def _when(iso: str, tz: str) -> str:
    moment = local(iso, tz)
    return f"{format_date(moment, 'MMMEd')} {format_time(moment)}"


def _change(current: float, previous: float, unit: str = "", higher_is_good: bool = True,
            as_hours: bool = False) -> tuple[str, colors.Color]:
    delta = current - previous
    shown_previous = hours_text(int(previous)) if as_hours else format_number(round(previous))
    if as_hours:
        amount = format_hours(abs(delta) / 60)
    else:
        amount = format_number(round(abs(delta)))
    if delta == 0:
        return _("same as last week ({previous})").format(previous=shown_previous), layout.MUTED
    arrow = "▲" if delta > 0 else "▼"
    good = (delta > 0) == higher_is_good
    return (f"{arrow} " + _("{amount} on last week ({previous})").format(amount=amount, previous=shown_previous),
            layout.GOOD if good else layout.BAD)


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
    story += coverage(week_data, st, width)
    return story


def cover(week_data: data.WeekData, found: list[themes.Theme], st: layout.Styles, width: float) -> list:
    f, p = week_data.figures, week_data.previous
    story: list = [
        Paragraph(text.markup(_("Weekly insight report")), st.subtitle),
        text.para(week_data.site["name"], st.title, width),
        Paragraph(text.markup(_("Week {week} of {year} · {first} to {last}").format(
            week=week_data.week, year=week_data.year, first=format_date(week_data.days[0]),
            last=format_date(week_data.days[-1]))), st.subtitle),
    ]
    cells = [
        (_("People who came"), format_number(f.people), _change(f.people, p.people)),
        (_("Visits"), format_number(f.visits), _change(f.visits, p.visits)),
        (_("Hours delivered"), hours_text(f.minutes), _change(f.minutes, p.minutes, as_hours=True)),
        (_("Tasks done"), format_number(f.tasks_done), _change(f.tasks_done, p.tasks_done)),
        (_("Observations"), format_number(f.observations), _change(f.observations, p.observations)),
        (_("Follow-ups open"), format_number(f.follow_ups_open), _change(f.follow_ups_open, p.follow_ups_open,
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
              Paragraph(text.markup(_(
                  "Hours are counted from check-in to check-out ({minutes} minutes in all; a visit still open counts "
                  "up to the time of this report). Follow-ups open: observations raised up to the end of the week "
                  "that are still new or triaged today.").format(minutes=format_number(f.minutes))), st.note)]
    if week_data.empty:
        still_open = (ngettext("{count} follow-up from earlier weeks is still open.",
                               "{count} follow-ups from earlier weeks are still open.", f.follow_ups_open)
                      .format(count=format_number(f.follow_ups_open)) if f.follow_ups_open
                      else _("There are no open follow-ups."))
        story += [Spacer(1, 10 * mm), _banner(
            _("No visits this week"),
            _("Nobody checked in at {site} between {first} and {last}, and no observations were written.").format(
                site=week_data.site["name"], first=format_date(week_data.days[0], "MMMMd"),
                last=format_date(week_data.days[-1], "long")) + " " + still_open, st, width)]
        return story
    story += [Spacer(1, 4 * mm), Paragraph(text.markup(_("At a glance")), st.h2)]
    points = []
    if found:
        top = found[0]
        points.append(_("<b>Most reported:</b> {theme}.").format(theme=text.markup(top.headline)))
        if len(found) > 1:
            others = "; ".join(text.markup(t.headline) for t in found[1:3])
            points.append(_("<b>Also:</b> {themes}.").format(themes=others))
    high = sum(1 for o in week_data.observations if o["impact"] == "high")
    if week_data.observations:
        busiest = max(week_data.observations_per_category.items(), key=lambda kv: kv[1])
        points.append(ngettext(
            "<b>{high}</b> of {count} observation was rated high impact; the most common kind was <b>{kind}</b> "
            "({kind_count}).",
            "<b>{high}</b> of {count} observations were rated high impact; the most common kind was <b>{kind}</b> "
            "({kind_count}).", len(week_data.observations)).format(
            high=format_number(high), count=format_number(len(week_data.observations)),
            kind=text.markup(CATEGORIES[busiest[0]]), kind_count=format_number(busiest[1])))
    stale = [item for item in week_data.follow_ups if item["age_days"] > 14]
    unowned = [item for item in week_data.follow_ups if not item["owner"]]
    if week_data.follow_ups:
        points.append(
            ngettext("<b>{count}</b> open follow-up has no owner yet;", "<b>{count}</b> open follow-ups have no owner yet;",
                     len(unowned)).format(count=format_number(len(unowned))) + " "
            + ngettext("<b>{count}</b> has been open more than two weeks.",
                       "<b>{count}</b> have been open more than two weeks.", len(stale))
            .format(count=format_number(len(stale))))
    if week_data.people:
        best_day = max(range(7), key=lambda i: week_data.minutes_per_day[i])
        points.append(_("The busiest day was <b>{day}</b> ({hours} hours).").format(
            day=weekday_names()[week_data.days[best_day].weekday()],
            hours=hours_text(week_data.minutes_per_day[best_day])))
    no_shows = len(week_data.no_shows)
    past = [i for i, day in enumerate(week_data.days) if day < local(week_data.generated_at, week_data.timezone).date()]
    booked = sum(week_data.booked_per_day[i] for i in past)
    if booked:
        came = sum(week_data.attended_per_day[i] for i in past)
        attended = _("{came} of {booked} booked slots were attended").format(
            came=format_number(came), booked=format_number(booked))
        points.append(attended + ("; " + ngettext("{count} no-show.", "{count} no-shows.", no_shows).format(
            count=format_number(no_shows)) if no_shows else "."))
    elif sum(week_data.booked_per_day):
        points.append(ngettext("{count} slot is booked for the rest of the week.",
                               "{count} slots are booked for the rest of the week.", sum(week_data.booked_per_day))
                      .format(count=format_number(sum(week_data.booked_per_day))))
    for point in points:
        story.append(Paragraph("• " + point, st.body))
    if found:
        story += [Spacer(1, 4 * mm), Paragraph(text.markup(_("What people noticed most")), st.h2)]
        for theme in found[:3]:
            parts = [Paragraph(text.markup(theme.headline), st.h3),
                     text.para(tables.short(theme.representative["text"], 220), st.body, width)]
            if theme.quote:
                parts.append(text.para(_("Customer: “{quote}”").format(quote=tables.short(theme.quote, 160)),
                                       st.quote, width - 10))
            story.append(KeepTogether(parts))
    actioned = [o for o in week_data.observations if o["status"] == "actioned" and o.get("follow_up")]
    if actioned:
        story += [Spacer(1, 3 * mm), Paragraph(text.markup(_("You told us, we did")), st.h2)]
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
    return obs.get("person_name") or _("Someone (name erased)")


def learned(week_data: data.WeekData, found: list[themes.Theme], st: layout.Styles, width: float) -> list:
    tz = week_data.timezone
    story: list = [Paragraph(text.markup(_("What we learned")), st.h1)]
    if found:
        story.append(Paragraph(text.markup(_(
            "Themes: the same words and phrases written by different people this week, the most reported first.")),
            st.note))
    else:
        story.append(Paragraph(text.markup(_(
            "No theme this week: no phrase was written by more than one person. Every observation is listed "
            "by category below.")), st.note))
    for number, theme in enumerate(found, start=1):
        parts = [Paragraph(f"{number}. " + text.markup(theme.headline), st.h2)]
        kinds = ", ".join(f"{CATEGORIES.get(k, k)} {format_number(v)}" for k, v in theme.categories.most_common())
        detail = ngettext("{count} observation ({kinds})", "{count} observations ({kinds})",
                          len(theme.observations)).format(count=format_number(len(theme.observations)), kinds=kinds)
        if theme.high_impact:
            detail += ", " + _("{count} rated high impact").format(count=format_number(theme.high_impact))
        names = theme.names[:6]
        if len(theme.names) > 6:
            names = names + [_("{count} more").format(count=format_number(len(theme.names) - 6))]
        who = format_list(names)
        parts.append(Paragraph(text.markup(detail + (" · " + _("from {people}").format(people=who) if who else "")),
                               st.muted))
        parts.append(text.para(tables.short(theme.representative["text"], 600), st.body, width))
        if theme.quote:
            parts.append(text.para(_("“{quote}”").format(quote=tables.short(theme.quote, 300)), st.quote, width - 10))
        story.append(KeepTogether(parts))
    story += [Spacer(1, 3 * mm), Paragraph(text.markup(_("Observations by category")), st.h1)]
    counts = week_data.observations_per_category
    summary = tables.table([_("Category"), _("Observations"), _("High impact"), _("Still new")],
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
            story += _observation(obs, st, width, tz, f"{label} ({format_number(len(items))})" if index == 0 else None)
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
    status = str(STATUSES.get(obs["status"], obs["status"]))
    if obs.get("owner"):
        status += f" — {obs['owner']}"
    meta = [_person(obs)]
    if obs.get("department"):
        meta.append(obs["department"])
    meta.append(_when(obs["created_at"], tz))
    meta.append(_("task: {task}").format(task=obs["task_title"]) if obs.get("task_title") else _("no task"))
    meta.append(_("impact: {impact}").format(impact=IMPACTS.get(obs["impact"], obs["impact"])))
    meta.append(status)
    looks = _looks()
    segments = [(" · ".join(meta), looks["meta"]), (obs["text"], looks["body"])]
    if obs.get("quote"):
        segments.append((_("“{quote}”").format(quote=obs["quote"]), looks["quote"]))
    if obs.get("follow_up"):
        segments.append((_("Follow-up: {note}").format(note=obs["follow_up"]), looks["follow"]))
    if heading:
        return [blocks.TextBlock([(heading, looks["heading"]), *segments], keep=3)]
    return [blocks.TextBlock(segments)]


def follow_ups(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    items = week_data.follow_ups
    story: list = [CondPageBreak(60 * mm), Paragraph(text.markup(_("Follow-ups still open")), st.h1)]
    if not items:
        story.append(Paragraph(text.markup(
            _("Nothing is waiting: every observation up to this week has been actioned or closed.")), st.note))
        return story
    story.append(Paragraph(text.markup(
        ngettext("{count} observation raised up to the end of the week is still new or triaged.",
                 "{count} observations raised up to the end of the week are still new or triaged.", len(items))
        .format(count=format_number(len(items))) + " "
        + _("By owner, oldest first; age is in days, counted to the time of this report.")), st.note))
    by_owner: dict[str, list[dict]] = {}
    no_owner = _("No owner yet")
    for item in items:
        by_owner.setdefault(item["owner"] or no_owner, []).append(item)
    owners = sorted(by_owner.items(), key=lambda kv: (kv[0] != no_owner, -len(kv[1]), kv[0].casefold()))
    summary_rows = [[owner, len(owned), max(i["age_days"] for i in owned),
                     sum(1 for i in owned if i["impact"] == "high"),
                     sum(1 for i in owned if i["age_days"] > 14)] for owner, owned in owners]
    story += [tables.table([_("Owner"), _("Open"), _("Oldest (days)"), _("High impact"), _("Over 2 weeks")],
                           summary_rows,
                           [width * 0.4, width * 0.12, width * 0.16, width * 0.16, width * 0.16], st,
                           numeric=(1, 2, 3, 4)), Spacer(1, 3 * mm)]
    for owner, owned in owners:
        oldest = max(i["age_days"] for i in owned)
        listed = sorted(owned, key=lambda i: (-i["age_days"], i["impact"] != "high"))[:PER_OWNER]
        facts = _("{count} open, oldest {days}").format(
            count=format_number(len(owned)),
            days=ngettext("{count} day", "{count} days", oldest).format(count=format_number(oldest)))
        if len(owned) > len(listed):
            facts += ", " + _("the {count} oldest listed").format(count=format_number(len(listed)))
        story.append(Paragraph(text.markup(owner) + f" <font color='#5f6b7a' size='8.5'>· {text.markup(facts)}</font>",
                               st.h3))
        rows = [[item["age_days"], format_date(local(item["created_at"], week_data.timezone), "MMMd"),
                 CATEGORIES.get(item["category"], item["category"]), IMPACTS.get(item["impact"], item["impact"]),
                 STATUSES.get(item["status"], item["status"]), item["text"]]
                for item in listed]
        story.append(tables.table([_("Days open"), _("Raised"), _("Category"), _("Impact"), _("Status"),
                                   _("Observation")], rows,
                                  [width * 0.09, width * 0.12, width * 0.14, width * 0.09, width * 0.1,
                                   width * 0.46], st, numeric=(0,)))
    return story


def chart_pages(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    half = (width - 8 * mm) / 2
    day_labels = [format_date(d, "EEEd") for d in week_data.days]
    hours_per_day = charts.column_chart(_("Hours per day"), day_labels,
                                        [[m / 60 for m in week_data.minutes_per_day]], half, 150,
                                        fmt=charts.hours)
    categories = list(CATEGORIES)
    per_category = charts.bar_chart(_("Observations per category"), [str(CATEGORIES[c]) for c in categories],
                                    [week_data.observations_per_category.get(c, 0) for c in categories], half,
                                    colours=[layout.CATEGORY_COLOURS[c] for c in categories])
    departments = week_data.minutes_per_department
    if len(departments) > MAX_DEPARTMENT_BARS:
        rest = sum(minutes for _department, minutes in departments[MAX_DEPARTMENT_BARS - 1:])
        count = len(departments) - MAX_DEPARTMENT_BARS + 1
        departments = departments[:MAX_DEPARTMENT_BARS - 1] + [
            (_("{count} other departments").format(count=format_number(count)), rest)]
    per_department = charts.bar_chart(_("Hours per department"), [d for d, _minutes in departments],
                                      [m / 60 for _department, m in departments], half, fmt=charts.hours)
    booked = charts.column_chart(_("Booked vs attended"), day_labels,
                                 [week_data.booked_per_day, week_data.attended_per_day], half, 150,
                                 names=[_("booked"), _("attended")], series_colours=[layout.RULE, layout.ACCENT],
                                 empty_note=_("no bookings this week"))
    grid = Table([[hours_per_day, per_category], [per_department, booked]], colWidths=[half + 8 * mm, half],
                 hAlign="LEFT")
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
    story: list = [CondPageBreak(120 * mm), Paragraph(text.markup(_("The week in charts")), st.h1), grid]
    if week_data.no_shows:
        names = [f"{n['name']} ({format_date(n['day'], 'EEE')})" for n in week_data.no_shows[:40]]
        if len(week_data.no_shows) > 40:
            names.append(_("{count} more").format(count=format_number(len(week_data.no_shows) - 40)))
        story.append(Paragraph(_("<b>Booked but did not come:</b> {names}").format(
            names=text.markup(format_list(names))), st.small))
    return story


def who_came(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    f = week_data.figures
    story: list = [CondPageBreak(60 * mm), Paragraph(text.markup(_("Who came: thank you")), st.h1),
                   Paragraph(text.markup(
                       ngettext("Thank you to the {count} person who gave {hours} hours at {site} this week.",
                                "Thank you to the {count} people who gave {hours} hours at {site} this week.",
                                f.people).format(count=format_number(f.people), hours=hours_text(f.minutes),
                                                 site=week_data.site["name"])), st.body), Spacer(1, 2 * mm)]
    rows = [[p["name"], p["department"], p["visits"], hours_text(p["minutes"]), p["tasks_done"], p["observations"]]
            for p in week_data.people]
    if week_data.anonymous_visits:
        story.append(Paragraph(text.markup(
            ngettext("{count} visit by someone whose details have since been erased is counted in the hours but "
                     "not named.",
                     "{count} visits by people whose details have since been erased are counted in the hours but "
                     "not named.", week_data.anonymous_visits).format(count=format_number(week_data.anonymous_visits))),
            st.note))
    story.append(tables.table([_("Name"), _("Department"), _("Visits"), _("Hours"), _("Tasks done"),
                               _("Observations")], rows,
                              [width * 0.31, width * 0.22, width * 0.09, width * 0.09, width * 0.12, width * 0.17],
                              st, numeric=(2, 3, 4, 5)))
    return story


def coverage(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    tasks = week_data.tasks
    story: list = [CondPageBreak(50 * mm), Paragraph(text.markup(_("Task catalogue coverage")), st.h1)]
    if not tasks:
        story.append(Paragraph(text.markup(_("The task catalogue is empty.")), st.note))
        return story
    covered = [t for t in tasks if t["assigned"]]
    idle = [t for t in tasks if not t["assigned"] and t["active"]]
    summary = ngettext("{covered} of {count} task was given to someone this week.",
                       "{covered} of {count} tasks were given to someone this week.", len(tasks)).format(
        covered=format_number(len(covered)), count=format_number(len(tasks)))
    if idle:
        titles = ", ".join(t["title"] for t in idle[:30]) + (" …" if len(idle) > 30 else "")
        summary += " " + _("Not covered: {tasks}.").format(tasks=titles)
    story.append(Paragraph(text.markup(summary), st.body))
    story.append(Spacer(1, 2 * mm))
    rows = [[t["title"], t["area"], t["assigned"], t["people"], t["done"], hours_text(t["minutes"])]
            for t in sorted(tasks, key=lambda t: (-t["assigned"], t["title"].casefold()))]
    highlight = [i for i, t in enumerate(sorted(tasks, key=lambda t: (-t["assigned"], t["title"].casefold())))
                 if not t["assigned"]]
    story.append(tables.table([_("Task"), _("Area"), _("Times given"), _("People"), _("Done"), _("Hours on visits")],
                              rows,
                              [width * 0.34, width * 0.2, width * 0.11, width * 0.1, width * 0.1, width * 0.15], st,
                              numeric=(2, 3, 4, 5), highlight=highlight))
    return story


__all__ = ["build_weekly_report", "weekly_story", "render", "page_info", "hours_text", "Flowable", "fonts"]
