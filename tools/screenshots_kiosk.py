"""Render every kiosk screen to PNG on a fresh demo database: full screen at 1920x1080, 1024x768
and a portrait 1080x1920 check; and, with --screens, the windowed kiosk (`storeshift kiosk
--windowed`) as it opens on the screens stores have: 1024x768, 1366x768 and 1366x768 at 150 %
scaling, each in a process of its own whose screen has that size and scale, the window given
the screen less a 40 px taskbar and a 30 px title bar (1024x698, 1366x698, 910x442).

    python tools/screenshots_kiosk.py [OUT_DIR]              (default: screenshots)
    python tools/screenshots_kiosk.py OUT_DIR --screens      (every state: kiosk-<state>-<screen>.png)
    python tools/screenshots_kiosk.py docs/screens --docs    (the states docs/SCREENS.md shows, 128 colours)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIZES = {"1920x1080": (1920, 1080), "1024x768": (1024, 768)}
PORTRAIT = {"1080x1920": (1080, 1920)}
#: the windowed kiosk on these screens: (screen width, height, scale factor)
SCREENS = {"1024x768": (1024, 768, 1.0), "1366x768": (1366, 768, 1.0), "1366x768-150": (1366, 768, 1.5)}
TASKBAR, TITLE_BAR = 40, 30
#: the states docs/SCREENS.md shows at each of SCREENS
DOCS_STATES = ["idle", "welcome-task", "goodbye-debrief", "goodbye-keyboard", "refused-replaced", "no-badge",
               "no-badge-pin", "tap-here"]
# The demo's moment (a weekday late morning): people on the floor, bookings today.
DEMO_NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=dt.timezone.utc)


def _pick_people(storage):
    """Demo people for each state: someone not yet in today (with a booking if possible),
    someone on the floor with a task, and someone on the floor to check out."""
    from storeshift.services import bookings, roster, visits

    on_floor = visits.on_floor(storage, DEMO_NOW)
    floor_ids = {row["person_id"] for row in on_floor}
    left_ids = {row["person_id"] for row in visits.left_today(storage, DEMO_NOW)}
    # Not those who forgot to scan out on the last open day: their first scan asks about that.
    _, forgotten = visits.didnt_check_out(storage, DEMO_NOW)
    away = floor_ids | left_ids | {row["person_id"] for row in forgotten}
    active = [p for p in roster.list_people(storage, include_inactive=False)
              if p["id"] not in away and p["name"].isascii()]
    booked = [b["person_id"] for b in bookings.expected_today(storage, DEMO_NOW) if b["person_id"] in
              {p["id"] for p in active}]
    newcomer = booked[0] if booked else active[0]["id"]
    with_task = [row for row in on_floor if row["task_id"]]
    leaver = (with_task[0] if with_task else on_floor[0])["person_id"]
    spare = [p["id"] for p in active if p["id"] != newcomer]
    return newcomer, leaver, spare


def render_screens(out_dir: str | Path, names: list[str] | None = None, language: str | None = None) -> list[Path]:
    """The windowed kiosk on each of SCREENS (a process each: the scale is fixed when Qt starts)."""
    written: list[Path] = []
    for name in names or list(SCREENS):
        width, height, scale = SCREENS[name]
        with tempfile.TemporaryDirectory() as folder:
            screen = Path(folder) / "screen.json"
            # Qt's offscreen platform takes its screens from a file.
            screen.write_text(json.dumps({"windowFrameMargins": False, "screens": [
                {"name": name, "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96,
                 "logicalBaseDpi": 96, "dpr": 1}]}))
            env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screen}", "QT_SCALE_FACTOR": str(scale)}
            size = (int(width / scale), int(height / scale) - TASKBAR - TITLE_BAR)
            subprocess.run([sys.executable, __file__, str(out_dir), "--one", name, f"{size[0]}x{size[1]}",
                            language or ""], env=env, check=True)
        written += sorted(Path(out_dir).glob(f"kiosk-*-{name}{'-' + language if language else ''}.png"))
    return written


def render(out_dir: str | Path, sizes: dict | None = None, language: str | None = None) -> list[Path]:
    """Render each kiosk state at each size into out_dir (in the site language given, default
    English); returns the PNG paths."""
    from PySide6.QtCore import QSize, Qt
    from PySide6.QtWidgets import QApplication

    from storeshift.services import badges, demo, tasks, visits
    from storeshift.storage import open_storage
    from storeshift.ui.kiosk.window import KioskWindow
    from storeshift.ui.watcher import DatabaseWatcher

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    sizes = sizes or {**SIZES, **PORTRAIT}
    written: list[Path] = []
    for size_name, (width, height, *_scale) in sizes.items():
        with tempfile.TemporaryDirectory() as folder:
            storage = open_storage(Path(folder) / "demo.db")
            demo.seed(storage, people=40, weeks=3, seed=7, now=DEMO_NOW)
            if language:
                from storeshift.services import settings

                settings.put(storage, "language", language)
            moment = [DEMO_NOW + dt.timedelta(minutes=2)]
            watcher = DatabaseWatcher(storage.path)
            window = KioskWindow(storage, watcher, windowed=True, clock=lambda: moment[0], camera=False,
                                 sounds=False)
            window.resize(width, height)
            window.show()
            newcomer, leaver, spare = _pick_people(storage)

            def shot(state: str) -> None:
                for _round in range(3):  # a layout may need more than one pass to settle
                    app.processEvents()
                path = out / f"kiosk-{state}-{size_name}{'-' + language if language else ''}.png"
                if window.size() != QSize(width, height):  # the window would not fit that screen
                    print(f"{path.name}: the kiosk needs {window.width()}x{window.height()}, more than "
                          f"{width}x{height}", file=sys.stderr)
                window.grab().save(str(path))
                written.append(path)

            window.show_idle()
            shot("idle")
            window.handle_payload(badges.payload_for(storage, newcomer))
            shot("welcome")
            visit = visits.open_visit(storage, newcomer)
            tasks.assign(storage, visit["id"], tasks.list_tasks(storage)[0]["id"])
            window.on_database_changed()
            shot("welcome-task")
            window.handle_payload(badges.payload_for(storage, newcomer))
            shot("repeat")
            window.handle_payload(badges.payload_for(storage, leaver))
            shot("goodbye")
            page = window.goodbye
            page.category_buttons["process_problem"].setChecked(True)
            page.text.setPlainText("Self-checkout 3 keeps asking for help when customers put a bag down; "
                                   "five people gave up and queued at the till.")
            page.quote.setText("Every single time!")
            page.impact_buttons["high"].setChecked(True)
            shot("goodbye-debrief")
            page.keyboard_button.setChecked(True)
            shot("goodbye-keyboard")
            page.keyboard_button.setChecked(False)
            window.show_idle()
            window.focus_keeper.timer.stop()  # (it would see this window has the keyboard, and hide it)
            window.focus_keeper.notice.show()  # another window took the keyboard
            shot("tap-here")
            window.focus_keeper.notice.hide()
            window.show_idle()
            window.handle_payload("SS1-NOPE-THIS-IS-NOT-A-BADGE")
            shot("refused")
            person = spare[0]
            badges.revoke(storage, person)
            badges.issue(storage, person)
            old = badges.make_payload(badges.org_key(storage), person, 1)
            window.handle_payload(old)
            shot("refused-replaced")
            # A visit left open yesterday: the first scan today asks when they left.
            yesterday = spare[1]
            visits.scan(storage, badges.payload_for(storage, yesterday), DEMO_NOW - dt.timedelta(days=1, hours=1))
            window.handle_payload(badges.payload_for(storage, yesterday))
            shot("forgotten")
            window.show_no_badge()
            for key in "MA":  # typed on the on-screen keyboard
                window.no_badge.keyboard.key(key).click()
            shot("no-badge")
            item = window.no_badge.results.item(0)
            if item is not None:
                window.on_person_chosen(item.data(Qt.ItemDataRole.UserRole))
                shot("no-badge-pin")
            window.ask_exit_pin()
            shot("exit-pin")
            window.show_idle()
            window.report_problem("Can't record right now, please tell the shift lead.")
            shot("banner")
            window.leave()
            watcher.stop()
            storage.close()
    return written


if __name__ == "__main__":
    args = sys.argv[1:]
    target = Path(args[0]) if args else Path("screenshots")
    if "--one" in args:  # a process of render_screens()
        name, size, language = args[args.index("--one") + 1:args.index("--one") + 4]
        width, height = (int(n) for n in size.split("x"))
        render(target, {name: (width, height)}, language or None)
    elif "--docs" in args:
        from PIL import Image  # Pillow comes with reportlab

        with tempfile.TemporaryDirectory() as folder:
            render_screens(folder)
            target.mkdir(parents=True, exist_ok=True)
            for state in DOCS_STATES:
                for name in SCREENS:
                    copy = target / f"kiosk-{state}-{name}.png"
                    with Image.open(Path(folder) / copy.name) as image:
                        # 128 colours are plenty for text and flat panels, at a third of the size.
                        image.convert("RGB").quantize(colors=128, dither=Image.Dither.NONE).save(copy, optimize=True)
                    print(copy)
    elif "--screens" in args:
        for path in render_screens(target):
            print(path)
    else:
        for path in render(target):
            print(path)
