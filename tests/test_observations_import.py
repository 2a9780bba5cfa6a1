"""`storeshift observations import` and `storeshift themes`: paper sheets and survey exports
brought in line by line with clear errors, and the themes a week's report prints."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from storeshift.cli import main
from storeshift.services import observations, roster, themes, visits
from storeshift.storage import audit, db as storage_db, open_storage
from storeshift.timeutil import UTC, to_iso

VISIT_START = dt.datetime(2026, 9, 29, 9, 0, tzinfo=UTC)       # 10:00 in London (summer time)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def site(tmp_path):
    path = tmp_path / "site.db"
    storage = open_storage(path, site_name="Riverside Store")
    ada = roster.add_person(storage, name="Ada Lovelace", department="IT", email="ada@example.com",
                            employee_id="E1")
    zoe = roster.add_person(storage, name="Zoë Nakamura", department="Finance", email="Zoe@Example.com",
                            employee_id="E2")
    visit = visits.check_in_manually(storage, ada["id"], now=VISIT_START)
    visits.check_out_manually(storage, visit["id"], now=VISIT_START + dt.timedelta(hours=3))
    storage.close()
    return path, ada, zoe, visit


def write(tmp_path, text: str):
    path = tmp_path / "sheet.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_join_the_visit_at_their_time_or_stand_alone(site, tmp_path):
    path, ada, zoe, visit = site
    sheet = write(tmp_path, "employee_id,email,at,category,text,quote,impact\n"
                            # 11:30 London time, during Ada's visit (10:00-13:00): joins it.
                            "E1,,2026-09-29 11:30,Process problem,Self-checkout rejects bags,,high\n"
                            # An explicit offset, by e-mail in another case, a snake_case key.
                            ",zoe@example.com,2026-09-30T08:15:00+00:00,customer_voice,Where are the lockers?,"
                            "\"I walked round twice\",\n"
                            # After Ada's visit: standalone, still Ada's.
                            "E1,,2026-09-29 18:00,IDEA,A basket stand by the tills,,Low\n")
    result = run("observations", "import", sheet, "--db", path)
    assert result.exit_code == 0, result.output
    assert "3 observations added" in result.output
    storage = open_storage(path)
    try:
        rows = {r["text"]: r for r in storage.rows("SELECT * FROM observations")}
        bags = rows["Self-checkout rejects bags"]
        assert bags["visit_id"] == visit["id"] and bags["person_id"] == ada["id"]
        assert (bags["category"], bags["impact"], bags["created_at"]) == ("process_problem", "high",
                                                                          "2026-09-29T10:30:00Z")
        lockers = rows["Where are the lockers?"]
        assert lockers["visit_id"] is None and lockers["person_id"] == zoe["id"]
        assert (lockers["impact"], lockers["quote"], lockers["created_at"]) == ("medium", "I walked round twice",
                                                                                "2026-09-30T08:15:00Z")
        basket = rows["A basket stand by the tills"]
        assert basket["visit_id"] is None and basket["site_id"] == storage.site_id and basket["impact"] == "low"
        assert audit.verify(storage).ok
    finally:
        storage.close()
    # The same file again: nothing doubles.
    again = run("observations", "import", sheet, "--db", path)
    assert again.exit_code == 0 and "0 observations added" in again.output and "3 unchanged" in again.output


def test_bad_lines_are_named_and_nothing_is_imported_unless_told(site, tmp_path):
    path, *_ = site
    sheet = write(tmp_path, "employee_id,at,category,text,impact\n"
                            "E1,2026-09-29 11:30,process problem,Fine line,medium\n"
                            "E9,2026-09-29 11:30,idea,Nobody on the roster,\n"
                            "E1,yesterday,idea,Bad time,\n"
                            "E1,2026-09-29 11:30,complaint,Unknown category,\n"
                            "E1,2026-09-29 11:30,praise,Bad impact,huge\n"
                            "E1,2026-09-29 11:30,praise,,low\n"
                            "E1,2099-01-01 10:00,idea,From the future,\n"
                            "E1,2026-09-29 11:40,idea,Card 4111 1111 1111 1111 was declined,\n")
    refused = run("observations", "import", sheet, "--db", path)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    for reason in ("line 3: E9 is not on the roster", "line 4: at 'yesterday' is not a time",
                   "line 5: category 'complaint' is not one of", "line 6: impact 'huge' is not low, medium or high",
                   "line 7: Please write what you noticed", "line 8: at 2099-01-01 10:00 is in the future"):
        assert reason in refused.output, reason
    storage = open_storage(path)
    assert storage.value("SELECT count(*) FROM observations") == 0
    storage.close()
    taken = run("observations", "import", sheet, "--db", path, "--skip-invalid")
    assert taken.exit_code == 0, taken.output
    assert "2 observations added" in taken.output and "6 bad lines skipped" in taken.output
    storage = open_storage(path)
    texts = {r["text"] for r in storage.rows("SELECT text FROM observations")}
    storage.close()
    assert texts == {"Fine line", "Card [card number] was declined"}


def test_a_file_without_a_person_column_or_missing_is_one_sentence(site, tmp_path):
    path, *_ = site
    no_person = write(tmp_path, "at,category,text\n2026-09-29 11:30,idea,Something\n")
    result = run("observations", "import", no_person, "--db", path)
    assert result.exit_code == 1 and "'employee_id' or 'email'" in result.output
    missing = run("observations", "import", tmp_path / "nope.csv", "--db", path)
    assert missing.exit_code == 1 and "There is no file" in missing.output


def test_themes_command_lists_triaged_and_automatic_themes_most_reported_first(site, tmp_path, monkeypatch):
    path, ada, zoe, _ = site
    sheet = write(tmp_path, "employee_id,at,category,text\n"
                            "E1,2026-09-29 11:30,process problem,Self-checkout rejects bags over 2 kg\n"
                            "E2,2026-09-30 11:30,process problem,The self-checkout rejects heavy bags\n"
                            "E1,2026-10-01 12:00,product issue,Oat milk sold out by 11am\n"
                            "E2,2026-10-02 12:00,product issue,No oat milk left by 11am\n"
                            "E1,2026-10-02 15:00,praise,The returns desk was calm and kind\n")
    assert run("observations", "import", sheet, "--db", path).exit_code == 0
    storage = open_storage(path)
    milk = [r["id"] for r in storage.rows("SELECT id FROM observations WHERE text LIKE '%oat milk%' "
                                          "OR text LIKE '%Oat milk%'")]
    theme = themes.create_theme(storage, "Oat milk sells out", milk)
    # Triaged on the Saturday of that week (the lead's clock): the week's themes show it triaged.
    monkeypatch.setattr(storage_db, "utc_now", lambda: dt.datetime(2026, 10, 3, 9, 0, tzinfo=UTC))
    themes.update(storage, theme["id"], owner="Category manager")
    monkeypatch.undo()
    storage.close()
    result = run("themes", "--week", "2026-W40", "--db", path, "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert [t["people"] for t in found] == sorted((t["people"] for t in found), reverse=True)
    by_title = {t["title"]: t for t in found}
    oat = by_title["Oat milk sells out"]
    assert (oat["id"], oat["status"], oat["owner"], oat["automatic"]) == (theme["id"], "triaged",
                                                                         "Category manager", False)
    assert sorted(oat["observation_ids"]) == sorted(milk) and oat["people"] == 2
    assert oat["sites"] == ["Riverside Store"]
    automatic = [t for t in found if t["automatic"]]
    assert automatic and all(t["id"].startswith("auto-") and t["status"] == "new" and t["owner"] is None
                             for t in automatic)
    bags = next(t for t in automatic if len(t["observation_ids"]) == 2)
    # The synthetic id stays the same as long as the group holds the same notes.
    again = {t["id"] for t in json.loads(run("themes", "--week", "2026-W40", "--db", path, "--json").output)}
    assert bags["id"] in again
    plain = run("themes", "--week", "2026-W40", "--db", path)
    assert plain.exit_code == 0 and "Oat milk sells out [triaged, owner Category manager]" in plain.output
    assert "automatic, not triaged" in plain.output
    assert run("themes", "--week", "2026-W99", "--db", path).exit_code == 1
    empty = run("themes", "--week", "2026-W20", "--db", path)
    assert empty.exit_code == 0 and "no observations in 2026-W20" in empty.output


def test_help_says_what_the_automatic_ids_are():
    result = run("themes", "--help")
    assert "auto-" in result.output and "synthetic" in result.output
    assert run("observations", "import", "--help").exit_code == 0


def test_the_import_service_reports_per_line(site):
    path, *_ = site
    storage = open_storage(path)
    try:
        report = observations.import_observations(
            storage, b"email,at,category,text\nada@example.com,2026-09-29 11:30,Customer voice,Hello\n")
        assert (report.added, report.applied, report.errors) == (1, True, [])
        assert storage.value("SELECT created_at FROM observations") == to_iso(dt.datetime(2026, 9, 29, 10, 30,
                                                                                          tzinfo=UTC))
    finally:
        storage.close()
