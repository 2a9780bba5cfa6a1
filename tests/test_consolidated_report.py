"""The consolidated report: three stores' bundles merged at head office, one PDF across sites."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from storeshift.cli import main
from storeshift.reports import data
from storeshift.reports.consolidated import build_consolidated_report, consolidated_data, seen_at
from storeshift.services import badges, demo, observations, roster, themes, visits
from storeshift.storage import open_storage
from storeshift.sync import export_bundle, merge_bundles
from storeshift.timeutil import UTC

# Observations are dated when they are written, so the stores' visits go in the current week.
LONDON = ZoneInfo("Europe/London")
YEAR, WEEK, _ = dt.datetime.now(LONDON).isocalendar()
MONDAY = dt.datetime.combine(dt.date.fromisocalendar(YEAR, WEEK, 1), dt.time(0), LONDON)
NOW = (MONDAY + dt.timedelta(days=2, hours=11)).astimezone(UTC)    # the Wednesday
STORES = ("Riverside Store", "Harbour Call Centre", "Hilltop Store")
LOCKERS = "The parcel lockers have no sign from the car park entrance."


def _visit(store, payload: str, start: dt.datetime, note: str | None = None) -> None:
    arrived = visits.scan(store, payload, start)
    assert arrived.kind == visits.CHECKED_IN
    if note:
        observations.add_observation(store, category="process_problem", text=note, impact="high",
                                     visit_id=arrived.visit["id"])
    assert visits.scan(store, payload, start + dt.timedelta(hours=2)).kind == visits.CHECKED_OUT


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("consolidated")
    head = open_storage(root / "head.db", site_name="Head office")
    people = [roster.add_person(head, name=name, department=department)
              for name, department in [("Ada Lovelace", "IT"), ("Zoë Nakamura", "Finance"),
                                       ("Olusegun Okafor", "Marketing"), ("Grace Hopper", "Treasury")]]
    payloads = [badges.payload_for(head, p["id"]) for p in people]
    badges.export_org_key(head, root / "org.key")
    roster_bundle = export_bundle(head, root / "roster.ssb", roster=True)
    bundles = []
    for index, name in enumerate(STORES):
        store = open_storage(root / f"store{index}.db", site_name=name)
        badges.import_org_key(store, root / "org.key")
        demo.seed(store, people=20, weeks=3, seed=40 + index, now=NOW, site_name=name, observations_per_visit=1.2)
        merge_bundles(store, [roster_bundle])
        # Ada and Zoë see the same thing at every store this week; Olusegun came last week too.
        monday = MONDAY + dt.timedelta(hours=9 + index)
        _visit(store, payloads[0], monday, LOCKERS)
        _visit(store, payloads[1], monday + dt.timedelta(days=1), LOCKERS.replace("The parcel", "Parcel"))
        if index == 0:  # one store has triaged it already: the chain's theme shows its status and owner
            note = store.value("SELECT id FROM observations WHERE text = ?", (LOCKERS,))
            theme = themes.create_theme(store, "Parcel lockers have no sign", [note])
            themes.update(store, theme["id"], status="triaged", owner="Facilities")
        if index == 0:
            _visit(store, payloads[2], monday - dt.timedelta(days=7))
            _visit(store, payloads[2], monday + dt.timedelta(hours=3))
        bundles.append(export_bundle(store, root / f"store{index}.ssb"))
        store.close()
    airport = open_storage(root / "airport.db", site_name="Airport Kiosk")
    badges.import_org_key(airport, root / "org.key")
    bundles.append(export_bundle(airport, root / "airport.ssb"))
    airport.close()
    merge_bundles(head, bundles)
    head.close()
    return root, people


def test_each_site_row_matches_the_site_s_own_figures(chain):
    root, _ = chain
    head = open_storage(root / "head.db")
    report = consolidated_data(head, YEAR, WEEK, NOW)
    by_name = {site.name: site for site in report.sites}
    assert set(by_name) == {*STORES, "Airport Kiosk"}          # head office has no visits: left out
    assert report.left_out == ["Head office"]
    for index, name in enumerate(STORES):
        store = open_storage(root / f"store{index}.db")
        # The site's own weekly report: the same figures, follow-ups open included.
        own = data.week_data(store, YEAR, WEEK, now=NOW)
        assert by_name[name].figures == own.figures, name
        assert by_name[name].previous == own.previous, name
        store.close()
    assert by_name["Airport Kiosk"].figures.visits == 0 and by_name["Airport Kiosk"].last_visit is None
    assert [s.name for s in report.unvisited] == ["Airport Kiosk"]
    head.close()


def test_a_theme_seen_at_every_store_says_by_how_many_people_at_how_many_sites(chain):
    root, people = chain
    head = open_storage(root / "head.db")
    report = consolidated_data(head, YEAR, WEEK, NOW)
    lockers = [(t, s) for t, s in zip(report.themes, report.theme_sites)
               if any(o["text"] == LOCKERS for o in t.observations)]
    assert lockers, [t.phrase for t in report.themes]
    theme, sites = lockers[0]
    assert sites == sorted(STORES, key=str.casefold)
    assert theme.people == len({o["person_id"] for o in theme.observations})
    assert {people[0]["id"], people[1]["id"]} <= {o["person_id"] for o in theme.observations}
    assert seen_at(theme, sites) == f"seen by {theme.people} people at 3 sites"
    # Themes seen at several sites come first.
    assert len(report.theme_sites[0]) >= len(report.theme_sites[-1])
    head.close()


def test_scorecard_departments_unvisited_sites_and_who_came_back(chain):
    root, people = chain
    head = open_storage(root / "head.db")
    report = consolidated_data(head, YEAR, WEEK, NOW)
    departments = {d["department"]: d for d in report.departments}
    assert departments["IT"]["sites"] >= 3 and departments["Finance"]["sites"] >= 3
    assert "Treasury" in report.idle_departments                  # Grace never came
    by_id = {p.id: p for p in report.people}
    assert by_id[people[0]["id"]].sites == sorted(STORES, key=str.casefold)
    assert by_id[people[0]["id"]].visits == 3 and by_id[people[0]["id"]].first_time
    assert by_id[people[2]["id"]].weeks_on_floor == 2 and not by_id[people[2]["id"]].first_time
    assert people[3]["id"] not in by_id
    head.close()


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_pdf_shows_it_all(chain, tmp_path, paper):
    root, _ = chain
    head = open_storage(root / "head.db")
    report = consolidated_data(head, YEAR, WEEK, NOW)
    out = build_consolidated_report(head, YEAR, WEEK, tmp_path / "all.pdf", paper=paper, now=NOW)
    pdf = PdfReader(out)
    words = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    for expected in ("Consolidated programme report", "Sites this week", "Seen at several sites",
                     "Open follow-ups by owner", "No owner yet",
                     "Programme scorecard", "Departments on the floor", "Sites with no visit this week",
                     "Who came back", "Airport Kiosk", "Treasury", "Facilities", *STORES,
                     f"page 1 of {len(pdf.pages)}"):
        assert expected in words, expected
    theme, sites = next((t, s) for t, s in zip(report.themes, report.theme_sites) if len(s) == 3)
    assert seen_at(theme, sites) in words
    width = float(pdf.pages[0].mediabox.width)
    assert round(width) == (595 if paper == "a4" else 612)
    head.close()


def test_the_report_command_with_all_sites(chain, tmp_path):
    root, _ = chain
    out = tmp_path / "cli.pdf"
    result = CliRunner().invoke(main, ["report", "--db", str(root / "head.db"), "--week", f"{YEAR}-W{WEEK:02d}",
                                       "--all-sites", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and PdfReader(out).pages


def test_an_empty_database_gives_a_short_honest_report(tmp_path):
    storage = open_storage(tmp_path / "empty.db", site_name="Head office")
    out = build_consolidated_report(storage, YEAR, WEEK, tmp_path / "empty.pdf", now=NOW)
    words = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Nobody was on the floor this week" in " ".join(words.split())
    assert "No site is in this database yet" in " ".join(words.split())
    storage.close()
