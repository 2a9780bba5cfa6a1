"""scan(): check-in, check-out, repeat window, refusals, auto-close and the forgotten check-out."""

from __future__ import annotations

import datetime as dt

import pytest

from storeshift.errors import UserError
from storeshift.services import badges, bookings, roster, settings, tasks, visits


@pytest.fixture
def mei(storage):
    person = roster.add_person(storage, name="Mei García", department="Executive", employee_id="E1")
    return person, badges.payload_for(storage, person["id"])


def test_first_scan_checks_in_next_checks_out_with_time_given(storage, mei, at):
    person, payload = mei
    first = visits.scan(storage, payload, now=at(9, 0))
    assert first.kind == visits.CHECKED_IN and first.person["name"] == "Mei García"
    assert first.visit["check_in_at"] == "2026-11-25T09:00:00Z"
    second = visits.scan(storage, payload, now=at(11, 30))
    assert second.kind == visits.CHECKED_OUT
    assert second.visit["check_out_at"] == "2026-11-25T11:30:00Z"
    assert second.minutes_today == 150 and second.minutes_total == 150
    assert storage.value("SELECT count(*) FROM visits") == 1


def test_repeat_within_the_window_is_not_a_second_event(storage, mei, at):
    _, payload = mei
    visits.scan(storage, payload, now=at(10, 2))
    audit_rows = storage.value("SELECT count(*) FROM audit_log")
    repeat = visits.scan(storage, payload, now=at(10, 2) + dt.timedelta(seconds=59))
    assert repeat.kind == visits.REPEAT and "10:02" in repeat.message
    assert storage.value("SELECT count(*) FROM audit_log") == audit_rows
    assert visits.scan(storage, payload, now=at(10, 3, )).kind == visits.CHECKED_OUT
    assert visits.scan(storage, payload, now=at(10, 3) + dt.timedelta(seconds=30)).kind == visits.REPEAT
    assert storage.value("SELECT count(*) FROM visits") == 1


def test_repeat_window_is_a_setting(storage, mei, at):
    _, payload = mei
    settings.put(storage, "repeat_window_s", 300)
    visits.scan(storage, payload, now=at(10, 0))
    assert visits.scan(storage, payload, now=at(10, 4)).kind == visits.REPEAT
    assert visits.scan(storage, payload, now=at(10, 6)).kind == visits.CHECKED_OUT


def test_refused_scan_writes_nothing(storage, mei, at):
    _, payload = mei
    before = storage.value("SELECT count(*) FROM audit_log")
    result = visits.scan(storage, payload[:-2] + "AA", now=at(9))
    assert result.kind == visits.REFUSED and result.reason == "damaged"
    assert "try again" in result.message
    assert storage.value("SELECT count(*) FROM audit_log") == before
    assert storage.value("SELECT count(*) FROM visits") == 0


def test_visit_left_open_is_auto_closed_and_the_person_asked_next_time(storage, mei, at):
    person, payload = mei
    settings.put(storage, "closing_time", "21:00")
    visits.scan(storage, payload, now=at(14, 0, day=24))
    result = visits.scan(storage, payload, now=at(9, 0, day=25))
    assert result.kind == visits.CHECKED_IN  # not a silent flip to check-out
    old = result.forgotten_visit
    assert old["auto_closed"] == 1 and old["check_out_at"] == "2026-11-24T21:00:00Z"
    fixed = visits.correct_departure(storage, old["id"], at(17, 45, day=24))
    assert fixed["check_out_at"] == "2026-11-24T17:45:00Z" and fixed["departure_confirmed"] == 1
    assert storage.value("SELECT action FROM audit_log WHERE record_id = ? ORDER BY seq DESC LIMIT 1",
                         (old["id"],)) == "correct_departure"
    with pytest.raises(UserError, match="outside the visit"):
        visits.correct_departure(storage, old["id"], at(22, 0, day=24))
    assert visits.scan(storage, payload, now=at(12, 0)).forgotten_visit is None


def test_auto_close_respects_the_site_time_zone(storage, mei):
    _, payload = mei
    settings.put(storage, "timezone", "America/New_York")
    settings.put(storage, "closing_time", "22:00")
    visits.scan(storage, payload, now=dt.datetime(2026, 7, 1, 15, 0, tzinfo=dt.timezone.utc))
    visits.close_forgotten_visits(storage, dt.datetime(2026, 7, 2, 12, 0, tzinfo=dt.timezone.utc))
    closed = storage.one("SELECT * FROM visits")
    assert closed["check_out_at"] == "2026-07-02T02:00:00Z"  # 22:00 EDT


def test_clock_stepping_back_never_gives_negative_time(storage, mei, at):
    _, payload = mei
    visits.scan(storage, payload, now=at(10, 0))
    out = visits.scan(storage, payload, now=at(8, 0))
    assert out.kind == visits.CHECKED_OUT
    assert visits.visit_minutes(out.visit) == 0
    assert out.visit["check_out_at"] >= out.visit["check_in_at"]


def test_manual_check_in_and_out_record_their_source_and_reason(storage, mei, at):
    person, _ = mei
    visit = visits.check_in_manually(storage, person["id"], now=at(9))
    assert visit["source_in"] == "manual"
    with pytest.raises(UserError, match="already checked in"):
        visits.check_in_manually(storage, person["id"], now=at(9, 5))
    out = visits.check_out_manually(storage, visit["id"], reason="Left for a meeting", now=at(10))
    assert out["source_out"] == "manual" and out["checkout_reason"] == "Left for a meeting"


def test_welcome_shows_task_and_booking_and_checkout_ends_the_task(storage, mei, at):
    person, payload = mei
    task = tasks.add_task(storage, title="Greet at the door", capacity=2)
    bookings.add_booking(storage, person["id"], at(9), at(11), task["id"])
    welcome = visits.scan(storage, payload, now=at(9, 5))
    assert welcome.booking["start_at"] == "2026-11-25T09:00:00Z"
    tasks.assign(storage, welcome.visit["id"], task["id"])
    assert visits.on_floor(storage, at(9, 6))[0]["task_title"] == "Greet at the door"
    repeat = visits.scan(storage, payload, now=at(9, 5, ) + dt.timedelta(seconds=10))
    assert repeat.task["title"] == "Greet at the door"
    goodbye = visits.scan(storage, payload, now=at(10, 35))
    assert goodbye.task["title"] == "Greet at the door"
    assert storage.value("SELECT status FROM assignments") == "done"
    assert visits.on_floor(storage, at(10, 36)) == []
    assert [v["name"] for v in visits.left_today(storage, now=at(11))] == ["Mei García"]
