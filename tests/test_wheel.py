"""Installing like any Python desktop app: the wheel and sdist carry the fonts, styles, sounds,
icons and desktop entry, and the wheel installed into a fresh virtual environment passes
`storeshift --self-test`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from storeshift import __version__
from storeshift.selftest import NEEDED_RESOURCES

ROOT = Path(__file__).resolve().parent.parent
DESKTOP_FILES = ("linux/org.storeshift.storeshift.desktop", "linux/org.storeshift.storeshift.metainfo.xml")
WANTED = [f"storeshift/assets/{'/'.join(parts)}" for parts in NEEDED_RESOURCES] + \
         [f"storeshift/assets/{name}" for name in DESKTOP_FILES]


def run(*args, **options) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **options)
    assert result.returncode == 0, f"{' '.join(map(str, args))}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The wheel and sdist, built from a copy of the source (the checkout gets no build/ folder),
    without build isolation, so no network is needed."""
    folder = tmp_path_factory.mktemp("build")
    source = folder / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "storeshift", source / "storeshift",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = folder / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, source)
    run(sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_sdist({str(out)!r})",
        cwd=source)
    return {"wheel": next(out.glob("storeshift-*.whl")), "sdist": next(out.glob("storeshift-*.tar.gz"))}


def test_wheel_carries_the_assets_and_both_entry_points(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read(f"storeshift-{__version__}.dist-info/entry_points.txt").decode()
        metadata = wheel.read(f"storeshift-{__version__}.dist-info/METADATA").decode()
    assert not [name for name in WANTED if name not in names]
    assert "[console_scripts]\nstoreshift = storeshift.cli:main" in entry_points
    assert "[gui_scripts]\nstoreshift-gui = storeshift.cli:gui" in entry_points
    assert 'Requires-Dist: tzdata; sys_platform == "win32"' in metadata
    assert "Requires-Dist: charset-normalizer" in metadata


def test_sdist_carries_the_assets(built):
    with tarfile.open(built["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert not [name for name in WANTED if name not in names]


def test_metainfo_names_the_packaged_version():
    text = (ROOT / "storeshift" / "assets" / DESKTOP_FILES[1]).read_text(encoding="utf-8")
    assert f'<release version="{__version__}"' in text


@pytest.mark.slow
def test_the_wheel_in_a_fresh_virtual_environment_passes_the_self_test(built, tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip())
    # The dependencies are this environment's (PySide6 alone is 600 MB to install): a path file makes
    # them importable there, after the venv's own site-packages, and without this environment's
    # path files, so this checkout's editable storeshift stays invisible. storeshift comes from the wheel only.
    (site / "deps-under-test.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", built["wheel"])
    where = run(python, "-c", "import storeshift.resources as r; print(r.__file__); print(r.resource_root())",
                cwd=tmp_path)
    module, assets = where.stdout.split()
    assert Path(module).is_relative_to(venv) and Path(assets).is_relative_to(venv)
    assert (bindir / "storeshift").exists() and (bindir / "storeshift-gui").exists()
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY",
                                                            "PYTHONPATH")}
    env.update(STORESHIFT_LOG_DIR=str(tmp_path / "logs"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               HOME=str(tmp_path / "home"))
    result = run(bindir / "storeshift", "--self-test", env=env, cwd=tmp_path)
    assert result.stdout.splitlines()[-1] == "self-test ok"
    # The shift-lead's first command, from the installed app: a store set up from an HR export.
    db = tmp_path / "store.db"
    result = run(bindir / "storeshift", "setup", "--db", db, "--site-name", "Köln Hbf", "--language", "de",
                 "--roster", ROOT / "tests" / "data" / "hr_export_de.csv", env=env, cwd=tmp_path)
    assert "Personen: 4 Personen hinzugefügt" in result.stdout  # said in German, from the wheel's catalogue
