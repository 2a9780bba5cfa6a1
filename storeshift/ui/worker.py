"""Slow work (PDFs, imports, backups) off the UI thread, with the result or the error
delivered back on the main thread."""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..errors import UserError

log = logging.getLogger("storeshift.ui.worker")


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str)
    progress = Signal(int, int)


class _Job(QRunnable):
    def __init__(self, fn: Callable[..., Any], pass_progress: bool):
        super().__init__()
        self.fn = fn
        self.pass_progress = pass_progress
        self.signals = _Signals()
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            if self.pass_progress:
                result = self.fn(lambda done, total: self.signals.progress.emit(done, total))
            else:
                result = self.fn()
        except UserError as exc:
            self.signals.failed.emit(str(exc))
        except Exception:  # a bug: log it, tell the user briefly, keep the app up
            log.error("background job failed", exc_info=True)
            self.signals.failed.emit("Something went wrong; the details are in the log file.")
        else:
            self.signals.done.emit(result)


_running: set[_Job] = set()


def run_in_background(fn: Callable[..., Any], on_done: Callable[[Any], None],
                      on_failed: Callable[[str], None], on_progress: Callable[[int, int], None] | None = None) -> _Job:
    """Run fn on the thread pool; on_done/on_failed/on_progress are called on the main thread.
    With on_progress, fn receives a report(done, total) callable as its only argument.
    fn must open its own database connection: SQLite connections stay on one thread."""
    job = _Job(fn, on_progress is not None)
    job.signals.done.connect(on_done)
    job.signals.failed.connect(on_failed)
    if on_progress is not None:
        job.signals.progress.connect(on_progress)
    _running.add(job)
    job.signals.done.connect(lambda _=None: _running.discard(job))
    job.signals.failed.connect(lambda _=None: _running.discard(job))
    QThreadPool.globalInstance().start(job)
    return job


def wait_for_background(timeout_ms: int = 30000) -> bool:
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
