"""The kiosk's no-badge path as a visitor without their badge uses it: name typed on the
on-screen keyboard (its layout following the language) or a real one, any case, accent or
script, checked in and later out by name with the shift lead's PIN."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from storeshift import i18n
from storeshift.services import pin, roster, settings
from storeshift.services.names import FSI, PDI
from storeshift.timeutil import UTC

pytestmark = pytest.mark.qt_log_ignore("No RHI backend", "Couldn't (load|resolve)", "PulseAudioService",
                                       "QSoundEffect", "audio device")


@pytest.fixture
def kiosk(storage, make_kiosk):
    settings.put(storage, "scan_char_gap_ms", 60)
    pin.set_pin(storage, "2468")
    return make_kiosk(storage, dt.datetime(2026, 11, 25, 9, 0, tzinfo=UTC), size=(1366, 768),
                      camera=False, sounds=False)


def type_slowly(text: str, widget) -> None:
    """A person at a real keyboard: keys far enough apart not to look like a scanner."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))
        QTest.qWait(90)


def tap(qtbot, button) -> None:
    assert button.isVisible(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def results(kiosk) -> list[str]:
    box = kiosk.no_badge.results
    return [box.item(i).text() for i in range(box.count())]


def tap_result(qtbot, kiosk, name: str) -> None:
    box = kiosk.no_badge.results
    item = next(box.item(i) for i in range(box.count()) if name in box.item(i).text())
    qtbot.mouseClick(box.viewport(), Qt.MouseButton.LeftButton, pos=box.visualItemRect(item).center())


def enter_pin(qtbot, kiosk, digits: str = "2468") -> None:
    pad = kiosk.pin_page.pad
    for digit in digits:
        tap(qtbot, pad.digit_buttons[digit])
    tap(qtbot, pad.ok_button)


def visits_of(storage, person_id) -> list[dict]:
    return storage.rows("SELECT * FROM visits WHERE person_id = ? ORDER BY check_in_at", (person_id,))


def test_typed_on_screen_without_accents_then_checked_in_and_out_by_name(qtbot, kiosk, storage):
    chloe = roster.add_person(storage, name="Chloé Dubois", department="Finance")
    roster.add_person(storage, name="Charles Chloewitz", department="IT")
    tap(qtbot, kiosk.idle.no_badge)
    keyboard = kiosk.no_badge.keyboard
    for letter in "CHLOE":
        tap(qtbot, keyboard.key(letter))
    assert kiosk.no_badge.search.text() == "Chloe"  # a capital first, as names are written
    qtbot.waitUntil(lambda: any("Chloé Dubois" in text for text in results(kiosk)))
    tap_result(qtbot, kiosk, "Chloé Dubois")
    assert kiosk.current_screen() == "pin"
    assert "Checking in" in kiosk.pin_page.headline.text()
    enter_pin(qtbot, kiosk)
    qtbot.waitUntil(lambda: kiosk.current_screen() == "welcome")  # the PIN is checked off the screen's thread
    assert [v["source_in"] for v in visits_of(storage, chloe["id"])] == ["manual"]

    # Later the same day, still without the badge: found by name, marked as here, checked out.
    tap(qtbot, kiosk.welcome.done)
    kiosk.clock_fn.moment += dt.timedelta(hours=2)
    tap(qtbot, kiosk.idle.no_badge)
    type_slowly("CHLOE", kiosk.no_badge.search)
    qtbot.waitUntil(lambda: any("Chloé Dubois" in text for text in results(kiosk)))
    mine = next(text for text in results(kiosk) if "Chloé Dubois" in text)
    assert "here now" in mine
    tap_result(qtbot, kiosk, "Chloé Dubois")
    assert "Checking out" in kiosk.pin_page.headline.text()
    enter_pin(qtbot, kiosk, "1111")  # a wrong PIN checks nobody out
    qtbot.waitUntil(lambda: "not right" in kiosk.pin_page.pad.message.text())
    assert kiosk.current_screen() == "pin"
    assert visits_of(storage, chloe["id"])[0]["check_out_at"] is None
    enter_pin(qtbot, kiosk)
    qtbot.waitUntil(lambda: kiosk.current_screen() == "goodbye")
    assert "You gave 2\u00a0h today" in kiosk.goodbye.given.text()
    visit = visits_of(storage, chloe["id"])[0]
    assert visit["check_out_at"] == "2026-11-25T11:00:00Z" and visit["source_out"] == "manual"
    # The debrief works as after a badge.
    type_slowly("Queue at till 3", kiosk.goodbye.text)
    tap(qtbot, kiosk.goodbye.finish)
    qtbot.waitUntil(lambda: kiosk.current_screen() == "idle")  # saved by the kiosk's writer first
    assert storage.rows("SELECT text FROM observations WHERE visit_id = ?", (visit["id"],)) == \
        [{"text": "Queue at till 3"}]


def test_a_name_in_another_script_is_found_by_its_latin_letters_and_kept_apart(qtbot, kiosk, storage):
    roster.add_person(storage, name="محمد الأحمد", department="Click-and-collect")
    roster.add_person(storage, name="Bjørn Ødegaard", department="IT")
    tap(qtbot, kiosk.idle.no_badge)
    for letter in "MOHAMMED":
        tap(qtbot, kiosk.no_badge.keyboard.key(letter))
    qtbot.waitUntil(lambda: len(results(kiosk)) == 1)
    # The name keeps its own direction inside the line (isolated), the department its own.
    assert results(kiosk)[0].startswith(f"{FSI}محمد الأحمد{PDI}")
    kiosk.no_badge.search.clear()
    type_slowly("bjorn", kiosk.no_badge.search)
    qtbot.waitUntil(lambda: [text.split("  ·  ")[0] for text in results(kiosk)] == ["Bjørn Ødegaard"])
    kiosk.no_badge.search.clear()
    type_slowly("zzz", kiosk.no_badge.search)
    qtbot.waitUntil(lambda: "No one by that name" in kiosk.no_badge.empty.text())


@pytest.mark.parametrize("language, first_row, letters, space", [
    ("en", "QWERTYUIOP", "ÉÇÑÖØ", "Space"),
    ("fr", "AZERTYUIOP", "ÉÈÊËÀÂÇÙÛÔÎÏŒ", "Espace"),
    ("de", "QWERTZUIOPÜ", "ÄÖÜßÉ", "Leertaste"),
])
def test_the_keyboard_is_the_one_of_the_language_on_screen(qtbot, kiosk, storage, language, first_row, letters,
                                                           space):
    tap(qtbot, kiosk.idle.languages.buttons[language])
    assert i18n.current() == language
    tap(qtbot, kiosk.idle.no_badge)
    keyboard = kiosk.no_badge.keyboard
    shown = [button.text() for button in keyboard.keys if button.isVisible()]
    assert "".join(shown).find(first_row) >= 0
    for letter in letters:
        assert letter in shown, letter
    assert keyboard.space_key.text() == space
    assert kiosk.pin_page.pad.cancel_button.text() == {"en": "Cancel", "fr": "Annuler", "de": "Abbrechen"}[language]
    # Accented letters type as they are, capital at the start of a word.
    for key in (letters[0], letters[1], "⌫", letters[1]):
        tap(qtbot, keyboard.key(key))
    tap(qtbot, keyboard.space_key)
    tap(qtbot, keyboard.key(letters[0]))
    typed = kiosk.no_badge.search.text()
    expected_first = letters[0] if letters[0].upper() == letters[0] and len(letters[0].upper()) == 1 else letters[0]
    assert typed == expected_first + letters[1].lower() + " " + expected_first
    # Back at idle the site's language, and its keyboard, return.
    tap(qtbot, kiosk.no_badge.back)
    assert i18n.current() == "en"
    assert keyboard.layout_name == "QWERTY"


def test_a_badge_scanned_while_the_name_search_has_the_keyboard_is_a_scan_not_a_search(qtbot, kiosk, storage):
    from storeshift.services import badges

    person = roster.add_person(storage, name="Bjørn Ødegaard", department="IT")
    payload = next(code for someone, code in badges.badge_payloads(storage) if someone["id"] == person["id"])
    tap(qtbot, kiosk.idle.no_badge)
    type_slowly("Bj", kiosk.no_badge.search)
    for ch in payload + "\r":  # the scanner, back to back, into the search box
        key = Qt.Key.Key_Return if ch == "\r" else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(kiosk.no_badge.search, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))
    qtbot.waitUntil(lambda: kiosk.current_screen() == "welcome")  # recorded on the writer thread
    assert payload not in kiosk.no_badge.search.text()
    assert [v["source_in"] for v in visits_of(storage, person["id"])] == ["badge"]
