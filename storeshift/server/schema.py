"""The server's schema as versioned migrations, per-site roles under row-level security, and connecting.

Every site's rows live in one table keyed by (site_id, table_name, id): the site that pushed that
version of the row comes first in the key, so one site's rows sit together in the index, a
site's push or pull reads one range of it, and row-level security compares one column. (At
hundreds of sites, LIST/HASH partitioning on the same column is the next step; the key stays.)
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from ..errors import UserError
from ..i18n import _

#: The server schema this storeshift writes; a server with a later one is refused.
SERVER_VERSION = 1


class ServerRefused(UserError):
    """The server cannot be used as asked; the sentence says why."""


def redact(url: str) -> str:
    """The URL with its password replaced, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def connect(url: str, **kwargs):
    """A psycopg connection, or a sentence saying why there is none (the password never shown)."""
    import psycopg

    if not re.match(r"^postgres(ql)?://", url or ""):
        raise ServerRefused(_("The server must be given as a URL such as postgresql://user:password@host/db."))
    try:
        return psycopg.connect(url, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        text = str(exc)
        if "password authentication failed" in text or "not permitted to log in" in text:
            raise ServerRefused(
                _("The server {server} refused this site's credential (wrong, or revoked at head office). "
                  "Ask head office for a new one (storeshift server add-site).").format(server=redact(url))) from None
        reason = text.strip().splitlines()[-1] if text.strip() else type(exc).__name__
        raise ServerRefused(_("Could not reach the server {server}: {reason}").format(
            server=redact(url), reason=reason.replace(url, redact(url)))) from None


# -- migrations: (name, SQL), applied in order, each in its own transaction ----------------------

MIGRATIONS: list[tuple[str, str]] = [
    ("s001_initial", """
    CREATE TABLE storeshift_server (key text PRIMARY KEY, value text NOT NULL);
    CREATE TABLE site_roles (
        role name PRIMARY KEY,
        site_name text NOT NULL UNIQUE,
        site_id text UNIQUE,               -- claimed by the site's first sync
        head_office boolean NOT NULL DEFAULT false,
        revoked boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    -- What each site last pushed: its organisation key id, schema version and log head.
    CREATE TABLE site_state (
        site_id text PRIMARY KEY,
        site_name text NOT NULL,
        org_key_id text NOT NULL,
        schema_version integer NOT NULL,
        storeshift_version text NOT NULL,
        chain_to bigint NOT NULL,
        chain_head text NOT NULL,
        pushed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE site_rows (
        site_id text NOT NULL,
        table_name text NOT NULL,
        id text NOT NULL,
        updated_at text,
        record_hash text,
        data jsonb NOT NULL,
        PRIMARY KEY (site_id, table_name, id)
    );
    CREATE TABLE site_audit (
        site_id text NOT NULL,
        seq bigint NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (site_id, seq)
    );
    CREATE TABLE site_known (
        site_id text NOT NULL,
        table_name text NOT NULL,
        record_id text NOT NULL,
        record_hash text NOT NULL,
        PRIMARY KEY (site_id, table_name, record_id, record_hash)
    );
    -- The site of the role logged in (session_user: inside SECURITY DEFINER, current_user is the owner).
    CREATE FUNCTION storeshift_my_site() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = public AS
        $$ SELECT site_id FROM site_roles WHERE role = session_user AND NOT revoked $$;
    CREATE FUNCTION storeshift_reads_all() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = public AS
        $$ SELECT coalesce((SELECT head_office FROM site_roles WHERE role = session_user AND NOT revoked),
                           NOT EXISTS (SELECT 1 FROM site_roles WHERE role = session_user)) $$;
    -- A site's first sync names its database's site id; nobody can take another's.
    CREATE FUNCTION storeshift_claim(claimed text) RETURNS text LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = public AS $$
    DECLARE mine text;
    BEGIN
        SELECT site_id INTO mine FROM site_roles WHERE role = session_user AND NOT revoked FOR UPDATE;
        IF NOT FOUND THEN RAISE EXCEPTION 'storeshift: not a site role'; END IF;
        IF mine IS NULL THEN
            UPDATE site_roles SET site_id = claimed WHERE role = session_user;
            RETURN claimed;
        END IF;
        RETURN mine;
    END $$;
    """),
]


def _policies(table: str) -> str:
    """Sites write only their own rows; they read their own and head office's; head office reads all."""
    own = "site_id = storeshift_my_site()"
    read = (f"{own} OR storeshift_reads_all() OR site_id IN "
            "(SELECT site_id FROM site_roles WHERE head_office AND site_id IS NOT NULL)")
    return f"""
    ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
    CREATE POLICY {table}_read ON {table} FOR SELECT USING ({read});
    CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK ({own});
    CREATE POLICY {table}_update ON {table} FOR UPDATE USING ({own}) WITH CHECK ({own});
    CREATE POLICY {table}_delete ON {table} FOR DELETE USING ({own});
    """


MIGRATIONS.append(("s002_row_level_security",
                   "".join(_policies(t) for t in ("site_state", "site_rows", "site_audit", "site_known"))))

_TABLES = ("site_state", "site_rows", "site_audit", "site_known")


def applied(conn) -> list[str]:
    exists = conn.execute("SELECT to_regclass('storeshift_migrations')").fetchone()[0]
    if not exists:
        return []
    return [row[0] for row in conn.execute("SELECT name FROM storeshift_migrations ORDER BY name")]


def check_version(conn) -> None:
    """Refuse a server whose schema a newer storeshift wrote (or one never initialised)."""
    if conn.execute("SELECT to_regclass('storeshift_server')").fetchone()[0] is None:
        raise ServerRefused(_("This PostgreSQL database is not a storeshift server yet: head office runs "
                              "storeshift server init --server URL first."))
    row = conn.execute("SELECT value FROM storeshift_server WHERE key = 'version'").fetchone()
    version = int(row[0]) if row else 0
    if version > SERVER_VERSION:
        raise ServerRefused(
            _("The server was set up by a newer storeshift (server schema {version}; this one knows up to "
              "{known}). Update storeshift at this site first; nothing was sent.").format(
                version=version, known=SERVER_VERSION))


def init(url: str) -> list[str]:
    """Apply the server's pending migrations (each in one transaction); returns their names."""
    with connect(url) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS storeshift_migrations "
                     "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        conn.commit()
        if conn.execute("SELECT to_regclass('storeshift_server')").fetchone()[0] is not None:
            check_version(conn)
        done = set(applied(conn))
        new = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with conn.transaction():
                conn.execute("LOCK TABLE storeshift_migrations IN EXCLUSIVE MODE")
                if conn.execute("SELECT 1 FROM storeshift_migrations WHERE name = %s", (name,)).fetchone():
                    continue  # applied meanwhile by another init
                conn.execute(sql)
                conn.execute("INSERT INTO storeshift_migrations (name) VALUES (%s)", (name,))
                conn.execute("INSERT INTO storeshift_server (key, value) VALUES ('version', %s) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(SERVER_VERSION),))
            new.append(name)
        return new


def _role_name(conn, site_name: str) -> str:
    database = conn.execute("SELECT current_database()").fetchone()[0]
    slug = re.sub(r"[^a-z0-9]+", "_", f"{database}_{site_name}".lower()).strip("_")
    return f"ss_{slug}"[:63]


def add_site(url: str, site_name: str, head_office: bool = False) -> str:
    """Create a site's login role and return the URL it syncs with (password included, shown once)."""
    import secrets

    from psycopg import sql

    site_name = (site_name or "").strip()
    if not site_name:
        raise UserError(_("Give the site a name, e.g. --site Riverside."))
    with connect(url) as conn:
        check_version(conn)
        role = _role_name(conn, site_name)
        if conn.execute("SELECT 1 FROM site_roles WHERE site_name = %s OR role = %s",
                        (site_name, role)).fetchone():
            raise UserError(_("The server already has a site called {site}; nothing was changed.").format(
                site=site_name))
        password = secrets.token_urlsafe(24)
        with conn.transaction():
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)))
            conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(conn.info.dbname), sql.Identifier(role)))
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("GRANT SELECT ON site_roles, storeshift_server TO {}").format(sql.Identifier(role)))
            for table in _TABLES:
                conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(
                    sql.Identifier(table), sql.Identifier(role)))
            conn.execute("INSERT INTO site_roles (role, site_name, head_office) VALUES (%s, %s, %s)",
                         (role, site_name, head_office))
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{role}:{password}@{host}"))


def revoke_site(url: str, site_name: str) -> None:
    """Stop a site's credential working at once (its rows stay)."""
    from psycopg import sql

    with connect(url) as conn:
        check_version(conn)
        row = conn.execute("SELECT role FROM site_roles WHERE site_name = %s", (site_name,)).fetchone()
        if row is None:
            raise UserError(_("The server has no site called {site}.").format(site=site_name))
        with conn.transaction():
            conn.execute("UPDATE site_roles SET revoked = true WHERE role = %s", (row[0],))
            conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(row[0])))
