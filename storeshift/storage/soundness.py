"""Knowing a database file is sound before writing to it: the clean-close record, the lock
probe that tells whether another program has the file open, and the cheap and full checks.

storeshift records, each time the last connection to a file closes cleanly, what the file
looked like (size, modification time, the first 100 bytes: SQLite's header with its change
counter, page count and schema cookie, and for a file of up to 8 MB a hash of its content) and
the head of every audit chain in it, in a small file beside the database (`<name>-seen`). On
the next start:

- the file matches that record and has no WAL left over: nobody touched it since storeshift
  closed it, so the cheap check (`PRAGMA quick_check`) is enough;
- another program has the file open right now (another storeshift window: it checked the file
  when it opened it): the cheap check too;
- anything else (a WAL left by a crash or a power cut, a file changed by another program, a
  restored or copied file, no record yet): the full check: `PRAGMA integrity_check` (indexes
  against tables), every text value valid UTF-8, the audit chain and every record against it,
  and the chain heads seen before still in it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import struct
import sys
from pathlib import Path
from typing import Callable

from .. import errors
from ..i18n import _

#: Lines of integrity_check output read before saying "and more".
INTEGRITY_LINES = 20
HEADER_BYTES = 100
#: Files up to this size are also fingerprinted by content (about 10 ms); larger ones by size,
#: modification time and header only, so that opening a big file stays quick.
CONTENT_HASH_LIMIT = 8 * 1024 * 1024
# SQLite's unix locking: every connection to a database in WAL mode holds a read lock in this
# byte range of the file (SHARED_FIRST = PENDING_BYTE + 2 .. + 510) for as long as it is open.
_PENDING_BYTE = 0x40000000
_LOCK_RANGE = 512
# File descriptors used for the lock probe stay open: closing any descriptor of a file drops
# every POSIX lock this process holds on it, SQLite's own included.
_probe_fds: dict[tuple[int, int], int] = {}


def seen_path(path: Path) -> Path:
    return Path(f"{path}-seen")


def fingerprint(path: Path) -> dict | None:
    """What the file looks like from outside: size, modification time and SQLite's header, and
    for a file of up to CONTENT_HASH_LIMIT bytes a hash of all of it (a change made within the
    same tick of the file system's clock as storeshift's close keeps the modification time)."""
    try:
        stat = path.stat()
        with path.open("rb") as handle:
            header = handle.read(HEADER_BYTES)
            content = ""
            if stat.st_size <= CONTENT_HASH_LIMIT:
                content = hashlib.blake2b(header + handle.read(), digest_size=16).hexdigest()
    except OSError:
        return None
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "header": header.hex(), "content": content}


def read_seen(path: Path) -> dict:
    """The record of the last clean close ({} when there is none or it cannot be read)."""
    try:
        data = json.loads(seen_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_clean_close(path: Path, heads: dict[str, list]) -> None:
    """After the last connection closed (SQLite then folds the WAL into the file and deletes
    it): remember the file as it is now. Nothing is recorded while another connection still
    has the file open; that one records it when it closes."""
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return
    print_ = fingerprint(path)
    if print_ is None:
        return
    target = seen_path(path)
    tmp = target.with_name(target.name + ".partial")
    with contextlib.suppress(OSError):  # a read-only folder: the next start makes the full check
        tmp.write_text(json.dumps({**print_, "heads": heads}), encoding="utf-8")
        os.replace(tmp, target)


def forget_seen(path: Path) -> None:
    with contextlib.suppress(OSError):
        seen_path(path).unlink(missing_ok=True)


def closed_cleanly(path: Path) -> bool:
    """True when the file is exactly as storeshift left it at its last clean close."""
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return False
    seen = read_seen(path)
    now = fingerprint(path)
    return bool(seen) and now is not None and all(seen.get(k) == v for k, v in now.items())


def in_use_elsewhere(path: Path) -> bool:
    """True when another connection (another process, or another one of this process) has the
    database open: on Linux a query of SQLite's locks, on Windows an attempt to open the file
    without sharing it. Elsewhere False when unsure."""
    path = Path(path)
    if not path.exists():
        return False
    if sys.platform == "win32":
        return _open_elsewhere_windows(path)
    try:
        import fcntl
    except ImportError:
        return False
    query = getattr(fcntl, "F_OFD_GETLK", None) or fcntl.F_GETLK
    try:
        stat = path.stat()
        key = (stat.st_dev, stat.st_ino)
        fd = _probe_fds.get(key)
        if fd is None:
            fd = _probe_fds[key] = os.open(path, os.O_RDONLY)
        layout = "hhqqi4x" if sys.platform.startswith("linux") else "qqihh"
        if layout == "hhqqi4x":
            request = struct.pack(layout, fcntl.F_WRLCK, os.SEEK_SET, _PENDING_BYTE, _LOCK_RANGE, 0)
            answer = fcntl.fcntl(fd, query, request)
            return struct.unpack(layout, answer)[0] != fcntl.F_UNLCK
        request = struct.pack(layout, _PENDING_BYTE, _LOCK_RANGE, 0, fcntl.F_WRLCK, os.SEEK_SET)
        answer = fcntl.fcntl(fd, query, request)
        return struct.unpack(layout, answer)[4] != fcntl.F_UNLCK
    except (OSError, struct.error):
        return False


def _open_elsewhere_windows(path: Path) -> bool:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]  # Windows only
    kernel32.CreateFileW.restype = wintypes.HANDLE
    generic_read, open_existing, sharing_violation = 0x80000000, 3, 32
    invalid = wintypes.HANDLE(-1).value
    handle = kernel32.CreateFileW(str(path), generic_read, 0, None, open_existing, 0, None)
    if handle == invalid:
        return ctypes.get_last_error() == sharing_violation  # type: ignore[attr-defined]
    kernel32.CloseHandle(handle)
    return False


def needs_full_check(path: Path) -> bool:
    """The full check unless the file is as storeshift left it, or a running storeshift has it
    open (a WAL in use is not a crash's leftover)."""
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return not in_use_elsewhere(path)
    return not closed_cleanly(path)


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to the file at path (usable from any thread). Text that
    is not valid UTF-8 is read with its bad bytes kept as surrogates, for the check to name,
    instead of an error quoting the row."""
    from .db import BUSY_TIMEOUT_MS

    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                           check_same_thread=False)
    conn.text_factory = lambda raw: raw.decode("utf-8", "surrogateescape")
    return conn


def problems(path: Path, full: bool, opened: Callable[[sqlite3.Connection], None] | None = None,
             limit: int = INTEGRITY_LINES) -> list[str]:
    """What is wrong with the file ([] when sound), through a read-only connection. The cheap
    check is quick_check(1); the full one integrity_check, text encoding and the audit chain.
    opened (if given) is handed the connection, so that another thread can interrupt it.
    sqlite3.Error escapes when the file cannot be read at all (busy, interrupted)."""
    from ..storage.db import SQLITE_CORRUPT, SQLITE_NOTADB, error_code

    try:
        probe = read_only(path)
    except sqlite3.Error as exc:
        if error_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return [_("the file is not a readable SQLite database")]
        raise
    try:
        if opened is not None:
            opened(probe)
        try:
            pragma = f"PRAGMA integrity_check({limit})" if full else "PRAGMA quick_check(1)"
            verdict = [row[0] for row in probe.execute(pragma)]
            if verdict != ["ok"]:
                return [f"SQLite: {line}" for line in verdict] or ["SQLite's check said nothing"]  # not translated
            if not full:
                return []
            return _audit_problems(probe, path, limit)
        except sqlite3.DatabaseError as exc:
            if error_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB):
                return [_("the file is not a readable SQLite database (its header or first page is damaged)")]
            raise
        except UnicodeDecodeError:  # SQLite's message quotes a damaged name from the schema
            return [_("the database's list of tables and indexes is damaged")]
    finally:
        probe.close()


def _audit_problems(probe: sqlite3.Connection, path: Path, limit: int) -> list[str]:
    # No sqlite-utils here: this runs in a thread while the window starts, and a thread importing a
    # C extension (numpy, through sqlite-utils) while the main thread loads QtMultimedia deadlocks
    # (Qt logs from inside the library's loading, which waits for the lock the import holds).
    from . import audit
    from .db import Storage

    tables = {row[0] for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"audit_log", "sites", "organisation", "_sqlite_migrations"} <= tables:
        return []  # not set up yet: nothing written by storeshift to check against
    storage = Storage(probe, path)
    home = probe.execute("SELECT id FROM sites WHERE is_home = 1").fetchone()
    storage.site_id = home[0] if home else ""
    result = audit.verify(storage, limit=limit, heads=read_seen(path).get("heads"))
    return result.problems


def damaged_sentence(path: Path, found: list[str], *, opened: bool = False) -> errors.DamagedDatabase:
    """The restore sentence, naming the file; the details stay for `storeshift check`."""
    if opened:
        return errors.DamagedDatabase(
            _("The database file {file} is damaged, so storeshift saved nothing to it. Close storeshift and "
              "restore the latest backup with 'storeshift restore', or ask support for help.").format(file=path.name))
    return errors.DamagedDatabase(
        _("The database file {file} is damaged, so storeshift did not open it. Restore the latest backup with "
          "'storeshift restore', or ask support for help ('storeshift check' lists the damage).").format(
            file=path.name))
