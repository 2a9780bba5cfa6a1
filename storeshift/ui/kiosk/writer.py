"""The kiosk's one writer: a thread with its own database connection that runs the kiosk session
(scans, debriefs, departures, the PIN, closing time), so the kiosk's screen never waits on the
database; results come back to the UI thread as signals."""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import weakref
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot

from ...errors import UserError
from ...services.kiosk_session import RETRY_S, KioskSession, Retried, journal_path
from ...storage.db import SiblingStorage, Storage

log = logging.getLogger("storeshift.ui.kiosk.writer")

#: By default the UI thread waits this long for an answer before going on without it (a debrief
#: saved on a free database then needs no "Saving…"); scans do not wait at all.
ANSWER_WAIT_MS = 30

# Writers whose window was never closed (a test, a crash hook): their threads end at exit, as Qt
# aborts on a thread still running when its QThread is destroyed.
_live: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for writer in list(_live):
        writer.stop()


class Job:
    """One call into the session: what it returned or raised, and whether it is done."""

    def __init__(self, number: int, method: str, args: tuple, done: Callable[[Any], None] | None,
                 failed: Callable[[Exception], None] | None):
        self.number, self.method, self.args = number, method, args
        self.done, self.failed = done, failed
        self.result: Any = None
        self.error: Exception | None = None
        self.finished = threading.Event()
        self.delivered = False


class _Worker(QObject):
    """Lives on the writer thread: runs jobs in order and retries what the session keeps."""

    finished = Signal(object)
    retried = Signal(object)

    def __init__(self, open_session: Callable[[], KioskSession], retry_ms: int, own_thread: bool):
        super().__init__()
        self._open = open_session
        self._own_thread = own_thread
        self._shut_down = False
        self.session: KioskSession | None = None
        self.retry_ms = retry_ms
        self._timer: QTimer | None = None

    @Slot(object)
    def run(self, job: Job) -> None:
        if self._shut_down:
            return  # asked for after the kiosk closed: nobody waits for it
        try:
            if self.session is None:
                self.session = self._open()
            job.result = getattr(self.session, job.method)(*job.args)
        except UserError as exc:
            job.error = exc
        except Exception as exc:  # a bug: logged here, told briefly by the window
            log.error("kiosk writer: %s failed", job.method, exc_info=True)
            job.error = exc
        job.finished.set()
        self.finished.emit(job)
        self._arm()

    def _arm(self) -> None:
        if self.session is None or not self.session.waiting:
            return
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.timeout.connect(self.on_retry)
        if not self._timer.isActive():
            self._timer.start(self.retry_ms)

    def on_retry(self) -> None:
        try:
            outcome = self.session.retry()
        except Exception:
            log.error("kiosk writer: retry failed", exc_info=True)
            outcome = Retried(waiting=len(self.session.pending))
        self.retried.emit(outcome)
        self._arm()

    @Slot()
    def shut(self) -> None:
        """The last job: stop retrying, close the connection, hand this object back to the main
        thread and end the writer thread."""
        if self._shut_down:
            return
        self._shut_down = True
        if self._timer is not None:
            self._timer.stop()
        if self.session is not None and self.session.pending:
            log.error("kiosk closed with %d scan(s) not recorded", len(self.session.pending))
        if not self._own_thread:
            return  # the window's own connection: its owner closes it
        if self.session is not None:
            self.session.storage.close()
        app = QCoreApplication.instance()
        if app is not None:  # (none left at interpreter exit)
            self.moveToThread(app.thread())
        QThread.currentThread().quit()


class KioskWriter(QObject):
    """The window's handle on the writer thread. call() runs a KioskSession method there and
    calls done(result) or failed(error) on the UI thread; retried(Retried) reports scans
    recorded late or given up. For an in-memory database (no second connection) the jobs run on
    the UI thread, still one at a time and after the call returns."""

    retried = Signal(object)
    _request = Signal(object)
    _shut = Signal()

    def __init__(self, storage: Storage, clock: Callable[[], dt.datetime], parent: QObject | None = None,
                 retry_ms: int = RETRY_S * 1000, busy_timeout_ms: int | None = None):
        super().__init__(parent)
        self._numbers = 0
        self._open: dict[int, Job] = {}
        self._stopped = False
        if storage.path is None:
            self._thread = None
            opener = lambda: KioskSession(storage, clock)  # noqa: E731
        else:
            self._thread = QThread()
            self._thread.setObjectName("storeshift kiosk writer")  # not translated: a thread's name

            def opener() -> KioskSession:
                kwargs = {} if busy_timeout_ms is None else {"busy_timeout_ms": busy_timeout_ms}
                return KioskSession(SiblingStorage(storage, **kwargs), clock, journal=journal_path(storage.path))
        self._worker = _Worker(opener, retry_ms, own_thread=self._thread is not None)
        if self._thread is not None:
            self._worker.moveToThread(self._thread)
        queued = Qt.ConnectionType.QueuedConnection
        self._request.connect(self._worker.run, queued)
        self._shut.connect(self._worker.shut, queued)
        self._worker.finished.connect(self._on_finished, queued)
        self._worker.retried.connect(self.retried, queued)
        if self._thread is not None:
            self._thread.start()
            _live.add(self)

    @property
    def retry_ms(self) -> int:
        return self._worker.retry_ms

    @retry_ms.setter
    def retry_ms(self, value: int) -> None:
        self._worker.retry_ms = int(value)  # read by the writer at its next retry

    @property
    def storage(self) -> Storage | None:
        """The writer's own connection (None before its first job): for a look at what it sees,
        while it is idle."""
        return self._worker.session.storage if self._worker.session is not None else None

    @property
    def busy(self) -> bool:
        """Some job has not been answered yet."""
        return bool(self._open)

    def call(self, method: str, *args, done: Callable[[Any], None] | None = None,
             failed: Callable[[Exception], None] | None = None, wait_ms: int = ANSWER_WAIT_MS) -> Job:
        """Run session.method(*args) on the writer thread. If it answers within wait_ms (a free
        database), done/failed are called before call() returns; otherwise later, from the
        event loop."""
        self._numbers += 1
        if self._stopped:
            log.warning("kiosk writer: %s asked for after the kiosk closed", method)
            return Job(self._numbers, method, args, None, None)
        job = Job(self._numbers, method, args, done, failed)
        self._open[job.number] = job
        self._request.emit(job)
        if self._thread is not None and wait_ms > 0 and job.finished.wait(wait_ms / 1000):
            self._deliver(job)
        return job

    def _on_finished(self, job: Job) -> None:
        if not job.delivered:
            self._deliver(job)

    def _deliver(self, job: Job) -> None:
        job.delivered = True
        self._open.pop(job.number, None)
        callback, value = (job.failed, job.error) if job.error is not None else (job.done, job.result)
        if callback is not None:
            callback(value)
        elif job.error is not None and not isinstance(job.error, UserError):
            log.error("kiosk writer: unanswered failure of %s", job.method)

    @property
    def stopped(self) -> bool:
        """stop() was called: the kiosk is closing or closed."""
        return self._stopped

    def stop(self) -> None:
        """Finish the jobs asked for, close the writer's connection and end its thread (once)."""
        if self._stopped:
            return
        self._stopped = True
        self._shut.emit()
        if self._thread is not None and not self._thread.wait(30_000):
            log.error("kiosk writer did not stop within 30 s")
        else:
            QCoreApplication.sendPostedEvents(self._worker)
