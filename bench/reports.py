"""PDF costs: the weekly report (5,000 observations and 2,000 visits in the week; growth at
500 / 5,000 / 50,000 observations) beside reportlab drawing the same tables bare, and a badge
sheet of 1,000 people beside qrcode + reportlab drawing 1,000 QR images bare."""

from __future__ import annotations

import datetime as dt
import importlib.util
import tempfile
from pathlib import Path

from .common import Row, Stats, demo_database, growth_label, not_measured, timed

REPORT_GOAL = "≤ 3 s and ≤ 2× the floor"
SHEET_GOAL = "≤ 10 s"
# Demo stores of 5,000 people make ~2,000 visits a week; observations per visit sets the rest.
REPORT_TIERS = [("report-500obs", 0.25), ("report-5000obs", 2.5), ("report-50000obs", 25.0)]


def missing(module: str) -> str | None:
    try:
        found = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        found = None
    return None if found is not None else f"{module} has not landed yet"


def report_week(meta: dict) -> tuple[int, int]:
    """The last whole ISO week before the database was built (the demo fills the weeks before 'now')."""
    built = dt.datetime.fromisoformat(meta["built_at"]).date()
    year, week, _ = (built - dt.timedelta(days=7)).isocalendar()
    return year, week


# --- floors --------------------------------------------------------------------------------

def bare_tables_pdf(data, out: Path) -> None:
    """reportlab drawing the weekly report's tables with no logic: each list of the week's data
    as one plain LongTable of plain strings (default font, no styling, no wrapping)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import LongTable, SimpleDocTemplate

    def plain(headers, rows, widths):
        body = [["" if v is None else str(v) for v in r] for r in rows]
        return LongTable([headers, *body], colWidths=widths, repeatRows=1)

    story = [
        plain(["name", "department", "visits", "minutes", "tasks", "observations"],
              [[p["name"], p["department"], p["visits"], p["minutes"], p["tasks_done"], p["observations"]]
               for p in data.people], [150, 110, 50, 60, 50, 60]),
        plain(["task", "area", "assigned", "people", "done", "minutes"],
              [[t["title"], t["area"], t["assigned"], t["people"], t["done"], t["minutes"]] for t in data.tasks],
              [150, 110, 50, 60, 50, 60]),
        plain(["when", "category", "impact", "status", "person", "observation", "quote"],
              [[o["created_at"], o["category"], o["impact"], o["status"], o["person_name"], o["text"], o["quote"]]
               for o in data.observations], [55, 60, 40, 40, 70, 150, 110]),
        plain(["raised", "category", "impact", "status", "owner", "observation", "age"],
              [[f["created_at"], f["category"], f["impact"], f["status"], f["owner"], f["text"], f["age_days"]]
               for f in data.follow_ups], [55, 60, 40, 40, 70, 190, 30]),
        plain(["person", "department", "booked"], [[b["name"], b["department"], b["start_at"]] for b in data.no_shows],
              [150, 110, 120]),
    ]
    SimpleDocTemplate(str(out), pagesize=A4).build(story)


def bare_canvas_pdf(data, out: Path) -> None:
    """The lowest floor: the same rows' strings put on pages with canvas.drawString, one line each,
    no tables, no wrapping."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4)
    canvas.setFont("Helvetica", 7)
    y = 800
    lists = [data.people, data.tasks, data.observations, data.follow_ups, data.no_shows]
    for rows in lists:
        for row in rows:
            canvas.drawString(30, y, " | ".join("" if v is None else str(v) for v in row.values())[:180])
            y -= 9
            if y < 40:
                canvas.showPage()
                canvas.setFont("Helvetica", 7)
                y = 800
    canvas.save()


def bare_qr_pdf(payloads: list[str], out: Path) -> None:
    """qrcode + reportlab drawing the QR images bare: 12 to an A4 page, no names, no layout logic."""
    import qrcode
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4)
    for index, payload in enumerate(payloads):
        if index and index % 12 == 0:
            canvas.showPage()
        slot = index % 12
        x, y = 40 + (slot % 3) * 180, 640 - (slot // 3) * 200
        canvas.drawImage(ImageReader(qrcode.make(payload).get_image()), x, y, 150, 150)
    canvas.save()


# --- the figures ---------------------------------------------------------------------------

def weekly_rows(quick: bool) -> list[Row]:
    why = missing("storeshift.reports.weekly")
    from storeshift.reports.data import week_data
    from storeshift.storage import open_storage

    tiers = [("report-quick", 500, 2.5)] if quick else [(name, 5_000, per) for name, per in REPORT_TIERS]
    runs = 1 if quick else 5
    rows, sizes, medians = [], [], []
    for name, people, per_visit in tiers:
        db, meta = demo_database(name, people=people, weeks=2, observations_per_visit=per_visit)
        year, week = report_week(meta)
        storage = open_storage(db)
        try:
            data = week_data(storage, year, week)
            counts = f"{len(data.observations):,} observations, {data.figures.visits:,} visits in {data.label}"
            goal_tier = name in ("report-5000obs", "report-quick")
            with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
                floor_ms, real_ms, canvas_ms = [], [], []
                if why is None:
                    from storeshift.reports.weekly import build_weekly_report
                for _ in range(runs if goal_tier else (2 if per_visit < 10 else 1)):
                    if goal_tier:
                        # The table floor is the goal's yardstick; at 50,000 rows reportlab's
                        # tables take minutes, so the growth rows use the drawString floor only.
                        ms, _ = timed(bare_tables_pdf, week_data(storage, year, week), Path(tmp) / "floor.pdf")
                        floor_ms.append(ms)
                    ms, _ = timed(bare_canvas_pdf, week_data(storage, year, week), Path(tmp) / "canvas.pdf")
                    canvas_ms.append(ms)
                    if why is None:
                        ms, _ = timed(build_weekly_report, storage, year, week, Path(tmp) / "weekly.pdf", "a4")
                        real_ms.append(ms)
        finally:
            storage.close()
        floor = Stats(floor_ms) if floor_ms else Stats(canvas_ms)
        floor_name = ("reportlab drawing the same tables as plain-string tables (week's data read before timing)"
                      if floor_ms else "the same rows as reportlab drawString lines (no tables)")
        figure = f"weekly report PDF, {counts}"
        if why is not None:
            row = not_measured("reports", figure, why, REPORT_GOAL if goal_tier else "(growth)")
            row.floor, row.floor_name = floor, "reportlab drawing the same tables bare (week's data read first)"
            rows.append(row)
            continue
        stats = Stats(real_ms)
        verdict = ""
        if goal_tier:
            verdict = "meets" if stats.median <= 3000 and stats.median <= 2 * floor.median else "MISSES"
        rows.append(Row("reports", figure, stats, floor, floor_name,
                        REPORT_GOAL if goal_tier else "(growth)", verdict,
                        note=f"{len(stats.samples)} runs; the report's time includes reading the week"
                             + (f"; lower floor, the same rows as drawString lines: {Stats(canvas_ms).median / 1000:.2f} s "
                                f"({stats.median / Stats(canvas_ms).median:.1f}×)" if floor_ms else "")))
        sizes.append(len(data.observations))
        medians.append(stats.median)
    if len(sizes) > 1:
        rows.append(Row("reports", "growth of the weekly report with observations " +
                        " / ".join(f"{s:,}" for s in sizes),
                        note=growth_label(sizes, medians) + "; medians " +
                        " / ".join(f"{m / 1000:.2f} s" for m in medians)))
    return rows


def badge_sheet_rows(quick: bool) -> list[Row]:
    from storeshift.services.badges import badge_payloads
    from storeshift.storage import open_storage

    why = missing("storeshift.reports.badge_sheet")
    count = 50 if quick else 1_000
    runs = 1 if quick else 3
    db, _ = demo_database("people-1100", people=1_100, weeks=1)
    storage = open_storage(db)
    try:
        chosen = badge_payloads(storage)[:count]
        person_ids = [person["id"] for person, _ in chosen]
        payloads = [payload for _, payload in chosen]
        floor_ms, real_ms = [], []
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            if why is None:
                from storeshift.reports.badge_sheet import build_badge_sheet
            for _ in range(runs):
                ms, _ = timed(bare_qr_pdf, payloads, Path(tmp) / "floor.pdf")
                floor_ms.append(ms)
                if why is None:
                    ms, _ = timed(build_badge_sheet, storage, Path(tmp) / "sheet.pdf", person_ids=person_ids,
                                  layout="sheet", paper="a4")
                    real_ms.append(ms)
    finally:
        storage.close()
    figure = f"badge sheet PDF of {len(person_ids):,} people"
    floor = Stats(floor_ms)
    if why is not None:
        row = not_measured("reports", figure, why, SHEET_GOAL)
        row.floor, row.floor_name = floor, "qrcode + reportlab drawing the QR images bare"
        return [row]
    stats = Stats(real_ms)
    return [Row("reports", figure, stats, floor, "qrcode + reportlab drawing the QR images bare", SHEET_GOAL,
                "meets" if stats.median <= 10_000 else "MISSES", note=f"{runs} runs each")]


def run(quick: bool) -> list[Row]:
    return weekly_rows(quick) + badge_sheet_rows(quick)
