"""Honest hours: when a visit ended (really, or at closing time as an estimate), as known now or
as known when a week was finished. Every reader of visits (board, reports, exports, CLI) goes
through span(), so a visit nobody checked out is read the same way everywhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..i18n import _, format_number
from ..storage.db import Storage
from ..timeutil import from_iso, local, minutes_between, to_iso, zone
from . import settings

#: The visit columns span() reads (a query selects at least these).
SPAN_COLUMNS = ("check_in_at", "check_out_at", "auto_closed", "departure_confirmed", "estimated_out_at",
                "confirmed_at")


@dataclass(frozen=True)
class Schedule:
    """A site's time zone and closing time per weekday (Monday first)."""
    timezone: str
    closing: tuple[str, ...]

    def closing_on(self, day: dt.date) -> dt.datetime:
        """The closing instant (UTC) of one local calendar day."""
        return dt.datetime.combine(day, dt.time.fromisoformat(self.closing[day.weekday()]),
                                   zone(self.timezone)).astimezone(dt.timezone.utc)

    def closing_after(self, moment: dt.datetime | str) -> dt.datetime:
        """When a visit begun at moment is ended if nobody checks out: that day's closing time,
        or the next day's for a visit begun after closing (a night shift)."""
        start = from_iso(moment) if isinstance(moment, str) else moment
        day = local(start, self.timezone).date()
        close = self.closing_on(day)
        return close if close > start else self.closing_on(day + dt.timedelta(days=1))

    def last_closing(self, now: dt.datetime) -> dt.datetime:
        """The latest closing instant at or before now: a visit begun before it has ended."""
        day = local(now, self.timezone).date()
        close = self.closing_on(day)
        return close if close <= now else self.closing_on(day - dt.timedelta(days=1))

    def next_closing(self, now: dt.datetime) -> dt.datetime:
        """The first closing instant after now (when a running storeshift closes open visits)."""
        return self.closing_after(now)


def closing_times_from(stored: dict) -> tuple[str, ...]:
    """Each weekday's closing time, Monday first, from the stored closing_time* settings (what
    settings.closing_times reads, for a caller that read them with other things)."""
    every_day = settings.BY_KEY["closing_time"]
    default = every_day.parse(stored.get(every_day.key) or every_day.default)
    return tuple(settings.BY_KEY[key].parse(stored.get(key)) or default for key in settings.WEEKDAY_CLOSING_KEYS)


def schedule(storage: Storage, site_id: str | None = None) -> Schedule:
    site_id = site_id or storage.site_id
    if site_id == storage.site_id:  # this site's, from the settings already read
        return Schedule(settings.site_timezone(storage), settings.closing_times(storage))
    tz = storage.value("SELECT timezone FROM sites WHERE id = ?", (site_id,)) or settings.site_timezone(storage)
    return Schedule(tz, settings.closing_times(storage, site_id))


@dataclass(frozen=True)
class Span:
    """A visit's time as known at one moment: from check_in to end; estimated when the end is a
    closing time nobody confirmed; open when the person was still on the floor then."""
    check_in: str
    end: str
    estimated: bool = False
    open: bool = False

    @property
    def minutes(self) -> int:
        return minutes_between(self.check_in, self.end)

    @property
    def estimated_minutes(self) -> int:
        return self.minutes if self.estimated else 0


def span(visit: dict, sched: Schedule, now: dt.datetime, frozen_at: str | None = None) -> Span:
    """The one rule for how long a visit lasted.

    - A departure confirmed or corrected by someone counts as given (confirmed).
    - A visit closed at closing time, or still open after its closing time, ends at that closing
      time and is estimated until someone confirms a time.
    - A visit still open before its closing time counts up to now (it is on the floor).
    frozen_at (a finished week's end, ISO): read the visit as it was known then; check-outs and
    corrections recorded later are ignored (they are listed in the next week's report instead)."""
    check_in, out = visit["check_in_at"], visit["check_out_at"]
    end, estimated = out, False
    if visit.get("auto_closed"):
        confirmed_at = visit.get("confirmed_at")
        if not (visit.get("departure_confirmed") and (frozen_at is None or confirmed_at is None
                                                      or confirmed_at < frozen_at)):
            end, estimated = visit.get("estimated_out_at") or out, True
    elif out is None or (frozen_at is not None and out >= frozen_at):
        end, estimated = to_iso(sched.closing_after(check_in)), True
    if estimated:
        limit = frozen_at or to_iso(now)
        if end > limit:
            # Its closing time had not come yet: on the floor, counted up to that moment.
            return Span(check_in, max(limit, check_in), open=True)
    return Span(check_in, end, estimated)


@dataclass
class Hours:
    """Minutes given, and how many of them are estimated."""
    minutes: int = 0
    estimated: int = 0
    open_visits: int = 0

    def add(self, visit_span: Span) -> None:
        self.minutes += visit_span.minutes
        self.estimated += visit_span.estimated_minutes
        self.open_visits += visit_span.open

    @property
    def confirmed(self) -> int:
        return self.minutes - self.estimated

    def text(self, what: str = "delivered") -> str:
        """'46.1 h delivered, 3.2 h of it estimated' (what: "delivered" or "given")."""
        if what == "given":
            sentence = (_("{hours} h given, {estimated} h of it estimated") if self.estimated
                        else _("{hours} h given"))
        else:
            sentence = (_("{hours} h delivered, {estimated} h of it estimated") if self.estimated
                        else _("{hours} h delivered"))
        return sentence.format(hours=hours_text(self.minutes), estimated=hours_text(self.estimated))


def hours_text(minutes: int) -> str:
    """Hours as reports and the board print them: one decimal ('46.1', German '46,1')."""
    return format_number(minutes / 60, 1)


def total(visits: list[dict], sched: Schedule, now: dt.datetime, frozen_at: str | None = None) -> Hours:
    hours = Hours()
    for visit in visits:
        hours.add(span(visit, sched, now, frozen_at))
    return hours


def still_open_sql(sched: Schedule, now: dt.datetime, alias: str = "v") -> tuple[str, list]:
    """SQL condition (and its parameters) for visits still on the floor at now: not checked out,
    and begun after the last closing time (one begun before it has ended at closing time)."""
    return (f"{alias}.check_out_at IS NULL AND {alias}.check_in_at >= ?", [to_iso(sched.last_closing(now))])  # not translated: SQL


__all__ = ["Schedule", "schedule", "Span", "span", "Hours", "total", "hours_text", "still_open_sql",
           "SPAN_COLUMNS"]
