"""Case 8: CSV imports and text fields fed hostile input: huge files, 1 MB cells, NUL bytes,
formulas, mixed encodings, control characters. Each bad line is named, nothing is half-written."""

from __future__ import annotations

import csv

import pytest

from storeshift.errors import UserError
from storeshift.services import bookings, observations, roster, settings, tasks, visits
from storeshift.services.csvio import MAX_FILE_BYTES, CsvRefused, spreadsheet_safe, write_csv

from .support import cli, row_counts

pytestmark = pytest.mark.reliability

HEADER = b"name,department,email,employee_id\n"
# The second good line's UTF-8 accent makes the file UTF-8, so line 3 is a damaged line, not Windows-1252.
GOOD = [b"Ada Brook,Finance,ada@example.com,E1\n", "Ben Carter,Sécurité,ben@example.com,E2\n".encode()]


def hostile_roster() -> tuple[bytes, dict[int, str]]:
    """A roster CSV with two good lines around every kind of bad one; {line: words its error must hold}."""
    lines = [HEADER, GOOD[0],
             b"Zo\xeb Latin1,Marketing,zoe@example.com,E3\n",            # 3: not UTF-8
             b"Nul\x00Byte,IT,nul@example.com,E4\n",                     # 4: NUL
             b"Huge," + b"x" * 1_000_000 + b",huge@example.com,E5\n",     # 5: 1 MB cell
             b"Esc\x1b[31mRed,IT,esc@example.com,E6\n",                  # 6: control characters
             b"Too,Many,Values,E7,extra\n",                              # 7: more values than headers
             b",Finance,noname@example.com,E8\n",                        # 8: no name
             b"Bad Mail,IT,not-an-email,E9\n",                           # 9: bad email
             b"Dup Id,IT,dup@example.com,E1\n",                          # 10: employee id of line 2
             GOOD[1]]
    errors = {3: "not UTF-8", 4: "NUL", 5: "longer than", 6: "control characters", 7: "values",
              8: "name is missing", 9: "not an email", 10: "also on line 2"}
    return b"".join(lines), errors


def test_hostile_roster_csv_names_every_bad_line_and_writes_nothing(storage, tmp_path):
    data, expected = hostile_roster()
    before = row_counts(storage)
    with pytest.raises(CsvRefused) as raised:
        roster.import_people(storage, data)
    found = {e.line: e.reason for e in raised.value.errors}
    assert set(found) == set(expected), found
    for line, words in expected.items():
        assert words in found[line], (line, found[line])
        assert f"line {line}:" in str(raised.value)
    assert len(str(raised.value)) < 3000, "the sentence carries the 1 MB cell"
    assert row_counts(storage) == before

    # --skip-invalid: exactly the two good lines, the rest listed.
    report = roster.import_people(storage, data, skip_invalid=True)
    assert report.added == 2 and {e.line for e in report.errors} == set(expected)
    names = sorted(p["name"] for p in roster.list_people(storage))
    assert names == ["Ada Brook", "Ben Carter"]

    # Through the command line: exit 1, one line on stderr, nothing imported.
    path = tmp_path / "roster.csv"
    path.write_bytes(data)
    fresh = tmp_path / "fresh.db"
    assert cli("setup", "--db", str(fresh)).returncode == 0
    done = cli("people", "import", str(path), "--db", str(fresh))
    assert done.returncode == 1
    err = done.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("storeshift: Nothing was imported") and "line 3:" in err
    assert len(err) < 3000


def test_file_larger_than_the_limit_is_refused_before_reading(storage, tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.write(HEADER)
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: big to the importer, cheap on disk
    before = row_counts(storage)
    with pytest.raises(UserError) as raised:
        roster.import_people(storage, path)
    assert "larger than 50 MB" in str(raised.value)
    assert row_counts(storage) == before


def test_many_lines_are_fine_and_one_bad_line_among_them_stops_all(storage):
    lines = [HEADER] + [f"Person {i},Dept,p{i}@example.com,E{i}\n".encode() for i in range(20_000)]
    lines[15_000] = b"Broken\x00Line,Dept,x@example.com,X\n"
    before = row_counts(storage)
    with pytest.raises(CsvRefused) as raised:
        roster.import_people(storage, b"".join(lines))
    assert [e.line for e in raised.value.errors] == [15_001]
    assert row_counts(storage) == before


@pytest.mark.parametrize("data, words", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\xff\xfe", "not a CSV text file"),  # a picture
    (b"", "empty"),
    (b"\n\n\n", "empty"),
    (b"department,email\nIT,a@b.co\n", "no column 'name'"),
    (b'name,department\n"Unclosed quote,IT\nAda,IT\n', "line 2"),
])
def test_unreadable_roster_files_get_a_sentence(storage, data, words):
    before = row_counts(storage)
    with pytest.raises(UserError) as raised:
        roster.import_people(storage, data)
    assert words in str(raised.value)
    assert row_counts(storage) == before


def test_formulas_are_kept_as_text_and_exported_so_spreadsheets_do_not_run_them(storage, tmp_path):
    formulas = ["=HYPERLINK(\"http://x\",\"click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
    quoted = ['"' + f.replace('"', '""') + '"' for f in formulas]
    data = HEADER + b"".join(f"{q},Dept,f{i}@example.com,F{i}\n".encode() for i, q in enumerate(quoted))
    report = roster.import_people(storage, data)
    assert report.added == len(formulas)
    stored = sorted(p["name"] for p in roster.list_people(storage))
    assert stored == sorted(formulas), "a name was altered on the way in"
    out = tmp_path / "out.csv"
    write_csv(out, ["name"], [[name] for name in stored])
    with open(out, encoding="utf-8-sig", newline="") as handle:
        cells = [row[0] for row in csv.reader(handle)][1:]
    assert all(cell.startswith("'") for cell in cells), cells
    assert [spreadsheet_safe(n) for n in stored] == cells


def test_hostile_tasks_and_bookings_csv(storage):
    roster.add_person(storage, name="Ada Brook", employee_id="E1")
    before = row_counts(storage)
    task_csv = (b"title,capacity,minutes\nGreet,2,30\n" + b"x" * 300 + b",1,1\nStock,-1,30\nShadow,two,30\n"
                + b"\x00,1,1\nGreet,3,30\n")
    with pytest.raises(CsvRefused) as raised:
        tasks.import_tasks(storage, task_csv)
    assert [e.line for e in raised.value.errors] == [3, 4, 5, 6, 7]
    booking_csv = (b"employee_id,start,end\nE1,2026-11-25 09:00,2026-11-25 12:00\n"
                   b"E1,2026-02-30 09:00,2026-02-30 10:00\nE1,2026-11-25 12:00,2026-11-25 09:00\n"
                   b"E9,2026-11-25 09:00,2026-11-25 10:00\nE1,=NOW(),=NOW()+1\n"
                   b"'; DROP TABLE bookings; --,2026-11-25 09:00,2026-11-25 10:00\n")
    with pytest.raises(CsvRefused) as raised:
        bookings.import_bookings(storage, booking_csv)
    assert [e.line for e in raised.value.errors] == [3, 4, 5, 6, 7]
    assert row_counts(storage) == before


HOSTILE_TEXT = ["x" * 1_000_000, "NUL\x00inside", "\x1b[2J\x1b]0;pwned\x07 escape codes", "line\r\nbreaks\u2028and\u2029more",
                "=cmd|' /C calc'!A0", "'; DROP TABLE observations; --", "\u202eevil right-to-left", "emoji 🧾🔥 and 中文",
                "lone surrogate \ud800 here", "\ufeffbom"]


def test_observation_text_fields_take_hostile_text_safely(storage):
    person = roster.add_person(storage, name="Ada Brook")
    visit = visits.check_in_manually(storage, person["id"])
    for text in HOSTILE_TEXT:
        before = row_counts(storage)
        try:
            saved = observations.add_observation(storage, category="idea", text=text, quote=text[:900],
                                                 visit_id=visit["id"])
        except UserError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 300, str(exc)
            assert row_counts(storage) == before
            continue
        stored = observations.get_observation(storage, saved["id"])
        for value in (stored["text"], stored["quote"]):
            assert "\x00" not in value
            assert not any(ord(c) < 32 and c not in "\n\t" for c in value), repr(value[:80])
            value.encode("utf-8")  # storable and showable: no lone surrogates
        observations.triage(storage, saved["id"], owner=text[:200], follow_up=text[:900], status="triaged")
    with pytest.raises(UserError) as raised:
        observations.add_observation(storage, category="idea", text="x" * 1_000_000, visit_id=visit["id"])
    assert "characters long" in str(raised.value)


@pytest.mark.parametrize("field", ["name", "department", "email", "employee_id"])
def test_person_fields_refuse_control_characters_and_huge_values(storage, field):
    base = {"name": "Ada Brook", "department": "Finance", "email": "ada@example.com", "employee_id": "E1"}
    before = row_counts(storage)
    for bad in ("Ada\x1b[31m", "x" * 1_000_000, "Ada\x00Brook", "lone \ud800"):
        with pytest.raises(UserError) as raised:
            roster.add_person(storage, **{**base, field: bad})
        assert len(str(raised.value)) < 300
    assert row_counts(storage) == before


def test_settings_refuse_hostile_values(storage):
    before = row_counts(storage)
    for key, bad in [("site_name", "x" * 1_000_000), ("site_name", "   "), ("timezone", "../../etc/passwd"),
                     ("timezone", "Europe/London\x00"), ("closing_time", "25:99"), ("repeat_window_s", "-5"),
                     ("repeat_window_s", "1e309"), ("kiosk_idle_s", "=1+1"), ("no_such_key", "1")]:
        with pytest.raises(UserError):
            settings.put(storage, key, bad)
    assert row_counts(storage) == before
