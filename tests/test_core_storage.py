"""The database file: migrations, pragmas, write transactions, two processes, network shares."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from storeshift import errors
from storeshift.storage import audit, open_storage
from storeshift.storage import db as dbmod
from storeshift.storage.schema import migrations

CORE_TABLES = {"sites", "people", "badges", "visits", "tasks", "assignments", "observations", "bookings",
               "audit_log", "settings", "organisation"}


def schema_of(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                        "ORDER BY type, name").fetchall()
    conn.close()
    return rows


def test_new_database_has_every_table_and_the_safe_pragmas(storage):
    assert CORE_TABLES <= set(storage.db.table_names())
    conn = storage.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == dbmod.BUSY_TIMEOUT_MS
    for table in CORE_TABLES - {"organisation"}:
        columns = {c.name for c in storage.db[table].columns}
        assert {"id", "site_id"} <= columns, table


def test_migrations_recorded_once_and_reopening_changes_nothing(db_path):
    first = open_storage(db_path)
    applied = [m.name for m in migrations.applied(first.db)]
    first.close()
    before = schema_of(db_path)
    again = open_storage(db_path)
    assert [m.name for m in migrations.applied(again.db)] == applied == [m.name for m in migrations._migrations]
    again.close()
    assert schema_of(db_path) == before


def test_fresh_and_upgraded_database_end_up_identical(tmp_path):
    """A database made by an older storeshift (only the first migration) upgrades to the same schema."""
    fresh = open_storage(tmp_path / "fresh.db")
    fresh.close()
    conn = sqlite3.connect(tmp_path / "old.db")
    from sqlite_utils import Database

    first = migrations._migrations[0]
    db = Database(conn)
    migrations.ensure_migrations_table(db)
    with db.atomic():
        first.fn(db)
        migrations._record_applied(db, first.name)
    conn.close()
    upgraded = open_storage(tmp_path / "old.db")
    upgraded.close()
    strip = lambda rows: [r for r in rows if r[1] != "_sqlite_migrations"]  # noqa: E731
    assert strip(schema_of(tmp_path / "fresh.db")) == strip(schema_of(tmp_path / "old.db"))


def test_one_home_site_and_an_organisation_key_on_creation(storage):
    sites = storage.rows("SELECT * FROM sites")
    assert len(sites) == 1 and sites[0]["is_home"] == 1 and sites[0]["id"] == storage.site_id
    assert storage.value("SELECT count(*) FROM organisation") == 1


def test_write_rolls_back_everything_on_error(storage):
    before = storage.value("SELECT count(*) FROM people")
    with pytest.raises(RuntimeError):
        with storage.write():
            audit.insert(storage, "people", {"name": "Half Written", "department": "", "active": 1}, "test")
            raise RuntimeError("power cut")
    assert storage.value("SELECT count(*) FROM people") == before
    assert audit.verify(storage).ok


def test_lock_held_by_another_process_gives_a_sentence_not_a_traceback(db_path):
    storage = open_storage(db_path)
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    storage.conn.execute("PRAGMA busy_timeout=100")
    try:
        with pytest.raises(errors.DatabaseBusy) as caught:
            with storage.write("record the scan"):
                pass
        assert "another program is using the database" in str(caught.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with storage.write():  # lands once the lock is gone
        pass
    storage.close()


WRITER = textwrap.dedent("""
    import sys
    from storeshift.storage import open_storage
    from storeshift.services import roster
    storage = open_storage(sys.argv[1])
    for i in range(int(sys.argv[3])):
        roster.add_person(storage, name=f"{sys.argv[2]} {i}", department="Test")
    print("done")
""")


def test_two_processes_writing_at_once_never_see_database_is_locked(db_path):
    open_storage(db_path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), name, "40"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("Kiosk", "Lead")]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "locked" not in err
    storage = open_storage(db_path)
    assert storage.value("SELECT count(*) FROM people") == 80
    assert audit.verify(storage).ok
    storage.close()


def test_network_share_is_refused_with_a_reason(monkeypatch, tmp_path):
    monkeypatch.setattr(dbmod, "_mount_fstype", lambda path: "cifs")
    with pytest.raises(errors.UserError, match="network drive"):
        open_storage(tmp_path / "shared.db")
    with pytest.raises(errors.UserError, match="network drive"):
        dbmod.refuse_network_share(dbmod.Path("//fileserver/stores/storeshift.db"))


def test_mount_table_lookup_finds_the_local_filesystem(tmp_path):
    assert dbmod._mount_fstype(tmp_path) not in dbmod.NETWORK_FILESYSTEMS


def _raised(action) -> sqlite3.Error:
    try:
        action()
    except sqlite3.Error as exc:
        return exc
    raise AssertionError("no SQLite error")


def test_sqlite_errors_become_sentences_by_their_code(tmp_path):
    """Real SQLite errors, classified by sqlite_errorcode, never by their message's words."""
    path = tmp_path / "codes.db"
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.execute("PRAGMA max_page_count = 3")
    full = _raised(lambda: conn.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,)))
    assert isinstance(dbmod.translate(full), errors.DiskFull)
    readonly = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    assert isinstance(dbmod.translate(_raised(lambda: readonly.execute("INSERT INTO t VALUES (1)"))),
                      errors.ReadOnlyDatabase)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    conn.execute("BEGIN IMMEDIATE")
    assert isinstance(dbmod.translate(_raised(lambda: other.execute("BEGIN IMMEDIATE"))), errors.DatabaseBusy)
    conn.execute("ROLLBACK")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all " * 100)
    stranger = sqlite3.connect(junk)
    assert isinstance(dbmod.translate(_raised(lambda: stranger.execute("SELECT * FROM t"))), errors.DamagedDatabase)
    stranger.close()
    # Words in a message mean nothing: these are bugs, named by code and never quoted.
    for sql in ("SELECT fullname FROM t", "SELECT * FROM locked_rows", "SELECT * FROM busy_readonly_full"):
        bug = dbmod.translate(_raised(lambda sql=sql: conn.execute(sql)))
        assert isinstance(bug, errors.UnexpectedDatabaseError) and "SQLITE_ERROR" in str(bug)
        assert "fullname" not in str(bug) and "locked_rows" not in str(bug)
    for c in (conn, readonly, other):
        c.close()


def test_a_background_job_reuses_the_windows_integrity_verdict(db_path, monkeypatch):
    """A report, import or backup opens its own connection in a thread: the window's check of
    the file stands for it, instead of another check of a file that can hold a million visits."""
    from storeshift.storage import soundness

    open_storage(db_path).close()
    soundness.forget_seen(db_path)  # as after a crash: the next open checks the whole file
    window = open_storage(db_path, check_in_background=True)
    try:
        window.ensure_checked()
        checks = []
        real = soundness.problems
        monkeypatch.setattr(soundness, "problems", lambda *args, **kwargs: checks.append(args) or real(*args, **kwargs))
        job = open_storage(db_path, checked_by=window)
        job.close()
        assert checks == []
        job = open_storage(db_path)  # on its own, a connection checks the file first
        job.close()
        assert len(checks) == 1
    finally:
        window.close()


def test_opening_a_window_s_database_imports_neither_sqlite_utils_nor_numpy(db_path):
    """A window's start stays light, and the integrity check's thread imports no C extension while
    the window loads Qt's libraries (a thread importing numpy while QtMultimedia loaded deadlocked)."""
    open_storage(db_path).close()
    (db_path.parent / f"{db_path.name}-seen").unlink()  # so the full check (the audit chain) runs
    code = textwrap.dedent(f"""
        import sys
        from storeshift.services import settings
        from storeshift.storage import open_storage
        storage = open_storage({str(db_path)!r}, check_in_background=True)
        storage.ensure_checked()
        settings.get(storage, "site_name")
        storage.close()
        print(sorted(m for m in ("sqlite_utils", "numpy") if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
