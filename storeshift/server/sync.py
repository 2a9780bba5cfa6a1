"""A site's sync with head office's server: push this site's changes, pull what the others pushed.

Push: the rows and log entries a bundle would carry since the last successful sync (from the
entry after the last one the server holds, so a sync cut short is simply sent again), written
to the site's own rows in one transaction. Pull: every other site this credential may read
(head office, for a store; every site, for head office) is rebuilt from the server as that
site's full bundle and merged with sync/merge.py, so a sync applies exactly the bundles' rule
(the later change wins; conflicts listed; deletions travel; audit chains checked).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from ..i18n import N_, _, format_number, ngettext
from ..services import badges
from ..storage.db import Storage, now_iso
from ..storage.schema import SCHEMA_VERSION
from ..sync import bundle as bundles
from ..sync.merge import MergeReport, merge_bundles
from .schema import ServerRefused, check_version, connect, redact


@dataclass
class SyncResult:
    pushed_rows: int = 0
    pushed_changed: int = 0
    pushed_audit: int = 0
    merged: MergeReport = field(default_factory=MergeReport)
    pulled_sites: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rows = ngettext("Sent {count} row ({changed} new or changed on the server)",
                        "Sent {count} rows ({changed} new or changed on the server)", self.pushed_rows).format(
            count=format_number(self.pushed_rows), changed=format_number(self.pushed_changed))
        audit = ngettext("{count} new audit entry", "{count} new audit entries", self.pushed_audit).format(
            count=format_number(self.pushed_audit))
        lines = [_("{rows} and {audit}.").format(rows=rows, audit=audit)]
        if self.merged.bundles:
            lines.append(self.merged.summary())
        else:
            lines.append(_("Nothing new from other sites."))
        return "\n".join(lines)


# -- the site's own settings for the server (local table server_sync, never audited) -------------

def get(storage: Storage, key: str) -> str | None:
    return storage.value("SELECT value FROM server_sync WHERE key = ?", (key,))


def put(storage: Storage, key: str, value: str) -> None:
    with storage.write(N_("remember the server sync")):
        storage.conn.execute("INSERT OR REPLACE INTO server_sync (key, value) VALUES (?, ?)", (key, value))


def server_url(storage: Storage, given: str | None) -> str:
    """The URL given or the one remembered; a sentence if neither."""
    if given:
        return given
    url = get(storage, "url")
    if not url:
        raise UserError(_("No server is set for this site: run storeshift sync --server URL once "
                          "with the URL head office gave you."))
    return url


def last_success(storage: Storage) -> str | None:
    return get(storage, "last_success")


# -- push -------------------------------------------------------------------------------------

def _claim(conn, storage: Storage) -> None:
    try:
        claimed = conn.execute("SELECT storeshift_claim(%s)", (storage.site_id,)).fetchone()[0]
    except Exception as exc:  # noqa: BLE001 (psycopg's error classes; the sentence is ours)
        conn.rollback()
        if "not a site role" in str(exc):
            raise ServerRefused(_("This credential is not a site's (or it was revoked): each site syncs with the "
                                  "URL storeshift server add-site printed for it.")) from None
        raise
    conn.commit()
    if claimed != storage.site_id:
        raise ServerRefused(_("This credential belongs to another site's database; nothing was sent. "
                              "Each site syncs with its own URL (storeshift server add-site)."))


def push(storage: Storage, conn, result: SyncResult) -> str:
    """Send this site's changes; returns the time to remember as the high-water mark."""
    site = storage.site_id
    head = conn.execute("SELECT coalesce(max(seq), 0) FROM site_audit WHERE site_id = %s", (site,)).fetchone()[0]
    conn.rollback()
    # A moment before the export: rows changed from now on are sent again next time (harmless).
    mark = now_iso()
    since = get(storage, "pushed_until") if head else None
    with tempfile.TemporaryDirectory(prefix="storeshift-push-") as folder:
        path = bundles.export_bundle(storage, Path(folder) / "push.ssb", since=since, first_seq=head + 1)
        manifest = bundles.read_manifest(path, verify=False)
        source = sqlite3.connect(path)
        try:
            _write(conn, source, manifest, result)
        finally:
            source.close()
    return mark


def _write(conn, source: sqlite3.Connection, manifest: bundles.Manifest, result: SyncResult) -> None:
    """One transaction: all of the push or none of it."""
    from ..storage import audit

    site = manifest.site_id
    with conn.transaction():
        conn.execute("CREATE TEMP TABLE incoming (table_name text, id text, updated_at text, record_hash text, "
                     "data jsonb) ON COMMIT DROP")
        with conn.cursor().copy("COPY incoming FROM STDIN") as copy:
            for table in bundles.DATA_TABLES:
                cursor = source.execute(f"SELECT * FROM [{table}]")
                names = [d[0] for d in cursor.description]
                for values in cursor:
                    row = dict(zip(names, values))
                    copy.write_row((table, row["id"], row.get("updated_at"), audit.record_hash(row),
                                    json.dumps(row)))
                    result.pushed_rows += 1
        # The site's own current version replaces what it sent before (its database has already
        # applied the rule to everything it merged); unchanged rows are not written again.
        result.pushed_changed += conn.execute(
            "INSERT INTO site_rows (site_id, table_name, id, updated_at, record_hash, data) "
            "SELECT %s, table_name, id, updated_at, record_hash, data FROM incoming "
            "ON CONFLICT (site_id, table_name, id) DO UPDATE SET updated_at = excluded.updated_at, "
            "record_hash = excluded.record_hash, data = excluded.data "
            "WHERE site_rows.record_hash IS DISTINCT FROM excluded.record_hash", (site,)).rowcount
        # COPY cannot write a table under row-level security: into a temporary table first.
        conn.execute("CREATE TEMP TABLE incoming_audit (site_id text, seq bigint, data jsonb) ON COMMIT DROP")
        head = conn.execute("SELECT coalesce(max(seq), 0) FROM site_audit WHERE site_id = %s",
                            (site,)).fetchone()[0]
        with conn.cursor().copy("COPY incoming_audit FROM STDIN") as copy:
            cursor = source.execute("SELECT * FROM audit_log ORDER BY seq")
            names = [d[0] for d in cursor.description]
            for values in cursor:
                row = dict(zip(names, values))
                if row["seq"] > head:
                    copy.write_row((site, row["seq"], json.dumps(row)))
                    result.pushed_audit += 1
        conn.execute("INSERT INTO site_audit SELECT * FROM incoming_audit ON CONFLICT DO NOTHING")
        # Rows this site deleted (a person erased) leave its share of the server too.
        deleted = source.execute("SELECT table_name, record_id, max(at) FROM audit_log WHERE record_hash IS NULL "
                                 "GROUP BY table_name, record_id").fetchall()
        for table, record_id, at in deleted:
            if table not in bundles.DATA_TABLES:
                continue
            if not source.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", (record_id,)).fetchone():
                result.pushed_changed += conn.execute(
                    "DELETE FROM site_rows WHERE site_id = %s AND table_name = %s AND id = %s AND "
                    "coalesce(updated_at, '') <= %s", (site, table, record_id, at)).rowcount
        known = source.execute("SELECT table_name, record_id, record_hash FROM known").fetchall()
        if known:
            conn.cursor().executemany(
                "INSERT INTO site_known VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(site, *row) for row in known])
        raw = manifest.raw
        known_before = conn.execute("SELECT 1 FROM site_state WHERE site_id = %s", (site,)).fetchone()
        if known_before and not (result.pushed_changed or result.pushed_audit):
            return  # nothing new: the other sites need not pull this one again
        conn.execute(
            "INSERT INTO site_state (site_id, site_name, org_key_id, schema_version, storeshift_version, chain_to, "
            "chain_head) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (site_id) DO UPDATE SET "
            "site_name = excluded.site_name, org_key_id = excluded.org_key_id, schema_version = "
            "excluded.schema_version, storeshift_version = excluded.storeshift_version, chain_to = "
            "greatest(site_state.chain_to, excluded.chain_to), chain_head = CASE WHEN excluded.chain_to >= "
            "site_state.chain_to THEN excluded.chain_head ELSE site_state.chain_head END, pushed_at = now()",
            (site, manifest.site_name, manifest.org_key_id, manifest.schema_version, manifest.storeshift_version,
             manifest.chain_to, raw.get("chain_head", "")))


# -- pull -------------------------------------------------------------------------------------

def _rebuild(storage: Storage, conn, state: tuple, out: Path) -> Path:
    """Write another site's rows on the server as that site's full bundle, sealed here."""
    site, site_name, org_key_id, schema_version, version, chain_to, chain_head, head_office = state
    local = storage.conn
    local.execute("ATTACH DATABASE ? AS bundle", (str(out),))
    try:
        local.execute("PRAGMA bundle.journal_mode=OFF")
        local.execute("BEGIN")
        bundles._create_tables(local)
        counts = {}
        for table in (*bundles.DATA_TABLES, "audit_log"):
            names = [n for n, _ in bundles._columns(local, "main", table)]
            marks = ", ".join("?" * len(names))
            insert = f"INSERT INTO bundle.[{table}] ({', '.join(f'[{n}]' for n in names)}) VALUES ({marks})"
            if table == "audit_log":
                cursor = conn.execute("SELECT data FROM site_audit WHERE site_id = %s AND seq <= %s ORDER BY seq",
                                      (site, chain_to))
            else:
                cursor = conn.execute("SELECT data FROM site_rows WHERE site_id = %s AND table_name = %s",
                                      (site, table))
            count = 0
            while batch := cursor.fetchmany(5000):
                local.executemany(insert, [[data.get(n) for n in names] for (data,) in batch])
                count += len(batch)
            counts[table] = count
        known = conn.execute("SELECT table_name, record_id, record_hash FROM site_known WHERE site_id = %s",
                             (site,)).fetchall()
        local.executemany("INSERT OR IGNORE INTO bundle.known VALUES (?, ?, ?)", known)
        counts["known"] = len(known)
        manifest = {
            "format": bundles.FORMAT, "bundle_version": str(bundles.BUNDLE_VERSION),
            "kind": "roster" if head_office else "site", "site_id": site, "site_name": site_name,
            "org_key_id": org_key_id, "since": "", "until": now_iso(), "schema_version": str(schema_version),
            "storeshift_version": version, "chain_from": "1", "chain_to": str(chain_to),
            "row_counts": json.dumps(counts, sort_keys=True), "chain_head": chain_head,
        }
        manifest["checksum"] = bundles.content_checksum(local, "bundle", manifest)
        manifest["seal"] = bundles.seal(badges.org_key(storage)["secret"], manifest)
        local.executemany("INSERT INTO bundle.manifest (key, value) VALUES (?, ?)", manifest.items())
        local.execute("COMMIT")
    finally:
        if local.in_transaction:
            local.execute("ROLLBACK")
        local.execute("DETACH DATABASE bundle")
    return out


def pull(storage: Storage, conn, result: SyncResult) -> None:
    """Merge what other sites pushed since this site last pulled them (one transaction each)."""
    states = conn.execute(
        "SELECT s.site_id, s.site_name, s.org_key_id, s.schema_version, s.storeshift_version, s.chain_to, "
        "s.chain_head, coalesce(r.head_office, false), s.pushed_at::text FROM site_state s "
        "LEFT JOIN site_roles r ON r.site_id = s.site_id WHERE s.site_id != %s ORDER BY s.site_name",
        (storage.site_id,)).fetchall()
    conn.commit()
    for *state, pushed_at in states:
        site = state[0]
        if state[3] > SCHEMA_VERSION:
            raise ServerRefused(_("{site} synced from a newer storeshift ({version}); update storeshift here "
                                  "before syncing. This site's own changes were sent.").format(
                site=state[1], version=state[4]))
        if get(storage, f"pulled:{site}") == pushed_at:
            continue
        with tempfile.TemporaryDirectory(prefix="storeshift-pull-") as folder:
            with conn.transaction():  # one snapshot of that site's rows
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                path = _rebuild(storage, conn, tuple(state), Path(folder) / f"{state[1]}.ssb")
            report = merge_bundles(storage, [path])
        result.merged.bundles += report.bundles
        result.pulled_sites.append(state[1])
        put(storage, f"pulled:{site}", pushed_at)


def sync(storage: Storage, url: str | None = None) -> SyncResult:
    """Push this site's changes, then pull the others'; remembers the server and the time of success."""
    url = server_url(storage, url)
    result = SyncResult()
    with connect(url) as conn:
        check_version(conn)
        conn.commit()
        _claim(conn, storage)
        if conn.execute("SELECT org_key_id FROM site_state WHERE org_key_id != %s LIMIT 1",
                        (badges.org_key(storage)["key_id"],)).fetchone():
            raise ServerRefused(_("The server holds another organisation's data (its organisation key differs "
                                  "from this database's); nothing was sent. Import head office's key first."))
        conn.rollback()
        mark = push(storage, conn, result)
        # Only now that the push is committed does the mark move on.
        put(storage, "pushed_until", mark)
        pull(storage, conn, result)
    if get(storage, "url") != url:  # remembered once it has worked
        put(storage, "url", url)
    put(storage, "last_success", now_iso())
    return result


__all__ = ["sync", "SyncResult", "last_success", "redact"]
