"""Observations: validation, masking of card and phone numbers, links to visit and task, triage."""

from __future__ import annotations

import pytest

from storeshift.errors import UserError
from storeshift.services import observations as obs
from storeshift.services import roster, tasks, visits


@pytest.fixture
def visit(storage, at):
    person = roster.add_person(storage, name="Priya Jónsson")
    v = visits.check_in_manually(storage, person["id"], now=at(9))
    task = tasks.add_task(storage, title="Self-checkout help")
    tasks.assign(storage, v["id"], task["id"])
    return v, task


def test_observation_links_to_visit_person_and_current_task(storage, visit):
    v, task = visit
    note = obs.add_observation(storage, category="process_problem", text="Self-checkout rejects bags over 2 kg",
                               quote="Unexpected item again!", impact="high", visit_id=v["id"])
    assert (note["person_id"], note["task_id"], note["status"]) == (v["person_id"], task["id"], "new")


@pytest.mark.parametrize("text,expected", [
    ("Customer read out 4111 1111 1111 1111 at the till", "Customer read out [card number] at the till"),
    ("Call her back on +44 20 7946 0958 please", "Call her back on [phone number] please"),
    ("Ring 07700 900123 about the parcel", "Ring [phone number] about the parcel"),
    ("Aisle 4 had 12 empty shelves on 2026-11-25, price £1,299.99", None),
])
def test_card_and_phone_numbers_are_masked_before_storage(storage, text, expected):
    note = obs.add_observation(storage, category="customer_voice", text=text)
    assert note["text"] == (expected or text)
    raw = storage.conn.execute("SELECT text FROM observations WHERE id = ?", (note["id"],)).fetchone()[0]
    assert "4111" not in raw and "7946" not in raw


def test_validation_sentences(storage):
    with pytest.raises(UserError, match="empty"):
        obs.add_observation(storage, category="idea", text="   ")
    with pytest.raises(UserError, match="5,000"):
        obs.add_observation(storage, category="idea", text="x" * 5001)
    with pytest.raises(UserError, match="not a category"):
        obs.add_observation(storage, category="gossip", text="hi")
    assert obs.add_observation(storage, category="idea", text="y" * 5000)["text"] == "y" * 5000
    assert storage.value("SELECT count(*) FROM observations") == 1


def test_triage_owner_status_and_follow_up(storage):
    note = obs.add_observation(storage, category="idea", text="Basket stand by the self-checkouts")
    triaged = obs.triage(storage, note["id"], owner="Store manager")
    assert triaged["status"] == "triaged"
    done = obs.triage(storage, note["id"], status="actioned", follow_up="Stand ordered")
    assert done["status"] == "actioned" and done["follow_up"] == "Stand ordered"
    assert [r["follow_up"] for r in obs.actioned(storage)] == ["Stand ordered"]
    with pytest.raises(UserError, match="not a status"):
        obs.triage(storage, note["id"], status="done")


def test_kiosk_autosave_edits_in_place(storage):
    note = obs.add_observation(storage, category="praise", text="Wider aisles")
    obs.edit_observation(storage, note["id"], text="Wider aisles near the tills", impact="low")
    assert storage.value("SELECT count(*) FROM observations") == 1
    assert obs.get_observation(storage, note["id"])["text"] == "Wider aisles near the tills"


def test_list_filters(demo_storage):
    everything = obs.list_observations(demo_storage)
    assert {o["category"] for o in everything} == set(obs.CATEGORIES)
    high = obs.list_observations(demo_storage, impact="high")
    assert high and all(o["impact"] == "high" for o in high)
    found = obs.list_observations(demo_storage, search="oat milk")
    assert found and all("oat milk" in o["text"].lower() for o in found)
