"""The smaller first-day points: 'this' and 'last' week for reports, demo emails with accents
taken off (not dropped), demo databases ignored by git."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from storeshift.cli import main
from storeshift.services import demo, roster
from storeshift.timeutil import local, parse_week, utc_now

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("today, this, last", [
    (dt.date(2026, 11, 25), (2026, 48), (2026, 47)),
    (dt.date(2026, 1, 1), (2026, 1), (2025, 52)),      # a Thursday: week 1 of 2026
    (dt.date(2027, 1, 3), (2026, 53), (2026, 52)),     # a Sunday still in 2026's week 53
    (dt.date(2026, 11, 30), (2026, 49), (2026, 48)),   # a Monday
])
def test_this_and_last_week_by_the_iso_calendar(today, this, last):
    assert parse_week("this", today) == this
    assert parse_week(" Last ", today) == last
    assert parse_week("2026-W07", today) == (2026, 7)
    with pytest.raises(ValueError, match="is not a week such as 2026-W07"):
        parse_week("next", today)


def test_report_for_last_week_from_the_command_line(tmp_path):
    db = tmp_path / "s.db"
    runner = CliRunner()
    assert runner.invoke(main, ["setup", "--db", str(db), "--timezone", "Pacific/Auckland"]).exit_code == 0
    # The site's week, in the site's zone: Auckland is up to a day ahead of the machine's UTC clock.
    year, week, _ = (local(utc_now(), "Pacific/Auckland").date() - dt.timedelta(weeks=1)).isocalendar()
    result = runner.invoke(main, ["report", "--db", str(db), "--week", "last", "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"report for {year}-W{week:02d} written to")
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"


def test_demo_emails_keep_accented_letters_as_plain_ones(storage):
    assert demo.email_local_part("Björn", "Müller") == "bjorn.muller"
    assert demo.email_local_part("Siobhán", "Ní Bhriain") == "siobhan.nibhriain"
    assert demo.email_local_part("Søren", "Weiß") == "soren.weiss"
    assert demo.email_local_part("Olusegun", "O'Neill") == "olusegun.oneill"
    demo.seed(storage, people=60, weeks=1, seed=3)
    for person in roster.list_people(storage):
        if person["email"] and not person["email"].startswith("colleague"):
            first, last = person["name"].split(" ", 1)
            assert person["email"].split("@")[0].rstrip("0123456789") == demo.email_local_part(first, last)


def test_demo_databases_are_ignored_by_git(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    names = ["demo.db", "demo.db-wal", "demo.db-shm", "store.db-journal", "tools/x.db"]
    result = subprocess.run(["git", "check-ignore", "--no-index", *names], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.split() == names
