"""Site settings, declared once as typed data (key, type, default, validation, label), stored per
site and read through a cache that lasts until the database changes.

Closing time: `closing_time` ("HH:MM", site time) is the closing time of every day, and
`closing_time_mon` … `closing_time_sun` (one per weekday, WEEKDAY_CLOSING_KEYS, Monday first)
override it for that day; empty means "as closing_time". A visit nobody checks out ends at the
first closing time after it began (services.hours). closing_times() reads all seven at once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable

from .. import i18n
from ..i18n import N_, _, _l, format_list
from ..errors import UserError
from ..storage.db import Storage
from ..timeutil import zone


def _closing_time(text: str) -> str:
    try:
        return dt.time.fromisoformat(text.strip()).strftime("%H:%M")
    except ValueError:
        raise ValueError(_("'{text}' is not a time such as 22:00").format(text=text)) from None


# The canonical text of opening hours is stored and read back, so it stays in English.
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # not translated: stored text
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
_CLOSED = {"closed", "fermé", "ferme", "geschlossen", "-"}  # not translated: what a store may write, in any language
# In the language of the sentence that shows it: the day names of English, French and German are all read.
_HOURS_EXAMPLE = _l("Mon-Fri 09:00-21:00, Sat 09:00-18:00, Sun closed")


_CLOCK = re.compile(r"^(\d{1,2})(?:[:h.](\d{2})|h)$")


def _clock(text: str) -> str:
    """A time of day as HH:MM from 9:00, 09:00, 9h30 (French) or 9.30 (German)."""
    found = _CLOCK.match(text.strip().lower())
    if found and int(found[1]) < 24 and int(found[2] or 0) < 60:
        return f"{int(found[1]):02d}:{int(found[2] or 0):02d}"
    if text.strip() == "24:00":
        return "00:00"
    raise ValueError(_("'{text}' is not a time such as 21:00").format(text=text.strip()))


def _day(text: str) -> int:
    key = text.strip().lower().rstrip(".")
    if key not in _DAY_NAMES:
        raise ValueError(_("'{text}' is not a day of the week (write the hours as '{example}')")
                         .format(text=text.strip(), example=_HOURS_EXAMPLE))
    return _DAY_NAMES[key]


def weekly_hours(text: str) -> list[tuple[str, str] | None]:
    """Opening hours as seven (open, close) pairs, Monday first; None on a closed day. A close
    earlier than the open time is the next morning's (a night shift). Days not named are closed;
    hours without days ('09:00-21:00') are every day's."""
    days: list[tuple[str, str] | None] = [None] * 7
    for part in filter(None, (p.strip() for p in str(text).replace(";", ",").split(","))):
        words = part.split(None, 1)
        if len(words) == 1 or words[0][:1].isdigit():
            chosen, hours = list(range(7)), part
        else:
            span, hours = words
            first, _dash, last = span.partition("-")
            start, end = _day(first), _day(last) if last else _day(first)
            chosen = [(start + i) % 7 for i in range((end - start) % 7 + 1)]
        if hours.strip().lower() in _CLOSED:
            pair = None
        else:
            opening, sep, closing = hours.replace("–", "-").partition("-")
            if not sep:
                raise ValueError(_("'{text}' is not opening hours such as 09:00-21:00").format(text=hours.strip()))
            pair = (_clock(opening), _clock(closing))
            if pair[0] == pair[1]:
                raise ValueError(_("'{text}' opens and closes at the same time").format(text=hours.strip()))
        for day in chosen:
            days[day] = pair
    if not any(days):
        raise ValueError(_("says the site is never open (write it as '{example}')").format(example=_HOURS_EXAMPLE))
    return days


def format_hours(days: list[tuple[str, str] | None]) -> str:
    """The canonical text for weekly_hours' days: runs of days with the same hours joined."""
    parts, start = [], 0
    for i in range(1, 8):
        if i == 7 or days[i] != days[start]:
            span = DAYS[start] if i - 1 == start else f"{DAYS[start]}-{DAYS[i - 1]}"
            pair = days[start]
            hours = "closed" if pair is None else f"{pair[0]}-{pair[1]}"  # not translated: stored text
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


# --- the declarations ----------------------------------------------------------------------
# Every key stored in the settings table (or on the site's row) is declared here with its type,
# default and validation, internal ones too: the Settings page builds its form from these, put()
# refuses anything else, and get() returns the declared type. (Picard's options are the model.)

class Setting:
    """One setting: its key, default and label (None: internal, never shown as a setting), and
    options of its type (a class attribute each, given by keyword: IntSetting(..., minimum=0)).
    Plain classes, not dataclasses: a dataclass apiece cost every start of a window 5 ms."""

    def __init__(self, key: str, default: Any, label: i18n.LazyString | None = None, *,
                 group: str | None = None, **options: Any):
        self.key, self.default = key, default
        self.label = label  # str() it where it is shown
        #: fields shown together (the closing time of each weekday, in one row)
        self.group = group
        for name, value in options.items():
            if not hasattr(type(self), name):
                raise TypeError(f"{type(self).__name__} has no option {name}")
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r})"

    @property
    def internal(self) -> bool:
        """Kept by storeshift itself (the PIN's hash, the last backup): not on the Settings page."""
        return self.label is None

    @property
    def hidden(self) -> bool:  # the name the Settings page used before the declarations had types
        return self.internal

    def parse(self, value: Any) -> Any:
        """The value as this type, or ValueError with the reason (a phrase, in the current language)."""
        return value

    def to_text(self, value: Any) -> str | None:
        """As stored in the settings table (None: not set)."""
        return None if value is None else str(value)

    def title(self) -> str:
        return str(self.label) if self.label is not None else self.key


class TextSetting(Setting):
    max_length: int = 120
    required: bool = True

    def parse(self, value: Any) -> str | None:
        text = "" if value is None else str(value).strip()
        if not text:
            if self.required:
                raise ValueError(_("cannot be empty"))
            return None
        if len(text) > self.max_length:
            raise ValueError(_("is longer than {count} characters").format(count=self.max_length))
        return text


class IntSetting(Setting):
    minimum: int = 1
    maximum: int = 100_000

    def parse(self, value: Any) -> int:
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValueError(_("'{text}' is not a whole number").format(text=value)) from None
        if number < self.minimum:
            raise ValueError(_("must be more than 0") if self.minimum == 1
                             else _("must be at least {minimum}").format(minimum=self.minimum))
        if number > self.maximum:
            raise ValueError(_("must be at most {maximum}").format(maximum=self.maximum))
        return number


class TimeSetting(Setting):
    """A time of day, "HH:MM" in the site's time; optional ones may be empty (None)."""

    optional: bool = False

    def parse(self, value: Any) -> str | None:
        if self.optional and (value is None or not str(value).strip()):
            return None
        return _closing_time(str(value))


class HoursSetting(Setting):
    """Opening hours through the week, stored in weekly_hours' canonical text."""

    def parse(self, value: Any) -> str:
        return _opening_hours(str(value))


class ZoneSetting(Setting):
    """An IANA time zone name ("Europe/Paris")."""

    def parse(self, value: Any) -> str:
        return _timezone(str(value))


class ChoiceSetting(Setting):
    """One of a list of codes; choices() gives (code, name shown) pairs."""

    choices: Callable[[], list[tuple[str, str]]] = staticmethod(list)
    normalise: Callable[[Any], str] | None = None

    def parse(self, value: Any) -> str:
        if self.normalise is not None:
            return self.normalise(value)
        codes = [code for code, _name in self.choices()]
        if value not in codes:
            raise ValueError(_("'{text}' is not one of {choices}").format(text=value, choices=format_list(codes)))
        return value


class CounterSetting(IntSetting):
    """A count kept by storeshift (wrong PINs in a row): 0 or more."""

    minimum: int = 0


class MomentSetting(Setting):
    """A moment in UTC as ISO-8601 text, or None."""

    def parse(self, value: Any) -> str | None:
        if value is None or not str(value).strip():
            return None
        text = str(value).strip()
        try:
            dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(_("'{text}' is not a date and time").format(text=text)) from None
        return text


class FlagSetting(Setting):
    """Yes or no, stored as 1 or 0."""

    def parse(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes"):  # not translated: stored values
            return True
        if text in ("", "0", "false", "no", "none"):  # not translated: stored values
            return False
        raise ValueError(_("'{text}' is not yes or no").format(text=value))

    def to_text(self, value: Any) -> str | None:
        return None if value is None else ("1" if value else "0")


class PinHashSetting(Setting):
    """The shift-lead PIN's salted scrypt hash ("scrypt$salt$hash", services.pin), or None."""

    def parse(self, value: Any) -> str | None:
        if value is None or not str(value).strip():
            return None
        parts = str(value).split("$")
        if len(parts) != 3 or parts[0] != "scrypt" or not all(parts[1:]):  # not translated: the stored form
            raise ValueError(_("is not a PIN's hash"))
        return str(value)


def _languages() -> list[tuple[str, str]]:
    return [(code, i18n.language_name(code)) for code in i18n.available()]


#: Per-weekday closing times, Monday first (date.weekday() indexes them).
WEEKDAY_CLOSING_KEYS = tuple(f"closing_time_{day}" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # not translated: shown via i18n.weekday_names()
# Whole sentences, so each language can say "on Mondays" its own way.
WEEKDAY_CLOSING_LABELS = (
    _l("Closing time on Mondays (empty: as every day)"), _l("Closing time on Tuesdays (empty: as every day)"),
    _l("Closing time on Wednesdays (empty: as every day)"), _l("Closing time on Thursdays (empty: as every day)"),
    _l("Closing time on Fridays (empty: as every day)"), _l("Closing time on Saturdays (empty: as every day)"),
    _l("Closing time on Sundays (empty: as every day)"))
#: The group of the weekday closing times: the Settings page shows them as one row.
CLOSING_BY_DAY = "closing_by_day"

SETTINGS: list[Setting] = [
    TextSetting("site_name", "My store", _l("Site name")),  # not translated: the stored name until set up
    ZoneSetting("timezone", "Europe/London", _l("Time zone")),
    HoursSetting("opening_hours", "Mon-Sun 09:00-22:00", _l("Opening hours")),  # not translated: stored text
    TimeSetting("closing_time", "22:00", _l("Closing time (open visits close then)")),
    *[TimeSetting(key, None, label, group=CLOSING_BY_DAY, optional=True)
      for key, label in zip(WEEKDAY_CLOSING_KEYS, WEEKDAY_CLOSING_LABELS)],
    IntSetting("repeat_window_s", 60, _l("Repeat-scan window (seconds)")),
    IntSetting("kiosk_idle_s", 8, _l("Kiosk returns to idle after (seconds)")),
    IntSetting("debrief_idle_s", 120, _l("Debrief screen stays for (seconds)")),
    IntSetting("lead_lock_min", 15, _l("Lock the shift-lead window after (minutes idle)")),
    IntSetting("scan_char_gap_ms", 35, _l("Scanner: most milliseconds between characters")),
    IntSetting("scan_min_length", 8, _l("Scanner: fewest characters in a scan")),
    # The windows, the reports and the kiosk speak it (a visitor may pick their own at the kiosk).
    ChoiceSetting("language", i18n.SOURCE_LANGUAGE, _l("Language"), choices=_languages, normalise=i18n.normalise),
    # Kept by storeshift itself, never shown as settings.
    PinHashSetting("pin_hash", None),
    CounterSetting("pin_failures", 0),
    MomentSetting("pin_locked_until", None),
    MomentSetting("last_backup_at", None),
    FlagSetting("setup_done", False),
]
BY_KEY = {s.key: s for s in SETTINGS}
#: The keys storeshift keeps for itself (declared above like the others, without a label).
INTERNAL_KEYS = frozenset(s.key for s in SETTINGS if s.internal)
#: The settings the shift lead sets, in the order the Settings page shows them.
SHOWN = [s for s in SETTINGS if not s.internal]


# These two live on the site's own row, which travels with merged bundles.
SITE_COLUMNS = {"site_name": "name", "timezone": "timezone"}


# --- reading and writing -------------------------------------------------------------------

class _Snapshot:
    """This site's stored settings as read at one stamp of the database, parsed when first asked."""

    def __init__(self, stamp: tuple[int, int], site_id: str, stored: dict[str, str | None]):
        self.stamp, self.site_id, self.stored = stamp, site_id, stored
        self.parsed: dict[str, Any] = {}


def _snapshot(storage: Storage) -> _Snapshot:
    """The settings as stored now: read in one go, and again only once the database changed
    (another connection committed, or this one wrote: Storage.stamp)."""
    stamp = storage.stamp()
    known = storage.memo.get("settings")
    if known is not None and known.stamp == stamp and known.site_id == storage.site_id:
        return known
    stored = {row["key"]: row["value"] for row in storage.rows(
        "SELECT key, value FROM settings WHERE site_id = ?", (storage.site_id,))}
    site = storage.one("SELECT name, timezone FROM sites WHERE id = ?", (storage.site_id,))
    for key, column in SITE_COLUMNS.items():
        stored[key] = site[column] if site else None
    snapshot = storage.memo["settings"] = _Snapshot(stamp, storage.site_id, stored)
    return snapshot


def get(storage: Storage, key: str) -> Any:
    """A setting's value as its declared type (its default when unset)."""
    declared = BY_KEY.get(key)
    if declared is None:
        raise KeyError(key)
    snapshot = _snapshot(storage)
    if key not in snapshot.parsed:
        raw = snapshot.stored.get(key)
        if raw is None:
            value = declared.default
        else:
            try:
                value = declared.parse(raw)
            except ValueError:  # stored by a newer storeshift (a language this one lacks): as if unset
                value = declared.default
        snapshot.parsed[key] = value
    return snapshot.parsed[key]


def all_settings(storage: Storage) -> dict[str, Any]:
    """Every setting the shift lead sets (not the internal ones), by key."""
    return {s.key: get(storage, s.key) for s in SHOWN}


def put(storage: Storage, key: str, value: Any, actor: str = "shift lead") -> Any:
    """Validate and store one setting; raises UserError naming the setting on bad input."""
    from ..storage import audit  # (not on a window's start-up path: reading settings needs no audit)

    declared = BY_KEY.get(key)
    if declared is None:
        raise UserError(_("There is no setting called '{key}'.").format(key=key))
    try:
        value = declared.parse(value)
    except ValueError as exc:
        raise UserError(_("{setting}: {problem}.").format(setting=declared.title(), problem=exc)) from None
    text = declared.to_text(value)
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
    if site_id == storage.site_id:
        stored = _snapshot(storage).stored
    else:
        stored = {row["key"]: row["value"] for row in storage.rows(
            "SELECT key, value FROM settings WHERE site_id = ? AND key LIKE 'closing_time%'", (site_id,))}
    every_day = _closing_time(stored.get("closing_time") or BY_KEY["closing_time"].default)
    return tuple(_weekday_closing_time(stored.get(key)) or every_day for key in WEEKDAY_CLOSING_KEYS)


def use_site_language(storage: Storage) -> str:
    """Speak the site's language from now on (the command line and the windows call this when
    they open a database); returns its code."""
    i18n.set_site_language(get(storage, "language"))
    return i18n.site_language()
