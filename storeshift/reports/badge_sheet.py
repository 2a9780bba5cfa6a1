"""Badge PDFs: a sheet of 8 badges (3.5 × 2.25 in, the common name-badge insert, 2 × 4 on
A4 or Letter) or one CR80 card per page; each with the name (shrunk or wrapped, never cut),
department, site, a QR code of the signed payload, and cut marks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas

from ..errors import NotFound, UserError
from ..i18n import _, format_number
from ..services import badges, settings
from ..storage.db import Storage
from . import fonts, text
from . import layout as page_layout

LAYOUTS = ("sheet", "card")
SHEET_BADGE = (3.5 * inch, 2.25 * inch)
SHEET_GRID = (2, 4)
CR80 = (85.6 * mm, 53.98 * mm)
QUIET_ZONE = 4           # modules of white around the code, as the QR standard asks
MIN_MODULE = 0.5 * mm


@dataclass
class Selection:
    """Who will be printed, and who was asked for but cannot be (with why)."""
    badges: list[tuple[dict, str]]
    skipped: list[str]


def select(storage: Storage, person_ids: list[str] | None = None, department: str | None = None) -> Selection:
    """Active people with a current badge, optionally only those ids or that department."""
    printable = badges.badge_payloads(storage)
    skipped: list[str] = []
    if person_ids is not None:
        wanted = list(dict.fromkeys(p.strip() for p in person_ids if p.strip()))
        by_id = {person["id"]: (person, payload) for person, payload in printable}
        chosen = []
        for person_id in wanted:
            if person_id in by_id:
                chosen.append(by_id[person_id])
                continue
            person = storage.one("SELECT name, active FROM people WHERE id = ? OR employee_id = ?",
                                 (person_id, person_id))
            if person is None:
                raise NotFound(_("There is no person with id '{id}'.").format(id=person_id))
            row = storage.one("SELECT p.id FROM people p WHERE p.employee_id = ?", (person_id,))
            if row and row["id"] in by_id:
                chosen.append(by_id[row["id"]])
                continue
            why = (_("{name} is not active") if not person["active"]
                   else _("{name} has no valid badge (issue one first)"))
            skipped.append(why.format(name=person["name"]))
        printable = chosen
    if department:
        wanted_department = " ".join(department.split()).casefold()
        printable = [(p, code) for p, code in printable if (p["department"] or "").casefold() == wanted_department]
    return Selection(printable, skipped)


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR code's modules, quiet zone included; error correction M (15 % may be damaged)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=1)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> float:
    """Draw the code as vector squares in a size × size box at (x, y); returns the module size."""
    matrix = qr_matrix(payload)
    count = len(matrix)
    module = size / count
    if module < MIN_MODULE:
        raise UserError(_("The badge is too small for a readable QR code."))
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    # One filled path of rectangles, one per run of dark modules, written as PDF operators
    # directly: reportlab's path API formats each number slowly, and a sheet of 1,000 badges
    # has some 200,000 of these rectangles.
    ops = ["q 0 g"]
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < count and row[column]:
                column += 1
            # A hair of overlap so no white seam shows between modules when rasterised.
            ops.append(f"{x + start * module:.3f} {top - 0.01:.3f} {(column - start) * module + 0.01:.3f} "
                       f"{module + 0.02:.3f} re")
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))
    return module


def _cut_marks(canvas: Canvas, xs: list[float], ys: list[float], length: float = 4 * mm, gap: float = 1.5 * mm) -> None:
    """Short lines outside the grid where each cut goes; nothing is drawn over a badge."""
    canvas.saveState()
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(0.3)
    left, right, bottom, top = min(xs), max(xs), min(ys), max(ys)
    for x in xs:
        canvas.line(x, top + gap, x, top + gap + length)
        canvas.line(x, bottom - gap, x, bottom - gap - length)
    for y in ys:
        canvas.line(left - gap, y, left - gap - length, y)
        canvas.line(right + gap, y, right + gap + length, y)
    canvas.restoreState()


def draw_badge(canvas: Canvas, person: dict, payload: str, x: float, y: float, width: float, height: float,
               place: str, organisation: str) -> None:
    """One badge in the box (x, y, width, height)."""
    pad = 4 * mm
    qr_size = min(height - 2 * pad, width * 0.46)
    qr_x = x + width - pad - qr_size
    qr_y = y + (height - qr_size) / 2
    draw_qr(canvas, payload, qr_x, qr_y, qr_size)
    text_left = x + pad
    text_width = qr_x - text_left - 2 * mm
    # A band of colour along the top says "badge" at a glance and survives greyscale printing.
    canvas.setFillColor(page_layout.ACCENT)
    canvas.rect(x, y + height - 2.2 * mm, width, 2.2 * mm, stroke=0, fill=1)
    top = y + height - pad - 3 * mm
    name_lines, name_size = text.fit_lines(person["name"], text_width, 3, 16, 6.5, fonts.BOLD)
    canvas.setFillColor(page_layout.INK)
    for line in name_lines:
        top -= name_size * 1.05
        text.draw(canvas, text_left, top, line, name_size, fonts.BOLD)
        top -= name_size * 0.18
    details = [(person.get("department") or "", 9, page_layout.INK)]
    details.append((place, 8, page_layout.MUTED))
    if organisation and organisation != place:
        details.append((organisation, 7, page_layout.MUTED))
    top -= 2 * mm
    for value, size, colour in details:
        if not value:
            continue
        lines, fitted = text.fit_lines(value, text_width, 2, size, 5)
        canvas.setFillColor(colour)
        for line in lines:
            top -= fitted * 1.15
            if top < y + pad:
                break
            text.draw(canvas, text_left, top, line, fitted)
    canvas.setFillColor(page_layout.MUTED)
    serial = _("badge {serial}").format(serial=person["serial"])
    serial = f"{person.get('employee_id') or ''}  {serial}".strip()
    text.draw(canvas, text_left, y + pad - 1 * mm, serial, 5.5)


def build_badge_sheet(storage: Storage, out: str | Path, person_ids: list[str] | None = None,
                      layout: str = "sheet", paper: str = "a4",
                      progress: Callable[[int, int], None] | None = None,
                      department: str | None = None) -> Path:
    """Write badges of active people with a current badge (all, the given ids, or one
    department) to out: 8 per page for layout='sheet', one CR80 card per page for 'card'."""
    if layout not in LAYOUTS:
        raise UserError(_("'{layout}' is not a badge layout; choose sheet or card.").format(layout=layout))
    page = page_layout.page_size(paper) if layout == "sheet" else CR80
    selection = select(storage, person_ids, department)
    if not selection.badges:
        if department:
            raise UserError(_("No active person with a valid badge in department '{department}' to print.")
                            .format(department=department))
        raise UserError(_("No active person with a valid badge to print."))
    fonts.register()
    out = Path(out)
    place = settings.get(storage, "site_name") or ""
    organisation = storage.value("SELECT name FROM organisation LIMIT 1") or ""
    try:
        canvas = Canvas(str(out), pagesize=page, pageCompression=1)
    except OSError as exc:
        raise UserError(_("Cannot write {file}: {reason}.").format(file=out, reason=exc.strerror or exc)) from None
    canvas.setTitle(_("Badges — {place}").format(place=place))
    canvas.setAuthor("storeshift")
    total = len(selection.badges)
    if layout == "card":
        for index, (person, payload) in enumerate(selection.badges, start=1):
            draw_badge(canvas, person, payload, 0, 0, CR80[0], CR80[1], place, organisation)
            canvas.showPage()
            if progress:
                progress(index, total)
    else:
        columns, rows = SHEET_GRID
        bw, bh = SHEET_BADGE
        left = (page[0] - columns * bw) / 2
        bottom = (page[1] - rows * bh) / 2
        per_page = columns * rows
        for start in range(0, total, per_page):
            chunk = selection.badges[start:start + per_page]
            for offset, (person, payload) in enumerate(chunk):
                column, row = offset % columns, offset // columns
                x, y = left + column * bw, bottom + (rows - 1 - row) * bh
                draw_badge(canvas, person, payload, x, y, bw, bh, place, organisation)
            # Faint outlines help whoever cuts with scissors; the marks guide a guillotine.
            canvas.saveState()
            canvas.setStrokeColor(page_layout.RULE)
            canvas.setLineWidth(0.25)
            canvas.setDash(1, 2)
            for offset in range(len(chunk)):
                column, row = offset % columns, offset // columns
                canvas.rect(left + column * bw, bottom + (rows - 1 - row) * bh, bw, bh, stroke=1, fill=0)
            canvas.restoreState()
            _cut_marks(canvas, [left + c * bw for c in range(columns + 1)],
                       [bottom + r * bh for r in range(rows + 1)])
            canvas.setFillColor(page_layout.MUTED)
            footer = _("{place} · badges {first}–{last} of {total} · cut along the marks; 3.5 × 2.25 in inserts")
            text.draw(canvas, page[0] / 2, bottom / 2,
                      footer.format(place=place, first=format_number(start + 1),
                                    last=format_number(start + len(chunk)), total=format_number(total)),
                      7, align="center")
            canvas.showPage()
            if progress:
                progress(start + len(chunk), total)
    try:
        canvas.save()
    except OSError as exc:
        raise UserError(_("Cannot write {file}: {reason}.").format(file=out, reason=exc.strerror or exc)) from None
    return out

