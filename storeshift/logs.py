"""Logging to a rotating file in the user log folder. Log lines name records by id only:
never a person's name, a badge payload, a PIN or what someone wrote."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

_configured: Path | None = None


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
        handler: logging.Handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5,
                                                                        encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    _configured = path
    return path
