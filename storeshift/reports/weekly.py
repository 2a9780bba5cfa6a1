"""The weekly insight report of one site, as the site stood at the end of the week: page 1 says
what was learned, what was done and what is still open; then the themes, "you told us, we did",
follow-ups by owner, eight weeks of trends, charts, departments, who came, task coverage, and
every observation in an appendix."""

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
                    format_percent, format_time, ngettext)
from ..services import hours, settings
from ..services.observations import CATEGORIES, IMPACTS, STATUSES
from ..storage import audit
from ..storage.db import Storage
from ..timeutil import from_iso, local
from . import blocks, charts, data, fonts, layout, tables, text

Progress = Callable[[int, int], None] | None
STEPS = 5
MAX_DEPARTMENT_BARS = 12
#: Open follow-ups listed per owner (the oldest); the owner table counts them all.
PER_OWNER = 12
#: Themes printed in full; the rest of the week's themes are listed one line each.
DETAILED_THEMES = 12
#: Weeks with at most this many observations print every one in an appendix unless told not to.
APPENDIX_UP_TO = 60
STALE_DAYS = 14


def build_weekly_report(storage: Storage, year: int, week: int, out: str | Path, paper: str = "a4",
                        progress: Progress = None, site_id: str | None = None,
                        now: dt.datetime | None = None, appendix: bool | None = None) -> Path:
    """Write the weekly report PDF of one site (default: this database's own site) to out.
    appendix: list every observation at the end (None: only for weeks of up to APPENDIX_UP_TO)."""
    layout.page_size(paper)
    out = Path(out)
    _step(progress, 0)
    week_data = data.week_data(storage, year, week, site_id=site_id, now=now)
    _step(progress, 2)
    if appendix is None:
        appendix = len(week_data.observations) <= APPENDIX_UP_TO
    story = weekly_story(week_data, layout.page_size(paper), appendix=appendix)
    _step(progress, 3)
    info = page_info(week_data, _("Weekly insight report"), language=report_language(storage))
    # The audit chain's head on every page, and on record here: removing the newest entries shows.
    audit.remember_head(storage, f"report {year}-W{week:02d}")  # not translated: the audit log's note
    info.generated += f" · {audit.head_text(storage)}"
    render(story, out, paper, info)
    _step(progress, STEPS)
    return out


def report_language(storage: Storage) -> str:
    """The document language the PDF declares: the site's language setting, English by default."""
    return settings.get(storage, "language") or "en"


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


def page_info(week_data: data.WeekData, title: str, site: str | None = None, language: str = "en") -> layout.PageInfo:
    """The running header and footer: site (or what stands for it), week, generation time; the
    site is the PDF's author."""
    tz = week_data.timezone
    generated = f"{format_datetime(local(week_data.generated_at, tz))} ({tz})"
    name = site or week_data.site["name"]
    period = _("Week {week} · {dates}").format(week=week_data.label, dates=_date_range(week_data.days))
    return layout.PageInfo(title=title, site=name, period=period,
                           generated=generated, organisation=week_data.organisation, author=name,
                           language=language)


# ---------------------------------------------------------------- formatting

def _date_range(days: list[dt.date]) -> str:
    """'30 Nov – 6 Dec 2026', by the language's rules."""
    return format_date_range(days[0], days[-1])


def hours_text(minutes: int) -> str:
    """Hours as the report prints them: one decimal ('46.1', German '46,1')."""
    return hours.hours_text(minutes)


def hours_cell(minutes: int, estimated: int) -> str:
    """An hours cell that says how much of it is estimated: '3.5' or '3.5 (1.0 est.)'."""
    if not estimated:
        return hours_text(minutes)
    return _("{hours} ({estimated} est.)").format(hours=hours_text(minutes), estimated=hours_text(estimated))


def hours_label(f: data.Figures) -> str:
    """The headline's label: 'Hours delivered' and, when some are, how many are estimated."""
    if f.estimated_minutes:
        return _("Hours delivered, {hours} h of it estimated").format(hours=hours_text(f.estimated_minutes))
    return _("Hours delivered")


def hours_note(week_data: data.WeekData) -> str:
    """How the hours were counted, in the words of this week's state."""
    f = week_data.figures
    if f.estimated_minutes:
        note = _("Hours run from check-in to check-out ({minutes} minutes in all). A visit nobody checked out ends "
                 "at the site's closing time and counts as estimated until someone confirms a time: {hours}.").format(
            minutes=format_number(f.minutes), hours=hours.Hours(f.minutes, f.estimated_minutes).text())
    else:
        note = _("Hours run from check-in to check-out ({minutes} minutes in all). A visit nobody checked out ends "
                 "at the site's closing time and counts as estimated until someone confirms a time.").format(
            minutes=format_number(f.minutes))
    if week_data.finished:
        note += " " + _("The figures are those known at the end of the week, so they stay the same when the report "
                        "is made again; later corrections are listed in the next week's report.")
    elif f.open_visits:
        note += " " + ngettext("{count} visit is still on the floor, counted up to the time of this report.",
                               "{count} visits are still on the floor, counted up to the time of this report.",
                               f.open_visits).format(count=format_number(f.open_visits))
    return note


def _when(iso: str, tz: str) -> str:
    moment = local(iso, tz)
    return f"{format_date(moment, 'MMMEd')} {format_time(moment)}"


def _date(iso: str, tz: str) -> str:
    return format_date(local(iso, tz), "MMMd")


def _people(count: int) -> str:
    return ngettext("{count} person", "{count} people", count).format(count=format_number(count))


def _notes(count: int) -> str:
    return ngettext("{count} note", "{count} notes", count).format(count=format_number(count))


def _days(count: int) -> str:
    return ngettext("{count} day", "{count} days", count).format(count=format_number(count))


def _days_between(start: str, end: str) -> int:
    return max(0, (from_iso(end) - from_iso(start)).days)


def change_on_last_week(current: float, previous: float, higher_is_good: bool = True,
                        as_hours: bool = False) -> tuple[str, colors.Color]:
    """'▲ 3 on last week (12)' and its colour: green when the change is good, red when not."""
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


def _hex(colour: colors.Color) -> str:
    return "#" + colour.hexval()[2:]


def _status(item: data.FollowUp, in_sentence: bool = False) -> str:
    """'Triaged — Store manager'; in_sentence: 'triaged — Store manager', after a semicolon."""
    if item.automatic:
        return _("not triaged yet")
    shown = str(STATUSES.get(item.status, item.status))
    if in_sentence:  # the status words of our languages are not nouns, so a small letter is right
        shown = shown[:1].lower() + shown[1:]
    return shown + (f" — {item.owner}" if item.owner else "")


def _heading(title: str, st: layout.Styles, outline: str | None = None) -> layout.Heading:
    return layout.Heading(text.markup(title), st.h1, outline=outline or title)


# ---------------------------------------------------------------- story

def weekly_story(week_data: data.WeekData, size: tuple[float, float], appendix: bool = True) -> list:
    st = layout.styles()
    width = size[0] - 2 * layout.MARGIN
    story: list = cover(week_data, st, width)
    if week_data.empty:
        story += [Spacer(1, 6 * mm)] + follow_ups(week_data, st, width) + trends(week_data, st, width)
        return story
    story += [PageBreak()]
    story += learned(week_data, st, width)
    story += we_did(week_data, st, width)
    story += follow_ups(week_data, st, width)
    story += trends(week_data, st, width)
    story += chart_pages(week_data, st, width)
    story += departments(week_data, st, width)
    story += who_came(week_data, st, width)
    story += changed_since(week_data, st, width)
    story += coverage(week_data, st, width)
    if appendix:
        story += observation_appendix(week_data, st, width)
    return story


def figure_grid(cells: list, st: layout.Styles, width: float, padding: float = 7) -> Table:
    """The headline figures, three to a row: the figure, its name, its change on last week."""
    grid = []
    for row_start in range(0, len(cells), 3):
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
        ("TOPPADDING", (0, 0), (-1, -1), padding), ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return figure_table


def cover(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    f, p = week_data.figures, week_data.previous
    flow = week_data.follow_up_flow
    story: list = [
        Paragraph(text.markup(_("Weekly insight report")), st.subtitle),
        text.para(week_data.site["name"], st.title, width),
        Paragraph(text.markup(_("Week {week} of {year} · {first} to {last}").format(
            week=week_data.week, year=week_data.year, first=format_date(week_data.days[0]),
            last=format_date(week_data.days[-1]))), st.subtitle),
        figure_grid([
            (_("People who came"), format_number(f.people), change_on_last_week(f.people, p.people)),
            (_("Visits"), format_number(f.visits), change_on_last_week(f.visits, p.visits)),
            (hours_label(f), hours_text(f.minutes), change_on_last_week(f.minutes, p.minutes, as_hours=True)),
            (_("Observations"), format_number(f.observations),
             change_on_last_week(f.observations, p.observations)),
            (_("Follow-ups open at the end of the week"), format_number(flow.open_now),
             change_on_last_week(flow.open_now, flow.open_before, higher_is_good=False)),
            (_("Follow-ups actioned or closed"), format_number(flow.done),
             change_on_last_week(flow.done, flow.done_before)),
        ], st, width),
        Spacer(1, 2 * mm),
        Paragraph(text.markup(
            hours_note(week_data) + " " + _("Statuses, owners and ages are as they stood at the end of the week, so "
                                            "this report reads the same whenever it is printed.")), st.note)]
    if week_data.empty:
        still_open = (ngettext("{count} follow-up from earlier weeks is still open.",
                               "{count} follow-ups from earlier weeks are still open.", flow.open_now)
                      .format(count=format_number(flow.open_now)) if flow.open_now
                      else _("There are no open follow-ups."))
        story += [Spacer(1, 6 * mm), _banner(
            _("No visits this week"),
            _("Nobody checked in at {site} between {first} and {last}, and no observations were written.").format(
                site=week_data.site["name"], first=format_date(week_data.days[0], "MMMMd"),
                last=format_date(week_data.days[-1], "long")) + " " + still_open, st, width)]
        return story
    story += _learned_box(week_data, st, width) + _done_box(week_data, st, width) + _open_box(week_data, st, width)
    return story


def _box_title(title: str, st: layout.Styles) -> Paragraph:
    return Paragraph(text.markup(title), st.h2)


def _learned_box(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    found = week_data.themes
    notes = len(week_data.observations)
    story: list = [_box_title(_("What we learned"), st)]
    if not found:
        return story + [Paragraph(text.markup(_("No observations were written this week.")), st.note)]
    shared = [t for t in found if t.people > 1]
    writers = len({o["person_id"] for o in week_data.observations})
    lead = ngettext("{observations} from {people} made {count} theme", "{observations} from {people} made {count} themes",
                    len(found)).format(
        observations=ngettext("{count} observation", "{count} observations", notes).format(count=format_number(notes)),
        people=_people(writers), count=format_number(len(found)))
    # One sentence each way, so each language joins the two halves (and agrees the count) its own way.
    lead = (ngettext("{summary}; {count} of them seen by more than one person.",
                     "{summary}; {count} of them seen by more than one person.", len(shared)).format(
        summary=lead, count=format_number(len(shared))) if shared else _("{summary}.").format(summary=lead))
    story.append(Paragraph(text.markup(lead), st.body))
    for theme in found[:3]:
        story.append(Paragraph(
            "• " + f"<b>{text.markup(theme.title)}</b> — " + text.markup(
                _("{people}, {notes}; {status}").format(people=_people(theme.people),
                                                       notes=_notes(len(theme.observations)),
                                                       status=_status(theme.item, in_sentence=True))), st.body))
    automatic = sum(len(t.observations) for t in found if t.automatic)
    if automatic:
        story.append(Paragraph(text.markup(
            _("{count} of {total} notes were not triaged yet: the report grouped them automatically.").format(
                count=format_number(automatic), total=format_number(notes))), st.muted))
    return story


def _done_box(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    done = week_data.done
    story: list = [_box_title(_("What was done: you told us, we did"), st)]
    if not done:
        return story + [Paragraph(text.markup(_("No follow-up was actioned or closed this week.")), st.note)]
    tz = week_data.timezone
    for item in done[:3]:
        what = item.follow_up or str(STATUSES.get(item.status, item.status))
        story.append(Paragraph(
            "• " + _("{title}: {what}").format(title=f"<b>{text.markup(item.title)}</b>", what=text.markup(
                _("{what} (raised {day}, done in {days})").format(
                    what=tables.short(what, 160), day=_date(item.opened_at, tz),
                    days=_days(_days_between(item.opened_at, item.done_at))))), st.body))
    if len(done) > 3:
        story.append(Paragraph(text.markup(_("… and {count} more, listed inside.").format(
            count=format_number(len(done) - 3))), st.muted))
    return story


def _open_box(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    items = week_data.follow_ups
    flow = week_data.follow_up_flow
    story: list = [_box_title(_("Still open"), st)]
    if not items:
        return story + [Paragraph(text.markup(
            _("Nothing is waiting: every follow-up raised so far was actioned or closed.")), st.note)]
    unowned = sum(1 for i in items if not i["owner"])
    stale = sum(1 for i in items if i["age_days"] > STALE_DAYS)
    change = flow.open_now - flow.open_before
    trend = (_("the same as a week before") if change == 0 else
             f"<font color='{_hex(layout.GOOD)}'>" + _("{count} fewer than a week before").format(
                 count=format_number(abs(change))) + "</font>" if change < 0
             else f"<font color='{_hex(layout.BAD)}'>" + _("{count} more than a week before").format(
                 count=format_number(change)) + "</font>")
    story.append(Paragraph(
        ngettext("<b>{count}</b> follow-up open at the end of the week, {trend}; <b>{unowned}</b> without an owner, "
                 "<b>{stale}</b> open more than two weeks.",
                 "<b>{count}</b> follow-ups open at the end of the week, {trend}; <b>{unowned}</b> without an owner, "
                 "<b>{stale}</b> open more than two weeks.", flow.open_now).format(
            count=format_number(flow.open_now), trend=trend, unowned=format_number(unowned),
            stale=format_number(stale)), st.body))
    for item in sorted(items, key=lambda i: -i["age_days"])[:3]:
        owner = item["owner"] or _("no owner yet")
        story.append(Paragraph("• " + text.markup(_("{text} — {owner}, open {days}").format(
            text=item["text"], owner=owner, days=_days(item["age_days"]))), st.body))
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


def learned(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    found = week_data.themes
    story: list = [_heading(_("What we learned"), st)]
    automatic = [t for t in found if t.automatic]
    note = _("Themes: what different people noticed about the same thing, the most reported first. Status and "
             "owner as at the end of the week.")
    if automatic and len(automatic) == len(found):
        note += " " + _("Nobody has triaged this week's notes yet, so the report grouped them automatically.")
    elif automatic:
        note += " " + ngettext("{count} group marked “grouped automatically” is made of notes nobody has triaged yet.",
                               "{count} groups marked “grouped automatically” are made of notes nobody has triaged "
                               "yet.", len(automatic)).format(count=format_number(len(automatic)))
    story.append(Paragraph(text.markup(note), st.note))
    for number, theme in enumerate(found[:DETAILED_THEMES], start=1):
        parts = [Paragraph(f"{number}. " + text.markup(theme.title), st.h2)]
        kinds = ", ".join(f"{CATEGORIES.get(k, k)} {format_number(v)}" for k, v in
                          _counts(o["category"] for o in theme.observations))
        high = sum(1 for o in theme.observations if o["impact"] == "high")
        detail = f"{_people(theme.people)} · {_notes(len(theme.observations))} ({kinds})"
        if high:
            detail += " · " + _("{count} rated high impact").format(count=format_number(high))
        detail += " · " + (_("grouped automatically") if theme.automatic else _status(theme.item))
        parts.append(Paragraph(text.markup(detail), st.muted))
        representative = _representative(theme.observations)
        parts.append(text.para(tables.short(representative["text"], 500), st.body, width))
        quote = next((o["quote"] for o in theme.observations if o.get("quote")), None)
        if quote:
            parts.append(text.para(_("Customer: “{quote}”").format(quote=tables.short(quote, 240)), st.quote,
                                   width - 10))
        story.append(KeepTogether(parts))
    rest = found[DETAILED_THEMES:]
    if rest:
        story += [Spacer(1, 2 * mm), Paragraph(text.markup(
            ngettext("{count} more theme", "{count} more themes", len(rest)).format(count=format_number(len(rest)))),
            st.h3)]
        for theme in rest:
            story.append(Paragraph("• " + text.markup(f"{theme.title} — {_people(theme.people)}"), st.small))
    running = week_data.running
    if running:
        story += [Spacer(1, 3 * mm), layout.Heading(text.markup(_("Raised several weeks running")), st.h2, level=1,
                                                    outline=_("Raised several weeks running")),
                  Paragraph(text.markup(_("Themes noted in this week and each week before it without a break.")),
                            st.note)]
        rows = [[item.title, n, item.count, _status(item)] for item, n in running]
        story.append(tables.table([_("Theme"), _("Weeks running"), _("Notes so far"), _("Status")], rows,
                                  [width * 0.5, width * 0.14, width * 0.13, width * 0.23], st, numeric=(1, 2)))
    return story


def _counts(values) -> list[tuple[str, int]]:
    counted: dict[str, int] = {}
    for value in values:
        counted[value] = counted.get(value, 0) + 1
    return sorted(counted.items(), key=lambda kv: -kv[1])


def _representative(notes: list[dict]) -> dict:
    """The note to quote for a theme: high impact first, then the fullest."""
    rank = {"high": 0, "medium": 1, "low": 2}
    return min(notes, key=lambda o: (rank.get(o["impact"], 3), -min(len(o["text"]), 300), o["created_at"]))


def we_did(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    done = week_data.done
    story: list = [CondPageBreak(50 * mm), _heading(_("You told us, we did"), st)]
    if not done:
        return story + [Paragraph(text.markup(_("No follow-up was actioned or closed this week.")), st.note)]
    story.append(Paragraph(text.markup(
        _("Every follow-up actioned or closed this week, whenever it was raised, and how long it took.")), st.note))
    tz = week_data.timezone
    rows = [[item.title, item.follow_up or "", _date(item.opened_at, tz), _days_between(item.opened_at, item.done_at),
             STATUSES.get(item.status, item.status)] for item in done]
    story.append(tables.table([_("Theme"), _("What was done"), _("Raised"), _("Days taken"), _("Status")], rows,
                              [width * 0.3, width * 0.42, width * 0.1, width * 0.09, width * 0.09], st,
                              numeric=(3,)))
    return story


def follow_ups(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    items = week_data.follow_ups
    flow = week_data.follow_up_flow
    story: list = [CondPageBreak(60 * mm), _heading(_("Follow-ups"), st)]
    change, colour = change_on_last_week(flow.open_now, flow.open_before, higher_is_good=False)
    flow_table = tables.table(
        [_("Opened this week"), _("Actioned or closed this week"), _("Open at the end of the week"), _("Change")],
        [[flow.opened, flow.done, flow.open_now, change]], [width * 0.22, width * 0.28, width * 0.26, width * 0.24],
        st, numeric=(0, 1, 2))
    flow_table.setStyle(TableStyle([("TEXTCOLOR", (3, 1), (3, 1), colour)]))
    story += [flow_table, Spacer(1, 2 * mm)]
    if not items:
        story.append(Paragraph(text.markup(
            _("Nothing is waiting: every follow-up raised up to this week was actioned or closed.")), st.note))
        return story
    story.append(Paragraph(text.markup(_(
        "Open at the end of the week, by owner, the oldest first; one line per theme. Days open are counted to the "
        "end of the week. Praise needs no owner and is not listed.")), st.note))
    by_owner: dict[str, list[dict]] = {}
    no_owner = _("No owner yet")
    for item in items:
        by_owner.setdefault(item["owner"] or no_owner, []).append(item)
    owners = sorted(by_owner.items(), key=lambda kv: (kv[0] != no_owner, -max(i["age_days"] for i in kv[1]),
                                                      kv[0].casefold()))
    summary_rows = [[owner, len(owned), max(i["age_days"] for i in owned),
                     sum(1 for i in owned if i["impact"] == "high"),
                     sum(1 for i in owned if i["age_days"] > STALE_DAYS)] for owner, owned in owners]
    story += [tables.table([_("Owner"), _("Open"), _("Oldest (days)"), _("High impact"), _("Over 2 weeks")],
                           summary_rows,
                           [width * 0.4, width * 0.12, width * 0.16, width * 0.16, width * 0.16], st,
                           numeric=(1, 2, 3, 4)), Spacer(1, 3 * mm)]
    tz = week_data.timezone
    rows = []
    for owner, owned in owners:
        listed = sorted(owned, key=lambda i: (-i["age_days"], i["impact"] != "high"))[:PER_OWNER]
        facts = ngettext("{count} open, oldest {days}", "{count} open, oldest {days}", len(owned)).format(
            count=format_number(len(owned)), days=_days(listed[0]["age_days"]))
        if len(owned) > len(listed):
            facts += ", " + _("the {count} oldest listed").format(count=format_number(len(listed)))
        story.append(Paragraph(text.markup(owner) + f" <font color='#5f6b7a' size='8.5'>· {text.markup(facts)}</font>",
                               st.h3))
        rows = [[item["text"] + (" " + _("(not triaged yet)") if item["kind"] == "auto" else ""),
                 _date(item["created_at"], tz), item["age_days"], item["count"],
                 IMPACTS.get(item["impact"], item["impact"]), STATUSES.get(item["status"], item["status"])]
                for item in listed]
        story.append(tables.table([_("Theme"), _("Raised"), _("Days open"), _("Notes"), _("Impact"), _("Status")], rows,
                                  [width * 0.5, width * 0.1, width * 0.1, width * 0.08, width * 0.1, width * 0.12], st,
                                  numeric=(2, 3)))
    return story


def trends(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    weeks = week_data.trend
    if not weeks:
        return []
    third = (width - 8 * mm) / 3
    labels = [label for label, _figures in weeks]
    drawings = [
        charts.column_chart(_("Hours"), labels, [[f.minutes / 60 for _week, f in weeks]], third, 120,
                            fmt=charts.hours),
        charts.column_chart(_("Visits"), labels, [[f.visits for _week, f in weeks]], third, 120,
                            series_colours=[layout.SERIES[1]]),
        charts.column_chart(_("Observations"), labels, [[f.observations for _week, f in weeks]], third, 120,
                            series_colours=[layout.SERIES[2]]),
    ]
    grid = Table([drawings], colWidths=[third + 4 * mm] * 3, hAlign="LEFT")
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return [CondPageBreak(60 * mm), _heading(_("Trends: the last {count} weeks").format(count=len(weeks)), st,
                                             _("Trends")),
            Paragraph(text.markup(_("Weeks {first} to {last}, this week on the right.").format(
                first=labels[0], last=labels[-1])), st.note), grid]


def departments(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    rows = week_data.departments
    story: list = [CondPageBreak(50 * mm), _heading(_("Departments this quarter ({quarter})").format(
        quarter=week_data.quarter), st, _("Departments"))]
    if not rows:
        return story + [Paragraph(text.markup(_("The roster is empty.")), st.note)]
    story.append(Paragraph(text.markup(_(
        "Each department's share of its people on the roster who did at least one visit here in {quarter}, up to "
        "the end of this week. Departments nobody came from are listed at zero.").format(quarter=week_data.quarter)),
        st.note))
    zero = [i for i, r in enumerate(rows) if not r["came"]]
    story.append(tables.table([_("Department"), _("On the roster"), _("Took part"), _("Share")],
                              [[r["department"], r["people"], r["came"], format_percent(r["share"])] for r in rows],
                              [width * 0.46, width * 0.18, width * 0.18, width * 0.18], st, numeric=(1, 2, 3),
                              highlight=zero))
    return story


def observation_appendix(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    tz = week_data.timezone
    story: list = [PageBreak(), _heading(_("Appendix: every observation of the week"), st,
                                         _("Appendix: observations"))]
    counts = week_data.observations_per_category
    summary = tables.table([_("Category"), _("Observations"), _("High impact"), _("Not triaged")],
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
    if obs.get("theme"):
        meta.append(_("theme: {theme}").format(theme=obs["theme"]))
    looks = _looks()
    segments = [(" · ".join(meta), looks["meta"]), (obs["text"], looks["body"])]
    if obs.get("quote"):
        segments.append((_("“{quote}”").format(quote=obs["quote"]), looks["quote"]))
    if obs.get("follow_up"):
        segments.append((_("Follow-up: {note}").format(note=obs["follow_up"]), looks["follow"]))
    if heading:
        return [blocks.TextBlock([(heading, looks["heading"]), *segments], keep=3)]
    return [blocks.TextBlock(segments)]


def chart_pages(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    half = (width - 8 * mm) / 2
    day_labels = [format_date(d, "EEEd") for d in week_data.days]
    per_day = [[m / 60 for m in week_data.minutes_per_day]]
    if any(week_data.estimated_per_day):
        # Beside each day's hours, how many of them are estimated (visits ended at closing time).
        per_day.append([m / 60 for m in week_data.estimated_per_day])
    hours_per_day = charts.column_chart(_("Hours per day"), day_labels, per_day, half, 150, fmt=charts.hours,
                                        names=[_("hours"), _("of them estimated")],
                                        series_colours=[layout.ACCENT, layout.SERIES[1]])
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
    story: list = [CondPageBreak(120 * mm), _heading(_("The week in charts"), st), grid]
    if week_data.no_shows:
        names = [f"{n['name']} ({format_date(n['day'], 'EEE')})" for n in week_data.no_shows[:40]]
        if len(week_data.no_shows) > 40:
            names.append(_("{count} more").format(count=format_number(len(week_data.no_shows) - 40)))
        story.append(Paragraph(_("<b>Booked but did not come:</b> {names}").format(
            names=text.markup(format_list(names))), st.small))
    return story


def who_came(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    f = week_data.figures
    story: list = [CondPageBreak(60 * mm), _heading(_("Who came: thank you"), st),
                   Paragraph(text.markup(
                       ngettext("Thank you to the {count} person who gave {hours} hours at {site} this week.",
                                "Thank you to the {count} people who gave {hours} hours at {site} this week.",
                                f.people).format(count=format_number(f.people), hours=hours_text(f.minutes),
                                                 site=week_data.site["name"])
                       + (" " + _("({hours} h of it estimated: visits nobody checked out, ended at closing "
                                  "time.)").format(hours=hours_text(f.estimated_minutes))
                          if f.estimated_minutes else "")), st.body), Spacer(1, 2 * mm)]
    rows = [[p["name"], p["department"], p["visits"], hours_cell(p["minutes"], p.get("estimated_minutes", 0)),
             p["tasks_done"], p["observations"]] for p in week_data.people]
    if week_data.anonymous_visits:
        story.append(Paragraph(text.markup(
            ngettext("{count} visit by someone whose details have since been erased is counted in the hours but "
                     "not named.",
                     "{count} visits by people whose details have since been erased are counted in the hours but "
                     "not named.", week_data.anonymous_visits).format(count=format_number(week_data.anonymous_visits))),
            st.note))
    story.append(tables.table([_("Name"), _("Department"), _("Visits"), _("Hours"), _("Tasks done"),
                               _("Observations")], rows,
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
    sign = "+" if delta >= 0 else "−"
    story: list = [CondPageBreak(40 * mm), Paragraph(text.markup(_("Changes to earlier weeks")), st.h1),
                   Paragraph(text.markup(ngettext(
                       "Recorded this week for {count} visit of earlier weeks: forgotten check-outs confirmed or "
                       "corrected, and check-outs made after a week had ended. Those weeks' reports keep their "
                       "figures; the change, {change} h in all, is listed here.",
                       "Recorded this week for {count} visits of earlier weeks: forgotten check-outs confirmed or "
                       "corrected, and check-outs made after a week had ended. Those weeks' reports keep their "
                       "figures; the change, {change} h in all, is listed here.", len(items)).format(
                       count=format_number(len(items)), change=sign + hours_text(abs(delta)))), st.note)]
    rows = []
    estimated = " " + _("(estimated)")
    for item in items:
        before = hours_text(item["minutes_before"]) + (estimated if item["was_estimated"] else "")
        after = hours_text(item["minutes_after"]) + (estimated if item["estimated"] else "")
        change = item["minutes_after"] - item["minutes_before"]
        rows.append([item["person_name"] or _("(name erased)"), f"{_when(item['check_in_at'], tz)} ({item['week']})",
                     before, after, f"{'+' if change >= 0 else '−'}{hours_text(abs(change))}"])
    story.append(tables.table([_("Name"), _("Visit began"), _("Counted then (h)"), _("Now (h)"), _("Change (h)")],
                              rows,
                              [width * 0.26, width * 0.28, width * 0.17, width * 0.15, width * 0.14], st,
                              numeric=(2, 3, 4)))
    return story


def coverage(week_data: data.WeekData, st: layout.Styles, width: float) -> list:
    tasks = week_data.tasks
    story: list = [CondPageBreak(50 * mm), _heading(_("Task catalogue coverage"), st)]
    if not tasks:
        story.append(Paragraph(text.markup(_("The task catalogue is empty.")), st.note))
        return story
    covered = [t for t in tasks if t["assigned"]]
    idle = [t for t in tasks if not t["assigned"] and t["active"]]
    done = week_data.figures.tasks_done
    summary = ngettext("{covered} of {count} task was given to someone this week;",
                       "{covered} of {count} tasks were given to someone this week;", len(tasks)).format(
        covered=format_number(len(covered)), count=format_number(len(tasks))) + " " + ngettext(
        "{count} task done.", "{count} tasks done.", done).format(count=format_number(done))
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


__all__ = ["build_weekly_report", "weekly_story", "render", "page_info", "hours_text", "report_language", "Flowable",
           "fonts"]
