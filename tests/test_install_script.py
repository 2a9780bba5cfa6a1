"""tools/install.sh run by a user who is not root and has no sudo: it names the packages to
install and stops with a clear sentence, before touching anything."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_without_root_or_sudo_it_names_the_missing_packages(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "grep"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    # A user (uid 1000) on a machine where dpkg knows none of the packages, and no sudo on PATH.
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")
    (bin_dir / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")
    for fake in ("id", "dpkg-query"):
        (bin_dir / fake).chmod(0o755)
    result = subprocess.run([shutil.which("bash"), str(ROOT / "tools" / "install.sh")], capture_output=True,
                            text=True, timeout=60, env={"PATH": str(bin_dir), "HOME": str(tmp_path)})
    assert result.returncode == 1
    assert "sudo: command not found" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "tools/install.sh: these system packages are missing and installing them needs root:"
    assert lines[1].split()[:2] == ["apt-get", "install"]
    assert {"libpulse0", "libgl1", "fonts-wqy-microhei", "fonts-noto-color-emoji", "python3-venv"} <= \
        set(lines[1].split())
    assert "administrator" in lines[2]
    assert result.stdout == ""  # nothing was started: no venv, no pip
