"""Merging bundles into this database: idempotent, order-independent, one transaction per bundle.

The rule, for a row both here and in a bundle: the later change wins (the row's updated_at,
which is also the time of the audit entry that made it); on a tie, the version with the larger
record hash wins, so every database picks the same one whatever the order of merging. A site's
own later change replaces its earlier one even if its clock was put back (its log's order counts). A row
deleted at one site (a person erased) stays deleted unless it was changed elsewhere later.
The bundle's site's audit log is copied as it is, so its hash chain stays verifiable here; the
rows it brings need no audit entries of this site, because that log already covers them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import UserError
from ..i18n import N_, _, format_number, ngettext
from ..services import badges
from ..storage import audit
from ..storage.db import Storage
from .bundle import DATA_TABLES, BundleRefused, Manifest, Progress, check_seal, read_manifest

RULE = N_("the later change wins (updated_at); on a tie, the larger record hash")


@dataclass
class TableCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    #: The bundle's version was older than the one here (or the row was deleted here later).
    kept: int = 0
    deleted: int = 0

    def add(self, other: TableCounts) -> None:
        for name in ("inserted", "updated", "unchanged", "kept", "deleted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted


@dataclass
class Conflict:
    """The same row changed at two places without one seeing the other's change."""
    table: str
    record_id: str
    here_updated_at: str | None
    bundle_updated_at: str | None
    bundle_site: str
    winner: str  # "here" or "bundle"
    fields: list[str] = field(default_factory=list)
    deleted: bool = False  # the bundle's site deleted the row
    deleted_here: bool = False  # deleted (here, or at a site merged here), changed later at the bundle's site

    def sentence(self) -> str:
        def when(stamp: str | None) -> str:
            return stamp[:19].replace("T", " ") if stamp else "?"
        if self.deleted_here:
            return _("{table} {record}: deleted ({here} UTC) but changed later at {site} ({there} UTC), so it "
                     "is back here. Erase it again if the deletion should stand.").format(
                table=self.table, record=self.record_id[:8], here=when(self.here_updated_at),
                site=self.bundle_site, there=when(self.bundle_updated_at))
        if self.deleted:
            sentence = _("{table} {record}: changed here ({here} UTC) and deleted at {site} ({there} UTC)")
        else:
            sentence = _("{table} {record}: changed here ({here} UTC) and changed at {site} ({there} UTC)")
        sentence = sentence.format(table=self.table, record=self.record_id[:8], here=when(self.here_updated_at),
                                   site=self.bundle_site, there=when(self.bundle_updated_at))
        if self.winner == "bundle":
            kept = _("kept {site}'s version").format(site=self.bundle_site)
        else:
            kept = _("kept the version here")
        detail = _(" (they differ in {fields})").format(fields=", ".join(self.fields)) if self.fields else ""
        return _("{sentence}; {kept}{detail}.").format(sentence=sentence, kept=kept, detail=detail)


@dataclass
class BundleResult:
    manifest: Manifest
    tables: dict[str, TableCounts] = field(default_factory=dict)
    audit_entries: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.tables.values()) + self.audit_entries


@dataclass
class MergeReport:
    bundles: list[BundleResult] = field(default_factory=list)

    @property
    def tables(self) -> dict[str, TableCounts]:
        total = {table: TableCounts() for table in DATA_TABLES}
        for result in self.bundles:
            for table, counts in result.tables.items():
                total[table].add(counts)
        return total

    @property
    def conflicts(self) -> list[Conflict]:
        return [c for result in self.bundles for c in result.conflicts]

    @property
    def changed(self) -> int:
        return sum(result.changed for result in self.bundles)

    def summary(self, conflict_limit: int = 50) -> str:
        lines = []
        for result in self.bundles:
            counts = result.tables.values()
            added = sum(c.inserted for c in counts)
            updated = sum(c.updated for c in counts)
            deleted = sum(c.deleted for c in counts)
            same = sum(c.unchanged + c.kept for c in counts)
            head = f"{result.manifest.path.name}: {result.manifest.describe()}"
            if not result.changed:
                lines.append(ngettext("{head}: already merged, nothing changed ({count} row the same).",
                                      "{head}: already merged, nothing changed ({count} rows the same).",
                                      same).format(head=head, count=format_number(same)))
                continue
            parts = [ngettext("{count} row added", "{count} rows added", added).format(count=format_number(added)),
                     ngettext("{count} updated", "{count} updated", updated).format(count=format_number(updated))]
            if deleted:
                parts.append(ngettext("{count} deleted", "{count} deleted", deleted).format(
                    count=format_number(deleted)))
            parts += [ngettext("{count} unchanged", "{count} unchanged", same).format(count=format_number(same)),
                      ngettext("{count} audit entry", "{count} audit entries",
                               result.audit_entries).format(count=format_number(result.audit_entries))]
            lines.append(f"{head}: {', '.join(parts)}.")
            detail = [f"{table} +{c.inserted:,} ~{c.updated:,}" + (f" -{c.deleted:,}" if c.deleted else "")
                      for table, c in result.tables.items() if c.changed]
            if detail:
                lines.append("  " + "; ".join(detail))
        conflicts = self.conflicts
        if conflicts:
            lines.append(ngettext("{count} conflict, resolved by the rule: {rule}:",
                                  "{count} conflicts, resolved by the rule: {rule}:",
                                  len(conflicts)).format(count=format_number(len(conflicts)), rule=_(RULE)))
            lines += [f"  {c.sentence()}" for c in conflicts[:conflict_limit]]
            if len(conflicts) > conflict_limit:
                lines.append("  " + _("… and {count} more.").format(count=format_number(len(conflicts) - conflict_limit)))
        elif self.bundles:
            lines.append(_("No conflicts."))
        return "\n".join(lines)


def _names(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA {schema}.table_info([{table}])")]


def merge_bundles(storage: Storage, paths: Iterable[str | Path], progress: Progress = None) -> MergeReport:
    """Merge bundle files into this database, each in its own transaction. Every bundle is
    checked first (checksum, organisation, schema), so a bad one refuses the lot unchanged."""
    manifests = [read_manifest(path) for path in paths]
    if not manifests:
        raise UserError(_("Name at least one bundle file to merge."))
    key = badges.org_key(storage)
    key_id = key["key_id"]
    for manifest in manifests:
        if manifest.org_key_id != key_id:
            raise BundleRefused(_(
                "{file} comes from another organisation (key {theirs}; this database uses key {ours}). A site "
                "must import head office's organisation key (storeshift org-key import) before it can exchange "
                "bundles; nothing was merged.").format(file=manifest.path.name, theirs=manifest.org_key_id,
                                                        ours=key_id))
        check_seal(manifest, key["secret"])
    report = MergeReport()
    steps = len(manifests) * (len(DATA_TABLES) + 2)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, steps)

    # Each bundle's transaction writes thousands of pages. Checkpointing every 1,000 (SQLite's
    # default) copied the same index pages into the file again after every bundle; every
    # 10,000 (about 40 MB of WAL), with the bigger page cache below, took 14 s to about 10 s.
    checkpoint_every = storage.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    storage.conn.execute("PRAGMA wal_autocheckpoint=10000")
    # Rows arrive in random id order, so their indexes are written all over: a 64 MB page
    # cache (SQLite's default is 2 MB) keeps those pages at hand for the merge.
    cache_size = storage.conn.execute("PRAGMA cache_size").fetchone()[0]
    storage.conn.execute("PRAGMA cache_size=-65536")
    try:
        for manifest in manifests:
            try:
                report.bundles.append(_merge_one(storage, manifest, step))
            except UserError as exc:
                if report.bundles:
                    merged = ", ".join(r.manifest.path.name for r in report.bundles)
                    raise UserError(_("{reason} (Merged before it: {files}.)").format(reason=exc, files=merged)) from None
                raise
    finally:
        storage.conn.execute(f"PRAGMA wal_autocheckpoint={checkpoint_every}")
        storage.conn.execute(f"PRAGMA cache_size={cache_size}")
    return report


def _merge_one(storage: Storage, manifest: Manifest, step) -> BundleResult:
    conn = storage.conn
    if conn.in_transaction:
        raise RuntimeError("merge_bundles needs its own transaction (ATTACH cannot run inside one)")
    foreign_keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    # Bundles arrive in any order: a store's visit may name a person whose roster bundle comes
    # later, and a deletion at one site must not cascade into rows of other sites here.
    conn.execute("PRAGMA foreign_keys=OFF")
    # A merge lost to a power cut is simply merged again (WAL keeps the file sound either way),
    # so it need not wait for the disk at every commit.
    conn.execute("PRAGMA synchronous=NORMAL")
    try:
        conn.execute("ATTACH DATABASE ? AS bundle", (str(manifest.path),))
    except sqlite3.Error as exc:
        conn.execute(f"PRAGMA foreign_keys={foreign_keys}")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        raise BundleRefused(_("Could not open {file}: {reason}.").format(file=manifest.path.name, reason=exc)) from None
    try:
        stored = conn.execute("SELECT value FROM bundle.manifest WHERE key = 'checksum'").fetchone()
        if not stored or stored[0] != manifest.checksum:
            raise BundleRefused(_("{file} changed while it was being merged; nothing was merged.").format(
                file=manifest.path.name))
        result = BundleResult(manifest)
        with storage.write(N_("merge the bundle")):
            head = _check_chain(conn, manifest, audit.chain_key(storage))
            step()
            try:
                for table in DATA_TABLES:
                    result.tables[table] = _merge_table(storage, table, manifest, result.conflicts)
                    step()
                _apply_deletions(conn, manifest, result)
                # Entries up to the head here are known to be the same (checked above).
                result.audit_entries = conn.execute(
                    "INSERT INTO main.audit_log SELECT * FROM bundle.audit_log WHERE seq > ? ORDER BY id",
                    (head,)).rowcount
            except sqlite3.IntegrityError:
                # Which rule was broken is asked of the data, not read from SQLite's message.
                same_badge = conn.execute(
                    "SELECT 1 FROM bundle.badges n JOIN main.badges m ON m.person_id = n.person_id "
                    "AND m.serial = n.serial AND m.id != n.id LIMIT 1").fetchone()
                if same_badge:
                    what = _("a person was given a new badge at {site} and also at another site (or here), and "
                             "both badges have the same number. Nothing from it was merged; reissue the badge at "
                             "one place only, then export again.").format(site=manifest.site_name)
                else:
                    what = _("its rows clash with rows already here. Nothing from it was merged.")
                raise BundleRefused(_("{file} cannot be merged: {reason}").format(
                    file=manifest.path.name, reason=what)) from None
            step()
        return result
    finally:
        try:
            conn.execute("DETACH DATABASE bundle")
        finally:
            conn.execute(f"PRAGMA foreign_keys={foreign_keys}")
            conn.execute(f"PRAGMA synchronous={synchronous}")


def _check_chain(conn: sqlite3.Connection, manifest: Manifest, key: bytes | None) -> int:
    """The bundle's log must continue what is here, agree with it, and link up entry by entry.
    Returns how far this database held the site's log before."""
    name, site, site_name = manifest.path.name, manifest.site_id, manifest.site_name
    others = conn.execute("SELECT count(*) FROM bundle.audit_log WHERE site_id != ?", (site,)).fetchone()[0]
    if others:
        raise BundleRefused(_("{file} carries audit entries of other sites; it was not made by storeshift's "
                              "export. Nothing was merged.").format(file=name))
    head = conn.execute("SELECT max(seq) FROM main.audit_log WHERE site_id = ?", (site,)).fetchone()[0] or 0
    if manifest.chain_from > head + 1 and manifest.chain_to >= manifest.chain_from:
        raise BundleRefused(_(
            "{file} continues {site}'s log from entry {start}, but this database holds it only up to entry "
            "{head}. Merge {site}'s earlier bundle (or a full export without a date) first; nothing was "
            "merged.").format(file=name, site=site_name, start=manifest.chain_from, head=head))
    fork = conn.execute(
        "SELECT min(n.seq) FROM bundle.audit_log n JOIN main.audit_log m ON m.site_id = n.site_id "
        "AND m.seq = n.seq WHERE m.hash != n.hash").fetchone()[0]
    if fork is not None:
        raise BundleRefused(_(
            "{file} disagrees with {site}'s log already here from entry {entry} on: that site's database was "
            "probably restored from an old backup or copied to another PC. Nothing was merged; ask support to "
            "help reconcile the two.").format(file=name, site=site_name, entry=fork))
    previous = audit.GENESIS
    if head:
        previous = conn.execute("SELECT hash FROM main.audit_log WHERE site_id = ? AND seq = ?",
                                (site, head)).fetchone()[0]
    entries = conn.execute(
        "SELECT seq, at, actor, action, table_name, record_id, record_hash, prev_hash, hash "
        "FROM bundle.audit_log WHERE site_id = ? AND seq > ? ORDER BY seq", (site, head)).fetchall()
    expected = head + 1
    keyed = previous.startswith(audit.KEYED)
    for seq, at, actor, action, table, record_id, record_hash, prev_hash, entry_hash in entries:
        entry = {"seq": seq, "at": at, "actor": actor, "action": action, "table_name": table,
                 "record_id": record_id, "record_hash": record_hash, "hash": entry_hash}
        linked = seq == expected and prev_hash == previous
        now_keyed = str(entry_hash).startswith(audit.KEYED)
        if not linked or not audit.link_ok(previous, entry, key) or (keyed and not now_keyed):
            raise BundleRefused(_("{site}'s audit log in {file} does not check out at entry {entry}: it was "
                                  "altered. Nothing was merged.").format(site=site_name, file=name, entry=expected))
        previous, expected, keyed = entry_hash, expected + 1, keyed or now_keyed
    return head


def _order_key(row: dict) -> tuple[str, str]:
    return (row["updated_at"] or "", audit.record_hash(row) or "")


def _logged_winner(conn: sqlite3.Connection, table: str, record_id: str) -> tuple[bool, str | None]:
    """The record hash `storeshift check` will expect once the bundle's log is in: each site's
    latest entry for the record (by seq: a site's own later change replaces its earlier one even
    if its clock was put back), then the later time, then the larger hash. (False, None) when no
    log here or in the bundle mentions the record."""
    entries = conn.execute(
        "SELECT site_id, seq, at, record_hash FROM main.audit_log WHERE table_name = ? AND record_id = ? "
        "UNION SELECT site_id, seq, at, record_hash FROM bundle.audit_log WHERE table_name = ? AND record_id = ?",
        (table, record_id, table, record_id)).fetchall()
    per_site: dict[str, tuple[int, str, str | None]] = {}
    for site, seq, at, hashed in entries:
        if site not in per_site or seq > per_site[site][0]:
            per_site[site] = (seq, at, hashed)
    if not per_site:
        return False, None
    _, _, hashed = max(per_site.values(), key=lambda e: (e[1], e[2] or ""))
    return True, hashed


def _bundle_wins(conn: sqlite3.Connection, table: str, theirs: dict, ours: dict | None,
                 theirs_hash: str | None, ours_hash: str | None) -> bool:
    """The rule: the later change wins (updated_at is the time of the change's audit entry);
    on a tie, the larger record hash. Decided from the audit logs when they name one of the two
    versions, so the result is always what `storeshift check` verifies."""
    logged, expected = _logged_winner(conn, table, theirs["id"])
    if logged and expected == theirs_hash:
        return True
    if logged and (expected == ours_hash):
        return False
    return _order_key(theirs) > (_order_key(ours) if ours else ("", ""))


def _merge_table(storage: Storage, table: str, manifest: Manifest, conflicts: list[Conflict]) -> TableCounts:
    conn = storage.conn
    counts = TableCounts()
    names = _names(conn, "main", table)
    theirs_names = _names(conn, "bundle", table)
    if set(theirs_names) != set(names):
        raise BundleRefused(_("{file} has a different {table} table than this database expects; nothing was "
                              "merged.").format(file=manifest.path.name, table=table))
    cols = ", ".join(f"[{c}]" for c in names)
    n_cols = ", ".join(f"n.[{c}]" for c in names)
    m_cols = ", ".join(f"m.[{c}]" for c in names)
    same = " AND ".join(f"n.[{c}] IS m.[{c}]" for c in names)
    if table == "sites":
        # A site's own row says is_home = 1; here only this database's site is home.
        pairs = conn.execute(f"SELECT {n_cols}, {m_cols} FROM bundle.sites n LEFT JOIN main.sites m "
                             "ON m.id = n.id").fetchall()
        width = len(names)
        differing = []
        for values in pairs:
            theirs = dict(zip(names, values[:width]))
            theirs["is_home"] = 1 if theirs["id"] == storage.site_id else 0
            ours = dict(zip(names, values[width:])) if values[width] is not None else None
            if ours is None:
                conn.execute(f"INSERT INTO main.sites ({cols}) VALUES ({', '.join('?' * width)})",
                             list(theirs.values()))
                counts.inserted += 1
            elif ours == theirs:
                counts.unchanged += 1
            else:
                differing.append((theirs, ours))
        _resolve(storage, table, names, differing, manifest, counts, conflicts)
        return counts
    deleted_here_later = (f"EXISTS (SELECT 1 FROM main.audit_log a WHERE a.table_name = '{table}' AND "
                          "a.record_id = n.id AND a.record_hash IS NULL AND a.at > n.updated_at)")
    new_rows = f"NOT EXISTS (SELECT 1 FROM main.[{table}] m WHERE m.id = n.id)"
    # Rows already here first (equal, or to resolve), then the new ones in one statement: two
    # passes over the bundle's rows, so that merging fifty stores' years stays quick.
    total = conn.execute(f"SELECT count(*) FROM bundle.[{table}]").fetchone()[0]
    overlap, counts.unchanged = conn.execute(
        f"SELECT count(*), coalesce(sum({same}), 0) FROM bundle.[{table}] n "
        f"JOIN main.[{table}] m ON m.id = n.id").fetchone()
    width = len(names)
    differing = []
    if overlap > counts.unchanged:
        differing = [(dict(zip(names, values[:width])), dict(zip(names, values[width:]))) for values in conn.execute(
            f"SELECT {n_cols}, {m_cols} FROM bundle.[{table}] n JOIN main.[{table}] m ON m.id = n.id "
            f"WHERE NOT ({same})")]
    # A row deleted here (a person erased) that the bundle's site changed later comes back, by
    # the rule; list it, so head office can erase again if the deletion should stand.
    for record_id, changed_at, deleted_at in conn.execute(
            f"SELECT n.id, n.updated_at, max(a.at) FROM bundle.[{table}] n JOIN main.audit_log a "
            f"ON a.table_name = '{table}' AND a.record_id = n.id AND a.record_hash IS NULL "
            f"WHERE {new_rows} GROUP BY n.id HAVING max(a.at) <= n.updated_at").fetchall():
        conflicts.append(Conflict(table=table, record_id=record_id, here_updated_at=deleted_at,
                                  bundle_updated_at=changed_at, bundle_site=manifest.site_name, winner="bundle",
                                  deleted_here=True))
    counts.inserted = conn.execute(
        f"INSERT INTO main.[{table}] ({cols}) SELECT {n_cols} FROM bundle.[{table}] n "
        # In id order: the primary-key index then grows page by page instead of at random.
        f"WHERE {new_rows} AND NOT {deleted_here_later} ORDER BY n.id").rowcount
    counts.kept = total - overlap - counts.inserted
    _resolve(storage, table, names, differing, manifest, counts, conflicts)
    return counts


def _hashes(conn: sqlite3.Connection, schema: str, source: str, table: str, record_id: str) -> set[str]:
    return {row[0] for row in conn.execute(
        f"SELECT record_hash FROM {schema}.[{source}] WHERE table_name = ? AND record_id = ? "
        "AND record_hash IS NOT NULL", (table, record_id))}


def _resolve(storage: Storage, table: str, names: list[str], differing: list[tuple[dict, dict]],
             manifest: Manifest, counts: TableCounts, conflicts: list[Conflict]) -> None:
    """Rows here and in the bundle that differ: apply the rule, and list real conflicts."""
    conn = storage.conn
    updates = []
    for theirs, ours in differing:
        theirs_hash, ours_hash = audit.record_hash(theirs), audit.record_hash(ours)
        bundle_wins = _bundle_wins(conn, table, theirs, ours, theirs_hash, ours_hash)
        if bundle_wins:
            updates.append([theirs[c] for c in names if c != "id"] + [theirs["id"]])
            counts.updated += 1
        else:
            counts.kept += 1
        # Not a conflict when one side had seen the other's version before changing it.
        seen_by_them = ours_hash in (_hashes(conn, "bundle", "audit_log", table, ours["id"])
                                     | _hashes(conn, "bundle", "known", table, ours["id"]))
        seen_here = theirs_hash in _hashes(conn, "main", "audit_log", table, ours["id"])
        if table == "sites":
            seen_by_them = seen_here = True  # only a site itself changes its row
        if not (seen_by_them or seen_here):
            conflicts.append(Conflict(
                table=table, record_id=ours["id"], here_updated_at=ours["updated_at"],
                bundle_updated_at=theirs["updated_at"], bundle_site=manifest.site_name,
                winner="bundle" if bundle_wins else "here",
                fields=[c for c in names if c not in ("updated_at",) and theirs[c] != ours[c]]))
    if updates:
        assignments = ", ".join(f"[{c}] = ?" for c in names if c != "id")
        conn.executemany(f"UPDATE main.[{table}] SET {assignments} WHERE id = ?", updates)


def _apply_deletions(conn: sqlite3.Connection, manifest: Manifest, result: BundleResult) -> None:
    """Rows the bundle's site deleted: delete them here too, unless changed here since."""
    for table in DATA_TABLES:
        gone = conn.execute(
            "SELECT record_id, max(at) FROM bundle.audit_log WHERE table_name = ? AND record_hash IS NULL "
            "GROUP BY record_id", (table,)).fetchall()
        if not gone:
            continue
        names = _names(conn, "main", table)
        for record_id, deleted_at in gone:
            values = conn.execute(f"SELECT * FROM main.[{table}] WHERE id = ?", (record_id,)).fetchone()
            if values is None:
                continue
            ours = dict(zip(names, values))
            # The rule again, a deletion being a change at deleted_at with the smallest hash ("").
            logged, expected = _logged_winner(conn, table, record_id)
            if logged and (expected is None or expected == audit.record_hash(ours)):
                delete = expected is None
            else:
                delete = (deleted_at, "") > _order_key(ours)
            if delete:
                conn.execute(f"DELETE FROM main.[{table}] WHERE id = ?", (record_id,))
                result.tables[table].deleted += 1
            else:
                result.tables[table].kept += 1
                known = conn.execute(
                    "SELECT 1 FROM main.audit_log WHERE site_id = ? AND table_name = ? AND record_id = ? "
                    "AND record_hash IS NULL", (manifest.site_id, table, record_id)).fetchone()
                if known:  # listed when this deletion first arrived
                    continue
                result.conflicts.append(Conflict(
                    table=table, record_id=record_id, here_updated_at=ours["updated_at"],
                    bundle_updated_at=deleted_at, bundle_site=manifest.site_name, winner="here", deleted=True))
