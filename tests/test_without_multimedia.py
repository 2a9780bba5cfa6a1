"""A PC without QtMultimedia's libraries (no libpulse0): the kiosk still checks people in, the
self-test passes with a warning, the log says why once, and the terminal stays quiet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from test_selftest import ROOT, clean_env

# Runs the command with PySide6.QtMultimedia failing to import, as it does when libpulse.so.0 is missing.
BLOCKED = """
import sys
from importlib.abc import MetaPathFinder

class NoMultimedia(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6.QtMultimedia":
            raise ImportError("libpulse.so.0: cannot open shared object file: No such file or directory")
        return None

sys.meta_path.insert(0, NoMultimedia())
from storeshift.cli import main
main(sys.argv[1:], prog_name="storeshift")
"""


def run_without_multimedia(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCKED, *args], cwd=ROOT, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=180)


@pytest.mark.slow
def test_self_test_passes_with_a_warning_and_the_log_says_why_once(tmp_path):
    result = run_without_multimedia(tmp_path, "--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "self-test ok"
    kiosk = next(line for line in result.stdout.splitlines() if line.split()[:2] == ["kiosk", "window"])
    assert " ok (" in kiosk and "warning: camera and sound unavailable" in kiosk and "libpulse.so.0" in kiosk
    assert result.stderr == ""
    log = (tmp_path / "logs" / "storeshift.log").read_text(encoding="utf-8")
    assert log.count("camera and sound unavailable") == 1 and "install libpulse0" in log


def test_the_self_test_has_no_warning_where_multimedia_loads(tmp_path):
    pytest.importorskip("PySide6.QtMultimedia")
    from storeshift.ui import media

    assert media.multimedia_problem() is None


def test_qt_messages_go_to_the_log_not_the_terminal(tmp_path):
    code = ("from PySide6.QtCore import qWarning; from storeshift import logs; from storeshift.ui import app; "
            "logs.setup(); app.send_qt_messages_to_the_log(); "
            "qWarning('QSoundEffect(qaudio): Error decoding source')")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == ""
    log = (tmp_path / "logs" / "storeshift.log").read_text(encoding="utf-8")
    assert "WARNING storeshift.qt: default: QSoundEffect(qaudio): Error decoding source" in log
