"""The command line as scripts and door systems use it: exit codes, one-line errors, --db everywhere."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import SAMPLE_DATA
from storeshift.cli import main


def run(*args, input=None):
    """The real command in a child process: exit status and streams exactly as a script sees them."""
    proc = subprocess.run([sys.executable, "-m", "storeshift", *args], capture_output=True, text=True,
                          input=input, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return proc.returncode, proc.stdout, proc.stderr


def test_demo_then_check_then_scan_in_and_out(db_path):
    code, out, err = run("--db", str(db_path), "demo", "--seed-only", "--people", "30", "--weeks", "2")
    assert code == 0, err
    assert "30 people" in out and "shift-lead PIN: 1234" in out
    code, out, _ = run("check", "--db", str(db_path))
    assert code == 0 and "audit log" in out and "ok" in out
    code, payload, _ = run("people", "badge", "--person", "E10010", "--db", str(db_path))
    payload = payload.strip()
    code, out, err = run("scan", payload, "--db", str(db_path))
    assert code == 0 and out.startswith("checked in"), err
    code, out, _ = run("scan", payload, "--db", str(db_path))
    assert code == 0 and out.startswith("repeat")


def test_scan_refused_exits_1_with_one_line(db_path):
    run("--db", str(db_path), "demo", "--seed-only", "--people", "10", "--weeks", "1")
    code, out, err = run("--db", str(db_path), "scan", "SS1-AAAA-BOGUS")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "not a storeshift badge" in err and "Traceback" not in err


def test_demo_refuses_a_database_with_people(db_path):
    run("--db", str(db_path), "demo", "--seed-only", "--people", "5", "--weeks", "1")
    code, _, err = run("--db", str(db_path), "demo", "--seed-only")
    assert code == 1 and "already has people" in err


def test_people_import_refusal_and_skip_invalid(db_path, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nGood,good@example.com\n,missing@example.com\n")
    assert run("--db", str(db_path), "setup", "--site-name", "Test store")[0] == 0
    code, _, err = run("--db", str(db_path), "people", "import", str(bad))
    assert code == 1 and "line 3: name is missing" in err
    code, out, err = run("--db", str(db_path), "people", "list")
    assert code == 0 and out == "" and "The roster is empty" in err
    code, out, err = run("--db", str(db_path), "people", "import", "--skip-invalid", str(bad))
    assert code == 0 and "1 person added" in out and "line 3" in err


def test_org_key_export_import_and_backup(db_path, tmp_path):
    key = tmp_path / "org.key"
    assert run("--db", str(db_path), "setup", "--new-organisation", "Acme")[0] == 0
    assert run("--db", str(db_path), "org-key", "export", "--out", str(key))[0] == 0
    assert run("--db", str(tmp_path / "site.db"), "setup", "--site-name", "Site")[0] == 0
    code, out, _ = run("--db", str(tmp_path / "site.db"), "org-key", "import", str(key))
    assert code == 0 and "in use" in out
    code, out, _ = run("--db", str(db_path), "backup", "--out", str(tmp_path / "b.db"))
    assert code == 0 and (tmp_path / "b.db").exists()


def test_check_fails_on_tampering(db_path):
    import sqlite3

    run("--db", str(db_path), "demo", "--seed-only", "--people", "10", "--weeks", "1")
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE people SET name = 'Mallory' WHERE rowid = 1")
    conn.commit()
    conn.close()
    code, out, err = run("--db", str(db_path), "check")
    assert code == 1 and "changed outside storeshift" in out


def test_people_export_json_and_unknown_person(db_path):
    import json

    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(db_path), "setup"]).exit_code == 0
    result = runner.invoke(main, ["--db", str(db_path), "people", "import", str(SAMPLE_DATA / "people.csv")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["people", "export", "--person", "E1001", "--db", str(db_path)])
    assert json.loads(result.output)["person"]["name"] == "Mei García"
    result = runner.invoke(main, ["people", "export", "--person", "nobody", "--db", str(db_path)])
    assert result.exit_code == 1 and "No person" in result.output


def _commands(group, prefix=()):
    import click

    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("path", [p for p, _ in _commands(main)], ids=lambda p: " ".join(p))
def test_every_command_has_help_and_takes_db(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    command = main
    for name in path:
        command = command.commands[name]
    import click

    if not isinstance(command, click.Group):
        assert "--db" in result.output


def test_core_imports_no_qt():
    """Everything but storeshift.ui (storage, services, reports, sync, the command line) runs without Qt."""
    code = ("import sys, pkgutil, importlib, storeshift;"
            "names = [m.name for m in pkgutil.walk_packages(storeshift.__path__, 'storeshift.')"
            "         if not m.name.startswith('storeshift.ui')];"
            "[importlib.import_module(n) for n in names];"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))];"
            "print(len(names), bad); sys.exit(bool(bad) or len(names) < 15)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
