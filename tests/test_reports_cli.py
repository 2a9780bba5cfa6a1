"""`storeshift report` and `storeshift badges`: files written, one-line errors, exit codes."""

from __future__ import annotations

import pypdf
from click.testing import CliRunner

from storeshift.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_report_and_badges_commands(demo_storage, db_path, tmp_path):
    site = demo_storage.value("SELECT name FROM sites WHERE is_home = 1")
    demo_storage.close()
    out = tmp_path / "week.pdf"
    result = run("report", "--week", "2026-W47", "--paper", "letter", "--out", str(out), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "2026-W47" in result.output
    assert site in pypdf.PdfReader(str(out)).pages[0].extract_text()
    sheet = tmp_path / "badges.pdf"
    result = run("badges", "--department", "Finance", "--layout", "card", "--out", str(sheet), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert f"{len(pypdf.PdfReader(str(sheet)).pages)} badge" in result.output


def test_command_errors_are_one_line(storage, db_path, tmp_path):
    storage.close()
    result = run("report", "--week", "2026-W61", "--out", str(tmp_path / "x.pdf"), "--db", str(db_path))
    assert result.exit_code == 1 and "is not a week" in result.output and "Traceback" not in result.output
    result = run("report", "--week", "2026-W47", "--site", "a", "--all-sites", "--out", str(tmp_path / "x.pdf"),
                 "--db", str(db_path))
    assert result.exit_code == 1 and "not both" in result.output
    result = run("badges", "--all", "--out", str(tmp_path / "b.pdf"), "--db", str(db_path))
    assert result.exit_code == 1 and "No active person" in result.output
    result = run("badges", "--people", "nobody", "--department", "IT", "--out", str(tmp_path / "b.pdf"),
                 "--db", str(db_path))
    assert result.exit_code == 1 and "choose one of" in result.output
