"""Cases 5 and 6: a damaged file at start, backups taken while another process writes, a
restore drill, a migration that fails half-way, and two processes upgrading at once."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

import pytest
from sqlite_utils.migrations import Migrations

from storeshift.errors import DamagedDatabase, UnexpectedDatabaseError, UserError
from storeshift.services import maintenance, observations, roster, visits
from storeshift.storage import open_storage, schema
from storeshift.sync import export_bundle

from .support import AUDITED, cli, row_counts, seed_store, spawn

pytestmark = pytest.mark.reliability

DAMAGED_WORDS = ("damaged", "did not open it", "storeshift restore")


def store_with_notes(path: Path, notes: int = 30) -> None:
    """A store whose observations fill pages of their own, near the end of the file."""
    seed_store(path, people=10)
    storage = open_storage(path)
    try:
        for i, person in enumerate(roster.list_people(storage)):
            visit = visits.check_in_manually(storage, person["id"])
            for n in range(notes // 10):
                observations.add_observation(storage, category="idea",
                                             text=f"Observation marker {i}-{n}: " + "shelf labels " * 40,
                                             visit_id=visit["id"])
        storage.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        storage.close()


def page_size(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[16:18], "big")


def flip(path: Path, offset: int, count: int = 8) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + count):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_damaged_page_at_start_is_reported_and_nothing_is_written(tmp_path):
    db = tmp_path / "kiosk.db"
    store_with_notes(db)
    backups = tmp_path / "backups"
    backups.mkdir()
    storage = open_storage(db)
    good_counts = row_counts(storage)
    maintenance.backup(storage, backups)
    storage.close()
    # Damage the b-tree header of a page of observations: start-up itself never reads that table.
    ps = page_size(db)
    page = db.read_bytes().find(b"Observation marker 5-") // ps
    assert page > 1
    flip(db, page * ps)
    damaged = digest(db)

    with pytest.raises(DamagedDatabase) as raised:
        open_storage(db)
    assert all(word in str(raised.value) for word in DAMAGED_WORDS)
    assert digest(db) == damaged, "the damaged file was written to"
    done = cli("check", "--db", str(db))
    assert done.returncode == 1
    assert done.stderr.decode().count("\n") == 1 and "damaged" in done.stderr.decode()
    assert digest(db) == damaged

    # What the message offers: restore the latest backup (from the 'backups' folder beside the
    # database, where the shift-lead window puts them), keeping the damaged file aside.
    latest = maintenance.latest_backup(backups)
    assert latest is not None
    done = cli("restore", "--db", str(db), "--yes")
    assert done.returncode == 0, done.stderr
    assert latest.name in done.stdout.decode()
    kept = [p for p in tmp_path.glob("kiosk.replaced-*.db")]
    assert len(kept) == 1 and digest(kept[0]) == damaged
    storage = open_storage(db)
    try:
        assert row_counts(storage) == good_counts
        assert maintenance.check(storage).ok
    finally:
        storage.close()


def test_a_window_opens_a_damaged_file_but_writes_nothing_to_it(tmp_path):
    """The windows check the file in the background: opening is at once, and the first write
    waits for the verdict and is refused, leaving the file as it was."""
    db = tmp_path / "kiosk.db"
    store_with_notes(db)
    ps = page_size(db)
    flip(db, db.read_bytes().find(b"Observation marker 5-") // ps * ps)
    damaged = digest(db)
    storage = open_storage(db, check_in_background=True)
    try:
        person = roster.list_people(storage)[0]            # reads that miss the damage still work
        with pytest.raises(DamagedDatabase) as raised:
            visits.check_in_manually(storage, person["id"])
        assert all(word in str(raised.value) for word in ("damaged", "saved nothing", "storeshift restore"))
        with pytest.raises(DamagedDatabase):               # and so does every write after it
            roster.add_person(storage, name="Ada Lovelace", department="IT")
        with pytest.raises(DamagedDatabase):               # and nothing of it goes to head office
            export_bundle(storage, tmp_path / "week.ssb")
        assert not list(tmp_path.glob("week.ssb*"))
    finally:
        storage.close()
    assert digest(db) == damaged, "the damaged file was written to"


def test_a_file_with_a_wal_left_over_gets_the_full_check_in_the_background_and_keeps_its_wal(tmp_path):
    """After a power cut the WAL still holds pages, and closing would copy them into the file:
    a window opens at once, the full check runs in the background, and a window closed before a
    sound verdict (or on damage) leaves the file and its WAL exactly as they were."""
    db = tmp_path / "kiosk.db"
    store_with_notes(db)
    writer = open_storage(db)
    writer.conn.execute("PRAGMA wal_autocheckpoint=0")
    roster.add_person(writer, name="Arrived Before The Power Cut")
    cut = tmp_path / "after-power-cut"
    cut.mkdir()
    for suffix in ("", "-wal"):                            # the files as a power cut leaves them
        (cut / f"kiosk.db{suffix}").write_bytes(Path(f"{db}{suffix}").read_bytes())
    writer.close()
    power_cut = cut / "kiosk.db"
    as_left = {suffix: Path(f"{power_cut}{suffix}").read_bytes() for suffix in ("", "-wal")}
    assert (cut / "kiosk.db-wal").stat().st_size > 0
    assert schema.opens_without_writing(power_cut)
    storage = open_storage(power_cut, check_in_background=True)
    try:
        assert storage._integrity is not None and storage._integrity.full
        storage._integrity.join()
        assert storage.verdict() == (True, None)
    finally:
        storage.close()
    assert not (cut / "kiosk.db-wal").exists() or (cut / "kiosk.db-wal").stat().st_size == 0

    # The same, damaged: nothing of the WAL goes into the file, before or after the verdict.
    damaged_dir = tmp_path / "damaged"
    damaged_dir.mkdir()
    for suffix, content in as_left.items():
        (damaged_dir / f"kiosk.db{suffix}").write_bytes(content)
    damaged = damaged_dir / "kiosk.db"
    data = bytearray(damaged.read_bytes())
    data[data.find(b"Observation marker 6-0")] ^= 0x01
    damaged.write_bytes(bytes(data))
    before = {s: Path(f"{damaged}{s}").read_bytes() for s in ("", "-wal")}
    for wait in (False, True):
        storage = open_storage(damaged, check_in_background=True)
        try:
            if wait:
                with pytest.raises(DamagedDatabase):
                    storage.ensure_checked()
        finally:
            storage.close()
        assert {s: Path(f"{damaged}{s}").read_bytes() for s in ("", "-wal")} == before


def test_a_window_on_a_healthy_file_writes_once_the_check_passes(tmp_path):
    db = tmp_path / "kiosk.db"
    seed_store(db, people=3)
    storage = open_storage(db, check_in_background=True)
    try:
        assert storage._integrity is not None, "a file that opens without writing is checked in the background"
        person = roster.list_people(storage)[0]
        assert visits.check_in_manually(storage, person["id"])["person_id"] == person["id"]
        assert not storage._integrity.is_alive() and storage._integrity.problem is None
    finally:
        storage.close()
    # Closing while a check runs stops it (a restore may move the file next).
    storage = open_storage(db, check_in_background=True)
    storage.close()
    assert not storage._integrity.is_alive()


def test_a_file_that_needs_a_migration_is_checked_before_it_opens(tmp_path):
    db = tmp_path / "old.db"
    seed_store(db, people=3)
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_scan_indexes'")
    conn.commit()
    conn.close()
    assert not schema.opens_without_writing(db)
    storage = open_storage(db, check_in_background=True)
    try:
        assert storage._integrity is None           # checked before opening, as the commands do
        assert not schema.migrations.pending(storage.db)
    finally:
        storage.close()


def test_restore_without_a_backup_says_where_it_looked(tmp_path):
    db = tmp_path / "kiosk.db"
    seed_store(db, people=1)
    done = cli("restore", "--db", str(db), "--yes")
    assert done.returncode == 1
    assert done.stderr.decode().count("\n") == 1 and "no backup in" in done.stderr.decode()


def test_damaged_file_header_is_reported(tmp_path):
    db = tmp_path / "kiosk.db"
    seed_store(db, people=3)
    flip(db, 0, 16)
    damaged = digest(db)
    with pytest.raises(DamagedDatabase):
        open_storage(db)
    assert digest(db) == damaged


def test_damage_sqlite_cannot_see_is_caught_by_the_audit_chain(tmp_path):
    """A flipped byte inside a stored text keeps the file well-formed; the record hash catches it."""
    db = tmp_path / "kiosk.db"
    store_with_notes(db)
    data = bytearray(db.read_bytes())
    at = data.find(b"Observation marker 3-0")
    data[at] = ord("o")
    db.write_bytes(bytes(data))
    damaged = digest(db)
    report = maintenance.check_file(db)
    assert report.integrity == ["ok"] and not report.ok
    assert any("observations row" in p and "changed outside storeshift" in p for p in report.audit.problems)
    assert cli("check", "--db", str(db)).returncode == 1
    # The file was changed since storeshift closed it, so opening it makes the full check,
    # chain included, and nothing is written to it.
    with pytest.raises(DamagedDatabase):
        open_storage(db)
    assert digest(db) == damaged


def test_backups_taken_while_another_process_writes_are_whole(tmp_path, counts):
    db = tmp_path / "busy.db"
    seed_store(db)
    writer = spawn("kiosk", db, "--start", "2026-11-25T08:00:00Z", "--step", 3, "--seconds", 60)
    assert writer.stdout.readline().strip() == "READY"
    storage = open_storage(db)
    taken = []
    try:
        for i in range(counts.backups):
            time.sleep(0.2)  # pacing, not waiting for anything: the writer commits between backups
            taken.append(maintenance.backup(storage, tmp_path / f"backup-{i}.db"))
    finally:
        storage.close()
        writer.kill()
        writer.communicate()
    sizes = set()
    for path in taken:
        probe = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        assert probe.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        sizes.add(probe.execute("SELECT count(*) FROM audit_log").fetchone()[0])
        probe.close()
        copy = tmp_path / "check-copy.db"
        copy.write_bytes(path.read_bytes())
        backup = open_storage(copy)
        try:
            # A consistent snapshot: the audit chain and every record agree.
            report = maintenance.check(backup)
            assert report.ok, report.lines()
        finally:
            backup.close()
        copy.unlink()
    assert len(sizes) > 1, "the writer was not writing while the backups were taken"


def test_restore_drill(tmp_path):
    db = tmp_path / "kiosk.db"
    seed_store(db, people=5)
    storage = open_storage(db)
    backup = maintenance.backup(storage, tmp_path / "backups")
    at_backup = read_only_counts(backup)
    roster.add_person(storage, name="Added After Backup")
    after = row_counts(storage)
    storage.close()
    assert after != at_backup

    kept = maintenance.restore(db, backup)
    storage = open_storage(db)
    try:
        assert row_counts(storage) == at_backup
        assert not roster.list_people(storage, search="Added After Backup")
        assert maintenance.check(storage).ok
    finally:
        storage.close()
    replaced = open_storage(kept)
    try:
        assert row_counts(replaced) == after, "the replaced database was not kept beside the restored one"
    finally:
        replaced.close()
    # A file that is not a healthy backup is refused and nothing changes.
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    before = digest(db)
    with pytest.raises(UserError):
        maintenance.restore(db, junk)
    assert digest(db) == before


def read_only_counts(path: Path) -> dict:
    probe = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {t: probe.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in AUDITED}
    finally:
        probe.close()


def migrations_with(*extra) -> Migrations:
    """A copy of the real migration set with test-only migrations added after it."""
    copy = Migrations(schema.migrations.name)
    copy._migrations = list(schema.migrations._migrations)
    for fn in extra:
        copy()(fn)
    return copy


def half_done_python(db):
    db.execute("ALTER TABLE people ADD COLUMN nickname TEXT")
    db.execute("CREATE TABLE half_done (x INTEGER)")
    raise RuntimeError("the upgrade stopped half-way")


def half_done_sql(db):
    db.execute("CREATE TABLE half_done (x INTEGER)")
    db.execute("INSERT INTO half_done VALUES (1)")
    db.execute("ALTER TABLE no_such_table ADD COLUMN y TEXT")


@pytest.mark.parametrize("failing", [half_done_python, half_done_sql])
def test_migration_failing_half_way_is_rolled_back_and_the_app_starts(tmp_path, monkeypatch, failing):
    db = tmp_path / "old.db"
    seed_store(db, people=3)
    before = digest_rows(db)
    monkeypatch.setattr(schema, "migrations", migrations_with(failing))
    with pytest.raises((RuntimeError, UnexpectedDatabaseError)) as raised:
        open_storage(db)
    if failing is half_done_sql:  # a broken migration is a bug, not something the user can fix
        assert isinstance(raised.value, UnexpectedDatabaseError) and "upgrade the database" in str(raised.value)
    probe = sqlite3.connect(db)
    tables = {r[0] for r in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    columns = {r[1] for r in probe.execute("PRAGMA table_info(people)")}
    applied = [r[0] for r in probe.execute("SELECT name FROM _sqlite_migrations")]
    probe.close()
    assert "half_done" not in tables and "nickname" not in columns
    assert failing.__name__ not in applied
    assert digest_rows(db) == before
    monkeypatch.undo()
    storage = open_storage(db)
    try:
        assert maintenance.check(storage).ok
    finally:
        storage.close()


def test_first_migrations_failing_on_a_new_file_leave_it_startable(tmp_path, monkeypatch):
    db = tmp_path / "new.db"
    monkeypatch.setattr(schema, "migrations", migrations_with(half_done_sql))
    with pytest.raises(UnexpectedDatabaseError):
        open_storage(db)
    monkeypatch.undo()
    storage = open_storage(db)
    try:
        assert storage.value("SELECT count(*) FROM sites") == 1
        assert maintenance.check(storage).ok
    finally:
        storage.close()


def digest_rows(db: Path) -> dict:
    storage = open_storage(db, migrate=False)
    try:
        return row_counts(storage)
    finally:
        storage.close()


@pytest.mark.parametrize("old", [True, False], ids=["old-database", "no-database-yet"])
def test_two_processes_starting_at_once_apply_each_migration_once(tmp_path, old):
    db = tmp_path / "shared.db"
    if old:
        seed_store(db, people=3)
    go = time.time() + 1.5
    racers = [spawn("start", db, "--extra", "--go", go, "--linger", 0.3) for _ in range(2)]
    outputs = [r.communicate(timeout=60) for r in racers]
    for racer, (out, err) in zip(racers, outputs):
        assert racer.returncode == 0, err
        assert out.startswith("STARTED"), out + err
    site_ids = {out.split("\t")[1].strip() for out, _ in outputs}
    assert len(site_ids) == 1, "the two processes created two home sites"
    probe = sqlite3.connect(db)
    try:
        assert probe.execute("SELECT count(*) FROM test_migration_runs").fetchone()[0] == 1
        names = [r[0] for r in probe.execute("SELECT name FROM _sqlite_migrations")]
        assert sorted(names) == sorted(set(names)) and "m900_test_counter" in names
        assert probe.execute("SELECT count(*) FROM sites").fetchone()[0] == 1
        assert probe.execute("SELECT count(*) FROM organisation").fetchone()[0] == 1
    finally:
        probe.close()
