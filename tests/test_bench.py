"""The benchmark suite runs end to end in its quick form and writes its table (timings are never asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_completes_and_writes_its_table(tmp_path):
    out = tmp_path / "RESULTS.md"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "| figure | median | p99 | min–max | floor |" in text
    assert "core scan() → visit committed" in text
    assert "pairwise F1 of the theme grouping" in text and "### Theme grouping on the labelled" not in text
    assert "## Theme grouping on the labelled observations" in text
