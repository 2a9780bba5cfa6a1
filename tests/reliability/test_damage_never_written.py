"""Never write into damage, never merge it, make tampering show: a damaged page that only the
full check sees, text that is not UTF-8, damaged and forged bundles, a newer storeshift's
database, tampering with the newest rows, the chain and the organisation key, a restore while
a kiosk writes, and the small ones (backup's note, export of a damaged file, backup folders)."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from storeshift.errors import DamagedDatabase, NewerDatabase, UserError
from storeshift.services import badges, maintenance, roster, visits
from storeshift.storage import audit, open_storage, soundness
from storeshift.sync import export_bundle, merge_bundles
from storeshift.sync.bundle import BundleRefused, content_checksum
# Imported here, not in the tests: Qt's multimedia libraries warn once as they load.
from storeshift.ui.kiosk.window import KioskWindow
from storeshift.ui.lead.window import LeadWindow
from storeshift.ui.watcher import DatabaseWatcher

from .support import cli, row_counts, seed_store, spawn
from .test_damage_and_migrations import digest, page_size, store_with_notes

pytestmark = pytest.mark.reliability

SECRET_NAME = "Visitor 001"  # seed_store's names: the session's log check looks for them


def pages_of_type(path: Path, kind: int) -> list[int]:
    """Numbers (0-based) of the b-tree pages of one kind: 0x0D table leaves, 0x0A index leaves."""
    data, size = path.read_bytes(), page_size(path)
    return [n for n in range(1, len(data) // size) if data[n * size] == kind]


def index_page_holding(path: Path, text: bytes) -> int:
    data, size = path.read_bytes(), page_size(path)
    for page in pages_of_type(path, 0x0A):
        if text in data[page * size:(page + 1) * size]:
            return page
    raise AssertionError("no index page holds that text")


def flip_inside(path: Path, text: bytes, page: int | None = None, last: bool = False) -> None:
    """Change one byte of text (its first, or last), where it is stored in page (or its first
    place in the file)."""
    data = bytearray(path.read_bytes())
    start = 0 if page is None else page * page_size(path)
    at = data.find(text, start)
    assert at >= 0
    data[at + (len(text) - 1 if last else 0)] ^= 0x01
    path.write_bytes(bytes(data))


# --- 1. writes into damaged files ----------------------------------------------------------------

def test_an_index_that_disagrees_with_its_table_refuses_every_write_and_read(tmp_path):
    """The damage quick_check does not see: a changed entry in an index page. The file changed
    since storeshift closed it, so the full integrity_check runs, and nothing writes or reads."""
    db = tmp_path / "store.db"
    payloads = seed_store(db, people=40)
    storage = open_storage(db)
    person_id = roster.list_people(storage)[7]["id"]
    storage.close()
    # The id's last character: the index stays in order, so only comparing it with the table shows it.
    flip_inside(db, person_id.encode(), index_page_holding(db, person_id.encode()), last=True)
    probe = soundness.read_only(db)
    assert probe.execute("PRAGMA quick_check").fetchone()[0] == "ok", "the damage should hide from quick_check"
    probe.close()
    damaged = digest(db)
    for args in (["scan", payloads[3]], ["report", "--week", "2026-W48", "--out", str(tmp_path / "r.pdf")],
                 ["export", "--out", str(tmp_path / "week.ssb")], ["backup", "--out", str(tmp_path / "b.db")],
                 ["people", "import", str(tmp_path / "none.csv")]):
        done = cli(*args, "--db", str(db))
        err = done.stderr.decode()
        assert done.returncode == 1 and err.count("\n") == 1, (args, err)
        assert "damaged" in err and "storeshift restore" in err, (args, err)
    assert not list(tmp_path.glob("r.pdf*")) and not list(tmp_path.glob("week.ssb*"))
    # The window opens at once and says so before anyone tries to save.
    storage = open_storage(db, check_in_background=True)
    try:
        storage._integrity.join()
        known, problem = storage.verdict()
        assert known and isinstance(problem, DamagedDatabase) and "restore" in str(problem)
    finally:
        storage.close()
    assert digest(db) == damaged, "the damaged file was written to"
    done = cli("check", "--db", str(db))
    assert done.returncode == 1 and "index" in done.stdout.decode(), done.stdout.decode()
    assert not soundness.seen_path(db).exists() or not soundness.closed_cleanly(db)


def test_a_file_closed_cleanly_gets_the_cheap_check_and_a_changed_one_the_full(tmp_path):
    db = tmp_path / "store.db"
    seed_store(db, people=3)
    assert soundness.closed_cleanly(db) and not soundness.needs_full_check(db)
    other = sqlite3.connect(db)  # another program writes (harmlessly): the record no longer matches
    other.execute("PRAGMA user_version = 7")
    other.close()
    assert soundness.needs_full_check(db)
    assert cli("check", "--db", str(db)).returncode == 0
    # A running storeshift has the file open: its WAL is live, not a crash's leftover.
    storage = open_storage(db)
    try:
        roster.add_person(storage, name="Ada Brook")
        assert soundness.in_use_elsewhere(db)
        assert not soundness.needs_full_check(db)
    finally:
        storage.close()
    assert not soundness.in_use_elsewhere(db) and soundness.closed_cleanly(db)


def test_the_lead_window_says_damaged_at_open(tmp_path, qtbot):
    db = tmp_path / "kiosk.db"
    store_with_notes(db)
    flip_inside(db, b"Observation marker 4-0")
    damaged = digest(db)
    storage = open_storage(db, check_in_background=True)
    watcher = DatabaseWatcher(db)
    window = LeadWindow(storage, watcher)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: getattr(window, "refused_box", None) is not None, timeout=10_000)
        assert "damaged" in window.refused_box.text() and "storeshift restore" in window.refused_box.text()
        assert window.banner.isVisible() and "damaged" in window.banner.text()
    finally:
        window.close()
        watcher.stop()
        storage.close()
    assert digest(db) == damaged


@pytest.mark.qt_log_ignore("Couldn't (load|resolve) va")  # the video libraries, absent here, as Qt loads
def test_the_kiosk_says_it_cannot_record_at_open(tmp_path, qtbot):
    db = tmp_path / "kiosk.db"
    store_with_notes(db)
    flip_inside(db, b"Observation marker 4-0")
    damaged = digest(db)
    storage = open_storage(db, check_in_background=True)
    watcher = DatabaseWatcher(db)
    kiosk = KioskWindow(storage, watcher, windowed=True, camera=False, sounds=False)
    qtbot.addWidget(kiosk)
    kiosk.show()
    try:
        qtbot.waitUntil(lambda: kiosk.banner.isVisible(), timeout=10_000)
        assert "cannot record" in kiosk.banner.text() and "restore" in kiosk.banner.text()
        kiosk.show_banner("Welcome back")  # later messages do not hide it
        assert "cannot record" in kiosk.banner.text()
    finally:
        kiosk._may_close = True
        kiosk.close()
        watcher.stop()
        storage.close()
    assert digest(db) == damaged


# --- 2. check on damaged text ---------------------------------------------------------------------

def test_check_names_text_that_is_not_utf8_and_exits_1(tmp_path):
    db = tmp_path / "store.db"
    seed_store(db, people=3)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE people SET name = CAST(x'56697369746f722030303180ff' AS TEXT) "
                     "WHERE name = 'Visitor 001'")
    conn.close()
    done = cli("check", "--db", str(db))
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 1, out + err
    assert "not valid UTF-8" in out and "Traceback" not in out + err
    assert err.count("\n") == 1 and "damaged" in err and "storeshift restore" in err
    assert SECRET_NAME not in out + err


@pytest.mark.parametrize("where", ["header", "first page", "last page", "truncated", "schema text"])
def test_check_reports_every_kind_of_damage_as_a_sentence_with_exit_1(tmp_path, where):
    db = tmp_path / "store.db"
    store_with_notes(db)
    data = bytearray(db.read_bytes())
    size = page_size(db)
    if where == "header":
        data[0:16] = b"\xff" * 16
    elif where == "first page":
        data[100:108] = b"\xa5" * 8
    elif where == "schema text":  # a byte that is not UTF-8 in a name SQLite then quotes
        at = data.find(b"INDEX people_name")
        data[at + len(b"INDEX people")] = 0xC0
    elif where == "last page":
        data[-size:-size + 8] = b"\xa5" * 8
    else:
        data = data[: len(data) // 2]
    db.write_bytes(bytes(data))
    done = cli("check", "--db", str(db))
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 1, out + err
    assert "Traceback" not in out + err and err.count("\n") == 1
    assert "damaged" in err or "PROBLEMS" in out


# --- 3 and 4. damaged and forged bundles -----------------------------------------------------------

@pytest.fixture
def two_sites(tmp_path):
    head = tmp_path / "head.db"
    seed_store(head, people=4)
    key_file = tmp_path / "org.key"
    storage = open_storage(head)
    badges.export_org_key(storage, key_file)
    storage.close()
    store = tmp_path / "store.db"
    storage = open_storage(store, site_name="Riverside")
    badges.import_org_key(storage, key_file)
    for i in range(30):
        person = roster.add_person(storage, name=f"Visitor 0{i:02d} Store", department="Shop floor")
        visits.check_in_manually(storage, person["id"])
    storage.close()
    return head, store


def _bundle(store: Path, out: Path) -> Path:
    storage = open_storage(store)
    try:
        return export_bundle(storage, out)
    finally:
        storage.close()


def _refused_and_unchanged(head: Path, bundle: Path) -> str:
    storage = open_storage(head)
    try:
        before = row_counts(storage)
        with pytest.raises(BundleRefused) as refused:
            merge_bundles(storage, [bundle])
        assert row_counts(storage) == before
        assert maintenance.check(storage).ok
        return str(refused.value)
    finally:
        storage.close()


def test_bundles_with_flipped_bits_never_merge_altered_content(two_sites, tmp_path, counts):
    head, store = two_sites
    good = _bundle(store, tmp_path / "good.ssb")
    reference = tmp_path / "reference.db"
    shutil.copy(head, reference)
    storage = open_storage(reference)
    merge_bundles(storage, [good])
    expected = {t: storage.rows(f"SELECT * FROM [{t}] ORDER BY 1") for t in ("people", "visits", "audit_log")}
    storage.close()
    rng = random.Random(14)
    for n in range(30 if counts.full else 8):
        bad = tmp_path / f"flipped-{n}.ssb"
        data = bytearray(good.read_bytes())
        for _ in range(3):
            at = rng.randrange(len(data))
            data[at] ^= 1 << rng.randrange(8)
        bad.write_bytes(bytes(data))
        target = tmp_path / f"head-{n}.db"
        shutil.copy(head, target)
        storage = open_storage(target)
        try:
            merge_bundles(storage, [bad])
        except UserError:  # refused (BundleRefused), or this database could not take it
            continue
        finally:
            merged = {t: storage.rows(f"SELECT * FROM [{t}] ORDER BY 1") for t in expected}
            assert maintenance.check(storage).ok
            storage.close()
        assert merged == expected, f"bundle {n}: altered content was merged"


def test_a_bundle_whose_index_hides_a_changed_row_is_refused(two_sites, tmp_path):
    head, store = two_sites
    bundle = _bundle(store, tmp_path / "week.ssb")
    with sqlite3.connect(bundle) as conn:
        visit_id = conn.execute("SELECT id FROM visits ORDER BY id LIMIT 1 OFFSET 5").fetchone()[0]
    conn.close()
    data = bundle.read_bytes()
    tables = pages_of_type(bundle, 0x0D)
    size = page_size(bundle)
    page = next(p for p in tables if visit_id.encode() in data[p * size:(p + 1) * size])
    flip_inside(bundle, visit_id.encode(), page)  # the table's copy of the id; its index keeps the old one
    assert "damaged" in _refused_and_unchanged(head, bundle)


def _forge(bundle: Path, edit_sql: str | None = None, key_id: str | None = None) -> Path:
    """What someone who knows the format can do: edit, relabel, and recompute the checksum."""
    with sqlite3.connect(bundle) as conn:
        if edit_sql:
            conn.execute(edit_sql)
        if key_id:
            conn.execute("UPDATE manifest SET value = ? WHERE key = 'org_key_id'", (key_id,))
        manifest = dict(conn.execute("SELECT key, value FROM manifest"))
        conn.execute("UPDATE manifest SET value = ? WHERE key = 'checksum'",
                     (content_checksum(conn, "main", manifest),))
    conn.close()
    return bundle


def test_a_bundle_from_another_organisation_relabelled_with_our_key_id_is_refused(two_sites, tmp_path):
    head, _ = two_sites
    storage = open_storage(head)
    our_key_id = badges.org_key(storage)["key_id"]
    storage.close()
    stranger = tmp_path / "stranger.db"
    seed_store(stranger, people=5)
    forged = _forge(_bundle(stranger, tmp_path / "foreign.ssb"), key_id=our_key_id)
    assert "not sealed with this organisation's key" in _refused_and_unchanged(head, forged)


@pytest.mark.parametrize("edit_sql", [
    "UPDATE visits SET check_out_at = '2026-11-25T23:00:00Z'",
    "DELETE FROM manifest WHERE key = 'seal'",
    "UPDATE manifest SET value = '1' WHERE key = 'bundle_version'",
    "UPDATE audit_log SET actor = 'nobody' WHERE seq = 3",
])
def test_an_edited_bundle_with_a_fresh_checksum_is_refused(two_sites, tmp_path, edit_sql):
    head, store = two_sites
    forged = _forge(_bundle(store, tmp_path / "week.ssb"), edit_sql)
    assert "not sealed" in _refused_and_unchanged(head, forged)


# --- 5. a database from a newer storeshift ---------------------------------------------------------

def test_a_newer_storeshift_s_database_is_refused_for_writing_naming_the_version(tmp_path):
    db = tmp_path / "store.db"
    payloads = seed_store(db, people=3)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('storeshift', 'm042_visit_rooms', '2027-01-01')")
        conn.execute("INSERT INTO storeshift_upgrades (name, version, at) VALUES ('m042_visit_rooms', '9.4.0', "
                     "'2027-01-01')")
        conn.execute("ALTER TABLE visits ADD COLUMN room TEXT NOT NULL DEFAULT 'front'")
    conn.close()
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("name\nAda Brook\n", encoding="utf-8")
    before = digest(db)
    for args in (["scan", payloads[0]], ["people", "import", str(csv_path)], ["export", "--out", str(tmp_path / "x.ssb")]):
        done = cli(*args, "--db", str(db))
        err = done.stderr.decode()
        assert done.returncode == 1 and err.count("\n") == 1, (args, err)
        assert "storeshift 9.4.0" in err and "m042_visit_rooms" in err and "saved nothing" in err, err
    storage = open_storage(db)
    try:
        with pytest.raises(NewerDatabase):
            roster.add_person(storage, name="Ada Brook")
        known, problem = storage.verdict()  # what a window shows at open
        assert known and isinstance(problem, NewerDatabase)
        assert roster.list_people(storage)  # reading still works
    finally:
        storage.close()
    assert digest(db) == before, "the newer storeshift's database was written to"


# --- 6. tampering that check used to miss ------------------------------------------------------------

def _tamper(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


def test_deleting_the_newest_visit_with_its_audit_entry_is_caught(tmp_path):
    db = tmp_path / "store.db"
    payloads = seed_store(db, people=3)
    assert cli("scan", payloads[0], "--db", str(db)).returncode == 0
    _tamper(db, "DELETE FROM visits WHERE id = (SELECT record_id FROM audit_log ORDER BY seq DESC LIMIT 1)",
            "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
    done = cli("check", "--db", str(db))
    assert done.returncode == 1 and "removed" in done.stdout.decode(), done.stdout.decode()
    with pytest.raises(DamagedDatabase):  # and nothing more is written on top of it
        open_storage(db)


def test_removing_entries_a_backup_saw_is_caught_even_without_the_close_record(tmp_path):
    db = tmp_path / "store.db"
    seed_store(db, people=3)
    storage = open_storage(db)
    maintenance.backup(storage, tmp_path)
    storage.close()
    soundness.forget_seen(db)  # only the backup's record of the head is left to catch it
    _tamper(db, "DELETE FROM settings WHERE id = (SELECT record_id FROM audit_log ORDER BY seq DESC LIMIT 1)",
            "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
    done = cli("check", "--db", str(db))
    assert done.returncode == 1 and "backup storeshift-backup-" in done.stdout.decode(), done.stdout.decode()


def test_an_entry_rehashed_with_plain_sha256_is_caught(tmp_path):
    db = tmp_path / "store.db"
    seed_store(db, people=3)
    conn = sqlite3.connect(db)
    last = conn.execute("SELECT seq, at, actor, action, table_name, record_id, record_hash, prev_hash "
                        "FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, at, actor, action, table, record_id, _, prev = last
    conn.execute(f"UPDATE [{table}] SET updated_at = '2020-01-01T00:00:00Z' WHERE id = ?", (record_id,))
    row = dict(zip([d[0] for d in conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", (record_id,)).description],
                   conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", (record_id,)).fetchone()))
    fresh = audit.record_hash(row)
    plain = audit.entry_hash(prev, seq, at, actor, action, table, record_id, fresh)
    conn.execute("UPDATE audit_log SET record_hash = ?, hash = ? WHERE seq = ?", (fresh, plain, seq))
    conn.commit()
    conn.close()
    done = cli("check", "--db", str(db))
    assert done.returncode == 1 and "PROBLEMS" in done.stdout.decode()


def test_replacing_the_organisation_secret_is_caught(tmp_path):
    db = tmp_path / "store.db"
    seed_store(db, people=3)
    secret = "ab" * 32
    key_id = badges.key_id_of(secret)
    _tamper(db, f"UPDATE organisation SET secret = '{secret}', key_id = '{key_id}'")
    done = cli("check", "--db", str(db))
    assert done.returncode == 1 and "PROBLEMS" in done.stdout.decode()
    assert "organisation" in done.stdout.decode() or "altered" in done.stdout.decode()


def test_an_old_database_migrates_to_a_keyed_chain_anchored_on_its_plain_one(tmp_path, monkeypatch):
    """A database from before the keyed chain: its plain entries stay, the upgrade's keyed entry
    covers the last of them, so re-hashing an edited old entry with SHA-256 still shows."""
    from storeshift.storage import schema

    from .test_damage_and_migrations import migrations_with

    db = tmp_path / "old.db"
    old = migrations_with()
    old._migrations = [m for m in old._migrations if m.name != "m008_keyed_audit_chain"]
    with monkeypatch.context() as patch:
        patch.setattr(schema, "migrations", old)
        patch.setattr(audit, "chain_key", lambda storage: None)  # how the old version linked entries
        seed_store(db, people=3)
    conn = sqlite3.connect(db)
    assert not conn.execute("SELECT count(*) FROM audit_log WHERE hash LIKE 'k1:%'").fetchone()[0]
    conn.close()
    storage = open_storage(db)  # the upgrade
    try:
        anchor = storage.one("SELECT * FROM audit_log WHERE hash LIKE 'k1:%' ORDER BY seq LIMIT 1")
        assert anchor["action"] == "chain_keyed" and anchor["table_name"] == "organisation"
        assert maintenance.check(storage).ok
        roster.add_person(storage, name="Ada Brook")
        assert storage.value("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").startswith(audit.KEYED)
    finally:
        storage.close()
    assert cli("check", "--db", str(db)).returncode == 0
    # Edit a plain entry and re-link every plain entry after it with SHA-256, as the source shows how.
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT seq, at, actor, action, table_name, record_id, record_hash, prev_hash FROM audit_log "
                        "WHERE hash NOT LIKE 'k1:%' ORDER BY seq").fetchall()
    prev = rows[0][7]
    for seq, at, actor, action, table, record_id, record_hash, _ in rows:
        if seq == 2:
            actor = "nobody"
        hashed = audit.entry_hash(prev, seq, at, actor, action, table, record_id, record_hash)
        conn.execute("UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?", (actor, prev, hashed, seq))
        prev = hashed
    conn.commit()
    conn.close()
    done = cli("check", "--db", str(db))
    assert done.returncode == 1 and "altered" in done.stdout.decode(), done.stdout.decode()


# --- 7. restore while a kiosk writes ---------------------------------------------------------------

def test_restore_refuses_while_a_kiosk_has_the_database_open(tmp_path):
    db = tmp_path / "kiosk.db"
    seed_store(db, people=10)
    storage = open_storage(db)
    maintenance.backup(storage, tmp_path / "backups" / "storeshift-backup-1.db")
    storage.close()
    kiosk = spawn("kiosk", db, "--start", "2026-11-25T08:00:00Z", "--step", 3, "--seconds", 30)
    try:
        assert kiosk.stdout.readline().strip() == "READY"
        done = cli("restore", "--db", str(db), "--yes")
        err = done.stderr.decode()
        assert done.returncode == 1 and "open in another program" in err and "kiosk" in err, err
        assert not list(tmp_path.glob("kiosk.replaced-*")), "the live file was moved aside"
        assert kiosk.poll() is None, "the kiosk was still writing"
    finally:
        kiosk.kill()
        kiosk.communicate()
    done = cli("restore", "--db", str(db), "--yes")
    assert done.returncode == 0, done.stderr.decode()
    assert len(list(tmp_path.glob("kiosk.replaced-*.db"))) == 1


# --- 8. the small ones -------------------------------------------------------------------------------

@pytest.mark.parametrize("why", ["read-only", "full"])
def test_backup_of_a_database_that_cannot_be_written_reports_success_and_a_note(tmp_path, why):
    db = tmp_path / "store.db"
    seed_store(db, people=3)
    storage = open_storage(db)
    notes: list[str] = []
    try:
        if why == "read-only":
            storage.conn.execute("PRAGMA query_only=ON")
        else:
            pages = storage.value("PRAGMA page_count")
            storage.conn.execute(f"PRAGMA max_page_count={pages}")
            storage.conn.execute("PRAGMA secure_delete=OFF")
            for i in range(200):  # fill the last free space of the file
                try:
                    roster.add_person(storage, name=f"Filler {i}")
                except UserError:
                    break
        written = maintenance.backup(storage, tmp_path / "backups" / "b.db", on_note=notes.append)
    finally:
        storage.close()
    assert written.exists()
    probe = sqlite3.connect(written)
    assert probe.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    probe.close()
    assert len(notes) == 1 and "backup is sound" in notes[0] and "Could not save the setting" not in notes[0]
    assert ("disk is full" if why == "full" else "cannot be written") in notes[0]


def test_backup_into_a_folder(tmp_path):
    db = tmp_path / "store.db"
    seed_store(db, people=1)
    missing = tmp_path / "no-such-folder"
    done = cli("backup", "--out", f"{missing}/", "--db", str(db))
    assert done.returncode == 1 and "does not exist" in done.stderr.decode()
    assert not missing.exists() and not list(tmp_path.glob("no-such-folder*"))
    existing = tmp_path / "backups"
    existing.mkdir()
    done = cli("backup", "--out", f"{existing}/", "--db", str(db))
    assert done.returncode == 0, done.stderr.decode()
    inside = list(existing.glob("storeshift-backup-*.db"))
    assert len(inside) == 1 and str(inside[0]) in done.stdout.decode()


def test_export_of_a_damaged_file_says_damaged(tmp_path):
    db = tmp_path / "store.db"
    store_with_notes(db)
    flip_inside(db, b"Observation marker 2-0")
    done = cli("export", "--out", str(tmp_path / "week.ssb"), "--db", str(db))
    err = done.stderr.decode()
    assert done.returncode == 1 and "damaged" in err and "another program" not in err


def test_the_clean_close_record_holds_the_chain_head(tmp_path):
    db = tmp_path / "store.db"
    seed_store(db, people=2)
    seen = json.loads(soundness.seen_path(db).read_text())
    storage = open_storage(db)
    try:
        seq, hashed = audit.head(storage)
        assert seen["heads"][storage.site_id] == [seq, hashed]
    finally:
        storage.close()
