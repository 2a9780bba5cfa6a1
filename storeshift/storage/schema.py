"""The schema as versioned migrations (each in one transaction) and the home-site bootstrap."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..i18n import N_, _
from .db import Storage, new_id, now_iso, read_only

if TYPE_CHECKING:
    from sqlite_utils.migrations import Migrations

#: sqlite-utils' name for this set of migrations, in its _sqlite_migrations table.
MIGRATION_SET = "storeshift"
# The migrations in order, as plain functions: sqlite-utils' Migrations (the module attribute
# `migrations`) is made from them only when one is to be applied, since importing sqlite-utils
# costs a window's start-up 0.1 s and a database already up to date needs none of it.
_REGISTERED: list[tuple[str, Callable[[Any], None]]] = []


def _migration(fn: Callable[[Any], None]) -> Callable[[Any], None]:
    _REGISTERED.append((fn.__name__, fn))
    return fn


def _migration_set() -> Migrations:
    found = globals().get("migrations")
    if found is None:
        from sqlite_utils.migrations import Migrations

        found = Migrations(MIGRATION_SET)
        for name, fn in _REGISTERED:
            found(name=name)(fn)
        globals()["migrations"] = found
    return found


def __getattr__(name: str) -> Any:
    if name == "migrations":
        return _migration_set()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _known_names() -> list[str]:
    """The migrations this storeshift has, in order (the set the tests may have replaced)."""
    found = globals().get("migrations")
    return [m.name for m in found._migrations] if found is not None else [name for name, _fn in _REGISTERED]


def _applied_names(conn: sqlite3.Connection) -> list[str]:
    try:
        return [row[0] for row in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid", (MIGRATION_SET,))]
    except sqlite3.OperationalError:
        return []  # a new file: nothing applied yet


def pending_names(conn: sqlite3.Connection) -> list[str]:
    """The migrations not applied to this database yet, read with plain SQL."""
    applied = set(_applied_names(conn))
    return [name for name in _known_names() if name not in applied]

#: Bump when a migration changes tables or columns; bundles from a newer schema are refused.
#: (Migrations that only add indexes, like m003, leave bundles readable by older versions.)
SCHEMA_VERSION = 4

# Columns every synchronised table carries, so rows from many sites can be merged.
COMMON = """
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
"""


@_migration
def m001_initial(db):
    db.executescript(f"""
    CREATE TABLE sites (
        {COMMON},
        name TEXT NOT NULL,
        timezone TEXT NOT NULL DEFAULT 'Europe/London',
        is_home INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE organisation (
        key_id TEXT PRIMARY KEY,
        secret TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE settings (
        {COMMON},
        key TEXT NOT NULL,
        value TEXT,
        UNIQUE (site_id, key)
    );
    CREATE TABLE people (
        {COMMON},
        employee_id TEXT,
        name TEXT NOT NULL,
        department TEXT NOT NULL DEFAULT '',
        email TEXT,
        photo TEXT,
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE UNIQUE INDEX people_employee_id ON people(employee_id) WHERE employee_id IS NOT NULL;
    CREATE UNIQUE INDEX people_email ON people(lower(email)) WHERE email IS NOT NULL;
    CREATE INDEX people_name ON people(name);
    CREATE TABLE badges (
        {COMMON},
        person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        serial INTEGER NOT NULL,
        revoked_at TEXT,
        UNIQUE (person_id, serial)
    );
    CREATE TABLE tasks (
        {COMMON},
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        area TEXT NOT NULL DEFAULT '',
        minutes INTEGER,
        capacity INTEGER,
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE visits (
        {COMMON},
        person_id TEXT REFERENCES people(id) ON DELETE SET NULL,
        department TEXT NOT NULL DEFAULT '',
        check_in_at TEXT NOT NULL,
        check_out_at TEXT,
        source_in TEXT NOT NULL DEFAULT 'badge',
        source_out TEXT,
        auto_closed INTEGER NOT NULL DEFAULT 0,
        departure_confirmed INTEGER NOT NULL DEFAULT 0,
        checkout_reason TEXT
    );
    CREATE INDEX visits_person ON visits(person_id, check_in_at);
    CREATE INDEX visits_check_in ON visits(check_in_at);
    CREATE INDEX visits_open ON visits(check_out_at) WHERE check_out_at IS NULL;
    CREATE TABLE assignments (
        {COMMON},
        visit_id TEXT NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
        task_id TEXT NOT NULL REFERENCES tasks(id),
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'done', 'replaced')),
        assigned_at TEXT NOT NULL,
        ended_at TEXT
    );
    CREATE INDEX assignments_visit ON assignments(visit_id);
    CREATE INDEX assignments_active ON assignments(task_id) WHERE status = 'active';
    CREATE TABLE observations (
        {COMMON},
        visit_id TEXT REFERENCES visits(id) ON DELETE SET NULL,
        person_id TEXT REFERENCES people(id) ON DELETE SET NULL,
        task_id TEXT REFERENCES tasks(id),
        category TEXT NOT NULL CHECK (category IN
            ('customer_voice', 'process_problem', 'product_issue', 'idea', 'praise')),
        text TEXT NOT NULL,
        quote TEXT,
        impact TEXT NOT NULL DEFAULT 'medium' CHECK (impact IN ('low', 'medium', 'high')),
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'triaged', 'actioned', 'closed')),
        owner TEXT,
        follow_up TEXT
    );
    CREATE INDEX observations_created ON observations(created_at);
    CREATE INDEX observations_visit ON observations(visit_id);
    CREATE TABLE bookings (
        {COMMON},
        person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        start_at TEXT NOT NULL,
        end_at TEXT NOT NULL,
        task_id TEXT REFERENCES tasks(id)
    );
    CREATE INDEX bookings_start ON bookings(start_at);
    CREATE TABLE audit_log (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        table_name TEXT NOT NULL,
        record_id TEXT NOT NULL,
        record_hash TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        UNIQUE (site_id, seq)
    );
    CREATE INDEX audit_record ON audit_log(table_name, record_id);
    """)


@_migration
def m002_people_unique_per_site(db):
    # Sites add people on their own, so a database holding merged bundles may hold two sites'
    # records of employee E10001: uniqueness is a rule within a site (the roster service still
    # refuses a clash across the whole database when someone is added by hand).
    for statement in (
        "DROP INDEX people_employee_id",
        "DROP INDEX people_email",
        "CREATE UNIQUE INDEX people_employee_id ON people(site_id, employee_id) WHERE employee_id IS NOT NULL",
        "CREATE UNIQUE INDEX people_email ON people(site_id, lower(email)) WHERE email IS NOT NULL",
    ):
        db.execute(statement)


@_migration
def m003_scan_indexes(db):
    # A badge scan asks "which of this site's open visits began before the last closing time?"
    # and "does this person have a booking today?". With thousands open or booked at once the
    # old indexes made each scan read every one of those rows.
    for statement in (
        "DROP INDEX IF EXISTS visits_open",
        "CREATE INDEX visits_open ON visits(site_id, check_in_at) WHERE check_out_at IS NULL",
        "CREATE INDEX IF NOT EXISTS bookings_person ON bookings(person_id, start_at)",
    ):
        db.execute(statement)


@_migration
def m004_audit_deletions(db):
    # Merging asks, for every row a bundle brings, "was this row deleted here?". Deletions are
    # few; an index of them alone answers at once, where the index of every entry cost seconds.
    db.execute("CREATE INDEX IF NOT EXISTS audit_deletions ON audit_log(table_name, record_id, at) "
               "WHERE record_hash IS NULL")


@_migration
def m005_floor_board_indexes(db):
    # The shift lead's board asks after every change "who left today?" (check-in times of the
    # past week, filtered by check-out time) and "how many booked today are not in yet?". With
    # the filtered column in each index, neither reads a row it does not show: a big store has
    # tens of thousands of visits a week and thousands of bookings a day.
    for statement in (
        "DROP INDEX IF EXISTS visits_check_in",
        "CREATE INDEX visits_check_in ON visits(check_in_at, check_out_at)",
        "DROP INDEX IF EXISTS bookings_start",
        "CREATE INDEX bookings_start ON bookings(start_at, person_id)",
    ):
        db.execute(statement)


@_migration
def m006_themes(db):
    # What several people noticed is one theme: its owner, status and follow-up live on the
    # theme, once. The times a theme reached each status let a past week's report show it as
    # it stood at the end of that week.
    for statement in (
        f"""CREATE TABLE themes (
            {COMMON},
            title TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'triaged', 'actioned', 'closed')),
            owner TEXT,
            follow_up TEXT,
            opened_at TEXT NOT NULL,
            triaged_at TEXT,
            actioned_at TEXT,
            closed_at TEXT
        )""",
        "CREATE INDEX themes_status ON themes(site_id, status)",
        "ALTER TABLE observations ADD COLUMN theme_id TEXT REFERENCES themes(id) ON DELETE SET NULL",
        "CREATE INDEX observations_theme ON observations(theme_id)",
    ):
        # One statement at a time: executescript would commit half a migration.
        db.execute(statement)
    _adopt_legacy_triage(db)


#: A theme's statuses in order, and the column holding the time it reached each (new: opened_at).
THEME_STATUSES = ("new", "triaged", "actioned", "closed")
THEME_STAMPS = {"triaged": "triaged_at", "actioned": "actioned_at", "closed": "closed_at"}


def _adopt_legacy_triage(db) -> None:
    """Move triage written on observations before themes existed onto themes: this site's
    triaged notes with the same text and the same owner, status and follow-up become one theme.
    Written through the audit log like any change."""
    from . import audit

    home = db.execute("SELECT id FROM sites WHERE is_home = 1").fetchone()
    if home is None:
        return
    storage = Storage(db, None)
    storage.site_id = home[0]
    notes = storage.rows(
        "SELECT * FROM observations WHERE site_id = ? AND theme_id IS NULL AND "
        "(status != 'new' OR owner IS NOT NULL OR follow_up IS NOT NULL) ORDER BY created_at, id", (home[0],))
    groups: dict[tuple, list[dict]] = {}
    for note in notes:
        key = (note["category"], " ".join(note["text"].casefold().split()), note["status"], note["owner"] or "",
               note["follow_up"] or "")
        groups.setdefault(key, []).append(note)
    for members in groups.values():
        first = members[0]
        # The last change of the notes is the best time known for the status they reached.
        changed = max(n["updated_at"] for n in members)
        reached = THEME_STATUSES.index(first["status"])
        stamps = {column: (changed if THEME_STATUSES.index(name) <= reached else None)
                  for name, column in THEME_STAMPS.items()}
        theme = audit.insert(storage, "themes", {
            "title": _first_sentence(first["text"]), "status": first["status"], "owner": first["owner"],
            "follow_up": first["follow_up"], "opened_at": first["created_at"], **stamps}, "system", "upgrade")
        for note in members:
            audit.update(storage, "observations", note["id"], {"theme_id": theme["id"]}, "system", "upgrade")


def _first_sentence(text: str) -> str:
    """The first sentence of a note, cut at a word near 80 characters: a theme title."""
    first = " ".join(text.split())
    for stop in (". ", "! ", "? "):
        if stop in first:
            first = first.split(stop)[0]
    if len(first) > 80:
        first = first[:80].rsplit(" ", 1)[0] + "…"
    return first.rstrip(".") or text[:80]


@_migration
def m007_visit_estimates(db):
    # A visit nobody checked out ends at closing time as an estimate. The estimate stays beside a
    # later correction, with the time of that correction, so that a finished week's report can be
    # made again with the same figures and the next week's report can list the correction.
    # (Both columns are hashed by the audit log only once set: see audit.LATER_COLUMNS.)
    for statement in (
        "ALTER TABLE visits ADD COLUMN estimated_out_at TEXT",
        "ALTER TABLE visits ADD COLUMN confirmed_at TEXT",
        "CREATE INDEX IF NOT EXISTS visits_confirmed ON visits(confirmed_at) WHERE confirmed_at IS NOT NULL",
    ):
        db.execute(statement)


@_migration
def m008_keyed_audit_chain(db):
    # The audit chain is linked with an HMAC keyed from the organisation secret from now on.
    # Old entries keep their plain SHA-256 links (rewriting them would also bless any earlier
    # tampering, and bundles of sites not yet upgraded must still link up); the first keyed
    # entry, written here, covers the last plain one and audits the organisation key itself.
    # audit_heads: chain heads seen by backups, bundles and reports, checked by `check`.
    # storeshift_upgrades: which version applied each migration, to name it to older versions.
    # WITHOUT ROWID: one b-tree each, not a table and its key's index (a kiosk PC's disk is small).
    db.execute("CREATE TABLE IF NOT EXISTS audit_heads (site_id TEXT NOT NULL, seq INTEGER NOT NULL, "
               "hash TEXT NOT NULL, seen_in TEXT NOT NULL, seen_at TEXT NOT NULL, PRIMARY KEY (site_id, seq)) "
               "WITHOUT ROWID")
    db.execute("CREATE TABLE IF NOT EXISTS storeshift_upgrades (name TEXT PRIMARY KEY, version TEXT NOT NULL, "
               "at TEXT NOT NULL) WITHOUT ROWID")
    home = db.execute("SELECT id FROM sites WHERE is_home = 1").fetchone()
    org = db.execute("SELECT key_id FROM organisation ORDER BY key_id LIMIT 1").fetchone()
    if home and org:
        from . import audit

        anchor = Storage(db, None)
        anchor.site_id = home[0]
        audit.log(anchor, "chain_keyed", "organisation", org[0], actor="system")


@_migration
def m010_server_sync(db):
    # The head-office server this site syncs with (its URL holds the site's credential) and how
    # far the last successful sync got. Not audited and never carried: it is about this PC's
    # connection, like a saved password, and writing it must not make the next sync find a change.
    db.execute("CREATE TABLE IF NOT EXISTS server_sync (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")


def migrate(storage: Storage) -> None:
    """Apply pending migrations under one write lock, so two processes starting on an
    old database at once apply each migration exactly once."""
    if not pending_names(storage.conn):
        return      # nothing to write: no lock taken
    from .. import __version__

    migrations = _migration_set()
    pending = migrations.pending(storage.db)
    with storage.write(N_("upgrade the database")):
        applied = {m.name for m in migrations.applied(storage.db)}
        migrations.apply(storage.db)
        if not storage.db["storeshift_upgrades"].exists():
            return  # a migration set from before the table (tests of old databases)
        storage.conn.executemany(
            "INSERT OR IGNORE INTO storeshift_upgrades (name, version, at) VALUES (?, ?, ?)",
            [(m.name, __version__, now_iso()) for m in pending if m.name not in applied])


def unknown_migrations(conn: sqlite3.Connection) -> list[str]:
    """Migrations applied to this database that this version does not have: a newer storeshift's."""
    known = set(_known_names())
    try:
        applied = _applied_names(conn)
    except sqlite3.Error:
        return []
    return [name for name in applied if name not in known]


def upgraded_by(conn: sqlite3.Connection, unknown: list[str]) -> str:
    """'storeshift 1.4.0' when the newer version recorded itself, else 'a newer storeshift'."""
    try:
        found = conn.execute(f"SELECT max(version) FROM storeshift_upgrades WHERE name IN "
                             f"({', '.join('?' * len(unknown))})", unknown).fetchone()
    except sqlite3.Error:
        found = None
    return f"storeshift {found[0]}" if found and found[0] else _("a newer storeshift")


def home_site_id(storage: Storage) -> str | None:
    try:
        return storage.value("SELECT id FROM sites WHERE is_home = 1")
    except Exception:  # a newer schema may not even have the table as we know it
        return None


def opens_without_writing(path: Path) -> bool:
    """True when the database at path needs no migration and has its site and key, so
    opening it writes nothing (read through a read-only connection; False when unsure).

    Also False when the file is not in WAL mode yet. A WAL left over (after a power cut) is
    no reason: nothing is committed before the check's verdict, and a connection closed before
    a sound verdict leaves the WAL where it is (Storage.close)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb") as handle:
        header = handle.read(20)
    if header[18:20] != b"\x02\x02":  # the header's read/write versions: 2 means WAL
        return False
    try:
        probe = read_only(path)
        try:
            return (not pending_names(probe)
                    and probe.execute("SELECT count(*) FROM sites WHERE is_home = 1").fetchone()[0] > 0
                    and probe.execute("SELECT count(*) FROM organisation").fetchone()[0] > 0)
        finally:
            probe.close()
    except (sqlite3.Error, UnicodeDecodeError):  # the latter: SQLite quoting a damaged name
        return False


def ensure_home_site(storage: Storage, site_name: str) -> None:
    row = storage.one("SELECT id FROM sites WHERE is_home = 1")
    if row is None or storage.value("SELECT count(*) FROM organisation") == 0:
        from . import audit
        from .orgkey import create_org_key

        with storage.write(N_("create the site")):
            row = storage.one("SELECT id FROM sites WHERE is_home = 1")
            storage.site_id = row["id"] if row else new_id()
            # The key first: it keys the audit chain, whose first entry is the site.
            if storage.value("SELECT count(*) FROM organisation") == 0:
                create_org_key(storage)
            if row is None:
                audit.insert(storage, "sites", {"id": storage.site_id, "name": site_name,
                                                "timezone": "Europe/London", "is_home": 1},
                             actor="system")
                row = {"id": storage.site_id}
    storage.site_id = row["id"]


__all__ = ["migrate", "ensure_home_site", "SCHEMA_VERSION", "new_id", "now_iso"]
