"""The one way to find files in resources/ (fonts, icons, sounds, styles), from source and
from the PyInstaller bundle alike."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """Path of a resource file, e.g. resource('fonts', 'DejaVuSans.ttf'); raises if it is missing."""
    path = resource_root().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"storeshift resource missing: {'/'.join(parts)} (looked in {resource_root()})")
    return path
