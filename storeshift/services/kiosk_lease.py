"""One kiosk per database: a lease file beside the database, renewed by a heartbeat, so a second
kiosk refuses with a sentence and a crashed kiosk's lease is taken over once it has gone stale.

A file rather than a row: a heartbeat written into the database would wake every window's
watcher (and the audit chain) every few seconds."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

from ..errors import Refused
from ..i18n import _, format_time
from ..timeutil import local

log = logging.getLogger("storeshift.kiosk.lease")

#: A kiosk renews its lease this often...
HEARTBEAT_S = 10
#: ...and a lease not renewed for this long belongs to a kiosk that stopped (crashed, frozen).
STALE_S = 45


def lease_path(db_path: Path) -> Path:
    return Path(f"{db_path}.kiosk-lease")


class KioskLease:
    """acquire() takes the lease or raises Refused naming the other kiosk; heartbeat() renews it
    (False when another kiosk has taken it over meanwhile); release() gives it back."""

    def __init__(self, db_path: Path, clock: Callable[[], float] = time.time, stale_s: float = STALE_S,
                 timezone: str = "UTC"):
        self.path = lease_path(db_path)
        self.clock = clock
        self.stale_s = stale_s
        self.timezone = timezone
        self.token = uuid.uuid4().hex
        self.held = False

    def _read(self) -> dict | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}  # half-written or damaged: nobody's lease, but not ours either
        return data if isinstance(data, dict) else {}

    def _write(self, started: float) -> None:
        data = {"token": self.token, "host": socket.gethostname(), "pid": os.getpid(),
                "started": started, "heartbeat": self.clock()}
        spare = self.path.with_name(f"{self.path.name}.{self.token}")
        spare.write_text(json.dumps(data), encoding="utf-8")
        os.replace(spare, self.path)  # whole or not at all: a reader never sees half a lease

    def _fresh(self, data: dict | None) -> bool:
        """Another kiosk's lease that still counts: renewed lately, by a process still running
        (on this PC that can be checked at once, so a kiosk restarted after a crash opens)."""
        if not data or data.get("token") == self.token:
            return False
        try:
            if self.clock() - float(data.get("heartbeat", 0)) >= self.stale_s:
                return False
        except (TypeError, ValueError):
            return False
        if data.get("host") == socket.gethostname() and isinstance(data.get("pid"), int):
            return _running(data["pid"])
        return True

    def acquire(self) -> None:
        current = self._read()
        if current is not None and self._fresh(current):
            raise Refused(self._refusal(current))
        if current:
            log.warning("taking over a stale kiosk lease (pid %s)", current.get("pid"))
        try:
            self._write(self.clock())
        except OSError as exc:  # a folder we cannot write to: the database says so itself
            log.warning("kiosk lease not written (%s)", exc.strerror)
            return
        # Two kiosks that found the same stale lease both wrote theirs: the last one stands.
        current = self._read()
        if current and current.get("token") != self.token:
            raise Refused(self._refusal(current))
        self.held = True

    def heartbeat(self) -> bool:
        """Renew the lease; False when another kiosk holds it now (this one should stop)."""
        if not self.held:
            return True
        current = self._read()
        if self._fresh(current):
            log.error("another kiosk took over this database's kiosk lease")
            self.held = False
            return False
        try:
            self._write(float((current or {}).get("started", self.clock())))
        except OSError as exc:
            log.warning("kiosk lease not renewed (%s)", exc.strerror)
        return True

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        current = self._read()
        if current and current.get("token") == self.token:
            with contextlib.suppress(OSError):
                self.path.unlink()

    def _refusal(self, other: dict) -> str:
        started = dt.datetime.fromtimestamp(float(other.get("started") or 0), dt.timezone.utc)
        since = format_time(local(started, self.timezone))
        if other.get("host") and other.get("host") != socket.gethostname():
            return _("A kiosk is already open on this database, on the PC {host} since {time}. Close it first; "
                     "if it has stopped, try again in a minute.").format(host=other["host"], time=since)
        return _("A kiosk is already open on this database since {time}. Close it first; if it has stopped, "
                 "try again in a minute.").format(time=since)


def _running(pid: int) -> bool:
    """Whether a process of this PC is still running (True when that cannot be told)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        import ctypes

        # os.kill() would end the process on Windows: ask for its exit code instead.
        kernel = ctypes.windll.kernel32
        handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel.GetLastError() == 5  # access denied: it exists
        code = ctypes.c_ulong()
        try:
            return not kernel.GetExitCodeProcess(handle, ctypes.byref(code)) or code.value == 259  # STILL_ACTIVE
        finally:
            kernel.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: it exists
        return True
    return True
