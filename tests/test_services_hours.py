"""Honest hours with the time injected: forgotten check-outs end at closing time (per weekday) and
stay estimated until confirmed, reports split confirmed and estimated hours, a finished week's
figures never move, corrections land in the next week's report, and the roll call."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest
from click.testing import CliRunner

from storeshift import timeutil
from storeshift.cli import main
from storeshift.errors import UserError
from storeshift.reports import data
from storeshift.reports.rollcall import build_roll_call
from storeshift.services import badges, hours, roster, settings, tasks, visits
from storeshift.storage import audit
from storeshift.timeutil import UTC, local, local_day_bounds

# November: London is on UTC, so these are also the site's wall-clock times.
MON, TUE, WED = 23, 24, 25


@pytest.fixture
def people(storage):
    made = [roster.add_person(storage, name=name, department=dept)
            for name, dept in (("Ana Ruiz", "Finance"), ("Ben Okafor", "IT"), ("Chloé Martin", "Legal"))]
    return [(p, badges.payload_for(storage, p["id"])) for p in made]


def test_a_visit_left_open_overnight_ends_at_closing_time_and_is_estimated(storage, people, at):
    (ana, ana_badge), _, _ = people
    visits.scan(storage, ana_badge, now=at(14, 0, day=TUE))
    sched = hours.schedule(storage)
    visit = storage.one("SELECT * FROM visits")
    # Before anything closes it in the file, every reader sees it ended at 22:00, estimated.
    read = hours.span(visit, sched, at(8, 0, day=WED))
    assert (read.end, read.estimated, read.minutes) == ("2026-11-24T22:00:00Z", True, 480)
    assert visits.on_floor(storage, at(8, 0, day=WED)) == []
    assert visits.on_floor(storage, at(21, 59, day=TUE))[0]["name"] == "Ana Ruiz"
    # The next process to open the database (or a running window at closing time) closes it.
    assert visits.close_forgotten_visits(storage, at(8, 0, day=WED)) == 1
    closed = storage.one("SELECT * FROM visits")
    assert closed["check_out_at"] == closed["estimated_out_at"] == "2026-11-24T22:00:00Z"
    assert closed["auto_closed"] == 1 and closed["departure_confirmed"] == 0
    assert hours.span(closed, sched, at(8, 0, day=WED)) == read
    assert storage.value("SELECT action FROM audit_log WHERE record_id = ? ORDER BY seq DESC LIMIT 1",
                         (closed["id"],)) == "auto_close"
    # Nothing left to close: no write at all.
    entries = storage.value("SELECT count(*) FROM audit_log")
    assert visits.close_forgotten_visits(storage, at(9, 0, day=WED)) == 0
    assert storage.value("SELECT count(*) FROM audit_log") == entries


def test_closing_time_is_a_setting_per_weekday(storage, people, at):
    (ana, ana_badge), (ben, ben_badge), _ = people
    settings.put(storage, "closing_time", "21:00")
    settings.put(storage, "closing_time_tue", "18:30")
    assert settings.closing_times(storage) == ("21:00", "18:30", "21:00", "21:00", "21:00", "21:00", "21:00")
    with pytest.raises(UserError, match="Closing time on Saturdays"):
        settings.put(storage, "closing_time_sat", "25:00")
    settings.put(storage, "closing_time_sat", "")  # empty: as every day
    assert settings.get(storage, "closing_time_sat") is None
    visits.scan(storage, ana_badge, now=at(10, 0, day=MON))
    visits.scan(storage, ben_badge, now=at(10, 0, day=TUE))
    visits.close_forgotten_visits(storage, at(9, 0, day=WED))
    ends = {row["person_id"]: row["check_out_at"] for row in storage.rows("SELECT * FROM visits")}
    assert ends == {ana["id"]: "2026-11-23T21:00:00Z", ben["id"]: "2026-11-24T18:30:00Z"}


def test_a_night_shift_begun_after_closing_ends_at_the_next_closing(storage, people, at):
    (ana, ana_badge), _, _ = people
    visits.scan(storage, ana_badge, now=at(23, 0, day=MON))
    assert [r["name"] for r in visits.on_floor(storage, at(7, 0, day=TUE))] == ["Ana Ruiz"]
    assert visits.roll_call(storage, at(7, 0, day=TUE))[0]["since"] == "2026-11-23T23:00:00Z"
    out = visits.scan(storage, ana_badge, now=at(7, 0, day=TUE))
    assert out.kind == visits.CHECKED_OUT
    # The visit belongs to Monday: the goodbye says so, and gives its 8 hours, not "today's" 0.
    assert out.day == dt.date(2026, 11, MON) and out.minutes_today == 480
    assert out.given == "You gave 8 h on the shift you began yesterday and 8 h in total."
    assert "8 h on the shift you began yesterday" in out.message
    assert visits.left_today(storage, at(8, 0, day=TUE)) == []


def test_the_lead_sets_a_time_or_confirms_the_estimate_in_one_step(storage, people, at):
    (ana, ana_badge), (ben, ben_badge), (chloe, chloe_badge) = people
    for badge in (ana_badge, ben_badge, chloe_badge):
        visits.scan(storage, badge, now=at(15, 0, day=TUE))
    visits.scan(storage, chloe_badge, now=at(17, 0, day=TUE))      # Chloé scanned out
    day, forgotten = visits.didnt_check_out(storage, at(8, 0, day=WED))
    assert day == dt.date(2026, 11, TUE)
    assert [(r["name"], r["ended_at"], r["minutes"]) for r in forgotten] == [
        ("Ana Ruiz", "2026-11-24T22:00:00Z", 420), ("Ben Okafor", "2026-11-24T22:00:00Z", 420)]
    by_name = {r["name"]: r for r in forgotten}
    # Still open in the file (nothing has closed it yet): setting a time closes it first.
    fixed = visits.correct_departure(storage, by_name["Ana Ruiz"]["visit_id"], at(18, 15, day=TUE),
                                     actor="shift lead", now=at(8, 5, day=WED))
    assert fixed["check_out_at"] == "2026-11-24T18:15:00Z" and fixed["departure_confirmed"] == 1
    assert fixed["estimated_out_at"] == "2026-11-24T22:00:00Z" and fixed["confirmed_at"] == "2026-11-25T08:05:00Z"
    kept = visits.correct_departure(storage, by_name["Ben Okafor"]["visit_id"], None, actor="shift lead",
                                    now=at(8, 6, day=WED))
    assert kept["check_out_at"] == "2026-11-24T22:00:00Z" and kept["departure_confirmed"] == 1
    assert visits.didnt_check_out(storage, at(8, 10, day=WED)) == (dt.date(2026, 11, TUE), [])
    undone = visits.undo_departure(storage, fixed["id"])
    assert undone["check_out_at"] == "2026-11-24T22:00:00Z" and not undone["departure_confirmed"]
    assert [r["name"] for r in visits.didnt_check_out(storage, at(8, 11, day=WED))[1]] == ["Ana Ruiz"]
    with pytest.raises(UserError, match="nothing to undo"):
        visits.undo_departure(storage, fixed["id"])
    fixed = visits.correct_departure(storage, fixed["id"], at(18, 15, day=TUE), now=at(8, 12, day=WED))
    sched = hours.schedule(storage)
    assert not hours.span(kept, sched, at(9, 0, day=WED)).estimated
    with pytest.raises(UserError, match="outside the visit"):
        visits.correct_departure(storage, fixed["id"], at(23, 0, day=TUE), now=at(8, 20, day=WED))
    chloe_visit = storage.one("SELECT id FROM visits WHERE person_id = ?", (chloe["id"],))
    with pytest.raises(UserError, match="needs no confirming"):
        visits.correct_departure(storage, chloe_visit["id"], None, now=at(8, 20, day=WED))
    # Today's visit is still on the floor: nothing to correct yet.
    today = visits.scan(storage, chloe_badge, now=at(9, 0, day=WED))
    with pytest.raises(UserError, match="still on the floor"):
        visits.correct_departure(storage, today.visit["id"], None, now=at(9, 30, day=WED))


def test_report_hours_split_confirmed_and_estimated(storage, people, at, tmp_path):
    (ana, ana_badge), (ben, ben_badge), _ = people
    visits.scan(storage, ana_badge, now=at(9, 0, day=MON))
    visits.scan(storage, ana_badge, now=at(12, 0, day=MON))          # 3 h, confirmed
    visits.scan(storage, ben_badge, now=at(20, 0, day=TUE))          # forgotten: 2 h to closing, estimated
    week = data.week_data(storage, 2026, 48, now=at(10, 0, day=WED))
    assert (week.figures.minutes, week.figures.estimated_minutes) == (300, 120)
    assert week.estimated_per_day[:3] == [0, 120, 0]
    assert {p["name"]: (p["minutes"], p["estimated_minutes"]) for p in week.people} == {
        "Ana Ruiz": (180, 0), "Ben Okafor": (120, 120)}
    assert week.figures.hours_given.text() == "5.0 h delivered, 2.0 h of it estimated"
    from storeshift.reports.weekly import build_weekly_report

    pdf = build_weekly_report(storage, 2026, 48, tmp_path / "w48.pdf", now=at(10, 0, day=WED))
    words = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                    check=True).stdout.split())
    assert "2.0 h of it estimated" in words and "2.0 (2.0 est.)" in words


def test_a_finished_week_keeps_its_figures_and_the_next_week_lists_the_corrections(storage, people, at, tmp_path):
    (ana, ana_badge), (ben, ben_badge), (chloe, chloe_badge) = people
    sunday = 29
    visits.scan(storage, ana_badge, now=at(9, 0, day=MON))
    visits.scan(storage, ana_badge, now=at(11, 0, day=MON))
    visits.scan(storage, ben_badge, now=at(18, 0, day=sunday))       # forgets to scan out
    visits.scan(storage, chloe_badge, now=at(23, 0, day=sunday))     # a night shift over the week's end
    monday_morning = dt.datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    first = data.week_data(storage, 2026, 48, now=monday_morning)
    assert first.finished and first.as_of == "2026-11-30T00:00:00Z"
    # Ana 2 h confirmed, Ben 4 h to closing (estimated), Chloé open at the week's end: 1 h.
    assert (first.figures.minutes, first.figures.estimated_minutes, first.figures.open_visits) == (420, 240, 1)

    # Later: Chloé scans out, Ben comes back and says when he left, a day passes.
    visits.scan(storage, chloe_badge, now=dt.datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    back = visits.scan(storage, ben_badge, now=dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    assert back.forgotten_visit is not None
    visits.correct_departure(storage, back.forgotten_visit["id"], at(19, 0, day=sunday),
                             now=dt.datetime(2026, 11, 30, 9, 1, tzinfo=UTC))
    again = data.week_data(storage, 2026, 48, now=dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert (again.figures.minutes, again.figures.estimated_minutes, again.figures.open_visits) == (420, 240, 1)
    assert again.minutes_per_day == first.minutes_per_day
    assert [(p["name"], p["minutes"]) for p in again.people] == [(p["name"], p["minutes"]) for p in first.people]

    nxt = data.week_data(storage, 2026, 49, now=dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert nxt.previous.minutes == first.figures.minutes       # last week as its own report says
    changes = {c["person_name"]: (c["minutes_before"], c["minutes_after"], c["was_estimated"], c["estimated"])
               for c in nxt.corrections}
    assert changes == {"Ben Okafor": (240, 60, True, False), "Chloé Martin": (60, 480, True, False)}
    assert all(c["week"] == "2026-W48" for c in nxt.corrections)
    from storeshift.reports.weekly import build_weekly_report

    pdf = build_weekly_report(storage, 2026, 49, tmp_path / "w49.pdf", now=dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    words = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                    check=True).stdout.split())
    assert "Changes to earlier weeks" in words and "+4.0 h in all" in words
    from storeshift.reports.consolidated import build_consolidated_report

    pdf = build_consolidated_report(storage, 2026, 49, tmp_path / "all49.pdf",
                                    now=dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    words = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                    check=True).stdout.split())
    assert "Changes to earlier weeks" in words and "Chloé Martin" in words


def test_an_open_visit_never_counts_up_to_now_in_a_finished_week(storage, people, at):
    (ana, ana_badge), _, _ = people
    settings.put(storage, "closing_time", "23:59")
    visits.scan(storage, ana_badge, now=at(23, 30, day=29))         # Sunday, still open at the week's end
    figures = [data.week_data(storage, 2026, 48, now=dt.datetime(2026, 12, day, 10, 0, tzinfo=UTC)).figures.minutes
               for day in (1, 2, 9)]
    assert figures == [29, 29, 29]


def test_floor_json_on_the_demo_lists_exactly_todays_open_visits(db_path, monkeypatch):
    from storeshift.services import demo
    from storeshift.storage import open_storage

    moment = dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    storage = open_storage(db_path)
    demo.seed(storage, people=40, weeks=3, seed=7, now=moment)
    start, end = local_day_bounds(moment.date(), "Europe/London")
    expected = {row["id"]: row["person_id"] for row in storage.rows(
        "SELECT id, person_id FROM visits WHERE check_out_at IS NULL AND check_in_at >= ? AND check_in_at < ?",
        (start, end))}
    forgotten = storage.value("SELECT count(*) FROM visits WHERE check_out_at IS NULL AND check_in_at < ?", (start,))
    storage.close()
    assert expected and forgotten == 2, "the demo has people on the floor and two forgotten check-outs"
    monkeypatch.setattr(timeutil, "utc_now", lambda: moment)
    result = CliRunner().invoke(main, ["--db", str(db_path), "floor", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert sorted(p["person_id"] for p in listed) == sorted(expected.values())
    assert all(set(p) == {"person_id", "name", "department", "since", "task"} for p in listed)
    assert all(start <= p["since"] < end for p in listed)
    text = CliRunner().invoke(main, ["--db", str(db_path), "floor"])
    assert text.exit_code == 0 and f"{len(expected)} people on site" in text.output
    # Opening the database closed yesterday's forgotten visits in the file, audited.
    storage = open_storage(db_path)
    try:
        assert storage.value("SELECT count(*) FROM visits WHERE auto_closed = 1") == 2
        assert audit.verify(storage).ok
    finally:
        storage.close()


def _pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.parametrize("count", [3, 120, 400])
def test_roll_call_is_one_page_with_everyone_on_it(storage, tmp_path, at, count):
    task = tasks.add_task(storage, title="Greet at the door")
    names = []
    for i in range(count):
        person = roster.add_person(storage, name=f"Person Nummer {i:03d}", department="Operations")
        visit = visits.check_in_manually(storage, person["id"], now=at(9, 0) + dt.timedelta(seconds=i))
        if i == 0:
            tasks.assign(storage, visit["id"], task["id"])
        names.append(person["name"])
    yesterday = roster.add_person(storage, name="Forgot Yesterday")
    visits.check_in_manually(storage, yesterday["id"], now=at(10, 0, day=TUE))
    pdf = build_roll_call(storage, tmp_path / "roll.pdf", now=at(11, 0))
    assert _pdf_pages(pdf) == 1
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert f"{count} people" in " ".join(words.split())
    assert all(name in words for name in names)
    assert "Forgot Yesterday" not in words
    assert local(at(11, 0), "Europe/London").strftime("%H:%M") in words


@pytest.mark.parametrize("zone, night", [("Europe/London", dt.date(2026, 10, 24)),   # clocks go back
                                         ("Europe/London", dt.date(2026, 3, 28)),    # clocks go forward
                                         ("America/New_York", dt.date(2026, 10, 31)),
                                         ("America/New_York", dt.date(2026, 3, 7))])
def test_across_midnight_and_a_dst_night_a_visit_belongs_to_its_check_in_day(storage, people, zone, night):
    """Checked in at 23:30 on the eve of a clock change, out at 03:30 the next morning (wall clock);
    a second visit begun the same evening is forgotten. Both belong to the check-in day in the
    kiosk's goodbye, the board, the roll call and the weekly report."""
    from zoneinfo import ZoneInfo

    (ana, ana_badge), (ben, ben_badge), _ = people
    settings.put(storage, "timezone", zone)
    tz = ZoneInfo(zone)
    morning = night + dt.timedelta(days=1)
    check_in = dt.datetime.combine(night, dt.time(23, 30), tz).astimezone(UTC)
    check_out = dt.datetime.combine(morning, dt.time(3, 30), tz).astimezone(UTC)
    real = int((check_out - check_in).total_seconds() // 60)
    assert real in (180, 240, 300)  # the clock change is inside the visit
    visits.scan(storage, ana_badge, now=check_in)
    visits.scan(storage, ben_badge, now=check_in + dt.timedelta(minutes=5))
    during = check_out - dt.timedelta(minutes=30)
    assert {r["name"] for r in visits.roll_call(storage, during)} == {"Ana Ruiz", "Ben Okafor"}
    from storeshift.reports.rollcall import since_text

    assert since_text(check_in.isoformat(), during, zone) == f"{night:%a} {night.day} {night:%b} 23:30"
    out = visits.scan(storage, ana_badge, now=check_out)
    assert out.kind == visits.CHECKED_OUT and out.day == night and out.minutes_today == real
    assert "on the shift you began yesterday" in out.given
    # Next day at noon: Ana's visit is not "left today"; Ben's is ended at that day's closing
    # time (the first after he began) and listed under the night he began.
    noon = dt.datetime.combine(morning, dt.time(12, 0), tz).astimezone(UTC)
    assert visits.left_today(storage, noon) == []
    assert [r["name"] for r in visits.on_floor(storage, noon)] == ["Ben Okafor"]
    later = dt.datetime.combine(morning + dt.timedelta(days=1), dt.time(9, 0), tz).astimezone(UTC)
    day, forgotten = visits.didnt_check_out(storage, later)
    assert day == night and [r["name"] for r in forgotten] == ["Ben Okafor"]
    assert local(forgotten[0]["ended_at"], zone) == dt.datetime.combine(morning, dt.time(22, 0), tz)
    year, week, _ = night.isocalendar()
    report = data.week_data(storage, year, week, now=later + dt.timedelta(days=7))
    index = report.days.index(night)
    ben_minutes = forgotten[0]["minutes"]
    assert report.minutes_per_day[index] == real + ben_minutes
    assert report.estimated_per_day[index] == ben_minutes and sum(report.estimated_per_day) == ben_minutes


def test_exports_and_the_consolidated_report_say_how_much_is_estimated(storage, people, at, tmp_path):
    from storeshift.reports.consolidated import build_consolidated_report, consolidated_data
    from storeshift.services import privacy

    (ana, ana_badge), _, _ = people
    visits.scan(storage, ana_badge, now=at(9, 0, day=MON))
    visits.scan(storage, ana_badge, now=at(10, 30, day=MON))
    visits.scan(storage, ana_badge, now=at(20, 0, day=TUE))          # forgotten: 2 h estimated
    export = privacy.export_person(storage, ana["id"], now=at(9, 0, day=WED))
    assert export["hours"] == {"minutes": 210, "estimated_minutes": 120,
                               "text": "3.5 h given, 2.0 h of it estimated"}
    assert [(v["minutes"], v["estimated"]) for v in export["visits"]] == [(90, False), (120, True)]
    report = consolidated_data(storage, 2026, 48, now=at(9, 0, day=WED))
    assert [(s.figures.minutes, s.figures.estimated_minutes) for s in report.sites] == [(210, 120)]
    pdf = build_consolidated_report(storage, 2026, 48, tmp_path / "all.pdf", now=at(9, 0, day=WED))
    words = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                    check=True).stdout.split())
    assert "2.0 h of it estimated" in words and "3.5 (2.0 est.)" in words


def test_a_database_from_before_the_estimates_upgrades_with_its_audit_chain_intact(tmp_path, at):
    """Visits written (and hashed) before m007 keep their audit hashes once the columns exist; a
    forgotten one closed before the upgrade still reads as estimated."""
    from sqlite_utils import Database

    from storeshift.services import maintenance
    from storeshift.storage import db as storage_db, open_storage, schema

    path = tmp_path / "old.db"
    old = storage_db.Storage(Database(storage_db._connect(path)), path)
    schema.migrations.apply(old.db, stop_before="m007_visit_estimates")
    schema.ensure_home_site(old, "Old Store")
    assert "estimated_out_at" not in audit.columns(old, "visits")
    person = roster.add_person(old, name="Ana Ruiz")
    # As the earlier version wrote them: a visit checked out by badge, and a forgotten one closed.
    with old.write():
        audit.insert(old, "visits", {"person_id": person["id"], "check_in_at": "2026-11-23T09:00:00Z",
                                     "check_out_at": "2026-11-23T11:00:00Z", "source_out": "badge"},
                     "kiosk", "check_in")
        audit.insert(old, "visits", {"person_id": person["id"], "check_in_at": "2026-11-24T15:00:00Z",
                                     "check_out_at": "2026-11-24T22:00:00Z", "source_out": "auto",
                                     "auto_closed": 1}, "system", "auto_close")
    old.close()

    storage = open_storage(path)
    try:
        assert {"estimated_out_at", "confirmed_at"} <= set(audit.columns(storage, "visits"))
        assert maintenance.check(storage).ok
        week = data.week_data(storage, 2026, 48, now=at(9, 0, day=WED))
        assert (week.figures.minutes, week.figures.estimated_minutes) == (120 + 420, 420)
        forgotten = storage.one("SELECT id FROM visits WHERE auto_closed = 1")
        visits.correct_departure(storage, forgotten["id"], at(17, 0, day=TUE), now=at(9, 5, day=WED))
        assert maintenance.check(storage).ok
        assert data.week_data(storage, 2026, 48, now=at(9, 10, day=WED)).figures.estimated_minutes == 0
    finally:
        storage.close()
