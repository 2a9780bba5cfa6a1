"""Roster files as HR systems export them: English, French and German headers, ';' and
Windows-1252, names in two columns, columns mapped by hand, ignored columns named."""

from __future__ import annotations

import pytest

from storeshift.errors import UserError
from storeshift.services import roster
from storeshift.services.csvio import parse_mapping, read_csv

from conftest import SAMPLE_DATA


def people_by_id(storage) -> dict[str, dict]:
    return {p["employee_id"]: p for p in roster.list_people(storage)}


def test_english_hr_export_imports_names_emails_and_departments(storage):
    report = roster.import_people(storage, SAMPLE_DATA / "hr_export_en.csv")
    assert report.added == 6 and not report.errors
    people = people_by_id(storage)
    assert people["10002"]["name"] == "Liam O'Connor"
    assert people["10002"]["email"] == "liam.oconnor@example.com"
    assert people["10004"]["name"] == "Chloé Dubois" and people["10004"]["department"] == "Legal"
    assert report.columns == {"employee_id": "Employee ID", "first_name": "First Name", "last_name": "Last Name",
                              "email": "Work Email", "department": "Department"}
    assert report.ignored == ["Job Title"]
    assert report.summary("people").endswith("column not imported: Job Title")


def test_french_excel_export_with_semicolons_in_windows_1252(storage):
    plan = roster.plan_people_import(storage, SAMPLE_DATA / "hr_export_fr.csv")
    assert (plan.table.encoding, plan.table.delimiter) == ("Windows-1252", ";")
    report = roster.import_people(storage, SAMPLE_DATA / "hr_export_fr.csv")
    assert report.added == 5 and not report.errors
    people = people_by_id(storage)
    # 'Nom' beside 'Prénom' is the family name: the full name is 'Prénom Nom'.
    assert people["F2001"]["name"] == "Zoé Lefèvre"
    assert people["F2002"] == {**people["F2002"], "name": "Björn Müller", "email": "bjorn.muller@exemple.fr",
                               "department": "Contrôle de gestion"}
    assert people["F2005"]["name"] == "Hélène D'Aubigné"
    assert report.columns["email"] == "Courriel" and report.columns["department"] == "Service"
    assert report.ignored == ["Poste"]


def test_german_excel_export_with_vorname_and_name(storage):
    report = roster.import_people(storage, SAMPLE_DATA / "hr_export_de.csv")
    assert report.added == 4 and not report.errors
    people = people_by_id(storage)
    assert people["D3001"]["name"] == "Jürgen Groß" and people["D3001"]["email"] == "juergen.gross@beispiel.de"
    assert people["D3002"]["department"] == "Öffentlichkeitsarbeit"
    assert people["D3004"]["name"] == "Anna Müller-Lüdenscheidt"
    assert report.ignored == ["Stellenbezeichnung", "Standort"]


def test_importing_the_same_export_again_changes_nothing(storage):
    roster.import_people(storage, SAMPLE_DATA / "hr_export_de.csv")
    again = roster.import_people(storage, SAMPLE_DATA / "hr_export_de.csv")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected_even_with_the_other_ones_inside_values(storage, delimiter):
    rows = [["Full Name", "E-mail", "Team"], ["Ada King", "ada@example.com", "Finance; Audit, Tax"],
            ["Ben Ode", "ben@example.com", "IT | Ops"]]
    text = "\n".join(delimiter.join(f'"{v}"' if any(d in v for d in ",;\t|") else v for v in row) for row in rows)
    table = read_csv(text.encode(), required=("name",), known=roster.ROSTER_COLUMNS, aliases=roster.HEADER_ALIASES)
    assert table.delimiter == delimiter
    assert [values for _line, values in table.rows][0] == {"name": "Ada King", "email": "ada@example.com",
                                                           "department": "Finance; Audit, Tax"}


def test_unicode_text_from_excel_is_utf16_with_tabs(storage):
    data = "Nom complet\tAdresse e-mail\tAbteilung\r\nÉlodie Brün\telodie@example.com\tVerkauf\r\n".encode("utf-16")
    report = roster.import_people(storage, data)
    assert report.added == 1
    assert roster.find_person(storage, "elodie@example.com")["name"] == "Élodie Brün"


def test_a_map_names_columns_the_headers_do_not_make_clear(storage):
    data = b"Staff,Login mail,Contact mail\nAda King,ada@corp.example,ada@home.example\n"
    with pytest.raises(UserError, match="no column 'name'.*--map name=") as raised:
        roster.import_people(storage, data)
    assert "Staff, Login mail, Contact mail" in str(raised.value)
    report = roster.import_people(storage, data, mapping=parse_mapping('name="Staff",email="Login mail"'))
    assert report.added == 1 and report.ignored == ["Contact mail"]
    assert roster.find_person(storage, "ada@corp.example")["name"] == "Ada King"


def test_a_map_overrides_a_recognised_header(storage):
    data = b"Name,Email,Work Email\nAda King,ada@home.example,ada@corp.example\n"
    plan = roster.plan_people_import(storage, data)  # a column named as the field itself comes first
    assert plan.table.columns["email"] == "Email" and plan.report.ignored == ["Work Email"]
    report = roster.import_people(storage, data, mapping={"email": "Work Email"})
    assert report.added == 1 and report.ignored == ["Email"]
    assert roster.find_person(storage, "ada@corp.example")["name"] == "Ada King"


@pytest.mark.parametrize("text, words", [
    ('name="Nope"', "has no column 'Nope'"),
    ('colour="Name"', "no field 'colour'"),
    ("name", "not a column mapping"),
    ("", "empty"),
])
def test_a_bad_map_is_a_sentence_and_imports_nothing(storage, text, words):
    with pytest.raises(UserError, match=words):
        roster.import_people(storage, b"Name,Email\nAda,ada@example.com\n", mapping=parse_mapping(text))
    assert storage.value("SELECT count(*) FROM people") == 0


def test_only_a_first_name_is_still_a_name(storage):
    report = roster.import_people(storage, b"Vorname;E-Mail\nKarin;karin@example.com\n")
    assert report.added == 1 and roster.find_person(storage, "karin@example.com")["name"] == "Karin"
