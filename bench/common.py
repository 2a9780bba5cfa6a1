"""Shared pieces of the benchmarks: timing statistics, result rows, cached demo databases."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
PYTHON = sys.executable
#: A second interpreter for the Qt windows when they cannot run under this one (see run.py --qt-python).
ALT_PYTHON = os.environ.get("BENCH_QT_PYTHON") or None


def python_version(python: str) -> str:
    done = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                          capture_output=True, text=True)
    return done.stdout.strip() or "?"


@dataclass
class Stats:
    """Summary of repeated timings, in milliseconds (or MB for memory rows)."""
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p99(self) -> float:
        # Nearest-rank p99: with fewer than 100 samples this is the largest one.
        ordered = sorted(self.samples)
        rank = max(1, math.ceil(0.99 * len(ordered)))
        return ordered[rank - 1]

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


@dataclass
class Row:
    """One line of the results table: a figure beside its floor and its goal."""
    area: str
    figure: str
    stats: Stats | None = None
    floor: Stats | None = None
    floor_name: str = ""
    goal: str = ""
    verdict: str = ""          # "meets", "MISSES", or "" when there is no goal
    unit: str = "ms"
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.stats is None or self.floor is None or self.floor.median == 0:
            return None
        return self.stats.median / self.floor.median


def not_measured(area: str, figure: str, why: str, goal: str = "") -> Row:
    why = " ".join(str(why).replace(str(ROOT) + "/", "").replace(str(ROOT), ".").split())
    return Row(area, figure, goal=goal, verdict="not measured", note=f"not measured yet: {why}")


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, value


def repeat(fn, runs: int, warmup: int = 1) -> Stats:
    """Median-friendly repeats: warm-up calls are thrown away (first-touch page cache, imports)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        ms, _ = timed(fn)
        samples.append(ms)
    return Stats(samples)


def growth_label(sizes: list[float], medians: list[float]) -> str:
    """Name the growth from the log-log slope between the smallest and largest size."""
    if len(sizes) < 2 or min(medians) <= 0:
        return "unknown"
    slope = math.log(medians[-1] / medians[0]) / math.log(sizes[-1] / sizes[0])
    if slope < 0.15:
        name = "flat"
    elif slope < 0.85:
        name = "sub-linear"
    elif slope < 1.2:
        name = "linear"
    else:
        name = "worse than linear"
    return f"{name} (slope {slope:.2f} on log-log)"


# --- demo databases ------------------------------------------------------------------------

def demo_database(name: str, *, people: int, weeks: int, observations_per_visit: float = 0.6,
                  seed: int = 1) -> tuple[Path, dict]:
    """A demo database built once with `storeshift demo --seed-only` and kept in bench/.cache.

    Returns the path and a sidecar dict (counts printed by the command and the build date)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.db"
    meta_path = CACHE / f"{name}.json"
    wanted = {"people": people, "weeks": weeks, "observations_per_visit": observations_per_visit, "seed": seed}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("params") == wanted:
            return path, meta
    for stale in (path, meta_path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-m", "storeshift", "demo", "--seed-only", "--db", str(path), "--people", str(people),
         "--weeks", str(weeks), "--observations-per-visit", str(observations_per_visit), "--seed", str(seed)],
        cwd=ROOT, capture_output=True, text=True, env=child_env())
    if done.returncode != 0 and not path.exists():
        # The command line did not start (a half-installed optional command group, say): call the
        # function `storeshift demo` calls, with the same arguments, in a process of its own.
        done = subprocess.run(
            [PYTHON, "-c", "import sys; from storeshift.storage import open_storage; "
             "from storeshift.services import demo; s = open_storage(sys.argv[1]); "
             "print(demo.seed(s, people=int(sys.argv[2]), weeks=int(sys.argv[3]), "
             "observations_per_visit=float(sys.argv[4]), seed=int(sys.argv[5]))); s.close()",
             str(path), str(people), str(weeks), str(observations_per_visit), str(seed)],
            cwd=ROOT, capture_output=True, text=True, env=child_env())
    if done.returncode != 0:
        raise RuntimeError(f"building {name} failed: {(done.stderr.strip() or done.stdout.strip())[-300:]}")
    counts = count_rows(path)
    meta = {"params": wanted, "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 1), "counts": counts,
            "output": done.stdout.strip()}
    meta_path.write_text(json.dumps(meta, indent=2))
    return path, meta


def count_rows(path: Path) -> dict:
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("people", "visits", "assignments", "observations", "bookings", "audit_log")}
    finally:
        conn.close()


def working_copy(source: Path, target_dir: Path) -> Path:
    """A throw-away copy of a cached database, so benchmarks that write never change the cache."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    # The cached file was closed cleanly (WAL checkpointed), so the main file alone is complete.
    shutil.copyfile(source, target)
    # Flush the copy now: otherwise the first WAL checkpoint's fsync writes the whole freshly
    # copied file (a 1 s stall at 1 M visits) and is wrongly charged to whichever scan triggers it.
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    return target


def child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Logs of benchmark runs stay with the benchmark, not in the user's own log folder.
    env.setdefault("STORESHIFT_LOG_DIR", str(CACHE / "logs"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    # An installed storeshift (pip, the desktop bundle) starts from compiled bytecode; with
    # writing it turned off, every start would compile each module again (0.1-0.2 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB, from /proc (Linux)."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)
