"""The kiosk session without a screen: AZERTY readings, scans kept while the database is locked
and recorded in order at their own time, giving up, the debrief autosave, the departure guess,
the PIN rule and lockout, the late summary; and the one-kiosk lease."""

from __future__ import annotations

import json
import sqlite3

import pytest

from storeshift.errors import DatabaseBusy, Refused, UserError
from storeshift.services import badges, kiosk_lease, kiosk_session, pin, roster, visits
from storeshift.services.kiosk_session import KioskSession
from storeshift.storage.db import SiblingStorage

AZERTY = str.maketrans({"0": "à", "1": "&", "2": "é", "3": '"', "4": "'", "5": "(", "6": "-", "7": "è",
                        "8": "_", "9": "ç", "-": ")", "A": "Q", "Q": "A", "Z": "W", "W": "Z", "M": "?"})


@pytest.fixture
def people(storage):
    made = [roster.add_person(storage, name=name, department="Finance") for name in ("Ann Lee", "Bo Chen", "Cy Diaz")]
    return [(person, badges.payload_for(storage, person["id"])) for person in made]


@pytest.fixture
def quick(storage):
    """A second connection that waits 50 ms for a lock (the session's own, as the kiosk's writer has)."""
    sibling = SiblingStorage(storage, busy_timeout_ms=50)
    yield sibling
    sibling.close()


@pytest.fixture
def locked(db_path):
    """Another program holding the write lock until the test lets go."""
    other = sqlite3.connect(str(db_path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def test_a_payload_typed_on_an_azerty_layout_is_read_as_printed(storage, people, at):
    person, payload = people[0]
    mangled = payload.translate(AZERTY)
    assert mangled != payload
    assert visits.scan(storage, mangled, at(9)).reason in kiosk_session.LAYOUT_REASONS
    result = kiosk_session.read_scan(storage, mangled, at(9))
    assert result.kind == visits.CHECKED_IN and result.person["id"] == person["id"]
    assert kiosk_session.read_scan(storage, "SS1-NOT-A-BADGE", at(9)).reason == "not_ours"


def test_scan_carries_what_the_welcome_screen_shows(storage, people, at):
    from storeshift.services import bookings, tasks

    person, payload = people[0]
    task = tasks.add_task(storage, title="Greet at the door")
    bookings.add_booking(storage, person["id"], at(9), at(12), task["id"])
    welcome = KioskSession(storage).submit(payload, at(9, 5)).result
    assert welcome.booking["task_title"] == "Greet at the door" and welcome.task is None
    assert not hasattr(welcome, "extra")


def test_scans_are_kept_while_the_database_is_locked_and_recorded_in_order_at_their_time(storage, quick, people,
                                                                                         locked, at):
    session = KioskSession(quick)
    (ann, ann_badge), (bo, bo_badge), _ = people
    first = session.submit(ann_badge, at(9, 0))
    assert first.kept and first.waiting == 1
    later = [session.submit(bo_badge, at(9, 1)), session.submit(ann_badge, at(11, 0))]  # Ann leaves again
    assert [s.waiting for s in later] == [2, 3] and session.waiting
    assert session.retry().recorded == [] and len(session.pending) == 3
    locked.execute("ROLLBACK")
    done = session.retry()
    assert [(token, result.kind) for token, result in done.recorded] == [
        (first.token, visits.CHECKED_IN), (later[0].token, visits.CHECKED_IN), (later[1].token, visits.CHECKED_OUT)]
    assert done.waiting == 0 and not session.waiting
    visit = storage.one("SELECT * FROM visits WHERE person_id = ?", (ann["id"],))
    assert (visit["check_in_at"], visit["check_out_at"]) == ("2026-11-25T09:00:00Z", "2026-11-25T11:00:00Z")
    assert kiosk_session.late_summary([r for _, r in done.recorded]) == (
        "3 scans recorded: Ann Lee checked in, Bo Chen checked in and Ann Lee checked out.")
    many = [r for _, r in done.recorded] * 3
    assert kiosk_session.late_summary(many) == ("9 scans recorded: Ann Lee checked in, Bo Chen checked in, "
                                                "Ann Lee checked out, Ann Lee checked in and 5 other scans.")


def test_kept_scans_are_given_up_after_the_retry_limit(storage, quick, people, locked, at, caplog):
    session = KioskSession(quick)
    session.submit(people[0][1], at(9))
    session.submit(people[1][1], at(9))
    for _ in range(kiosk_session.RETRY_LIMIT - 2):
        assert session.retry().gave_up == 0
    outcome = session.retry()
    assert outcome.gave_up == 2 and outcome.waiting == 0 and not session.pending
    assert "gave up recording 2 scan(s)" in caplog.text
    assert kiosk_session.gave_up_sentence(2) == "2 scans could not be recorded. Please tell the shift lead."


def test_the_debrief_is_added_once_then_edited_and_kept_through_a_locked_database(storage, quick, people, db_path,
                                                                                  at):
    person, payload = people[0]
    session = KioskSession(quick)
    session.submit(payload, at(9))
    visit = session.submit(payload, at(11)).result.visit
    assert session.save_debrief(visit["id"], {"text": "   "}) is None  # nothing to store yet
    first = session.save_debrief(visit["id"], {"text": "Queue at till 2", "category": None})
    again = session.save_debrief(visit["id"], {"text": "Queue at till 2 all morning", "impact": "high"})
    assert first == again
    other = sqlite3.connect(str(db_path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(DatabaseBusy):
        session.save_debrief(visit["id"], {"text": "Queue at till 2 all day", "quote": "Why one till?"})
    assert session.waiting
    session.retry()
    assert session.waiting  # still locked
    other.execute("ROLLBACK")
    other.close()
    session.retry()
    assert not session.waiting
    assert storage.rows("SELECT category, impact, text, quote FROM observations WHERE visit_id = ?",
                        (visit["id"],)) == [{"category": "customer_voice", "impact": "medium",
                                             "text": "Queue at till 2 all day", "quote": "Why one till?"}]


def test_departure_guess_is_three_hours_after_arriving_or_closing_time_on_the_quarter(at):
    visit = {"check_in_at": "2026-11-24T09:07:00Z", "check_out_at": "2026-11-24T22:00:00Z"}
    guess = kiosk_session.departure_guess(visit, "Europe/London")
    assert guess.strftime("%H:%M") == "12:00"
    assert kiosk_session.step_departure(visit, guess, -300, "Europe/London").strftime("%H:%M") == "09:07"
    assert kiosk_session.step_departure(visit, guess, 15 * 60, "Europe/London").strftime("%H:%M") == "22:00"
    short = {"check_in_at": "2026-11-24T20:50:00Z", "check_out_at": "2026-11-24T22:00:00Z"}
    assert kiosk_session.departure_guess(short, "Europe/London").strftime("%H:%M") == "22:00"


def test_a_full_screen_kiosk_needs_a_pin(storage):
    kiosk_session.require_pin(storage, windowed=True)
    with pytest.raises(UserError, match="Set the shift-lead PIN first"):
        kiosk_session.require_pin(storage, windowed=False)
    pin.set_pin(storage, "2468")
    kiosk_session.require_pin(storage, windowed=False)


def test_the_pin_at_the_kiosk_says_right_wrong_and_locked_out(storage):
    pin.set_pin(storage, "2468")
    session = KioskSession(storage)
    assert session.check_pin("2468").ok
    wrong = session.check_pin("1111")
    assert not wrong.ok and wrong.sentence == "That PIN is not right. Please try again." and wrong.locked_ms == 0
    for _ in range(pin.FREE_ATTEMPTS - 2):
        session.check_pin("1111")
    locked = session.check_pin("1111")
    assert locked.sentence.startswith("Too many wrong PINs. Try again after ") and 29_000 <= locked.locked_ms <= 30_000
    still = session.check_pin("2468")
    assert not still.ok and still.locked_ms > 0


# --- one kiosk per database -----------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_second_kiosk_is_refused_and_a_stale_lease_is_taken_over(db_path):
    clock = Clock()
    first = kiosk_lease.KioskLease(db_path, clock=clock, stale_s=45)
    first.acquire()
    second = kiosk_lease.KioskLease(db_path, clock=clock, stale_s=45)
    with pytest.raises(Refused, match="A kiosk is already open on this database since"):
        second.acquire()
    clock.now += 30
    assert first.heartbeat()
    clock.now += 40
    with pytest.raises(Refused):  # renewed 40 s ago: still alive
        second.acquire()
    clock.now += 10  # the first kiosk crashed: no heartbeat for 50 s
    second.acquire()
    assert second.held
    assert not first.heartbeat()  # the first one, back from a freeze, learns it lost the lease
    first.release()
    assert kiosk_lease.lease_path(db_path).exists()  # releasing a lost lease leaves the new one
    second.release()
    assert not kiosk_lease.lease_path(db_path).exists()
    third = kiosk_lease.KioskLease(db_path, clock=clock)
    third.acquire()
    third.release()


def test_a_lease_left_by_a_kiosk_that_crashed_on_this_pc_is_taken_over_at_once(db_path, tmp_path):
    import socket
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    clock = Clock()
    kiosk_lease.lease_path(db_path).write_text(json.dumps(
        {"token": "crashed", "host": socket.gethostname(), "pid": int(gone.stdout), "started": clock.now - 60,
         "heartbeat": clock.now - 1}))
    lease = kiosk_lease.KioskLease(db_path, clock=clock)
    lease.acquire()
    assert lease.held
    lease.release()


def test_a_lease_from_another_pc_names_it_and_a_damaged_lease_is_nobodys(db_path):
    clock = Clock()
    kiosk_lease.lease_path(db_path).write_text(json.dumps(
        {"token": "other", "host": "till-pc-2", "pid": 1, "started": clock.now - 600, "heartbeat": clock.now - 5}))
    with pytest.raises(Refused, match="on the PC till-pc-2"):
        kiosk_lease.KioskLease(db_path, clock=clock).acquire()
    kiosk_lease.lease_path(db_path).write_text("{half a lea")
    lease = kiosk_lease.KioskLease(db_path, clock=clock)
    lease.acquire()
    assert lease.held
    lease.release()


def test_the_command_line_scan_reads_an_azerty_scanner(db_path, storage, people):
    from click.testing import CliRunner

    from storeshift.cli import main

    _person, payload = people[1]
    result = CliRunner().invoke(main, ["scan", "--db", str(db_path), payload.translate(AZERTY)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("checked in: Welcome, Bo Chen!")
