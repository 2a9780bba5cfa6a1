"""The organisation's badge-signing key as stored: created with the database, read by badges and sync."""

from __future__ import annotations

import base64
import hashlib
import secrets

from ..i18n import N_
from .db import Storage, now_iso


def key_id_of(secret_hex: str) -> str:
    """The key's public 4-character id, printed in every badge payload."""
    return base64.b32encode(hashlib.sha256(bytes.fromhex(secret_hex)).digest()).decode()[:4]


def create_org_key(storage: Storage) -> str:
    secret_hex = secrets.token_hex(32)
    key_id = key_id_of(secret_hex)
    with storage.write(N_("create the organisation key")):
        if storage.value("SELECT count(*) FROM organisation") == 0:
            storage.db.table("organisation").insert({"key_id": key_id, "secret": secret_hex, "name": "",
                                               "created_at": now_iso()})
            # The key is audited like any record: replacing it with sqlite3 shows in `check`.
            from . import audit

            audit.log(storage, "insert", "organisation", key_id, actor="system")
    return key_id
