"""Closing time while a window is open: forgotten visits are ended in the file once the window
has started and again at each closing time (the core decides which, services.visits)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from ..errors import UserError
from ..services import hours, visits
from ..storage.db import Storage

log = logging.getLogger("storeshift.ui.closing")

#: Look again at least this often: the clock, the closing times or the database may change.
LONGEST_WAIT_MS = 30 * 60 * 1000


class ClosingTimer(QObject):
    """Calls visits.close_forgotten_visits at start and just after each closing time;
    closed(count) tells the window when it closed some (its own writes reach no watcher)."""

    closed = Signal(int)

    def __init__(self, storage: Callable[[], Storage], clock: Callable[[], dt.datetime], parent=None,
                 close: Callable[[dt.datetime], object] | None = None):
        super().__init__(parent)
        self.storage, self.clock = storage, clock
        #: Who ends the visits, when not this timer on the UI thread (the kiosk's writer thread,
        #: which says nothing back: its commit reaches the watchers).
        self.close = close
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.on_timeout)
        # After the first frame: a window opens at once, then catches up with closing time.
        QTimer.singleShot(0, self, self.on_timeout)

    def on_timeout(self) -> None:
        if self.close is not None:
            self.close(self.clock())
            self.schedule()
            return
        try:
            count = visits.close_forgotten_visits(self.storage(), self.clock())
        except UserError as exc:  # busy, read-only, damaged: try again at the next turn
            log.warning("could not close forgotten visits: %s", exc)
            count = 0
        if count:
            log.info("closed %d forgotten visit(s) at closing time", count)
            self.closed.emit(count)
        self.schedule()

    def schedule(self) -> None:
        try:
            now = self.clock()
            wait = (hours.schedule(self.storage()).next_closing(now) - now).total_seconds() * 1000
        except UserError:
            wait = LONGEST_WAIT_MS
        self.timer.start(int(max(1000, min(LONGEST_WAIT_MS, wait + 1000))))

    def stop(self) -> None:
        self.timer.stop()
