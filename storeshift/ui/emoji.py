"""Emoji in names and notes drawn in colour, not as empty boxes: the system's colour emoji font
(Noto Color Emoji from tools/install.sh, Segoe UI Emoji on Windows, Apple Color Emoji) is named
to Qt as the one to use for emoji."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFontDatabase

log = logging.getLogger("storeshift.ui")

# In order of preference; the first one this system has is used.
EMOJI_FAMILIES = ("Noto Color Emoji", "Segoe UI Emoji", "Apple Color Emoji",  # not translated: font names
                  "Twemoji", "JoyPixels", "Noto Emoji", "Symbola")  # not translated: font names


def use_emoji_font() -> str | None:
    """Tell Qt which installed family draws emoji; its name, or None (logged) when none is."""
    installed = set(QFontDatabase.families())
    found = [family for family in EMOJI_FAMILIES if family in installed]
    if not found:
        log.warning("no emoji font is installed: emoji show as boxes (install fonts-noto-color-emoji)")
        return None
    if QFontDatabase.applicationEmojiFontFamilies()[:1] != found[:1]:
        QFontDatabase.setApplicationEmojiFontFamilies(found)
    return found[0]
