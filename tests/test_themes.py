"""Themes as records: the service (attach, rename, merge, split, status times), the upgrade that
moves earlier triage onto themes, bundles that carry themes to head office, and a finished week's
report that reads the same whenever it is printed."""

from __future__ import annotations

import datetime as dt
import re

import pypdf
import pytest

from storeshift.errors import UserError
from storeshift.reports import data
from storeshift.reports.weekly import build_weekly_report
from storeshift.services import observations, roster, themes, visits
from storeshift.storage import audit, db as storage_db, open_storage
from storeshift.storage import schema
from storeshift.storage.schema import migrations
from storeshift.sync import export_bundle, merge_bundles
from storeshift.timeutil import UTC, to_iso

# Week 40 of 2026: Monday 28 September to Sunday 4 October (London is on UTC+1).
YEAR, WEEK = 2026, 40
MONDAY = dt.datetime(2026, 9, 28, 8, 0, tzinfo=UTC)


class Clock:
    """The PC's clock as storeshift reads it, moved by the test."""

    def __init__(self, monkeypatch, start: dt.datetime):
        self.now = start
        monkeypatch.setattr(storage_db, "utc_now", lambda: self.now)

    def at(self, moment: dt.datetime) -> Clock:
        self.now = moment
        return self


def note(storage, person, text, at, category="process_problem", impact="medium", quote=None):
    """An observation written during a visit at `at` (a visit of an hour, checked in by the lead)."""
    opened = visits.check_in_manually(storage, person["id"], now=at - dt.timedelta(minutes=50))
    visits.check_out_manually(storage, opened["id"], now=at + dt.timedelta(minutes=10))
    made = observations.add_observation(storage, category=category, text=text, impact=impact, quote=quote,
                                        visit_id=opened["id"])
    return audit.update(storage, "observations", made["id"], {"created_at": to_iso(at)}, "test")


@pytest.fixture
def store(tmp_path):
    storage = open_storage(tmp_path / "store.db", site_name="Riverside Store")
    yield storage
    storage.close()


@pytest.fixture
def people(store):
    return [roster.add_person(store, name=name, department=department) for name, department in
            [("Ada Lovelace", "IT"), ("Zoë Nakamura", "Finance"), ("Kwame Mensah", "Marketing")]]


def test_attach_rename_merge_split_detach_and_the_times_of_each_status(store, people, monkeypatch):
    clock = Clock(monkeypatch, MONDAY + dt.timedelta(days=1))
    a = note(store, people[0], "Self-checkout rejects bags over 2 kg.", MONDAY)
    b = note(store, people[1], "The self-checkout keeps rejecting heavy bags.", MONDAY + dt.timedelta(hours=2))
    c = note(store, people[2], "Oat milk sold out by 11am.", MONDAY + dt.timedelta(hours=3))
    with pytest.raises(UserError, match="title"):
        themes.create_theme(store, "   ", [a["id"]])
    bags = themes.create_theme(store, "Self-checkout rejects bags", [b["id"]])
    # Raised when its first note was written, not when the lead made it.
    assert bags["opened_at"] == b["created_at"] and bags["status"] == "new"
    themes.attach(store, a["id"], bags["id"])
    assert themes.get_theme(store, bags["id"])["opened_at"] == a["created_at"]
    milk = themes.create_theme(store, "Oat milk", [c["id"]])
    assert [t["id"] for t in themes.list_themes(store)][0] == bags["id"]     # most reported first
    # Giving it an owner triages it, stamped now.
    triaged = themes.update(store, bags["id"], owner="  Store   manager ")
    assert (triaged["owner"], triaged["status"], triaged["triaged_at"]) == ("Store manager", "triaged",
                                                                            storage_db.now_iso())
    clock.at(MONDAY + dt.timedelta(days=3))
    actioned = themes.update(store, bags["id"], status="actioned", follow_up="Scale limit raised to 5 kg.")
    assert actioned["actioned_at"] == storage_db.now_iso() and actioned["triaged_at"] == triaged["triaged_at"]
    # As it stood at any time: new before the lead triaged it, triaged until actioned.
    assert themes.status_at(actioned, triaged["triaged_at"]) == "new"
    assert themes.status_at(actioned, actioned["actioned_at"]) == "triaged"
    assert themes.status_at(actioned, "2026-10-05T00:00:00Z") == "actioned"
    assert themes.status_at(actioned, a["created_at"]) is None
    # Back to triaged (it came back): the later time is cleared.
    reopened = themes.update(store, bags["id"], status="triaged")
    assert reopened["actioned_at"] is None and reopened["triaged_at"] == triaged["triaged_at"]
    with pytest.raises(UserError, match="status"):
        themes.update(store, bags["id"], status="done")
    renamed = themes.rename(store, milk["id"], "Oat milk sells out by 11am")
    assert renamed["title"] == "Oat milk sells out by 11am"
    # Merge: the notes move, the other theme goes; the kept theme's owner stays.
    merged = themes.merge(store, bags["id"], [milk["id"]])
    assert merged["owner"] == "Store manager"
    assert {o["id"] for o in themes.theme_observations(store, bags["id"])} == {a["id"], b["id"], c["id"]}
    assert store.one("SELECT 1 FROM themes WHERE id = ?", (milk["id"],)) is None
    # Split it out again; a split that would empty the theme is refused.
    with pytest.raises(UserError, match="Leave at least one"):
        themes.split(store, bags["id"], [a["id"], b["id"], c["id"]], "Everything")
    split = themes.split(store, bags["id"], [c["id"]], "Oat milk sells out")
    assert split["status"] == "new" and split["opened_at"] == c["created_at"]
    # Taking the last note out of an untouched theme removes it.
    themes.detach(store, c["id"])
    assert store.one("SELECT 1 FROM themes WHERE id = ?", (split["id"],)) is None
    assert observations.get_observation(store, c["id"])["theme_id"] is None
    assert audit.verify(store).ok, audit.verify(store).problems


def test_suggestions_offer_the_most_similar_open_themes(store, people, monkeypatch):
    Clock(monkeypatch, MONDAY + dt.timedelta(days=1))
    a = note(store, people[0], "Self-checkout rejects bags over 2 kg.", MONDAY)
    b = note(store, people[1], "Oat milk sold out by 11am.", MONDAY)
    c = note(store, people[2], "Parcel lockers have no sign from the entrance.", MONDAY)
    new = note(store, people[1], "At the self-checkout, heavy bags are rejected again.", MONDAY)
    bags = themes.create_theme(store, "Self-checkout rejects bags", [a["id"]])
    themes.create_theme(store, "Oat milk", [b["id"]])
    lockers = themes.create_theme(store, "Lockers sign", [c["id"]])
    found = themes.suggestions(store, new["id"])
    assert found and found[0]["id"] == bags["id"] and len(found) <= 3
    assert all(0 < t["score"] <= 1 for t in found)
    # A closed theme is no longer offered.
    themes.update(store, bags["id"], status="closed")
    assert bags["id"] not in [t["id"] for t in themes.suggestions(store, new["id"])]
    # Nothing in common with any open theme: nothing is offered.
    unrelated = note(store, people[0], "Zebra crossing paint faded.", MONDAY)
    assert lockers["id"] not in [t["id"] for t in themes.suggestions(store, unrelated["id"])][:1] or \
        themes.suggestions(store, unrelated["id"])[0]["score"] < 0.5


def test_automatic_groups_have_a_stable_id(store, people, monkeypatch):
    Clock(monkeypatch, MONDAY + dt.timedelta(days=1))
    notes = [note(store, p, "Self-checkout rejects bags over 2 kg.", MONDAY + dt.timedelta(hours=i))
             for i, p in enumerate(people)]
    first = themes.auto_groups(themes.untriaged(store, None, None))
    again = themes.auto_groups(list(reversed(themes.untriaged(store, None, None))))
    assert [g.id for g in first] == [g.id for g in again] and first[0].id.startswith("auto-")
    assert {o["id"] for o in first[0].observations} == {n["id"] for n in notes}


def test_the_upgrade_moves_earlier_triage_onto_themes(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    # A database of the version before themes.
    monkeypatch.setattr(schema, "migrate", lambda storage: migrations.apply(storage.db, stop_before="m006_themes"))
    old = open_storage(path, site_name="Riverside Store")
    assert "theme_id" not in {c.name for c in old.db["observations"].columns}
    person = roster.add_person(old, name="Ada Lovelace", department="IT")
    made = []
    for text, status, owner in [("Oat milk sold out.", "actioned", "Category manager"),
                                ("Oat  milk sold out.", "actioned", "Category manager"),
                                ("Lockers have no sign.", "triaged", "Store manager"),
                                ("Customers loved the aisles.", "new", None)]:
        obs = audit.insert(old, "observations", {
            "category": "process_problem", "text": text, "quote": None, "impact": "medium", "visit_id": None,
            "person_id": person["id"], "task_id": None, "status": "new", "owner": None, "follow_up": None}, "kiosk")
        if status != "new":
            obs = audit.update(old, "observations", obs["id"], {"status": status, "owner": owner,
                                                                "follow_up": "Order doubled."}, "lead")
        made.append(obs)
    old.close()
    monkeypatch.undo()
    upgraded = open_storage(path)
    try:
        rows = {t["title"]: t for t in upgraded.rows("SELECT * FROM themes")}
        assert set(rows) == {"Oat milk sold out", "Lockers have no sign"}
        milk = rows["Oat milk sold out"]
        assert (milk["status"], milk["owner"], milk["follow_up"]) == ("actioned", "Category manager", "Order doubled.")
        assert milk["actioned_at"] and milk["opened_at"] == made[0]["created_at"]
        assert {o["theme_id"] for o in upgraded.rows("SELECT theme_id FROM observations WHERE text LIKE 'Oat%'")} \
            == {milk["id"]}
        assert upgraded.value("SELECT theme_id FROM observations WHERE text LIKE 'Customers%'") is None
        # Every row still matches its audit hash: the new column left old hashes valid.
        assert audit.verify(upgraded).ok, audit.verify(upgraded).problems
    finally:
        upgraded.close()


def test_a_theme_triaged_at_a_store_keeps_its_owner_and_status_at_head_office(tmp_path, monkeypatch):
    clock = Clock(monkeypatch, MONDAY + dt.timedelta(days=1))
    head = open_storage(tmp_path / "head.db", site_name="Head office")
    person = roster.add_person(head, name="Ada Lovelace", department="IT")
    roster_bundle = export_bundle(head, tmp_path / "roster.ssb", roster=True)
    store = open_storage(tmp_path / "store.db", site_name="Riverside Store")
    from storeshift.services import badges

    badges.export_org_key(head, tmp_path / "org.key")
    badges.import_org_key(store, tmp_path / "org.key")
    merge_bundles(store, [roster_bundle])
    first = note(store, person, "Self-checkout rejects bags over 2 kg.", MONDAY)
    second = note(store, person, "Self-checkout rejects heavy bags again.", MONDAY + dt.timedelta(hours=3))
    theme = themes.create_theme(store, "Self-checkout rejects bags", [first["id"], second["id"]])
    clock.at(MONDAY + dt.timedelta(days=2))
    themes.update(store, theme["id"], owner="Store manager", status="actioned", follow_up="Scale limit raised.")
    merge_bundles(head, [export_bundle(store, tmp_path / "store.ssb")])
    at_head = themes.get_theme(head, theme["id"])
    at_store = themes.get_theme(store, theme["id"])
    assert at_head == at_store
    assert (at_head["owner"], at_head["status"], at_head["site_id"]) == ("Store manager", "actioned", store.site_id)
    assert {o["theme_id"] for o in head.rows("SELECT theme_id FROM observations")} == {theme["id"]}
    # Head office's consolidated themes show it triaged, not as an automatic group.
    found = data.week_themes(head, YEAR, WEEK, data.ALL_SITES)
    assert [(t.title, t.automatic, t.status, t.owner) for t in found] == \
        [("Self-checkout rejects bags", False, "actioned", "Store manager")]
    assert audit.verify(head).ok, audit.verify(head).problems
    # Merging again changes nothing.
    again = merge_bundles(head, [export_bundle(store, tmp_path / "store2.ssb")])
    assert again.bundles[0].tables["themes"].inserted == 0 and again.bundles[0].tables["themes"].updated == 0
    store.close()
    head.close()


def _text(path) -> str:
    pages = [page.extract_text() for page in pypdf.PdfReader(str(path)).pages]
    return "\n".join(line for page in pages for line in page.splitlines() if not line.startswith("Generated "))


def test_a_finished_week_prints_the_same_after_new_scans_later_triage_and_a_day(store, people, tmp_path,
                                                                                monkeypatch):
    clock = Clock(monkeypatch, MONDAY - dt.timedelta(days=6))
    # Week 39: a problem raised and triaged.
    old = note(store, people[0], "Returns without a receipt need a manager's card.", MONDAY - dt.timedelta(days=6))
    returns = themes.create_theme(store, "Receipt-less returns wait for a manager", [old["id"]])
    themes.update(store, returns["id"], owner="Store manager")
    # Week 40: it is fixed (an old item done this week); a new problem is seen by two people and
    # triaged; another by one person, never triaged; praise, which needs no owner.
    clock.at(MONDAY + dt.timedelta(days=1))
    themes.update(store, returns["id"], status="actioned", follow_up="Two team leaders can now approve returns.")
    bags = [note(store, people[1], "Self-checkout rejects bags over 2 kg.", MONDAY + dt.timedelta(days=1)),
            note(store, people[2], "Self-checkout rejected my customer's heavy bags.", MONDAY + dt.timedelta(days=2))]
    clock.at(MONDAY + dt.timedelta(days=3))
    bag_theme = themes.create_theme(store, "Self-checkout rejects bags", [n["id"] for n in bags])
    themes.update(store, bag_theme["id"], owner="Ops team")
    note(store, people[0], "Oat milk sold out by 11am.", MONDAY + dt.timedelta(days=3), category="product_issue")
    note(store, people[1], "Customers loved the wider aisles.", MONDAY + dt.timedelta(days=4), category="praise")
    monday_after = MONDAY + dt.timedelta(days=7, hours=1)
    clock.at(monday_after)
    first = build_weekly_report(store, YEAR, WEEK, tmp_path / "first.pdf", now=monday_after)

    week = data.week_data(store, YEAR, WEEK, now=monday_after)
    flow = week.follow_up_flow
    assert [i.title for i in week.done] == ["Receipt-less returns wait for a manager"]
    assert (flow.opened, flow.done, flow.open_now, flow.open_before) == (2, 1, 2, 1)
    assert all(item["category"] != "praise" for item in week.follow_ups)
    by_title = {t.title: t for t in week.themes}
    assert by_title["Self-checkout rejects bags"].people == 2 and not by_title["Self-checkout rejects bags"].automatic
    assert sum(1 for t in week.themes if t.automatic) == 2    # the oat milk and the praise, grouped automatically

    # Week 41: new scans, the bags theme gets a new note and is closed, a new theme is made.
    clock.at(MONDAY + dt.timedelta(days=8))
    later = note(store, people[2], "Self-checkout bags problem again.", MONDAY + dt.timedelta(days=8))
    themes.attach(store, later["id"], bag_theme["id"])
    themes.update(store, bag_theme["id"], status="closed", follow_up="Scale limit raised to 5 kg.")
    milk = note(store, people[0], "No oat milk after 10am.", MONDAY + dt.timedelta(days=9), category="product_issue")
    themes.create_theme(store, "Oat milk sells out", [milk["id"]])
    themes.update(store, themes.list_themes(store)[-1]["id"], owner="Category manager")
    a_day_later = monday_after + dt.timedelta(days=9)
    clock.at(a_day_later)
    second = build_weekly_report(store, YEAR, WEEK, tmp_path / "second.pdf", now=a_day_later)
    assert _text(second) == _text(first)
    assert "Receipt-less returns wait for a manager" in _text(first)

    # Week 41's own report shows the change: the bags theme done, whenever it was raised.
    later_week = data.week_data(store, 2026, 41, now=a_day_later)
    assert [i.title for i in later_week.done] == ["Self-checkout rejects bags"]
    assert later_week.follow_up_flow.open_now < later_week.follow_up_flow.open_before + 1


def test_open_follow_ups_can_fall_and_the_pdf_says_it_is_good_news(store, people, tmp_path, monkeypatch):
    clock = Clock(monkeypatch, MONDAY - dt.timedelta(days=6))
    items = []
    for index, text in enumerate(["Lockers have no sign.", "Scanner batteries die.", "Price labels wrong."]):
        made = note(store, people[index], text, MONDAY - dt.timedelta(days=6, hours=-index))
        items.append(themes.create_theme(store, text.rstrip("."), [made["id"]]))
    note(store, people[0], "Thanks for the quick help at the desk.", MONDAY + dt.timedelta(days=1), category="praise")
    clock.at(MONDAY + dt.timedelta(days=2))
    for theme in items[:2]:
        themes.update(store, theme["id"], status="closed", follow_up="Done.")
    end = MONDAY + dt.timedelta(days=8)
    week = data.week_data(store, YEAR, WEEK, now=end)
    assert (week.follow_up_flow.open_before, week.follow_up_flow.open_now) == (3, 1)
    assert week.figures.follow_ups_open == 1 and week.previous.follow_ups_open == 3
    text = " ".join(_text(build_weekly_report(store, YEAR, WEEK, tmp_path / "fall.pdf", now=end)).split())
    assert "2 fewer than a week before" in text and "▼ 2 on last week (3)" in text


def test_report_outline_author_language_departments_and_appendix(store, tmp_path, monkeypatch):
    clock = Clock(monkeypatch, MONDAY - dt.timedelta(days=30))
    people = [roster.add_person(store, name=name, department=department) for name, department in
              [("Ada Lovelace", "IT"), ("Zoë Nakamura", "Finance"), ("Kwame Mensah", "Marketing"),
               ("Grace Hopper", "Treasury")]]          # Kwame and Grace never came: listed at zero
    clock.at(MONDAY + dt.timedelta(days=20))
    roster.add_person(store, name="Alan Turing", department="Research")  # joined after the week: not counted
    clock.at(MONDAY)
    note(store, people[0], "Self-checkout rejects bags over 2 kg.", MONDAY + dt.timedelta(hours=1))
    note(store, people[1], "Self-checkout rejects heavy bags.", MONDAY + dt.timedelta(hours=2))
    now = MONDAY + dt.timedelta(days=8)
    week = data.week_data(store, YEAR, WEEK, now=now)
    shares = {d["department"]: (d["came"], d["people"]) for d in week.departments}
    assert shares["IT"] == (1, 1) and shares["Marketing"] == (0, 1) and shares["Treasury"] == (0, 1)
    assert "Research" not in shares
    assert week.quarter == "Q3 2026"
    out = build_weekly_report(store, YEAR, WEEK, tmp_path / "week.pdf", now=now)
    reader = pypdf.PdfReader(str(out))
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    for section in ("What we learned", "You told us, we did", "Follow-ups", "Trends", "Departments",
                    "Who came: thank you", "Appendix: observations"):
        assert section in outline, outline
    assert reader.metadata.author == "Riverside Store"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    text = " ".join(_text(out).split())
    assert "Treasury 1 0 0%" in text
    assert "Appendix: every observation" in text
    without = build_weekly_report(store, YEAR, WEEK, tmp_path / "short.pdf", now=now, appendix=False)
    assert "Appendix" not in " ".join(_text(without).split())
    assert len(pypdf.PdfReader(str(without)).pages) < len(reader.pages)
    # Page 1 says what was learned, what was done and what is still open.
    first_page = " ".join(reader.pages[0].extract_text().split())
    for heading in ("What we learned", "What was done", "Still open"):
        assert heading in first_page
    assert re.search(r"2 people, 2 notes; not triaged yet", first_page)
