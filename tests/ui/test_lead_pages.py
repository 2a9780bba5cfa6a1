"""The Tasks, People & badges and Observations pages of the shift-lead window, driven with
keys and clicks: editing the catalogue, CSV imports with a preview, badges, erasing a
person, filtering and triaging observations, and a spreadsheet-safe CSV export."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from storeshift.services import badges, observations, roster, tasks, themes
from storeshift.timeutil import UTC

NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


@pytest.fixture
def window(demo_storage, make_window):
    """The shared lead window (tests/conftest.py) at 1366x768."""
    return make_window(demo_storage, size=(1366, 768))


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_row(qtbot, view, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def double_click(qtbot, view, pos) -> None:
    """A real double-click is press, release, then a second press that is a double-click:
    QTest's mouseDClick sends only the last, so the first click comes before it."""
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def open_editor(view) -> QLineEdit:
    editors = [e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1
    return editors[0]


def pick_file(page, path) -> None:
    """Answer the page's open file chooser as a user would: name the file, press Open/Save."""
    dialog = page.file_dialog
    assert dialog.isVisible()
    dialog.selectFile(str(path))
    dialog.accept()


# -- Tasks -------------------------------------------------------------------------------------

def test_tasks_page_adds_edits_in_place_and_archives(window, demo_storage, qtbot, qtmodeltester):
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    page = window.tasks
    assert window.stack.currentWidget() is page
    qtbot.keyClicks(page.new_title, "Tidy the fitting rooms")
    qtbot.keyClicks(page.new_area, "Clothing")
    qtbot.keyClick(page.new_capacity, Qt.Key.Key_Up)
    qtbot.keyClick(page.new_capacity, Qt.Key.Key_Up)
    click(qtbot, page.add_button)
    added = next(t for t in tasks.list_tasks(demo_storage) if t["title"] == "Tidy the fitting rooms")
    assert added["capacity"] == 2 and added["area"] == "Clothing"
    assert page.selected()["id"] == added["id"]
    qtmodeltester.check(page.model)

    # Double-click the capacity cell, type a new value, press Enter.
    row = page.model.index_of(added["id"]).row()
    cell = page.model.index(row, page.model.column_of("capacity"))
    page.table.scrollTo(cell)
    rect = page.table.visualRect(cell)
    double_click(qtbot, page.table, rect.center())
    editor = open_editor(page.table)
    editor.selectAll()
    qtbot.keyClicks(editor, "4")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event-loop turn
    qtbot.waitUntil(lambda: tasks.get_task(demo_storage, added["id"])["capacity"] == 4, timeout=1000)

    # A bad value is refused with a sentence, and nothing changes.
    double_click(qtbot, page.table, rect.center())
    editor = open_editor(page.table)
    editor.selectAll()
    qtbot.keyClicks(editor, "lots")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.banner.level == "error", timeout=1000)
    assert "not a whole number" in window.banner.text()
    assert tasks.get_task(demo_storage, added["id"])["capacity"] == 4

    click_row(qtbot, page.table, page.model.index_of(added["id"]).row())
    click(qtbot, page.archive_button)
    assert tasks.get_task(demo_storage, added["id"])["active"] == 0
    assert page.model.index_of(added["id"]).row() == -1
    click(qtbot, page.show_archived)
    assert page.model.index_of(added["id"]).row() >= 0


def test_task_csv_import_previews_bad_lines_before_writing(window, demo_storage, qtbot, tmp_path):
    window.show_page("tasks")
    page = window.tasks
    source = tmp_path / "tasks.csv"
    source.write_text("title,area,capacity\nFill the chillers,Fresh food,2\n,Nowhere,1\n"
                      "Count the tills,Checkout,many\n",
                      encoding="utf-8")
    before = len(tasks.list_tasks(demo_storage, include_archived=True))
    click(qtbot, page.import_button)
    pick_file(page, source)
    preview = page.preview
    assert preview.isVisible()
    reasons = [r["reason"] for r in preview.problems.rows()]
    assert [r["line"] for r in preview.problems.rows()] == [3, 4]
    assert any("title is missing" in r for r in reasons) and any("not a whole number" in r for r in reasons)
    assert len(tasks.list_tasks(demo_storage, include_archived=True)) == before
    assert preview.ok_button.text() == "Import the 1 good line"
    click(qtbot, preview.ok_button)
    qtbot.waitUntil(lambda: not preview.isVisible(), timeout=5000)
    titles = [t["title"] for t in tasks.list_tasks(demo_storage)]
    assert "Fill the chillers" in titles and len(titles) == before + 1
    assert "1 task added" in window.banner.text()


# -- People & badges ----------------------------------------------------------------------------

def test_people_search_and_department_filter(window, demo_storage, qtbot, qtmodeltester):
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    page = window.people
    assert window.stack.currentWidget() is page
    qtmodeltester.check(page.model)
    everyone = page.model.rowCount()
    assert everyone == demo_storage.value("SELECT count(*) FROM people")
    someone = next(r for r in page.model.rows() if r["name"].isascii())
    qtbot.keyClicks(page.search, someone["name"].split()[1])
    assert someone["id"] in [r["id"] for r in page.model.rows()]
    assert page.model.rowCount() < everyone
    page.search.clear()
    index = page.department.findData(someone["department"])
    page.department.setCurrentIndex(index)
    assert {r["department"] for r in page.model.rows()} == {someone["department"]}


def test_add_a_person_with_a_problem_shown_in_the_form_then_fixed(window, demo_storage, qtbot):
    window.show_page("people")
    page = window.people
    taken = demo_storage.value("SELECT email FROM people WHERE email IS NOT NULL LIMIT 1")
    click(qtbot, page.add_button)
    dialog = page.dialog
    qtbot.keyClicks(dialog.name, "Zoe Nakamura")
    dialog.name.insert("-Ångström")  # typed as a paste: QTest keys are ASCII only
    qtbot.keyClicks(dialog.department.lineEdit(), "Legal")
    qtbot.keyClicks(dialog.email, taken)
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible() and "belongs to another person" in dialog.error.text()
    dialog.email.clear()
    qtbot.keyClicks(dialog.email, "zoe@example.com")
    click(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    person = roster.find_person(demo_storage, "zoe@example.com")
    assert person["name"] == "Zoe Nakamura-Ångström" and person["department"] == "Legal"
    assert badges.current_badge(demo_storage, person["id"])["serial"] == 1
    assert page.selected_people()[0]["id"] == person["id"]


def test_people_csv_import_lists_every_bad_line_and_writes_nothing_until_asked(window, demo_storage, qtbot,
                                                                                tmp_path):
    window.show_page("people")
    page = window.people
    source = tmp_path / "people.csv"
    source.write_text("name,department,email\nAda Lovelace,IT,ada@example.com\n,HR,nobody@example.com\n"
                      "Grace Hopper,IT,not-an-email\nAlan Turing,IT,ada@example.com\n", encoding="utf-8")
    before = demo_storage.value("SELECT count(*) FROM people")
    click(qtbot, page.import_button)
    pick_file(page, source)
    preview = page.preview
    lines = {r["line"]: r["reason"] for r in preview.problems.rows()}
    assert set(lines) == {3, 4, 5}
    assert "name is missing" in lines[3] and "not an email address" in lines[4] and "also on line 2" in lines[5]
    assert "3 bad lines" in preview.summary.text()
    assert demo_storage.value("SELECT count(*) FROM people") == before
    click(qtbot, preview.ok_button)
    qtbot.waitUntil(lambda: demo_storage.value("SELECT count(*) FROM people") == before + 1, timeout=5000)
    qtbot.waitUntil(lambda: "Imported" in window.banner.text(), timeout=2000)
    assert roster.find_person(demo_storage, "ada@example.com")["name"] == "Ada Lovelace"


def test_revoke_and_reissue_a_badge(window, demo_storage, qtbot):
    window.show_page("people")
    page = window.people
    row = next(i for i, r in enumerate(page.model.rows()) if r["active"])
    person = page.model.row_at(row)
    click_row(qtbot, page.table, row)
    click(qtbot, page.revoke_button)
    box = page.confirm_box
    assert person["name"] in box.text()
    click(qtbot, box.yes_button)
    assert badges.current_badge(demo_storage, person["id"]) is None
    assert "revoked" in page.model.data(page.model.index(page.model.index_of(person["id"]).row(),
                                                          page.model.column_of("badge")))
    assert not page.revoke_button.isEnabled()
    # Reissuing voids the printed badge, so it asks first; Cancel changes nothing.
    click(qtbot, page.reissue_button)
    box = page.confirm_box
    assert person["name"] in box.text() and "stops working" in box.text()
    click(qtbot, box.cancel_button)
    assert badges.current_badge(demo_storage, person["id"]) is None
    click(qtbot, page.reissue_button)
    click(qtbot, page.confirm_box.yes_button)
    assert badges.current_badge(demo_storage, person["id"])["serial"] == 2


def test_erase_asks_first_saying_what_goes(window, demo_storage, qtbot):
    window.show_page("people")
    page = window.people
    visited = demo_storage.one("SELECT person_id, count(*) AS n FROM visits WHERE person_id IS NOT NULL "
                               "GROUP BY person_id ORDER BY n DESC LIMIT 1")
    row = page.model.index_of(visited["person_id"]).row()
    page.table.scrollTo(page.model.index(row, 0))
    click_row(qtbot, page.table, row)
    click(qtbot, page.erase_button)
    box = page.confirm_box
    assert f"Their {visited['n']} visits" in box.text() and "cannot be undone" in box.text()
    click(qtbot, box.cancel_button)
    assert demo_storage.value("SELECT count(*) FROM people WHERE id = ?", (visited["person_id"],)) == 1
    click(qtbot, page.erase_button)
    click(qtbot, page.confirm_box.yes_button)
    assert demo_storage.value("SELECT count(*) FROM people WHERE id = ?", (visited["person_id"],)) == 0
    assert demo_storage.value("SELECT count(*) FROM visits WHERE person_id IS NULL") >= visited["n"]
    assert page.model.index_of(visited["person_id"]).row() == -1


# -- Observations -------------------------------------------------------------------------------

def test_observations_filter_triage_and_keep_what_is_typed_across_refreshes(window, demo_storage, qtbot,
                                                                            qtmodeltester):
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    page = window.observations
    assert page.week.currentText() == "Last 4 weeks"
    page.week.setCurrentIndex(page.week.findText("All weeks"))
    qtmodeltester.check(page.model)
    assert page.model.rowCount() == len(observations.list_observations(demo_storage))
    page.category.setCurrentIndex(page.category.findData("process_problem"))
    page.status.setCurrentIndex(page.status.findData("new"))
    assert page.model.rowCount() > 0
    assert {(r["category"], r["status"]) for r in page.model.rows()} == {("process_problem", "new")}
    click_row(qtbot, page.table, 0)
    chosen = page.selected()
    assert chosen["text"][:40] in page.detail.text().replace("&#x27;", "'")
    # A new note is in no theme: the lead starts one, then triages the theme.
    assert page.suggest_box.isVisible() and not page.theme_box.isVisible()
    page.new_title.clear()
    qtbot.keyClicks(page.new_title, "Scales at self-checkout")
    click(qtbot, page.new_theme_button)
    theme_id = observations.get_observation(demo_storage, chosen["id"])["theme_id"]
    assert theme_id and page.theme_box.isVisible()
    qtbot.keyClicks(page.owner, "Ops team")
    # Another change arrives meanwhile: what the lead typed stays.
    page.refresh()
    assert page.owner.text() == "Ops team"
    page.follow_up.setFocus()
    qtbot.keyClicks(page.follow_up, "Scale threshold raised.")
    page.triage_status.setCurrentIndex(page.triage_status.findData("actioned"))
    click(qtbot, page.save_button)
    saved = themes.get_theme(demo_storage, theme_id)
    assert (saved["title"], saved["owner"], saved["status"], saved["follow_up"]) == \
        ("Scales at self-checkout", "Ops team", "actioned", "Scale threshold raised.")
    assert saved["actioned_at"] and saved["triaged_at"]
    # It no longer matches the 'new' filter.
    assert page.model.index_of(chosen["id"]).row() == -1


def test_observation_search_waits_for_a_pause_in_typing(window, qtbot):
    window.show_page("observations")
    page = window.observations
    page.week.setCurrentIndex(page.week.findText("All weeks"))
    qtbot.keyClicks(page.search, "kettle")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and all(
        "kettle" in (r["text"] + (r["quote"] or "")).lower() for r in page.model.rows()), timeout=2000)


def test_export_writes_the_filtered_rows_spreadsheet_safe(window, demo_storage, qtbot, tmp_path):
    observations.add_observation(demo_storage, category="idea", text="=HYPERLINK(\"http://x\")", impact="high",
                                 quote="+44 is the code", actor="kiosk")
    window.show_page("observations")
    page = window.observations
    page.refresh()
    page.week.setCurrentIndex(page.week.findText("All weeks"))
    page.impact.setCurrentIndex(page.impact.findData("high"))
    shown = page.model.rowCount()
    out = tmp_path / "obs.csv"
    click(qtbot, page.export_button)
    pick_file(page, out)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["written_at", "category", "impact"]
    assert len(rows) == shown + 1
    assert all(r[2] == "High" for r in rows[1:])
    formula = next(r for r in rows[1:] if "HYPERLINK" in r[4])
    assert formula[4].startswith("'=") and formula[5].startswith("'+")


def test_painting_the_tables_does_not_leak_references(window, qtbot):
    """Styled cells (bold, italic) must not leak: PySide6 6.12 leaks a reference to None for
    every fresh QFont a model returns, and the app crashes after some thousands of paints."""
    import sys

    window.show_page("observations")
    tables = [window.observations.table, window.floor.board, window.floor.catalogue]
    for table in tables:
        table.grab()
    before = sys.getrefcount(None)
    for _ in range(10):
        for table in tables:
            table.grab()
    assert sys.getrefcount(None) - before > -20


def test_deactivate_refuses_the_badge_and_reactivate_restores_it(window, demo_storage, qtbot):
    from storeshift.services import visits

    window.show_page("people")
    page = window.people
    row = next(i for i, r in enumerate(page.model.rows()) if r["active"])
    person = page.model.row_at(row)
    payload = badges.payload_for(demo_storage, person["id"])
    click_row(qtbot, page.table, row)
    assert page.active_button.text().replace("&", "") == "Deactivate"
    click(qtbot, page.active_button)
    assert visits.scan(demo_storage, payload).reason == "inactive"
    assert page.active_button.text().replace("&", "") == "Reactivate"
    click(qtbot, page.active_button)
    assert badges.verify(demo_storage, payload).ok


def choose_column(qtbot, chooser, column: str) -> None:
    """Pick a column in a field's drop-down with the keyboard, as a lead would."""
    chooser.setFocus()
    target = chooser.findText(column)
    assert target >= 0, column
    while chooser.currentIndex() != target:
        key = Qt.Key.Key_Down if chooser.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(chooser, key)


def test_a_file_without_a_name_column_asks_which_column_holds_it(window, demo_storage, qtbot, tmp_path):
    window.show_page("people")
    page = window.people
    source = tmp_path / "notes.csv"
    source.write_text("Staff;Login mail;Badge colour\nAda Byron;ada.byron@corp.example;red\n", encoding="utf-8")
    before = demo_storage.value("SELECT count(*) FROM people")
    click(qtbot, page.import_button)
    pick_file(page, source)
    preview = page.preview
    assert "choose the column" in preview.summary.text() and not preview.ok_button.isEnabled()
    assert "no column 'name'" in preview.columns.how_read.text()
    choose_column(qtbot, preview.columns.choosers["name"], "Staff")
    choose_column(qtbot, preview.columns.choosers["email"], "Login mail")
    assert preview.ok_button.isEnabled() and preview.ok_button.text() == "Import 1 person"
    assert preview.columns.ignored.text() == "Not imported: Badge colour"
    assert preview.columns.samples.rows()[0]["email"] == "ada.byron@corp.example"
    click(qtbot, preview.ok_button)
    qtbot.waitUntil(lambda: demo_storage.value("SELECT count(*) FROM people") == before + 1, timeout=5000)
    assert roster.find_person(demo_storage, "ada.byron@corp.example")["name"] == "Ada Byron"


def test_an_hr_export_preview_shows_how_it_was_read_and_sample_rows(window, demo_storage, qtbot, qtmodeltester):
    from conftest import SAMPLE_DATA

    window.show_page("people")
    page = window.people
    click(qtbot, page.import_button)
    pick_file(page, SAMPLE_DATA / "hr_export_de.csv")
    preview = page.preview
    columns = preview.columns
    assert "Windows-1252" in columns.how_read.text() and "semicolons" in columns.how_read.text()
    assert columns.choosers["first_name"].currentText() == "Vorname"
    assert columns.choosers["last_name"].currentText() == "Name"
    assert columns.choosers["email"].currentText() == "E-Mail"
    assert columns.choosers["name"].currentText() == "(not imported)"
    assert columns.ignored.text() == "Not imported: Stellenbezeichnung, Standort"
    qtmodeltester.check(columns.samples)
    assert [r["name"] for r in columns.samples.rows()][:2] == ["Jürgen Groß", "Käthe Schäfer"]
    # Taking the email away is the lead's choice, and the preview says what follows from it.
    choose_column(qtbot, columns.choosers["email"], "(not imported)")
    assert "E-Mail" in columns.ignored.text() and not columns.samples.rows()[0].get("email")