"""The language storeshift speaks: site and visitor language, catalogues, plurals, and dates,
times, numbers and durations by each language's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from storeshift import i18n
from storeshift.errors import UserError
from storeshift.i18n import _, ngettext
from storeshift.services import settings
from storeshift.timeutil import format_duration, local_clock, local_date

MONDAY = dt.date(2026, 11, 30)


def test_english_french_and_german_are_available_with_their_own_names():
    assert i18n.available()[0] == "en"
    assert {"fr", "de"} <= set(i18n.available())
    assert [i18n.language_name(code) for code in ("en", "fr", "de")] == ["English", "Français", "Deutsch"]


@pytest.mark.parametrize("language, expected", [
    ("en", "Monday, 30 November 2026"),
    ("fr", "lundi 30 novembre 2026"),
    ("de", "Montag, 30. November 2026"),
])
def test_a_date_in_full_reads_as_the_language_writes_it(language, expected):
    i18n.set_site_language(language)
    assert i18n.format_date(MONDAY) == expected
    # The site's zone decides the day: 23:30 UTC on Sunday is already Monday in Paris.
    assert local_date("2026-11-29T23:30:00Z", "Europe/Paris") == expected


@pytest.mark.parametrize("language, expected", [
    ("en", "30 Nov\u2009–\u20096 Dec 2026"),
    ("fr", "30 nov.\u2009–\u20096 déc. 2026"),
    ("de", "30. Nov.\u2009–\u20096. Dez. 2026"),
])
def test_a_week_as_a_date_range(language, expected):
    i18n.set_site_language(language)
    assert i18n.format_date_range(MONDAY, MONDAY + dt.timedelta(days=6)) == expected


@pytest.mark.parametrize("language, number, decimal, percent", [
    ("en", "1,234", "12.5", "25%"),
    ("fr", "1\u202f234", "12,5", "25\u00a0%"),
    ("de", "1.234", "12,5", "25\u00a0%"),
])
def test_numbers_by_the_language_rules(language, number, decimal, percent):
    i18n.set_site_language(language)
    assert i18n.format_number(1234) == number
    assert i18n.format_number(12.5, 1) == decimal
    assert i18n.format_number(12.0, 1, trim=True) == "12"
    assert i18n.format_percent(0.25) == percent


@pytest.mark.parametrize("language, both, whole, short", [
    ("en", "2 h 05 min", "1 h", "5 min"),
    ("fr", "2 h 05", "1 h", "5 min"),
    ("de", "2 Std. 5 Min.", "1 Std.", "5 Min."),
])
def test_durations_in_each_language(language, both, whole, short):
    i18n.set_site_language(language)
    shown = (format_duration(125), format_duration(60), format_duration(5))
    assert shown == tuple(text.replace(" ", "\u00a0") for text in (both, whole, short))  # never broken


def test_clock_times_are_24_hour_in_the_site_zone():
    for language in ("en", "fr", "de"):
        i18n.set_site_language(language)
        assert local_clock("2026-11-30T08:05:00Z", "Europe/Berlin") == "09:05"


def test_messages_switch_with_the_language_and_english_is_the_source():
    assert _("page {number} of {total}") == "page {number} of {total}"
    i18n.set_site_language("fr")
    assert _("page {number} of {total}") == "page {number} sur {total}"
    i18n.set_site_language("de")
    assert _("page {number} of {total}") == "Seite {number} von {total}"
    assert _("a message nobody translated") == "a message nobody translated"


def test_plural_rules_come_from_each_catalogue_and_french_counts_zero_as_one():
    rules = {language: [i18n.translations(language).plural(n) for n in (0, 1, 2, 1000)]
             for language in ("fr", "de")}
    assert rules == {"fr": [0, 0, 1, 1], "de": [1, 0, 1, 1]}
    assert ngettext("{count} visit", "{count} visits", 1) == "{count} visit"  # English: the source forms
    assert ngettext("{count} visit", "{count} visits", 0) == "{count} visits"


def test_a_visitor_language_lasts_until_cleared_then_the_site_language_returns():
    heard = []
    stop = i18n.on_change(heard.append)
    try:
        i18n.set_site_language("de")
        i18n.set_visitor_language("fr")
        assert (i18n.current(), i18n.site_language()) == ("fr", "de")
        assert _("nothing to show") == "rien à afficher"
        i18n.set_visitor_language(None)
        assert i18n.current() == "de"
        i18n.set_site_language("de")  # no change: nobody is told
    finally:
        stop()
    assert heard == ["de", "fr", "de"]


def test_unknown_language_is_refused_with_a_sentence():
    with pytest.raises(ValueError, match="'xx' is not a language storeshift speaks"):
        i18n.set_site_language("xx")
    assert i18n.normalise("fr_FR") == "fr" and i18n.normalise("DE-at") == "de"


def test_lazy_strings_translate_when_read():
    label = i18n._l("nothing to show")
    assert str(label) == "nothing to show"
    i18n.set_site_language("fr")
    assert str(label) == "rien à afficher" and f"[{label}]" == "[rien à afficher]"
    assert label + "!" == "rien à afficher!" and label == i18n._l("nothing to show")


def test_the_site_language_is_a_setting_of_the_site(storage):
    assert settings.get(storage, "language") == "en"
    settings.put(storage, "language", "fr_FR")
    assert settings.get(storage, "language") == "fr"
    assert settings.use_site_language(storage) == "fr" and i18n.current() == "fr"
    # French typography: no-break spaces inside « » and before ; and :
    with pytest.raises(UserError, match="^Langue\u00a0: «\u00a0klingon\u00a0» n’est pas une langue de storeshift.*fr \\(Français\\)"):
        settings.put(storage, "language", "klingon")
    assert settings.get(storage, "language") == "fr"


def test_a_language_this_version_lacks_is_read_as_english(storage):
    from storeshift.storage import audit

    # As a database set up by a newer storeshift, with a language this one has no catalogue for.
    with storage.write():
        audit.insert(storage, "settings", {"key": "language", "value": "pt"}, "test")
    i18n.set_site_language("de")
    assert settings.get(storage, "language") == "en"
    assert settings.use_site_language(storage) == "en"


def test_the_languages_shipped_are_named_as_babel_names_them():
    from babel import Locale

    for code, name in i18n.OWN_NAMES.items():
        own = Locale.parse(code).get_display_name(code)
        assert name == own[:1].upper() + own[1:]


def test_the_time_of_day_is_written_as_babel_writes_it_without_loading_babel():
    from babel import dates

    for code in ("en", "fr", "de"):
        i18n.set_site_language(code)
        for moment in (dt.time(0, 5), dt.time(9, 30), dt.datetime(2026, 11, 25, 23, 59)):
            assert i18n.format_time(moment) == dates.format_time(moment, "short", locale=i18n.babel_locale())
