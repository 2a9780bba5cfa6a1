"""Triage into themes in the shift-lead window, driven as a lead would: "same as…" one of the
three most similar open themes, a new theme, rename, merge, split, take a note out."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, Qt

from storeshift.services import observations, roster, themes
from storeshift.timeutil import UTC
from storeshift.ui.lead.window import LeadWindow
from storeshift.ui.watcher import DatabaseWatcher
from storeshift.ui.worker import wait_for_background

NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
NOTES = [
    "Self-checkout rejects bags over 2 kg and calls for help.",
    "The self-checkout keeps rejecting heavy bags, customers wait for help.",
    "Oat milk sold out by 11am again.",
    "Parcel lockers have no sign from the entrance.",
]


@pytest.fixture
def lead(qtbot, storage, db_path, tmp_path):
    person = roster.add_person(storage, name="Ada Lovelace", department="IT")
    notes = [observations.add_observation(storage, category="process_problem", text=t, person_id=person["id"])
             for t in NOTES]
    watcher = DatabaseWatcher(db_path, interval_ms=50)
    store = QSettings(str(tmp_path / "lead.ini"), QSettings.Format.IniFormat)
    win = LeadWindow(storage, watcher, clock=lambda: NOW, settings_store=store)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    win.show_page("observations")
    page = win.observations
    page.week.setCurrentIndex(page.week.findText("All weeks"))
    yield win, page, notes
    wait_for_background()
    watcher.stop()


def select(qtbot, page, note_id: str) -> None:
    index = page.model.index_of(note_id)
    assert index.row() >= 0
    rect = page.table.visualRect(index)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.selected()["id"] == note_id


def click(qtbot, widget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_same_as_new_theme_rename_merge_split_and_take_out(lead, qtbot, storage):
    win, page, notes = lead
    # The first note: no theme is open yet, so only "New theme" is offered.
    select(qtbot, page, notes[0]["id"])
    assert not any(b.isVisible() for b in page.same_as)
    page.new_title.clear()
    qtbot.keyClicks(page.new_title, "Self-checkout rejects bags")
    qtbot.keyClick(page.new_title, Qt.Key.Key_Return)
    bags = observations.get_observation(storage, notes[0]["id"])["theme_id"]
    assert themes.get_theme(storage, bags)["title"] == "Self-checkout rejects bags"
    # The second note, told in other words: the bags theme is offered first; one click puts it there.
    select(qtbot, page, notes[1]["id"])
    assert page.same_as[0].isVisible() and "Self-checkout rejects bags" in page.same_as[0].text()
    click(qtbot, page.same_as[0])
    assert observations.get_observation(storage, notes[1]["id"])["theme_id"] == bags
    assert "Added to the theme" in win.banner.text()
    # Oat milk: a theme of its own, then merged into the bags theme by mistake, and split out again.
    select(qtbot, page, notes[2]["id"])
    page.new_title.clear()
    qtbot.keyClicks(page.new_title, "Oat milk")
    click(qtbot, page.new_theme_button)
    oat = observations.get_observation(storage, notes[2]["id"])["theme_id"]
    # Rename it on the theme.
    page.theme_title.clear()
    qtbot.keyClicks(page.theme_title, "Oat milk sells out")
    click(qtbot, page.rename_button)
    assert themes.get_theme(storage, oat)["title"] == "Oat milk sells out"
    select(qtbot, page, notes[0]["id"])
    page.merge_with.setCurrentIndex(page.merge_with.findData(oat))
    click(qtbot, page.merge_button)
    assert {observations.get_observation(storage, n["id"])["theme_id"] for n in notes[:3]} == {bags}
    assert storage.one("SELECT id FROM themes WHERE id = ?", (oat,)) is None
    # Split: tick the oat milk note, name the new theme.
    click(qtbot, page.split_button)
    dialog = page.split_dialog
    qtbot.waitExposed(dialog)
    for row in range(dialog.notes.count()):
        item = dialog.notes.item(row)
        if "Oat milk" in item.text():
            item.setCheckState(Qt.CheckState.Checked)
    qtbot.keyClicks(dialog.title, "Oat milk sells out")
    click(qtbot, dialog.ok_button)
    split_off = observations.get_observation(storage, notes[2]["id"])["theme_id"]
    assert split_off not in (None, bags)
    assert themes.get_theme(storage, split_off)["title"] == "Oat milk sells out"
    # Owner, status and follow-up are the theme's: both notes show them.
    select(qtbot, page, notes[1]["id"])
    qtbot.keyClicks(page.owner, "Ops team")
    click(qtbot, page.save_button)
    assert themes.get_theme(storage, bags)["status"] == "triaged"
    shown = {r["id"]: r for r in page.model.rows()}
    assert shown[notes[0]["id"]]["owner"] == shown[notes[1]["id"]]["owner"] == "Ops team"
    assert shown[notes[0]["id"]]["status"] == "triaged"
    # Take a note out: it is new again and offered its old theme.
    click(qtbot, page.detach_button)
    assert observations.get_observation(storage, notes[1]["id"])["theme_id"] is None
    assert page.same_as[0].isVisible() and "Self-checkout rejects bags" in page.same_as[0].text()


def test_group_new_notes_and_a_bad_title_is_a_sentence(lead, qtbot, storage):
    win, page, notes = lead
    select(qtbot, page, notes[3]["id"])
    page.new_title.clear()
    click(qtbot, page.new_theme_button)
    assert "Please give the theme a title" in win.banner.text()
    assert observations.get_observation(storage, notes[3]["id"])["theme_id"] is None
    click(qtbot, page.group_button)
    grouped = {observations.get_observation(storage, n["id"])["theme_id"] for n in notes[:2]}
    assert len(grouped) == 1 and None not in grouped, "the two self-checkout notes become one theme"
    assert observations.get_observation(storage, notes[2]["id"])["theme_id"] is None


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_triage_fits_small_screens(lead, qtbot, storage, size, tmp_path, settle):
    win, page, notes = lead
    win.resize(*size)
    select(qtbot, page, notes[1]["id"])
    themes.create_theme(storage, "Self-checkout rejects bags", [notes[0]["id"]])
    page.shown_id = None
    page.refresh()
    settle()
    win.grab().save(str(tmp_path / f"triage-{size[0]}.png"))
    for button in page.same_as[:1] + [page.new_theme_button]:
        assert button.isVisible()
        assert button.visibleRegion().boundingRect().width() > 40, "the button is cut off"
    win.grab().save(str(tmp_path / f"triage-{size[0]}.png"))
