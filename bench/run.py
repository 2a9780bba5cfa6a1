"""Run every benchmark area, print the table and write it (with machine, versions and date) as Markdown."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import sqlite3
import sys
import time
import traceback
from pathlib import Path

from .common import Row, not_measured

AREAS = ["scan", "kiosk", "startup", "reports", "floor_board", "merge", "themes", "server"]
DEFAULT_OUT = Path(__file__).resolve().parent / "RESULTS.md"
# Quick or partial runs are not the real figures: they never replace the tracked table.
SCRATCH_OUT = Path(__file__).resolve().parent / ".cache" / "RESULTS-partial.md"


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    for name in (module, f"{module}-Essentials"):
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return "not installed"


def machine(started: dt.datetime) -> list[str]:
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
    except OSError:
        cpu = platform.processor()
    try:
        mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal")))
        memory = f"{mem_kb / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        memory = "unknown"
    try:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    from storeshift import __version__

    return [
        f"- date: {started.strftime('%Y-%m-%d %H:%M UTC')} (start of the run)",
        f"- machine: {platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores "
        f"(shared with other work; load average at start {load}), {memory} RAM",
        f"- versions: storeshift {__version__}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PySide6 {_version('PySide6')}, sqlite-utils {_version('sqlite-utils')}, reportlab {_version('reportlab')}, "
        f"qrcode {_version('qrcode')}",
    ]


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "MB":
        return f"{value:.1f} MB"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    return f"{value:.2f} ms"


def table(rows: list[Row]) -> list[str]:
    lines = ["| figure | median | p99 | min–max | floor | floor median | floor p99 | ratio (median ÷ floor) "
             "| goal | verdict | notes |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        s, f, u = row.stats, row.floor, row.unit
        ratio = row.ratio
        lines.append("| " + " | ".join([
            row.figure,
            fmt(s.median, u) if s else "—",
            fmt(s.p99, u) if s else "—",
            f"{fmt(s.low, u)} – {fmt(s.high, u)}" if s else "—",
            row.floor_name or "—",
            fmt(f.median, u) if f else "—",
            fmt(f.p99, u) if f else "—",
            f"{ratio:.2f}×" if ratio is not None else "—",
            row.goal or "—",
            row.verdict or "—",
            row.note.replace("|", "/"),
        ]) + " |")
    return lines


def write(out: Path, rows: list[Row], quick: bool, seconds: float, header: list[str]) -> None:
    text = ["# storeshift benchmark results", "",
            "Written by `python -m bench`" + (" --quick (small data, few runs: NOT the real figures)" if quick else "")
            + f" in {seconds:.0f} s. Times are wall-clock; every figure sits beside its floor, measured in the "
            "same run and interleaved with it where possible, because this machine is shared and noisy: "
            "compare the ratio, not the absolute time. p99 is nearest-rank (with fewer than 100 samples it "
            "is the largest). What each miss came from, and what was changed, is in FINDINGS.md.", "",
            *header, "", *table(rows), ""]
    # Figures that are no timings (an area's quality measures) follow the table as sections of their own.
    for row in rows:
        text += row.extra.get("section", [])
    out.write_text("\n".join(text), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Small data and few runs (under a minute).")
    parser.add_argument("--out", type=Path, default=None,
                        help="Where to write the Markdown table (default: bench/RESULTS.md after a full "
                        "run, bench/.cache/RESULTS-partial.md after --quick or --only).")
    parser.add_argument("--only", nargs="*", choices=AREAS, help="Run only these areas.")
    parser.add_argument("--qt-python", help="Another Python (with storeshift's requirements) to run the kiosk "
                        "and shift-lead windows with when they fail under this one; its figures are labelled.")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = SCRATCH_OUT if (args.quick or args.only) else DEFAULT_OUT
        args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.qt_python:
        os.environ["BENCH_QT_PYTHON"] = args.qt_python
        from . import common

        common.ALT_PYTHON = args.qt_python
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    # Machine, versions and load are read before anything runs.
    header = machine(dt.datetime.now(dt.timezone.utc))
    rows: list[Row] = []
    for area in args.only or AREAS:
        area_started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{area}")
            found = module.run(args.quick)
        except Exception as exc:  # one broken area must not hide the others' figures
            traceback.print_exc()
            found = [not_measured(area, area, f"the benchmark failed ({type(exc).__name__}: {exc})")]
        rows.extend(found)
        print(f"[{area}: {time.perf_counter() - area_started:.1f} s]", file=sys.stderr)
        print("\n".join(table(found)[2:]), flush=True)
    seconds = time.perf_counter() - started
    write(args.out, rows, args.quick, seconds, header)
    print(f"wrote {args.out} ({seconds:.0f} s)")
    return 0
