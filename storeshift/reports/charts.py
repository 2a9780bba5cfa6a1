"""Charts for reports, drawn with reportlab.graphics: column charts (one or two series, e.g.
hours per day, booked vs attended) and bar charts with labels (per category, per department).
Labels shrink to fit or are shortened with an ellipsis; the full text is in the tables."""

from __future__ import annotations

from typing import Callable, Sequence

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from ..i18n import _, format_number
from . import fonts, layout, text

LABEL_SIZE = 7.5


def _label(value: object, max_width: float, size: float = LABEL_SIZE, minimum: float = 6.0) -> tuple[str, str, float]:
    """(visual text, font, size) for a one-line label that fits max_width."""
    line = text.visual(text.prepare(value).replace("\n", " "))
    font = fonts.single_font(line)
    fitted = text.fit_size(line, max_width, size, minimum, font)
    if fonts.string_width(line, fitted, font) > max_width:
        while len(line) > 1 and fonts.string_width(line + "…", fitted, font) > max_width:
            line = line[:-1]
        line = line.rstrip() + "…"
    return line, font, fitted


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return float(top)
    return float(value)


def _title(drawing: Drawing, title: str, width: float, height: float) -> None:
    line, font, size = _label(title, width, 9, 6)
    drawing.add(String(0, height - 10, line, fontName=fonts.BOLD if font == fonts.BODY else font,
                       fontSize=size, fillColor=layout.INK))


def column_chart(title: str, labels: Sequence[str], series: Sequence[Sequence[float]], width: float,
                 height: float, names: Sequence[str] = (), series_colours: Sequence = (),
                 fmt: Callable[[float], str] = format_number, empty_note: str | None = None) -> Drawing:
    """Vertical columns per label; with two or more series, grouped side by side with a legend."""
    fonts.register()
    if empty_note is None:
        empty_note = _("nothing this week")
    drawing = Drawing(width, height)
    _title(drawing, title, width, height)
    series_colours = list(series_colours) or layout.SERIES
    legend_height = 12 if len(series) > 1 else 0
    left, bottom, top = 26, 16, height - 16 - legend_height
    plot_w, plot_h = width - left - 4, top - bottom
    biggest = _nice_max(max((v for s in series for v in s), default=0))
    # Light grid lines with their values, so bars read without counting.
    for i in range(5):
        y = bottom + plot_h * i / 4
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=layout.RULE, strokeWidth=0.4))
        drawing.add(String(left - 3, y - 2.5, fmt(biggest * i / 4), fontName=fonts.BODY, fontSize=6.5,
                           fillColor=layout.MUTED, textAnchor="end"))
    count = max(1, len(labels))
    slot = plot_w / count
    group = slot * 0.7
    bar_w = group / max(1, len(series))
    for index, label in enumerate(labels):
        x0 = left + slot * index + (slot - group) / 2
        for s_index, values in enumerate(series):
            value = values[index] if index < len(values) else 0
            bar_h = plot_h * (value / biggest) if biggest else 0
            x = x0 + s_index * bar_w
            drawing.add(Rect(x, bottom, bar_w * 0.92, bar_h, fillColor=series_colours[s_index % len(series_colours)],
                             strokeColor=None))
            if value:
                drawing.add(String(x + bar_w * 0.46, bottom + bar_h + 1.5, fmt(value), fontName=fonts.BODY,
                                   fontSize=6, fillColor=layout.INK, textAnchor="middle"))
        line, font, size = _label(label, slot - 2)
        drawing.add(String(left + slot * index + slot / 2, bottom - 9, line, fontName=font, fontSize=size,
                           fillColor=layout.INK, textAnchor="middle"))
    if not any(v for s in series for v in s):
        drawing.add(String(left + plot_w / 2, bottom + plot_h / 2, empty_note, fontName=fonts.BODY, fontSize=8,
                           fillColor=layout.MUTED, textAnchor="middle"))
    if len(series) > 1:
        x = left
        for s_index, name in enumerate(names):
            colour = series_colours[s_index % len(series_colours)]
            drawing.add(Rect(x, height - 24, 7, 7, fillColor=colour, strokeColor=None))
            line, font, size = _label(name, width / len(names) - 14)
            drawing.add(String(x + 10, height - 23, line, fontName=font, fontSize=size, fillColor=layout.INK))
            x += fonts.string_width(line, size, font) + 24
    return drawing


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], width: float,
              colours: Sequence = (), fmt: Callable[[float], str] = format_number,
              bar_height: float = 11, label_share: float = 0.34) -> Drawing:
    """Horizontal bars with the label on the left and the value at the end of the bar."""
    fonts.register()
    rows = max(1, len(labels))
    height = 18 + rows * (bar_height + 4) + 4
    drawing = Drawing(width, height)
    _title(drawing, title, width, height)
    label_w = width * label_share
    plot_w = width - label_w - 34
    biggest = max(values, default=0) or 1
    colours = list(colours) or [layout.ACCENT]
    for index, (label, value) in enumerate(zip(labels, values)):
        y = height - 18 - (index + 1) * (bar_height + 4)
        line, font, size = _label(label, label_w - 6)
        drawing.add(String(label_w - 6, y + bar_height / 2 - 2.6, line, fontName=font, fontSize=size,
                           fillColor=layout.INK, textAnchor="end"))
        bar_w = plot_w * value / biggest
        drawing.add(Rect(label_w, y, max(bar_w, 0.5), bar_height, fillColor=colours[index % len(colours)],
                         strokeColor=None))
        drawing.add(String(label_w + bar_w + 3, y + bar_height / 2 - 2.6, fmt(value), fontName=fonts.BODY,
                           fontSize=7, fillColor=layout.INK))
    if not labels:
        drawing.add(String(label_w, height - 30, _("nothing to show"), fontName=fonts.BODY, fontSize=7.5,
                           fillColor=layout.MUTED))
    return drawing


def hours(value: float) -> str:
    """Chart value label for hours: '12.5' (German '12,5')."""
    return format_number(value, 1, trim=True)


__all__ = ["column_chart", "bar_chart", "hours", "colors"]
