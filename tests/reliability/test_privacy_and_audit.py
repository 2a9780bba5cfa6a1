"""Cases 11 and 12: logs hold no names, payloads, PINs or observation text; an erased person
leaves no trace in any table or in the file's bytes; and any row changed behind storeshift's
back with sqlite3 is caught by `storeshift check`."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from storeshift import logs
from storeshift.services import badges, bookings, observations, pin, privacy, roster, settings, tasks, visits
from storeshift.storage import open_storage

from .support import cli, seed_store, spawn

pytestmark = pytest.mark.reliability

NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.q@example.com"
EMPLOYEE = "EZQ7731"
NOTE = "Quokka fridge leaks under the bakery counter"
PIN = "864209753124"
PAYLOAD_RE = re.compile(rb"SS1-[A-Z2-7]{4}-[A-Z2-7]{26}-\d+-[A-Z2-7]{16}", re.I)


def all_values(storage) -> list[str]:
    """Every text value in every table, system tables of storeshift included."""
    found = []
    for table in [r["name"] for r in storage.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]:
        for row in storage.conn.execute(f"SELECT * FROM [{table}]"):
            found += [str(v) for v in row if v is not None]
    return found


def on_disk(path: Path) -> bytes:
    """The database file and its WAL exactly as the app left them (no checkpoint here)."""
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def person_with_history(storage, at) -> tuple[dict, str]:
    person = roster.add_person(storage, name=NAME, email=EMAIL, employee_id=EMPLOYEE, department="Finance")
    badges.issue(storage, person["id"])  # a lost card replaced: the first badge is revoked
    payload = badges.payload_for(storage, person["id"])
    settings.put(storage, "repeat_window_s", 30)
    task = tasks.add_task(storage, title="Greet at the door")
    visits.scan(storage, payload, now=at(9, 0))
    visit = visits.open_visit(storage, person["id"])
    tasks.assign(storage, visit["id"], task["id"])
    visits.scan(storage, payload, now=at(12, 0))
    observations.add_observation(storage, category="process_problem", text=NOTE, quote="they said the fridge is old",
                                 visit_id=visit["id"])
    bookings.import_bookings(storage, f"employee_id,start,end\n{EMPLOYEE},2026-11-26 09:00,2026-11-26 12:00\n".encode())
    roster.edit_person(storage, person["id"], department="Finance & Risk")  # old versions of the row on disk too
    return person, payload


@pytest.mark.parametrize("kiosk_running", [False, True], ids=["alone", "while-a-kiosk-process-writes"])
def test_erasing_a_person_leaves_no_trace_in_tables_or_file_bytes(db_path, at, kiosk_running):
    storage = open_storage(db_path)
    person, payload = person_with_history(storage, at)
    other = roster.add_person(storage, name="Someone Else")
    assert NAME.encode() in on_disk(db_path)
    kiosk = None
    if kiosk_running:
        for i in range(5):
            roster.add_person(storage, name=f"Kiosk Regular {i}")
        kiosk = spawn("kiosk", db_path, "--start", "2026-11-27T08:00:00Z", "--step", 3, "--seconds", 30)
        assert kiosk.stdout.readline().strip() == "READY"
    try:
        counts = privacy.erase_person(storage, person["id"])
    finally:
        if kiosk is not None:
            kiosk.kill()
            kiosk.communicate()
    # (The kiosk process scans everyone's badge, the erased person's too, so they may have more visits.)
    assert counts["badges"] == 2 and counts["visits anonymised"] >= 1 and counts["bookings"] == 1

    values = "\n".join(all_values(storage))
    for trace in (NAME, EMAIL, EMPLOYEE, "Quillfeather"):
        assert trace not in values, f"{trace} is still in a table"
    # What stays is anonymous: the hours and the note (minus the link to who wrote it).
    if not kiosk_running:
        visit = storage.one("SELECT * FROM visits")
        assert visit["person_id"] is None and visits.visit_minutes(visit) == 180
        assert storage.value("SELECT person_id FROM observations") is None
    assert visits.scan(storage, payload).reason == "unknown_person"
    assert roster.get_person(storage, other["id"])["name"] == "Someone Else"

    raw = on_disk(db_path)
    for trace in (NAME, EMAIL, EMPLOYEE):
        for encoding in ("utf-8", "utf-16-le"):
            assert trace.encode(encoding) not in raw, f"{trace} can still be read from the file"
    assert b"Someone Else" in raw  # the search itself works
    storage.close()
    assert cli("check", "--db", str(db_path)).returncode == 0


def test_erase_through_the_command_line(db_path, at):
    storage = open_storage(db_path)
    person_with_history(storage, at)
    storage.close()
    done = cli("people", "erase", "--person", EMAIL, "--yes", "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    raw = on_disk(db_path)
    assert NAME.encode() not in raw and EMAIL.encode() not in raw
    assert cli("check", "--db", str(db_path)).returncode == 0


def test_logs_hold_no_names_payloads_pins_or_observation_text(tmp_path, at):
    """Everything that logs, including failures, bugs caught by the CLI and child processes."""
    db = tmp_path / "store.db"
    seed_store(db, people=3)
    storage = open_storage(db)
    person, payload = person_with_history(storage, at)
    pin.set_pin(storage, PIN)
    pin.check_pin(storage, "111122223333")
    storage.close()
    csv_path = tmp_path / "roster.csv"
    csv_path.write_text(f"name,email\n{NAME} Twin,{EMAIL}\nBad\x1bName,x@example.com\n", encoding="utf-8")
    runs = [cli("scan", payload, "--db", str(db)),
            cli("scan", payload.replace("SS1", "SS9"), "--db", str(db)),
            cli("people", "import", str(csv_path), "--db", str(db)),
            cli("people", "list", "--search", NAME, "--db", str(db)),
            cli("people", "export", "--person", EMAIL, "--db", str(db)),
            cli("people", "badge", "--person", EMAIL, "--db", str(db)),
            cli("people", "erase", "--person", EMPLOYEE, "--yes", "--db", str(db)),
            cli("scan", payload, "--db", str(db)),
            cli("backup", "--out", "/proc/no-such-place/backup.db", "--db", str(db))]  # fails: an error path
    assert runs[0].returncode == 0 and runs[1].returncode == 1
    logged = b"".join(p.read_bytes() for p in logs.log_dir().glob("*"))
    for secret in (NAME.encode(), EMAIL.encode(), EMPLOYEE.encode(), NOTE.encode(), PIN.encode(),
                   b"111122223333", payload.encode()):
        assert secret not in logged, f"{secret!r} is in the log"
    assert not PAYLOAD_RE.search(logged)


def test_logs_of_the_whole_reliability_run_hold_no_secrets(tmp_path_factory):
    """Every log file written so far in this test session (this suite's tests and their child
    processes each log to their own folder under the session's temporary directory)."""
    root = tmp_path_factory.getbasetemp()
    files = [p for p in root.rglob("*.log*") if p.is_file()]
    assert files, "no log files were written at all"
    secrets = [NAME, EMAIL, NOTE, PIN, "739184265031", "555000111222", "864209753124", "Customers could not find",
               "Signs by the lifts", "Observation marker", "Ada Brook", "Active Person", "Visitor 00"]
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret} in {path.name}"
        assert not PAYLOAD_RE.search(data), f"a badge payload in {path.name}"
        assert not re.search(rb"(noticed|edited) [a-p]{32}", data), f"observation text in {path.name}"


# --- case 12: the audit chain ------------------------------------------------------------------

def tampered_store(path: Path, at) -> None:
    storage = open_storage(path)
    person_with_history(storage, at)
    storage.close()


TAMPERING = {
    "edit a visit's hours": "UPDATE visits SET check_out_at = '2026-11-25T18:00:00Z'",
    "edit a person's name": "UPDATE people SET name = 'Someone Else' WHERE name = 'Zephyrine Quillfeather'",
    "reopen a revoked badge": "UPDATE badges SET revoked_at = NULL",
    "edit an observation": "UPDATE observations SET text = 'all fine'",
    "triage behind the lead's back": "UPDATE observations SET status = 'closed'",
    "change a setting": "UPDATE settings SET value = '3600' WHERE key = 'repeat_window_s'",
    "rename the site": "UPDATE sites SET name = 'Elsewhere'",
    "insert a visit": ("INSERT INTO visits (id, site_id, created_at, updated_at, person_id, department, check_in_at) "
                       "SELECT 'forged-visit', site_id, created_at, updated_at, person_id, department, "
                       "'2026-11-24T09:00:00Z' FROM visits LIMIT 1"),
    "insert a person": ("INSERT INTO people (id, site_id, created_at, updated_at, name) "
                        "SELECT 'forged-person', site_id, created_at, updated_at, 'Ghost' FROM sites LIMIT 1"),
    "delete a visit": "DELETE FROM visits",
    "delete an observation": "DELETE FROM observations",
    "delete a booking": "DELETE FROM bookings",
    "delete an assignment": "DELETE FROM assignments",
    "edit the audit log": "UPDATE audit_log SET actor = 'nobody' WHERE seq = 3",
    "delete an audit entry": "DELETE FROM audit_log WHERE seq = 5",
    "delete audit entries in the middle with their rows":
        "DELETE FROM observations; DELETE FROM audit_log WHERE table_name = 'observations'",
}


@pytest.mark.parametrize("what", list(TAMPERING))
def test_any_row_changed_with_sqlite3_is_detected_by_check(tmp_path, at, what):
    db = tmp_path / "store.db"
    tampered_store(db, at)
    assert cli("check", "--db", str(db)).returncode == 0
    conn = sqlite3.connect(db)
    conn.executescript(TAMPERING[what])
    changed = conn.total_changes
    conn.close()
    assert changed > 0, "the tampering changed nothing: the test proves nothing"
    done = cli("check", "--db", str(db))
    assert done.returncode == 1, f"{what}: not detected\n{done.stdout.decode()}"
    assert "PROBLEMS" in done.stdout.decode()
    assert done.stderr.decode().count("\n") == 1
