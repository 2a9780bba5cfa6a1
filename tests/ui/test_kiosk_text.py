"""Names and notes of any writing on the kiosk: an Arabic name at the start of an English line
leaves the line left to right (the name itself right to left), and 🙄 is drawn in colour from
the emoji font tools/install.sh installs, not as an empty box."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel

from storeshift.services import roster
from storeshift.services.names import FSI, PDI, isolate
from storeshift.ui.emoji import use_emoji_font
from storeshift.ui.kiosk.screens import DirectedLabel
from storeshift.ui.kiosk.window import KioskWindow
from storeshift.ui.watcher import DatabaseWatcher

pytestmark = pytest.mark.qt_log_ignore("No RHI backend", "Couldn't (load|resolve)", "PulseAudioService",
                                       "QSoundEffect", "audio device")
BACKGROUND = QColor("#0b2239")
MIXED = "محمد الأحمد is on 'Click-and-collect' ✓"


def ink(image: QImage) -> tuple[int, int]:
    """First and last column with anything drawn on the background."""
    columns = [x for x in range(image.width())
               if any(image.pixelColor(x, y) != BACKGROUND for y in range(0, image.height(), 2))]
    return (columns[0], columns[-1]) if columns else (-1, -1)


def drawn(qtbot, widget: QLabel, width: int = 1000) -> QImage:
    widget.setStyleSheet("background: #0b2239; color: white; font-size: 20pt;")
    widget.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    qtbot.addWidget(widget)
    widget.resize(width, 60)
    return widget.grab().toImage()


def test_an_arabic_name_first_leaves_the_line_left_to_right(qtbot):
    plain = QLabel(MIXED)  # what Qt does on its own: the line takes the name's direction
    first, _last = ink(drawn(qtbot, plain))
    assert first > 300, "the check needs Qt to right-align an Arabic-first line, else it proves nothing"
    label = DirectedLabel()
    label.setText(MIXED)
    first, last = ink(drawn(qtbot, label))
    assert first < 20 and last < 700  # starts at the left like every English line
    label.setText("Bjørn is on 'Greet at the door' ✓")  # Latin text is left as it is
    assert label.text() == "Bjørn is on 'Greet at the door' ✓"


def test_the_kiosk_isolates_names_in_its_sentences(qtbot, storage):
    person = roster.add_person(storage, name="محمد الأحمد", department="Click-and-collect")
    watcher = DatabaseWatcher(storage.path, interval_ms=50)
    kiosk = KioskWindow(storage, watcher, windowed=True, camera=False, sounds=False)
    qtbot.addWidget(kiosk)
    try:
        kiosk.welcome.show_welcome(person["name"], "09:00", "")
        assert f"{FSI}محمد الأحمد{PDI}" in kiosk.welcome.headline.text()
        first, _last = ink(drawn(qtbot, kiosk.welcome.headline, 1200))
        assert first < 20  # "Welcome, " at the left, the name after it
        kiosk.show_banner(f"{isolate(person['name'])} is already checked in.")
        first, _last = ink(drawn(qtbot, kiosk.banner, 1200))
        assert first < 40
    finally:
        kiosk.leave()
        watcher.stop()


def colourful(image: QImage) -> int:
    """How many pixels are clearly coloured (not white, grey or black)."""
    count = 0
    for x in range(image.width()):
        for y in range(image.height()):
            colour = image.pixelColor(x, y)
            if colour != BACKGROUND and max(colour.red(), colour.green(), colour.blue()) - \
                    min(colour.red(), colour.green(), colour.blue()) > 60:
                count += 1
    return count


def test_an_emoji_is_drawn_in_colour_from_the_installed_emoji_font(qtbot):
    assert use_emoji_font() == "Noto Color Emoji"  # fonts-noto-color-emoji, from tools/install.sh
    face = QLabel("🙄")
    box = QLabel("\U0010fffd")  # a character no font has: the empty box
    assert colourful(drawn(qtbot, face, 120)) > 100
    assert colourful(drawn(qtbot, box, 120)) == 0


def test_the_shift_lead_banner_reads_left_to_right_with_an_arabic_name_first(qtbot):
    from storeshift.ui.lead.common import SUCCESS, Banner

    banner = Banner()
    qtbot.addWidget(banner)
    banner.resize(1000, 60)
    banner.show_message(MIXED.replace(" ✓", "."), SUCCESS)  # as the Floor page says it
    image = drawn(qtbot, banner.label)
    first, last = ink(image)
    assert first < 20 and last < 700
    banner.show_message("Bjørn is on 'Greet at the door'.", SUCCESS)
    assert banner.text() == "✓  Bjørn is on 'Greet at the door'."
