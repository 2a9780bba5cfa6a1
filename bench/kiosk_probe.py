"""Runs inside its own process: the real kiosk window (offscreen) takes N badge scans through
its handler; prints JSON with each handler time, a bare insert + commit interleaved as the floor,
and the process's memory. `python -m bench.kiosk_probe DB PAYLOADS.json` scans the badges listed in the file;
`python -m bench.kiosk_probe bare` prints a bare window's memory."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from .common import rss_mb  # noqa: E402


def bare() -> dict:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("storeshift"))
    window.show()
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)
    current, peak = rss_mb()
    return {"rss_mb": current, "peak_mb": peak}


def kiosk(db: str, payload_file: str) -> dict:
    from PySide6.QtWidgets import QApplication  # noqa: F401 (Qt first, as the app does)

    from storeshift.storage import open_storage
    from storeshift.ui import app as ui_app
    from storeshift.ui.watcher import DatabaseWatcher

    from .scan import bare_connection, bare_insert

    qt_app = ui_app.application()
    qt_app.setStyleSheet(ui_app.style_sheet("kiosk"))
    storage = open_storage(db)
    from storeshift.services import pin

    if not pin.has_pin(storage):  # a full-screen kiosk refuses to start without a shift-lead PIN
        pin.set_pin(storage, "2468", actor="bench")
    watcher = DatabaseWatcher(storage.path)
    window = ui_app.create_window("kiosk", storage, watcher)
    window.show()
    qt_app.processEvents()
    # The badges to scan were chosen by the parent process, so the kiosk's memory holds only what
    # the kiosk itself needs (building 50,000 payloads here would raise the peak we measure).
    chosen = json.loads(Path(payload_file).read_text())
    floor_conn = bare_connection(storage.path)
    handler_ms, floor_ms, rss_after, screens = [], [], [], {}
    none_refs = sys.getrefcount(None)
    for payload in chosen:
        started = time.perf_counter()
        window.handle_payload(payload)
        while window.writer.busy:  # recorded on the kiosk's writer thread: timed until its screen is set
            qt_app.processEvents()
        handler_ms.append((time.perf_counter() - started) * 1000)
        screen = window.current_screen()
        screens[screen] = screens.get(screen, 0) + 1
        # Let the window paint and run its timers as it would between two people.
        qt_app.processEvents()
        started = time.perf_counter()
        bare_insert(floor_conn, storage.site_id)
        floor_ms.append((time.perf_counter() - started) * 1000)
        rss_after.append(rss_mb()[0])
    current, peak = rss_mb()
    result = {"handler_ms": handler_ms, "floor_ms": floor_ms, "rss_after_mb": rss_after, "rss_mb": current,
              "peak_mb": peak, "screens": screens,
              # Python < 3.12: a falling count means a binding is losing references to None.
              "none_refs_lost": none_refs - sys.getrefcount(None) if sys.version_info < (3, 12) else 0}
    floor_conn.close()
    watcher.stop()
    storage.close()
    return result


if __name__ == "__main__":
    out = bare() if sys.argv[1] == "bare" else kiosk(sys.argv[1], sys.argv[2])
    sys.stdout.write("RESULT " + json.dumps(out) + "\n")
    sys.stdout.flush()
    os._exit(0)
