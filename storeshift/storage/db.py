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
from typing import TYPE_CHECKING, Any, Iterator

from .. import __version__, errors
from ..i18n import N_, _
from . import soundness
from .soundness import read_only  # noqa: F401 (part of this module's interface)
from ..timeutil import to_iso, utc_now

if TYPE_CHECKING:
    from sqlite_utils import Database

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
            _("{path} is on a network drive. SQLite databases get damaged there; keep the database on this "
              "PC's own disk and use 'storeshift export' to share data.").format(path=path))


# SQLite's primary result codes (the low byte of sqlite3.Error.sqlite_errorcode).
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 3, 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26
SQLITE_IOERR_NOMEM = 10 | (12 << 8)


def error_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of an error, or None when SQLite did not give one."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def translate(exc: sqlite3.Error, action: str = N_("save")) -> errors.UserError | errors.UnexpectedDatabaseError:
    """Turn an SQLite error into a sentence the user can act on, chosen by SQLite's error code
    (never by the message: "no such column: fullname" is not a full disk). Anything else is a
    bug: UnexpectedDatabaseError, which names the code and not the message (it may quote rows).
    action: what could not be done, a message marked N_() ('save the task'), said in the
    current language."""
    code = error_code(exc)
    action = _(action)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return errors.DatabaseBusy(
            _("Could not {action}: another program is using the database. Try again in a moment.")
            .format(action=action))
    if code == SQLITE_FULL:
        return errors.DiskFull(
            _("Could not {action}: the disk is full. Free some space, then try again.").format(action=action))
    if code in (SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN):
        return errors.ReadOnlyDatabase(
            _("Could not {action}: the database file cannot be written. Check that the disk is not "
              "write-protected and the file is not read-only.").format(action=action))
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return errors.DamagedDatabase(
            _("The database file is damaged. Restore the latest backup (Settings → Restore), "
              "or ask support for help."))
    if code == SQLITE_IOERR and exc.sqlite_errorcode != SQLITE_IOERR_NOMEM:
        return errors.DiskFull(_("Could not {action}: the disk reported an error. Check the disk, then try again.")
                               .format(action=action))
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    return errors.UnexpectedDatabaseError(_("Could not {action}: unexpected database error {name}.").format(
        action=action, name=name))


def _unique_names(names: list[str]) -> list[str]:
    """Column names made unique as sqlite-utils makes them: a name seen before gets _2, _3, …
    (one no other column has). Here rather than imported: rows() also runs in the integrity
    check's thread, which must import nothing while a window starts (see soundness)."""
    taken, seen, out = set(names), set(), []
    for name in names:
        if name in seen:
            suffix, candidate = 2, f"{name}_2"
            while candidate in seen or candidate in taken:
                suffix += 1
                candidate = f"{name}_{suffix}"
            name = candidate
        seen.add(name)
        out.append(name)
    return out


class Storage:
    """One open database: its connection (and a sqlite-utils handle on it, made when first
    used: importing sqlite-utils costs a window's start-up 0.1 s), its file and this site's id."""

    def __init__(self, db: Database | sqlite3.Connection, path: Path | None):
        if isinstance(db, sqlite3.Connection):
            self._conn, self._db = db, None
        else:
            self._conn, self._db = db.conn, db
        self.path = path
        self.site_id: str = ""
        #: What readers keep from the file with the stamp() they read it at (services.settings).
        self.memo: dict[str, Any] = {}
        self._integrity: IntegrityCheck | None = None
        #: Why nothing may be written (a database from a newer storeshift), or None.
        self.refused: errors.UserError | None = None

    def check_in_background(self, full: bool = False) -> None:
        """Check the file's integrity in a thread; every write waits for the verdict."""
        if self.path is not None:
            self._integrity = IntegrityCheck(self.path, full)

    def ensure_checked(self) -> None:
        """Wait for a background integrity check; DamagedDatabase if it found damage, and
        NewerDatabase for a newer storeshift's file. Writes call this themselves; so does
        anything that carries data away (a bundle)."""
        if self._integrity is not None:
            self._integrity.wait()
        if self.refused is not None:
            raise self.refused

    def sound_for_others(self) -> bool:
        """Wait for this file's integrity verdict (when it is still being checked) and say whether
        it found the file sound, so that another connection to the same file opened in this
        process need not check it again (a background job: a report, an import, a backup);
        DamagedDatabase when it found damage. False when there was no complete check to go by."""
        if self._integrity is None:
            return self.path is not None  # checked before it opened (open_storage), or nothing to check
        self._integrity.wait()
        return self._integrity.completed

    def verdict(self) -> tuple[bool, errors.UserError | None]:
        """(known yet, the problem or None), without waiting: for a window to say at once
        that the file it opened is damaged, before anyone tries to write."""
        if self.refused is not None:
            return True, self.refused
        if self._integrity is None:
            return True, None
        return self._integrity.done, self._integrity.problem

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conn

    @property
    def db(self) -> Database:
        """sqlite-utils' handle on the connection, for the table-level helpers (bulk inserts,
        migrations); everyday reads and writes use the connection directly."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self._conn)
        return self._db

    def stamp(self) -> tuple[int, int]:
        """Changes whenever the database may have: another connection committed (data_version)
        or this one wrote (total_changes). What is read from the file can be kept until it changes."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes

    @contextlib.contextmanager
    def write(self, action: str = N_("save")) -> Iterator[Storage]:
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
            keys = [d[0] for d in cursor.description]
            if len(set(keys)) != len(keys):
                keys = _unique_names(keys)
            return [dict(zip(keys, row)) for row in cursor]
        except sqlite3.Error as exc:
            raise translate(exc, N_("read the database")) from exc

    def one(self, sql: str, params: Any = ()) -> dict | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def value(self, sql: str, params: Any = ()) -> Any:
        try:
            row = self.conn.execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise translate(exc, N_("read the database")) from exc
        return row[0] if row else None

    def data_version(self) -> int:
        """Changes when any other connection (also in another process) commits."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        if self._integrity is not None:
            self._integrity.stop()  # a restore may be about to move the file it reads
        sound = self.path is not None and self.refused is None and (
            self._integrity is None or (self._integrity.done and self._integrity.problem is None
                                        and self._integrity.completed))
        heads = self._chain_heads() if sound else {}
        guard = None if sound or self.path is None else self._keep_wal_out()
        self.conn.close()
        if guard is not None:
            guard.close()  # a read-only connection: the last to close, it folds nothing in
        if sound and heads is not None and self.path is not None:
            soundness.record_clean_close(self.path, heads)

    def _keep_wal_out(self) -> sqlite3.Connection | None:
        """The last connection to close copies the WAL into the file. Before a sound verdict
        (or after damage was found) that would write into the file, so a read-only connection
        is kept open across our close: SQLite then leaves the WAL as it is."""
        if self.path is None:
            return None
        wal = Path(f"{self.path}-wal")
        if not wal.exists() or wal.stat().st_size == 0:
            return None
        try:
            guard = read_only(self.path)
            guard.execute("SELECT count(*) FROM sqlite_master").fetchone()  # takes its shared lock
            return guard
        except sqlite3.Error:
            return None

    def _chain_heads(self) -> dict[str, list] | None:
        """Each site's newest audit entry (seq, hash), remembered at a clean close so that
        removing the newest entries shows; None when it cannot be read."""
        try:
            heads = {}
            for (site,) in self.conn.execute("SELECT id FROM sites").fetchall():
                head = self.conn.execute("SELECT seq, hash FROM audit_log WHERE site_id = ? "
                                         "ORDER BY seq DESC LIMIT 1", (site,)).fetchone()
                if head:
                    heads[site] = list(head)
            return heads
        except sqlite3.Error:
            return None


class SiblingStorage(Storage):
    """A second connection to an open database, for a thread of its own (an SQLite connection
    stays on one thread): the same site and the same integrity verdict, no migration or check
    of its own. Closing it closes only its connection."""

    def __init__(self, owner: Storage, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        if owner.path is None:
            raise ValueError("an in-memory database has no second connection")
        conn = _connect(owner.path)
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        super().__init__(conn, owner.path)
        self.site_id = owner.site_id
        self._integrity = owner._integrity
        self.refused = owner.refused

    def close(self) -> None:
        self.conn.close()


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL. On a new file this takes a lock SQLite does not wait for, so when two
    processes create the database at once one of them saw 'database is locked': retry instead."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if error_code(exc) not in (SQLITE_BUSY, SQLITE_LOCKED) or time.monotonic() > deadline:
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
    # As sqlite-utils sets it on the connections it wraps (Storage.db wraps this one when first used).
    conn.execute("PRAGMA recursive_triggers=ON")
    return conn


def refuse_damaged_file(path: Path, full: bool | None = None) -> None:
    """Check an existing database file through a read-only connection before anything opens
    it read-write: writing to a damaged file (a migration, a check-in) can spread the damage.
    full: the full check (None: when the file was not closed cleanly or was changed since)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    if full is None:
        full = soundness.needs_full_check(path)
    try:
        found = soundness.problems(path, full)
    except sqlite3.Error:
        return  # busy or unreadable: the read-write connection reports it in its own words
    if found:
        raise soundness.damaged_sentence(path, found)


class IntegrityCheck(threading.Thread):
    """The same check as refuse_damaged_file, in a thread: a full check reads the whole file
    (seconds for a million visits, far longer from a cold disk), and a window need not wait for
    it to show. Writes wait for the verdict instead, so nothing is written to a damaged file."""

    def __init__(self, path: Path, full: bool = False):
        super().__init__(name="storeshift integrity check", daemon=True)  # not translated: a thread
        self.path = path
        self.full = full
        self.problem: errors.DamagedDatabase | None = None
        self.found: list[str] = []
        self.completed = False  # False when stopped early or the file could not be read
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
            self.found = soundness.problems(self.path, self.full, self._opened)
        except sqlite3.Error:
            return  # busy, unreadable or interrupted: the read-write connection reports it itself
        self.completed = True
        if self.found:
            self.problem = soundness.damaged_sentence(self.path, self.found, opened=True)

    @property
    def done(self) -> bool:
        return not self.is_alive()

    def wait(self) -> None:
        self.join()
        if self.problem is not None:
            raise self.problem


def missing_database(path: Path) -> errors.NotFound:
    return errors.NotFound(_("There is no storeshift database at {file}. Check the path, or run storeshift setup.")
                           .format(file=path))


def _newer_database(conn: sqlite3.Connection) -> errors.NewerDatabase | None:
    """A database upgraded by a newer storeshift (a migration this version does not know)
    must not be written to: its tables may have columns this version would leave wrong."""
    from . import schema

    unknown = schema.unknown_migrations(conn)
    if not unknown:
        return None
    return errors.NewerDatabase(
        _("This database was upgraded by {newer}; this storeshift ({version}) does not know its change "
          "'{change}', so it saved nothing. Update storeshift to that version or later on this PC.").format(
            newer=schema.upgraded_by(conn, unknown), version=__version__, change=unknown[0]))


def open_storage(path: str | Path | None, *, migrate: bool = True, site_name: str = "My store",
                 check_in_background: bool = False, create: bool = True,
                 checked_by: Storage | None = None) -> Storage:
    """Open (creating if needed) the database at path, or an in-memory one for path=None.
    With create=False a path with no database is refused and nothing is created, not even its folder.

    Runs pending migrations, and on a new database creates this site and its organisation key.
    The file is known to be sound before anything writes to it: the full check when it was not
    closed cleanly or was changed since, the cheap one otherwise (see soundness). With
    check_in_background (the windows), a file that opens without writing anything is checked
    in a thread instead, and writes wait for that check. A database from a newer storeshift
    opens for reading only.

    checked_by: a Storage of this process already open on the same file (the window's, for a
    background job): its verdict is used instead of checking the file again, waiting for it when
    its check is still running (DamagedDatabase if it found damage).
    """
    from . import schema

    file_path = None if path is None else Path(path).expanduser()
    full = False
    if file_path is not None:
        if not create and not (file_path.is_file() and file_path.stat().st_size > 0):
            raise missing_database(file_path)
        refuse_network_share(file_path)
        try:
            file_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise errors.ReadOnlyDatabase(_("Cannot create the folder for {file}: {reason}.")
                                          .format(file=file_path, reason=exc.strerror)) from exc
        trusted = (checked_by is not None and checked_by.path is not None
                   and file_path.resolve() == checked_by.path.resolve() and checked_by.sound_for_others())
        if trusted:
            check_in_background = False  # the window's verdict covers this connection too
        else:
            if file_path.exists() and file_path.stat().st_size > 0:
                full = soundness.needs_full_check(file_path)
            if not (check_in_background and schema.opens_without_writing(file_path)):
                check_in_background = False
                refuse_damaged_file(file_path, full)
    try:
        conn = _connect(file_path)
    except sqlite3.Error as exc:
        raise translate(exc, _("open {file}").format(file=file_path)) from exc
    storage = Storage(conn, file_path)
    if check_in_background:
        storage.check_in_background(full)
    try:
        storage.refused = _newer_database(conn)
        if storage.refused is None:
            if migrate:
                schema.migrate(storage)
            schema.ensure_home_site(storage, site_name)
        else:
            storage.site_id = schema.home_site_id(storage) or ""
    except sqlite3.Error as exc:
        storage.close()
        raise translate(exc, N_("open the database")) from exc
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
