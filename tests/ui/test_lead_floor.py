"""The shift-lead Floor page driven as a lead would: the live board, drag and drop and the
picker for tasks, mark done, check out with a reason, and a kiosk in another process."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from storeshift.services import badges, observations, settings, tasks, visits
from storeshift.storage import open_storage
from storeshift.timeutil import UTC

NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


@pytest.fixture
def window(demo_storage, make_window):
    """The shared lead window (tests/conftest.py) at 1366x768."""
    return make_window(demo_storage, size=(1366, 768))


def board_row(page, person_id: str) -> int:
    for i, row in enumerate(page.model.rows()):
        if row["person_id"] == person_id:
            return i
    return -1


def click_board_row(qtbot, page, row: int) -> None:
    rect = page.board.visualRect(page.model.index(row, 0))
    qtbot.mouseClick(page.board.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def task_by_title(page, title: str) -> dict:
    return next(t for t in page.task_model.rows() if t["title"] == title)


def drop_task(page, task_title: str, row: int) -> bool:
    """Drag a task from the catalogue onto a board row with real drag events."""
    task_row = next(i for i, t in enumerate(page.task_model.rows()) if t["title"] == task_title)
    mime = page.task_model.mimeData([page.task_model.index(task_row, 0)])
    target = page.board.visualRect(page.model.index(row, 0)).center()
    viewport = page.board.viewport()
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(target, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    move = QDragMoveEvent(target, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(viewport, move)
    drop = QDropEvent(target.toPointF(), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(viewport, drop)
    return drop.isAccepted()


def test_board_lists_everyone_on_the_floor_with_time_and_task(window, demo_storage, qtmodeltester):
    page = window.floor
    assert window.stack.currentWidget() is page
    expected = visits.on_floor(demo_storage, NOW)
    assert [r["visit_id"] for r in page.model.rows()] == [r["visit_id"] for r in expected]
    first = page.model.rows()[0]
    on_floor = page.model.data(page.model.index(0, page.model.column_of("on_floor")))
    since = dt.datetime.fromisoformat(first["check_in_at"].replace("Z", "+00:00"))
    minutes = int((NOW - since).total_seconds() // 60)
    assert f"(since {since:%H:%M})" in on_floor and (f"{minutes // 60}\u00a0h" in on_floor or f"{minutes}\u00a0min" in on_floor)
    assert f"{len(expected)}</b> on the floor" in page.counts.text()
    for model in (page.model, page.task_model, page.expected_model, page.left_model):
        qtmodeltester.check(model)


def free_task(page, not_id=None) -> dict:
    return next(t for t in page.task_model.rows()
                if t["id"] != not_id and (t["capacity"] is None or t["taken"] < t["capacity"]) and t["taken"] == 0)


def test_dragging_a_task_onto_a_person_assigns_it(window, demo_storage, qtbot):
    page = window.floor
    person = page.model.rows()[0]
    task = free_task(page, person["task_id"])
    assert drop_task(page, task["title"], 0)
    assert visits.current_task(demo_storage, person["visit_id"])["title"] == task["title"]
    # The board shows it at once, and the catalogue counts the place as taken.
    assert page.model.rows()[0]["task_title"] == task["title"]
    assert task_by_title(page, task["title"])["taken"] == 1
    assert window.banner.level == "success" and task["title"] in window.banner.text()
    assert page.selected()["visit_id"] == person["visit_id"]


def test_a_drop_that_is_not_a_task_is_ignored(window, demo_storage):
    from PySide6.QtCore import QMimeData

    page = window.floor
    mime = QMimeData()
    mime.setText("Greet at the door")
    target = page.board.visualRect(page.model.index(0, 0)).center()
    enter = QDragEnterEvent(target, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(page.board.viewport(), enter)
    assert not enter.isAccepted()


def make_a_task_full(page, storage) -> dict:
    """A one-place task taken by the first person on the board."""
    task = tasks.add_task(storage, title="Till 1 relief", area="Checkout", capacity=1)
    tasks.assign(storage, page.model.rows()[0]["visit_id"], task["id"])
    page.refresh()
    return task


def test_a_full_task_is_refused_plainly_and_nothing_changes(window, demo_storage):
    page = window.floor
    make_a_task_full(page, demo_storage)
    full = next(t for t in page.task_model.rows() if t["capacity"] and t["taken"] >= t["capacity"])
    assert page.task_model.data(page.task_model.index(page.task_model.index_of(full["id"]).row(), 1)) == "FULL"
    other = next(r for r in page.model.rows() if r["task_id"] != full["id"])
    before = visits.current_task(demo_storage, other["visit_id"])
    drop_task(page, full["title"], board_row(page, other["person_id"]))
    after = visits.current_task(demo_storage, other["visit_id"])
    assert (before or {}).get("id") == (after or {}).get("id")
    assert window.banner.isVisible() and window.banner.level == "error"
    assert "is full" in window.banner.text() and full["title"] in window.banner.text()


def test_picker_reassigns_by_clicks_and_lists_full_tasks_as_unavailable(window, demo_storage, qtbot):
    page = window.floor
    make_a_task_full(page, demo_storage)
    busy = page.model.rows()[1] if page.model.rows()[1]["task_id"] else page.model.rows()[0]
    click_board_row(qtbot, page, board_row(page, busy["person_id"]))
    assert page.assign_button.text().replace("&", "") == "Change task…"
    qtbot.mouseClick(page.assign_button, Qt.MouseButton.LeftButton)
    picker = page.picker
    assert picker.isVisible()
    texts = [picker.list.item(i).text() for i in range(picker.list.count())]
    assert any("FULL" in t for t in texts)
    full_item = next(picker.list.item(i) for i in range(picker.list.count()) if "FULL" in picker.list.item(i).text())
    assert not (full_item.flags() & Qt.ItemFlag.ItemIsEnabled)
    target = next(picker.list.item(i) for i in range(picker.list.count())
                  if picker.list.item(i).text().startswith(free_task(page, busy["task_id"])["title"]))
    qtbot.mouseClick(picker.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=picker.list.visualItemRect(target).center())
    qtbot.mouseClick(picker.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert visits.current_task(demo_storage, busy["visit_id"])["title"] == target.text().split("   ·")[0]
    replaced = demo_storage.value("SELECT status FROM assignments WHERE id = ?", (busy["assignment_id"],))
    assert replaced == "replaced"
    # The lead's selection stays on the same person after the change.
    assert page.selected()["visit_id"] == busy["visit_id"]


def test_mark_done_then_check_out_with_a_reason(window, demo_storage, qtbot):
    page = window.floor
    busy = next(r for r in page.model.rows() if r["task_id"])
    click_board_row(qtbot, page, board_row(page, busy["person_id"]))
    qtbot.mouseClick(page.done_button, Qt.MouseButton.LeftButton)
    assert busy["name"] in page.confirm_box.text()
    qtbot.mouseClick(page.confirm_box.yes_button, Qt.MouseButton.LeftButton)
    status = demo_storage.value("SELECT status FROM assignments WHERE id = ?", (busy["assignment_id"],))
    assert status == "done"
    assert not page.done_button.isEnabled()
    qtbot.mouseClick(page.check_out_button, Qt.MouseButton.LeftButton)
    dialog = page.check_out_dialog
    assert dialog.isVisible()
    dialog.reason.lineEdit().selectAll()
    qtbot.keyClicks(dialog.reason.lineEdit(), "Called away to a meeting")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    visit = visits.get_visit(demo_storage, busy["visit_id"])
    assert visit["check_out_at"] and visit["source_out"] == "manual"
    assert visit["checkout_reason"] == "Called away to a meeting"
    assert board_row(page, busy["person_id"]) == -1
    assert busy["visit_id"] in [r["visit_id"] for r in page.left_model.rows()]


def test_check_in_by_hand_finds_the_person_by_typing(window, demo_storage, qtbot):
    page = window.floor
    here = {r["person_id"] for r in page.model.rows()}
    person = next(p for p in demo_storage.rows("SELECT * FROM people WHERE active = 1 ORDER BY name")
                  if p["id"] not in here and p["name"].isascii())
    qtbot.mouseClick(page.check_in_button, Qt.MouseButton.LeftButton)
    dialog = page.check_in_dialog
    qtbot.keyClicks(dialog.search, person["name"])
    assert dialog.chosen() == person["id"]
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert board_row(page, person["id"]) >= 0
    assert page.selected()["person_id"] == person["id"]


def test_visits_past_closing_time_leave_the_board_marked_estimated(window, demo_storage):
    page = window.floor
    settings.put(demo_storage, "closing_time", "10:00")
    early = [r for r in page.model.rows() if r["check_in_at"] < "2026-11-25T10:00:00Z"]
    assert early, "the demo has people in since before 10:00"
    column = page.left_model.column_of("note")
    # Read as ended at closing time before anything closes them in the file, and the same after.
    for close_in_the_file in (False, True):
        if close_in_the_file:
            assert visits.close_forgotten_visits(demo_storage, NOW) >= len(early)  # and yesterday's forgotten
        page.refresh()
        assert not {r["visit_id"] for r in early} & {r["visit_id"] for r in page.model.rows()}
        marked = [r for r in page.left_model.rows() if r["estimated"]]
        assert {r["visit_id"] for r in marked} == {r["visit_id"] for r in early}
        row = page.left_model.index_of(marked[0]["visit_id"]).row()
        assert "estimated" in page.left_model.data(page.left_model.index(row, column))
        assert marked[0]["ended_at"] == "2026-11-25T10:00:00Z"


def test_a_kiosk_in_another_process_shows_up_within_a_second_keeping_the_selection(
        window, demo_storage, db_path, qtbot):
    page = window.floor
    click_board_row(qtbot, page, 1)
    selected = page.selected()["visit_id"]
    here = {r["person_id"] for r in page.model.rows()}
    person = next(p for p in demo_storage.rows("SELECT id FROM people WHERE active = 1") if p["id"] not in here)
    payload = badges.payload_for(demo_storage, person["id"])
    # The kiosk process scans at the window's moment: at the real time the visits of the
    # fixed demo day would be stale, and closing them would rightly drop the selected row.
    kiosk = ("import sys, datetime as dt; from storeshift.storage import open_storage; "
             "from storeshift.services import visits; "
             "result = visits.scan(open_storage(sys.argv[1]), sys.argv[2], dt.datetime.fromisoformat(sys.argv[3])); "
             "sys.exit(result.kind == visits.REFUSED)")
    done = subprocess.run([sys.executable, "-c", kiosk, str(db_path), payload, NOW.isoformat()],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    returned = time.monotonic()
    qtbot.waitUntil(lambda: board_row(page, person["id"]) >= 0, timeout=1000)
    assert time.monotonic() - returned < 1.0
    assert page.selected()["visit_id"] == selected


def test_refresh_updates_rows_in_place_without_resetting_the_model(window, demo_storage, qtbot):
    page = window.floor
    resets = []
    page.model.modelReset.connect(lambda: resets.append(1))
    click_board_row(qtbot, page, 0)
    chosen = page.selected()["visit_id"]
    for _ in range(3):
        page.refresh()
    assert not resets
    assert page.selected()["visit_id"] == chosen


def test_the_clock_ticks_only_the_time_column(window, qtbot):
    page = window.floor
    changed = []
    page.model.dataChanged.connect(lambda top, bottom, roles: changed.append((top.column(), bottom.column())))
    page.model.tick()
    column = page.model.column_of("on_floor")
    assert changed == [(column, column)]


def test_tasks_are_assigned_through_the_service_rules(window, demo_storage):
    """The board offers archived tasks nowhere: archiving removes it from the catalogue."""
    page = window.floor
    task = task_by_title(page, "Bakery counter")
    tasks.archive_task(demo_storage, task["id"])
    page.refresh()
    assert "Bakery counter" not in [t["title"] for t in page.task_model.rows()]


def test_board_empty_state_explains_what_to_do(storage, make_window):
    win = make_window(storage)
    assert win.floor.board_stack.currentWidget() is win.floor.empty
    assert "Nobody is on the floor yet" in win.floor.empty.text()



def test_double_clicking_an_expected_person_offers_to_check_them_in(window, demo_storage, qtbot):
    page = window.floor
    booking = page.expected_model.row_at(0)
    rect = page.expected.visualRect(page.expected_model.index(0, 0))
    qtbot.mouseClick(page.expected.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.expected.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = page.check_in_dialog
    assert dialog.isVisible() and dialog.search.text() == booking["name"]
    assert dialog.chosen() == booking["person_id"]
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert board_row(page, booking["person_id"]) >= 0
    assert booking["id"] not in [r["id"] for r in page.expected_model.rows()]


def test_a_long_list_of_expected_people_shows_the_earliest_and_counts_them_all(window, demo_storage, monkeypatch):
    from storeshift.services import bookings
    from storeshift.ui.lead import floor

    page = window.floor
    everyone = bookings.count_expected_today(demo_storage, NOW)
    assert everyone > 2
    assert page.expected_title.text() == f"Expected today, not in yet ({everyone})"
    monkeypatch.setattr(floor, "EXPECTED_SHOWN", 2)
    page.refresh()
    assert page.expected_model.rowCount() == 2
    earliest = [b["person_id"] for b in bookings.expected_today(demo_storage, NOW)[:2]]
    assert [r["person_id"] for r in page.expected_model.rows()] == earliest
    assert page.expected_title.text() == f"Expected today, not in yet ({everyone}; the first 2 shown)"
    assert f"{everyone} expected" in page.counts.text()


def test_columns_grow_for_longer_names_that_arrive_later(window, demo_storage, settle):
    from storeshift.services import roster

    page = window.floor
    for row in visits.on_floor(demo_storage, NOW):
        visits.check_out_manually(demo_storage, row["visit_id"], "Shift ended", now=NOW)
    page.refresh()
    people = sorted(roster.list_people(demo_storage), key=lambda p: len(p["name"]))
    for person in (people[0], people[-1]):                # the shortest name first, then the longest
        visits.check_in_manually(demo_storage, person["id"], now=NOW)
        page.refresh()
        settle()
    board = page.board
    name = page.model.column_of("name")
    assert board.columnWidth(name) >= board.sizeHintForColumn(name) > 0


def test_next_morning_the_board_lists_who_didnt_check_out_and_the_lead_corrects_in_one_step(
        demo_storage, make_window, qtbot):
    on_floor_last_night = {r["visit_id"]: r for r in visits.on_floor(demo_storage, NOW)}
    assert len(on_floor_last_night) >= 2
    morning = dt.datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    win = make_window(demo_storage, size=(1366, 768), clock=lambda: morning)
    page = win.floor
    # Nobody from yesterday is on the floor this morning; they are under "Didn't check out".
    assert page.model.rowCount() == 0 and page.board_stack.currentWidget() is page.empty
    listed = {r["visit_id"] for r in page.didnt_model.rows()}
    assert listed == set(on_floor_last_night)
    assert page.didnt.isVisible() and page.didnt_title.text().startswith(
        f"Didn't check out yesterday ({len(listed)} · ")
    # The window closed them in the file at start (its closing timer), audited.
    qtbot.waitUntil(lambda: demo_storage.value(
        "SELECT count(*) FROM visits WHERE check_out_at IS NULL AND check_in_at < '2026-11-26'") == 0)
    first = page.didnt_model.row_at(0)
    page.didnt.setFocus()
    page.didnt.setCurrentIndex(page.didnt_model.index(0, 0))
    qtbot.keyClick(page.didnt, Qt.Key.Key_Return)
    dialog = page.departure_dialog
    assert dialog is not None and dialog.isVisible() and first["name"] in dialog.windowTitle()
    dialog.time.setTime(dialog.time.minimumTime().addSecs(45 * 60))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    fixed = visits.get_visit(demo_storage, first["visit_id"])
    arrived = dt.datetime.fromisoformat(first["check_in_at"].replace("Z", "+00:00"))
    assert fixed["departure_confirmed"] == 1 and fixed["check_out_at"] == \
        (arrived.replace(second=0) + dt.timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert first["visit_id"] not in {r["visit_id"] for r in page.didnt_model.rows()}
    assert "Saved" in win.banner.text()
    # The next one: keep the closing time, confirmed.
    second = page.didnt_model.row_at(0)
    page.didnt.doubleClicked.emit(page.didnt_model.index(0, 0))
    qtbot.mouseClick(page.departure_dialog.keep_button, Qt.MouseButton.LeftButton)
    kept = visits.get_visit(demo_storage, second["visit_id"])
    assert kept["departure_confirmed"] == 1 and kept["check_out_at"] == kept["estimated_out_at"]
    # Ctrl+Z takes the last one back: estimated again, back on the list.
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert visits.get_visit(demo_storage, second["visit_id"])["departure_confirmed"] == 0
    assert second["visit_id"] in {r["visit_id"] for r in page.didnt_model.rows()}
    # The roll call in one click: one page, nobody on it this early.
    opened = []
    page.open_file = lambda path: opened.append(path) or True
    qtbot.mouseClick(page.roll_call_button, Qt.MouseButton.LeftButton)
    assert opened == [page.last_roll_call] and page.last_roll_call.exists()
    assert "Roll call of 0 people" in win.banner.text()


def test_since_shows_the_date_for_a_visit_begun_on_another_day(window, demo_storage):
    from storeshift.services import roster

    settings.put(demo_storage, "closing_time", "23:50")
    night = roster.add_person(demo_storage, name="Night Owl")
    visits.check_in_manually(demo_storage, night["id"], now=NOW - dt.timedelta(hours=11, minutes=5))  # 23:55
    page = window.floor
    page.refresh()
    row = board_row(page, night["id"])
    text = page.model.data(page.model.index(row, page.model.column_of("on_floor")))
    assert text.endswith("(since Tue 24 Nov 23:55)")


def count_refreshes(page) -> list[int]:
    """Counts the page's refresh() calls, whoever makes them (the page itself or the window)."""
    calls = [0]
    real = page.refresh

    def counted() -> None:
        calls[0] += 1
        real()
    page.refresh = counted
    return calls


def test_one_assignment_refreshes_the_board_once(window, demo_storage, db_path, qtbot, settle):
    """The page that made the change shows it; the watcher's notification of it names that page
    as its initiator, so the echo does not refresh it a second time, now or at the next poll."""
    settle()  # the closing-time timer's first run (after the first frame) has ended last night's visits
    window.watcher.poll()
    page = window.floor
    calls = count_refreshes(page)
    seen = []
    window.watcher.changed.connect(seen.append)
    row = page.model.rows()[0]
    first = free_task(page, row["task_id"])
    assert page.assign(row["visit_id"], first["id"])
    for _tick in range(3):
        window.watcher.poll()  # the next polls find nothing new: the change was told already
    assert calls[0] == 1
    assert len(seen) == 1 and seen[0].initiator is page and "assignments" in seen[0].tables
    assert page.model.rows()[0]["task_title"] == first["title"]

    # A change from elsewhere (another connection, as a kiosk's) refreshes the board once too ...
    other = open_storage(db_path)
    try:
        tasks.assign(other, row["visit_id"], free_task(page, first["id"])["id"])
        qtbot.waitUntil(lambda: calls[0] == 2, timeout=3000)
        window.watcher.poll()
        assert calls[0] == 2 and seen[-1].initiator is None and "assignments" in seen[-1].tables
        # ... and one to a table the board does not read (an observation) leaves it alone.
        shown = len(seen)
        observations.add_observation(other, visit_id=row["visit_id"], category="idea", text="A bigger sign",
                                     actor="test")
        qtbot.waitUntil(lambda: len(seen) > shown, timeout=3000)
        assert seen[-1].tables == frozenset({"observations"})
        assert calls[0] == 2
    finally:
        other.close()
