"""Logging to a rotating file in the user log folder. Log lines name records by id only:
never a person's name, a badge payload, a PIN or what someone wrote."""

from __future__ import annotations

import logging
import os
import traceback
from pathlib import Path

_configured: Path | None = None


def describe_exception(exc: BaseException) -> str:
    """An exception's kind without its message: the message of a database error can quote the
    row it choked on (a name, a note), and local values are never logged either."""
    code = getattr(exc, "sqlite_errorname", None)
    return f"{type(exc).__module__}.{type(exc).__qualname__}" + (f" ({code})" if code else "")


class PrivateFormatter(logging.Formatter):
    """Tracebacks as frames (file, line, function, source line) and exception kinds only."""

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        _, exc, tb = ei
        parts = []
        seen: set[int] = set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            frames = traceback.extract_tb(exc.__traceback__ if exc.__traceback__ is not None else tb)
            tb = None
            parts.append("Traceback (most recent call last):\n"  # not translated: the log is for support
                         + "".join(traceback.format_list(frames)) + describe_exception(exc))
            exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        return "\n\nwhile handling:\n".join(reversed(parts))  # not translated: the log is for support


class _RotatingLog(logging.Handler):
    """The rotating log file (1 MB × 5), opened at the first record: a window's start logs
    nothing, and logging.handlers (which brings socket, pickle and queue) would cost it 5 ms."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.file is None:
            import logging.handlers

            try:
                self.file = logging.handlers.RotatingFileHandler(self.path, maxBytes=1_000_000, backupCount=5,
                                                                 encoding="utf-8")
            except OSError:
                self.file = logging.NullHandler()
            self.file.setFormatter(self.formatter)
        self.file.emit(record)

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        super().close()


def log_dir() -> Path:
    override = os.environ.get("STORESHIFT_LOG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_log_dir("storeshift", appauthor=False))


def setup() -> Path:
    """Send storeshift's log to storeshift.log (1 MB × 5 files); returns the file's path."""
    global _configured
    folder = log_dir()
    path = folder / "storeshift.log"
    if _configured == path:
        return path
    logger = logging.getLogger("storeshift")
    logger.setLevel(logging.INFO)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()     # a log folder that moved (tests, another --db) leaves no file open
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = _RotatingLog(path)
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(PrivateFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    _configured = path
    return path
