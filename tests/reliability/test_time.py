"""Case 10: scans just before and after midnight, across both daylight-saving changes of three
zones, and with the clock stepping back an hour. Each visit lands on its local day and week,
no duration is negative, and the weekly totals add up to the real time given."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest

from storeshift.reports.data import week_data
from storeshift.services import badges, roster, settings, visits
from storeshift.timeutil import UTC, local, week_label

pytestmark = pytest.mark.reliability

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney"]


def transitions(zone: str, year: int = 2026) -> list[dt.datetime]:
    """The UTC instants at which the zone's offset changes during the year."""
    tz = ZoneInfo(zone)
    found = []
    moment = dt.datetime(year, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(tz).utcoffset()
    while moment.year == year:
        moment += dt.timedelta(minutes=30)
        now_offset = moment.astimezone(tz).utcoffset()
        if now_offset != offset:
            found.append(moment)
            offset = now_offset
    return found


def wall(zone: str, day: dt.date, hour: int, minute: int, fold: int = 0) -> dt.datetime:
    """A local wall-clock time as the UTC instant it names (fold=1: the second of two)."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, fold=fold, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def scenarios(zone: str) -> list[tuple[str, dt.datetime, dt.datetime, dt.date]]:
    """(name, check-in, check-out, local day it belongs to), in time order."""
    out = []
    plain = dt.date(2026, 6, 17)
    out.append(("midnight in June", wall(zone, plain, 23, 59), wall(zone, plain + dt.timedelta(days=1), 0, 1), plain))
    for change in transitions(zone):
        day = local(change, zone).date()
        eve = day - dt.timedelta(days=1)
        out.append((f"midnight before the change of {day}", wall(zone, eve, 23, 59), wall(zone, day, 0, 1), eve))
        out.append((f"across the change of {day}", change - dt.timedelta(minutes=90),
                    change + dt.timedelta(minutes=150), local(change - dt.timedelta(minutes=90), zone).date()))
        before, after = (change - dt.timedelta(minutes=1)).astimezone(ZoneInfo(zone)), change.astimezone(ZoneInfo(zone))
        if after.utcoffset() < before.utcoffset():
            # Clocks went back: the same wall-clock hour happens twice. In during the first,
            # out during the second at an earlier wall time: still 45 real minutes on.
            repeated = after.hour
            out.append((f"repeated hour of {day}", wall(zone, day, repeated, 30, fold=0),
                        wall(zone, day, repeated, 15, fold=1), day))
    return sorted(out, key=lambda s: s[1])


@pytest.mark.parametrize("zone", ZONES)
def test_visits_land_on_their_local_day_and_week_with_real_durations(storage, zone):
    settings.put(storage, "timezone", zone)
    cases = scenarios(zone)
    assert len(transitions(zone)) == 2 and len(cases) >= 6
    expected_week: dict[str, int] = defaultdict(int)
    expected_day: dict[dt.date, int] = defaultdict(int)
    for i, (name, check_in, check_out, day) in enumerate(cases):
        person = roster.add_person(storage, name=f"Visitor {i}")
        payload = badges.payload_for(storage, person["id"])
        arrived = visits.scan(storage, payload, now=check_in)
        assert arrived.kind == visits.CHECKED_IN, name
        left = visits.scan(storage, payload, now=check_out)
        assert left.kind == visits.CHECKED_OUT, name
        real = int((check_out - check_in).total_seconds() // 60)
        assert real > 0
        visit = left.visit
        assert visits.visit_minutes(visit) == real, name
        assert left.minutes_total == real and left.minutes_today >= 0, name
        assert local(visit["check_in_at"], zone).date() == day, name
        assert week_label(visit["check_in_at"], zone) == "{}-W{:02d}".format(*day.isocalendar()[:2]), name
        expected_week["{}-W{:02d}".format(*day.isocalendar()[:2])] += real
        expected_day[day] += real
    later = dt.datetime(2027, 3, 1, tzinfo=UTC)
    for label, minutes in expected_week.items():
        year, week = int(label[:4]), int(label[-2:])
        data = week_data(storage, year, week, now=later)
        assert data.figures.minutes == minutes, f"{zone} {label}"
        for day, day_minutes in zip(data.days, data.minutes_per_day):
            assert day_minutes == expected_day.get(day, 0), f"{zone} {day}"
        # Closed visits do not depend on when the report is made.
        assert week_data(storage, year, week, now=later + dt.timedelta(days=400)).figures.minutes == minutes


@pytest.mark.parametrize("zone", ZONES)
def test_clock_stepping_back_an_hour_never_makes_time_negative(storage, zone):
    settings.put(storage, "timezone", zone)
    day = dt.date(2026, 11, 18)
    start = wall(zone, day, 10, 0)
    people = [roster.add_person(storage, name=f"Visitor {i}") for i in range(3)]
    payload = {p["id"]: badges.payload_for(storage, p["id"]) for p in people}
    early, stepped, late = people
    # A complete visit before anything goes wrong: its minutes must never change.
    visits.scan(storage, payload[early["id"]], now=start - dt.timedelta(hours=3))
    visits.scan(storage, payload[early["id"]], now=start - dt.timedelta(hours=1))
    year, week, _ = day.isocalendar()
    before = week_data(storage, year, week, now=start).figures.minutes
    assert before == 120

    visits.scan(storage, payload[late["id"]], now=start - dt.timedelta(minutes=45))
    visits.scan(storage, payload[stepped["id"]], now=start)
    # 30 minutes later the PC's clock is put back an hour: it now reads 09:30.
    clock = start + dt.timedelta(minutes=30) - dt.timedelta(hours=1)
    out = visits.scan(storage, payload[stepped["id"]], now=clock)
    assert out.kind == visits.CHECKED_OUT
    assert visits.visit_minutes(out.visit) == 0 and out.visit["check_out_at"] >= out.visit["check_in_at"]
    assert out.minutes_today >= 0 and out.minutes_total >= 0
    # Someone who came before the step and leaves after it: real minutes by the (wrong) clock, not negative.
    out = visits.scan(storage, payload[late["id"]], now=clock + dt.timedelta(minutes=90))
    assert out.kind == visits.CHECKED_OUT and visits.visit_minutes(out.visit) == 105
    for visit in storage.rows("SELECT * FROM visits"):
        assert visits.visit_minutes(visit, now=clock) >= 0
        assert local(visit["check_in_at"], zone).date() == day
    after = week_data(storage, year, week, now=clock).figures.minutes
    assert after == before + 0 + 105, "the week's total moved by more than the visits added"
    earlier = storage.one("SELECT * FROM visits WHERE person_id = ?", (early["id"],))
    assert visits.visit_minutes(earlier, now=clock) == 120


def test_clock_stepping_back_between_two_edits_does_not_look_like_tampering(storage, monkeypatch):
    """The audit log stamps each change with the PC's clock; put back an hour between two edits
    of the same row, the later edit carries the earlier time, and `check` must still pass."""
    from storeshift.services import maintenance, observations
    from storeshift.storage import db as storage_db

    clock = [dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)]
    monkeypatch.setattr(storage_db, "utc_now", lambda: clock[0])  # the system clock, as SQLite's caller sees it
    note = observations.add_observation(storage, category="idea", text="First words")
    clock[0] += dt.timedelta(minutes=5)
    observations.edit_observation(storage, note["id"], text="Second words")
    clock[0] -= dt.timedelta(hours=1)
    observations.edit_observation(storage, note["id"], text="Third words")
    report = maintenance.check(storage)
    assert report.ok, report.lines()
    assert observations.get_observation(storage, note["id"])["text"] == "Third words"
