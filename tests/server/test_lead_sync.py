"""The shift-lead window syncs with head office's server in the background and shows when it last succeeded."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings

from storeshift.server import schema
from storeshift.server.sync import get, sync
from storeshift.services import roster
from storeshift.timeutil import UTC
from storeshift.ui.lead.window import LeadWindow
from storeshift.ui.watcher import DatabaseWatcher

from .test_server_sync import ADMIN, server  # noqa: F401 (the fixture)

NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def open_window(qtbot, storage, db_path, tmp_path):
    watcher = DatabaseWatcher(db_path, interval_ms=50)
    store = QSettings(str(tmp_path / "lead.ini"), QSettings.Format.IniFormat)
    win = LeadWindow(storage, watcher, clock=lambda: NOW, settings_store=store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win, watcher


def test_no_server_no_label(qtbot, demo_storage, db_path, tmp_path):
    win, watcher = open_window(qtbot, demo_storage, db_path, tmp_path)
    try:
        assert not win.sync_label.isVisible()
    finally:
        watcher.stop()


@pytest.mark.skipif(not ADMIN, reason="needs a PostgreSQL server: set STORESHIFT_TEST_PG (.ci/run does)")
def test_the_lead_window_syncs_in_the_background(qtbot, demo_storage, db_path, tmp_path, server):  # noqa: F811
    site_url = schema.add_site(server, "Riverside")
    sync(demo_storage, site_url)
    win, watcher = open_window(qtbot, demo_storage, db_path, tmp_path)
    try:
        # The sync starts after the first frame, so it never holds up the window's opening.
        qtbot.waitUntil(lambda: win.sync_label.isVisible(), timeout=5000)
        assert win.sync_label.text().startswith("Head office sync:")
        before = get(demo_storage, "last_success")
        roster.add_person(demo_storage, name="Grace Hopper", department="IT")
        win.server_sync.sync_now()
        assert win.server_sync.busy  # the window is not held up while it runs
        qtbot.waitUntil(lambda: not win.server_sync.busy, timeout=30000)
        assert get(demo_storage, "last_success") >= before
        assert "failed" not in win.sync_label.text()
        import psycopg

        with psycopg.connect(site_url) as conn:
            names = [row[0] for row in conn.execute(
                "SELECT data->>'name' FROM site_rows WHERE table_name = 'people'")]
        assert "Grace Hopper" in names
    finally:
        watcher.stop()
