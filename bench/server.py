"""Head office's PostgreSQL server: the sites of bench/merge.py (a year of demo data each) pushed
with storeshift sync, head office's sync pulling them all, and the chain's weekly report from it.
Needs a server: STORESHIFT_BENCH_PG (or STORESHIFT_TEST_PG) = an administrator's URL."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .common import CACHE, Row, Stats, not_measured, timed
from .merge import WEEKS, pdf_pages, sites

#: The issue's 50 sites (set lower if a machine is too slow; the note then says so).
SITES_FULL = 50


def run(quick: bool) -> list[Row]:
    count = 2 if quick else SITES_FULL
    figure = f"{count} sites × a year of demo data pushed to PostgreSQL (storeshift sync)"
    admin = os.environ.get("STORESHIFT_BENCH_PG") or os.environ.get("STORESHIFT_TEST_PG")
    if not admin:
        return [not_measured("server", figure, "no server: set STORESHIFT_BENCH_PG=postgresql://admin…")]
    import psycopg

    from storeshift.reports.consolidated import build_consolidated_report
    from storeshift.server import schema
    from storeshift.server.sync import sync
    from storeshift.storage import open_storage

    # The very sites bench/merge.py builds (and caches): the same data as the bundle merge.
    folder, meta = sites(5 if quick else 50)
    name = f"storeshift_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))
    year, week, _ = (dt.date.fromisoformat(meta["built"]) - dt.timedelta(days=7)).isocalendar()
    try:
        schema.init(url)
        with tempfile.TemporaryDirectory(dir=CACHE, prefix="server-") as tmp:
            pushes, again = [], []
            for db in sorted(folder.glob("site-*.db"))[:count]:
                copy = Path(tmp) / db.name
                shutil.copyfile(db, copy)
                site_url = schema.add_site(url, db.stem)
                storage = open_storage(copy)
                try:
                    ms, _result = timed(sync, storage, site_url)
                    pushes.append(ms)
                    ms, repeat = timed(sync, storage)
                    again.append(ms)
                finally:
                    storage.close()
            office = Path(tmp) / "head-office.db"
            shutil.copyfile(folder / "head-office.db", office)
            storage = open_storage(office)
            try:
                ms_pull, pulled = timed(sync, storage, schema.add_site(url, "Head office", head_office=True))
                ms_report, pdf = timed(build_consolidated_report, storage, year, week, Path(tmp) / "chain.pdf")
                pages = pdf_pages(pdf)
            finally:
                storage.close()
        with psycopg.connect(url) as conn:
            size_mb = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6
            rows = conn.execute("SELECT (SELECT count(*) FROM site_rows) + (SELECT count(*) FROM site_audit)"
                                ).fetchone()[0]
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            for (role,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (f"ss_{name}%",)):
                conn.execute(f'DROP ROLE "{role}"')
    total = Stats([sum(pushes)])
    return [
        Row("server", f"{figure}: all {count} first syncs one after another ({rows:,} rows and audit entries, "
                      f"{size_mb:.0f} MB on the server)", total,
            note=f"one site's first sync: median {Stats(pushes).median / 1000:.2f} s; its next sync (nothing new): "
                 f"median {Stats(again).median / 1000:.2f} s; {WEEKS} weeks per site"
                 f"{'' if count == 50 else '; fewer sites than the 50 of the bundle merge'}"),
        Row("server", f"head office's sync pulling all {count} sites into its database", Stats([ms_pull]),
            note=f"{pulled.merged.changed:,} rows and entries merged"),
        Row("server", f"chain's weekly report ({year}-W{week:02d}) on head office's synced database",
            Stats([ms_report]), note=f"{pages} pages"),
    ]
