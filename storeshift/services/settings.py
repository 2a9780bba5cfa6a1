"""Site settings, declared once as data (key, type, default, label), stored per site.

Closing time: `closing_time` ("HH:MM", site time) is the closing time of every day, and
`closing_time_mon` … `closing_time_sun` (one per weekday, WEEKDAY_CLOSING_KEYS, Monday first)
override it for that day; empty means "as closing_time". A visit nobody checks out ends at the
first closing time after it began (services.hours). closing_times() reads all seven at once."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable

from .. import i18n
from ..i18n import N_, _, _l
from ..errors import UserError
from ..storage import audit
from ..storage.db import Storage
from ..timeutil import zone


def _closing_time(text: str) -> str:
    try:
        return dt.time.fromisoformat(text.strip()).strftime("%H:%M")
    except ValueError:
        raise ValueError(_("'{text}' is not a time such as 22:00").format(text=text)) from None


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Day names as a store writes them, in English, French and German (full or short).
_DAY_NAMES = {
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                          "sunday"))},
    **{name: i for i, name in enumerate(("lun", "mar", "mer", "jeu", "ven", "sam", "dim"))},
    **{name: i for i, name in enumerate(("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
                                          "dimanche"))},
    **{name: i for i, name in enumerate(("mo", "di", "mi", "do", "fr", "sa", "so"))},
    **{name: i for i, name in enumerate(("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag",
                                          "sonntag"))},
}
_CLOSED = {"closed", "fermé", "ferme", "geschlossen", "-"}
_HOURS_EXAMPLE = "Mon-Fri 09:00-21:00, Sat 09:00-18:00, Sun closed"


_CLOCK = re.compile(r"^(\d{1,2})(?:[:h.](\d{2})|h)$")


def _clock(text: str) -> str:
    """A time of day as HH:MM from 9:00, 09:00, 9h30 (French) or 9.30 (German)."""
    found = _CLOCK.match(text.strip().lower())
    if found and int(found[1]) < 24 and int(found[2] or 0) < 60:
        return f"{int(found[1]):02d}:{int(found[2] or 0):02d}"
    if text.strip() == "24:00":
        return "00:00"
    raise ValueError(f"'{text.strip()}' is not a time such as 21:00")


def _day(text: str) -> int:
    key = text.strip().lower().rstrip(".")
    if key not in _DAY_NAMES:
        raise ValueError(f"'{text.strip()}' is not a day of the week (write the hours as '{_HOURS_EXAMPLE}')")
    return _DAY_NAMES[key]


def weekly_hours(text: str) -> list[tuple[str, str] | None]:
    """Opening hours as seven (open, close) pairs, Monday first; None on a closed day. A close
    earlier than the open time is the next morning's (a night shift). Days not named are closed;
    hours without days ('09:00-21:00') are every day's."""
    days: list[tuple[str, str] | None] = [None] * 7
    for part in filter(None, (p.strip() for p in str(text).replace(";", ",").split(","))):
        words = part.split(None, 1)
        if len(words) == 1 or words[0][:1].isdigit():
            chosen, hours = range(7), part
        else:
            span, hours = words
            first, _, last = span.partition("-")
            start, end = _day(first), _day(last) if last else _day(first)
            chosen = [(start + i) % 7 for i in range((end - start) % 7 + 1)]
        if hours.strip().lower() in _CLOSED:
            pair = None
        else:
            opening, sep, closing = hours.replace("–", "-").partition("-")
            if not sep:
                raise ValueError(f"'{hours.strip()}' is not opening hours such as 09:00-21:00")
            pair = (_clock(opening), _clock(closing))
            if pair[0] == pair[1]:
                raise ValueError(f"'{hours.strip()}' opens and closes at the same time")
        for day in chosen:
            days[day] = pair
    if not any(days):
        raise ValueError(f"says the site is never open (write it as '{_HOURS_EXAMPLE}')")
    return days


def format_hours(days: list[tuple[str, str] | None]) -> str:
    """The canonical text for weekly_hours' days: runs of days with the same hours joined."""
    parts, start = [], 0
    for i in range(1, 8):
        if i == 7 or days[i] != days[start]:
            span = DAYS[start] if i - 1 == start else f"{DAYS[start]}-{DAYS[i - 1]}"
            hours = "closed" if days[start] is None else f"{days[start][0]}-{days[start][1]}"
            parts.append(f"{span} {hours}")
            start = i
    return ", ".join(parts)


def _opening_hours(text: str) -> str:
    return format_hours(weekly_hours(text))


def latest_closing(days: list[tuple[str, str] | None]) -> str:
    """The week's latest closing time, night shifts (closing after midnight) latest of all."""
    def lateness(pair: tuple[str, str]) -> tuple[bool, str]:
        return (pair[1] < pair[0], pair[1])
    return max((pair for pair in days if pair), key=lateness)[1]
def _weekday_closing_time(text: Any) -> str | None:
    """A weekday's own closing time, or None (empty) for the site's closing_time."""
    if text is None or not str(text).strip():
        return None
    return _closing_time(str(text))


def _timezone(text: str) -> str:
    zone(text.strip())
    return text.strip()


def _positive_int(text: Any) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise ValueError(_("'{text}' is not a whole number").format(text=text)) from None
    if value <= 0:
        raise ValueError(_("must be more than 0"))
    return value


def _site_name(text: str) -> str:
    text = str(text).strip()
    if not text:
        raise ValueError(_("cannot be empty"))
    if len(text) > 120:
        raise ValueError(_("is longer than 120 characters"))
    return text


@dataclass(frozen=True)
class Setting:
    key: str
    parse: Callable[[Any], Any]
    default: Any
    label: i18n.LazyString  # str() it where it is shown
    # Only the shift lead sees or changes these; the PIN's hash is handled by services.pin.
    hidden: bool = False


#: Per-weekday closing times, Monday first (date.weekday() indexes them).
WEEKDAY_CLOSING_KEYS = tuple(f"closing_time_{day}" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # not translated: shown via i18n.weekday_names()
# Whole sentences, so each language can say "on Mondays" its own way.
WEEKDAY_CLOSING_LABELS = (
    _l("Closing time on Mondays (empty: as every day)"), _l("Closing time on Tuesdays (empty: as every day)"),
    _l("Closing time on Wednesdays (empty: as every day)"), _l("Closing time on Thursdays (empty: as every day)"),
    _l("Closing time on Fridays (empty: as every day)"), _l("Closing time on Saturdays (empty: as every day)"),
    _l("Closing time on Sundays (empty: as every day)"))

SETTINGS = [
    Setting("site_name", _site_name, "My store", _l("Site name")),
    Setting("timezone", _timezone, "Europe/London", _l("Time zone")),
    Setting("opening_hours", _opening_hours, "Mon-Sun 09:00-22:00", _l("Opening hours")),
    Setting("closing_time", _closing_time, "22:00", _l("Closing time (open visits close then)")),
    *[Setting(key, _weekday_closing_time, None, label)
      for key, label in zip(WEEKDAY_CLOSING_KEYS, WEEKDAY_CLOSING_LABELS)],
    Setting("repeat_window_s", _positive_int, 60, _l("Repeat-scan window (seconds)")),
    Setting("kiosk_idle_s", _positive_int, 8, _l("Kiosk returns to idle after (seconds)")),
    Setting("debrief_idle_s", _positive_int, 120, _l("Debrief screen stays for (seconds)")),
    Setting("lead_lock_min", _positive_int, 15, _l("Lock the shift-lead window after (minutes idle)")),
    Setting("scan_char_gap_ms", _positive_int, 35, _l("Scanner: most milliseconds between characters")),
    Setting("scan_min_length", _positive_int, 8, _l("Scanner: fewest characters in a scan")),
    # The windows, the reports and the kiosk speak it (a visitor may pick their own at the kiosk).
    Setting("language", i18n.normalise, i18n.SOURCE_LANGUAGE, _l("Language")),
]
BY_KEY = {s.key: s for s in SETTINGS}
# Kept in the settings table too but never shown as ordinary settings.
INTERNAL_KEYS = {"pin_hash", "pin_failures", "pin_locked_until", "last_backup_at", "setup_done"}


# These two live on the site's own row, which travels with merged bundles.
SITE_COLUMNS = {"site_name": "name", "timezone": "timezone"}


def get(storage: Storage, key: str) -> Any:
    if key in SITE_COLUMNS:
        return storage.value(f"SELECT {SITE_COLUMNS[key]} FROM sites WHERE id = ?", (storage.site_id,))
    row = storage.one("SELECT value FROM settings WHERE site_id = ? AND key = ?", (storage.site_id, key))
    if key in BY_KEY:
        if row is None or row["value"] is None:
            return BY_KEY[key].default
        try:
            return BY_KEY[key].parse(row["value"])
        except ValueError:  # stored by a newer storeshift (a language this one lacks): as if unset
            return BY_KEY[key].default
    return None if row is None else row["value"]


def all_settings(storage: Storage) -> dict[str, Any]:
    return {s.key: get(storage, s.key) for s in SETTINGS}


def put(storage: Storage, key: str, value: Any, actor: str = "shift lead") -> Any:
    """Validate and store one setting; raises UserError naming the setting on bad input."""
    if key in BY_KEY:
        try:
            value = BY_KEY[key].parse(value)
        except ValueError as exc:
            raise UserError(_("{setting}: {problem}.").format(setting=BY_KEY[key].label, problem=exc)) from None
    elif key not in INTERNAL_KEYS:
        raise UserError(_("There is no setting called '{key}'.").format(key=key))
    text = None if value is None else str(value)
    with storage.write(N_("save the setting")):
        if key in SITE_COLUMNS:
            audit.update(storage, "sites", storage.site_id, {SITE_COLUMNS[key]: text}, actor)
            return value
        row = storage.one("SELECT id, value FROM settings WHERE site_id = ? AND key = ?",
                          (storage.site_id, key))
        if row is None:
            audit.insert(storage, "settings", {"key": key, "value": text}, actor)
        elif row["value"] != text:
            audit.update(storage, "settings", row["id"], {"value": text}, actor)
    return value


def site_timezone(storage: Storage) -> str:
    return get(storage, "timezone")


def closing_times(storage: Storage, site_id: str | None = None) -> tuple[str, ...]:
    """The closing time ("HH:MM") of each weekday, Monday first, of this site or another one
    (a merged site's settings stay at that site, so its visits are read with the defaults)."""
    site_id = site_id or storage.site_id
    stored = {row["key"]: row["value"] for row in storage.rows(
        "SELECT key, value FROM settings WHERE site_id = ? AND key LIKE 'closing_time%'", (site_id,))}
    every_day = _closing_time(stored.get("closing_time") or BY_KEY["closing_time"].default)
    return tuple(_weekday_closing_time(stored.get(key)) or every_day for key in WEEKDAY_CLOSING_KEYS)


def use_site_language(storage: Storage) -> str:
    """Speak the site's language from now on (the command line and the windows call this when
    they open a database); returns its code."""
    i18n.set_site_language(get(storage, "language"))
    return i18n.site_language()
