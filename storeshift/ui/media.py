"""Sound and camera as extras: QtMultimedia is loaded only when it can be (on Linux it needs
PulseAudio's client library), and when it cannot, check-in goes on with the scanner alone and
the log says why, once."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QUrl

log = logging.getLogger("storeshift.ui.media")

UNAVAILABLE = "camera and sound unavailable"  # not translated: the self-test and the log speak to support
_checked = False
_problem: str | None = None


def multimedia_problem() -> str | None:
    """Why QtMultimedia cannot be used here (None when it can), found out and logged once."""
    global _checked, _problem
    if not _checked:
        _checked = True
        try:
            import PySide6.QtMultimedia  # noqa: F401  (loads the library and its dependencies)
        except (ImportError, OSError) as exc:
            _problem = f"{type(exc).__name__}: {exc}"
            log.warning("%s: QtMultimedia cannot be loaded (%s); badges are read by the scanner only. "
                        "On Linux, install libpulse0.", UNAVAILABLE, _problem)
    return _problem


def camera_scanner(parent: QObject):
    """A CameraScanner for the kiosk, or None when there is no QtMultimedia."""
    if multimedia_problem():
        return None
    from .camera import CameraScanner

    return CameraScanner(parent)


def load_sounds(parent: QObject, names: tuple[str, ...]) -> dict:
    """{name: QSoundEffect} for the WAV files in assets/sounds; empty when there is no QtMultimedia."""
    if multimedia_problem():
        return {}
    from PySide6.QtMultimedia import QSoundEffect

    from ..resources import resource

    sounds = {}
    for name in names:
        try:
            path = resource("sounds", f"{name}.wav")
        except FileNotFoundError:
            log.warning("sound %s is missing", name)
            continue
        effect = QSoundEffect(parent)
        effect.setSource(QUrl.fromLocalFile(str(path)))
        effect.setVolume(0.8)
        sounds[name] = effect
    return sounds
