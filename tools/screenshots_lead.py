"""Render every page of the shift-lead window to PNG at 1920x1080 and 1366x768 on a fresh demo
database: `python tools/screenshots_lead.py [OUT_DIR]` (default out/screenshots/lead)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIZES = {"1920x1080": (1920, 1080), "1366x768": (1366, 768)}
# The demo's moment (a weekday late morning): people on the floor, bookings today.
DEMO_NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=dt.timezone.utc)


def _settle(app, rounds: int = 3) -> None:
    # A few rounds, not a busy loop: every Qt call counts on Python 3.11 (see selftest).
    for _ in range(rounds):
        app.processEvents()


def _wait(app, done, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not done() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.05)


def render(out_dir: str | Path, sizes: dict | None = None, language: str | None = None) -> list[Path]:
    """Render each page (and the lock screen) at each size into out_dir (in the site language
    given, default English); returns the PNG paths."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from storeshift.services import demo, pin
    from storeshift.storage import open_storage
    from storeshift.ui.app import style_sheet
    from storeshift.ui.lead.window import LeadWindow
    from storeshift.ui.watcher import DatabaseWatcher
    from storeshift.ui.worker import wait_for_background

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(style_sheet("lead"))
    written: list[Path] = []
    for size_name, (width, height) in (sizes or SIZES).items():
        with tempfile.TemporaryDirectory() as folder:
            storage = open_storage(Path(folder) / "demo.db")
            demo.seed(storage, people=60, weeks=6, seed=1, now=DEMO_NOW)
            if language:
                from storeshift.services import settings

                settings.put(storage, "language", language)
            watcher = DatabaseWatcher(storage.path)
            ini = QSettings(str(Path(folder) / "lead.ini"), QSettings.Format.IniFormat)
            window = LeadWindow(storage, watcher, clock=lambda: DEMO_NOW, settings_store=ini)
            window.setMinimumSize(0, 0)
            window.resize(width, height)
            window.show()
            _settle(app)

            def shot(name: str) -> None:
                _settle(app)
                path = out / f"lead-{name}-{size_name}{'-' + language if language else ''}.png"
                window.grab().save(str(path))
                written.append(path)

            def dialog_shot(dialog, name: str) -> None:
                _settle(app)
                path = out / f"lead-{name}-{size_name}{'-' + language if language else ''}.png"
                dialog.grab().save(str(path))
                written.append(path)

            # Floor: a person selected, as the lead would have it.
            floor = window.floor
            if floor.model.rowCount() > 1:
                floor.board.selectRow(1)
            shot("floor")
            # The task picker, as the lead opens it for the selected person.
            floor.on_assign_clicked()
            _settle(app)
            dialog_shot(floor.picker, "floor-picker")
            floor.picker.reject()
            window.show_page("tasks")
            shot("tasks")
            window.show_page("people")
            shot("people")
            # The CSV import preview, with bad lines listed before anything is written.
            sample = Path(folder) / "new-people.csv"
            sample.write_text("name,department,email\nAda Lovelace,IT,ada@example.com\n,HR,someone@example.com\n"
                              "Grace Hopper,IT,not-an-email\nAlan Turing,IT,ada@example.com\n", encoding="utf-8")
            window.people.preview_import(sample)
            _settle(app)
            dialog_shot(window.people.preview, "people-import-preview")
            window.people.preview.reject()
            window.show_page("observations")
            obs = window.observations
            obs.status.setCurrentIndex(obs.status.findData("new"))
            if obs.model.rowCount():
                obs.table.selectRow(0)
            shot("observations")
            window.show_page("reports")
            reports = window.reports
            shot("reports-empty")
            reports.make_button.click()
            _wait(app, lambda: reports.current_pdf is not None or not reports.busy())
            shot("reports")
            window.banner.hide()
            window.show_page("settings")
            shot("settings")
            pin.set_pin(storage, "1234")
            window.lock("")
            shot("locked")
            wait_for_background()
            window.close()
            watcher.stop()
            window.watcher.stop()
            window.deleteLater()
            _settle(app)
            storage.close()
    return written


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/screenshots/lead")
    paths = render(out)
    print(f"{len(paths)} screenshots written to {out}")


if __name__ == "__main__":
    main()
