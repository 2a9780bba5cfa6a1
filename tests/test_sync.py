"""Many sites: bundles exported by three stores and head office merge in any order to one result."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from storeshift.errors import UserError
from storeshift.services import badges, demo, maintenance, observations, privacy, roster, tasks, visits
from storeshift.storage import open_storage
from storeshift.storage.audit import verify
from storeshift.sync import BundleRefused, export_bundle, merge_bundles, read_manifest
from storeshift.sync.bundle import content_checksum
from storeshift.timeutil import UTC

NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
STORES = ("Riverside Store", "Harbour Call Centre", "Hilltop Store")
TABLES = ("sites", "settings", "people", "badges", "tasks", "visits", "assignments", "themes", "observations",
          "bookings", "audit_log")


def snapshot(storage) -> dict[str, tuple[int, str]]:
    """Row count and a content hash of every table: equal snapshots, equal databases."""
    out = {}
    for table in TABLES:
        order = "site_id, seq" if table == "audit_log" else "id"
        digest = hashlib.sha256()
        count = 0
        for values in storage.conn.execute(f"SELECT * FROM [{table}] ORDER BY {order}"):
            digest.update(json.dumps(values, ensure_ascii=False).encode())
            count += 1
        out[table] = (count, digest.hexdigest())
    return out


def copy_db(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


class Chain:
    """Head office with a roster, and three stores that merged it and then lived their lives."""

    def __init__(self, root: Path):
        self.root = root
        head = open_storage(root / "head.db", site_name="Head office")
        self.head_site = head.site_id
        self.people = [roster.add_person(head, name=name, department=dept, email=f"hq{i}@example.com",
                                         employee_id=f"HQ{i}")
                       for i, (name, dept) in enumerate([("Ada Lovelace", "IT"), ("Zoë Nakamura", "Finance"),
                                                         ("Olusegun Okafor", "Marketing"), ("李小龙", "Legal"),
                                                         ("Siobhán Ní Bhriain", "HR"), ("Noah Brown", "IT")])]
        tasks.add_task(head, title="Mystery shop the web chat", area="Contact centre", minutes=60)
        self.key_file = root / "org.key"
        badges.export_org_key(head, self.key_file)
        self.roster = export_bundle(head, root / "roster.ssb", roster=True)
        self.payloads = {p["id"]: badges.payload_for(head, p["id"]) for p in self.people}
        head.close()
        self.stores = []
        for index, name in enumerate(STORES):
            store = open_storage(root / f"store{index}.db", site_name=name)
            badges.import_org_key(store, self.key_file)
            demo.seed(store, people=12, weeks=2, seed=20 + index, now=NOW, site_name=name)
            report = merge_bundles(store, [self.roster])
            assert report.tables["people"].inserted == len(self.people)
            # Stores change head-office rows later than head office made them, as in real life
            # (timestamps are stored to the second, and the later change wins).
            _next_second()
            # Head-office people come to this store with their head-office badges.
            for offset, person in enumerate(self.people[index:index + 3]):
                arrive = NOW - dt.timedelta(days=offset + 1, hours=2)
                assert visits.scan(store, self.payloads[person["id"]], arrive).kind == visits.CHECKED_IN
                assert visits.scan(store, self.payloads[person["id"]], arrive + dt.timedelta(hours=2)).kind \
                    == visits.CHECKED_OUT
            self.stores.append(store)
        # Each store also changes a head-office row: the changes must reach head office.
        roster.set_active(self.stores[0], self.people[5]["id"], False)
        badges.issue(self.stores[1], self.people[4]["id"])
        privacy.erase_person(self.stores[2], self.people[3]["id"])
        self.bundles = [export_bundle(store, root / f"store{i}.ssb") for i, store in enumerate(self.stores)]
        for store in self.stores:
            store.close()


@pytest.fixture(scope="module")
def chain(tmp_path_factory) -> Chain:
    return Chain(tmp_path_factory.mktemp("chain"))


def test_a_bundle_describes_itself(chain):
    manifest = read_manifest(chain.bundles[0])
    assert manifest.site_name == STORES[0] and manifest.kind == "site" and manifest.since is None
    assert manifest.schema_version >= 2 and manifest.chain_from == 1
    with _opened(chain.root / "store0.db") as store:
        assert manifest.org_key_id == badges.org_key(store)["key_id"]
        assert manifest.site_id == store.site_id
        own_visits = store.value("SELECT count(*) FROM visits WHERE site_id = ?", (store.site_id,))
    assert manifest.row_counts["visits"] == own_visits
    assert manifest.row_counts["audit_log"] > 0 and len(manifest.checksum) == 64
    # Settings (with the PIN's hash) stay at the store.
    with sqlite3.connect(chain.bundles[0]) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'settings'").fetchone()[0] == 0


class _opened:
    def __init__(self, path):
        self.storage = open_storage(path)

    def __enter__(self):
        return self.storage

    def __exit__(self, *exc):
        self.storage.close()


def test_every_order_of_merging_gives_the_same_database(chain, tmp_path):
    results = {}
    for order in itertools.permutations(range(3)):
        target = copy_db(chain.root / "head.db", tmp_path / f"head-{''.join(map(str, order))}.db")
        head = open_storage(target)
        report = merge_bundles(head, [chain.bundles[i] for i in order])
        assert len(report.bundles) == 3
        results[order] = snapshot(head)
        if order == (0, 1, 2):
            assert maintenance.check(head).ok, maintenance.check(head).lines()
            sites = head.rows("SELECT name, is_home FROM sites ORDER BY name")
            assert sites == [{"name": "Harbour Call Centre", "is_home": 0}, {"name": "Head office", "is_home": 1},
                             {"name": "Hilltop Store", "is_home": 0}, {"name": "Riverside Store", "is_home": 0}]
            # The stores' changes to head-office rows arrived: deactivated, reissued, erased.
            assert head.value("SELECT active FROM people WHERE id = ?", (chain.people[5]["id"],)) == 0
            assert head.value("SELECT max(serial) FROM badges WHERE person_id = ?", (chain.people[4]["id"],)) == 2
            assert head.value("SELECT count(*) FROM people WHERE id = ?", (chain.people[3]["id"],)) == 0
            assert head.value("SELECT count(*) FROM badges WHERE person_id = ?", (chain.people[3]["id"],)) == 0
            # Head-office people's visits at the stores are there, under the stores' site ids.
            came = head.value("SELECT count(DISTINCT site_id) FROM visits WHERE person_id = ?",
                              (chain.people[2]["id"],))
            assert came == 3
            assert head.site_id == chain.head_site
        head.close()
    first = results[(0, 1, 2)]
    assert first["visits"][0] > 20 and first["observations"][0] > 5
    for order, result in results.items():
        assert result == first, f"merging in order {order} gave a different database"


def test_merging_again_changes_nothing(chain, tmp_path):
    head = open_storage(copy_db(chain.root / "head.db", tmp_path / "head.db"))
    merge_bundles(head, chain.bundles)
    before = snapshot(head)
    again = merge_bundles(head, [*reversed(chain.bundles), chain.roster])
    assert again.changed == 0
    assert all(c.inserted == c.updated == c.deleted == 0 for c in again.tables.values())
    assert "already merged, nothing changed" in again.summary()
    assert not again.conflicts
    assert snapshot(head) == before
    head.close()


def test_a_new_consolidation_database_gets_the_same_rows_whatever_comes_first(chain, tmp_path):
    """A fresh database (same organisation key) fed the roster first or last ends up the same."""
    found = []
    for order in ([chain.roster, *chain.bundles], [*chain.bundles, chain.roster],
                  [chain.bundles[1], chain.roster, chain.bundles[2], chain.bundles[0]]):
        target = open_storage(tmp_path / f"c{len(found)}.db", site_name="Consolidation")
        badges.import_org_key(target, chain.key_file)
        merge_bundles(target, order)
        snap = snapshot(target)
        # The consolidation database's own site row and chain differ; everything merged must not.
        found.append({t: v for t, v in snap.items() if t not in ("sites", "audit_log", "settings")})
        assert maintenance.check(target).ok, maintenance.check(target).lines()
        target.close()
    assert found[0] == found[1] == found[2]


def test_a_store_sees_head_office_people_and_their_badges_work_there(chain):
    with _opened(chain.root / "store1.db") as store:
        person = chain.people[1]
        assert store.one("SELECT site_id FROM people WHERE id = ?", (person["id"],))["site_id"] == chain.head_site
        assert badges.verify(store, chain.payloads[person["id"]]).ok
        assert maintenance.check(store).ok
        # The store is still its own home site.
        assert store.value("SELECT name FROM sites WHERE is_home = 1") == STORES[1]


def _flip_inside(path: Path, needle: bytes) -> None:
    data = bytearray(path.read_bytes())
    where = data.find(needle)
    assert where > 0, "the text to tamper with is not in the file"
    data[where] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "empty", "not sqlite"])
def test_a_tampered_or_truncated_bundle_is_refused_and_nothing_changes(chain, tmp_path, damage):
    head = open_storage(copy_db(chain.root / "head.db", tmp_path / "head.db"))
    merge_bundles(head, [chain.bundles[0]])
    before = snapshot(head)
    bad = shutil.copy(chain.bundles[1], tmp_path / "bad.ssb")
    bad = Path(bad)
    if damage == "flipped byte":
        with sqlite3.connect(chain.bundles[1]) as conn:
            text = conn.execute("SELECT text FROM observations LIMIT 1").fetchone()[0]
        _flip_inside(bad, text.encode())
    elif damage == "truncated":
        bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])
    elif damage == "empty":
        bad.write_bytes(b"")
    else:
        bad.write_text("name,department\nAda,IT\n")
    with pytest.raises(BundleRefused) as refused:
        # A good bundle listed first is not merged either: every bundle is checked before any change.
        merge_bundles(head, [chain.bundles[2], bad])
    message = str(refused.value)
    assert "bad.ssb" in message and "nothing was merged" in message.lower() or "not a storeshift bundle" in message
    assert "Traceback" not in message
    assert snapshot(head) == before
    assert maintenance.check(head).ok
    head.close()


def test_a_bundle_from_another_organisation_is_refused(chain, tmp_path):
    stranger = open_storage(tmp_path / "stranger.db", site_name="Someone else's shop")
    roster.add_person(stranger, name="Eve", department="IT")
    foreign = export_bundle(stranger, tmp_path / "foreign.ssb")
    stranger.close()
    head = open_storage(copy_db(chain.root / "head.db", tmp_path / "head.db"))
    before = snapshot(head)
    with pytest.raises(BundleRefused, match="another organisation.*org-key import"):
        merge_bundles(head, [foreign])
    assert snapshot(head) == before
    head.close()


def _edited_with_a_fresh_checksum(chain, tmp_path, edit_sql: str) -> Path:
    """A copy of a store's bundle changed by edit_sql and given a checksum that matches again,
    as someone who knows the format could do."""
    edited = Path(shutil.copy(chain.bundles[0], tmp_path / "edited.ssb"))
    with sqlite3.connect(edited) as conn:
        conn.execute(edit_sql)
        manifest = dict(conn.execute("SELECT key, value FROM manifest"))
        conn.execute("UPDATE manifest SET value = ? WHERE key = 'checksum'",
                     (content_checksum(conn, "main", manifest),))
    return edited


@pytest.mark.parametrize("edit_sql, reason", [
    ("UPDATE manifest SET value = '99' WHERE key = 'schema_version'", "newer storeshift.*Update storeshift here first"),
    ("UPDATE audit_log SET actor = 'nobody' WHERE seq = 3", "not sealed with this organisation's key"),
], ids=["from a newer storeshift", "with a forged audit log"])
def test_a_bundle_with_a_fresh_checksum_is_still_refused(chain, tmp_path, edit_sql, reason):
    bundle = _edited_with_a_fresh_checksum(chain, tmp_path, edit_sql)
    head = open_storage(copy_db(chain.root / "head.db", tmp_path / "head.db"))
    before = snapshot(head)
    with pytest.raises(BundleRefused, match=reason):
        merge_bundles(head, [bundle])
    assert snapshot(head) == before
    head.close()


def test_a_half_written_bundle_never_exists_under_its_name(chain, tmp_path):
    with _opened(chain.root / "store0.db") as store:
        out = tmp_path / "out.ssb"
        seen = []
        export_bundle(store, out, progress=lambda done, total: seen.append((done, total, out.exists())))
    assert seen and all(not exists for done, total, exists in seen[:-1])
    assert seen[-1][0] == seen[-1][1]
    assert out.exists() and not list(tmp_path.glob("*.partial"))
    read_manifest(out)


def _two_sites(tmp_path) -> tuple:
    head = open_storage(tmp_path / "head.db", site_name="Head office")
    badges.export_org_key(head, tmp_path / "org.key")
    store = open_storage(tmp_path / "store.db", site_name="Riverside Store")
    badges.import_org_key(store, tmp_path / "org.key")
    demo.seed(store, people=16, weeks=1, seed=5, now=NOW, observations_per_visit=2)
    merge_bundles(head, [export_bundle(store, tmp_path / "first.ssb")])
    return head, store


def _new_observations(store, count: int) -> list[str]:
    return [r["id"] for r in store.rows("SELECT id FROM observations WHERE status = 'new' ORDER BY id LIMIT ?",
                                        (count,))]


def _next_second() -> None:
    """Changes stamped a whole second apart (timestamps are stored to the second)."""
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.02)


def test_an_observation_triaged_at_head_office_and_at_the_store_resolves_by_the_rule(tmp_path):
    head, store = _two_sites(tmp_path)
    later_at_store, later_at_head = _new_observations(store, 2)
    observations.triage(head, later_at_store, owner="Head of Digital")
    observations.triage(store, later_at_head, status="closed", owner="Store manager")
    _next_second()
    observations.triage(store, later_at_store, status="actioned", owner="Store manager",
                        follow_up="New signs by the entrance.")
    observations.triage(head, later_at_head, owner="Category manager")
    report = merge_bundles(head, [export_bundle(store, tmp_path / "second.ssb")])
    conflicts = {c.record_id: c for c in report.conflicts}
    assert set(conflicts) == {later_at_store, later_at_head}
    assert conflicts[later_at_store].winner == "bundle" and conflicts[later_at_head].winner == "here"
    assert "status" in conflicts[later_at_store].fields and "owner" in conflicts[later_at_store].fields
    assert later_at_store[:8] in report.summary() and "the later change wins" in report.summary()
    assert head.one("SELECT status, owner FROM observations WHERE id = ?", (later_at_store,)) == \
        {"status": "actioned", "owner": "Store manager"}
    # Whole rows win, not single fields: head office's later triage, as head office made it.
    assert head.one("SELECT status, owner FROM observations WHERE id = ?", (later_at_head,)) == \
        {"status": "triaged", "owner": "Category manager"}
    assert maintenance.check(head).ok, maintenance.check(head).lines()
    # The store merges head office's bundle and lands on the same versions.
    merge_bundles(store, [export_bundle(head, tmp_path / "head.ssb")])
    for record in (later_at_store, later_at_head):
        assert store.one("SELECT * FROM observations WHERE id = ?", (record,)) == \
            head.one("SELECT * FROM observations WHERE id = ?", (record,))
    assert maintenance.check(store).ok, maintenance.check(store).lines()
    # A plain update (the store changes a row head office has not touched) is not a conflict.
    plain = _new_observations(store, 1)[0]
    observations.triage(store, plain, owner="Ops team")
    report = merge_bundles(head, [export_bundle(store, tmp_path / "third.ssb")])
    assert not report.conflicts and report.tables["observations"].updated >= 1
    head.close()
    store.close()


def test_a_tie_goes_to_the_same_version_everywhere(tmp_path):
    """Both sites change the row within the same second: the larger record hash wins at both."""
    head, store = _two_sites(tmp_path)
    for _attempt in range(5):
        record = _new_observations(store, 1)[0]
        _next_second()
        ours = observations.triage(head, record, owner="Head of Digital")
        theirs = observations.triage(store, record, owner="Store manager")
        if ours["updated_at"] == theirs["updated_at"]:
            break
    else:
        pytest.skip("could not make two changes within one second")
    merge_bundles(head, [export_bundle(store, tmp_path / "s.ssb")])
    merge_bundles(store, [export_bundle(head, tmp_path / "h.ssb")])
    from storeshift.storage.audit import record_hash
    expected = max((ours, theirs), key=record_hash)
    for site in (head, store):
        assert site.one("SELECT * FROM observations WHERE id = ?", (record,)) == expected
        assert verify(site).ok, verify(site).problems
    head.close()
    store.close()


def test_changes_since_a_date_continue_an_earlier_bundle(tmp_path):
    head, store = _two_sites(tmp_path)
    _next_second()
    since = dt.datetime.now(UTC).replace(microsecond=0)
    observations.add_observation(store, category="idea", text="Put the parcel lockers by the door.")
    tail = export_bundle(store, tmp_path / "tail.ssb", since=since)
    manifest = read_manifest(tail)
    assert manifest.chain_from > 1 and manifest.row_counts["observations"] == 1
    assert manifest.row_counts["visits"] == 0
    # A database that never had the store's earlier bundle is told to merge that first.
    fresh = open_storage(tmp_path / "fresh.db", site_name="Regional office")
    badges.import_org_key(fresh, tmp_path / "org.key")
    before = snapshot(fresh)
    with pytest.raises(BundleRefused, match="Merge Riverside Store's earlier bundle"):
        merge_bundles(fresh, [tail])
    assert snapshot(fresh) == before
    report = merge_bundles(head, [tail])
    assert report.tables["observations"].inserted == 1
    assert maintenance.check(head).ok
    with pytest.raises(UserError, match="not a date"):
        export_bundle(store, tmp_path / "x.ssb", since="25/11/2026")
    for db in (head, store, fresh):
        db.close()


def test_the_same_badge_reissued_at_two_stores_is_refused_with_a_sentence(tmp_path):
    head = open_storage(tmp_path / "head.db", site_name="Head office")
    person = roster.add_person(head, name="Ada Lovelace", department="IT")
    badges.export_org_key(head, tmp_path / "org.key")
    roster_bundle = export_bundle(head, tmp_path / "roster.ssb", roster=True)
    exported = []
    for name in ("Riverside Store", "Hilltop Store"):
        store = open_storage(tmp_path / f"{name}.db", site_name=name)
        badges.import_org_key(store, tmp_path / "org.key")
        merge_bundles(store, [roster_bundle])
        _next_second()
        badges.issue(store, person["id"])
        exported.append(export_bundle(store, tmp_path / f"{name}.ssb"))
        store.close()
    merge_bundles(head, [exported[0]])
    before = snapshot(head)
    with pytest.raises(BundleRefused, match="new badge at Hilltop Store.*same number.*Nothing from it was merged"):
        merge_bundles(head, [exported[1]])
    assert snapshot(head) == before
    head.close()


def test_a_site_s_later_change_wins_even_if_its_clock_was_put_back(tmp_path, monkeypatch):
    """The store's PC clock goes back an hour between two triages of one observation: head
    office must take the second (what the store's audit log says came last), and its check pass."""
    from storeshift.storage import db as storage_db

    head, store = _two_sites(tmp_path)
    record = _new_observations(store, 1)[0]
    clock = [dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(hours=2)]
    monkeypatch.setattr(storage_db, "utc_now", lambda: clock[0])  # the PC's clock, as storeshift reads it
    observations.triage(store, record, owner="Store manager")
    merge_bundles(head, [export_bundle(store, tmp_path / "one.ssb")])
    clock[0] -= dt.timedelta(hours=1)
    second = observations.triage(store, record, status="actioned", follow_up="Signs ordered.")
    report = merge_bundles(head, [export_bundle(store, tmp_path / "two.ssb")])
    assert not report.conflicts
    assert head.one("SELECT * FROM observations WHERE id = ?", (record,)) == second
    assert maintenance.check(head).ok, maintenance.check(head).lines()
    head.close()
    store.close()


def test_a_person_erased_at_head_office_but_changed_later_at_a_store_comes_back_and_is_listed(tmp_path):
    head = open_storage(tmp_path / "head.db", site_name="Head office")
    person = roster.add_person(head, name="Ada Lovelace", department="IT")
    badges.export_org_key(head, tmp_path / "org.key")
    store = open_storage(tmp_path / "store.db", site_name="Riverside Store")
    badges.import_org_key(store, tmp_path / "org.key")
    merge_bundles(store, [export_bundle(head, tmp_path / "roster.ssb", roster=True)])
    _next_second()
    privacy.erase_person(head, person["id"], actor="head office")
    _next_second()
    roster.set_active(store, person["id"], False)
    report = merge_bundles(head, [export_bundle(store, tmp_path / "store.ssb")])
    [conflict] = report.conflicts
    assert conflict.record_id == person["id"] and conflict.deleted_here
    assert "so it is back here" in report.summary() and "Erase it again" in report.summary()
    assert head.value("SELECT active FROM people WHERE id = ?", (person["id"],)) == 0
    assert maintenance.check(head).ok, maintenance.check(head).lines()
    assert not merge_bundles(head, [tmp_path / "store.ssb"]).conflicts
    head.close()
    store.close()
