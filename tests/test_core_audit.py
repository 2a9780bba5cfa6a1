"""The hash-chained audit log: every change logged, any edit behind storeshift's back detected."""

from __future__ import annotations

import sqlite3

from storeshift.services import maintenance, roster
from storeshift.storage import audit


def test_every_change_writes_an_audit_row(storage):
    before = storage.value("SELECT count(*) FROM audit_log")
    person = roster.add_person(storage, name="Ada Lovelace", department="IT")
    roster.edit_person(storage, person["id"], department="Finance")
    rows = storage.rows("SELECT action, table_name, record_id, actor FROM audit_log ORDER BY seq")[before:]
    assert [(r["action"], r["table_name"]) for r in rows] == [
        ("insert", "people"), ("issue", "badges"), ("update", "people")]
    assert rows[0]["record_id"] == person["id"]
    assert all(r["actor"] for r in rows)


def test_chain_links_each_row_to_the_previous(storage):
    roster.add_person(storage, name="Grace Hopper")
    rows = storage.rows("SELECT seq, prev_hash, hash FROM audit_log WHERE site_id = ? ORDER BY seq",
                        (storage.site_id,))
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    for earlier, later in zip(rows, rows[1:]):
        assert later["prev_hash"] == earlier["hash"]


def _raw(db_path):
    return sqlite3.connect(db_path, isolation_level=None)


def test_editing_a_record_directly_is_detected(demo_storage, db_path):
    assert maintenance.check(demo_storage).ok
    raw = _raw(db_path)
    raw.execute("UPDATE visits SET check_out_at = '2026-11-20T23:00:00Z' WHERE id = "
                "(SELECT id FROM visits WHERE check_out_at IS NOT NULL LIMIT 1)")
    raw.close()
    report = maintenance.check(demo_storage)
    assert not report.ok
    assert any("visits row" in p and "changed outside storeshift" in p for p in report.audit.problems)


def test_editing_an_audit_row_breaks_the_chain(demo_storage, db_path):
    raw = _raw(db_path)
    raw.execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = 5")
    raw.close()
    problems = audit.verify(demo_storage).problems
    assert any("entry 5 was altered" in p for p in problems)


def test_deleting_an_audit_row_or_a_record_is_detected(demo_storage, db_path):
    raw = _raw(db_path)
    raw.execute("DELETE FROM audit_log WHERE seq = 7")
    raw.execute("DELETE FROM observations WHERE id = (SELECT id FROM observations LIMIT 1)")
    raw.execute("INSERT INTO tasks (id, site_id, created_at, updated_at, title) "
                "VALUES ('x', 'y', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'Sneaky task')")
    raw.close()
    problems = " | ".join(audit.verify(demo_storage).problems)
    assert "entry 7 is missing" in problems
    assert "was deleted outside storeshift" in problems
    assert "tasks row x" in problems and "added outside storeshift" in problems


def test_a_clean_demo_database_verifies(demo_storage):
    result = audit.verify(demo_storage)
    assert result.ok, result.problems
    assert result.entries >= result.records > 100
