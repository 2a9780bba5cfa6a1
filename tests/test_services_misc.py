"""Bookings, settings, the shift-lead PIN with its lockout, privacy requests, backups, demo data."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from storeshift.errors import Refused, UserError
from storeshift.services import (badges, bookings, demo, maintenance, pin, privacy, roster, settings, tasks,
                                 visits)
from storeshift.services.csvio import CsvRefused, spreadsheet_safe
from storeshift.storage import audit, open_storage


def test_bookings_import_and_expected_today(storage, at):
    roster.import_people(storage, b"name,employee_id,email\nAda,E1,ada@example.com\nBob,E2,\n")
    tasks.add_task(storage, title="Returns desk")
    data = (b"employee_id,email,start,end,task\nE1,,2026-11-25 09:00,2026-11-25 11:00,Returns desk\n"
            b",ada@example.com,2026-11-26 09:00,2026-11-26 11:00,\nE2,,2026-11-25 13:00,2026-11-25 15:00,\n")
    assert bookings.import_bookings(storage, data).added == 3
    assert bookings.import_bookings(storage, data).unchanged == 3
    expected = bookings.expected_today(storage, now=at(8))
    assert [b["name"] for b in expected] == ["Ada", "Bob"]
    ada = roster.find_person(storage, "E1")
    visits.check_in_manually(storage, ada["id"], now=at(9, 2))
    assert [b["name"] for b in bookings.expected_today(storage, now=at(9, 5))] == ["Bob"]


def test_expected_today_earliest_first_with_a_limit_and_the_full_count(storage, at):
    people = "".join(f"Person {i},E{i}\n" for i in range(6))
    roster.import_people(storage, ("name,employee_id\n" + people).encode())
    lines = "".join(f"E{i},2026-11-25 {13 - i:02d}:00,2026-11-25 {15 - i:02d}:00\n" for i in range(6))
    bookings.import_bookings(storage, ("employee_id,start,end\n" + lines).encode())
    visits.check_in_manually(storage, roster.find_person(storage, "E5")["id"], now=at(7, 30))   # came early
    first = bookings.expected_today(storage, now=at(7, 45), limit=3)
    assert [b["name"] for b in first] == ["Person 4", "Person 3", "Person 2"]
    assert bookings.count_expected_today(storage, now=at(7, 45)) == 5
    assert len(bookings.expected_today(storage, now=at(7, 45))) == 5
    # An erased person's visit keeps no person_id; it must not hide everyone else.
    privacy.erase_person(storage, roster.find_person(storage, "E5")["id"])
    assert bookings.count_expected_today(storage, now=at(7, 45)) == 5
    assert len(bookings.expected_today(storage, now=at(7, 45))) == 5


def test_bad_booking_lines(storage):
    roster.import_people(storage, b"name,employee_id\nAda,E1\n")
    data = b"employee_id,start,end,task\nE9,2026-11-25 09:00,2026-11-25 10:00,\nE1,tomorrow,later,\n" \
           b"E1,2026-11-25 11:00,2026-11-25 10:00,\nE1,2026-11-25 09:00,2026-11-25 10:00,Nope\n"
    with pytest.raises(CsvRefused) as caught:
        bookings.import_bookings(storage, data)
    assert [e.line for e in caught.value.errors] == [2, 3, 4, 5]
    assert storage.value("SELECT count(*) FROM bookings") == 0


def test_settings_are_validated_with_their_label(storage):
    assert settings.get(storage, "repeat_window_s") == 60
    settings.put(storage, "timezone", "Asia/Tokyo")
    assert settings.get(storage, "timezone") == "Asia/Tokyo"
    with pytest.raises(UserError, match="Time zone: 'Mars/Base' is not a time zone"):
        settings.put(storage, "timezone", "Mars/Base")
    with pytest.raises(UserError, match="Closing time"):
        settings.put(storage, "closing_time", "late")
    with pytest.raises(UserError, match="no setting"):
        settings.put(storage, "colour", "red")


def test_every_stored_key_is_declared_with_a_type_internal_ones_too(storage):
    for key in ("pin_hash", "pin_failures", "pin_locked_until", "last_backup_at", "setup_done"):
        assert key in settings.BY_KEY and settings.BY_KEY[key].internal
    assert settings.get(storage, "pin_failures") == 0 and settings.get(storage, "setup_done") is False
    settings.put(storage, "pin_failures", "3", actor="test")
    assert settings.get(storage, "pin_failures") == 3
    for key, bad in (("pin_failures", "-1"), ("pin_locked_until", "soon"), ("pin_hash", "1234"),
                     ("setup_done", "maybe"), ("scan_min_length", "0"), ("site_name", " ")):
        with pytest.raises(UserError):
            settings.put(storage, key, bad, actor="test")
    assert settings.get(storage, "pin_failures") == 3  # bad input changed nothing
    stored = {row["key"] for row in storage.rows("SELECT key FROM settings")} | set(settings.SITE_COLUMNS)
    assert stored <= set(settings.BY_KEY)
    # Only the shift lead's settings are on the Settings page.
    assert "pin_hash" not in settings.all_settings(storage)


def count_statements(storage) -> list[str]:
    seen: list[str] = []
    storage.conn.set_trace_callback(seen.append)
    return seen


def test_settings_are_read_once_until_the_database_changes(storage, db_path):
    settings.get(storage, "site_name")
    seen = count_statements(storage)
    for key in ("site_name", "timezone", "language", "repeat_window_s", "scan_min_length", "closing_time"):
        settings.get(storage, key)
    settings.site_timezone(storage)
    settings.closing_times(storage)
    assert [s for s in seen if not s.startswith("PRAGMA data_version")] == []

    # This connection's own write is seen at once ...
    settings.put(storage, "repeat_window_s", 90, actor="test")
    assert settings.get(storage, "repeat_window_s") == 90
    # ... and so is another connection's (another process: the kiosk, the command line).
    other = open_storage(db_path)
    try:
        settings.put(other, "timezone", "Europe/Paris", actor="test")
    finally:
        other.close()
    seen.clear()
    assert settings.site_timezone(storage) == "Europe/Paris"
    assert settings.get(storage, "repeat_window_s") == 90
    assert len([s for s in seen if s.startswith("SELECT")]) == 2  # the settings and the site, once
    storage.conn.set_trace_callback(None)


def test_pin_is_hashed_never_stored_plain(storage, db_path):
    pin.set_pin(storage, "482916")
    stored = settings.get(storage, "pin_hash")
    assert stored.startswith("scrypt$") and "482916" not in stored
    assert pin.check_pin(storage, "482916")
    with pytest.raises(Refused):
        pin.set_pin(storage, "111111", old_pin="000000")
    pin.set_pin(storage, "111111", old_pin="482916")
    assert pin.check_pin(storage, "111111")
    storage.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"482916" not in db_path.read_bytes() and b"111111" not in db_path.read_bytes()
    with pytest.raises(UserError, match="4 to 12 digits"):
        pin.set_pin(storage, "12", old_pin="111111")


def test_five_wrong_pins_lock_out_growing_and_across_reopen(storage, db_path):
    pin.set_pin(storage, "2468")
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
    for _ in range(4):
        assert pin.check_pin(storage, "0000", now=now) is False
    assert pin.locked_until(storage, now) is None
    assert pin.check_pin(storage, "0000", now=now) is False  # fifth: locked for 30 s
    first_lock = pin.locked_until(storage, now)
    assert first_lock == now + dt.timedelta(seconds=30)
    storage.close()
    reopened = open_storage(db_path)
    with pytest.raises(Refused, match="Too many wrong PINs"):
        pin.check_pin(reopened, "2468", now=now + dt.timedelta(seconds=10))  # even the right one waits
    later = now + dt.timedelta(seconds=31)
    assert pin.check_pin(reopened, "1111", now=later) is False  # sixth: 60 s
    assert pin.locked_until(reopened, later) == later + dt.timedelta(seconds=60)
    assert pin.check_pin(reopened, "2468", now=later + dt.timedelta(seconds=61))
    assert reopened.value("SELECT count(*) FROM audit_log WHERE action = 'pin_failed'") == 6
    assert audit.verify(reopened).ok
    reopened.close()


def test_export_and_erase_a_person(demo_storage, db_path):
    person = demo_storage.one("SELECT p.* FROM people p JOIN visits v ON v.person_id = p.id "
                              "JOIN observations o ON o.person_id = p.id LIMIT 1")
    data = privacy.export_person(demo_storage, person["id"])
    assert data["person"]["name"] == person["name"] and data["visits"] and data["observations"]
    json.dumps(data, ensure_ascii=False)
    hours_before = demo_storage.value("SELECT count(*) FROM visits")
    summary = privacy.erase_summary(demo_storage, person["id"])
    assert person["name"] in summary and "stay" in summary
    privacy.erase_person(demo_storage, person["id"])
    assert demo_storage.value("SELECT count(*) FROM visits") == hours_before
    for table in ("people", "badges", "bookings"):
        assert demo_storage.value(f"SELECT count(*) FROM {table} WHERE "
                                  f"{'id' if table == 'people' else 'person_id'} = ?", (person["id"],)) == 0
    assert demo_storage.value("SELECT count(*) FROM visits WHERE person_id = ?", (person["id"],)) == 0
    assert maintenance.check(demo_storage).ok
    demo_storage.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert person["name"].encode() not in db_path.read_bytes()


def test_backup_is_consistent_and_restore_keeps_the_replaced_file(demo_storage, db_path, tmp_path):
    backup = maintenance.backup(demo_storage, tmp_path / "backups" / "b.db")
    assert sqlite3.connect(backup).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    people = demo_storage.value("SELECT count(*) FROM people")
    roster.add_person(demo_storage, name="After Backup")
    demo_storage.close()
    kept = maintenance.restore(db_path, backup)
    assert kept.exists()
    restored = open_storage(db_path)
    assert restored.value("SELECT count(*) FROM people") == people
    assert maintenance.check(restored).ok
    restored.close()
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(UserError, match="not a healthy"):
        maintenance.restore(db_path, tmp_path / "junk.db")


def test_demo_is_deterministic_realistic_and_refuses_a_used_database(tmp_path):
    now = dt.datetime(2026, 11, 25, 11, 0, tzinfo=dt.timezone.utc)
    a, b = open_storage(tmp_path / "a.db"), open_storage(tmp_path / "b.db")
    counts = demo.seed(a, people=60, weeks=4, seed=3, now=now)
    assert counts == demo.seed(b, people=60, weeks=4, seed=3, now=now)
    assert counts["people"] == 60 and counts["visits"] > 50 and counts["on floor now"] > 0
    names_a = [r["name"] for r in a.rows("SELECT name FROM people ORDER BY employee_id")]
    assert names_a == [r["name"] for r in b.rows("SELECT name FROM people ORDER BY employee_id")]
    categories = {r["category"] for r in a.rows("SELECT DISTINCT category FROM observations")}
    assert categories == {"customer_voice", "process_problem", "product_issue", "idea", "praise"}
    statuses = {r["status"] for r in a.rows("SELECT DISTINCT status FROM themes")}
    assert {"triaged", "actioned"} <= statuses
    # Triage lives on themes; the last days' notes are new, in no theme yet.
    assert a.value("SELECT count(*) FROM observations WHERE theme_id IS NULL") > 0
    assert a.value("SELECT count(*) FROM observations WHERE theme_id IS NOT NULL") > 0
    assert maintenance.check(a).ok
    with pytest.raises(UserError, match="already has people"):
        demo.seed(a)
    payload = badges.badge_payloads(a)[0][1]
    assert visits.scan(a, payload).accepted
    a.close()
    b.close()


def test_spreadsheet_safe_cells():
    assert spreadsheet_safe("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert spreadsheet_safe("+1") == "'+1" and spreadsheet_safe("@cmd") == "'@cmd"
    assert spreadsheet_safe("Plain text") == "Plain text"
