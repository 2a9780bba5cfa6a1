"""Cases 3 and 4: a lock held by another program for longer than we wait, a full disk and a
read-only database, each met with a sentence, no partial row, and success on retry."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from storeshift.errors import DatabaseBusy, DiskFull, ReadOnlyDatabase
from storeshift.services import maintenance, observations, roster, visits
from storeshift.storage import db as storage_db
from storeshift.storage import open_storage

from .support import row_counts, seed_store, spawn

pytestmark = pytest.mark.reliability

WRITE_SENTENCE_WORDS = ("another program", "Try again")


def hold_lock(db: Path, seconds: float):
    holder = spawn("hold", db, "--seconds", seconds)
    assert holder.stdout.readline().strip() == "LOCKED", holder.stderr.read()
    return holder


def test_lock_held_past_busy_timeout_raises_busy_then_lands_on_retry(tmp_path, counts):
    db = tmp_path / "busy.db"
    payload = seed_store(db, people=3)[0]
    storage = open_storage(db)
    try:
        if counts.real_busy_timeout:
            wait_ms, held = storage_db.BUSY_TIMEOUT_MS, storage_db.BUSY_TIMEOUT_MS / 1000 + 2
        else:
            # The same mechanism with a shorter wait, so the normal run stays quick.
            wait_ms, held = 300, 1.5
            storage.conn.execute(f"PRAGMA busy_timeout={wait_ms}")
        before = row_counts(storage)
        holder = hold_lock(db, held)
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as raised:
            visits.scan(storage, payload)
        waited = time.monotonic() - started
        assert waited >= wait_ms / 1000 * 0.9, "gave up before the busy timeout"
        assert all(word in str(raised.value) for word in WRITE_SENTENCE_WORDS), str(raised.value)
        assert "\n" not in str(raised.value) and "sqlite" not in str(raised.value).lower()
        assert not storage.conn.in_transaction
        assert row_counts(storage) == before
        # Retrying as the kiosk does: once the other program lets go, the same scan lands.
        result = None
        while result is None:
            try:
                result = visits.scan(storage, payload)
            except DatabaseBusy:
                time.sleep(0.02)  # a poll: the other program lets go when its own timer ends
        assert holder.wait(timeout=30) == 0
        assert result.kind == visits.CHECKED_IN
        assert storage.value("SELECT count(*) FROM visits WHERE id = ?", (result.visit["id"],)) == 1
        assert maintenance.check(storage).ok
    finally:
        storage.close()


@pytest.fixture
def store(db_path):
    seed_store(db_path, people=3)
    storage = open_storage(db_path)
    yield storage
    storage.close()


def an_open_visit(storage) -> dict:
    person = roster.list_people(storage)[0]
    return visits.check_in_manually(storage, person["id"])


def test_disk_full_while_saving_an_observation_is_a_sentence_and_no_partial_row(store):
    visit = an_open_visit(store)
    before = row_counts(store)
    pages = store.value("PRAGMA page_count")
    # The database may not grow by a single page: the next real write finds the disk full.
    store.conn.execute(f"PRAGMA max_page_count={pages}")
    # Longer than a page, so it needs a new overflow page whatever room is left in the table.
    text = ("The queue at the returns desk went out of the door at lunch. " * 80)[:4900]
    with pytest.raises(DiskFull) as raised:
        observations.add_observation(store, category="process_problem", text=text, visit_id=visit["id"])
    assert "disk is full" in str(raised.value) and "observation" in str(raised.value)
    assert not store.conn.in_transaction
    assert row_counts(store) == before
    store.conn.execute(f"PRAGMA max_page_count={pages * 100}")
    saved = observations.add_observation(store, category="process_problem", text=text, visit_id=visit["id"])
    assert store.value("SELECT text FROM observations WHERE id = ?", (saved["id"],)) == text.strip()
    assert maintenance.check(store).ok


def test_disk_full_during_a_big_import_writes_nothing(store):
    before = row_counts(store)
    store.conn.execute(f"PRAGMA max_page_count={store.value('PRAGMA page_count') + 3}")
    lines = ["name,department,email"] + [f"Person {i},Finance,p{i}@example.com" for i in range(3000)]
    with pytest.raises(DiskFull):
        roster.import_people(store, "\n".join(lines).encode())
    assert row_counts(store) == before
    assert maintenance.check(store).ok


@contextlib.contextmanager
def small_filesystem(folder: Path, size: str):
    """A tmpfs of the given size mounted on folder (needs root); skips the test otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_really_full_filesystem_while_saving_observations(tmp_path):
    with small_filesystem(tmp_path / "small", "1m") as folder:
        db = folder / "kiosk.db"
        storage = open_storage(db)
        try:
            person = roster.add_person(storage, name="Ada Brook")
            visit = visits.check_in_manually(storage, person["id"])
            saved, failure = 0, None
            for i in range(500):
                before = row_counts(storage)
                try:
                    observations.add_observation(storage, category="idea", text=f"note {'x' * 4000} {i}",
                                                 visit_id=visit["id"])
                    saved += 1
                except DiskFull as exc:
                    failure = exc
                    assert row_counts(storage) == before, "a partial row was left"
                    break
            assert failure is not None, "the small file system never filled up"
            assert saved > 0
            assert "disk is full" in str(failure)
            storage.close()
            # What was confirmed before the disk filled is all there and consistent.
            storage = open_storage(db) if _has_room(folder) else _reopen_read_only(db)
            assert storage.value("SELECT count(*) FROM observations") == saved
        finally:
            storage.close()


def _has_room(folder: Path) -> bool:
    return shutil.disk_usage(folder).free > 64 * 1024


def _reopen_read_only(db: Path):
    from sqlite_utils import Database

    return storage_db.Storage(Database(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)), db)


def test_read_only_database_file_while_saving_an_observation(tmp_path):
    if os.geteuid() == 0:
        read_only = _read_only_mount
    else:
        read_only = _read_only_file
    db_folder = tmp_path / "ro"
    db_folder.mkdir()
    db = db_folder / "kiosk.db"
    storage = open_storage(db)
    person = roster.add_person(storage, name="Ada Brook")
    visit = visits.check_in_manually(storage, person["id"])
    storage.close()
    with read_only(db_folder):
        with pytest.raises(ReadOnlyDatabase) as at_open:
            open_storage(db)
        assert "cannot be written" in str(at_open.value) or "Cannot create" in str(at_open.value)
    # Already open when the file turns read-only (SQLite's own read-only mode stands in for it).
    storage = open_storage(db)
    try:
        before = row_counts(storage)
        storage.conn.execute("PRAGMA query_only=ON")
        with pytest.raises(ReadOnlyDatabase) as raised:
            observations.add_observation(storage, category="idea", text="Signs by the lifts", visit_id=visit["id"])
        assert "cannot be written" in str(raised.value)
        assert not storage.conn.in_transaction
        storage.conn.execute("PRAGMA query_only=OFF")
        assert row_counts(storage) == before
        observations.add_observation(storage, category="idea", text="Signs by the lifts", visit_id=visit["id"])
        assert storage.value("SELECT count(*) FROM observations") == 1
    finally:
        storage.close()


@contextlib.contextmanager
def _read_only_file(folder: Path):
    files = list(folder.iterdir())
    for f in files:
        f.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield
    finally:
        folder.chmod(0o755)
        for f in files:
            f.chmod(0o644)


@contextlib.contextmanager
def _read_only_mount(folder: Path):
    """root ignores file modes, so the folder is bind-mounted read-only over itself."""
    done = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {done.stderr.decode().strip()}")
    try:
        remount = subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True)
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {remount.stderr.decode().strip()}")
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
