"""The shift-lead window's background sync with head office's server, and its status-bar label."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from ..i18n import _
from ..storage.db import Storage
from ..services import settings
from ..timeutil import local_clock
from .worker import run_in_background

#: Every few minutes: a store's changes reach head office soon, and a sync that finds nothing
#: new costs the server one small query per site.
EVERY_MS = 5 * 60 * 1000


class ServerSync(QObject):
    """Syncs on a timer when the site has a server (storeshift sync --server set it); never blocks
    the window (the sync runs on the thread pool with its own connection)."""

    def __init__(self, storage: Callable[[], Storage], label: QLabel, parent=None, every_ms: int = EVERY_MS):
        super().__init__(parent)
        self.storage = storage
        self.label = label
        self.busy = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_now)
        self.timer.start(every_ms)
        self.show_state()

    def _remembered(self, key: str) -> str | None:
        from ..server.sync import get

        return get(self.storage(), key)

    def show_state(self, failure: str = "") -> None:
        if not self._remembered("url"):
            self.label.hide()
            return
        last = self._remembered("last_success")
        when = local_clock(last, settings.site_timezone(self.storage())) if last else _("never")
        self.label.setText(_("Head office sync: {when} (last try failed)").format(when=when) if failure
                           else _("Head office sync: {when}").format(when=when))
        self.label.setToolTip(failure)
        self.label.show()

    def sync_now(self) -> None:
        if self.busy or not self._remembered("url"):
            return
        window_storage = self.storage()
        path = window_storage.path
        if path is None:
            return
        self.busy = True

        def job():
            from ..server.sync import sync
            from ..storage import open_storage

            storage = open_storage(path, checked_by=window_storage)  # the window's integrity verdict
            try:
                return sync(storage).summary()
            finally:
                storage.close()

        run_in_background(job, self._done, self._failed)

    def _done(self, _summary) -> None:
        self.busy = False
        self.show_state()

    def _failed(self, message: str) -> None:
        self.busy = False
        self.show_state(message)

    def stop(self) -> None:
        self.timer.stop()
