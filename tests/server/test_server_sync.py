"""Sites syncing with a real PostgreSQL server (STORESHIFT_TEST_PG; .ci/run starts one)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from storeshift.errors import UserError
from storeshift.server import schema
from storeshift.server.sync import sync
from storeshift.services import badges, demo, roster, visits
from storeshift.storage import open_storage
from storeshift.timeutil import UTC

ADMIN = os.environ.get("STORESHIFT_TEST_PG")
pytestmark = pytest.mark.skipif(
    not ADMIN, reason="needs a PostgreSQL server: set STORESHIFT_TEST_PG=postgresql://... (.ci/run does)")
NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


@pytest.fixture
def server():
    """A fresh server database (and its site roles dropped afterwards)."""
    import psycopg

    name = f"storeshift_t{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = urlunsplit(urlsplit(ADMIN)._replace(path=f"/{name}"))
    schema.init(url)
    yield url
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
        for (role,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (f"ss_{name}%",)):
            conn.execute(f'DROP ROLE "{role}"')


class Chain:
    """Head office with a roster and two stores with a week of demo data, each with its credential."""

    def __init__(self, root, url):
        self.head = open_storage(root / "head.db", site_name="Head office")
        self.person = roster.add_person(self.head, name="Ada Lovelace", department="IT", email="ada@example.com")
        key_file = root / "org.key"
        badges.export_org_key(self.head, key_file)
        self.urls = {"head": schema.add_site(url, "Head office", head_office=True)}
        self.stores = {}
        for index, name in enumerate(("Riverside", "Hilltop")):
            store = open_storage(root / f"{name}.db", site_name=name)
            badges.import_org_key(store, key_file)
            demo.seed(store, people=8, weeks=1, seed=index + 3, now=NOW, site_name=name)
            self.stores[name] = store
            self.urls[name] = schema.add_site(url, name)

    def close(self):
        self.head.close()
        for store in self.stores.values():
            store.close()


@pytest.fixture
def chain(tmp_path, server):
    made = Chain(tmp_path, server)
    yield made
    made.close()


def counts(storage, site_id=None) -> dict[str, int]:
    tables = ("people", "badges", "tasks", "visits", "assignments", "observations", "bookings", "audit_log")
    return {t: storage.value(f"SELECT count(*) FROM [{t}]") for t in tables}


def server_counts(url) -> dict[tuple[str, str], int]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT site_id, table_name, count(*) FROM site_rows GROUP BY 1, 2").fetchall()
        audit = conn.execute("SELECT site_id, 'audit', count(*) FROM site_audit GROUP BY 1").fetchall()
    return {(s, t): n for s, t, n in rows + audit}


def test_two_sites_sync_and_again_nothing_changes(chain, server):
    sync(chain.head, chain.urls["head"])
    for name, store in chain.stores.items():
        sync(store, chain.urls[name])
    result = sync(chain.head)  # the URL is remembered
    assert sorted(result.pulled_sites) == ["Hilltop", "Riverside"]
    # Head office now holds both stores' rows, as if it had merged their bundles.
    for store in chain.stores.values():
        for table in ("visits", "observations", "people"):
            theirs = {r["id"] for r in store.rows(f"SELECT id FROM [{table}] WHERE site_id = ?", (store.site_id,))}
            ours = {r["id"] for r in chain.head.rows(f"SELECT id FROM [{table}] WHERE site_id = ?",
                                                    (store.site_id,))}
            assert theirs and theirs == ours
    # Each store got head office's roster (Ada), not the other store's rows.
    riverside = chain.stores["Riverside"]
    assert riverside.value("SELECT count(*) FROM people WHERE id = ?", (chain.person["id"],)) == 1
    hilltop_id = chain.stores["Hilltop"].site_id
    assert riverside.value("SELECT count(*) FROM visits WHERE site_id = ?", (hilltop_id,)) == 0

    before = {n: counts(s) for n, s in chain.stores.items()}, counts(chain.head), server_counts(server)
    for store in chain.stores.values():
        again = sync(store)
        assert again.pushed_changed == 0 and again.pushed_audit == 0 and not again.merged.bundles
    again = sync(chain.head)
    assert again.pushed_changed == 0 and again.merged.changed == 0
    assert ({n: counts(s) for n, s in chain.stores.items()}, counts(chain.head), server_counts(server)) == before


def test_revocation_at_head_office_refuses_the_badge_after_the_next_sync(chain):
    payload = badges.payload_for(chain.head, chain.person["id"])
    sync(chain.head, chain.urls["head"])
    store = chain.stores["Riverside"]
    sync(store, chain.urls["Riverside"])
    assert visits.scan(store, payload, NOW).kind == visits.CHECKED_IN
    badges.revoke(chain.head, chain.person["id"])
    assert badges.verify(store, payload).ok  # the store has not synced since
    sync(chain.head)
    sync(store)
    refused = visits.scan(store, payload, NOW + dt.timedelta(hours=1))
    assert (refused.kind, refused.reason) == (visits.REFUSED, "revoked")


def test_a_site_cannot_write_another_sites_rows(chain):
    import psycopg

    for name, store in chain.stores.items():
        sync(store, chain.urls[name])
    hilltop = chain.stores["Hilltop"].site_id
    with psycopg.connect(chain.urls["Riverside"]) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO site_rows (site_id, table_name, id, data) VALUES (%s, 'people', 'x', '{}')",
                         (hilltop,))
        conn.rollback()
        # Another site's rows cannot even be seen, so they cannot be changed or deleted either.
        assert conn.execute("SELECT count(*) FROM site_rows WHERE site_id = %s", (hilltop,)).fetchone()[0] == 0
        assert conn.execute("UPDATE site_rows SET data = '{}' WHERE site_id = %s", (hilltop,)).rowcount == 0
        assert conn.execute("DELETE FROM site_audit WHERE site_id = %s", (hilltop,)).rowcount == 0
        conn.commit()
    with psycopg.connect(chain.urls["head"]) as conn:  # head office reads every site
        assert conn.execute("SELECT count(*) FROM site_rows WHERE site_id = %s", (hilltop,)).fetchone()[0] > 0


def test_wrong_revoked_or_foreign_credentials_are_refused_with_a_sentence(chain, server):
    store = chain.stores["Riverside"]
    parts = urlsplit(chain.urls["Riverside"])
    wrong = urlunsplit(parts._replace(netloc=parts.netloc.replace(parts.password, "Xq7-not-it")))
    with pytest.raises(UserError, match="refused this site's credential") as caught:
        sync(store, wrong)
    assert "Xq7-not-it" not in str(caught.value)  # the password is never shown
    sync(store, chain.urls["Riverside"])
    with pytest.raises(UserError, match="another site's database"):
        sync(chain.stores["Hilltop"], chain.urls["Riverside"])
    schema.revoke_site(server, "Riverside")
    with pytest.raises(UserError, match="revoked"):
        sync(store, chain.urls["Riverside"])


def test_a_server_from_a_newer_storeshift_is_refused(chain, server):
    import psycopg

    with psycopg.connect(server) as conn:
        conn.execute("UPDATE storeshift_server SET value = '99' WHERE key = 'version'")
    with pytest.raises(UserError, match="newer storeshift"):
        sync(chain.stores["Riverside"], chain.urls["Riverside"])
    with pytest.raises(UserError, match="newer storeshift"):
        schema.init(server)


def test_an_interrupted_sync_completes(tmp_path, server):
    head = open_storage(tmp_path / "head.db", site_name="Head office")
    key_file = tmp_path / "org.key"
    badges.export_org_key(head, key_file)
    head.close()
    store = open_storage(tmp_path / "big.db", site_name="Big store")
    badges.import_org_key(store, key_file)
    demo.seed(store, people=60, weeks=26, seed=5, now=NOW, site_name="Big store")
    local = counts(store)
    site_id = store.site_id
    store.close()
    url = schema.add_site(server, "Big store")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    command = [sys.executable, "-m", "storeshift", "sync", "--db", str(tmp_path / "big.db"), "--server", url]
    import psycopg

    with psycopg.connect(server) as blocker:
        # Head office holds up the push's last write, so the process is surely killed in the middle
        # of its transaction: its rows and log entries written, not yet committed.
        blocker.execute("LOCK TABLE site_state IN EXCLUSIVE MODE")
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        with psycopg.connect(server, autocommit=True) as watcher:
            while process.poll() is None and time.monotonic() < deadline:
                # (pg_stat_activity hides other roles' waits from a non-superuser; pg_locks does not.)
                waiting = watcher.execute("SELECT 1 FROM pg_locks WHERE NOT granted AND relation = "
                                          "'site_state'::regclass").fetchone()
                if waiting:
                    break
                time.sleep(0.05)
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        output = process.communicate()
        assert waiting and not finished, output
        blocker.rollback()
    # All of the push or none of it: nothing of the killed push is on the server.
    assert server_counts(server) == {}
    store = open_storage(tmp_path / "big.db")
    try:
        sync(store, url)
        after = server_counts(server)
        # (Opening the database may itself log entries, such as visits closed at closing time.)
        assert after[(site_id, "audit")] == store.value("SELECT count(*) FROM audit_log WHERE site_id = ?",
                                                        (site_id,)) >= local["audit_log"]
        for table in ("visits", "observations", "bookings"):
            assert after[(site_id, table)] == store.value(f"SELECT count(*) FROM [{table}] WHERE site_id = ?",
                                                          (site_id,))
        assert sync(store).pushed_changed == 0
    finally:
        store.close()


def test_the_command_line_sets_up_a_server_and_syncs(tmp_path, server):
    from click.testing import CliRunner

    from storeshift.cli import main

    runner = CliRunner()
    head = tmp_path / "head.db"
    # Head office's own database comes first (commands other than setup never create one).
    from storeshift.storage import open_storage

    open_storage(head).close()
    result = runner.invoke(main, ["server", "init", "--server", server, "--db", str(head)])
    assert result.exit_code == 0 and "nothing to upgrade" in result.output
    assert "storeshift-test" not in result.output  # the administrator's password is not echoed
    result = runner.invoke(main, ["server", "add-site", "--server", server, "--site", "Head office", "--head-office",
                                  "--db", str(head)])
    assert result.exit_code == 0, result.output
    site_url = result.output.strip().splitlines()[-1]
    result = runner.invoke(main, ["sync", "--server", site_url, "--db", str(head)])
    assert result.exit_code == 0 and "Sent" in result.output, result.output
    result = runner.invoke(main, ["sync", "--db", str(head)])  # remembered
    assert result.exit_code == 0 and "0 new or changed" in result.output, result.output
    open_storage(tmp_path / "other.db").close()
    result = runner.invoke(main, ["sync", "--db", str(tmp_path / "other.db"), "--server", "http://example.com"])
    assert result.exit_code == 1 and "postgresql://" in result.output
