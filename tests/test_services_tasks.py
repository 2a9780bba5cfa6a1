"""Task catalogue and assignment: one active task per visit, capacity, reassign, complete, CSV."""

from __future__ import annotations

import pytest

from conftest import SAMPLE_DATA
from storeshift.errors import Refused, UserError
from storeshift.services import roster, tasks, visits
from storeshift.services.csvio import CsvRefused


@pytest.fixture
def floor(storage, at):
    people = [roster.add_person(storage, name=f"Person {i}") for i in range(3)]
    return [visits.check_in_manually(storage, p["id"], now=at(9)) for p in people]


def test_assign_reassign_complete(storage, floor):
    door = tasks.add_task(storage, title="Greet at the door")
    aisle = tasks.add_task(storage, title="Stock aisle 4")
    tasks.assign(storage, floor[0]["id"], door["id"])
    tasks.assign(storage, floor[0]["id"], aisle["id"])
    rows = storage.rows("SELECT task_id, status FROM assignments ORDER BY assigned_at, status")
    assert sorted((r["task_id"], r["status"]) for r in rows) == sorted(
        [(door["id"], "replaced"), (aisle["id"], "active")])
    tasks.complete(storage, floor[0]["id"])
    assert storage.value("SELECT count(*) FROM assignments WHERE status = 'active'") == 0
    with pytest.raises(UserError, match="no task"):
        tasks.complete(storage, floor[0]["id"])


def test_capacity_is_enforced_with_a_reason(storage, floor):
    returns = tasks.add_task(storage, title="Returns desk", capacity=1)
    tasks.assign(storage, floor[0]["id"], returns["id"])
    with pytest.raises(Refused, match="full: 1 of 1"):
        tasks.assign(storage, floor[1]["id"], returns["id"])
    tasks.unassign(storage, floor[0]["id"])
    tasks.assign(storage, floor[1]["id"], returns["id"])


def test_archived_task_and_checked_out_visit_are_refused(storage, floor, at):
    old = tasks.add_task(storage, title="Old task")
    tasks.archive_task(storage, old["id"])
    with pytest.raises(Refused, match="archived"):
        tasks.assign(storage, floor[0]["id"], old["id"])
    visits.check_out_manually(storage, floor[2]["id"], now=at(10))
    fresh = tasks.add_task(storage, title="Fresh task")
    with pytest.raises(Refused, match="already checked out"):
        tasks.assign(storage, floor[2]["id"], fresh["id"])
    assert [t["title"] for t in tasks.list_tasks(storage)] == ["Fresh task"]


def test_import_shared_catalogue_twice_changes_nothing_the_second_time(storage):
    first = tasks.import_tasks(storage, SAMPLE_DATA / "tasks.csv")
    assert first.added == 10 and not first.errors
    second = tasks.import_tasks(storage, SAMPLE_DATA / "tasks.csv")
    assert (second.added, second.updated, second.unchanged) == (0, 0, 10)


def test_bad_task_lines_are_listed(storage):
    data = b"title,minutes,capacity\nGood,30,2\n,30,1\nBad minutes,soon,1\nGood,40,1\nZero,10,0\n"
    with pytest.raises(CsvRefused) as caught:
        tasks.import_tasks(storage, data)
    assert [(e.line, e.reason) for e in caught.value.errors] == [
        (3, "title is missing"), (4, "minutes 'soon' is not a whole number"),
        (5, "task 'Good' is also on line 2"), (6, "capacity must be more than 0")]
    assert storage.value("SELECT count(*) FROM tasks") == 0


def test_a_task_file_without_a_title_column_says_so_without_offering_map(storage, tmp_path):
    """Only the roster import takes --map, so only its sentence offers it."""
    path = tmp_path / "tasks.csv"
    path.write_text("name,area\nGreet,Door\n", encoding="utf-8")
    with pytest.raises(UserError) as raised:
        tasks.import_tasks(storage, path)
    assert str(raised.value) == "The header line has no column 'title' (it has: name, area)."
    assert storage.value("SELECT count(*) FROM tasks") == 0
