"""The windows follow the language: Qt's own buttons and dialogs are translated, number and date
widgets use the language's locale, and widgets hear of each change."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLocale
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from storeshift import i18n
from storeshift.ui import language


class Listening(QLabel):
    """A label that counts the LanguageChange events it receives, as the windows' pages do."""

    def __init__(self):
        super().__init__()
        self.changes = 0

    def changeEvent(self, event):  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.LanguageChange:
            self.changes += 1
        super().changeEvent(event)


def cancel_text() -> str:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    return box.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "")


def test_qt_dialog_buttons_and_locale_follow_the_language(qtbot):
    label = Listening()
    qtbot.addWidget(label)
    language.follow()
    assert cancel_text() == "Cancel"
    i18n.set_site_language("fr")
    assert language.installed_catalogues() == ["qtbase_fr.qm"]
    assert cancel_text() == "Annuler"
    assert QLocale().toString(1234.5, "f", 1) == "1\u202f234,5"
    assert label.changes >= 1
    i18n.set_visitor_language("de")
    assert cancel_text() == "Abbrechen" and language.installed_catalogues() == ["qtbase_de.qm"]
    seen = label.changes
    i18n.set_visitor_language(None)
    i18n.set_site_language("en")
    assert cancel_text() == "Cancel" and language.installed_catalogues() == []
    assert label.changes > seen
    assert QLocale().name() == "en_GB"
