"""Tables for reports: header row repeated on every page, long tables split quickly
(LongTable), typed text in cells as wrapping Paragraphs, never wider than the frame."""

from __future__ import annotations

from typing import Sequence

from reportlab.lib import colors
from reportlab.platypus import LongTable, Paragraph, TableStyle

from . import fonts, layout, text

# A table cell cannot break across pages: long notes are shortened there (the full text is
# printed in the observations section, where paragraphs flow from page to page).
CELL_LIMIT = 280


def short(value: object, limit: int = CELL_LIMIT) -> str:
    cleaned = " ".join(text.prepare(value).split())
    if len(cleaned) <= limit:
        return cleaned
    return cleaned[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + " …"


def _heading(title: str, style, width: float) -> Paragraph:
    """A column heading that wraps between words but never inside one: a heading whose longest
    word is wider than the column (German 'Beobachtungen' in a narrow one) is set smaller."""
    words = text.prepare(title).split() or [""]
    longest = max(words, key=lambda word: fonts.string_width(word, style.fontSize, style.fontName))
    size = text.fit_size(longest, width - 8, style.fontSize, 6, style.fontName)
    if size < style.fontSize:
        style = layout.ParagraphStyle(f"{style.name}-{size:.2f}", parent=style, fontSize=size,
                                      leading=size * style.leading / style.fontSize)
    return Paragraph(text.markup(title), style)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float],
          styles: layout.Styles, numeric: Sequence[int] = (), highlight: Sequence[int] = ()) -> LongTable:
    """headers and rows of plain values (typed text is escaped here); widths in points, summing
    to at most the frame width; numeric: column indexes set right-aligned; highlight: row
    indexes (0 = first data row) drawn in the accent tint."""
    head_right = layout.ParagraphStyle("cell_head_right", parent=styles.cell_head, alignment=2)
    head = [_heading(h, head_right if i in numeric else styles.cell_head, widths[i])
            for i, h in enumerate(headers)]
    body = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if isinstance(value, Paragraph):
                cells.append(value)
                continue
            if index in numeric and isinstance(value, (int, float, str)) and len(str(value)) < 12:
                # Plain strings draw far faster than Paragraphs: what a 2,000-row table needs.
                cells.append(str(value))
                continue
            shown = short(value)
            if shown.isascii() and fonts.string_width(shown, styles.cell.fontSize) <= widths[index] - 9:
                # Fits on one line in the body font: a plain string, far cheaper than a Paragraph.
                cells.append(shown)
                continue
            style = styles.cell_right if index in numeric else styles.cell
            cells.append(text.para(shown, style, widths[index] - 8))
        body.append(cells)
    result = LongTable([head, *body], colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), layout.ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 1), (-1, -1), styles.cell.fontName),
        ("FONTSIZE", (0, 1), (-1, -1), styles.cell.fontSize),
        ("TEXTCOLOR", (0, 1), (-1, -1), layout.INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, layout.RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    for column in numeric:
        commands.append(("ALIGN", (column, 1), (column, -1), "RIGHT"))
    for index in range(1, len(body) + 1, 2):
        commands.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor("#f5f7f9")))
    for index in highlight:
        commands.append(("BACKGROUND", (0, index + 1), (-1, index + 1), layout.ACCENT_LIGHT))
    result.setStyle(TableStyle(commands))
    return result
