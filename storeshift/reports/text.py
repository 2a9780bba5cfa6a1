"""Text for PDFs: any typed text made safe for reportlab (escaped, right-to-left text shaped
and put in visual order, per-script font runs), as Paragraphs or drawn to fit a width."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from . import fonts

_RTL_CLASSES = {"R", "AL"}
_reshaper = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False})


def _direction(ch: str) -> str:
    return unicodedata.bidirectional(ch)


# Hebrew, Arabic, Syriac, Thaana, N'Ko... and their presentation forms: right-to-left scripts.
_RTL_RANGES = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]")


def has_rtl(text: str) -> bool:
    return _RTL_RANGES.search(text) is not None


def rtl_base(text: str) -> bool:
    """True when the first strongly directional character is right-to-left (Arabic, Hebrew)."""
    for ch in text:
        kind = _direction(ch)
        if kind in _RTL_CLASSES:
            return True
        if kind == "L":
            return False
    return False


@lru_cache(maxsize=8192)
def visual(text: str, rtl: bool | None = None) -> str:
    """One line of text as it must be drawn: Arabic letters joined, right-to-left runs in
    visual order (reportlab draws characters left to right and shapes nothing itself).
    rtl: the line's base direction; None takes it from the first strong character. A line we
    compose ('name · department · time') is left-to-right whatever name it starts with."""
    if not has_rtl(text):
        return text
    if rtl is None:
        rtl = rtl_base(text)
    return get_display(_reshaper.reshape(text), base_dir="R" if rtl else "L")


def prepare(text: object) -> str:
    """Cleaned logical-order text: what every other function here starts from."""
    return fonts.clean(text)


def _font_markup(line: str, base: str) -> str:
    parts = []
    for font, part in fonts.runs(line, base):
        escaped = escape(part)
        parts.append(escaped if font == base else f'<font name="{font}">{escaped}</font>')
    return "".join(parts)


def markup(text: object, base: str = fonts.BODY) -> str:
    """Paragraph markup for typed text: escaped, per-script fonts, line breaks kept.
    Each line is put in visual order on its own (a right-to-left line that wraps is handled
    by rtl_paragraph, which breaks the lines before reordering them)."""
    lines = prepare(text).split("\n")
    return "<br/>".join(_font_markup(visual(line), base) for line in lines)


def _split_word(word: str, width: float, size: float, base: str) -> list[str]:
    """A word wider than width, cut after a hyphen in reach or else between characters."""
    pieces = []
    while len(word) > 1 and fonts.string_width(visual(word), size, base) > width:
        cut = len(word)
        while cut > 1 and fonts.string_width(visual(word[:cut]), size, base) > width:
            cut -= 1
        # Break after a hyphen when there is one in reach: 'Wolfe-' / 'Smith' reads better.
        hyphen = word.rfind("-", 0, cut)
        if hyphen > 0:
            cut = hyphen + 1
        pieces.append(word[:cut])
        word = word[cut:]
    pieces.append(word)
    return pieces


def _wrap_logical(line: str, width: float, size: float, base: str) -> list[str]:
    """Break one logical-order line into lines no wider than width. Widths add up word by word
    (Arabic letters join only within a word, so shaping a word alone gives its true width)."""
    space = fonts.string_width(" ", size, base)
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in line.split(" "):
        word_width = fonts.string_width(visual(word), size, base) if word else 0.0
        if word_width > width:
            pieces = _split_word(word, width, size, base)
            if current:
                lines.append(" ".join(current))
            lines.extend(pieces[:-1])
            word = pieces[-1]
            current, used = [], 0.0
            word_width = fonts.string_width(visual(word), size, base)
        extra = word_width + (space if current else 0.0)
        if current and used + extra > width:
            lines.append(" ".join(current))
            current, used = [word], word_width
        else:
            current.append(word)
            used += extra
    lines.append(" ".join(current))
    return lines


def wrap_lines(value: object, width: float, size: float, base: str = fonts.BODY) -> list[str]:
    """Cleaned typed text broken into logical-order lines that fit width (line breaks kept)."""
    out: list[str] = []
    for logical in prepare(value).split("\n"):
        out.extend(_wrap_logical(logical, width, size, base))
    return out


def para(text: object, style, width: float | None = None, prefix: str = "") -> Paragraph:
    """A Paragraph of typed text. A right-to-left text that may wrap is broken into lines in
    reading order first (given the width it will get), then each line is reordered and set
    right-aligned, so a long Arabic or Hebrew note reads top to bottom correctly.
    prefix is trusted markup put before the text (a bold label, say)."""
    cleaned = prepare(text)
    base = style.fontName
    if width and has_rtl(cleaned) and rtl_base(cleaned) and not prefix:
        lines = []
        for logical in cleaned.split("\n"):
            lines.extend(_wrap_logical(logical, width - 2, style.fontSize, base))
        body = "<br/>".join(_font_markup(visual(line), base) for line in lines)
        if len(lines) == 1:
            # One line in a left-to-right document (a name in a table) stays where the column starts.
            return Paragraph(body, style)
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle

        style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
        return Paragraph(body, style)
    return Paragraph(prefix + markup(cleaned, base), style)


def draw(canvas: Canvas, x: float, y: float, text: object, size: float, font: str = fonts.BODY,
         align: str = "left", rtl: bool | None = None) -> float:
    """Draw one line of typed text with per-script fonts (align: left, center or right of x);
    returns where the last run began. rtl: base direction, as for visual()."""
    line = visual(prepare(text).replace("\n", " "), rtl)
    parts = fonts.runs(line, font)
    if align != "left":
        width = fonts.string_width(line, size, font)
        x -= width / 2 if align == "center" else width
    for index, (run_font, part) in enumerate(parts):
        canvas.setFont(run_font, size)
        canvas.drawString(x, y, part)
        if index + 1 < len(parts):
            x += canvas.stringWidth(part, run_font, size)
    return x


def fit_size(text: object, max_width: float, size: float, minimum: float = 5.0,
             font: str = fonts.BODY) -> float:
    """The largest size from size down to minimum at which the one-line text fits max_width."""
    line = visual(prepare(text).replace("\n", " "))
    width = fonts.string_width(line, size, font)
    if width <= max_width or width == 0:
        return size
    return max(minimum, size * max_width / width * 0.999)


def fit_lines(text: object, max_width: float, max_lines: int, size: float, minimum: float,
              font: str = fonts.BODY) -> tuple[list[str], float]:
    """Lines and a size at which text fits in max_lines lines of max_width, never cut:
    shrink first on one line, then wrap at spaces into up to max_lines, shrinking further."""
    cleaned = " ".join(prepare(text).split())
    current = size
    while True:
        one = fonts.string_width(visual(cleaned), current, font)
        if one <= max_width:
            return [cleaned], current
        # One line reads best: wrap only once one line would need a much smaller size.
        if max_lines > 1 and " " in cleaned and current <= size * 0.8:
            words_fit = all(fonts.string_width(visual(word), current, font) <= max_width
                            for word in cleaned.split(" "))
            if words_fit:
                lines = _wrap_logical(cleaned, max_width, current, font)
                if len(lines) <= max_lines:
                    return lines, current
        if current <= minimum:
            # At the smallest size: wrap anyway (characters cut between lines, never off the edge).
            lines = _wrap_logical(cleaned, max_width, current, font)
            return lines, current
        current = max(minimum, current - 0.5)


_TAG = re.compile(r"<[^>]+>")


def plain(markup_text: str) -> str:
    """Markup without tags (for tests and widths)."""
    return _TAG.sub("", markup_text)
