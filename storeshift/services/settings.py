"""Site settings, declared once as data (key, type, default, label), stored per site.

Closing time: `closing_time` ("HH:MM", site time) is the closing time of every day, and
`closing_time_mon` … `closing_time_sun` (one per weekday, WEEKDAY_CLOSING_KEYS, Monday first)
override it for that day; empty means "as closing_time". A visit nobody checks out ends at the
first closing time after it began (services.hours). closing_times() reads all seven at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from .. import i18n
from ..errors import UserError
from ..storage import audit
from ..storage.db import Storage
from ..timeutil import zone


def _closing_time(text: str) -> str:
    try:
        return dt.time.fromisoformat(text.strip()).strftime("%H:%M")
    except ValueError:
        raise ValueError(f"'{text}' is not a time such as 22:00") from None


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
        raise ValueError(f"'{text}' is not a whole number") from None
    if value <= 0:
        raise ValueError("must be more than 0")
    return value


def _site_name(text: str) -> str:
    text = str(text).strip()
    if not text:
        raise ValueError("cannot be empty")
    if len(text) > 120:
        raise ValueError("is longer than 120 characters")
    return text


@dataclass(frozen=True)
class Setting:
    key: str
    parse: Callable[[Any], Any]
    default: Any
    label: str
    # Only the shift lead sees or changes these; the PIN's hash is handled by services.pin.
    hidden: bool = False


#: Per-weekday closing times, Monday first (date.weekday() indexes them).
WEEKDAY_CLOSING_KEYS = tuple(f"closing_time_{day}" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

SETTINGS = [
    Setting("site_name", _site_name, "My store", "Site name"),
    Setting("timezone", _timezone, "Europe/London", "Time zone"),
    Setting("closing_time", _closing_time, "22:00", "Closing time (open visits close then)"),
    *[Setting(key, _weekday_closing_time, None, f"Closing time on {day}s (empty: as every day)")
      for key, day in zip(WEEKDAY_CLOSING_KEYS, WEEKDAY_NAMES)],
    Setting("repeat_window_s", _positive_int, 60, "Repeat-scan window (seconds)"),
    Setting("kiosk_idle_s", _positive_int, 8, "Kiosk returns to idle after (seconds)"),
    Setting("debrief_idle_s", _positive_int, 120, "Debrief screen stays for (seconds)"),
    Setting("lead_lock_min", _positive_int, 15, "Lock the shift-lead window after (minutes idle)"),
    Setting("scan_char_gap_ms", _positive_int, 35, "Scanner: most milliseconds between characters"),
    Setting("scan_min_length", _positive_int, 8, "Scanner: fewest characters in a scan"),
    # The windows, the reports and the kiosk speak it (a visitor may pick their own at the kiosk).
    Setting("language", i18n.normalise, i18n.SOURCE_LANGUAGE, "Language"),
]
BY_KEY = {s.key: s for s in SETTINGS}
# Kept in the settings table too but never shown as ordinary settings.
INTERNAL_KEYS = {"pin_hash", "pin_failures", "pin_locked_until", "last_backup_at"}


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
            raise UserError(f"{BY_KEY[key].label}: {exc}.") from None
    elif key not in INTERNAL_KEYS:
        raise UserError(f"There is no setting called '{key}'.")
    text = None if value is None else str(value)
    with storage.write("save the setting"):
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
