"""The one way to find the files in storeshift/assets (fonts, icons, sounds, styles, the Linux
desktop entry), from source, from an installed wheel and from the PyInstaller bundle alike."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_root() -> Path:
    # The bundle carries the folder at the same place inside the package (build.spec's datas),
    # so this module's own folder finds it everywhere; _MEIPASS is named for clarity.
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "storeshift" / "assets"
    return Path(__file__).resolve().parent / "assets"


def resource(*parts: str) -> Path:
    """Path of a resource file, e.g. resource('fonts', 'DejaVuSans.ttf'); raises if it is missing."""
    path = resource_root().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"storeshift resource missing: {'/'.join(parts)} (looked in {resource_root()})")
    return path
