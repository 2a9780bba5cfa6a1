"""A store's first day: `storeshift setup` sets every value, again changes only what is given,
bad input changes nothing; every other command refuses a path with no database."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import SAMPLE_DATA
from storeshift.cli import main
from storeshift.errors import UserError
from storeshift.services import badges, pin, settings, setup
from storeshift.storage import open_storage


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def test_setup_sets_every_value_in_a_new_database(tmp_path):
    db = tmp_path / "store" / "lyon.db"
    key_file = tmp_path / "headoffice.key"
    head_office = open_storage(tmp_path / "ho.db")
    badges.start_organisation(head_office, "Acme Retail")
    badges.export_org_key(head_office, key_file)
    head_key = badges.org_key(head_office)["key_id"]
    head_office.close()

    code, out = invoke("setup", "--db", db, "--org-key", key_file, "--site-name", "Lyon Part-Dieu",
                       "--timezone", "Europe/Paris", "--language", "fr",
                       "--opening-hours", "lun-ven 9h-20h, sam 09:00-19:00, dim fermé", "--pin", "4821",
                       "--roster", SAMPLE_DATA / "hr_export_fr.csv", "--tasks", SAMPLE_DATA / "tasks.csv")
    assert code == 0, out
    # Said in the language being chosen, from the first line on.
    assert "Personnes\u00a0: 5 personnes ajoutées" in out and "colonne non importée\u00a0: Poste" in out
    assert "lun.-ven. 09:00-20:00, sam. 09:00-19:00, dim. fermé" in out
    assert not re.search(r"\b(roster|people|added|store set up|closed)\b", out, re.IGNORECASE), out
    store = open_storage(db, create=False)
    try:
        assert badges.org_key(store)["key_id"] == head_key
        assert settings.get(store, "site_name") == "Lyon Part-Dieu"
        assert settings.get(store, "timezone") == "Europe/Paris"
        assert settings.get(store, "language") == "fr"
        assert settings.get(store, "opening_hours") == "Mon-Fri 09:00-20:00, Sat 09:00-19:00, Sun closed"
        assert settings.get(store, "closing_time") == "20:00"
        assert [settings.get(store, key) for key in settings.WEEKDAY_CLOSING_KEYS] == \
            ["20:00"] * 5 + ["19:00", None]  # Sunday is closed: the site's closing time stands
        assert pin.is_current(store, "4821")
        assert store.value("SELECT count(*) FROM people") == 5
        assert store.value("SELECT count(*) FROM tasks") == 10
        assert not setup.is_new(store)
    finally:
        store.close()


def test_running_setup_again_changes_only_what_is_given(tmp_path):
    db = tmp_path / "s.db"
    assert invoke("setup", "--db", db, "--new-organisation", "Acme", "--site-name", "Leeds",
                  "--timezone", "Europe/London", "--pin", "1234")[0] == 0
    store = open_storage(db)
    key, pin_hash = badges.org_key(store)["key_id"], settings.get(store, "pin_hash")
    store.close()
    code, out = invoke("setup", "--db", db, "--new-organisation", "Acme", "--site-name", "Leeds", "--pin", "1234")
    assert code == 0 and "nothing changed" in out
    code, out = invoke("setup", "--db", db, "--language", "de")
    assert code == 0 and out.startswith("Sprache: Deutsch\n")
    store = open_storage(db)
    try:
        assert badges.org_key(store)["key_id"] == key and settings.get(store, "pin_hash") == pin_hash
        assert (settings.get(store, "site_name"), settings.get(store, "language")) == ("Leeds", "de")
    finally:
        store.close()


def test_changing_the_pin_needs_the_current_one(tmp_path):
    db = tmp_path / "s.db"
    invoke("setup", "--db", db, "--pin", "1234")
    code, out = invoke("setup", "--db", db, "--pin", "5678")
    assert code == 1 and "--current-pin" in out
    code, out = invoke("setup", "--db", db, "--pin", "5678", "--current-pin", "0000")
    assert code == 1 and "current PIN is wrong" in out
    assert invoke("setup", "--db", db, "--pin", "5678", "--current-pin", "1234")[0] == 0
    store = open_storage(db)
    assert pin.is_current(store, "5678")
    store.close()


@pytest.mark.parametrize("args, words", [
    (["--timezone", "Europe/Pari"], "not a time zone"),
    (["--opening-hours", "Mon 9-5"], "not a time"),
    (["--opening-hours", "Funday 09:00-17:00"], "not a day of the week"),
    (["--pin", "12"], "4 to 12 digits"),
    (["--site-name", " "], "cannot be empty"),
    (["--org-key", "tasks.csv"], "not a storeshift organisation key"),
    (["--roster", "nowhere.csv"], "There is no file"),
    (["--roster", "people.csv", "--map", 'name="Nope"'], "has no column 'Nope'"),
])
def test_bad_input_is_a_sentence_and_changes_nothing(tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(SAMPLE_DATA)
    db = tmp_path / "s.db"
    invoke("setup", "--db", db, "--site-name", "Before")
    store = open_storage(db)
    before = store.value("SELECT count(*) FROM audit_log")
    store.close()
    # Everything else given is good: nothing of it may be written either.
    code, out = invoke("setup", "--db", db, "--site-name", "After", "--tasks", "tasks.csv", *args)
    assert code == 1 and words in out and "Traceback" not in out
    store = open_storage(db)
    try:
        assert store.value("SELECT count(*) FROM audit_log") == before
        assert settings.get(store, "site_name") == "Before"
    finally:
        store.close()


def test_a_new_organisation_is_refused_once_people_have_badges(storage):
    setup.apply(storage, setup.StoreSetup(roster=SAMPLE_DATA / "hr_export_en.csv"))
    with pytest.raises(UserError, match="new, empty database"):
        setup.apply(storage, setup.StoreSetup(new_organisation="Other"))


def test_a_database_is_new_until_something_is_set_up(storage):
    assert setup.is_new(storage)
    assert setup.apply(storage, setup.StoreSetup()) == []  # creates the database, sets nothing
    assert setup.is_new(storage)  # so the shift-lead window still offers the wizard
    setup.apply(storage, setup.StoreSetup(language="fr"))
    assert not setup.is_new(storage)


# -- a mistyped --db ---------------------------------------------------------------------------

COMMANDS_ON_A_DATABASE = [
    ["people", "list"], ["people", "import", "people.csv"], ["tasks", "list"], ["tasks", "import", "tasks.csv"],
    ["bookings", "import", "x.csv"], ["scan", "SS1-AAAA"], ["org-key", "export", "--out", "k.key"],
    ["org-key", "import", "tasks.csv"], ["backup", "--out", "b.db"], ["check"],
    ["report", "--week", "2026-W48", "--out", "r.pdf"], ["badges", "--out", "b.pdf"], ["export", "--out", "x.ssb"],
    ["merge", "x.ssb"], ["lead"], ["kiosk", "--windowed"],
]


@pytest.mark.parametrize("command", COMMANDS_ON_A_DATABASE, ids=" ".join)
def test_a_path_with_no_database_is_refused_and_nothing_is_created(tmp_path, monkeypatch, command):
    monkeypatch.chdir(SAMPLE_DATA)
    mistyped = tmp_path / "stroe" / "stroe.db"
    code, out = invoke(*command, "--db", mistyped)
    assert code == 1
    assert out.strip() == (f"storeshift: There is no storeshift database at {mistyped}. "
                           "Check the path, or run storeshift setup.")
    assert not mistyped.parent.exists()
    assert not any((SAMPLE_DATA / name).exists() for name in ("k.key", "b.db", "r.pdf", "b.pdf", "x.ssb"))


def test_the_mistyped_path_through_the_real_command(tmp_path):
    """Exit status and stderr as a script sees them, with the root --db spelling."""
    mistyped = tmp_path / "stroe.db"
    proc = subprocess.run([sys.executable, "-m", "storeshift", "--db", str(mistyped), "tasks", "list"],
                          capture_output=True, text=True, timeout=120, env={**os.environ})
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == f"storeshift: There is no storeshift database at {mistyped}. " \
                          "Check the path, or run storeshift setup.\n"
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_is_no_database_either(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    code, out = invoke("check", "--db", empty)
    assert code == 1 and "There is no storeshift database" in out and empty.stat().st_size == 0


def test_demo_and_setup_create_a_database_and_its_folder(tmp_path):
    assert invoke("setup", "--db", tmp_path / "a" / "new.db")[0] == 0
    assert invoke("demo", "--seed-only", "--people", "3", "--weeks", "1", "--db", tmp_path / "b" / "demo.db")[0] == 0
    assert (tmp_path / "a" / "new.db").stat().st_size > 0 and (tmp_path / "b" / "demo.db").stat().st_size > 0


def test_saving_opening_hours_later_moves_the_closing_times_with_them(storage):
    """Opening hours changed after the first day (the Settings page saves them the same way)
    move each weekday's closing time, so forgotten visits end when the store now closes."""
    setup.apply(storage, setup.StoreSetup(opening_hours="Mon-Sun 09:00-22:00"))
    assert settings.closing_times(storage) == ("22:00",) * 7
    stored = setup.save_opening_hours(storage, "Mo-Fr 8.30-19.00, Sa 09:00-01:00, So geschlossen")
    assert stored == settings.get(storage, "opening_hours") == "Mon-Fri 08:30-19:00, Sat 09:00-01:00, Sun closed"
    assert settings.closing_times(storage) == ("19:00",) * 5 + ("01:00", "01:00")  # Sunday: the latest, after midnight
    assert [settings.get(storage, key) for key in settings.WEEKDAY_CLOSING_KEYS] == ["19:00"] * 5 + ["01:00", None]
    before = storage.value("SELECT count(*) FROM audit_log")
    with pytest.raises(UserError, match="Opening hours"):
        setup.save_opening_hours(storage, "Funday 09:00-17:00")
    assert storage.value("SELECT count(*) FROM audit_log") == before  # bad hours change nothing


@pytest.mark.parametrize("language, text", [
    ("en", "Mon-Fri 09:00-20:00, Sat 09:00-19:00, Sun closed"),
    ("fr", "lun.-ven. 09:00-20:00, sam. 09:00-19:00, dim. fermé"),
    ("de", "Mo.-Fr. 09:00-20:00, Sa. 09:00-19:00, So. geschlossen"),
])
def test_opening_hours_read_in_the_language_and_read_back_the_same(language, text):
    from storeshift import i18n

    i18n.set_site_language(language)
    try:
        shown = setup.describe_hours("Mon-Fri 09:00-20:00, Sat 09:00-19:00, Sun closed")
        assert shown == text
        assert settings.format_hours(settings.weekly_hours(shown)) == "Mon-Fri 09:00-20:00, Sat 09:00-19:00, Sun closed"
    finally:
        i18n.set_site_language("en")


def test_setup_speaks_the_stores_language_once_it_is_set(tmp_path):
    db = tmp_path / "s.db"
    assert invoke("setup", "--db", db, "--language", "de")[0] == 0
    code, out = invoke("setup", "--db", db, "--site-name", "Köln Hbf", "--pin", "12")
    assert code == 1 and "Die PIN muss 4 bis 12 Ziffern haben." in out, out
    code, out = invoke("setup", "--db", db, "--site-name", "Köln Hbf")
    assert code == 0 and out.startswith("Name des Standorts: Köln Hbf\n") and "Filiale eingerichtet in" in out
    code, out = invoke("setup", "--db", db, "--site-name", "Köln Hbf")
    assert code == 0 and out.startswith("nichts geändert\n")
