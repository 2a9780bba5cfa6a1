"""The one watcher: notices every committed change to the database, also from another
process, and tells the views with one signal saying what changed and who changed it.
Views never poll the database themselves."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from PySide6.QtCore import QObject, QTimer, Signal

from ..storage import changes


@dataclass(frozen=True)
class Change:
    """One notification: the tables written (None: not known, so anything may have changed)
    and the object that made the change in this process (None: another window or process).
    The initiator has already shown its own change and skips this echo of it."""

    tables: frozenset[str] | None = None
    initiator: object | None = None

    def concerns(self, tables: Iterable[str] | None) -> bool:
        """Whether a view reading tables (None: it reads everything) should look again."""
        if self.tables is None or tables is None:
            return True
        return not self.tables.isdisjoint(tables)


class DatabaseWatcher(QObject):
    """Polls PRAGMA data_version on a connection of its own, so commits from this process's
    main connection count as 'other' too; one cheap query per tick. When the version moved, the
    audit log's new entries say which tables were written (every change is audited).

    A change made in this process is announced with announce(tables, initiator): it is told at
    once, with who made it, and the next poll does not tell it a second time."""

    changed = Signal(object)  # Change

    def __init__(self, path: Path | None, interval_ms: int = 250, parent: QObject | None = None):
        super().__init__(parent)
        self._conn = sqlite3.connect(str(path), check_same_thread=False) if path else None
        self._version: int | None = None
        self._audit_seen = 0
        if self._conn is not None:
            try:
                self._version = self._conn.execute("PRAGMA data_version").fetchone()[0]
                self._audit_seen = changes.last_entry(self._conn)
            except sqlite3.Error:
                pass  # a file not set up yet: its first entries count as news
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)
        if self._conn is not None:
            self._timer.start()

    def _read(self) -> frozenset[str] | None:
        """Catch up with the file: the data version, and the tables of the audit entries written
        since the last read (None when a commit left no entry, a restore say: anything changed)."""
        if self._conn is None:
            return None
        try:
            self._version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            self._audit_seen, tables = changes.tables_written_since(self._conn, self._audit_seen)
        except sqlite3.Error:  # a file being set up (no audit_log yet), or busy: say "anything"
            return None
        return tables or None

    def poll(self) -> None:
        """Emit changed if anything was committed since the last poll (also callable directly)."""
        if self._conn is None:
            return
        try:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return
        if version != self._version:
            self.changed.emit(Change(self._read()))

    def announce(self, tables: Iterable[str] | None = None, initiator: object | None = None) -> None:
        """A change was just committed in this process by initiator: tell everyone now, once.
        Entries other processes wrote meanwhile are folded into the same notification."""
        seen = self._read()
        written = seen if tables is None else frozenset(tables) | (seen or frozenset())
        self.changed.emit(Change(written, initiator))

    def notify(self) -> None:
        """For an in-memory database (no second connection possible): say a change happened."""
        self.changed.emit(Change())

    def stop(self) -> None:
        self._timer.stop()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
