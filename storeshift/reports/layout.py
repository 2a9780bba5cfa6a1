"""The page of every storeshift PDF report: paper sizes, paragraph styles, and a document
template with a header (title, site, week) and a footer ("page N of M", generation time)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

from ..errors import UserError
from ..i18n import _, format_number
from . import fonts, text

PAPERS = {"a4": A4, "letter": LETTER}

# A calm palette that survives a black-and-white printer: shades differ in lightness too.
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")
RULE = colors.HexColor("#c9d1da")
ACCENT = colors.HexColor("#1d6f8c")
ACCENT_LIGHT = colors.HexColor("#e4f1f6")
GOOD = colors.HexColor("#2e7d4f")
BAD = colors.HexColor("#b3412e")
SERIES = [colors.HexColor(c) for c in ("#1d6f8c", "#e0a030", "#7b5ea7", "#3f9a6b", "#c8553d",
                                        "#5b8fd1", "#8c8c3a", "#b0607c", "#4aa3a3", "#7a7a7a")]
CATEGORY_COLOURS = {"customer_voice": SERIES[0], "process_problem": SERIES[4], "product_issue": SERIES[1],
                    "idea": SERIES[2], "praise": SERIES[3]}

MARGIN = 16 * mm
HEADER_SPACE = 13 * mm
FOOTER_SPACE = 12 * mm


def page_size(paper: str) -> tuple[float, float]:
    try:
        return PAPERS[str(paper).lower()]
    except KeyError:
        raise UserError(_("'{paper}' is not a paper size; choose a4 or letter.").format(paper=paper)) from None


@dataclass
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    meta: ParagraphStyle
    quote: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_head: ParagraphStyle
    figure: ParagraphStyle
    figure_label: ParagraphStyle
    figure_change: ParagraphStyle
    note: ParagraphStyle


def styles() -> Styles:
    fonts.register()
    body = ParagraphStyle("body", fontName=fonts.BODY, fontSize=9.5, leading=13, textColor=INK,
                          alignment=TA_LEFT, splitLongWords=1, wordWrap=None)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10.5),
        muted=ParagraphStyle("muted", parent=body, fontSize=8.5, leading=11, textColor=MUTED),
        title=ParagraphStyle("title", parent=body, fontName=fonts.BOLD, fontSize=22, leading=27,
                             textColor=INK, spaceAfter=2),
        subtitle=ParagraphStyle("subtitle", parent=body, fontSize=11.5, leading=15, textColor=MUTED,
                                spaceAfter=10),
        h1=ParagraphStyle("h1", parent=body, fontName=fonts.BOLD, fontSize=15, leading=19, textColor=ACCENT,
                          spaceBefore=6, spaceAfter=6, keepWithNext=1),
        h2=ParagraphStyle("h2", parent=body, fontName=fonts.BOLD, fontSize=11.5, leading=15, textColor=INK,
                          spaceBefore=8, spaceAfter=3, keepWithNext=1),
        h3=ParagraphStyle("h3", parent=body, fontName=fonts.BOLD, fontSize=10, leading=13, textColor=INK,
                          spaceBefore=5, spaceAfter=1, keepWithNext=1),
        meta=ParagraphStyle("meta", parent=body, fontSize=8, leading=10.5, textColor=MUTED, keepWithNext=1,
                            spaceBefore=5),
        quote=ParagraphStyle("quote", parent=body, fontSize=9, leading=12, textColor=INK, leftIndent=10,
                             borderPadding=(2, 0, 2, 6), spaceBefore=1),
        cell=ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        cell_right=ParagraphStyle("cell_right", parent=body, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
        cell_head=ParagraphStyle("cell_head", parent=body, fontName=fonts.BOLD, fontSize=8.5, leading=10.5,
                                 textColor=colors.white),
        figure=ParagraphStyle("figure", parent=body, fontName=fonts.BOLD, fontSize=22, leading=26,
                              alignment=TA_CENTER, textColor=INK),
        figure_label=ParagraphStyle("figure_label", parent=body, fontSize=8.5, leading=10.5, alignment=TA_CENTER,
                                    textColor=MUTED),
        figure_change=ParagraphStyle("figure_change", parent=body, fontSize=8, leading=10, alignment=TA_CENTER,
                                     textColor=MUTED),
        note=ParagraphStyle("note", parent=body, fontSize=9, leading=12, textColor=MUTED, spaceBefore=2,
                            spaceAfter=4),
    )


class NumberedCanvas(Canvas):
    """A canvas that holds pages back until the end, so each footer can say 'page N of M'."""

    def __init__(self, *args, decorate: Callable[[Canvas, int, int], None] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []
        self._decorate = decorate
        # (page, top, title, level) of each section heading, for the PDF outline. The pages are
        # written out only at the end, so that is when their bookmarks can point at them.
        self._outline: list[tuple[int, float, str, int]] = []

    def outline_here(self, title: str, level: int, top: float) -> None:
        self._outline.append((self._pageNumber, top, title, level))

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        if self._outline:
            self.showOutline()
        for number, state in enumerate(self._saved_pages, start=1):
            self.__dict__.update(state)
            if self._decorate is not None:
                self._decorate(self, number, total)
            for index, (page, top, title, level) in enumerate(self._outline):
                if page == number:
                    key = f"section{index}"
                    self.bookmarkPage(key, fit="XYZ", top=top, left=0)
                    self.addOutlineEntry(title, key, level=level, closed=level > 0)
            super().showPage()
        super().save()


@dataclass
class PageInfo:
    """What the header and footer say."""
    title: str
    site: str
    period: str
    generated: str
    organisation: str = ""
    author: str = "storeshift"      # the PDF's author: the site (or the chain) it is about
    language: str = "en"            # the PDF's document language (BCP 47)


class Heading(Paragraph):
    """A heading that is also an entry of the PDF outline (the reader's bookmarks pane)."""

    def __init__(self, text: str, style: ParagraphStyle, level: int = 0, outline: str | None = None):
        super().__init__(text, style)
        self.level = level
        self.outline = outline

    def draw(self):
        if self.outline and hasattr(self.canv, "outline_here"):
            self.canv.outline_here(self.outline, self.level, self.canv.absolutePosition(0, self.height)[1] + 4)
        super().draw()


def decorator(info: PageInfo, page_width: float, page_height: float) -> Callable[[Canvas, int, int], None]:
    """Draw header and footer on a finished page; long site names shrink to fit, never overlap."""
    def decorate(canvas: Canvas, number: int, total: int) -> None:
        canvas.saveState()
        left, right = MARGIN, page_width - MARGIN
        top = page_height - MARGIN + 4 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(left, top - 3 * mm, right, top - 3 * mm)
        canvas.setFillColor(ACCENT)
        text.draw(canvas, left, top, info.title, 8.5, fonts.BOLD)
        title_width = fonts.string_width(text.visual(text.prepare(info.title)), 8.5, fonts.BOLD)
        canvas.setFillColor(MUTED)
        period_size = 8.5
        period_width = fonts.string_width(text.visual(text.prepare(info.period)), period_size)
        text.draw(canvas, right, top, info.period, period_size, align="right")
        room = right - left - title_width - period_width - 12 * mm
        site = text.prepare(info.site).replace("\n", " ")
        site_size = text.fit_size(site, room, 8.5, 5)
        # Even at the smallest size a very long name must not run into the week: shorten it
        # here (the cover prints it whole).
        while len(site) > 1 and fonts.string_width(text.visual(site), site_size) > room:
            site = site[:-2].rstrip() + "…"
        canvas.setFillColor(INK)
        text.draw(canvas, left + title_width + 6 * mm, top, site, site_size)
        bottom = MARGIN - 8 * mm
        canvas.line(left, bottom + 4 * mm, right, bottom + 4 * mm)
        canvas.setFillColor(MUTED)
        text.draw(canvas, left, bottom, _("Generated {when}").format(when=info.generated), 7.5)
        text.draw(canvas, right, bottom, _("page {number} of {total}").format(
            number=format_number(number), total=format_number(total)), 7.5, align="right")
        if info.organisation:
            org_size = text.fit_size(info.organisation, (right - left) / 3, 7.5, 3.5)
            text.draw(canvas, (left + right) / 2, bottom, info.organisation, org_size, align="center")
        canvas.restoreState()
    return decorate


def document(out: Path, paper: str, info: PageInfo) -> tuple[BaseDocTemplate, Callable]:
    """A document template for out and the canvasmaker to build it with:
    doc.build(story, canvasmaker=maker)."""
    size = page_size(paper)
    doc = BaseDocTemplate(str(out), pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN,
                          topMargin=MARGIN + HEADER_SPACE - 6 * mm, bottomMargin=MARGIN + FOOTER_SPACE - 8 * mm,
                          title=f"{info.title} — {info.site} — {info.period}", author=info.author,
                          creator="storeshift", subject=info.title, lang=info.language)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    decorate = decorator(info, size[0], size[1])

    def maker(*args, **kwargs):
        return NumberedCanvas(*args, decorate=decorate, **kwargs)
    return doc, maker
