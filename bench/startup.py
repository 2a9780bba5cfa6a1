"""Cold start to the first frame shown: the kiosk and the shift-lead window, each started as a
new process exactly as a user starts it, beside a bare PySide6 QMainWindow process."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from . import common
from .common import CACHE, PYTHON, ROOT, Row, Stats, child_env, demo_database, python_version, working_copy

GOAL = "≤ 1.5× the floor"


def first_paint_ms(args: list[str], python: str = PYTHON) -> float:
    started = time.time()
    done = subprocess.run([python, "-m", "bench.first_paint", *args], cwd=ROOT, env=child_env(),
                          capture_output=True, text=True, timeout=120)
    for line in done.stdout.splitlines():
        if line.startswith("FIRST_PAINT "):
            return (float(line.split()[1]) - started) * 1000
    lines = (done.stderr or done.stdout).strip().splitlines()
    fatal = [line for line in lines if "Fatal" in line or "storeshift:" in line]
    raise RuntimeError(f"{args[0]} never painted: {' / '.join((fatal or lines[-2:])[:2])[:300]}")


def set_pin(db: Path) -> None:
    """A store PC's database has a shift-lead PIN: the full-screen kiosk refuses to start without one."""
    from storeshift.services import pin
    from storeshift.storage import open_storage

    storage = open_storage(db)
    try:
        if not pin.has_pin(storage):
            pin.set_pin(storage, "2468", actor="bench")
    finally:
        storage.close()


def window_available(kind: str) -> str | None:
    module = {"kiosk": "storeshift.ui.kiosk.window", "lead": "storeshift.ui.lead.window"}[kind]
    check = subprocess.run([PYTHON, "-c", f"import {module}"], cwd=ROOT, env=child_env(),
                           capture_output=True, text=True)
    return None if check.returncode == 0 else f"{module} does not import yet"


def run(quick: bool) -> list[Row]:
    runs = 2 if quick else 9
    name, people = ("visits-10k", 500) if quick else ("visits-100k", 5_000)
    db, meta = demo_database(name, people=people, weeks=52)
    labels = {"kiosk": "kiosk cold start to first frame", "lead": "shift-lead window cold start to first frame"}
    rows = []
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="work-") as tmp:
        copy = working_copy(db, Path(tmp))
        set_pin(copy)
        # Which interpreter each window runs under: this one, or the --qt-python one if it fails here.
        chosen: dict[str, str] = {}
        failures: dict[str, list[str]] = {}
        for kind in ("kiosk", "lead"):
            why = window_available(kind)
            if why:
                failures[kind] = [why]
                continue
            for python in [PYTHON] + ([common.ALT_PYTHON] if common.ALT_PYTHON else []):
                try:
                    first_paint_ms(["bare"], python)  # warm the page cache for Python and Qt's libraries
                    first_paint_ms([kind, str(copy)], python)
                    chosen[kind] = python
                    break
                except RuntimeError as exc:
                    failures.setdefault(kind, []).append(f"under Python {python_version(python)}: {exc}")
        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(runs):
            # Interleaved, so a burst of load from elsewhere hits every kind alike.
            for python in sorted(set(chosen.values())):
                samples.setdefault(("bare", python), []).append(first_paint_ms(["bare"], python))
            for kind, python in list(chosen.items()):
                try:
                    samples.setdefault((kind, python), []).append(first_paint_ms([kind, str(copy)], python))
                except RuntimeError as exc:
                    failures.setdefault(kind, []).append(f"a later start failed: {exc}")
                    del chosen[kind]
    for kind in ("kiosk", "lead"):
        notes = "; ".join(failures.get(kind, []))
        if kind not in chosen:
            rows.append(Row("startup", labels[kind], goal=GOAL, verdict="MISSES" if failures.get(kind) else "",
                            note=f"no first frame: {notes}" if notes else "not measured"))
            continue
        python = chosen[kind]
        stats, floor = Stats(samples[(kind, python)]), Stats(samples[("bare", python)])
        verdict = "meets" if stats.median <= 1.5 * floor.median else "MISSES"
        rows.append(Row("startup", f"{labels[kind]} ({meta['counts']['visits']:,}-visit database, "
                        f"Python {python_version(python)})", stats, floor,
                        "bare PySide6 QMainWindow process, same launcher", GOAL, verdict,
                        note=f"{runs} cold starts each, offscreen platform, until the first Paint event"
                             + (f"; {notes}" if notes else "")))
    return rows
