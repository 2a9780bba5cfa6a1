"""Cold start to the first frame shown: the kiosk and the shift-lead window, each started as a
new process exactly as a user starts it, beside a bare PySide6 QMainWindow process."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from .common import CACHE, PYTHON, ROOT, Row, Stats, child_env, demo_database, not_measured, working_copy

GOAL = "≤ 1.5× the floor"


def first_paint_ms(args: list[str]) -> float:
    started = time.time()
    done = subprocess.run([PYTHON, "-m", "bench.first_paint", *args], cwd=ROOT, env=child_env(),
                          capture_output=True, text=True, timeout=120)
    for line in done.stdout.splitlines():
        if line.startswith("FIRST_PAINT "):
            return (float(line.split()[1]) - started) * 1000
    raise RuntimeError(f"{' '.join(args[:1])} never painted: {(done.stderr or done.stdout).strip()[-400:]}")


def window_available(kind: str) -> str | None:
    module = {"kiosk": "storeshift.ui.kiosk.window", "lead": "storeshift.ui.lead.window"}[kind]
    check = subprocess.run([PYTHON, "-c", f"import {module}"], cwd=ROOT, env=child_env(),
                           capture_output=True, text=True)
    return None if check.returncode == 0 else f"{module} does not import yet"


def run(quick: bool) -> list[Row]:
    runs = 2 if quick else 9
    name, people = ("visits-10k", 500) if quick else ("visits-100k", 5_000)
    db, meta = demo_database(name, people=people, weeks=52)
    why_not = {k: window_available(k) for k in ("kiosk", "lead")}
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="work-") as tmp:
        copy = working_copy(db, Path(tmp))
        first_paint_ms(["bare"])  # warm the page cache for Python and Qt's libraries
        for kind in ("kiosk", "lead"):
            if why_not[kind] is None:
                try:
                    first_paint_ms([kind, str(copy)])
                except RuntimeError as exc:
                    why_not[kind] = str(exc)
        kinds = [k for k in ("kiosk", "lead") if why_not[k] is None]
        samples: dict[str, list[float]] = {"bare": [], **{k: [] for k in kinds}}
        # Interleaved, so a burst of load from elsewhere hits every kind alike.
        for _ in range(runs):
            samples["bare"].append(first_paint_ms(["bare"]))
            for kind in kinds:
                samples[kind].append(first_paint_ms([kind, str(copy)]))
    floor = Stats(samples["bare"])
    rows = []
    labels = {"kiosk": "kiosk cold start to first frame", "lead": "shift-lead window cold start to first frame"}
    for kind in ("kiosk", "lead"):
        if kind not in kinds:
            rows.append(not_measured("startup", labels[kind], why_not[kind], GOAL))
            continue
        stats = Stats(samples[kind])
        verdict = "meets" if stats.median <= 1.5 * floor.median else "MISSES"
        rows.append(Row("startup", f"{labels[kind]} ({meta['counts']['visits']:,}-visit database)", stats, floor,
                        "bare PySide6 QMainWindow process, same launcher", GOAL, verdict,
                        note=f"{runs} cold starts each, offscreen platform, until the first Paint event"))
    return rows
