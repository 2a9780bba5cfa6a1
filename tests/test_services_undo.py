"""Undo of the shift lead's last change: an assignment, 'task done', a check-out and a triage
each go back exactly as they were, and are refused with nothing changed once things moved on."""

from __future__ import annotations

import pytest

from storeshift.errors import Refused, UserError
from storeshift.services import observations, roster, tasks, themes, visits
from storeshift.storage import audit


@pytest.fixture
def floor(storage, at):
    people = [roster.add_person(storage, name=f"Person {i}") for i in range(2)]
    return [visits.check_in_manually(storage, p["id"], now=at(9)) for p in people]


def active_task(storage, visit_id):
    return storage.value("SELECT task_id FROM assignments WHERE visit_id = ? AND status = 'active'", (visit_id,))


def test_undo_a_first_assignment_leaves_the_person_without_a_task(storage, floor):
    door = tasks.add_task(storage, title="Greet at the door", capacity=1)
    given = tasks.assign(storage, floor[0]["id"], door["id"])
    tasks.undo_assign(storage, given["id"])
    assert active_task(storage, floor[0]["id"]) is None
    # The place is free again, and the undo is in the audit log.
    tasks.assign(storage, floor[1]["id"], door["id"])
    assert storage.value("SELECT count(*) FROM audit_log WHERE action = 'undo_assign'") == 1
    assert audit.verify(storage).ok


def test_undo_a_reassignment_gives_the_earlier_task_back(storage, floor):
    door = tasks.add_task(storage, title="Greet at the door")
    aisle = tasks.add_task(storage, title="Stock aisle 4")
    first = tasks.assign(storage, floor[0]["id"], door["id"])
    second = tasks.assign(storage, floor[0]["id"], aisle["id"])
    tasks.undo_assign(storage, second["id"], previous_id=first["id"])
    assert active_task(storage, floor[0]["id"]) == door["id"]
    assert storage.one("SELECT ended_at FROM assignments WHERE id = ?", (first["id"],))["ended_at"] is None
    # Undone once: a second undo of the same change is refused and changes nothing.
    with pytest.raises(Refused, match="ended or changed"):
        tasks.undo_assign(storage, second["id"], previous_id=first["id"])
    assert active_task(storage, floor[0]["id"]) == door["id"]


def test_undo_a_reassignment_is_refused_when_the_earlier_task_filled_up(storage, floor):
    desk = tasks.add_task(storage, title="Returns desk", capacity=1)
    aisle = tasks.add_task(storage, title="Stock aisle 4")
    first = tasks.assign(storage, floor[0]["id"], desk["id"])
    second = tasks.assign(storage, floor[0]["id"], aisle["id"])
    tasks.assign(storage, floor[1]["id"], desk["id"])
    with pytest.raises(Refused, match="full now"):
        tasks.undo_assign(storage, second["id"], previous_id=first["id"])
    assert active_task(storage, floor[0]["id"]) == aisle["id"]


def test_undo_task_done(storage, floor, at):
    door = tasks.add_task(storage, title="Greet at the door")
    tasks.assign(storage, floor[0]["id"], door["id"])
    done = tasks.complete(storage, floor[0]["id"])
    tasks.undo_complete(storage, done["id"])
    assert active_task(storage, floor[0]["id"]) == door["id"]
    with pytest.raises(Refused, match="not marked done"):
        tasks.undo_complete(storage, done["id"])
    # Once the person has checked out, 'done' stays done.
    again = tasks.complete(storage, floor[0]["id"])
    visits.check_out_manually(storage, floor[0]["id"], now=at(10))
    with pytest.raises(Refused, match="checked out since"):
        tasks.undo_complete(storage, again["id"])


def test_undo_a_check_out_puts_the_person_back_on_their_task(storage, floor, at):
    door = tasks.add_task(storage, title="Greet at the door")
    tasks.assign(storage, floor[0]["id"], door["id"])
    visits.check_out_manually(storage, floor[0]["id"], "Forgot to scan out", now=at(10))
    visit = visits.undo_check_out(storage, floor[0]["id"])
    assert visit["check_out_at"] is None and visit["checkout_reason"] is None and visit["source_out"] is None
    assert floor[0]["person_id"] in {r["person_id"] for r in visits.on_floor(storage, at(10, 1))}
    assert active_task(storage, floor[0]["id"]) == door["id"]
    with pytest.raises(UserError, match="still checked in"):
        visits.undo_check_out(storage, floor[0]["id"])
    assert audit.verify(storage).ok


def test_undo_a_check_out_is_refused_after_a_new_check_in(storage, floor, at):
    visits.check_out_manually(storage, floor[0]["id"], now=at(10))
    visits.check_in_manually(storage, floor[0]["person_id"], now=at(11))
    with pytest.raises(UserError, match="checked in again"):
        visits.undo_check_out(storage, floor[0]["id"])
    assert storage.one("SELECT check_out_at FROM visits WHERE id = ?", (floor[0]["id"],))["check_out_at"]


def test_undo_triage_restores_owner_status_and_follow_up(storage, floor):
    note = observations.add_observation(storage, category="idea", text="Self-scan needs a bag hook",
                                        visit_id=floor[0]["id"])
    before = {k: note[k] for k in observations.TRIAGE_FIELDS}
    saved = observations.triage(storage, note["id"], owner="Ops team", follow_up="Ordered hooks")
    assert saved["status"] == "triaged"
    restored = observations.undo_triage(storage, note["id"], before, saved)
    assert {k: restored[k] for k in observations.TRIAGE_FIELDS} == {"status": "new", "owner": None,
                                                                     "follow_up": None}
    # A later change by someone else is not overwritten by an old undo.
    later = observations.triage(storage, note["id"], status="closed")
    with pytest.raises(UserError, match="changed again"):
        observations.undo_triage(storage, note["id"], before, saved)
    assert observations.get_observation(storage, note["id"])["status"] == later["status"] == "closed"


def test_undo_a_theme_triage_restores_it_and_the_times_its_statuses_were_reached(storage, floor):
    note = observations.add_observation(storage, category="process_problem", text="Returns need two signatures",
                                        visit_id=floor[0]["id"])
    theme = themes.create_theme(storage, "Returns sign-off", [note["id"]])
    before = themes.get_theme(storage, theme["id"])
    saved = themes.update(storage, theme["id"], status="actioned", owner="Ops team", follow_up="One signature now")
    assert saved["actioned_at"] and saved["owner"] == "Ops team"
    restored = themes.undo_update(storage, theme["id"], before, saved)
    assert {k: restored[k] for k in ("status", "owner", "follow_up", "triaged_at", "actioned_at")} == {
        k: before[k] for k in ("status", "owner", "follow_up", "triaged_at", "actioned_at")}
    later = themes.update(storage, theme["id"], status="closed")
    with pytest.raises(UserError, match="changed again"):
        themes.undo_update(storage, theme["id"], before, saved)
    assert themes.get_theme(storage, theme["id"])["status"] == later["status"] == "closed"
