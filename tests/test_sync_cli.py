"""`storeshift export` and `storeshift merge` as a chain's scripts use them: exit codes and one-line reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from storeshift.cli import main
from storeshift.services import badges, demo
from storeshift.storage import open_storage
from storeshift.timeutil import UTC


@pytest.fixture
def sites(tmp_path):
    head = open_storage(tmp_path / "head.db", site_name="Head office")
    badges.export_org_key(head, tmp_path / "org.key")
    head.close()
    store = open_storage(tmp_path / "store.db", site_name="Riverside Store")
    badges.import_org_key(store, tmp_path / "org.key")
    demo.seed(store, people=8, weeks=1, seed=3, now=dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC))
    store.close()
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_export_then_merge_then_check(sites):
    bundle = sites / "usb" / "riverside.ssb"
    exported = run("export", "--db", sites / "store.db", "--out", bundle)
    assert exported.exit_code == 0, exported.output
    assert "bundle from Riverside Store" in exported.stdout and str(bundle) in exported.stdout
    merged = run("merge", "--db", sites / "head.db", bundle)
    assert merged.exit_code == 0, merged.output
    assert "rows added" in merged.stdout and "No conflicts." in merged.stdout
    again = run("merge", "--db", sites / "head.db", bundle)
    assert again.exit_code == 0 and "already merged, nothing changed" in again.stdout
    checked = run("check", "--db", sites / "head.db")
    assert checked.exit_code == 0, checked.output


def test_a_damaged_bundle_exits_1_with_one_line(sites):
    bundle = sites / "riverside.ssb"
    assert run("export", "--db", sites / "store.db", "--out", bundle).exit_code == 0
    bundle.write_bytes(bundle.read_bytes()[:4096])
    result = run("merge", "--db", sites / "head.db", bundle)
    assert result.exit_code == 1
    assert result.stderr.startswith("storeshift: riverside.ssb is damaged")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("args, reason", [
    (["merge", "missing.ssb"], "does not exist"),
    (["export", "--roster", "--since", "2026-11-01", "--out", "x.ssb"], "roster bundle always carries everything"),
    (["export", "--since", "yesterday", "--out", "x.ssb"], "is not a date such as"),
])
def test_mistakes_get_a_sentence(sites, args, reason, monkeypatch):
    monkeypatch.chdir(sites)
    result = run(*args[:1], "--db", sites / "store.db", *args[1:])
    assert result.exit_code == 1
    assert reason in result.stderr and "Traceback" not in result.output


def test_both_commands_explain_themselves():
    for command in ("export", "merge"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "--db" in result.stdout
    assert "--since" in run("export", "--help").stdout and "--roster" in run("export", "--help").stdout
