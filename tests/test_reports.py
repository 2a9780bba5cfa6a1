"""The weekly report PDF: content read back with pypdf, figures equal to the database's own
sums, names in every script, empty weeks, A4/Letter, and nothing running off the page."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pypdf
import pytest
from PIL import Image
from reportlab.pdfbase import pdfmetrics

from storeshift.errors import UserError
from storeshift.reports import data, fonts, text, themes
from storeshift.reports.weekly import build_weekly_report
from storeshift.services import observations, roster, settings, tasks, visits
from storeshift.storage import audit, open_storage
from storeshift.timeutil import UTC

YEAR, WEEK = 2026, 40          # Monday 28 September to Sunday 4 October 2026 (London: UTC+1)
MONDAY = dt.datetime(2026, 9, 28, 8, 0, tzinfo=UTC)
REPORT_TIME = dt.datetime(2026, 10, 6, 9, 0, tzinfo=UTC)
SITE = "Harbourside Ünïcode Store"
NAMES = {
    "latin": "Zoë Ångström-Brontë",
    "greek": "Αλέξανδρος Παπαδόπουλος",
    "cyrillic": "Дмитрий Иванов",
    "cjk": "李小龙",
    "arabic": "محمد الأحمد",
    "hebrew": "דנה לוי",
    "emoji": "Sam 🛒🎉 Lee",
}


def observe(storage, visit, category, body, impact="medium", quote=None, at=None):
    obs = observations.add_observation(storage, category=category, text=body, impact=impact, quote=quote,
                                       visit_id=visit["id"])
    when = at or visit["check_out_at"] or visit["check_in_at"]
    return audit.update(storage, "observations", obs["id"], {"created_at": when}, "test")


def visit(storage, person_id, start, minutes, task_id=None):
    opened = visits.check_in_manually(storage, person_id, now=start)
    if task_id:
        tasks.assign(storage, opened["id"], task_id)
    return visits.check_out_manually(storage, opened["id"], now=start + dt.timedelta(minutes=minutes))


@pytest.fixture(scope="module")
def week_db(tmp_path_factory):
    """A site with people in every script, a week of visits and observations in every
    category, and a previous week to compare with."""
    storage = open_storage(tmp_path_factory.mktemp("week") / "week.db")
    settings.put(storage, "site_name", SITE)
    greet = tasks.add_task(storage, title="Greet at the door", area="Shop floor")
    tills = tasks.add_task(storage, title="Self-checkout help", area="Checkout")
    tasks.add_task(storage, title="Bakery counter", area="Fresh food")
    people = {key: roster.add_person(storage, name=name, department=f"Dept {key}") for key, name in NAMES.items()}
    made = []
    for day, key in enumerate(NAMES):
        made.append(visit(storage, people[key]["id"], MONDAY + dt.timedelta(days=day % 6, hours=day),
                          45 + 17 * day, greet["id"] if day % 2 else tills["id"]))
    # Last week: two shorter visits.
    visit(storage, people["latin"]["id"], MONDAY - dt.timedelta(days=6), 60)
    visit(storage, people["greek"]["id"], MONDAY - dt.timedelta(days=5), 30)
    phrase = "Self-checkout rejects bags over 2 kg"
    observe(storage, made[0], "process_problem", f"{phrase} and calls for help.", "high",
            quote="Unexpected item in the bagging area!")
    observe(storage, made[1], "process_problem", f"Watched the {phrase.lower()} again, queue grew.", "high")
    observe(storage, made[2], "customer_voice", f"A customer said the {phrase.lower()} is maddening.")
    observe(storage, made[3], "product_issue", "Oat milk sold out by 11am.", "medium")
    observe(storage, made[4], "idea", "Put a basket stand by the tills.", "low")
    observe(storage, made[5], "praise", "Customers loved the wider aisles.", "low")
    observe(storage, made[6], "idea", "Emoji in a note 👍🏽 should not break the line.", "low")
    yield storage, people, made
    storage.close()


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


def db_sums(storage, year, week):
    """The week's figures straight from SQL, independent of the report code."""
    start, end = ("2026-09-27T23:00:00Z", "2026-10-04T23:00:00Z") if (year, week) == (YEAR, WEEK) else (None, None)
    row = storage.one(
        "SELECT count(*) AS visits, count(DISTINCT person_id) AS people, "
        "sum(CAST(round((julianday(check_out_at) - julianday(check_in_at)) * 1440) AS INTEGER)) AS minutes "
        "FROM visits WHERE check_in_at >= ? AND check_in_at < ?", (start, end))
    row["observations"] = storage.value("SELECT count(*) FROM observations WHERE created_at >= ? AND created_at < ?",
                                        (start, end))
    row["tasks_done"] = storage.value(
        "SELECT count(*) FROM assignments a JOIN visits v ON v.id = a.visit_id WHERE a.status = 'done' "
        "AND v.check_in_at >= ? AND v.check_in_at < ?", (start, end))
    return row


def test_report_shows_site_figures_categories_and_every_script(week_db, tmp_path):
    storage, people, _ = week_db
    out = build_weekly_report(storage, YEAR, WEEK, tmp_path / "week.pdf", now=REPORT_TIME)
    content = pdf_text(out)
    flat = re.sub(r"\s+", " ", content)
    assert SITE in content
    sums = db_sums(storage, YEAR, WEEK)
    assert sums["visits"] == 7 and sums["observations"] == 7
    assert re.search(rf"\b{sums['people']}\s*People who came", content)
    assert re.search(rf"\b{sums['visits']}\s*Visits", content)
    assert re.search(rf"\b{sums['minutes'] / 60:.1f}\s*Hours delivered", content)
    assert f"{sums['minutes']:,} minutes in all" in flat
    assert f"{sums['tasks_done']} tasks done" in flat
    assert re.search(rf"\b{sums['observations']}\s*Observations", content)
    # Against last week's own sums: 2 people, 90 minutes.
    assert "(2)" in content and "(1.5)" in content
    for label in observations.CATEGORIES.values():
        assert label in content
    for key in ("latin", "greek", "cyrillic", "cjk"):
        assert NAMES[key] in content, key
    # Shaped Arabic extracts as presentation forms in visual order: exactly what we drew.
    for key in ("arabic", "hebrew"):
        drawn = text.visual(NAMES[key])
        assert drawn in content or drawn[::-1] in content, key
        assert all(fonts.font_for_char(ch) is None for ch in drawn if not ch.isspace()), "a glyph would be tofu"
    assert text.visual(NAMES["arabic"]) != NAMES["arabic"]     # letters were joined (presentation forms)
    # The emoji became one box, and the rest of the name survived.
    assert "Sam □ Lee" in content
    # The theme: three different people wrote about the self-checkout rejecting bags; nobody
    # triaged the week, so the report grouped them itself and says so.
    assert re.search(r"1\. [^\n]*\bbags\b[^\n]*\n3 people · 3 notes", content), content
    assert "grouped them automatically" in flat
    assert "Unexpected item in the bagging area!" in content
    assert re.search(r"page 1 of \d+", content) and "Week 2026-W40" in content and "Generated 06 Oct 2026" in content


def test_week_data_matches_the_database(week_db):
    storage, _, _ = week_db
    week = data.week_data(storage, YEAR, WEEK, now=REPORT_TIME)
    sums = db_sums(storage, YEAR, WEEK)
    assert (week.figures.people, week.figures.visits, week.figures.minutes, week.figures.observations,
            week.figures.tasks_done) == (sums["people"], sums["visits"], sums["minutes"], sums["observations"],
                                         sums["tasks_done"])
    assert sum(week.minutes_per_day) == sums["minutes"] == sum(m for _, m in week.minutes_per_department)
    assert week.previous.visits == 2 and week.previous.minutes == 90
    assert sum(week.observations_per_category.values()) == 7
    assert [t["title"] for t in week.tasks if not t["assigned"]] == ["Bakery counter"]


def test_arabic_and_hebrew_render_as_real_glyphs(week_db, tmp_path):
    """Render the thank-you page and check the right-to-left names left ink in their cells
    that differs from the missing-glyph box (looked at by eye too, see docs/images)."""
    storage, _, _ = week_db
    out = build_weekly_report(storage, YEAR, WEEK, tmp_path / "week.pdf", now=REPORT_TIME)
    reader = pypdf.PdfReader(str(out))
    page_number = next(i for i, page in enumerate(reader.pages) if "Who came" in page.extract_text()) + 1
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", str(page_number), "-l", str(page_number), str(out),
                    str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 2000
    # The fonts embedded for the page carry the shaped Arabic glyphs (not .notdef boxes).
    assert all(fonts.font_for_char(ch) is None for ch in text.visual(NAMES["arabic"]) + text.visual(NAMES["hebrew"])
               if not ch.isspace())


def test_cjk_names_are_embedded_from_a_system_font_so_every_reader_shows_them(week_db, tmp_path):
    """tools/install.sh installs fonts-wqy-microhei (Windows PCs have Microsoft YaHei)."""
    if not any(path.is_file() for path in fonts.CJK_FONT_FILES):
        pytest.skip("no CJK TrueType font on this computer (tools/install.sh installs one)")
    storage, _, _ = week_db
    out = build_weekly_report(storage, YEAR, WEEK, tmp_path / "week.pdf", now=REPORT_TIME)
    reader = pypdf.PdfReader(str(out))
    embedded, named = set(), set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            (embedded if descriptor is not None and "/FontFile2" in descriptor.get_object() else named).add(
                str(font["/BaseFont"]))
    chosen = fonts.font_for_char(NAMES["cjk"][0])
    assert chosen.startswith("StoreshiftCJK-")
    # A rare character the system font lacks goes to the reader's own font, not to an empty glyph.
    lacking = next(chr(cp) for cp in range(0x20000, 0x2A6DF)
                   if cp not in pdfmetrics.getFont(chosen).face.charToGlyph)
    assert fonts.font_for_char(lacking) == fonts.CJK_CHINESE
    assert {name for name in embedded if "DejaVu" not in name}, embedded      # the CJK font's subset
    assert not named & {f"/{fonts.CJK_CHINESE}", f"/{fonts.CJK_JAPANESE}", f"/{fonts.CJK_KOREAN}"}
    assert NAMES["cjk"] in pdf_text(out)


def test_without_a_system_cjk_font_the_readers_own_cid_fonts_are_named(tmp_path):
    missing = [tmp_path / "no-such-font.ttc"]
    (tmp_path / "not-a-font.ttf").write_bytes(b"this is not a font")
    assert fonts.choose_cjk_font("han", missing + [tmp_path / "not-a-font.ttf"]) == fonts.CJK_CHINESE
    assert fonts.choose_cjk_font("kana", []) == fonts.CJK_JAPANESE
    assert fonts.choose_cjk_font("hangul", []) == fonts.CJK_KOREAN


def test_empty_week_is_one_clear_page(week_db, tmp_path):
    storage, _, _ = week_db
    out = build_weekly_report(storage, 2026, 30, tmp_path / "empty.pdf", now=REPORT_TIME)
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) == 1
    content = reader.pages[0].extract_text()
    assert "No visits this week" in content and SITE in content and "page 1 of 1" in content


def test_letter_paper_and_progress(week_db, tmp_path):
    storage, _, _ = week_db
    steps = []
    out = build_weekly_report(storage, YEAR, WEEK, tmp_path / "letter.pdf", paper="letter",
                              progress=lambda done, total: steps.append((done, total)), now=REPORT_TIME)
    box = pypdf.PdfReader(str(out)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    assert steps[0] == (0, steps[0][1]) and steps[-1][0] == steps[-1][1]
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)


def test_bad_paper_and_week_are_sentences(week_db, tmp_path):
    storage, _, _ = week_db
    with pytest.raises(UserError, match="paper size"):
        build_weekly_report(storage, YEAR, WEEK, tmp_path / "x.pdf", paper="a3")
    with pytest.raises(UserError, match="week"):
        build_weekly_report(storage, 2026, 60, tmp_path / "x.pdf")
    with pytest.raises(UserError, match="Cannot write"):
        build_weekly_report(storage, YEAR, WEEK, tmp_path / "missing" / "x.pdf", now=REPORT_TIME)
    with pytest.raises(UserError, match="no site"):
        build_weekly_report(storage, YEAR, WEEK, tmp_path / "x.pdf", site_id="nowhere")


def _ink_outside_margins(png, margin_px: int) -> int:
    """Dark pixels in the left and right margin strips (header and footer rules excluded)."""
    image = Image.open(png).convert("L")
    width, height = image.size
    pixels = image.load()
    dark = 0
    for y in range(int(height * 0.08), int(height * 0.93)):
        for x in list(range(0, margin_px)) + list(range(width - margin_px, width)):
            if pixels[x, y] < 160:
                dark += 1
    return dark


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    """2,000 people who each came once in the week, one 5,000-character observation and
    names far too long for any column."""
    storage = open_storage(tmp_path_factory.mktemp("big") / "big.db")
    now = "2026-09-01T00:00:00Z"
    people, visit_rows = [], []
    for i in range(2000):
        pid = f"00000000-0000-4000-8000-{i:012d}"
        name = f"Person {i:04d} " + ("Wolfeschlegelsteinhausenbergerdorff" * 4 if i == 0 else "Smith")
        people.append({"id": pid, "site_id": storage.site_id, "created_at": now, "updated_at": now,
                       "employee_id": f"E{i}", "name": name, "department": "Department of Very Long Names " * (i == 1)
                       or "Finance", "email": None, "photo": None, "active": 1})
        start = MONDAY + dt.timedelta(days=i % 6, minutes=i % 300)
        visit_rows.append({"id": f"10000000-0000-4000-8000-{i:012d}", "site_id": storage.site_id,
                           "created_at": now, "updated_at": now, "person_id": pid, "department": "Finance",
                           "check_in_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "check_out_at": (start + dt.timedelta(minutes=60 + i % 90)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "source_in": "badge", "source_out": "badge", "auto_closed": 0,
                           "departure_confirmed": 0, "checkout_reason": None})
    audit.insert_many(storage, "people", people, "test")
    audit.insert_many(storage, "visits", visit_rows, "test")
    long_text = " ".join(f"word{i % 97}" for i in range(900))[:4990] + " THE-END"
    observe(storage, {"id": visit_rows[0]["id"], "check_out_at": visit_rows[0]["check_out_at"],
                      "check_in_at": None}, "process_problem", long_text)
    observe(storage, {"id": visit_rows[1]["id"], "check_out_at": visit_rows[1]["check_out_at"],
                      "check_in_at": None}, "idea", "x" * 3000)
    yield storage
    storage.close()


def test_long_table_repeats_its_header_and_long_text_flows(big_db, tmp_path):
    out = build_weekly_report(big_db, YEAR, WEEK, tmp_path / "big.pdf", now=REPORT_TIME)
    reader = pypdf.PdfReader(str(out))
    pages = [page.extract_text() for page in reader.pages]
    thanks = [i for i, page in enumerate(pages) if re.search(r"Person \d{4}", page) and "Tasks" in page]
    assert len(thanks) > 20
    for index in thanks:
        assert re.search(r"Name\s*Department\s*Visits\s*Hours", pages[index]), f"page {index + 1} lacks the header"
    everything = re.sub(r"\s+", "", "".join(pages))
    for i in (0, 999, 1999):
        assert f"Person{i:04d}" in everything
    assert "Wolfeschlegelsteinhausenbergerdorff" * 4 in everything
    # The 5,000-character note is printed whole, across pages.
    first = next(i for i, page in enumerate(pages) if "word0 word1" in page)
    last = next(i for i, page in enumerate(pages) if "THE-END" in page)
    assert last > first
    assert "x" * 3000 in everything
    # Nothing ran into the side margins on the pages with the long words and names.
    check = sorted({0, first, last, thanks[0], len(pages) - 1})
    for index in check:
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", str(index + 1), "-l", str(index + 1), str(out),
                        str(tmp_path / f"p{index}")], check=True)
        png = next(tmp_path.glob(f"p{index}-*.png"))
        assert _ink_outside_margins(png, margin_px=int(40 * 12 / 25.4)) == 0, f"ink in the margin on page {index + 1}"


def test_themes_need_different_people():
    same = [{"id": str(i), "person_id": "p1", "text": "The bakery queue is too long", "category": "idea",
             "impact": "low", "quote": None, "person_name": "A"} for i in range(5)]
    assert themes.find_themes(same) == []
    mixed = same[:1] + [{"id": "x", "person_id": "p2", "text": "Bakery queue too long again today",
                         "category": "idea", "impact": "high", "quote": "Why so slow?", "person_name": "B"},
                        {"id": "y", "person_id": "p3", "text": "Parcel lockers are hard to find",
                         "category": "customer_voice", "impact": "low", "quote": None, "person_name": "C"}]
    found = themes.find_themes(mixed)
    assert len(found) == 1 and found[0].people == 2
    assert found[0].phrase.lower() == "bakery queue is too long" or "bakery queue" in found[0].phrase.lower()
    assert found[0].quote == "Why so slow?" and found[0].names == ["A", "B"]
