"""The first-run wizard, walked as a store's IT person would on a new database: pages in the
order of `storeshift setup`, keys and clicks, and everything written only at the end."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, QSettings, Qt
from PySide6.QtWidgets import QWizard

from conftest import SAMPLE_DATA
from storeshift import i18n
from storeshift.services import badges, pin, settings, setup
from storeshift.storage import open_storage
from storeshift.timeutil import UTC
from storeshift.ui import app
from storeshift.ui.watcher import DatabaseWatcher
from storeshift.ui.worker import wait_for_background

NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


@pytest.fixture
def lead(qtbot, storage, db_path, tmp_path):
    watcher = DatabaseWatcher(db_path, interval_ms=50)
    ini = QSettings(str(tmp_path / "lead.ini"), QSettings.Format.IniFormat)
    window = app.show_window("lead", storage, watcher, clock=lambda: NOW, settings_store=ini)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    yield window
    wait_for_background()
    # Back to English while the window and its database are still open: the language switch
    # (and the LanguageChange Qt posts with it) is answered now, not by a closed window later.
    i18n.set_site_language(i18n.SOURCE_LANGUAGE)
    QCoreApplication.sendPostedEvents()
    window.close()
    window.watcher.stop()
    watcher.stop()


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def tick(qtbot, button) -> None:
    """Click a radio button or check box on its mark: a wide one's centre may be past its text."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def next_page(qtbot, wizard) -> None:
    button = wizard.button(QWizard.WizardButton.NextButton)
    assert button.isEnabled(), f"Next is disabled on '{wizard.currentPage().title()}'"
    click(qtbot, button)


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll() if hasattr(widget, "selectAll") else None
    qtbot.keyClicks(widget, text)


@pytest.fixture
def head_office_key(tmp_path):
    office = open_storage(tmp_path / "head-office.db")
    badges.start_organisation(office, "Acme Retail")
    path = tmp_path / "acme.key"
    badges.export_org_key(office, path)
    key_id = badges.org_key(office)["key_id"]
    office.close()
    return path, key_id


def test_a_new_database_walks_the_wizard_in_order_and_sets_every_value(lead, storage, qtbot, head_office_key):
    """A French store: French chosen on the first page, and from then on everything is French."""
    key_file, key_id = head_office_key
    wizard = lead.setup_wizard
    assert wizard is not None and wizard.isVisible()
    titles = []

    # 1. Language: each named in itself; choosing one speaks it at once, here and in the window behind.
    titles.append(wizard.currentPage().title())
    assert [b.text() for b in wizard.language.buttons.values()] == ["English", "Deutsch", "Français"]
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "&Next >"
    tick(qtbot, wizard.language.buttons["fr"])
    assert wizard.language.buttons["fr"].isChecked()
    assert wizard.currentPage().title() == "Langue"
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "&Suivant >"
    assert wizard.button(QWizard.WizardButton.CancelButton).text() == "Annuler"
    assert "Installer ce magasin" in wizard.step_list.text() and "Clé de l’organisation" in wizard.step_list.text()
    assert "Terrain" in lead.nav.item(0).text()
    next_page(qtbot, wizard)

    # 2. Organisation key: head office's (the default choice); a wrong file is refused on Next.
    titles.append(wizard.currentPage().title())
    page = wizard.organisation
    assert page.use_head_office.text() == "Utiliser la clé de l’organisation du siège"
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    type_into(qtbot, page.key_file.edit, str(SAMPLE_DATA / "tasks.csv"))
    next_page(qtbot, wizard)
    assert wizard.currentPage() is page and "n’est pas un fichier de clé d’organisation" in page.error.text()
    page.key_file.edit.clear()
    type_into(qtbot, page.key_file.edit, str(key_file))
    next_page(qtbot, wizard)

    # 3. Site name.
    titles.append(wizard.currentPage().title())
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    type_into(qtbot, wizard.site.name, "Lyon Part-Dieu")
    next_page(qtbot, wizard)

    # 4. Time zone: typed.
    titles.append(wizard.currentPage().title())
    zone = wizard.timezone.zone
    zone.lineEdit().selectAll()
    qtbot.keyClicks(zone.lineEdit(), "Europe/Pari")
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    qtbot.keyClicks(zone.lineEdit(), "s")
    next_page(qtbot, wizard)

    # 5. Opening hours, the days named in French: closed on Sunday, Saturday until 19:00.
    titles.append(wizard.currentPage().title())
    hours = wizard.hours
    assert [label.text() for label in hours.day_labels][:2] == ["Lundi", "Mardi"]
    sunday, _opens, _closes = hours.rows[6]
    if sunday.isChecked():
        tick(qtbot, sunday)
    assert not sunday.isChecked()
    _saturday, _opens, saturday_closes = hours.rows[5]
    saturday_closes.setFocus()
    saturday_closes.setSelectedSection(saturday_closes.Section.HourSection)
    qtbot.keyClicks(saturday_closes, "19")
    next_page(qtbot, wizard)

    # 6. PIN: two that differ are refused, then the same twice.
    titles.append(wizard.currentPage().title())
    type_into(qtbot, wizard.pin.pin, "4821")
    type_into(qtbot, wizard.pin.again, "4812")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.pin and "pas les mêmes" in wizard.pin.error.text()
    type_into(qtbot, wizard.pin.again, "4821")
    next_page(qtbot, wizard)

    # 7. Roster: a French HR export, previewed with its columns and first rows.
    titles.append(wizard.currentPage().title())
    type_into(qtbot, wizard.roster.file.edit, str(SAMPLE_DATA / "hr_export_fr.csv"))
    columns = wizard.roster.columns
    assert columns.isVisible() and "Windows-1252" in columns.how_read.text()
    assert "points-virgules" in columns.how_read.text()
    assert columns.choosers["email"].currentText() == "Courriel"
    assert columns.choosers["name"].currentText() == "(pas importée)"
    assert columns.samples.rows()[0]["name"] == "Zoé Lefèvre"
    assert wizard.roster.summary.text() == "5 personnes à ajouter."
    next_page(qtbot, wizard)

    # 8. Tasks.
    titles.append(wizard.currentPage().title())
    type_into(qtbot, wizard.tasks.file.edit, str(SAMPLE_DATA / "tasks.csv"))
    assert wizard.tasks.summary.text().startswith("10 missions à ajouter")

    # Nothing is written before Finish.
    assert setup.is_new(storage) and not pin.has_pin(storage)
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.text() == "Installer le magasin"
    click(qtbot, finish)
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=10000)

    assert titles == ["Language", "Clé de l’organisation", "Nom du site", "Fuseau horaire", "Horaires d’ouverture",
                      "Code du responsable", "Personnes", "Missions"]
    assert badges.org_key(storage)["key_id"] == key_id
    assert settings.get(storage, "site_name") == "Lyon Part-Dieu"
    assert settings.get(storage, "timezone") == "Europe/Paris"
    assert settings.get(storage, "language") == "fr"
    assert settings.get(storage, "opening_hours") == "Mon-Fri 09:00-22:00, Sat 09:00-19:00, Sun closed"
    assert settings.closing_times(storage) == ("22:00",) * 5 + ("19:00", "22:00")
    assert pin.is_current(storage, "4821")
    assert storage.value("SELECT count(*) FROM people") == 5 and storage.value("SELECT count(*) FROM tasks") == 10
    assert not setup.is_new(storage)
    qtbot.waitUntil(lambda: lead.banner.isVisible(), timeout=3000)
    assert lead.windowTitle().startswith("Lyon Part-Dieu")
    assert i18n.site_language() == "fr"


def test_cancelling_after_choosing_a_language_speaks_the_stores_own_again(lead, storage, qtbot):
    wizard = lead.setup_wizard
    tick(qtbot, wizard.language.buttons["de"])
    assert wizard.currentPage().title() == "Sprache" and "Fläche" in lead.nav.item(0).text()
    assert wizard.button(QWizard.WizardButton.CancelButton).text() == "Abbrechen"
    next_page(qtbot, wizard)
    assert wizard.hours.day_labels[0].text() == "Montag"
    click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))
    assert not wizard.isVisible() and setup.is_new(storage)
    assert i18n.site_language() == "en" and settings.get(storage, "language") == "en"
    qtbot.waitUntil(lambda: "Floor" in lead.nav.item(0).text(), timeout=3000)


def test_a_new_organisation_and_no_files_is_enough(lead, storage, qtbot):
    wizard = lead.setup_wizard
    next_page(qtbot, wizard)  # the language as it is
    tick(qtbot, wizard.organisation.start_new)
    assert not wizard.organisation.key_file.isEnabled()
    type_into(qtbot, wizard.organisation.organisation_name, "Corner Shop Ltd")
    next_page(qtbot, wizard)
    type_into(qtbot, wizard.site.name, "Corner Shop")
    for _ in range(3):  # the site name, then time zone and opening hours as they are
        next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.pin
    type_into(qtbot, wizard.pin.pin, "2468")
    type_into(qtbot, wizard.pin.again, "2468")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.roster and wizard.roster.isComplete()
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.tasks
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    qtbot.waitUntil(lambda: not wizard.isVisible() or wizard.tasks.error.isVisible(), timeout=10000)
    assert not wizard.tasks.error.isVisible(), wizard.tasks.error.text()
    assert badges.org_key(storage)["name"] == "Corner Shop Ltd"
    assert settings.get(storage, "site_name") == "Corner Shop"
    assert storage.value("SELECT count(*) FROM people") == 0


def test_cancelling_leaves_the_database_new_and_a_set_up_one_opens_no_wizard(lead, storage, qtbot, db_path,
                                                                            tmp_path):
    click(qtbot, lead.setup_wizard.button(QWizard.WizardButton.CancelButton))
    assert not lead.setup_wizard.isVisible() and setup.is_new(storage)
    setup.apply(storage, setup.StoreSetup(site_name="Leeds"))
    watcher = DatabaseWatcher(db_path, interval_ms=50)
    ini = QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat)
    again = app.show_window("lead", storage, watcher, clock=lambda: NOW, settings_store=ini)
    qtbot.addWidget(again)
    assert again.setup_wizard is None
    watcher.stop()
    again.watcher.stop()
