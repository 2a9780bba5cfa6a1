"""The language storeshift speaks: gettext catalogues, the site's language and a kiosk visitor's
own, and dates, times, numbers, durations and lists formatted by that language's rules (Babel)."""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

DOMAIN = "storeshift"
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# The Babel locale whose rules format a language's dates and numbers: English is written the
# British way (24-hour clock, day before month), as the stores it began in do.
FORMAT_LOCALES = {"en": "en_GB"}

NO_BREAK = "\u00a0"

_site_language = SOURCE_LANGUAGE
_visitor_language: str | None = None
_listeners: list[Callable[[str], None]] = []


# --- which language ------------------------------------------------------------------------

def available() -> list[str]:
    """Language codes storeshift can speak: English, and every language with a catalogue."""
    found = {path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return [SOURCE_LANGUAGE] + sorted(found - {SOURCE_LANGUAGE})


#: The languages storeshift ships, each named in itself as Babel names them: a kiosk's language
#: buttons are on its first frame, and Babel's locale data takes 0.1 s to load.
OWN_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch"}  # not translated: each language's own name


def language_name(code: str) -> str:
    """A language's own name for itself ('Français', 'Deutsch'), as a picker shows it."""
    if code in OWN_NAMES:
        return OWN_NAMES[code]
    from babel import Locale

    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def normalise(code: object) -> str:
    """'fr_FR', 'FR', 'fr-CH' -> 'fr'; raises ValueError with a sentence for a language we lack."""
    text = str(code or "").strip().replace("-", "_")
    short = text.split("_")[0].lower()
    if short not in available():
        choices = ", ".join(f"{choice} ({language_name(choice)})" for choice in available())
        raise ValueError(_("'{code}' is not a language storeshift speaks; choose one of {choices}")
                         .format(code=text, choices=choices))
    return short


def site_language() -> str:
    return _site_language


def current() -> str:
    """The language to speak now: a kiosk visitor's choice while their session lasts, else the site's."""
    return _visitor_language or _site_language


def set_site_language(code: str) -> None:
    global _site_language
    before = current()
    _site_language = normalise(code)
    _changed(before)


def set_visitor_language(code: str | None) -> None:
    """A visitor's own language at the kiosk; None returns to the site's (the kiosk does at idle)."""
    global _visitor_language
    before = current()
    _visitor_language = None if code is None else normalise(code)
    _changed(before)


def on_change(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call listener(language) whenever the current language changes; returns the way to stop."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def _changed(before: str) -> None:
    now = current()
    if now != before:
        for listener in list(_listeners):
            listener(now)


# --- translating ---------------------------------------------------------------------------

@lru_cache(maxsize=None)
def translations(code: str) -> _gettext.NullTranslations:
    """The compiled catalogue of a language; English (the source) translates to itself."""
    if code == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[code], fallback=True)


def _(message: str) -> str:
    """message in the current language."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the number n, by the current language's plural rules
    (French counts 0 as singular; English and German do not)."""
    return translations(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """message in the current language, where the same English word needs telling apart."""
    return translations(current()).pgettext(context, message)


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark a message for the catalogue without translating it yet: a constant that is
    translated with _() where it is shown, in the language of that moment."""
    return message


class LazyString:
    """A message that translates itself each time it is read: for labels declared once at
    import (settings, categories), before any language is chosen. str(), f-strings, format()
    and str's methods give the current language; Qt refuses it (loudly), so str() it for Qt."""

    __slots__ = ("source",)

    def __init__(self, source: str):
        self.source = source

    def __str__(self) -> str:
        return _(self.source)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __getattr__(self, name: str):
        # str's methods (lower, split...) on the translated text.
        return getattr(str(self), name)

    def __len__(self) -> int:
        return len(str(self))

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __lt__(self, other: object) -> bool:
        return str(self) < str(other)

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyString):
            return self.source == other.source
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.source)

    def __repr__(self) -> str:
        return f"_l({self.source!r})"


def _l(message: str) -> LazyString:
    """message, translated whenever it is read (see LazyString)."""
    return LazyString(message)


# --- formatting ----------------------------------------------------------------------------

def babel_locale(code: str | None = None) -> str:
    code = code or current()
    return FORMAT_LOCALES.get(code, code)


def format_date(day: dt.date | dt.datetime, style: str = "full") -> str:
    """'Monday, 30 November 2026' / 'lundi 30 novembre 2026' / 'Montag, 30. November 2026'.
    style: full, long, medium or short (CLDR's names), or a skeleton such as 'MMMEd'."""
    from babel import dates

    if isinstance(day, dt.datetime):
        day = day.date()
    if style in ("full", "long", "medium", "short"):
        return dates.format_date(day, style, locale=babel_locale())
    return dates.format_skeleton(style, day, locale=babel_locale())


def format_date_range(first: dt.date, last: dt.date) -> str:
    """'30 Nov – 6 Dec 2026' / '30 nov. – 6 déc. 2026' / '2.–8. Nov. 2026' (a week, say)."""
    from babel import dates

    return dates.format_interval(first, last, "yMMMd", locale=babel_locale())


#: The Babel locales whose short time is CLDR's "HH:mm" (British English, French, German): the
#: kiosk's clock is on its first frame, and Babel's dates with their locale data take 0.1 s to load.
HH_MM_LOCALES = {"en_GB", "fr", "de"}


def format_time(moment: dt.datetime | dt.time) -> str:
    """The time of day as the language writes it ('10:02')."""
    if babel_locale() in HH_MM_LOCALES:
        return f"{moment.hour:02d}:{moment.minute:02d}"
    from babel import dates

    return dates.format_time(moment, "short", locale=babel_locale())


def format_datetime(moment: dt.datetime, date_style: str = "medium") -> str:
    """Date and time ('30 Nov 2026, 10:02'); the moment must already be in the site's zone."""
    from babel import dates

    pattern = dates.get_datetime_format(date_style, locale=babel_locale())
    return (str(pattern).replace("{1}", format_date(moment, date_style))
            .replace("{0}", format_time(moment)))


def format_number(value: float | int, decimals: int | None = None, trim: bool = False) -> str:
    """'1,234' / '1 234' / '1.234'. decimals: the digits after the point (all of them, or with
    trim only those that are not trailing zeros: 12.0 -> '12', 12.5 -> '12.5')."""
    from babel import numbers

    if decimals is None:
        return numbers.format_decimal(value, locale=babel_locale())
    pattern = "#,##0." + ("#" if trim else "0") * decimals if decimals else "#,##0"
    return numbers.format_decimal(round(value, decimals), format=pattern, locale=babel_locale())


def format_percent(fraction: float) -> str:
    """0.25 -> '25%' / '25 %' / '25 %'."""
    from babel import numbers

    return numbers.format_percent(fraction, locale=babel_locale())


def format_list(items: Iterable[str]) -> str:
    """'A, B and C' / 'A, B et C' / 'A, B und C'."""
    from babel import lists

    items = list(items)
    return lists.format_list(items, locale=babel_locale()) if items else ""


def format_duration(minutes: int) -> str:
    """Time given, in hours and minutes: '2 h 05 min' / '2 h 05 min' / '2 Std. 5 Min.'."""
    hours, mins = divmod(max(0, int(minutes)), 60)
    if hours and mins:
        text = _("{hours} h {minutes:02d} min").format(hours=format_number(hours), minutes=mins)
    elif hours:
        text = _("{hours} h").format(hours=format_number(hours))
    else:
        text = _("{minutes} min").format(minutes=mins)
    return text.replace(" ", NO_BREAK)  # a duration never breaks across lines


def format_hours(hours: float) -> str:
    """A total of hours with one decimal, as the reports' figures give it: '12.5 h' / '12,5 h'."""
    return _("{hours} h").format(hours=format_number(hours, 1)).replace(" ", NO_BREAK)


def weekday_names(style: str = "wide") -> list[str]:
    """Monday to Sunday in the current language (style: wide, abbreviated or narrow)."""
    from babel import dates

    names = dates.get_day_names(style, locale=babel_locale())
    return [names[i] for i in range(7)]
