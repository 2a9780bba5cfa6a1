"""Audited writes: every insert, update and delete appends a hash-chained audit_log row.

Each audit row holds the hash of the record as it stands after the change and the hash of
the previous audit row of the same site. `verify` then detects both an edited audit row
(the chain breaks) and a record edited behind storeshift's back (its hash no longer matches).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlite_utils.db import NotFoundError, jsonify_if_needed

from .db import Storage, new_id, now_iso

#: Tables whose every row is covered by the audit chain.
AUDITED_TABLES = ("sites", "settings", "people", "badges", "tasks", "visits",
                  "assignments", "observations", "bookings", "themes")
#: Columns added to a table after its rows were first hashed: hashed only once they hold a
#: value, so adding one leaves the hash of every existing row (and the audit chain) valid.
LATER_COLUMNS = frozenset({"theme_id"})
GENESIS = "0" * 64


def record_hash(row: dict | None) -> str | None:
    if row is None:
        return None
    if LATER_COLUMNS.intersection(row):
        row = {k: v for k, v in row.items() if v is not None or k not in LATER_COLUMNS}
    canonical = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, table_name: str, record_id: str,
               record_hash: str | None) -> str:
    """The hash that links an audit entry to the one before it."""
    fields = [prev_hash, str(seq), at, actor, action, table_name, record_id, record_hash or ""]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def _entry_hash(prev_hash: str, entry: dict) -> str:
    return entry_hash(prev_hash, entry["seq"], entry["at"], entry["actor"], entry["action"], entry["table_name"],
                      entry["record_id"], entry["record_hash"])


def _chain_head(storage: Storage) -> tuple[int, str]:
    head = storage.conn.execute(
        "SELECT seq, hash FROM audit_log WHERE site_id = ? ORDER BY seq DESC LIMIT 1",
        (storage.site_id,)).fetchone()
    return (head[0], head[1]) if head else (0, GENESIS)


def _entries(storage: Storage, changes: Iterable[tuple[str, str, str, dict | None]], actor: str,
             at: str) -> list[dict]:
    seq, prev = _chain_head(storage)
    out = []
    for action, table, record_id, row in changes:
        seq += 1
        entry = {"id": new_id(), "site_id": storage.site_id, "seq": seq, "at": at, "actor": actor,
                 "action": action, "table_name": table, "record_id": record_id,
                 "record_hash": record_hash(row), "prev_hash": prev}
        entry["hash"] = prev = _entry_hash(prev, entry)
        out.append(entry)
    return out


def _read(storage: Storage, table: str, record_id: str) -> dict | None:
    return storage.one(f"SELECT * FROM [{table}] WHERE id = ?", (record_id,))


# Single-row writes use plain SQL: sqlite-utils' table.insert/update re-read the schema
# (sqlite_master, PRAGMA table_info) on every call, which made up most of a badge scan's time.
AUDIT_COLUMNS = ("id", "site_id", "seq", "at", "actor", "action", "table_name", "record_id",
                 "record_hash", "prev_hash", "hash")


def _append(storage: Storage, entries: list[dict]) -> None:
    storage.conn.executemany(
        f"INSERT INTO audit_log ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join('?' * len(AUDIT_COLUMNS))})",
        [[entry[c] for c in AUDIT_COLUMNS] for entry in entries])


def _insert_row(storage: Storage, table: str, row: dict) -> None:
    names = list(row)
    storage.conn.execute(f"INSERT INTO [{table}] ({', '.join(f'[{n}]' for n in names)}) "
                         f"VALUES ({', '.join('?' * len(names))})", [jsonify_if_needed(row[n]) for n in names])


def _update_row(storage: Storage, table: str, record_id: str, changes: dict) -> None:
    names = list(changes)
    cursor = storage.conn.execute(f"UPDATE [{table}] SET {', '.join(f'[{n}] = ?' for n in names)} WHERE id = ?",
                                  [jsonify_if_needed(changes[n]) for n in names] + [record_id])
    if cursor.rowcount == 0:
        raise NotFoundError(f"no {table} row with id {record_id}")


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
        _insert_row(storage, table, row)
        stored = _read(storage, table, row["id"])
        _append(storage, _entries(storage, [(action, table, row["id"], stored)], actor, now))
    return stored


def update(storage: Storage, table: str, record_id: str, changes: dict, actor: str,
           action: str = "update") -> dict:
    with storage.write():
        now = now_iso()
        _update_row(storage, table, record_id, {**changes, "updated_at": now})
        stored = _read(storage, table, record_id)
        _append(storage, _entries(storage, [(action, table, record_id, stored)], actor, now))
    return stored


def delete(storage: Storage, table: str, record_id: str, actor: str, action: str = "delete") -> None:
    with storage.write():
        storage.db[table].delete(record_id)
        _append(storage, _entries(storage, [(action, table, record_id, None)], actor, now_iso()))


def columns(storage: Storage, table: str) -> list[str]:
    return [c.name for c in storage.db[table].columns]


def insert_many(storage: Storage, table: str, rows: list[dict], actor: str, action: str = "insert") -> None:
    """Bulk form of insert for imports and demo data: rows must be complete (every column),
    with values already in their stored types, so their hash equals that of the stored row."""
    if not rows:
        return
    missing = set(columns(storage, table)) - set(rows[0])
    if missing:
        raise ValueError(f"insert_many into {table}: rows lack {sorted(missing)}, so their audit hash would be wrong")
    with storage.write():
        storage.db[table].insert_all(rows, batch_size=2000)
        changes = ((action, table, row["id"], row) for row in rows)
        storage.db["audit_log"].insert_all(_entries(storage, changes, actor, now_iso()), batch_size=2000)


@dataclass
class Verification:
    entries: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(storage: Storage, limit: int = 20) -> Verification:
    """Walk every site's chain, then compare every audited record with its last audit hash."""
    result = Verification()

    def problem(text: str) -> None:
        if len(result.problems) < limit:
            result.problems.append(text)
        elif len(result.problems) == limit:
            result.problems.append("… more problems not listed")

    # (table, record) -> (at, record hash, site) of the change that counts as its latest.
    latest: dict[tuple[str, str], tuple[str, str | None, str]] = {}
    expected_seq: dict[str, int] = {}
    previous: dict[str, str] = {}
    # Each site's latest entry per record, then between sites (merged bundles) the later time,
    # and on a tie the larger record hash: the rule sync.merge uses to pick a row's winner.
    site_latest: dict[tuple[str, str], tuple[str, str | None]] = {}
    current_site: str | None = None

    def fold(site: str | None) -> None:
        for key, (stamp, hashed) in site_latest.items():
            known = latest.get(key)
            if known is None or (stamp, hashed or "") > (known[0], known[1] or ""):
                latest[key] = (stamp, hashed, site)
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
        if entry["prev_hash"] != prev or entry["hash"] != _entry_hash(prev, entry):
            problem(f"audit log of site {site[:8]}: entry {entry['seq']} was altered")
        expected_seq[site], previous[site] = entry["seq"], entry["hash"]
        if site != current_site:
            fold(current_site)
            current_site = site
        # Within a site the later entry (by seq) wins, whatever its time says: a clock put back,
        # or a writer that read the clock before waiting for the lock, can give it an earlier time.
        site_latest[(entry["table_name"], entry["record_id"])] = (entry["at"], entry["record_hash"])
    fold(current_site)
    for table in AUDITED_TABLES:
        cursor = storage.conn.execute(f"SELECT * FROM [{table}]")
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values))
            result.records += 1
            known = latest.pop((table, row["id"]), None)
            if known is None:
                problem(f"{table} row {row['id'][:8]} was added outside storeshift")
            elif known[1] != record_hash(row) and not (
                    # Another site's own row, merged here, is not this database's home site.
                    table == "sites" and row["id"] != storage.site_id and row["is_home"] == 0
                    and known[1] == record_hash({**row, "is_home": 1})):
                problem(f"{table} row {row['id'][:8]} was changed outside storeshift")
    for (table, record_id), (_, hashed, site) in latest.items():
        # Settings stay at their site: bundles carry the log of another site's settings, not the rows.
        if table == "settings" and site != storage.site_id:
            continue
        if hashed is not None and table in AUDITED_TABLES:
            problem(f"{table} row {record_id[:8]} was deleted outside storeshift")
    return result


def current_row_hashes(storage: Storage, table: str) -> dict[str, Any]:
    """id → record hash for every row of a table (used when merging bundles)."""
    cursor = storage.conn.execute(f"SELECT * FROM [{table}]")
    names = [d[0] for d in cursor.description]
    return {values[0]: record_hash(dict(zip(names, values))) for values in cursor}
