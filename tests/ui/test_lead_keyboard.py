"""The shift-lead window from the keyboard alone, as a lead without a mouse would use it: Tab
between controls and out of tables, arrows in tables, Enter on the board, mnemonics, Ctrl+F,
Ctrl+P (print dialog and preview), Ctrl+Z and the banner's Undo; a badge scanned into the PIN
screen or a search box; the About box and the crash dialog."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from storeshift import __version__
from storeshift.logs import log_dir
from storeshift.services import badges, pin, settings, visits
from storeshift.ui.app import CrashDialog, install_crash_hook
from storeshift.ui.lead.common import _BadgeGuard

CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier


@pytest.fixture
def window(demo_storage, make_window):
    # Keyboard tests need the window to hold the keyboard, at a common store screen's size.
    return make_window(demo_storage, size=(1366, 768), active=True)


def focused():
    return QApplication.focusWidget()


def tab_until(qtbot, start, target, limit: int = 40) -> list:
    """Press Tab from start until target has the focus; returns the widgets passed on the way."""
    start.setFocus()
    passed = [focused()]
    for _ in range(limit):
        if focused() is target:
            return passed
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        passed.append(focused())
    raise AssertionError(f"Tab never reached {target.objectName()}; it went {[w.objectName() for w in passed]}")


def active_task(storage, visit_id):
    return storage.value("SELECT task_id FROM assignments WHERE visit_id = ? AND status = 'active'", (visit_id,))


def test_tab_leaves_tables_and_reaches_every_floor_control(window, qtbot):
    page = window.floor
    page.board.setFocus()
    qtbot.keyClick(page.board, Qt.Key.Key_Down)
    assert page.selected() is not None  # arrows move in the table…
    qtbot.keyClick(page.board, Qt.Key.Key_Tab)
    assert focused() is page.assign_button  # …and Tab leaves it for the buttons
    passed = tab_until(qtbot, page.board, page.left)
    for control in (page.assign_button, page.check_out_button, page.check_in_button, page.catalogue,
                    page.expected):
        assert control in passed
    page.catalogue.setFocus()
    qtbot.keyClick(page.catalogue, Qt.Key.Key_Down)
    row = page.catalogue.currentIndex().row()
    qtbot.keyClick(page.catalogue, Qt.Key.Key_Down)
    assert page.catalogue.currentIndex().row() == row + 1
    qtbot.keyClick(page.catalogue, Qt.Key.Key_Tab)
    assert focused() is page.expected


def test_enter_on_a_board_row_opens_the_picker_and_ctrl_z_takes_the_task_back(window, demo_storage, qtbot):
    page = window.floor
    row = next(i for i, r in enumerate(page.model.rows()) if r["task_id"])
    person = page.model.rows()[row]
    page.board.setFocus()
    for _ in range(row + 1):
        qtbot.keyClick(page.board, Qt.Key.Key_Down)
    if page.selected()["visit_id"] != person["visit_id"]:  # the first Down may land on row 0
        qtbot.keyClick(page.board, Qt.Key.Key_Up)
    assert page.selected()["visit_id"] == person["visit_id"]
    qtbot.keyClick(page.board, Qt.Key.Key_Return)
    picker = page.picker
    assert picker.isVisible() and picker.focusWidget() is picker.list
    for _ in range(picker.list.count()):
        qtbot.keyClick(picker.list, Qt.Key.Key_Down)
        if picker.chosen():
            break
    chosen = picker.chosen()
    assert chosen and chosen != person["task_id"]
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    assert not picker.isVisible()
    assert active_task(demo_storage, person["visit_id"]) == chosen
    assert window.banner.undo_button.isVisible()
    page.board.setFocus()
    qtbot.keyClick(page.board, Qt.Key.Key_Z, CTRL)
    assert active_task(demo_storage, person["visit_id"]) == person["task_id"]
    assert window.banner.level == "success" and "Undone" in window.banner.text()
    # Nothing is left to undo, and the lead is told so.
    qtbot.keyClick(page.board, Qt.Key.Key_Z, CTRL)
    assert "nothing to undo" in window.banner.text()


def test_mark_done_asks_first_and_undo_gives_the_task_back(window, demo_storage, qtbot):
    page = window.floor
    row = next(i for i, r in enumerate(page.model.rows()) if r["task_id"])
    person = page.model.rows()[row]
    page.board.selectRow(row)
    page.board.setFocus()
    qtbot.keyClick(page.board, Qt.Key.Key_D, ALT)  # "Mark task &done…" (a mnemonic clicks after 100 ms)
    qtbot.waitUntil(lambda: getattr(page, "confirm_box", None) is not None)
    box = page.confirm_box
    assert box.isVisible() and person["name"] in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # Esc cancels: nothing changes
    assert active_task(demo_storage, person["visit_id"]) == person["task_id"]
    # Space on the focused button does what its mnemonic does.
    page.done_button.setFocus()
    qtbot.keyClick(page.done_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.confirm_box is not box)
    qtbot.keyClick(page.confirm_box, Qt.Key.Key_M)  # "&Mark done": a message box takes the bare letter
    qtbot.waitUntil(lambda: active_task(demo_storage, person["visit_id"]) is None)
    # The banner's Undo does what Ctrl+Z does.
    qtbot.mouseClick(window.banner.undo_button, Qt.MouseButton.LeftButton)
    assert active_task(demo_storage, person["visit_id"]) == person["task_id"]


def test_delete_checks_out_and_ctrl_z_puts_the_person_back(window, demo_storage, qtbot):
    page = window.floor
    person = page.model.rows()[0]
    page.board.setFocus()
    page.board.selectRow(0)
    qtbot.keyClick(page.board, Qt.Key.Key_Delete)
    dialog = page.check_out_dialog
    assert dialog.isVisible()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert visits.get_visit(demo_storage, person["visit_id"])["check_out_at"]
    assert person["visit_id"] not in [r["visit_id"] for r in page.model.rows()]
    page.board.setFocus()
    qtbot.keyClick(page.board, Qt.Key.Key_Z, CTRL)
    assert visits.get_visit(demo_storage, person["visit_id"])["check_out_at"] is None
    assert person["visit_id"] in [r["visit_id"] for r in page.model.rows()]
    assert active_task(demo_storage, person["visit_id"]) == person["task_id"]


def test_triage_can_be_undone_from_the_banner(window, demo_storage, qtbot):
    window.show_page("observations")
    page = window.observations
    page.status.setCurrentIndex(page.status.findData("new"))
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    row = page.selected()
    assert row is not None and row["status"] == "new"
    # A new note is in no theme yet: Enter in the title box starts one, then the theme is triaged.
    page.new_title.setFocus()
    qtbot.keyClick(page.new_title, Qt.Key.Key_Return)
    theme_id = demo_storage.value("SELECT theme_id FROM observations WHERE id = ?", (row["id"],))
    assert theme_id
    page.owner.setFocus()
    qtbot.keyClicks(page.owner, "Ops team")
    qtbot.keyClick(page.owner, Qt.Key.Key_S, ALT)  # "&Save theme"
    qtbot.waitUntil(lambda: "Theme saved" in window.banner.text())
    stored = demo_storage.one("SELECT status, owner FROM themes WHERE id = ?", (theme_id,))
    assert stored == {"status": "triaged", "owner": "Ops team"}
    # In the owner field Ctrl+Z is the field's own undo; from the table it undoes the triage.
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Z, CTRL)
    stored = demo_storage.one("SELECT status, owner FROM themes WHERE id = ?", (theme_id,))
    assert stored == {"status": "new", "owner": None}


def test_ctrl_f_goes_to_the_search_box_of_the_page_shown(window, qtbot):
    for key, box in (("people", window.people.search), ("observations", window.observations.search)):
        window.show_page(key)
        window.nav.setFocus()
        qtbot.keyClick(window.nav, Qt.Key.Key_F, CTRL)
        assert focused() is box
    window.show_page("floor")
    qtbot.keyClick(window.nav, Qt.Key.Key_F, CTRL)
    assert focused() is window.floor.board


def test_a_badge_typed_into_a_search_box_is_taken_out_with_a_sentence(window, demo_storage, qtbot):
    window.show_page("people")
    box = window.people.search
    payload = badges.payload_for(demo_storage, demo_storage.value("SELECT id FROM people LIMIT 1"))
    box.setFocus()
    qtbot.keyClicks(box, payload)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert box.text() == ""
    assert window.banner.level == "warning" and "badge" in window.banner.text() and "kiosk" in window.banner.text()
    # The rest of the scanner's burst would be dropped; once it is over, typing searches again.
    guard = box.findChild(_BadgeGuard)
    qtbot.waitUntil(lambda: not guard.swallowing, timeout=2000)
    qtbot.keyClicks(box, "Haddad")  # a name still searches
    assert box.text() == "Haddad"


def type_keys(widget, text: str, gap_ms: int) -> None:
    """Key press and release for each character, gap_ms apart, as a scanner or a person would."""
    for ch in text:
        key = int(Qt.Key.Key_Return) if ch == "\r" else ord(ch.upper())
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))
        if gap_ms:
            QTest.qWait(gap_ms)


def test_a_badge_scanned_into_the_pin_screen_is_not_a_wrong_pin(demo_storage, make_window, qtbot):
    pin.set_pin(demo_storage, "4321")
    window = make_window(demo_storage, size=(1366, 768), active=True)
    assert window.is_locked()
    pad = window.lock_screen.pad
    payload = badges.payload_for(demo_storage, demo_storage.value("SELECT id FROM people LIMIT 1"))
    QTest.qWait(50)  # pending paints first: a stall mid-burst is not what is tested
    for _ in range(6):  # more scans than the free attempts before a lockout
        type_keys(pad.display, payload + "\r", gap_ms=2)
        QTest.qWait(200)
    assert settings.get(demo_storage, "pin_failures") in (None, "0", 0)
    assert pin.locked_until(demo_storage) is None
    assert "badge" in pad.message.text() and "kiosk" in pad.message.text()
    assert pad.display.text() == ""
    # A person typing the PIN is not a scanner: it unlocks.
    type_keys(pad.display, "4321\r", gap_ms=60)
    assert not window.is_locked()


def test_print_dialog_and_print_preview_render_the_pdf_pages(window, demo_storage, qtbot, tmp_path):
    page = window.reports
    people = [r["id"] for r in demo_storage.rows("SELECT id FROM people WHERE active = 1 LIMIT 9")]
    page.make_badge_sheet(people)  # nine badges: two pages
    qtbot.waitUntil(lambda: page.current_pdf is not None, timeout=30000)
    pages = page.document.pageCount()
    assert pages == 2 and window.current_key() == "reports"
    qtbot.keyClick(window.nav, Qt.Key.Key_P, CTRL)
    dialog = page.print_dialog
    assert dialog is not None and dialog.isVisible() and dialog.isModal()
    # No printer here: the dialog's printer writes a PDF file instead.
    out = tmp_path / "printed.pdf"
    dialog.findChild(QLineEdit, "filename").setText(str(out))
    dialog.accept()
    assert page.printer.outputFormat() == QPrinter.OutputFormat.PdfFormat
    assert window.banner.level == "success" and f"Sent {pages} pages" in window.banner.text()
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1) == str(pages)
    # The preview lays the same pages out, rendered from the PDF.
    qtbot.keyClick(page.preview_button, Qt.Key.Key_V, ALT)  # "Print pre&view…"
    qtbot.waitUntil(lambda: getattr(page, "preview_dialog", None) is not None)
    preview = page.preview_dialog
    assert preview.isVisible()
    qtbot.waitUntil(lambda: preview.findChild(QPrintPreviewWidget).pageCount() == pages, timeout=5000)
    preview.reject()
    assert not preview.isVisible()


def test_ctrl_p_on_the_floor_prints_the_roll_call(window, qtbot):
    page = window.floor
    opened = []
    page.open_file = lambda path: opened.append(path) or True
    qtbot.keyClick(window.nav, Qt.Key.Key_P, CTRL)
    assert opened == [page.last_roll_call] and page.last_roll_call.read_bytes()[:5] == b"%PDF-"


def test_ctrl_p_elsewhere_says_where_printing_is(window, qtbot):
    window.show_page("tasks")
    qtbot.keyClick(window.nav, Qt.Key.Key_P, CTRL)
    assert "Reports" in window.banner.text()


def test_reports_keeps_the_chosen_week_after_a_refresh(window, qtbot):
    window.show_page("reports")
    page = window.reports
    page.week.setFocus()
    for _ in range(3):
        qtbot.keyClick(page.week, Qt.Key.Key_Down)
    chosen = page.week.currentText()
    assert "last week" not in chosen
    window.on_database_changed()
    page.refresh()
    assert page.week.currentText() == chosen


def test_about_box_names_version_database_and_log_folder(window, db_path, qtbot):
    qtbot.keyClick(window.nav, Qt.Key.Key_F1)
    box = window.about_box
    assert box.isVisible()
    for fact in (__version__, str(db_path), str(log_dir())):
        assert fact in box.text()
    box.reject()


def test_crash_dialog_has_details_to_copy_without_personal_data(window, qtbot, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_crash_hook(window.report_problem, details_parent=window)

    def assign_to(name):
        raise KeyError(f"no task for {name}")

    person = "Chloé Haddad"
    try:
        assign_to(person)
    except KeyError:
        sys.excepthook(*sys.exc_info())
    assert window.banner.level == "error" and "Something went wrong" in window.banner.text()
    dialog = window.findChild(CrashDialog, "crashDialog")
    assert dialog is not None and dialog.isVisible()
    details = dialog.details.toPlainText()
    assert "KeyError" in details and "assign_to" in details and __version__ in details
    assert "Chloé" not in details  # neither the message nor local values
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == details
    dialog.close()
