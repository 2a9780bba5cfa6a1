"""The shift-lead window as a whole: navigation and shortcuts, the PIN lock on start and after
inactivity, geometry remembered, Settings (form, PIN, backup, restore), Reports (weekly
report and badge sheet made in the background and previewed) and the kiosk button."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from storeshift.timeutil import UTC
from storeshift.services import pin, settings, visits
from storeshift.storage import open_storage
from storeshift.ui.lead.window import PAGES

NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # the moment the conftest windows live in


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_navigation_by_click_and_shortcut(window, qtbot):
    assert window.current_key() == "floor"
    for number, (key, _label, _shortcut) in enumerate(PAGES, start=1):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == key
        assert window.stack.currentWidget() is window.pages[key]
    item = window.nav.item(2)
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=window.nav.visualItemRect(item).center())
    assert window.current_key() == "people"


def test_status_bar_names_database_site_and_backup(window, db_path):
    assert str(db_path) in window.db_label.text()
    assert "never" in window.backup_label.text()
    assert "Riverside Store" in window.site_label.text() and "Riverside Store" in window.windowTitle()


def test_pin_asked_on_start_wrong_pin_refused_right_pin_unlocks(demo_storage, make_window, qtbot):
    pin.set_pin(demo_storage, "4321")
    window = make_window(demo_storage)
    assert window.is_locked()
    pad = window.lock_screen.pad
    qtbot.keyClicks(pad.display, "1111")
    qtbot.keyClick(pad.display, Qt.Key.Key_Return)
    assert window.is_locked() and "not right" in pad.message.text()
    for digit in "4321":
        click(qtbot, pad.digit_buttons[digit])
    click(qtbot, pad.ok_button)
    assert not window.is_locked()
    assert window.idle_timer.isActive()
    assert window.idle_timer.interval() == settings.get(demo_storage, "lead_lock_min") * 60_000


def test_the_roll_call_prints_from_the_lock_screen_without_the_pin(demo_storage, make_window, qtbot):
    pin.set_pin(demo_storage, "4321")
    window = make_window(demo_storage)
    assert window.is_locked()
    opened = []
    window.floor.open_file = lambda path: opened.append(path) or True
    click(qtbot, window.lock_screen.roll_call_button)
    assert opened and opened[0].exists() and window.is_locked()
    on_site = len(visits.roll_call(demo_storage, NOW))
    assert on_site > 0 and f"Roll call of {on_site} people" in window.banner.text()


def test_window_locks_after_inactivity_and_activity_postpones_it(demo_storage, make_window, qtbot):
    pin.set_pin(demo_storage, "4321")
    window = make_window(demo_storage)
    window.lock_screen.pad.display.setText("4321")
    window.lock_screen.pad.on_ok()
    assert not window.is_locked()
    window.idle_timer.setInterval(300)
    window.idle_timer.start()
    qtbot.waitUntil(lambda: window.idle_timer.remainingTime() < 200, timeout=1000)
    qtbot.keyClick(window.floor.board, Qt.Key.Key_Down)  # the lead is there: the countdown starts again
    assert window.idle_timer.remainingTime() > 250 and not window.is_locked()
    window.show_page("people")
    window.people.on_add()  # a form left open when the lead walks away
    assert window.people.dialog.isVisible()
    qtbot.waitUntil(window.is_locked, timeout=1000)
    assert "without use" in window.lock_screen.pad.message.text()
    assert not window.people.dialog.isVisible()


def test_geometry_is_remembered_and_kept_within_the_screen(demo_storage, make_window, ini, qtbot):
    area = QGuiApplication.primaryScreen().availableGeometry()
    first = make_window(demo_storage)
    first.setGeometry(area.x() + 10, area.y() + 20, 770, 500)
    first.close()
    second = make_window(demo_storage)
    assert second.geometry().getRect() == (area.x() + 10, area.y() + 20, 770, 500)
    # Last used on a bigger screen, partly off this one: moved and shrunk to fit it.
    second.setGeometry(area.x() + 300, area.y() + 200, area.width() + 900, area.height() + 500)
    second.close()
    third = make_window(demo_storage)
    qtbot.waitUntil(lambda: area.contains(third.frameGeometry()), timeout=1000)
    assert third.width() < area.width() + 900


def test_settings_form_is_built_from_the_declared_settings_and_saves(window, demo_storage, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    page = window.settings_page
    assert set(page.fields) == {s.key for s in settings.SETTINGS if not s.hidden}
    name = page.fields["site_name"]
    name.selectAll()
    qtbot.keyClicks(name, "Harbour Street")
    zone = page.fields["timezone"]
    zone.lineEdit().selectAll()
    qtbot.keyClicks(zone.lineEdit(), "Europe/Paris")
    click(qtbot, page.save_button)
    assert settings.get(demo_storage, "site_name") == "Harbour Street"
    assert settings.get(demo_storage, "timezone") == "Europe/Paris"
    assert "Harbour Street" in window.windowTitle()
    # A bad value is refused with the setting's name, and nothing at all is saved.
    name.selectAll()
    qtbot.keyClicks(name, "Somewhere else")
    zone.lineEdit().selectAll()
    qtbot.keyClicks(zone.lineEdit(), "Mars/Olympus")
    click(qtbot, page.save_button)
    assert window.banner.level == "error" and "Time zone" in window.banner.text()
    assert settings.get(demo_storage, "site_name") == "Harbour Street"


def test_settings_fields_follow_their_types_and_opening_hours_bring_their_closing_times(window, demo_storage, qtbot):
    from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QTimeEdit

    window.show_page("settings")
    page = window.settings_page
    kinds = {key: type(field) for key, field in page.fields.items()}
    assert kinds["repeat_window_s"] is QSpinBox and page.fields["repeat_window_s"].minimum() == 1
    assert kinds["closing_time"] is QTimeEdit and kinds["closing_time_sun"] is QLineEdit
    assert kinds["language"] is QComboBox and not page.fields["language"].isEditable()
    assert kinds["timezone"] is QComboBox and page.fields["timezone"].isEditable()
    hours = page.fields["opening_hours"]
    hours.setText("Mon-Sat 08:00-20:00, Sun closed")
    click(qtbot, page.save_button)
    assert settings.get(demo_storage, "opening_hours") == "Mon-Sat 08:00-20:00, Sun closed"
    assert settings.closing_times(demo_storage)[:6] == ("20:00",) * 6


def test_closing_time_per_weekday_is_typed_in_one_row(window, demo_storage, qtbot):
    window.show_page("settings")
    page = window.settings_page
    saturday, sunday = page.fields["closing_time_sat"], page.fields["closing_time_sun"]
    assert saturday.text() == "" and saturday.placeholderText() == "same"
    qtbot.keyClicks(saturday, "18:00")
    qtbot.keyClicks(sunday, "17:30")
    click(qtbot, page.save_button)
    assert settings.closing_times(demo_storage)[5:] == ("18:00", "17:30")
    assert window.banner.level == "success" and "Closing time on Saturdays" in window.banner.text()
    sunday.clear()
    click(qtbot, page.save_button)
    assert settings.closing_times(demo_storage)[6] == settings.get(demo_storage, "closing_time")
    saturday.selectAll()
    qtbot.keyClicks(saturday, "6pm")
    click(qtbot, page.save_button)
    assert window.banner.level == "error" and "Closing time on Saturdays" in window.banner.text()
    assert settings.get(demo_storage, "closing_time_sat") == "18:00"


def test_change_pin_needs_the_old_pin(window, demo_storage, qtbot):
    window.show_page("settings")
    page = window.settings_page
    qtbot.keyClicks(page.new_pin, "2468")
    qtbot.keyClicks(page.repeat_pin, "2468")
    click(qtbot, page.pin_button)
    assert pin.has_pin(demo_storage) and pin.check_pin(demo_storage, "2468")
    qtbot.keyClicks(page.old_pin, "0000")
    qtbot.keyClicks(page.new_pin, "1357")
    qtbot.keyClicks(page.repeat_pin, "1357")
    click(qtbot, page.pin_button)
    assert window.banner.level == "error" and "current PIN is wrong" in window.banner.text()
    assert pin.check_pin(demo_storage, "2468")
    qtbot.keyClicks(page.old_pin, "2468")
    qtbot.keyClicks(page.new_pin, "1357")
    qtbot.keyClicks(page.repeat_pin, "1357")
    click(qtbot, page.pin_button)
    assert pin.check_pin(demo_storage, "1357")


def test_backup_runs_in_the_background_and_restore_asks_twice(window, demo_storage, db_path, qtbot):
    window.show_page("settings")
    page = window.settings_page
    click(qtbot, page.backup_button)
    qtbot.waitUntil(lambda: "Backup written" in window.banner.text(), timeout=10000)
    backups = sorted(page.backup_folder().glob("storeshift-backup-*.db"))
    assert len(backups) == 1
    assert "never" not in window.backup_label.text()
    people_then = demo_storage.value("SELECT count(*) FROM people")

    from storeshift.services import roster

    roster.add_person(demo_storage, name="After The Backup")
    page.on_restore_clicked()
    page.file_dialog.selectFile(str(backups[0]))
    page.file_dialog.accept()
    first = page.confirm_box
    assert backups[0].name in first.text()
    click(qtbot, first.yes_button)
    second = page.confirm_box
    assert second is not first and "are you sure" in second.windowTitle()
    click(qtbot, second.yes_button)
    assert window.storage.value("SELECT count(*) FROM people") == people_then
    kept = list(db_path.parent.glob(f"{db_path.stem}.replaced-*{db_path.suffix}"))
    assert len(kept) == 1
    with sqlite3.connect(kept[0]) as old:
        assert old.execute("SELECT count(*) FROM people WHERE name = 'After The Backup'").fetchone()[0] == 1
    assert "Restored" in window.banner.text()
    # The floor board still works on the restored database.
    window.show_page("floor")
    window.floor.refresh()
    window.storage.close()


def test_weekly_report_is_made_in_the_background_and_previewed(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    page = window.reports
    assert page.week.currentText().startswith("2026-W47") and "last week" in page.week.currentText()
    click(qtbot, page.make_button)
    assert page.busy() and not page.make_button.isEnabled()
    qtbot.waitUntil(lambda: page.current_pdf is not None, timeout=30000)
    assert page.document.pageCount() >= 2
    assert page.current_pdf.read_bytes()[:5] == b"%PDF-"
    assert page.save_button.isEnabled() and page.print_button.isEnabled()
    assert window.banner.level == "success"


def test_badge_sheet_for_selected_people_opens_in_the_reports_preview(window, demo_storage, qtbot, tmp_path):
    window.show_page("people")
    people = window.people
    rows = [i for i, r in enumerate(people.model.rows()) if r["active"]][:3]
    for n, row in enumerate(rows):
        rect = people.table.visualRect(people.model.index(row, 0))
        modifier = Qt.KeyboardModifier.ControlModifier if n else Qt.KeyboardModifier.NoModifier
        qtbot.mouseClick(people.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())
    assert people.sheet_button.text().replace("&", "") == "Print badges for 3…"
    click(qtbot, people.sheet_button)
    assert window.current_key() == "reports"
    page = window.reports
    qtbot.waitUntil(lambda: page.current_pdf is not None, timeout=30000)
    assert page.document.pageCount() == 1
    out = tmp_path / "badges.pdf"
    click(qtbot, page.save_button)
    page.file_dialog.selectFile(str(out))
    page.file_dialog.accept()
    assert out.read_bytes() == page.current_pdf.read_bytes()


@pytest.mark.qt_log_ignore("Couldn't (load|resolve)", "PulseAudio", "QSoundEffect", "pa_context")
def test_kiosk_button_opens_the_kiosk_in_a_window_when_there_is_one_screen(window, qtbot):
    click(qtbot, window.kiosk_button)
    assert window.kiosk_window is not None and window.kiosk_window.isVisible()
    assert "Only one screen" in window.banner.text()
    window.kiosk_window.close()
    assert window.kiosk_window.isVisible()  # only the PIN closes the kiosk
    window.kiosk_window.leave()  # (as the PIN does: an open kiosk watches every window for badges)


def test_a_database_error_is_a_sentence_in_the_banner_not_a_freeze(window, demo_storage, db_path, qtbot):
    """Another program holds the write lock: the lead reads a sentence and can carry on."""
    other = open_storage(db_path)
    other.conn.execute("PRAGMA busy_timeout=0")
    other.conn.execute("BEGIN IMMEDIATE")
    try:
        demo_storage.conn.execute("PRAGMA busy_timeout=100")
        page = window.floor
        person = page.model.rows()[0]
        task = next(t for t in page.task_model.rows() if t["id"] != person["task_id"]
                    and (t["capacity"] is None or t["taken"] < t["capacity"]))
        assert not page.assign(person["visit_id"], task["id"])
        assert window.banner.level == "error" and "another program is using the database" in window.banner.text()
    finally:
        other.conn.execute("ROLLBACK")
        other.close()
        demo_storage.conn.execute("PRAGMA busy_timeout=5000")
    assert page.assign(person["visit_id"], task["id"])


def test_lock_without_a_pin_says_how_to_set_one(window, qtbot):
    click(qtbot, window.lock_button)
    assert not window.is_locked()
    assert window.banner.level == "warning" and "Set a shift-lead PIN" in window.banner.text()


def test_organisation_key_export_and_a_refused_import(window, demo_storage, qtbot, tmp_path):
    window.show_page("settings")
    page = window.settings_page
    out = tmp_path / "key.json"
    click(qtbot, page.export_key_button)
    page.file_dialog.selectFile(str(out))
    page.file_dialog.accept()
    assert out.exists() and '"storeshift-org-key"' in out.read_text()
    click(qtbot, page.import_key_button)
    page.file_dialog.selectFile(str(out))
    page.file_dialog.accept()
    # The same key: accepted and nothing changes.
    assert window.banner.level == "success"
    other = tmp_path / "other.json"
    other.write_text('{"format": "something else"}')
    click(qtbot, page.import_key_button)
    page.file_dialog.selectFile(str(other))
    page.file_dialog.accept()
    assert window.banner.level == "error" and "not a storeshift organisation key file" in window.banner.text()


def test_opening_hours_read_and_typed_in_the_site_language(demo_storage, make_window, qtbot):
    settings.put(demo_storage, "opening_hours", "Mon-Sat 08:00-20:00, Sun closed")
    settings.put(demo_storage, "language", "fr")
    window = make_window(demo_storage)
    window.show_page("settings")
    page = window.settings_page
    hours = page.fields["opening_hours"]
    assert hours.text() == "lun.-sam. 08:00-20:00, dim. fermé"
    before = demo_storage.value("SELECT count(*) FROM audit_log")
    click(qtbot, page.save_button)  # nothing changed: nothing written
    assert demo_storage.value("SELECT count(*) FROM audit_log") == before
    hours.setText("lun.-ven. 09:00-21:00, sam. 09:00-18:00, dim. fermé")
    click(qtbot, page.save_button)
    assert settings.get(demo_storage, "opening_hours") == "Mon-Fri 09:00-21:00, Sat 09:00-18:00, Sun closed"
    assert settings.closing_times(demo_storage)[4:6] == ("21:00", "18:00")
