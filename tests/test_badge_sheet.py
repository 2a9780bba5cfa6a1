"""Badge sheets: printed QR codes decode (zxing-cpp, from a 150 dpi rendering) back to
exactly the payloads asked for, and each one checks in; only active people's current badges."""

from __future__ import annotations

import subprocess

import pypdf
import pytest
import zxingcpp
from PIL import Image
from reportlab.lib.units import mm

from storeshift.errors import NotFound, UserError
from storeshift.reports import badge_sheet
from storeshift.reports.badge_sheet import build_badge_sheet
from storeshift.services import badges, roster, visits

LONG_NAME = "Maria-Fernanda de los Ángeles Wolfeschlegelsteinhausenberger-Ó Súilleabháin"


@pytest.fixture
def roster_db(storage):
    people = [roster.add_person(storage, name=name, department=dept) for name, dept in [
        ("Mei García", "Executive"), ("Αλέξανδρος Παπαδόπουλος", "Finance"), ("Дмитрий Иванов", "Finance"),
        ("李小龙", "IT"), ("محمد الأحمد", "IT"), ("דנה לוי", "HR"), (LONG_NAME, "Customer Insight and Research"),
        ("Olusegun Okafor", "Finance"), ("Chloé Dubois", "Legal"), ("Noah Brown", "Marketing")]]
    gone = roster.add_person(storage, name="Left Company", department="Finance")
    roster.set_active(storage, gone["id"], False)
    revoked = roster.add_person(storage, name="Lost Badge", department="Finance")
    badges.revoke(storage, revoked["id"])
    return storage, people, gone, revoked


def decode(pdf, tmp_path) -> list[str]:
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    found = []
    for png in sorted(tmp_path.glob("page*.png")):
        found += [result.text for result in zxingcpp.read_barcodes(Image.open(png))]
    return found


def test_sheet_decodes_to_exactly_the_payloads_asked_for_and_each_checks_in(roster_db, tmp_path, at):
    storage, people, _, _ = roster_db
    chosen = people[:9]
    out = build_badge_sheet(storage, tmp_path / "sheet.pdf", person_ids=[p["id"] for p in chosen])
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) == 2                              # 8 per page
    decoded = decode(out, tmp_path)
    expected = {badges.payload_for(storage, p["id"]) for p in chosen}
    assert sorted(decoded) == sorted(expected)
    for payload in decoded:
        assert visits.scan(storage, payload, now=at(9)).kind == visits.CHECKED_IN
    # Names may wrap onto two lines on a badge; every word is there, in order.
    content = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for person in chosen[:4]:
        assert person["name"] in content


def test_all_prints_only_active_people_with_current_badges(roster_db, tmp_path):
    storage, people, gone, revoked = roster_db
    out = build_badge_sheet(storage, tmp_path / "all.pdf", paper="letter")
    box = pypdf.PdfReader(str(out)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    decoded = decode(out, tmp_path)
    assert sorted(decoded) == sorted(badges.payload_for(storage, p["id"]) for p in people)
    content = "".join(page.extract_text() for page in pypdf.PdfReader(str(out)).pages)
    assert "Left Company" not in content and "Lost Badge" not in content


def test_department_and_card_layout(roster_db, tmp_path):
    storage, people, _, _ = roster_db
    out = build_badge_sheet(storage, tmp_path / "cards.pdf", layout="card", department=" finance ")
    reader = pypdf.PdfReader(str(out))
    finance = [p for p in people if p["department"] == "Finance"]
    assert len(reader.pages) == len(finance)
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 85.6 * mm) < 0.5 and abs(float(box.height) - 53.98 * mm) < 0.5
    assert sorted(decode(out, tmp_path)) == sorted(badges.payload_for(storage, p["id"]) for p in finance)


def test_long_name_is_never_cut(roster_db, tmp_path):
    storage, people, _, _ = roster_db
    out = build_badge_sheet(storage, tmp_path / "long.pdf", person_ids=[people[6]["id"]], layout="card")
    content = pypdf.PdfReader(str(out)).pages[0].extract_text()
    assert "".join(LONG_NAME.split()) in "".join(content.split())


def test_qr_modules_are_big_enough_with_a_quiet_zone():
    # The longest payload there can be: a six-digit serial.
    payload = "SS1-ABCD-" + "A" * 26 + "-999999-" + "B" * 16
    matrix = badge_sheet.qr_matrix(payload)
    assert all(not any(row) for row in matrix[:badge_sheet.QUIET_ZONE])
    for layout_size in (badge_sheet.SHEET_BADGE, badge_sheet.CR80):
        qr_size = min(layout_size[1] - 8 * mm, layout_size[0] * 0.46)
        assert qr_size / len(matrix) >= 0.5 * mm


def test_bad_requests_are_sentences(roster_db, tmp_path):
    storage, _, gone, _ = roster_db
    with pytest.raises(NotFound):
        build_badge_sheet(storage, tmp_path / "x.pdf", person_ids=["no-such-person"])
    with pytest.raises(UserError, match="No active person"):
        build_badge_sheet(storage, tmp_path / "x.pdf", person_ids=[gone["id"]])
    with pytest.raises(UserError, match="layout"):
        build_badge_sheet(storage, tmp_path / "x.pdf", layout="poster")
    with pytest.raises(UserError, match="No active person"):
        build_badge_sheet(storage, tmp_path / "x.pdf", department="Nowhere")
