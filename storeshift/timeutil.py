"""Time in one place: UTC ISO-8601 text for storage, the site's zone for display, ISO weeks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from . import i18n
from .i18n import _

UTC = dt.timezone.utc


def utc_now() -> dt.datetime:
    return dt.datetime.now(UTC)


def to_iso(moment: dt.datetime) -> str:
    """Stored form: UTC, second precision, 'Z' suffix; sorts as text in time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: say which zone it is in")
    # isoformat() rather than strftime(): the same text in a fifth of the time (a scan writes and
    # compares many of these).
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def from_iso(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)  # reads the 'Z' of the stored form as UTC
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(_("'{name}' is not a time zone name such as Europe/London").format(name=name)) from exc


def all_zones() -> list[str]:
    return sorted(available_timezones())


def local(moment: dt.datetime | str, tz: str) -> dt.datetime:
    if isinstance(moment, str):
        moment = from_iso(moment)
    return moment.astimezone(zone(tz))


def local_clock(moment: dt.datetime | str, tz: str) -> str:
    """'10:02' in the site's zone, as the current language writes the time of day."""
    return i18n.format_time(local(moment, tz))


def local_date(moment: dt.datetime | str, tz: str, style: str = "full") -> str:
    """The day of moment in the site's zone: 'lundi 30 novembre 2026' (see i18n.format_date)."""
    return i18n.format_date(local(moment, tz), style)


def local_datetime(moment: dt.datetime | str, tz: str, date_style: str = "medium") -> str:
    """Day and time of moment in the site's zone: '30 Nov 2026, 10:02'."""
    return i18n.format_datetime(local(moment, tz), date_style)


def minutes_between(start: str | dt.datetime, end: str | dt.datetime) -> int:
    """Whole minutes from start to end, never negative (clocks can step back)."""
    if isinstance(start, str):
        start = from_iso(start)
    if isinstance(end, str):
        end = from_iso(end)
    return max(0, int((end - start).total_seconds() // 60))


def format_duration(minutes: int) -> str:
    """'2 h 05 min' in the current language."""
    return i18n.format_duration(minutes)


def local_day_bounds(day: dt.date, tz: str) -> tuple[str, str]:
    """UTC ISO bounds [start, end) of a calendar day in the site's zone (DST-safe)."""
    z = zone(tz)
    start = dt.datetime.combine(day, dt.time(0), z)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), z)
    return to_iso(start), to_iso(end)


def parse_week(text: str, today: dt.date | None = None) -> tuple[int, int]:
    """'2026-W07' -> (2026, 7); 'this' and 'last' are today's week and the one before (today is
    the site's date, so a store need not work out `date +%G-W%V`); ValueError with a sentence otherwise."""
    relative = {"this": 0, "last": 1}.get(text.strip().lower())
    if relative is not None:
        day = (today or dt.date.today()) - dt.timedelta(weeks=relative)
        return day.isocalendar()[0], day.isocalendar()[1]
    try:
        year_text, week_text = text.strip().upper().split("-W")
        year, week = int(year_text), int(week_text)
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(_("'{text}' is not a week such as 2026-W07").format(text=text)) from None
    return year, week


def week_days(year: int, week: int) -> list[dt.date]:
    monday = dt.date.fromisocalendar(year, week, 1)
    return [monday + dt.timedelta(days=i) for i in range(7)]


def week_bounds(year: int, week: int, tz: str) -> tuple[str, str]:
    """UTC ISO bounds [Monday 00:00, next Monday 00:00) of an ISO week in the site's zone."""
    days = week_days(year, week)
    start, _ = local_day_bounds(days[0], tz)
    _, end = local_day_bounds(days[-1], tz)
    return start, end


def week_label(moment: dt.datetime | str, tz: str) -> str:
    year, week, _ = local(moment, tz).isocalendar()
    return f"{year}-W{week:02d}"


def parse_local(text: str, tz: str) -> dt.datetime:
    """A time typed or imported in the site's zone ('2026-11-25 09:00'), or with an explicit offset."""
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz))
    return value.astimezone(UTC)
