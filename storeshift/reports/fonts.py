"""Fonts for PDFs: the bundled DejaVu Sans for Latin, Greek, Cyrillic, Arabic and Hebrew, a CJK
TrueType font of the computer's for Chinese, Japanese and Korean (embedded, only the characters
used), else reportlab's built-in CID fonts (named, not embedded: the reader must have them), and
a per-character choice so that any name a person can type comes out readable and extractable."""

from __future__ import annotations

import os
import re
import struct
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from ..resources import resource

BODY = "StoreshiftSans"
BOLD = "StoreshiftSans-Bold"
# Built into every PDF reader's CJK support: the PDF names them, nothing is embedded. Used when the
# computer has none of CJK_FONT_FILES (a reader without its Asian font pack then shows nothing).
CJK_CHINESE = "STSong-Light"
CJK_JAPANESE = "HeiseiKakuGo-W5"
CJK_KOREAN = "HYGothic-Medium"
_CJK_CID = {"han": CJK_CHINESE, "kana": CJK_JAPANESE, "hangul": CJK_KOREAN}
_CJK_SAMPLE = {"han": "中", "kana": "あ", "hangul": "한"}
#: TrueType CJK fonts a store PC may have, best first: Windows' own, then Debian's and Ubuntu's
#: (fonts-wqy-microhei covers all three scripts). OpenType/CFF fonts such as Noto CJK cannot be
#: embedded by reportlab.
CJK_FONT_FILES = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts" / name
                  for name in ("msyh.ttc", "msgothic.ttc", "malgun.ttf", "simsun.ttc")] + [
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
]
#: Drawn in place of a character no font of ours has (most emoji): one box, same line height.
MISSING = "\u25a1"

_lock = threading.Lock()
_cjk_lock = threading.Lock()
_cjk_loaded: dict[Path, TTFont | None] = {}
_registered = False
_body_glyphs: frozenset[int] = frozenset()
_body_chars: frozenset[str] = frozenset()      # characters DejaVu draws
_plain_chars: frozenset[str] = frozenset()     # ...that clean() leaves exactly as they are

# Invisible joiners and modifiers of emoji sequences: dropped, so "👍🏽" becomes one box, not three.
_INVISIBLE = {0x200D, 0xFE0E, 0xFE0F, 0x20E3} | set(range(0x1F3FB, 0x1F400)) | set(range(0xE0020, 0xE0080))


def register() -> None:
    """Register our fonts with reportlab once per process (safe from any thread)."""
    global _registered, _body_glyphs
    if _registered:
        return
    with _lock:
        if _registered:
            return
        body = TTFont(BODY, str(resource("fonts", "DejaVuSans.ttf")))
        bold = TTFont(BOLD, str(resource("fonts", "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFont(body)
        pdfmetrics.registerFont(bold)
        pdfmetrics.registerFontFamily(BODY, normal=BODY, bold=BOLD, italic=BODY, boldItalic=BOLD)
        addMapping(BODY, 0, 0, BODY)
        addMapping(BODY, 1, 0, BOLD)
        addMapping(BODY, 0, 1, BODY)
        addMapping(BODY, 1, 1, BOLD)
        for name in (CJK_CHINESE, CJK_JAPANESE, CJK_KOREAN):
            pdfmetrics.registerFont(UnicodeCIDFont(name))
            # <b> inside a CJK run must not look for a bold face that does not exist.
            for bold_flag in (0, 1):
                for italic_flag in (0, 1):
                    addMapping(name, bold_flag, italic_flag, name)
        # Bold and regular DejaVu cover the same characters; the regular face decides.
        _body_glyphs = frozenset(body.face.charToGlyph)
        global _body_chars, _plain_chars
        _body_chars = frozenset(chr(cp) for cp in _body_glyphs)
        _plain_chars = frozenset(ch for ch in _body_chars if ord(ch) not in _INVISIBLE
                                 and unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
        _registered = True


def _is_kana(cp: int) -> bool:
    return 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F


def _is_hangul(cp: int) -> bool:
    return 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F


def _is_han(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0xF900 <= cp <= 0xFAFF or 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFF65)


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return _is_han(cp) or _is_kana(cp) or _is_hangul(cp)


def choose_cjk_font(script: str, files: list[Path]) -> str:
    """The font for one CJK script ("han", "kana" or "hangul"): the first of files that is a
    TrueType font with that script, registered to be embedded; else reportlab's CID font."""
    with _cjk_lock:
        for path in files:
            if path not in _cjk_loaded:
                _cjk_loaded[path] = _load_cjk(path)
            font = _cjk_loaded[path]
            if font is not None and ord(_CJK_SAMPLE[script]) in font.face.charToGlyph:
                return font.fontName
    return _CJK_CID[script]


def _load_cjk(path: Path) -> TTFont | None:
    if not path.is_file():
        return None
    try:
        # Only the characters used go into the PDF (reportlab subsets TrueType fonts).
        font = TTFont(f"StoreshiftCJK-{path.stem}", str(path), subfontIndex=0)
    except (TTFError, OSError, ValueError, struct.error):  # CFF outlines, no embedding allowed, unreadable
        return None
    pdfmetrics.registerFont(font)
    for bold_flag in (0, 1):
        for italic_flag in (0, 1):
            addMapping(font.fontName, bold_flag, italic_flag, font.fontName)
    return font


@lru_cache(maxsize=None)
def _cjk_font(script: str) -> str:
    return choose_cjk_font(script, CJK_FONT_FILES)


@lru_cache(maxsize=4096)
def font_for_char(ch: str) -> str | None:
    """The font for one character: None for the body font, a CJK font name, or MISSING when
    no font of ours has it (then MISSING is drawn instead, in the body font)."""
    register()
    cp = ord(ch)
    if cp in _body_glyphs or ch in "\n\t":
        return None
    script = "hangul" if _is_hangul(cp) else "kana" if _is_kana(cp) else "han" if _is_han(cp) else None
    if script is None:
        return MISSING
    chosen = _cjk_font(script)
    embedded = pdfmetrics.getFont(chosen)
    if isinstance(embedded, TTFont) and cp not in embedded.face.charToGlyph:
        return _CJK_CID[script]  # a rare character the system font lacks: the reader's own font
    return chosen


def clean(text: object) -> str:
    """Printable text: control characters and emoji joiners dropped, each character no font
    has replaced by one box, so a line never breaks or vanishes because of it."""
    register()
    value = str(text if text is not None else "")
    # Most text is plain ASCII: nothing to replace, and thousands of notes go through here.
    if value.isascii() and (value.isprintable() or not _ASCII_CONTROL.search(value)):
        return value
    if _plain_chars.issuperset(value.replace("\n", "").replace("\t", "")):
        return value
    return _clean_unicode(value)


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@lru_cache(maxsize=16384)
def _clean_unicode(value: str) -> str:
    out = []
    for ch in value:
        cp = ord(ch)
        if cp in _INVISIBLE:
            continue
        if ch in "\n\t":
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category == "Cc":
            continue
        if category in ("Zl", "Zp"):
            out.append("\n")
            continue
        # Bidi marks and zero-width spaces have no glyph but are harmless once text is laid out.
        if category == "Cf":
            continue
        if font_for_char(ch) == MISSING:
            if out and out[-1] == MISSING:
                continue
            out.append(MISSING)
        else:
            out.append(ch)
    return "".join(out)


def runs(text: str, base: str = BODY) -> list[tuple[str, str]]:
    """Split already-cleaned text into (font name, text) runs: base for what DejaVu has,
    the matching CJK font otherwise. Spaces join the run they sit in."""
    if text.isascii() or _body_chars.issuperset(text):
        return [(base, text)]
    result: list[tuple[str, str]] = []
    current_font, current = base, list[str]()
    for ch in text:
        chosen = font_for_char(ch) if not ch.isspace() else None
        font = base if chosen in (None, MISSING) else chosen
        if ch.isspace():
            font = current_font
        if font != current_font and current:
            result.append((current_font, "".join(current)))
            current = []
        current_font = font
        current.append(ch)
    if current:
        result.append((current_font, "".join(current)))
    return result


@lru_cache(maxsize=65536)
def string_width(text: str, size: float, base: str = BODY) -> float:
    """Width of cleaned, visual-order text set with per-run fonts."""
    register()
    return sum(pdfmetrics.stringWidth(part, font, size) for font, part in runs(text, base))


def single_font(text: str, base: str = BODY) -> str:
    """One font for a short label that cannot switch fonts (chart labels): a CJK font when the
    label has CJK (they carry Latin too), else base."""
    for ch in text:
        chosen = font_for_char(ch)
        if chosen not in (None, MISSING):
            return chosen
    return base
