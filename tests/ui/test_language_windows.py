"""The windows in the store's language: the kiosk greets in the site's language, a visitor can
read it in their own until it goes back to idle, and the shift lead switches the site's language
in Settings with the window following at once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPushButton

from storeshift import i18n
from storeshift.services import badges, settings, visits
from storeshift.ui.kiosk.window import KioskWindow
from storeshift.ui.lead.window import LeadWindow
from storeshift.ui.watcher import DatabaseWatcher
from storeshift.ui.worker import wait_for_background

pytestmark = pytest.mark.qt_log_ignore("No RHI backend", "Couldn't (load|resolve)", "PulseAudioService",
                                       "QSoundEffect", "audio device")
NOW = dt.datetime(2026, 11, 25, 11, 5, tzinfo=dt.timezone.utc)
# English words that must not be on a French or German screen (they are all in the catalogue).
ENGLISH = ["Scan your badge", "Welcome", "Your task", "Done", "Thank you", "What did you notice", "Skip",
           "Save", "Find your name", "Back", "Shift lead", "Cancel", "We couldn't", "Floor", "Settings",
           "People", "Reports", "Observations", "Tasks", "Name", "Department", "Lock", "Check out", "Give task"]


def scan(payload: str) -> None:
    for ch in payload + "\r":
        code = int(Qt.Key.Key_Return) if ch == "\r" else ord(ch.upper())
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            target = QApplication.focusWidget() or QApplication.activeWindow()
            QApplication.sendEvent(target, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, ch))


def shown_texts(window) -> list[str]:
    """Every text a person can see on the window now: labels, buttons, placeholders."""
    texts = []
    for widget in window.findChildren(QLabel) + window.findChildren(QPushButton):
        if widget.isVisible() and widget.text():
            texts.append(widget.text())
    return texts


def english_on(window) -> list[str]:
    return [text for text in shown_texts(window) for word in ENGLISH
            if re.search(rf"\b{re.escape(word)}\b", text)]


def newcomer(storage) -> dict:
    here = {row["person_id"] for row in visits.on_floor(storage)} | {
        row["person_id"] for row in visits.left_today(storage, NOW)}
    for person, payload in badges.badge_payloads(storage):
        if person["id"] not in here:
            return {**person, "payload": payload}
    raise AssertionError("nobody left to check in")


@pytest.fixture
def french_kiosk(qtbot, demo_storage):
    settings.put(demo_storage, "language", "fr")
    settings.put(demo_storage, "scan_char_gap_ms", 60)
    watcher = DatabaseWatcher(demo_storage.path, interval_ms=50)
    window = KioskWindow(demo_storage, watcher, windowed=True, clock=lambda: NOW, camera=False, sounds=False)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.leave()
    watcher.stop()


def test_kiosk_speaks_the_site_language_and_a_visitor_may_choose_theirs_until_idle(qtbot, french_kiosk,
                                                                                 demo_storage):
    kiosk = french_kiosk
    assert kiosk.idle.prompt.text() == "Scannez votre badge"
    assert not english_on(kiosk), english_on(kiosk)
    person = newcomer(demo_storage)
    scan(person["payload"])
    qtbot.waitUntil(lambda: kiosk.current_screen() == "welcome")  # recorded on the writer thread
    assert kiosk.welcome.headline.text() == f"Bienvenue, {person['name']}\u202f!"
    assert kiosk.welcome.checked_in.text() == "Arrivée enregistrée à 11:05."
    assert not english_on(kiosk), english_on(kiosk)

    # The visitor taps "Deutsch": the screen is German at once, the site stays French.
    qtbot.mouseClick(kiosk.welcome.languages.buttons["de"], Qt.MouseButton.LeftButton)
    assert kiosk.welcome.headline.text() == f"Willkommen, {person['name']}!"
    assert kiosk.welcome.task_heading.text() == "Ihre Aufgabe"
    assert kiosk.welcome.languages.buttons["de"].isChecked()
    assert (i18n.current(), i18n.site_language()) == ("de", "fr")

    # Back to idle: the next person is greeted in the site's language.
    qtbot.mouseClick(kiosk.welcome.done, Qt.MouseButton.LeftButton)
    assert kiosk.current_screen() == "idle"
    assert i18n.current() == "fr" and kiosk.idle.prompt.text() == "Scannez votre badge"
    assert kiosk.idle.languages.buttons["fr"].isChecked()


def test_a_visitor_switching_language_mid_debrief_keeps_what_they_typed(qtbot, french_kiosk, demo_storage):
    kiosk = french_kiosk
    person = newcomer(demo_storage)
    scan(person["payload"])
    qtbot.waitUntil(lambda: kiosk.current_screen() == "welcome")
    qtbot.mouseClick(kiosk.welcome.done, Qt.MouseButton.LeftButton)
    kiosk.clock = lambda: NOW + dt.timedelta(hours=2)
    scan(person["payload"])
    qtbot.waitUntil(lambda: kiosk.current_screen() == "goodbye")
    goodbye = kiosk.goodbye
    assert goodbye.question.text() == "Qu’avez-vous remarqué aujourd’hui\u202f?"
    assert "2\u00a0h" in goodbye.given.text() and not english_on(kiosk), english_on(kiosk)
    goodbye.text.setPlainText("Die Kasse 3 piept ständig.")
    qtbot.mouseClick(goodbye.languages.buttons["en"], Qt.MouseButton.LeftButton)
    assert goodbye.question.text() == "What did you notice today?"
    assert goodbye.headline.text() == f"Thank you, {person['name']}!"
    assert goodbye.finish.text() == "Save"
    assert goodbye.text.toPlainText() == "Die Kasse 3 piept ständig."
    assert goodbye.category_buttons["idea"].text() == "Idea"


def test_refusal_no_badge_search_and_pin_screens_in_german(qtbot, demo_storage):
    settings.put(demo_storage, "language", "de")
    watcher = DatabaseWatcher(demo_storage.path, interval_ms=50)
    kiosk = KioskWindow(demo_storage, watcher, windowed=True, clock=lambda: NOW, camera=False, sounds=False)
    qtbot.addWidget(kiosk)
    kiosk.show()
    try:
        kiosk.handle_payload("SS1-NOPE-THIS-IS-NOT-A-BADGE")
        qtbot.waitUntil(lambda: kiosk.current_screen() == "refused")
        assert kiosk.refused.headline.text() == "Die Anmeldung hat nicht geklappt"
        assert "Schichtleitung" in kiosk.refused.reason.text()
        assert not english_on(kiosk), english_on(kiosk)
        kiosk.show_no_badge()
        kiosk.no_badge.search.setText("zz")
        assert kiosk.no_badge.headline.text() == "Finden Sie Ihren Namen"
        assert kiosk.no_badge.empty.text() == "Niemand mit diesem Namen. Bitte fragen Sie die Schichtleitung."
        assert not english_on(kiosk), english_on(kiosk)
        kiosk.ask_exit_pin()
        assert kiosk.pin_page.headline.text() == "Kioskmodus verlassen"
        # (on a short screen the pad's title also says what the PIN is for)
        assert kiosk.pin_page.pad.title.text().endswith("Schichtleitung: PIN eingeben")
    finally:
        kiosk.leave()
        watcher.stop()


def test_lead_window_follows_the_language_chosen_in_settings(qtbot, demo_storage, tmp_path):
    watcher = DatabaseWatcher(demo_storage.path, interval_ms=50)
    ini = QSettings(str(tmp_path / "lead.ini"), QSettings.Format.IniFormat)
    window = LeadWindow(demo_storage, watcher, clock=lambda: NOW, settings_store=ini)
    qtbot.addWidget(window)
    window.resize(1366, 768)  # wide enough for the navigation's words (narrower shows icons only)
    window.show()
    try:
        assert window.nav.item(0).text().endswith("Floor")
        window.show_page("settings")
        box = window.settings_page.fields["language"]
        assert [box.itemText(i) for i in range(box.count())] == ["English", "Deutsch", "Français"]
        box.setCurrentIndex(box.findData("fr"))
        qtbot.mouseClick(window.settings_page.save_button, Qt.MouseButton.LeftButton)
        assert settings.get(demo_storage, "language") == "fr"
        assert [window.nav.item(i).text().split()[-1] for i in range(window.nav.count())] == [
            "Terrain", "Missions", "Personnes", "Observations", "Rapports", "Réglages"]
        assert window.settings_page.save_button.text().replace("&", "") == "Enregistrer les réglages"
        assert window.floor.model.headerData(0, Qt.Orientation.Horizontal) == "Nom"
        window.show_page("floor")
        assert window.floor.heading.text() == "Sur le terrain maintenant"
        assert "Enregistré" in window.banner.text()  # the confirmation, in the new language
        assert not english_on(window), english_on(window)
        # Qt's own buttons follow too.
        cancel = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        assert cancel.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "") == "Annuler"
    finally:
        wait_for_background()
        window.watcher.stop()
        watcher.stop()
