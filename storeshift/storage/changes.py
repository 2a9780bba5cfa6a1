"""What was written since a point, read from the audit log (every change is audited): for the
windows' watcher, on a connection of its own."""

from __future__ import annotations

import sqlite3


def last_entry(conn: sqlite3.Connection) -> int:
    """The audit log's newest entry (0 when it is empty); sqlite3.Error before it exists."""
    return conn.execute("SELECT max(rowid) FROM audit_log").fetchone()[0] or 0


def tables_written_since(conn: sqlite3.Connection, entry: int) -> tuple[int, frozenset[str]]:
    """(the newest entry, the tables its entries after `entry` name); sqlite3.Error when the log
    cannot be read (a file being set up, or busy)."""
    rows = conn.execute("SELECT rowid, table_name FROM audit_log WHERE rowid > ?", (entry,)).fetchall()
    if not rows:
        return entry, frozenset()
    return max(rowid for rowid, _table in rows), frozenset(table for _rowid, table in rows)
