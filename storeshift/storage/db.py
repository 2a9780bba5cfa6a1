"""Opening the database safely: pragmas, migrations, write transactions and error translation."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlite_utils import Database
from sqlite_utils.utils import dedupe_keys

from .. import errors
from ..timeutil import to_iso, utc_now

#: How long a write waits for another process's lock before telling the user.
BUSY_TIMEOUT_MS = 5000

# File systems on which SQLite's locking is unreliable: a database there can be corrupted.
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb", "smbfs", "smb2", "smb3", "sshfs",
                       "fuse.sshfs", "afpfs", "9p", "davfs", "fuse.davfs2", "ncpfs"}


def new_id() -> str:
    return str(uuid.uuid4())


def _mount_fstype(path: Path) -> str | None:
    """File-system type of the mount holding path (Linux only; None elsewhere)."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    best, fstype = "", None
    target = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, fstype = mount_point, parts[2]
    return fstype


def refuse_network_share(path: Path) -> None:
    text = str(path)
    on_share = text.startswith(("\\\\", "//")) or _mount_fstype(path.parent) in NETWORK_FILESYSTEMS
    if on_share:
        raise errors.UserError(
            f"{path} is on a network drive. SQLite databases get damaged there; "
            "keep the database on this PC's own disk and use 'storeshift export' to share data."
        )


def translate(exc: sqlite3.Error, action: str = "save") -> errors.UserError:
    """Turn an SQLite error into a sentence the user can act on."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return errors.DatabaseBusy(
            f"Could not {action}: another program is using the database. Try again in a moment.")
    if "full" in text:
        return errors.DiskFull(
            f"Could not {action}: the disk is full. Free some space, then try again.")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return errors.ReadOnlyDatabase(
            f"Could not {action}: the database file cannot be written. "
            "Check that the disk is not write-protected and the file is not read-only.")
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return errors.DamagedDatabase(
            "The database file is damaged. Restore the latest backup (Settings → Restore), "
            "or ask support for help.")
    if "disk i/o" in text:
        return errors.DiskFull(f"Could not {action}: the disk reported an error. Check the disk, then try again.")
    return errors.UserError(f"Could not {action}: {exc}.")


class Storage:
    """One open database: the sqlite-utils handle, its file and this site's id."""

    def __init__(self, db: Database, path: Path | None):
        self.db = db
        self.path = path
        self.site_id: str = ""
        self._integrity: IntegrityCheck | None = None

    def check_in_background(self) -> None:
        """Check the file's integrity in a thread; every write waits for the verdict."""
        if self.path is not None:
            self._integrity = IntegrityCheck(self.path)

    def ensure_checked(self) -> None:
        """Wait for a background integrity check; DamagedDatabase if it found damage. Writes
        call this themselves; so does anything that carries data away (a bundle)."""
        if self._integrity is not None:
            self._integrity.wait()

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    @contextlib.contextmanager
    def write(self, action: str = "save") -> Iterator[Storage]:
        """One write transaction taken with BEGIN IMMEDIATE, so read-then-write never
        fails half-way with 'database is locked'; nested calls join the outer one."""
        if self.conn.in_transaction:
            yield self
            return
        self.ensure_checked()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise translate(exc, action) from exc
        try:
            yield self
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise translate(exc, action) from exc
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    def rows(self, sql: str, params: Any = ()) -> list[dict]:
        # The connection directly, not db.query(): that wraps every read in a savepoint,
        # which a badge scan's dozen reads paid for on each scan.
        try:
            cursor = self.conn.execute(sql, params)
            if cursor.description is None:
                raise ValueError("rows() needs SQL that returns rows")
            keys = dedupe_keys(d[0] for d in cursor.description)
            return [dict(zip(keys, row)) for row in cursor]
        except sqlite3.Error as exc:
            raise translate(exc, "read the database") from exc

    def one(self, sql: str, params: Any = ()) -> dict | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def value(self, sql: str, params: Any = ()) -> Any:
        try:
            row = self.conn.execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise translate(exc, "read the database") from exc
        return row[0] if row else None

    def data_version(self) -> int:
        """Changes when any other connection (also in another process) commits."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        if self._integrity is not None:
            self._integrity.stop()  # a restore may be about to move the file it reads
        self.db.close()


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL. On a new file this takes a lock SQLite does not wait for, so when two
    processes create the database at once one of them saw 'database is locked': retry instead."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _connect(path: Path | None) -> sqlite3.Connection:
    target = ":memory:" if path is None else str(path)
    conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if path is not None:
        _use_wal(conn)
    # A confirmed check-in must survive a power cut.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    # Erased personal data is overwritten on disk, not merely unlinked.
    conn.execute("PRAGMA secure_delete=ON")
    return conn


def _damaged_at_start(path: Path) -> errors.DamagedDatabase:
    # No window opens on a damaged file, so the way out is named here: the command line.
    return errors.DamagedDatabase(f"The database file {path.name} is damaged, so storeshift did not open it. "
                                  "Restore the latest backup with 'storeshift restore', or ask support for help.")


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to the file at path (usable from any thread)."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                           check_same_thread=False)


def _quick_check(path: Path, opened: Callable[[sqlite3.Connection], None] | None = None) -> None:
    """PRAGMA quick_check through a read-only connection: DamagedDatabase when the file is damaged.
    opened (if given) is handed the connection, so that another thread can interrupt the check."""
    try:
        probe = read_only(path)
        try:
            if opened is not None:
                opened(probe)
            verdict = [row[0] for row in probe.execute("PRAGMA quick_check(1)")]
        finally:
            probe.close()
    except sqlite3.Error as exc:
        problem = translate(exc, f"open {path}")
        if isinstance(problem, errors.DamagedDatabase):
            raise problem from exc
        return  # busy, unreadable or interrupted: the read-write connection reports it in its own words
    if verdict != ["ok"]:
        raise errors.DamagedDatabase(verdict[0] if verdict else "quick_check said nothing")


def refuse_damaged_file(path: Path) -> None:
    """Check an existing database file through a read-only connection before anything opens
    it read-write: writing to a damaged file (a migration, a check-in) can spread the damage."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        _quick_check(path)
    except errors.DamagedDatabase as exc:
        raise _damaged_at_start(path) from exc


class IntegrityCheck(threading.Thread):
    """The same check as refuse_damaged_file, in a thread: quick_check reads the whole file
    (5 s for a million visits, far longer from a cold disk), and a window need not wait for
    it to show. Writes wait for the verdict instead, so nothing is written to a damaged file."""

    def __init__(self, path: Path):
        super().__init__(name="storeshift integrity check", daemon=True)
        self.path = path
        self.problem: errors.DamagedDatabase | None = None
        self._probe: sqlite3.Connection | None = None
        self._stopped = False
        self.start()

    def _opened(self, probe: sqlite3.Connection) -> None:
        self._probe = probe
        if self._stopped:
            probe.interrupt()

    def stop(self) -> None:
        """Interrupt the check and wait for its thread (the database is being closed)."""
        self._stopped = True
        if self.is_alive() and self._probe is not None:
            with contextlib.suppress(sqlite3.ProgrammingError):  # it finished meanwhile
                self._probe.interrupt()
        self.join()

    def run(self) -> None:
        try:
            _quick_check(self.path, self._opened)
        except errors.DamagedDatabase:
            self.problem = errors.DamagedDatabase(
                f"The database file {self.path.name} is damaged, so storeshift saved nothing to it. Close "
                "storeshift and restore the latest backup with 'storeshift restore', or ask support for help.")

    def wait(self) -> None:
        self.join()
        if self.problem is not None:
            raise self.problem


def missing_database(path: Path) -> errors.NotFound:
    return errors.NotFound(f"There is no storeshift database at {path}. Check the path, or run storeshift setup.")


def open_storage(path: str | Path | None, *, migrate: bool = True, site_name: str = "My store",
                 check_in_background: bool = False, create: bool = True) -> Storage:
    """Open (creating if needed) the database at path, or an in-memory one for path=None.
    With create=False a path with no database is refused and nothing is created, not even its folder.

    Runs pending migrations, and on a new database creates this site and its organisation key.
    The file's integrity is checked before it is opened for writing; with check_in_background
    (the windows), a file that opens without writing anything is checked in a thread instead,
    and writes wait for that check.
    """
    from . import schema

    file_path = None if path is None else Path(path).expanduser()
    if file_path is not None:
        if not create and not (file_path.is_file() and file_path.stat().st_size > 0):
            raise missing_database(file_path)
        refuse_network_share(file_path)
        try:
            file_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise errors.ReadOnlyDatabase(f"Cannot create the folder for {file_path}: {exc.strerror}.") from exc
        if not (check_in_background and schema.opens_without_writing(file_path)):
            check_in_background = False
            refuse_damaged_file(file_path)
    try:
        conn = _connect(file_path)
    except sqlite3.Error as exc:
        raise translate(exc, f"open {file_path}") from exc
    storage = Storage(Database(conn), file_path)
    if check_in_background:
        storage.check_in_background()
    try:
        if migrate:
            schema.migrate(storage)
        schema.ensure_home_site(storage, site_name)
    except sqlite3.Error as exc:
        storage.close()
        raise translate(exc, "open the database") from exc
    except BaseException:
        storage.close()
        raise
    return storage


def default_db_path() -> Path:
    import platformdirs

    override = os.environ.get("STORESHIFT_DB")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("storeshift", appauthor=False)) / "storeshift.db"


def now_iso() -> str:
    return to_iso(utc_now())


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))
