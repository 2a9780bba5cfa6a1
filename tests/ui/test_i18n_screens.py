"""With the site's language set to French or German, no text the shift-lead window's pages or
the set-up wizard show is still the English of a message the catalogue translates."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QLineEdit, QTableView, QWizard

from storeshift import i18n
from storeshift.services import settings

LOCALE = Path(i18n.__file__).parent / "locale"


def english_of(language: str) -> set[str]:
    """The English messages whose translation into language reads differently."""
    with (LOCALE / language / "LC_MESSAGES" / "storeshift.po").open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    found = set()
    for message in catalogue:
        if not message.id or isinstance(message.id, tuple) or "{" in message.id:
            continue
        if message.string and message.string != message.id:
            found.add(_plain(message.id))
    return found


def _plain(text: str) -> str:
    return " ".join(text.replace("&", "").split())


def shown_texts(root) -> list[str]:
    """What a person reads (or hears from a screen reader) under root: labels, buttons, group
    titles, placeholders, tooltips, accessible names, combo box items and table headings of the
    widgets that are showing."""
    texts = []
    for widget in [root, *root.findChildren(QLabel), *root.findChildren(QAbstractButton),
                   *root.findChildren(QGroupBox), *root.findChildren(QLineEdit), *root.findChildren(QComboBox),
                   *root.findChildren(QTableView)]:
        if not widget.isVisible():
            continue
        texts += [widget.toolTip(), widget.accessibleName()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QGroupBox):
            texts.append(widget.title())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            columns = model.columnCount(QModelIndex())
            texts += [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(columns)]
    return [_plain(t) for t in texts if t]


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_lead_windows_pages_show_no_english(make_window, demo_storage, qtbot, language):
    settings.put(demo_storage, "language", language)
    settings.use_site_language(demo_storage)
    win = make_window(demo_storage, size=(1366, 768))
    english = english_of(language)
    try:
        left = {}
        for key in win.pages:
            win.show_page(key)
            qtbot.waitUntil(lambda k=key: win.pages[k].isVisible(), timeout=3000)
            found = sorted({text for text in shown_texts(win) if text in english})
            if found:
                left[key] = found
        assert not left, f"English on the {language} pages: {left}"
    finally:
        i18n.set_site_language(i18n.SOURCE_LANGUAGE)  # while the window's database is still open
        QCoreApplication.sendPostedEvents()
        win.close()


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_set_up_wizard_shows_no_english_once_a_language_is_chosen(make_window, storage, qtbot, language):
    from storeshift.ui.lead.wizard import SetupWizard

    win = make_window(storage)
    wizard = SetupWizard(win.ctx, win)
    qtbot.addWidget(wizard)
    wizard.open()
    qtbot.waitExposed(wizard)
    english = english_of(language)
    try:
        wizard.language.buttons[language].setChecked(True)
        left = {}
        for number, page in enumerate(wizard.steps.values(), start=1):
            found = sorted({text for text in shown_texts(wizard) if text in english})
            if found:
                left[page.title()] = found
            if number < len(wizard.steps):
                if page is wizard.organisation:
                    page.start_new.setChecked(True)
                    page.organisation_name.setText("Acme")
                if page is wizard.site:
                    page.name.setText("Lyon")
                if page is wizard.pin:
                    page.pin.setText("4821")
                    page.again.setText("4821")
                wizard.button(QWizard.WizardButton.NextButton).click()
                qtbot.waitUntil(lambda n=number: wizard.currentId() == n, timeout=3000)
        assert not left, f"English in the {language} wizard: {left}"
        assert wizard.button(QWizard.WizardButton.FinishButton).text() == i18n._("Set up the store")
    finally:
        wizard.reject()
        win.close()
