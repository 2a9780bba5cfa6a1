"""The roster and its CSV import: every bad-line kind, encodings, separators, idempotence, Unicode."""

from __future__ import annotations

import pytest

from conftest import SAMPLE_DATA
from storeshift.errors import UserError
from storeshift.services import roster
from storeshift.services.csvio import CsvRefused
from storeshift.storage import audit

HOSTILE_NAMES = ["محمد الأحمد", "李小龙", "Αλέξανδρος", "Дмитрий Иванов", "דנה לוי", "Zoë 🎉 Smith",
                 "'); DROP TABLE people; --", 'The "Quoted" One', "N" * 240]


def test_add_edit_deactivate(storage):
    person = roster.add_person(storage, name="  Ada  Lovelace ", department="IT", email="ada@example.com")
    assert person["name"] == "Ada  Lovelace"  # trimmed, otherwise exactly as typed
    assert storage.value("SELECT serial FROM badges WHERE person_id = ?", (person["id"],)) == 1
    edited = roster.edit_person(storage, person["id"], department="Finance")
    assert edited["department"] == "Finance"
    assert roster.set_active(storage, person["id"], False)["active"] == 0
    with pytest.raises(UserError, match="(?i)email ada@example.com belongs to another person"):
        roster.add_person(storage, name="Impostor", email="ADA@example.com")
    with pytest.raises(UserError, match="name is missing"):
        roster.add_person(storage, name="   ")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_any_unicode_name_is_kept_exactly(storage, name):
    person = roster.add_person(storage, name=name)
    assert roster.get_person(storage, person["id"])["name"] == name
    assert "people" in storage.db.table_names()


def test_shared_roster_imports_and_reimport_changes_nothing(storage):
    first = roster.import_people(storage, SAMPLE_DATA / "people.csv")
    assert first.added == 60 and not first.errors
    audit_rows = storage.value("SELECT count(*) FROM audit_log")
    second = roster.import_people(storage, SAMPLE_DATA / "people.csv")
    assert (second.added, second.updated, second.unchanged) == (0, 0, 60)
    assert storage.value("SELECT count(*) FROM audit_log") == audit_rows
    assert storage.value("SELECT count(*) FROM badges") == 60
    assert audit.verify(storage).ok


def test_bom_semicolons_crlf_and_header_case(storage):
    data = ("\ufeffNAME;Department;E-mail;Employee_ID\r\n"
            "Sofía Jónsson;IT;;E1\r\n"
            "  Yuki de la Cruz ;Finance;;E2\r\n").replace("E-mail", "Email").encode("utf-8")
    report = roster.import_people(storage, data)
    assert report.added == 2
    names = sorted(p["name"] for p in roster.list_people(storage))
    assert names == ["Sofía Jónsson", "Yuki de la Cruz"]


def test_match_on_employee_id_then_email_updates_in_place(storage):
    roster.import_people(storage, b"name,employee_id,email,department\nAda,E1,ada@example.com,IT\n"
                                  b"Bob,,bob@example.com,HR\n")
    report = roster.import_people(storage, b"name,employee_id,email,department\nAda King,E1,,IT\n"
                                           b"Bob,E2,bob@example.com,Finance\n")
    assert (report.added, report.updated) == (0, 2)
    people = {p["employee_id"]: p for p in roster.list_people(storage)}
    assert people["E1"]["name"] == "Ada King" and people["E1"]["email"] == "ada@example.com"
    assert people["E2"]["department"] == "Finance"


BAD_FILE = (
    "name,department,email,employee_id\n"      # 1
    "Good One,IT,good@example.com,E1\n"        # 2
    ",IT,nobody@example.com,E2\n"              # 3 name missing
    "Bad Mail,IT,not-an-email,E3\n"            # 4 bad email
    "Dup Id,IT,dup@example.com,E1\n"           # 5 duplicate employee id
    "Dup Mail,IT,GOOD@example.com,E4\n"        # 6 duplicate email
    "Too,Many,x@example.com,E5,extra\n"        # 7 too many values
    "Control\x07Char,IT,,E6\n"                 # 8 control character
).encode() + b"Latin \xe9 One,IT,,E7\n" + (   # 9 not UTF-8
    "Nul\x00Byte,IT,,E8\n"                     # 10 NUL
    "Last Good,Qualité,last@example.com,E9\n"  # 11 (UTF-8 accents: line 9 is a damaged line, not another encoding)
).encode()


def test_bad_file_is_refused_whole_listing_every_bad_line(storage):
    with pytest.raises(CsvRefused) as caught:
        roster.import_people(storage, BAD_FILE)
    lines = {e.line: e.reason for e in caught.value.errors}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert lines[3] == "name is missing"
    assert "not an email address" in lines[4]
    assert "also on line 2" in lines[5] and "also on line 2" in lines[6]
    assert "has 5 values but the header has 4" in lines[7]
    assert "control characters" in lines[8]
    assert "not UTF-8" in lines[9]
    assert "NUL" in lines[10]
    assert "line 3: name is missing" in str(caught.value)
    assert storage.value("SELECT count(*) FROM people") == 0


def test_skip_invalid_imports_only_the_good_lines(storage):
    report = roster.import_people(storage, BAD_FILE, skip_invalid=True)
    assert report.added == 2 and len(report.errors) == 8
    assert sorted(p["name"] for p in roster.list_people(storage)) == ["Good One", "Last Good"]


def test_missing_name_column_or_empty_file_is_a_clear_sentence(storage, tmp_path):
    with pytest.raises(UserError, match="no column 'name'"):
        roster.import_people(storage, b"handle,email\nAda,ada@example.com\n")
    with pytest.raises(UserError, match="empty"):
        roster.import_people(storage, b"")
    with pytest.raises(UserError, match="There is no file"):
        roster.import_people(storage, tmp_path / "missing.csv")


def test_preview_plan_writes_nothing(storage):
    plan = roster.plan_people_import(storage, SAMPLE_DATA / "people.csv")
    assert plan.report.added == 60 and not plan.report.applied
    assert storage.value("SELECT count(*) FROM people") == 0
