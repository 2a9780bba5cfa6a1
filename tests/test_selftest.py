"""`storeshift --self-test` run as support would run it: a separate process, its output and exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_storeshift(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "storeshift", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def clean_env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update({"STORESHIFT_LOG_DIR": str(tmp_path / "logs"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
                "HOME": str(tmp_path / "home")}, **extra)
    return env


@pytest.mark.slow
def test_self_test_passes_headless_and_names_every_step(tmp_path):
    # No display and no QT_QPA_PLATFORM: the self-test must choose offscreen by itself.
    result = run_storeshift("--self-test", env=clean_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "self-test ok"
    for step in ("resources", "qt", "database", "people", "scan", "report", "badge", "lead window",
                 "kiosk window", "check"):
        assert any(line.split()[:len(step.split())] == step.split() and " ok (" in line for line in lines), \
            f"step {step!r} not reported ok:\n{result.stdout}"
    # Nothing of the test is left behind in the user's folders.
    assert not (tmp_path / "config").exists() or not any((tmp_path / "config").rglob("*.conf")), \
        "the self-test wrote window settings to the user's config folder"


def test_self_test_fails_with_one_line_naming_the_step(tmp_path):
    # A bundle whose resources went missing: the first step says so, exit status 2, no traceback.
    env = clean_env(tmp_path)
    code = ("import sys, storeshift.resources as r; from pathlib import Path; "
            "r.resource_root = lambda: Path(sys.argv[1]); "
            "from storeshift.cli import main; main(['--self-test'], prog_name='storeshift')")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "nowhere")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "self-test ok" not in result.stdout
    assert result.stderr.strip().splitlines() == [
        f"storeshift: self-test failed: resources: no resources folder at {tmp_path / 'nowhere'}"]
    assert "Traceback" not in result.stderr


PYSIDE_LEAK = """
import ctypes, sys
import storeshift.ui, storeshift.selftest as selftest
from PySide6.QtCore import QObject
if sys.version_info >= (3, 12):
    print("immortal"); sys.exit(0)
guard = (1 << 40) if sys.getrefcount(None) > 1 << 32 else 0  # a guard raising the count, if one is in place
ctypes.c_ssize_t.from_address(id(None)).value -= guard      # as if there were no guard
set_name = QObject.setObjectName
def leaky(self, name):                               # what PySide6 6.12.0 does: a reference to None lost
    set_name(self, name)
    ctypes.pythonapi.Py_DecRef(ctypes.py_object(None))
QObject.setObjectName = leaky
try:
    selftest._check_singleton_references()
    print("passed")
except selftest.SelfTestFailed as exc:
    print(exc)
ctypes.c_ssize_t.from_address(id(None)).value += guard
"""


def test_self_test_refuses_a_qt_binding_that_loses_references_to_none(tmp_path):
    result = subprocess.run([sys.executable, "-c", PYSIDE_LEAK], cwd=ROOT, env=clean_env(tmp_path, QT_QPA_PLATFORM="offscreen"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    if result.stdout.strip() == "immortal":
        pytest.skip("None is immortal on this Python: nothing to lose")
    assert "loses a reference to None on every Qt call" in result.stdout, result.stdout
