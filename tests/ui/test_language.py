"""The windows follow the language: Qt's own buttons and dialogs are translated, number and date
widgets use the language's locale, and widgets hear of each change."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLocale
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from storeshift import i18n
from storeshift.i18n import N_
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


def test_kept_texts_follow_the_language_and_others_stay(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    kept = language.keep(QLabel(), text=N_("nothing to show"), accessible=N_("nothing this week"))
    field = language.keep(QLineEdit(), placeholder=N_("nothing to show"))
    typed = QLabel("Dmitri Schmidt")  # a name: not a message, never translated
    for widget in (kept, field, typed):
        layout.addWidget(widget)
    assert kept.text() == "nothing to show"
    i18n.set_site_language("de")
    language.retranslate(page)
    assert (kept.text(), kept.accessibleName(), field.placeholderText()) == (
        "nichts anzuzeigen", "nichts in dieser Woche", "nichts anzuzeigen")
    assert typed.text() == "Dmitri Schmidt"
    i18n.set_site_language("en")
    language.retranslate(page)
    assert kept.text() == "nothing to show" and field.placeholderText() == "nothing to show"


def test_qt_message_boxes_and_file_dialogs_speak_the_site_language(qtbot, storage):
    """Set as a store sets it (the site's language setting), Qt's own standard buttons follow:
    a QMessageBox's Cancel/OK/Yes/No and a file dialog's Cancel come from qtbase_<lang>.qm."""
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox

    from storeshift.services import settings

    language.follow()
    expected = {"fr": ["Annuler", "OK", "Oui", "Non"], "de": ["Abbrechen", "OK", "Ja", "Nein"],
                "en": ["Cancel", "OK", "Yes", "No"]}
    for code in ("fr", "de", "en"):
        settings.put(storage, "language", code)
        settings.use_site_language(storage)
        box = QMessageBox()
        qtbot.addWidget(box)
        buttons = [box.addButton(which) for which in (QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Ok,
                                                       QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No)]
        assert [button.text().replace("&", "") for button in buttons] == expected[code]
        dialog = QFileDialog()
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        qtbot.addWidget(dialog)
        cancel = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)
        assert cancel.text().replace("&", "") == expected[code][0]
