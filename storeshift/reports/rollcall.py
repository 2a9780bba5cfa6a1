"""The roll call: who is on site now, on one page with a box to tick for each person, for a fire
evacuation (the shift-lead window prints it in one click; `storeshift floor` is its text form)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm

from ..errors import UserError
from ..services import settings, visits
from ..storage.db import Storage
from ..timeutil import local, utc_now
from . import fonts, layout, text

#: (key, heading, share of a group's width); groups beside each other keep fewer columns.
COLUMNS = {1: [("name", "Name", 0.33), ("department", "Department", 0.22), ("since", "Since", 0.13),
               ("task", "Task", 0.32)],
           2: [("name", "Name", 0.50), ("department", "Department", 0.32), ("since", "Since", 0.18)],
           3: [("name", "Name", 0.70), ("since", "Since", 0.30)],
           4: [("name", "Name", 0.70), ("since", "Since", 0.30)]}
#: (groups side by side, type size, line height as a multiple of it), most readable first: the
#: type shrinks a little before the list splits into another group.
LAYOUTS = [(1, 10.0, 1.55), (1, 9.0, 1.55), (1, 8.0, 1.5), (2, 8.0, 1.5), (2, 7.0, 1.5), (2, 6.5, 1.45),
           (3, 6.5, 1.45), (3, 6.0, 1.4), (4, 6.0, 1.4), (4, 5.0, 1.35), (4, 4.5, 1.3)]
BOX = 3.2 * mm


@dataclass
class Fit:
    groups: int
    size: float
    leading: float
    per_group: int


def since_text(since_iso: str, now: dt.datetime, tz: str) -> str:
    """'09:12' today, 'Tue 24 Nov 23:10' for a visit begun on an earlier day (a night shift)."""
    moment = local(since_iso, tz)
    if moment.date() == local(now, tz).date():
        return f"{moment:%H:%M}"
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"


def fit(rows: int, height: float) -> Fit:
    """The most readable layout in which every row fits the page's height (the last one, if none)."""
    for groups, size, leading in LAYOUTS:
        per_group = int(height // (size * leading))
        if per_group * groups >= rows:
            # Spread evenly: three groups of 40, not 60, 60 and none.
            return Fit(groups, size, leading, -(-rows // groups))
    return Fit(groups, size, leading, per_group)


def build_roll_call(storage: Storage, out: str | Path, paper: str = "a4", now: dt.datetime | None = None) -> Path:
    """Write the one-page roll call PDF of this site to out; returns its path."""
    now = now or utc_now()
    out = Path(out)
    size = layout.page_size(paper)
    tz = settings.site_timezone(storage)
    site = settings.get(storage, "site_name")
    people = visits.roll_call(storage, now)
    at = local(now, tz)
    info = layout.PageInfo(title="Roll call", site=site, period=f"{at:%a} {at.day} {at:%b %Y %H:%M}",
                           generated=f"{at:%d %b %Y %H:%M} ({tz})",
                           organisation=storage.value("SELECT name FROM organisation LIMIT 1") or "")
    fonts.register()
    try:
        canvas = layout.NumberedCanvas(str(out), pagesize=size, decorate=layout.decorator(info, *size))
        canvas.setTitle(f"Roll call — {site} — {at:%Y-%m-%d %H:%M}")
        canvas.setAuthor("storeshift")
        _draw(canvas, people, size, site, at, tz, now)
        canvas.showPage()
        canvas.save()
    except PermissionError:
        raise UserError(f"Cannot write {out}: permission denied. Choose another folder.") from None
    except FileNotFoundError:
        raise UserError(f"Cannot write {out}: the folder does not exist.") from None
    except OSError as exc:
        raise UserError(f"Cannot write {out}: {exc.strerror or exc}.") from None
    return out


def _draw(canvas, people: list[dict], size: tuple[float, float], site: str, at: dt.datetime, tz: str,
          now: dt.datetime) -> None:
    width, height = size
    left, right = layout.MARGIN, width - layout.MARGIN
    y = height - layout.MARGIN - layout.HEADER_SPACE
    canvas.setFillColor(layout.INK)
    title = f"Roll call — {site}"
    text.draw(canvas, left, y - 14, title, text.fit_size(title, right - left, 20, 9, fonts.BOLD), fonts.BOLD)
    y -= 24
    count = len(people)
    text.draw(canvas, left, y - 14, f"{count:,} {'person' if count == 1 else 'people'} on site at {at:%H:%M}", 14,
              fonts.BOLD)
    y -= 20
    canvas.setFillColor(layout.MUTED)
    line = f"{at:%A} {at.day} {at:%B %Y} ({tz}) · Tick each person at the assembly point."
    text.draw(canvas, left, y - 10, line, text.fit_size(line, right - left, 10, 6))
    y -= 22
    bottom = layout.MARGIN + 6 * mm
    if not people:
        canvas.setFillColor(layout.INK)
        text.draw(canvas, left, y - 16, "Nobody is checked in on site.", 14, fonts.BOLD)
        return
    layout_fit = fit(count, y - bottom - 14)
    gap = 6 * mm
    group_width = (right - left - gap * (layout_fit.groups - 1)) / layout_fit.groups
    columns = COLUMNS[layout_fit.groups]
    row_height = layout_fit.size * layout_fit.leading
    for group in range(layout_fit.groups):
        chunk = people[group * layout_fit.per_group:(group + 1) * layout_fit.per_group]
        if not chunk:
            break
        x0 = left + group * (group_width + gap)
        _group(canvas, chunk, x0, y, group_width, columns, layout_fit.size, row_height, tz, now)
    shown = layout_fit.groups * layout_fit.per_group
    if shown < count:
        # More people than a page holds even in small type: say so, never drop them silently.
        canvas.setFillColor(layout.BAD)
        text.draw(canvas, left, bottom - 2, f"… and {count - shown:,} more not shown: run 'storeshift floor' "
                  "for the whole list.", 8, fonts.BOLD)


def _group(canvas, rows: list[dict], x0: float, top: float, group_width: float, columns, size: float,
           row_height: float, tz: str, now: dt.datetime) -> None:
    box_space = BOX + 2 * mm
    usable = group_width - box_space
    canvas.setFillColor(layout.ACCENT)
    canvas.rect(x0, top - row_height - 1, group_width, row_height + 1, stroke=0, fill=1)
    canvas.setFillColor(layout.ACCENT_LIGHT)
    x = x0 + box_space
    for _key, heading, share in columns:
        canvas.setFillColorRGB(1, 1, 1)
        text.draw(canvas, x + 1, top - row_height + size * 0.35, heading, size, fonts.BOLD)
        x += usable * share
    y = top - row_height - 1
    box = min(BOX, row_height * 0.7)
    for index, row in enumerate(rows):
        y -= row_height
        if index % 2:
            canvas.setFillColorRGB(0.96, 0.97, 0.98)
            canvas.rect(x0, y, group_width, row_height, stroke=0, fill=1)
        canvas.setStrokeColor(layout.INK)
        canvas.setLineWidth(0.6)
        canvas.rect(x0 + 1, y + (row_height - box) / 2, box, box, stroke=1, fill=0)
        x = x0 + box_space
        values = {"name": row["name"], "department": row["department"] or "",
                  "since": since_text(row["since"], now, tz), "task": row["task"] or "—"}
        for key, _heading, share in columns:
            canvas.setFillColor(layout.INK if key == "name" else layout.MUTED)
            cell = _clip(values[key], usable * share - 3, size, fonts.BOLD if key == "name" else fonts.BODY)
            text.draw(canvas, x + 1, y + size * 0.4, cell, size, fonts.BOLD if key == "name" else fonts.BODY)
            x += usable * share


def _clip(value: str, room: float, size: float, font: str) -> str:
    """value shortened with '…' until it fits room points."""
    cleaned = " ".join(text.prepare(value).split())
    if fonts.string_width(text.visual(cleaned), size, font) <= room:
        return cleaned
    while len(cleaned) > 1 and fonts.string_width(text.visual(cleaned + "…"), size, font) > room:
        cleaned = cleaned[:-1]
    return cleaned.rstrip() + "…"


__all__ = ["build_roll_call", "since_text", "fit"]
