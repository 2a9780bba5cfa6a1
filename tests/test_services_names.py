"""services/names.py: a name found however it is typed, on a real database file."""

from __future__ import annotations

import datetime as dt

import pytest

from storeshift.services import names, roster, visits
from storeshift.timeutil import UTC

PEOPLE = ["Chloé Martin", "Bjørn Ødegaard", "محمد الأحمد", "Γιώργος Παπαδόπουλος", "王伟", "Jean-Luc Picard",
          "Seán O’Brien", "Anna Straße", "Дмитрий Иванов", "שלמה כהן", "Martin Chloewski", "Ann Marsh"]


@pytest.fixture
def people(storage):
    return {name: roster.add_person(storage, name=name, department="Finance") for name in PEOPLE}


def found(storage, query: str) -> list[str]:
    return [person["name"] for person in names.search_people(storage, query)]


@pytest.mark.parametrize("query", ["chloe", "CHLOE", "Chloé", "chlo", "CHLOÉ MARTIN", "chloe m"])
def test_case_and_accents_do_not_matter(storage, people, query):
    assert found(storage, query)[0] == "Chloé Martin"
    assert "Chloé Martin" in found(storage, "martin chloe")


@pytest.mark.parametrize("query, name", [
    ("bjorn", "Bjørn Ødegaard"), ("odegaard", "Bjørn Ødegaard"), ("strasse", "Anna Straße"),
    ("jean luc", "Jean-Luc Picard"), ("jeanluc", "Jean-Luc Picard"), ("obrien", "Seán O’Brien"),
    ("o'brien", "Seán O’Brien"), ("sean", "Seán O’Brien"),
    # other scripts, through their Latin transliteration
    ("giorgos", "Γιώργος Παπαδόπουλος"), ("dmitriy", "Дмитрий Иванов"), ("wang wei", "王伟"), ("wei", "王伟"),
    # Arabic and Hebrew write no vowels: the consonants are enough
    ("mohammed", "محمد الأحمد"), ("muhammad", "محمد الأحمد"), ("ahmad", "محمد الأحمد"),
    ("mohamed al ahmad", "محمد الأحمد"), ("shlomo", "שלמה כהן"), ("cohen", "שלמה כהן"),
    # typed in the name's own script
    ("محمد", "محمد الأحمد"), ("Γιώργος", "Γιώργος Παπαδόπουλος"),
])
def test_names_of_any_writing_are_found(storage, people, query, name):
    assert name in found(storage, query)


def test_nobody_when_nothing_matches_and_the_best_match_first(storage, people):
    assert found(storage, "zz") == []
    assert found(storage, "xavier") == []
    assert found(storage, "  ") == []
    # A name beginning with what was typed comes before one that has it further in.
    assert found(storage, "martin") == ["Martin Chloewski", "Chloé Martin"]
    assert found(storage, "mar")[0] == "Martin Chloewski"
    assert {"Chloé Martin", "Ann Marsh"} <= set(found(storage, "mar"))


def test_inactive_people_are_left_out_and_who_is_on_site_is_marked(storage, people):
    roster.set_active(storage, people["Anna Straße"]["id"], False)
    assert found(storage, "anna") == []
    chloe = people["Chloé Martin"]
    assert names.search_people(storage, "chloe")[0]["on_site"] is False
    visits.check_in_manually(storage, chloe["id"], now=dt.datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    assert names.search_people(storage, "chloe")[0]["on_site"] is True


def test_fold_and_isolate():
    assert names.fold("  CHLOÉ   Martin ") == "chloe martin"
    assert names.fold("Bjørn") == names.fold("bjorn") == "bjorn"
    assert names.isolate("محمد") == "\u2068محمد\u2069"
    assert names.isolate(names.isolate("محمد")) == "\u2068محمد\u2069"  # never twice
    assert names.isolate("") == ""
    assert names.isolate("Bjørn Ødegaard") == "Bjørn Ødegaard"  # left to right like the sentence: as typed
