"""Reports and badge sheets in the site's language: no English heading, dates and numbers by the
language's rules, and `storeshift report` for a French site."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from storeshift import i18n
from storeshift.reports.badge_sheet import build_badge_sheet
from storeshift.reports.weekly import build_weekly_report
from storeshift.services import observations, roster, settings, tasks, visits
from storeshift.storage import open_storage
from storeshift.timeutil import UTC

YEAR, WEEK = 2026, 49                       # Monday 30 November to Sunday 6 December 2026
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
REPORT_TIME = dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
# Every heading and label of the weekly report, in English (the catalogue's ids).
HEADINGS = ["Weekly insight report", "People who came", "Visits", "Hours delivered", "Tasks done",
            "Follow-ups open", "At a glance", "What people noticed most", "What we learned",
            "Observations by category", "Follow-ups still open", "The week in charts", "Hours per day",
            "Observations per category", "Hours per department", "Booked vs attended", "Who came: thank you",
            "Task catalogue coverage", "Generated", "page 1 of", "Customer voice", "Process problem",
            "High impact", "Still new", "Department", "Times given", "Hours on visits"]


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "store.db"
    storage = open_storage(path)
    settings.put(storage, "site_name", "Magasin Lyon Part-Dieu")
    settings.put(storage, "timezone", "Europe/Paris")
    task = tasks.add_task(storage, title="Accueil à l'entrée", area="Entrée")
    for day, name in enumerate(["Chloé Martin", "Jürgen Weiß", "Amélie Dubois"]):
        person = roster.add_person(storage, name=name, department="Finance")
        opened = visits.check_in_manually(storage, person["id"], now=MONDAY + dt.timedelta(days=day))
        tasks.assign(storage, opened["id"], task["id"])
        tasks.complete(storage, opened["id"])
        visit = visits.check_out_manually(storage, opened["id"], now=MONDAY + dt.timedelta(days=day, minutes=95))
        observations.add_observation(storage, category="process_problem", text="Les clients attendent en caisse.",
                                     impact="high", visit_id=visit["id"])
    storage.close()
    return path


@pytest.mark.parametrize("language, monday, sunday, hours", [
    ("fr", "lundi 30 novembre 2026", "dimanche 6 décembre 2026", "4,8"),
    ("de", "Montag, 30. November 2026", "Sonntag, 6. Dezember 2026", "4,8"),
])
def test_weekly_report_has_no_english_heading_and_local_dates(store, tmp_path, language, monday, sunday, hours):
    storage = open_storage(store)
    try:
        settings.put(storage, "language", language)
        settings.use_site_language(storage)
        out = build_weekly_report(storage, YEAR, WEEK, tmp_path / "report.pdf", now=REPORT_TIME)
    finally:
        storage.close()
    content = pdf_text(out)
    assert monday in content and sunday in content
    assert hours in content  # 285 minutes: 4,8 hours, with a decimal comma
    english = [heading for heading in HEADINGS if heading in content]
    assert not english, f"English in the {language} report: {english}"
    assert i18n._("Weekly insight report") in content and i18n._("What we learned") in content


def report_sentences() -> set[str]:
    """Every whole message of the report modules (no placeholder, two words or more), in English."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    folder = Path(i18n.__file__).parent / "reports"
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), method_map=[("**.py", "python")], keywords={**DEFAULT_KEYWORDS, "_l": None}):
        for text in (message if isinstance(message, tuple) else (message,)):
            if "{" not in text and len(text.split()) >= 2:
                found.add(text)
    return found


@pytest.mark.parametrize("language", ["fr", "de"])
def test_no_sentence_of_the_reports_is_left_in_english(store, tmp_path, language):
    """Beyond the headings: no message of the report modules appears in English in the PDF."""
    storage = open_storage(store)
    try:
        settings.put(storage, "language", language)
        settings.use_site_language(storage)
        out = build_weekly_report(storage, YEAR, WEEK, tmp_path / "report.pdf", now=REPORT_TIME)
        translated = {text for text in report_sentences() if i18n._(text) != text}
    finally:
        storage.close()
    content = " ".join(pdf_text(out).split())
    english = sorted(text for text in translated if text in content)
    assert len(translated) > 40 and not english, f"English in the {language} report: {english}"


def test_badge_sheet_in_german(store, tmp_path):
    storage = open_storage(store)
    try:
        settings.put(storage, "language", "de")
        settings.use_site_language(storage)
        out = build_badge_sheet(storage, tmp_path / "badges.pdf")
    finally:
        storage.close()
    content = pdf_text(out)
    assert "Ausweise 1–3 von 3" in content and "an den Markierungen schneiden" in content
    assert "Ausweis Nr. 1" in content and "badge" not in content.replace("Ausweis", "")


def test_storeshift_report_for_a_french_site_speaks_french(store, tmp_path):
    storage = open_storage(store)
    settings.put(storage, "language", "fr")
    storage.close()
    out = tmp_path / "rapport.pdf"
    done = subprocess.run([sys.executable, "-m", "storeshift", "--db", str(store), "report", "--week",
                           f"{YEAR}-W{WEEK}", "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"rapport de la semaine {YEAR}-W{WEEK} écrit dans {out}"
    content = pdf_text(out)
    assert "lundi 30 novembre 2026" in content and "Rapport de la semaine" in content
    assert not [heading for heading in HEADINGS if heading in content]
    bad = subprocess.run([sys.executable, "-m", "storeshift", "--db", str(store), "report", "--week", "2026-W99",
                          "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "n’est pas une semaine" in bad.stderr
