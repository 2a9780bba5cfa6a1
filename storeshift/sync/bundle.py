"""Bundle files: a site's rows and audit log in one self-checking SQLite file, written atomically.

A bundle holds, for one site: every row whose site_id is that site (changed since a date, or
all), every other row that site's audit log touched (a head-office person a store deactivated,
a store's observation head office triaged), the site's audit log itself (all of it, or its tail
from the first entry in the range), and a manifest: site, organisation key id, range, row
counts, schema version, storeshift version, the site's audit chain head, a SHA-256 checksum
over the canonical content and a seal: an HMAC keyed from the organisation secret over the
manifest, checksum included. The checksum is computed from the tables' rows themselves (a scan
that uses no index), and a bundle must pass SQLite's integrity_check before it is read, so a
stale index cannot hide a changed row. Whoever lacks the organisation secret (another
organisation, or someone editing a bundle on its way) cannot make a seal that verifies here,
even with the right 4-character key id.
Settings stay at their site (they hold the shift-lead PIN's hash); only their log entries travel.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import __version__
from ..errors import UserError
from ..i18n import N_, _
from ..services import badges, settings
from ..storage.db import Storage, now_iso, translate
from ..storage.schema import SCHEMA_VERSION
from ..timeutil import UTC, from_iso, to_iso, zone

FORMAT = "storeshift-bundle"
#: 2: sealed with the organisation key (bundles of version 1 carry no seal and are refused).
BUNDLE_VERSION = 2
_SEAL_CONTEXT = b"storeshift bundle seal v2"
#: The tables a bundle carries, in the order they are checksummed and merged (one line per table).
DATA_TABLES = ("sites", "people", "badges", "tasks", "visits", "assignments", "themes", "observations",
               "bookings")
#: Everything checksummed: the rows, the site's audit log, and `known`: the record hashes other
#: sites' logs (merged into the exporting database) hold for the carried rows, which tells the
#: receiving site whether the exporting site had seen its version of a row before changing it.
CARRIED_TABLES = (*DATA_TABLES, "audit_log", "known")
ORDER = {"audit_log": "site_id, seq", "known": "table_name, record_id, record_hash"}
SQLITE_HEADER = b"SQLite format 3\x00"

Progress = Callable[[int, int], None] | None


class BundleRefused(UserError):
    """A bundle that cannot be merged here; the sentence says why and what to do."""


@dataclass
class Manifest:
    """What a bundle says about itself (read from its manifest table, checksum verified)."""
    path: Path
    kind: str
    site_id: str
    site_name: str
    org_key_id: str
    since: str | None
    until: str
    schema_version: int
    storeshift_version: str
    chain_from: int
    chain_to: int
    checksum: str
    row_counts: dict[str, int] = field(default_factory=dict)
    #: The seal and everything it covers, as read from the file.
    seal: str = ""
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def is_roster(self) -> bool:
        return self.kind == "roster"

    def describe(self) -> str:
        until = self.until[:16].replace("T", " ")
        if self.is_roster:
            return _("roster from {site} (everything up to {until} UTC)").format(site=self.site_name, until=until)
        if self.since:
            return _("bundle from {site} (changes since {since} up to {until} UTC)").format(
                site=self.site_name, since=self.since[:10], until=until)
        return _("bundle from {site} (everything up to {until} UTC)").format(site=self.site_name, until=until)


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    return [(row[1], row[2]) for row in conn.execute(f"PRAGMA {schema}.table_info([{table}])")]


def since_iso(storage: Storage, since: str | dt.date | dt.datetime | None) -> str | None:
    """A date (midnight in the site's zone), a datetime or ISO text as a stored UTC timestamp."""
    if since is None or since == "":
        return None
    if isinstance(since, dt.datetime):
        return to_iso(since if since.tzinfo else since.replace(tzinfo=UTC))
    if isinstance(since, dt.date):
        return to_iso(dt.datetime.combine(since, dt.time(0), zone(settings.site_timezone(storage))))
    text = str(since).strip()
    try:
        if len(text) == 10:
            return since_iso(storage, dt.date.fromisoformat(text))
        return to_iso(from_iso(text))
    except ValueError:
        raise UserError(_("'{text}' is not a date such as 2026-11-01.").format(text=text)) from None


def content_checksum(conn: sqlite3.Connection, schema: str, manifest: dict[str, str]) -> str:
    """SHA-256 over the manifest (all but the checksum) and every row of every carried table,
    in a fixed order and a canonical text form, so a flipped byte anywhere changes it."""
    digest = hashlib.sha256()
    for key in sorted(k for k in manifest if k not in ("checksum", "seal")):
        digest.update(f"{key}={manifest[key]}\n".encode())
    for table in CARRIED_TABLES:
        names = [name for name, _ in _columns(conn, schema, table)]
        digest.update(f"\x1e{table}:{','.join(names)}\n".encode())
        order = ORDER.get(table, "id")
        # NOT INDEXED: the rows as the table holds them; a stale index must not choose them.
        cursor = conn.execute(f"SELECT * FROM {schema}.[{table}] NOT INDEXED ORDER BY {order}")
        while batch := cursor.fetchmany(5000):
            # repr of a row of str/int/None is exact and stable, and much faster than JSON.
            digest.update("\n".join(map(repr, batch)).encode("utf-8", "surrogatepass"))
            digest.update(b"\n")
    return digest.hexdigest()


def seal(secret_hex: str, manifest: dict[str, str]) -> str:
    """HMAC-SHA256 over every manifest entry but the seal (the checksum, which covers the
    content, among them), keyed from the organisation secret."""
    key = hmac.new(bytes.fromhex(secret_hex), _SEAL_CONTEXT, hashlib.sha256).digest()
    text = "".join(f"{k}={manifest[k]}\n" for k in sorted(manifest) if k != "seal")
    return hmac.new(key, text.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()


def check_seal(manifest: Manifest, secret_hex: str) -> None:
    """BundleRefused unless the bundle was sealed with this organisation's secret."""
    if not manifest.seal or not hmac.compare_digest(manifest.seal, seal(secret_hex, manifest.raw)):
        raise BundleRefused(
            _("{file} is not sealed with this organisation's key: it was changed after it was exported, or made "
              "by another organisation or an older storeshift. Nothing was merged; ask the site to export it "
              "again (after updating storeshift there).").format(file=manifest.path.name))


def _create_tables(conn: sqlite3.Connection) -> None:
    """Plain copies of the carried tables (no foreign keys or checks: a bundle is a carrier)."""
    for table in (*DATA_TABLES, "audit_log"):
        defs = [f"[{name}] {kind} PRIMARY KEY" if name == "id" else f"[{name}] {kind}"  # not translated: SQL
                for name, kind in _columns(conn, "main", table)]
        conn.execute(f"CREATE TABLE bundle.[{table}] ({', '.join(defs)})")
    conn.execute("CREATE UNIQUE INDEX bundle.audit_site_seq ON audit_log(site_id, seq)")
    conn.execute("CREATE INDEX bundle.audit_record ON audit_log(table_name, record_id)")
    conn.execute("CREATE TABLE bundle.known (table_name TEXT NOT NULL, record_id TEXT NOT NULL, "
                 "record_hash TEXT NOT NULL, PRIMARY KEY (table_name, record_id, record_hash))")
    conn.execute("CREATE TABLE bundle.manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def export_bundle(storage: Storage, out: str | Path, since: str | dt.date | dt.datetime | None = None,
                  roster: bool = False, progress: Progress = None, first_seq: int | None = None) -> Path:
    """Write this site's bundle to out (via a temporary file renamed at the end, so a
    half-written bundle never exists under its real name). Returns the path written.
    first_seq: carry the site's log from this entry on (and every row it touched), whatever the
    entries' times (the server sync knows how far the server holds the log)."""
    if roster and since:
        raise UserError(_("A roster bundle always carries everything; leave out the date."))
    out = Path(out)
    if out.exists() and out.is_dir():
        raise UserError(_("{folder} is a folder; give the bundle a file name such as site.ssb.").format(folder=out))
    since_text = since_iso(storage, since)
    site_id = storage.site_id
    site = storage.one("SELECT name FROM sites WHERE id = ?", (site_id,))
    key = badges.org_key(storage)
    head = storage.value("SELECT max(seq) FROM audit_log WHERE site_id = ?", (site_id,)) or 0
    first = 1
    if since_text:
        found = storage.value("SELECT min(seq) FROM audit_log WHERE site_id = ? AND at >= ?", (site_id, since_text))
        first = found if found is not None else head + 1
    if first_seq is not None:
        first = min(first, first_seq) if since_text else first_seq
    tmp = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise UserError(_("Could not write the bundle to {file}: {reason}.").format(file=out, reason=exc.strerror)
                        ) from None
    storage.ensure_checked()  # never carry a damaged file's rows to head office
    conn = storage.conn
    steps = len(DATA_TABLES) + 2
    try:
        conn.execute("ATTACH DATABASE ? AS bundle", (str(tmp),))
        try:
            # The temporary file is thrown away on any failure, so it needs no journal.
            conn.execute("PRAGMA bundle.journal_mode=OFF")
            conn.execute("BEGIN")  # one read snapshot of the database for the whole bundle
            _create_tables(conn)
            counts = {}
            params = {"site": site_id, "since": since_text or "", "first": first}
            for step, table in enumerate(DATA_TABLES):
                names = ", ".join(f"[{name}]" for name, _kind in _columns(conn, "main", table))
                cursor = conn.execute(
                    f"INSERT INTO bundle.[{table}] ({names}) SELECT {names} FROM main.[{table}] "
                    "WHERE (site_id = :site AND updated_at >= :since) OR id IN (SELECT record_id FROM "
                    f"main.audit_log WHERE site_id = :site AND table_name = '{table}' AND seq >= :first)",
                    params)
                counts[table] = cursor.rowcount
                if progress:
                    progress(step + 1, steps)
            cursor = conn.execute("INSERT INTO bundle.audit_log SELECT * FROM main.audit_log "
                                  "WHERE site_id = :site AND seq >= :first", params)
            counts["audit_log"] = cursor.rowcount
            known = 0
            for table in DATA_TABLES:
                known += conn.execute(
                    "INSERT OR IGNORE INTO bundle.known SELECT table_name, record_id, record_hash "
                    "FROM main.audit_log WHERE site_id != :site AND record_hash IS NOT NULL AND table_name = "
                    f"'{table}' AND record_id IN (SELECT id FROM bundle.[{table}])", params).rowcount
            counts["known"] = known
            manifest = {
                "format": FORMAT, "bundle_version": str(BUNDLE_VERSION), "kind": "roster" if roster else "site",
                "site_id": site_id, "site_name": site["name"], "org_key_id": key["key_id"],
                "since": since_text or "", "until": now_iso(), "schema_version": str(SCHEMA_VERSION),
                "storeshift_version": __version__, "chain_from": str(first), "chain_to": str(head),
                "row_counts": json.dumps(counts, sort_keys=True),
            }
            manifest["chain_head"] = storage.value(
                "SELECT hash FROM audit_log WHERE site_id = ? AND seq = ?", (site_id, head)) or ""
            manifest["checksum"] = content_checksum(conn, "bundle", manifest)
            manifest["seal"] = seal(key["secret"], manifest)
            conn.executemany("INSERT INTO bundle.manifest (key, value) VALUES (?, ?)", manifest.items())
            conn.execute("COMMIT")
            if progress:
                progress(steps - 1, steps)
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute("DETACH DATABASE bundle")
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise translate(exc, N_("write the bundle")) from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(_("Could not write the bundle to {file}: {reason}.").format(
            file=out, reason=exc.strerror or exc)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    from ..storage import audit

    audit.remember_head(storage, f"bundle {out.name}")
    if progress:
        progress(steps, steps)
    return out


def _open_read_only(path: Path) -> sqlite3.Connection:
    # immutable: no locks, no journal files beside it, works on a write-protected USB stick.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def read_manifest(path: str | Path, verify: bool = True) -> Manifest:
    """Read a bundle's manifest; with verify, also recompute its checksum. Raises
    BundleRefused with a sentence for a missing, foreign, damaged or too-new file."""
    path = Path(path)
    name = path.name
    damaged = _("{file} is damaged (cut short or altered after it was exported); nothing was merged. Ask the "
                "site to export it again.").format(file=name)
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise BundleRefused(_("{file} does not exist.").format(file=path)) from None
    except IsADirectoryError:
        raise BundleRefused(_("{file} is a folder, not a bundle file.").format(file=path)) from None
    except OSError as exc:
        raise BundleRefused(_("Could not read {file}: {reason}.").format(file=path, reason=exc.strerror)) from None
    if header != SQLITE_HEADER:
        if not header:
            raise BundleRefused(damaged)
        raise BundleRefused(_("{file} is not a storeshift bundle (it is not a database file at all).").format(
            file=name))
    try:
        conn = _open_read_only(path)
    except sqlite3.Error:
        raise BundleRefused(damaged) from None
    try:
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "manifest" not in tables:
                raise BundleRefused(_("{file} is a database but not a storeshift bundle (to bring in a whole "
                                      "database, restore it as a backup instead).").format(file=name))
            raw = dict(conn.execute("SELECT key, value FROM manifest").fetchall())
            if raw.get("format") != FORMAT:
                raise BundleRefused(_("{file} is not a storeshift bundle.").format(file=name))
            try:
                schema_version = int(raw["schema_version"])
                manifest = Manifest(
                    path=path, kind=raw["kind"], site_id=raw["site_id"], site_name=raw["site_name"],
                    org_key_id=raw["org_key_id"], since=raw["since"] or None, until=raw["until"],
                    schema_version=schema_version, storeshift_version=raw["storeshift_version"],
                    chain_from=int(raw["chain_from"]), chain_to=int(raw["chain_to"]), checksum=raw["checksum"],
                    row_counts=json.loads(raw["row_counts"]), seal=raw.get("seal", ""), raw=raw)
            except (KeyError, ValueError, TypeError):
                raise BundleRefused(damaged) from None
            if schema_version > SCHEMA_VERSION or int(raw.get("bundle_version", 0)) > BUNDLE_VERSION:
                raise BundleRefused(
                    _("{file} was exported by a newer storeshift ({version}, database version {schema}; this one "
                      "reads up to {supported}). Update storeshift here first; nothing was merged.").format(
                        file=name, version=manifest.storeshift_version, schema=schema_version,
                        supported=SCHEMA_VERSION))
            missing = [t for t in CARRIED_TABLES if t not in tables]
            if missing and schema_version < SCHEMA_VERSION:
                raise BundleRefused(
                    _("{file} was exported by an older storeshift ({version}, database version {schema}), which "
                      "has no {tables}. Update storeshift at {site}, then export again; nothing was merged.").format(
                        file=name, version=manifest.storeshift_version, schema=schema_version,
                        tables=", ".join(missing), site=manifest.site_name))
            if missing:
                raise BundleRefused(damaged)
            if verify:
                # A damaged page or an index that disagrees with its table: refused before any
                # row is read for merging.
                if conn.execute("PRAGMA integrity_check(1)").fetchone()[0] != "ok":
                    raise BundleRefused(damaged)
                counts = {t: conn.execute(f"SELECT count(*) FROM [{t}] NOT INDEXED").fetchone()[0]
                          for t in CARRIED_TABLES}
                if counts != manifest.row_counts or content_checksum(conn, "main", raw) != manifest.checksum:
                    raise BundleRefused(damaged)
        except sqlite3.DatabaseError:
            raise BundleRefused(damaged) from None
    finally:
        conn.close()
    return manifest
