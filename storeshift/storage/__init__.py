"""Storage: the SQLite file, its schema and migrations, and audited writes."""

from .db import Storage, open_storage

__all__ = ["Storage", "open_storage"]
