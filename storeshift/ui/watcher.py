"""The one watcher: notices every committed change to the database, also from another
process, and tells the views with a signal. Views never poll the database themselves."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal


class DatabaseWatcher(QObject):
    """Polls PRAGMA data_version on a connection of its own, so commits from this process's
    main connection count as 'other' too. One cheap query per tick."""

    changed = Signal()

    def __init__(self, path: Path | None, interval_ms: int = 250, parent: QObject | None = None):
        super().__init__(parent)
        self._conn = sqlite3.connect(str(path), check_same_thread=False) if path else None
        self._version = self._read()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)
        if self._conn is not None:
            self._timer.start()

    def _read(self) -> int | None:
        if self._conn is None:
            return None
        try:
            return self._conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return self._version if hasattr(self, "_version") else None

    def poll(self) -> None:
        """Emit changed if anything was committed since the last poll (also callable directly)."""
        version = self._read()
        if version != self._version:
            self._version = version
            self.changed.emit()

    def notify(self) -> None:
        """For an in-memory database (no second connection possible): say a change happened."""
        self.changed.emit()

    def stop(self) -> None:
        self._timer.stop()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
