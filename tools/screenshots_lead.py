"""Render every page of the shift-lead window to PNG on a fresh demo database, at the screens
stores have: 1920x1080, 1366x768, 1024x768 and 1366x768 at 150% scaling (a process of its own,
since the scale is fixed when Qt starts). The window gets what a maximised window has there:
the screen less a 40 px taskbar and a 30 px title bar, in logical pixels.

    python tools/screenshots_lead.py [OUT_DIR] [--size NAME ...]   (default out/screenshots/lead)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: name: (screen width, screen height, scale factor)
SIZES = {"1920x1080": (1920, 1080, 1.0), "1366x768": (1366, 768, 1.0), "1024x768": (1024, 768, 1.0),
         "1366x768-150": (1366, 768, 1.5)}
TASKBAR, TITLE_BAR = 40, 30


def client_size(width: int, height: int, scale: float) -> tuple[int, int]:
    """The logical size of a maximised window's inside on that screen."""
    return int(width / scale), int(height / scale) - TASKBAR - TITLE_BAR
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


def render(out_dir: str | Path, sizes: dict | None = None) -> list[Path]:
    """Render each page (and the lock screen) at each size into out_dir; returns the PNG paths.
    Each size is rendered by a process of its own whose (offscreen) screen has that size and
    scale, so the window is placed and clamped as it would be on such a screen."""
    sizes = SIZES if sizes is None else sizes
    if os.environ.get("STORESHIFT_SHOT_SIZE") in sizes:
        name = os.environ["STORESHIFT_SHOT_SIZE"]
        return _render(out_dir, {name: sizes[name]})
    written: list[Path] = []
    for name, (width, height, scale) in sizes.items():
        with tempfile.TemporaryDirectory() as folder:
            screen = Path(folder) / "screen.json"
            # Qt's offscreen platform takes its screens from a file; no frame, as when maximised.
            screen.write_text(json.dumps({"windowFrameMargins": False, "screens": [
                {"name": name, "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96,
                 "logicalBaseDpi": 96, "dpr": 1}]}))
            env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screen}",
                   "QT_SCALE_FACTOR": str(scale), "STORESHIFT_SHOT_SIZE": name}
            subprocess.run([sys.executable, __file__, str(out_dir), "--size", name], env=env, check=True)
        written += sorted(Path(out_dir).glob(f"lead-*-{name}.png"))
    return written


def _render(out_dir: str | Path, sizes: dict) -> list[Path]:
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
    for size_name, (width, height, scale) in sizes.items():
        width, height = client_size(width, height, scale)
        with tempfile.TemporaryDirectory() as folder:
            storage = open_storage(Path(folder) / "demo.db")
            demo.seed(storage, people=60, weeks=6, seed=1, now=DEMO_NOW)
            watcher = DatabaseWatcher(storage.path)
            ini = QSettings(str(Path(folder) / "lead.ini"), QSettings.Format.IniFormat)
            window = LeadWindow(storage, watcher, clock=lambda: DEMO_NOW, settings_store=ini)
            window.resize(width, height)
            window.show()
            _settle(app)

            def shot(name: str) -> None:
                _settle(app)
                path = out / f"lead-{name}-{size_name}.png"
                window.grab().save(str(path))
                written.append(path)

            def dialog_shot(dialog, name: str) -> None:
                _settle(app)
                path = out / f"lead-{name}-{size_name}.png"
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
            # A note in a theme: the theme's owner, status and follow-up, rename, merge, split.
            obs.status.setCurrentIndex(obs.status.findData("triaged"))
            if obs.model.rowCount():
                obs.table.selectRow(0)
            shot("observations-theme")
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
    args = sys.argv[1:]
    names = [args[i + 1] for i, arg in enumerate(args) if arg == "--size"]
    rest = [a for i, a in enumerate(args) if a != "--size" and (i == 0 or args[i - 1] != "--size")]
    out = Path(rest[0] if rest else "out/screenshots/lead")
    paths = render(out, {n: SIZES[n] for n in names} if names else None)
    if "STORESHIFT_SHOT_SIZE" not in os.environ:
        print(f"{len(paths)} screenshots written to {out}")


if __name__ == "__main__":
    main()
