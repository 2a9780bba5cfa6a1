"""Audited writes: every insert, update and delete appends a hash-chained audit_log row.

Each audit row holds the hash of the record as it stands after the change and the hash of
the previous audit row of the same site. `verify` then detects both an edited audit row
(the chain breaks) and a record edited behind storeshift's back (its hash no longer matches).

The link is an HMAC-SHA256 keyed from the organisation secret (stored as "k1:" + hex), so
recomputing the chain after an edit takes the secret, not only this source code. Entries
written before storeshift keyed its chain keep their plain SHA-256 links; the first keyed
entry (written by the upgrade) covers the last plain one, so that history is fixed too, and
after a keyed entry a plain one is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import hmac
import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable

from .. import errors
from .db import Storage, new_id, now_iso

#: Tables whose every row is covered by the audit chain.
AUDITED_TABLES = ("sites", "settings", "people", "badges", "tasks", "visits",
                  "assignments", "observations", "bookings", "themes", "organisation")
#: Columns added to a table after its rows were first hashed: hashed only once they hold a
#: value, so adding one leaves the hash of every existing row (and the audit chain) valid.
LATER_COLUMNS = frozenset({"theme_id", "estimated_out_at", "confirmed_at"})
#: The key column of audited tables that have no `id`.
ID_COLUMNS = {"organisation": "key_id"}
#: Tables whose rows stay at their site: other sites' log entries for them do not name rows here.
LOCAL_TABLES = ("organisation",)
GENESIS = "0" * 64
KEYED = "k1:"
_CHAIN_CONTEXT = b"storeshift audit chain v1"


def chain_key_from_secret(secret_hex: str) -> bytes:
    """The audit chain's HMAC key, derived from (never equal to) the badge-signing secret."""
    return hmac.new(bytes.fromhex(secret_hex), _CHAIN_CONTEXT, hashlib.sha256).digest()


def chain_key(storage: Storage) -> bytes | None:
    """This database's chain key (None before it has an organisation key); cached per connection."""
    cached = storage.memo.get("chain_key")
    if cached is not None:
        return cached
    row = storage.conn.execute("SELECT secret FROM organisation ORDER BY key_id LIMIT 1").fetchone()
    if row is None:
        return None
    try:
        key = chain_key_from_secret(row[0])
    except (ValueError, TypeError):
        return None
    storage.memo["chain_key"] = key
    return key


def record_hash(row: dict | None) -> str | None:
    if row is None:
        return None
    if LATER_COLUMNS.intersection(row):
        row = {k: v for k, v in row.items() if v is not None or k not in LATER_COLUMNS}
    canonical = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, table_name: str, record_id: str,
               record_hash: str | None, key: bytes | None = None) -> str:
    """The hash that links an audit entry to the one before it: keyed with key (the chain
    key), or a plain SHA-256 for entries from before the chain was keyed."""
    fields = [prev_hash, str(seq), at, actor, action, table_name, record_id, record_hash or ""]
    data = "\x1f".join(fields).encode()
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return KEYED + hmac.new(key, data, hashlib.sha256).hexdigest()


def _entry_hash(prev_hash: str, entry: dict, key: bytes | None) -> str:
    return entry_hash(prev_hash, entry["seq"], entry["at"], entry["actor"], entry["action"], entry["table_name"],
                      entry["record_id"], entry["record_hash"], key)


def link_ok(prev_hash: str, entry: dict, key: bytes | None) -> bool:
    """Does entry's stored hash match its fields and prev_hash (keyed or plain, as it says)?"""
    stored = entry["hash"] or ""
    try:
        if stored.startswith(KEYED):
            return key is not None and hmac.compare_digest(stored, _entry_hash(prev_hash, entry, key))
        return stored == _entry_hash(prev_hash, entry, None)
    except (UnicodeEncodeError, TypeError):  # damaged text in the entry itself
        return False


def _chain_head(storage: Storage) -> tuple[int, str]:
    head = storage.conn.execute(
        "SELECT seq, hash FROM audit_log WHERE site_id = ? ORDER BY seq DESC LIMIT 1",
        (storage.site_id,)).fetchone()
    return (head[0], head[1]) if head else (0, GENESIS)


def _entries(storage: Storage, changes: Iterable[tuple[str, str, str, dict | None]], actor: str,
             at: str) -> list[dict]:
    seq, prev = _chain_head(storage)
    key = chain_key(storage)
    out = []
    for action, table, record_id, row in changes:
        seq += 1
        entry = {"id": new_id(), "site_id": storage.site_id, "seq": seq, "at": at, "actor": actor,
                 "action": action, "table_name": table, "record_id": record_id,
                 "record_hash": record_hash(row), "prev_hash": prev}
        entry["hash"] = prev = _entry_hash(prev, entry, key)
        out.append(entry)
    return out


def _read(storage: Storage, table: str, record_id: str) -> dict | None:
    return storage.one(f"SELECT * FROM [{table}] WHERE [{ID_COLUMNS.get(table, 'id')}] = ?", (record_id,))


# Single-row writes use plain SQL: sqlite-utils' table.insert/update re-read the schema
# (sqlite_master, PRAGMA table_info) on every call, which made up most of a badge scan's time.
AUDIT_COLUMNS = ("id", "site_id", "seq", "at", "actor", "action", "table_name", "record_id",
                 "record_hash", "prev_hash", "hash")


def _append(storage: Storage, entries: list[dict]) -> None:
    storage.conn.executemany(
        f"INSERT INTO audit_log ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join('?' * len(AUDIT_COLUMNS))})",
        [[entry[c] for c in AUDIT_COLUMNS] for entry in entries])


class NotFoundError(LookupError):
    """An update named a record that is not there."""


def jsonify_if_needed(value: Any) -> Any:
    """A value as SQLite stores it, the way sqlite-utils' own inserts store it (lists and dicts as JSON)."""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=repr, ensure_ascii=False)
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, (dt.timedelta, uuid.UUID)):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _stored(cursor: sqlite3.Cursor) -> dict | None:
    """The row a RETURNING * statement wrote, as stored (defaults and type affinity applied):
    what the audit hash covers, without a second read."""
    found = cursor.fetchall()
    if not found:
        return None
    return dict(zip((d[0] for d in cursor.description), found[0]))


def _insert_row(storage: Storage, table: str, row: dict) -> dict:
    names = list(row)
    return _stored(storage.conn.execute(
        f"INSERT INTO [{table}] ({', '.join(f'[{n}]' for n in names)}) VALUES ({', '.join('?' * len(names))}) "
        "RETURNING *", [jsonify_if_needed(row[n]) for n in names]))


def _update_row(storage: Storage, table: str, record_id: str, changes: dict) -> dict:
    names = list(changes)
    stored = _stored(storage.conn.execute(
        f"UPDATE [{table}] SET {', '.join(f'[{n}] = ?' for n in names)} WHERE id = ? RETURNING *",
        [jsonify_if_needed(changes[n]) for n in names] + [record_id]))
    if stored is None:
        raise NotFoundError(f"no {table} row with id {record_id}")
    return stored


def log(storage: Storage, action: str, table: str, record_id: str, actor: str) -> None:
    """Append an audit row for an event that is not itself a row change (a wrong PIN, say);
    it still carries the record's current hash so the record check stays exact."""
    with storage.write():
        row = _read(storage, table, record_id) if table in AUDITED_TABLES else None
        _append(storage, _entries(storage, [(action, table, record_id, row)], actor, now_iso()))


def insert(storage: Storage, table: str, values: dict, actor: str, action: str = "insert") -> dict:
    """Insert one row (id, site_id and timestamps filled in) and audit it; returns the stored row."""
    with storage.write():
        # The time is read once the lock is held, so times follow the order of the changes.
        now = now_iso()
        row = {"id": new_id(), "site_id": storage.site_id, "created_at": now, "updated_at": now, **values}
        stored = _insert_row(storage, table, row)
        _append(storage, _entries(storage, [(action, table, row["id"], stored)], actor, now))
    return stored


def update(storage: Storage, table: str, record_id: str, changes: dict, actor: str,
           action: str = "update") -> dict:
    with storage.write():
        now = now_iso()
        stored = _update_row(storage, table, record_id, {**changes, "updated_at": now})
        _append(storage, _entries(storage, [(action, table, record_id, stored)], actor, now))
    return stored


def delete(storage: Storage, table: str, record_id: str, actor: str, action: str = "delete") -> None:
    with storage.write():
        storage.db.table(table).delete(record_id)
        _append(storage, _entries(storage, [(action, table, record_id, None)], actor, now_iso()))


def columns(storage: Storage, table: str) -> list[str]:
    return [row[1] for row in storage.conn.execute(f"PRAGMA table_info([{table}])")]


def insert_many(storage: Storage, table: str, rows: list[dict], actor: str, action: str = "insert") -> None:
    """Bulk form of insert for imports and demo data: rows must be complete (every column),
    with values already in their stored types, so their hash equals that of the stored row."""
    if not rows:
        return
    # A column hashed only when set may be left out: it is stored NULL and hashed as absent.
    missing = set(columns(storage, table)) - set(rows[0]) - LATER_COLUMNS
    if missing:
        raise ValueError(f"insert_many into {table}: rows lack {sorted(missing)}, so their audit hash would be wrong")
    with storage.write():
        storage.db.table(table).insert_all(rows, batch_size=2000)
        changes = ((action, table, row["id"], row) for row in rows)
        storage.db.table("audit_log").insert_all(_entries(storage, changes, actor, now_iso()), batch_size=2000)


@dataclass
class Verification:
    entries: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _hash_or_none(row: dict) -> str | None:
    try:
        return record_hash(row)
    except UnicodeEncodeError:  # text that was not valid UTF-8 in the file (read with surrogates)
        return None


def verify(storage: Storage, limit: int = 20, heads: dict[str, list] | None = None) -> Verification:
    """Walk every site's chain, then compare every audited record with its last audit hash.
    heads: {site id: [seq, hash]} seen before (at a clean close); each must still be in the
    chain, so that removing the newest entries together with their rows shows. The heads
    recorded in the database (backups, bundles, reports) are checked too."""
    result = Verification()

    def problem(text: str) -> None:
        if len(result.problems) < limit:
            result.problems.append(text)
        elif len(result.problems) == limit:
            result.problems.append("… more problems not listed")

    key = chain_key(storage)
    if storage.value("SELECT count(*) FROM organisation") > 1:
        problem("the organisation table holds more than one key: a key was added outside storeshift")
    # (table, record) -> (at, record hash, site) of the change that counts as its latest.
    latest: dict[tuple[str, str], tuple[str, str | None, str]] = {}
    expected_seq: dict[str, int] = {}
    previous: dict[str, str] = {}
    keyed_since: dict[str, int] = {}
    hashes: dict[tuple[str, int], str] = {}
    wanted = _seen_heads(storage, heads)
    # Each site's latest entry per record, then between sites (merged bundles) the later time,
    # and on a tie the larger record hash: the rule sync.merge uses to pick a row's winner.
    site_latest: dict[tuple[str, str], tuple[str, str | None]] = {}
    current_site: str | None = None

    def fold(site: str | None) -> None:
        for record, (stamp, hashed) in site_latest.items():
            known = latest.get(record)
            if known is None or (stamp, hashed or "") > (known[0], known[1] or ""):
                latest[record] = (stamp, hashed, site)
        site_latest.clear()

    cursor = storage.conn.execute(
        "SELECT site_id, seq, at, actor, action, table_name, record_id, record_hash, prev_hash, hash "
        "FROM audit_log ORDER BY site_id, seq")
    names = [d[0] for d in cursor.description]
    for values in cursor:
        entry = dict(zip(names, values))
        result.entries += 1
        site = entry["site_id"]
        seq = expected_seq.get(site, 0) + 1
        prev = previous.get(site, GENESIS)
        if entry["seq"] != seq:
            problem(f"audit log of site {site[:8]}: entry {seq} is missing")
        keyed = str(entry["hash"] or "").startswith(KEYED)
        if entry["prev_hash"] != prev or not link_ok(prev, entry, key):
            problem(f"audit log of site {site[:8]}: entry {entry['seq']} was altered")
        elif keyed:
            keyed_since.setdefault(site, entry["seq"])
        elif site in keyed_since:
            problem(f"audit log of site {site[:8]}: entry {entry['seq']} was rewritten without the key")
        expected_seq[site], previous[site] = entry["seq"], entry["hash"]
        if (site, entry["seq"]) in wanted:
            hashes[(site, entry["seq"])] = entry["hash"]
        if site != current_site:
            fold(current_site)
            current_site = site
        if entry["table_name"] in LOCAL_TABLES and site != storage.site_id:
            continue
        # Within a site the later entry (by seq) wins, whatever its time says: a clock put back,
        # or a writer that read the clock before waiting for the lock, can give it an earlier time.
        site_latest[(entry["table_name"], entry["record_id"])] = (entry["at"], entry["record_hash"])
    fold(current_site)
    if key is not None and storage.site_id in expected_seq and storage.site_id not in keyed_since \
            and storage.value("SELECT count(*) FROM _sqlite_migrations WHERE name = 'm008_keyed_audit_chain'"):
        problem(f"audit log of site {storage.site_id[:8]}: the chain was rewritten without the key")
    for (site, seq), where in wanted.items():
        if hashes.get((site, seq)) != where[0]:
            what = "removed" if seq > expected_seq.get(site, 0) else "rewritten"
            problem(f"audit log of site {site[:8]}: entries up to {seq} were {what} after {where[1]} "
                    "saw them (the newest changes were deleted)")
    for table in AUDITED_TABLES:
        id_column = ID_COLUMNS.get(table, "id")
        cursor = storage.conn.execute(f"SELECT * FROM [{table}]")
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values))
            result.records += 1
            record_id = str(row[id_column])
            known = latest.pop((table, record_id), None)
            hashed = _hash_or_none(row)
            if hashed is None:
                problem(f"{table} row {record_id[:8]} holds text that is not valid UTF-8: the file is damaged")
            elif known is None:
                problem(f"{table} row {record_id[:8]} was added outside storeshift")
            elif known[1] != hashed and not (
                    # Another site's own row, merged here, is not this database's home site.
                    table == "sites" and row["id"] != storage.site_id and row["is_home"] == 0
                    and known[1] == record_hash({**row, "is_home": 1})):
                problem(f"{table} row {record_id[:8]} was changed outside storeshift")
    for (table, record_id), (_, hashed, site) in latest.items():
        # Settings stay at their site: bundles carry the log of another site's settings, not the rows.
        if table == "settings" and site != storage.site_id:
            continue
        if hashed is not None and table in AUDITED_TABLES:
            problem(f"{table} row {record_id[:8]} was deleted outside storeshift")
    return result


def _seen_heads(storage: Storage, heads: dict[str, list] | None) -> dict[tuple[str, int], tuple[str, str]]:
    """(site, seq) -> (hash, who saw it) for every chain head recorded: at the last clean close
    and, in the audit_heads table, by backups, bundles and reports."""
    wanted: dict[tuple[str, int], tuple[str, str]] = {}
    for site, head in (heads or {}).items():
        with contextlib.suppress(TypeError, ValueError, IndexError):
            wanted[(str(site), int(head[0]))] = (str(head[1]), "the last clean close")
    with contextlib.suppress(sqlite3.Error):  # no table before the upgrade
        for site, seq, hashed, seen_in, seen_at in storage.conn.execute(
                "SELECT site_id, seq, hash, seen_in, seen_at FROM audit_heads"):
            wanted[(site, seq)] = (hashed, f"{seen_in} ({str(seen_at)[:10]})")
    return wanted


def head(storage: Storage, site_id: str | None = None) -> tuple[int, str]:
    """The newest (seq, hash) of a site's chain (this site's by default)."""
    row = storage.conn.execute("SELECT seq, hash FROM audit_log WHERE site_id = ? ORDER BY seq DESC LIMIT 1",
                               (site_id or storage.site_id,)).fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def head_text(storage: Storage) -> str:
    """The chain head, short enough for a report footer: 'audit 1234:9f2c4e1a' (entry and the
    start of its hash); kept off-site on paper, it shows later if the newest entries go."""
    seq, hashed = head(storage)
    return f"audit {seq}:{hashed.removeprefix(KEYED)[:8]}"


def remember_head(storage: Storage, seen_in: str) -> tuple[int, str]:
    """Record this site's chain head as seen by a backup, a bundle or a report, so that later
    removing entries up to it shows in `storeshift check`. Best effort: a full or read-only
    disk does not stop the backup or report that asked."""
    seq, hashed = head(storage)
    with contextlib.suppress(errors.UserError):
        with storage.write("remember the audit chain's head"):  # not translated: its failure is never shown
            storage.conn.execute(
                "INSERT OR REPLACE INTO audit_heads (site_id, seq, hash, seen_in, seen_at) VALUES (?, ?, ?, ?, ?)",
                (storage.site_id, seq, hashed, seen_in, now_iso()))
    return seq, hashed


def rekey(storage: Storage, old_key: bytes | None) -> None:
    """Re-link this site's chain with the chain key of a newly imported organisation key (only
    a new database imports one). Entries that did not check out under the old key stay as they
    are, so earlier tampering still shows."""
    storage.memo.pop("chain_key", None)
    new_key = chain_key(storage)
    entries = storage.rows("SELECT * FROM audit_log WHERE site_id = ? ORDER BY seq", (storage.site_id,))
    prev_old = prev_new = GENESIS
    for entry in entries:
        if entry["prev_hash"] != prev_old or not link_ok(prev_old, entry, old_key):
            return
        keyed = str(entry["hash"]).startswith(KEYED)
        prev_old = entry["hash"]
        fresh = _entry_hash(prev_new, {**entry}, new_key if keyed else None)
        storage.conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?",
                             (prev_new, fresh, entry["id"]))
        prev_new = fresh


def current_row_hashes(storage: Storage, table: str) -> dict[str, Any]:
    """id → record hash for every row of a table (used when merging bundles)."""
    cursor = storage.conn.execute(f"SELECT * FROM [{table}]")
    names = [d[0] for d in cursor.description]
    return {values[0]: record_hash(dict(zip(names, values))) for values in cursor}
