"""Head office: merging 50 site bundles (each a demo store of 60 people over a year, exported with
export_bundle) into a fresh database with merge_bundles, merging them again (nothing changes), and
the consolidated report of all sites on the result."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from .common import CACHE, PYTHON, ROOT, Row, Stats, child_env, not_measured, timed

GOAL = "≤ 10 s"
SITES = CACHE / "sites"
WEEKS = 52      # a year of demo data at each site

# Run in its own process: builds the sites sharing one organisation key and exports their bundles.
BUILD_SITES = """
import datetime, json, sys
from pathlib import Path
from storeshift.services import badges, demo
from storeshift.storage import open_storage
folder, count, weeks = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
folder.mkdir(parents=True, exist_ok=True)
office = open_storage(folder / "head-office.db", site_name="Head office")
badges.export_org_key(office, folder / "org-key.json")
office.close()
rows = 0
for i in range(1, count + 1):
    site = open_storage(folder / f"site-{i:02d}.db", site_name=f"Store {i:02d}")
    badges.import_org_key(site, folder / "org-key.json")
    counts = demo.seed(site, people=60, weeks=weeks, seed=i, site_name=f"Store {i:02d}")
    rows += sum(counts.values())
    site.close()
print(json.dumps({"rows": rows, "built": str(datetime.date.today())}))
"""

# Bundles are exported afresh on every run (not cached): their format belongs to the code under test.
EXPORT = """
import sys
from pathlib import Path
from storeshift.storage import open_storage
from storeshift.sync.bundle import export_bundle
folder, out = Path(sys.argv[1]), Path(sys.argv[2])
for db in sorted(folder.glob("site-*.db")):
    site = open_storage(db)
    export_bundle(site, out / (db.stem + ".ssb"))
    site.close()
"""


def sites(count: int) -> tuple[Path, dict]:
    folder = SITES / f"{count}x{WEEKS}w"
    meta_path = folder / "meta.json"
    if meta_path.exists():
        return folder, json.loads(meta_path.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    done = subprocess.run([PYTHON, "-c", BUILD_SITES, str(folder), str(count), str(WEEKS)], cwd=ROOT, env=child_env(),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"building {count} sites failed: {done.stderr.strip()[-300:]}")
    meta = json.loads(done.stdout.strip().splitlines()[-1])
    meta_path.write_text(json.dumps(meta))
    return folder, meta


def export(folder: Path, out: Path) -> list[Path]:
    done = subprocess.run([PYTHON, "-c", EXPORT, str(folder), str(out)], cwd=ROOT, env=child_env(),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"exporting the site bundles failed: {done.stderr.strip()[-300:]}")
    return sorted(out.glob("site-*.ssb"))


def run(quick: bool) -> list[Row]:
    count = 5 if quick else 50
    figure = f"merge of {count} site bundles (a year of demo data each) into a fresh head-office database"
    try:
        from storeshift.reports.consolidated import build_consolidated_report
        from storeshift.storage import open_storage
        from storeshift.sync.merge import merge_bundles
    except ImportError as exc:
        return [not_measured("merge", figure, f"storeshift.sync.merge has not landed ({exc})", GOAL)]
    folder, meta = sites(count)
    exported = tempfile.TemporaryDirectory(dir=CACHE, prefix="bundles-")
    bundles = export(folder, Path(exported.name))
    size_mb = sum(b.stat().st_size for b in bundles) / 1e6
    runs = 1 if quick else 3
    first, again, report_times = [], [], []
    # The last full week before the sites were built: every site has visits in it.
    year, week, _ = (dt.date.fromisoformat(meta["built"]) - dt.timedelta(days=7)).isocalendar()
    for _ in range(runs):
        with tempfile.TemporaryDirectory(dir=CACHE, prefix="work-") as tmp:
            target = Path(tmp) / "head-office.db"
            shutil.copyfile(folder / "head-office.db", target)
            storage = open_storage(target)
            try:
                ms, report = timed(merge_bundles, storage, bundles)
                first.append(ms)
                merged = report.changed
                ms, repeat_report = timed(merge_bundles, storage, bundles)
                again.append(ms)
                unchanged_again = repeat_report.changed == 0
                ms, pdf = timed(build_consolidated_report, storage, year, week, Path(tmp) / "all-sites.pdf")
                report_times.append(ms)
                pages = pdf_pages(pdf)
            finally:
                storage.close()
    exported.cleanup()
    stats = Stats(first)
    return [Row("merge", f"{figure} ({size_mb:.1f} MB of bundles, {meta['rows']:,} demo rows)", stats, goal=GOAL,
                verdict="meets" if stats.median <= 10_000 else "MISSES",
                note=f"{runs} runs; {merged:,} rows changed by the first merge; merging the same bundles again: "
                     f"median {Stats(again).median / 1000:.2f} s, "
                     f"{'nothing changed' if unchanged_again else 'CHANGED ROWS (not idempotent)'}"),
            Row("merge", f"consolidated report of all {count} sites for {year}-W{week:02d} on the merged database",
                Stats(report_times), note=f"{runs} runs; {pages} pages")]


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)
