"""The damage experiments of docs/SECURITY.md, as a script anyone can rerun:

1. byte flips: demo databases, each with 4 random bytes changed in one random page; then
   `storeshift check`, a window opening it, `storeshift report` and `storeshift scan` on it;
2. bundle bit flips: a store's bundle with 3 random bits flipped, merged into head office;
3. forged bundles: another organisation's bundle relabelled with our key id, edited bundles
   with a recomputed checksum, a bundle without its seal.

Usage: .venv/bin/python tools/damage_experiment.py [--files 20] [--bundles 30] [--seed 14]
Prints the counts; exits 1 if anything was written into a damaged file or merged from a
damaged or forged bundle.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storeshift.errors import UserError  # noqa: E402
from storeshift.services import badges, demo, maintenance, roster, visits  # noqa: E402
from storeshift.storage import open_storage  # noqa: E402
from storeshift.sync import export_bundle, merge_bundles  # noqa: E402
from storeshift.sync.bundle import content_checksum  # noqa: E402


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "storeshift", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def digest(path: Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())).hexdigest()


def flip_page(path: Path, rng: random.Random, count: int = 4) -> int:
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big") or 65536
    page = rng.randrange(len(data) // size)
    for offset in rng.sample(range(size), count):
        at = page * size + offset
        data[at] = (data[at] + rng.randrange(1, 256)) % 256  # always a different byte
    path.write_bytes(bytes(data))
    return page


def byte_flips(work: Path, files: int, rng: random.Random) -> dict[str, int]:
    counts = dict.fromkeys(["files", "damaged", "check exit 1", "check exit 2 or traceback", "window warned",
                            "window silent", "report PDFs from damaged", "scans written into damaged",
                            "sound files scanned fine"], 0)
    for n in range(files):
        db = work / f"demo-{n}.db"
        storage = open_storage(db)
        demo.seed(storage, seed=n)  # the demo store `storeshift demo` makes
        person = roster.list_people(storage)[0]
        if visits.open_visit(storage, person["id"]):
            visits.scan(storage, badges.payload_for(storage, person["id"]))  # check them out first
        payload = badges.payload_for(storage, person["id"])
        storage.close()
        flip_page(db, rng)
        counts["files"] += 1
        damaged = not maintenance.check_file(db).ok
        counts["damaged"] += damaged
        done = cli("check", "--db", str(db))
        if done.returncode == 1 and damaged:
            counts["check exit 1"] += 1
        if done.returncode == 2 or "Traceback" in done.stdout + done.stderr:
            counts["check exit 2 or traceback"] += 1
        before = digest(db)
        warned = False
        try:
            storage = open_storage(db, check_in_background=True)  # as the windows open it
        except UserError:
            warned = True  # the refusal dialog
        else:
            try:
                if storage._integrity is not None:
                    storage._integrity.join()
                warned = storage.verdict()[1] is not None
            finally:
                storage.close()
        if damaged:
            counts["window warned" if warned else "window silent"] += 1
        pdf = work / f"report-{n}.pdf"
        cli("report", "--week", "2026-W48", "--out", str(pdf), "--db", str(db))
        if damaged and pdf.exists():
            counts["report PDFs from damaged"] += 1
        scanned = cli("scan", payload, "--db", str(db))
        if damaged and digest(db) != before:
            counts["scans written into damaged"] += 1
        if not damaged and scanned.returncode == 0:
            counts["sound files scanned fine"] += 1
    return counts


def _site(path: Path, name: str, key: Path | None, people: int) -> None:
    storage = open_storage(path, site_name=name)
    try:
        if key is None:
            badges.export_org_key(storage, path.with_suffix(".key"))
        else:
            badges.import_org_key(storage, key)
        for i in range(people):
            person = roster.add_person(storage, name=f"{name} visitor {i}", department="Floor")
            visits.check_in_manually(storage, person["id"])
    finally:
        storage.close()


def _tables(path: Path) -> dict:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT * FROM [{t}] ORDER BY 1").fetchall()
                for t in ("people", "visits", "audit_log", "sites")}
    finally:
        conn.close()


def _merge(head: Path, bundle: Path, work: Path, label: str) -> tuple[bool, bool, dict]:
    """(merged?, check passes after?, tables after) on a fresh copy of head."""
    target = work / f"head-{label}.db"
    shutil.copy(head, target)
    for side in ("-seen",):
        if Path(f"{head}{side}").exists():
            shutil.copy(f"{head}{side}", f"{target}{side}")
    storage = open_storage(target)
    try:
        try:
            merge_bundles(storage, [bundle])
            merged = True
        except UserError:
            merged = False
        ok = maintenance.check(storage).ok
    finally:
        storage.close()
    return merged, ok, _tables(target)


def _forge(source: Path, target: Path, edit: str | None = None, key_id: str | None = None) -> Path:
    shutil.copy(source, target)
    conn = sqlite3.connect(target)
    with conn:
        if edit:
            conn.execute(edit)
        if key_id:
            conn.execute("UPDATE manifest SET value = ? WHERE key = 'org_key_id'", (key_id,))
        manifest = dict(conn.execute("SELECT key, value FROM manifest"))
        conn.execute("UPDATE manifest SET value = ? WHERE key = 'checksum'",
                     (content_checksum(conn, "main", manifest),))
    conn.close()
    return target


def bundles(work: Path, flips: int, rng: random.Random) -> dict[str, int]:
    head = work / "head.db"
    _site(head, "Head office", None, 5)
    store = work / "store.db"
    _site(store, "Riverside", head.with_suffix(".key"), 60)
    stranger = work / "stranger.db"
    _site(stranger, "Another company", None, 20)
    storage = open_storage(store)
    good = export_bundle(storage, work / "good.ssb")
    storage.close()
    storage = open_storage(stranger)
    foreign = export_bundle(storage, work / "foreign.ssb")
    storage.close()
    storage = open_storage(head)
    our_key = badges.org_key(storage)["key_id"]
    storage.close()
    _, _, expected = _merge(head, good, work, "reference")
    counts = dict.fromkeys(["flipped bundles", "refused", "merged unaltered content", "merged altered content",
                            "head office failing check", "forged attempts", "forged merged"], 0)
    for n in range(flips):
        bad = work / f"flipped-{n}.ssb"
        data = bytearray(good.read_bytes())
        for _ in range(3):
            at = rng.randrange(len(data))
            data[at] ^= 1 << rng.randrange(8)
        bad.write_bytes(bytes(data))
        merged, ok, after = _merge(head, bad, work, f"flip-{n}")
        counts["flipped bundles"] += 1
        if not merged:
            counts["refused"] += 1
        elif after == expected:
            counts["merged unaltered content"] += 1
        else:
            counts["merged altered content"] += 1
        counts["head office failing check"] += not ok
    forgeries = {
        "another organisation's, relabelled with our key id": _forge(foreign, work / "f1.ssb", key_id=our_key),
        "visit hours edited": _forge(good, work / "f2.ssb", "UPDATE visits SET check_out_at = '2026-11-25T23:00:00Z'"),
        "a person added": _forge(good, work / "f3.ssb", "INSERT INTO people SELECT 'ghost', site_id, created_at, "
                                 "updated_at, NULL, 'Ghost', '', NULL, NULL, 1 FROM people LIMIT 1"),
        "audit entry edited": _forge(good, work / "f4.ssb", "UPDATE audit_log SET actor = 'nobody' WHERE seq = 3"),
        "seal removed": _forge(good, work / "f5.ssb", "DELETE FROM manifest WHERE key = 'seal'"),
        "claims the unsealed format": _forge(good, work / "f6.ssb",
                                             "UPDATE manifest SET value = '1' WHERE key = 'bundle_version'"),
        "another organisation's, as exported": foreign,
    }
    for label, bundle in forgeries.items():
        merged, ok, _ = _merge(head, bundle, work, f"forged-{len(label)}")
        counts["forged attempts"] += 1
        counts["forged merged"] += merged
        counts["head office failing check"] += not ok
        print(f"  forged: {label}: {'MERGED' if merged else 'refused'}")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--bundles", type=int, default=30)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="storeshift-damage-") as tmp:
        work = Path(tmp)
        flips = byte_flips(work, args.files, rng)
        print("byte flips (4 random bytes in one random page of a demo database):")
        for key, value in flips.items():
            print(f"  {key}: {value}")
        found = bundles(work, args.bundles, rng)
        print("bundles (3 random bits flipped) and forgeries:")
        for key, value in found.items():
            print(f"  {key}: {value}")
    bad = (flips["scans written into damaged"] + flips["report PDFs from damaged"] + flips["window silent"]
           + flips["check exit 2 or traceback"] + found["merged altered content"] + found["forged merged"]
           + found["head office failing check"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
