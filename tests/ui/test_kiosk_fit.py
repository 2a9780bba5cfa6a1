"""The windowed kiosk (`storeshift kiosk --windowed`) on the screens stores have: what a window
gets on a 1024x768 and a 1366x768 screen with a taskbar, and on 1366x768 at 150 % scaling
(910x442 logical pixels). On every screen a visitor meets, every button and key is inside the
window, none overlaps another, and Done / Skip / OK are there to tap."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPlainTextEdit, QPushButton

from storeshift.services import badges, bookings, pin, roster, settings, tasks, visits
from storeshift.timeutil import UTC
from storeshift.ui.kiosk.window import KioskWindow
from storeshift.ui.watcher import DatabaseWatcher

pytestmark = pytest.mark.qt_log_ignore("No RHI backend", "Couldn't (load|resolve)", "PulseAudioService",
                                       "QSoundEffect", "audio device")
SIZES = {"1024x768": (1024, 698), "1366x768": (1366, 698), "1366x768 at 150 %": (910, 442)}


class Clock:
    def __init__(self):
        self.moment = dt.datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self):
        return self.moment


def parts(window) -> list:
    """What a visitor sees and taps on the screen showing now."""
    page = window.stack.currentWidget()
    found = [w for kind in (QPushButton, QLineEdit, QPlainTextEdit, QLabel) for w in page.findChildren(kind)]
    return [w for w in found if w.isVisible() and not isinstance(w.parent(), QLineEdit)
            and (not isinstance(w, QLabel) or w.text())]


def check_fits(window, scale: float, where: str) -> None:
    """Fits as it is, and under the banner a problem puts above it."""
    fits(window, scale, where)
    if not window.banner.isVisible():
        window.show_banner("Can't record right now, please tell the shift lead.")
        fits(window, scale, f"{where} under a banner")
        window.banner.hide()


def fits(window, scale: float, where: str) -> None:
    for _round in range(3):  # as the screen is drawn: the layout settled
        QApplication.processEvents()
    inside = window.rect()
    shown = parts(window)
    rects = {}
    for widget in shown:
        rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
        assert inside.contains(rect), f"{where}: {widget.objectName() or widget.text()!r} is cut: {rect}"
        if isinstance(widget, QPushButton):  # a finger's width on the glass: 48 px
            assert widget.height() * scale >= 48, f"{where}: {widget.text()!r} is {widget.height()} px tall"
        rects[widget] = rect
    buttons = [w for w in shown if isinstance(w, (QPushButton, QLineEdit, QPlainTextEdit))]
    for index, first in enumerate(buttons):
        for second in buttons[index + 1:]:
            assert not rects[first].intersects(rects[second]), \
                f"{where}: {first.text() if hasattr(first, 'text') else first} overlaps {second.text()}"
    # A label's text needs its height: squeezed below it, it is drawn cut.
    for widget in shown:
        if isinstance(widget, QLabel):
            needed = widget.heightForWidth(widget.width()) if widget.wordWrap() else widget.sizeHint().height()
            assert widget.height() >= min(needed, widget.minimumSizeHint().height()) - 1, \
                f"{where}: the text {widget.text()!r} is cut ({widget.height()} < {needed})"


@pytest.mark.parametrize("language", ["en", "de", "fr"])
@pytest.mark.parametrize("screen", [*SIZES, "1024x768 full screen"])
def test_every_screen_fits_the_windowed_kiosk(qtbot, storage, screen, language):
    width, height = SIZES.get(screen, (1024, 768))
    scale = 1.5 if "150" in screen else 1.0
    settings.put(storage, "language", language)
    pin.set_pin(storage, "2468")
    person = roster.add_person(storage, name="Chloé Dubois-Fontaine", department="Finance and controlling")
    task = tasks.add_task(storage, title="Click-and-collect",
                          description="Pick and hand over online orders; note every wait and missing item.",
                          area="Back of store")
    greet = tasks.add_task(storage, title="Greet at the door and help with the self-checkouts")
    bookings.add_booking(storage, person["id"], dt.datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
                         dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC), task_id=greet["id"])
    payload = next(code for someone, code in badges.badge_payloads(storage) if someone["id"] == person["id"])
    clock = Clock()
    watcher = DatabaseWatcher(storage.path, interval_ms=50)
    window = KioskWindow(storage, watcher, windowed=True, clock=clock, camera=False, sounds=False)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert window.size().width() == width and window.size().height() == height, "the kiosk needs more room"
        check_fits(window, scale, "idle")
        window.handle_payload(payload)
        qtbot.waitUntil(lambda: window.current_screen() == "welcome")  # recorded on the writer thread
        tasks.assign(storage, visits.open_visit(storage, person["id"])["id"], task["id"])
        window.on_database_changed()
        qtbot.waitUntil(lambda: window.welcome.task_title.text() == "Click-and-collect")
        check_fits(window, scale, "welcome")
        qtbot.mouseClick(window.welcome.done, Qt.MouseButton.LeftButton)
        clock.moment += dt.timedelta(hours=2)
        window.handle_payload(payload)
        qtbot.waitUntil(lambda: window.current_screen() == "goodbye")
        page = window.goodbye
        qtbot.mouseClick(page.category_buttons["process_problem"], Qt.MouseButton.LeftButton)
        page.text.setPlainText("Self-checkout 3 keeps asking for help when customers put a bag down.")
        check_fits(window, scale, "goodbye")
        assert page.finish.text() == {"en": "Save", "de": "Senden", "fr": "Envoyer"}[language]
        qtbot.mouseClick(page.keyboard_button, Qt.MouseButton.LeftButton)
        check_fits(window, scale, "goodbye with the keyboard")
        qtbot.mouseClick(page.keyboard_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(page.finish, Qt.MouseButton.LeftButton)
        window.handle_payload("SS1-NOPE-THIS-IS-NOT-A-BADGE")
        qtbot.waitUntil(lambda: window.current_screen() == "refused")
        check_fits(window, scale, "refused")
        qtbot.mouseClick(window.refused.no_badge, Qt.MouseButton.LeftButton)
        for key in "CHLO":
            qtbot.mouseClick(window.no_badge.keyboard.key(key), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.no_badge.results.count() == 1)
        check_fits(window, scale, "no badge")
        item = window.no_badge.results.item(0)
        qtbot.mouseClick(window.no_badge.results.viewport(), Qt.MouseButton.LeftButton,
                         pos=window.no_badge.results.visualItemRect(item).center())
        assert window.current_screen() == "pin"
        check_fits(window, scale, "PIN")
        shown = [w for w in parts(window) if "Chloé Dubois-Fontaine" in w.text()]
        assert shown  # who it is for, on every screen
        window.focus_keeper.notice.show()
        assert window.rect().contains(window.focus_keeper.notice.headline.geometry())
    finally:
        window.leave()
        watcher.stop()
