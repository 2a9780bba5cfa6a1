"""Render the first-run set-up wizard, page by page as a new store fills it in, over the shift-lead
window at 1024x768: `python tools/screenshots_wizard.py [OUT_DIR] [LANGUAGE]` (default
out/screenshots/wizard, English). The language is chosen on the wizard's first page, as a store does."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (1024, 768)


def render(out_dir: str | Path, language: str = "en") -> list[Path]:
    from PySide6.QtCore import QSettings, QTime
    from PySide6.QtGui import QPainter, QPixmap
    from PySide6.QtWidgets import QApplication, QWizard

    from storeshift import i18n
    from storeshift.services import badges
    from storeshift.storage import open_storage
    from storeshift.ui import app as ui_app
    from storeshift.ui.watcher import DatabaseWatcher
    from storeshift.ui.worker import wait_for_background

    out = Path(out_dir)
    suffix = "" if language == "en" else f"-{language}"
    out.mkdir(parents=True, exist_ok=True)
    qt = QApplication.instance() or QApplication([])
    qt.setStyleSheet(ui_app.style_sheet("lead"))
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as folder:
        # The sample files from a folder of their own, so the pictures show no path of this machine.
        samples = Path(folder)
        for name in ("hr_export_fr.csv", "tasks.csv"):
            shutil.copy(ROOT / "tests" / "data" / name, samples / name)
        office = open_storage(Path(folder) / "head-office.db")
        badges.start_organisation(office, "Acme Retail")
        key = Path(folder) / "acme.key"
        badges.export_org_key(office, key)
        office.close()
        i18n.set_site_language("en")  # a new store's database speaks English until the first page
        storage = open_storage(Path(folder) / "store.db")
        watcher = DatabaseWatcher(storage.path)
        ini = QSettings(str(Path(folder) / "lead.ini"), QSettings.Format.IniFormat)
        window = ui_app.show_window("lead", storage, watcher, settings_store=ini)
        window.setMinimumSize(0, 0)
        window.resize(*SIZE)
        wizard = window.setup_wizard

        def shot(name: str) -> None:
            """The wizard where a window manager puts a dialog: centred over the lead window."""
            for _ in range(3):
                qt.processEvents()
            screen = QPixmap(*SIZE)
            painter = QPainter(screen)
            painter.drawPixmap(0, 0, window.grab())
            painter.fillRect(0, 0, *SIZE, qt.palette().shadow().color().darker(100).toRgb().fromRgb(0, 0, 0, 90))
            dialog = wizard.grab()
            painter.drawPixmap((SIZE[0] - dialog.width()) // 2, (SIZE[1] - dialog.height()) // 2, dialog)
            painter.end()
            path = out / f"wizard-{len(written) + 1}-{name}{suffix}.png"
            screen.save(str(path))
            written.append(path)

        def forward() -> None:
            wizard.button(QWizard.WizardButton.NextButton).click()

        wizard.language.buttons[language].setChecked(True)
        shot("language")
        forward()
        wizard.organisation.key_file.edit.setText(str(key))
        shot("organisation")
        forward()
        wizard.site.name.setText("Lyon Part-Dieu")
        shot("site-name")
        forward()
        wizard.timezone.zone.setCurrentText("Europe/Paris")
        shot("timezone")
        forward()
        saturday, sunday = wizard.hours.rows[5], wizard.hours.rows[6]
        saturday[2].setTime(QTime(19, 0))
        sunday[0].setChecked(False)
        shot("opening-hours")
        forward()
        wizard.pin.pin.setText("4821")
        wizard.pin.again.setText("4821")
        shot("pin")
        forward()
        wizard.roster.file.edit.setText(str(samples / "hr_export_fr.csv"))
        shot("roster")
        forward()
        wizard.tasks.file.edit.setText(str(samples / "tasks.csv"))
        shot("tasks")
        wizard.button(QWizard.WizardButton.FinishButton).click()
        wait_for_background()
        for _ in range(20):
            qt.processEvents()
        path = out / f"wizard-{len(written) + 1}-done{suffix}.png"
        window.grab().save(str(path))
        written.append(path)
        watcher.stop()
        window.watcher.stop()
        window.close()
        storage.close()
        i18n.set_site_language("en")
    return written


if __name__ == "__main__":
    for written_path in render(sys.argv[1] if len(sys.argv) > 1 else "out/screenshots/wizard",
                               sys.argv[2] if len(sys.argv) > 2 else "en"):
        print(written_path)
