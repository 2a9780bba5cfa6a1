"""Launcher for cold-start timing: start a window the way a user does and print the wall-clock
time of its first paint, then exit at once.

`python -m bench.first_paint bare` shows a bare QMainWindow (the floor);
`python -m bench.first_paint kiosk|lead DB` runs storeshift's own command line on DB;
`python -m bench.first_paint kiosk|lead DB --phases` also prints where the time went (PHASE lines:
name and milliseconds since the interpreter started), to say what a miss would take.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_PHASES: list[tuple[str, float]] = []


def _since_start_ms() -> float:
    """Milliseconds since this process started, its interpreter's own start-up included (Linux:
    from /proc; elsewhere only since the clock's origin, which is close enough)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            started = int(handle.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime", encoding="ascii") as handle:
            return (float(handle.read().split()[0]) - started) * 1000
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() * 1000


def _mark(name: str) -> None:
    _PHASES.append((name, time.perf_counter()))


def _install_first_paint_probe(app) -> None:
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint:
                # print, flush and leave before anything else runs: the parent reads this line.
                sys.stdout.write(f"FIRST_PAINT {time.time():.6f}\n")
                if _PHASES:
                    _mark("first paint")
                    sys.stdout.write("".join(f"PHASE {name}\t{(at - _PHASES[0][1]) * 1000:.1f}\n"
                                             for name, at in _PHASES))
                sys.stdout.flush()
                os._exit(0)
            return False

    app._first_paint_probe = FirstPaint()
    app.installEventFilter(app._first_paint_probe)


def bare(phases: bool = False) -> None:
    if phases:
        _PHASES.append(("interpreter started", time.perf_counter() - _since_start_ms() / 1000))
        _mark("launcher running")
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    if phases:
        _mark("PySide6 imported")
    app = QApplication(sys.argv[:1])
    _install_first_paint_probe(app)
    if phases:
        _mark("application made")
    window = QMainWindow()
    window.setCentralWidget(QLabel("storeshift"))
    window.show()
    if phases:
        _mark("window built and shown")
    app.exec()


def storeshift_window(kind: str, db: str, phases: bool = False) -> None:
    if phases:
        _PHASES.append(("interpreter started", time.perf_counter() - _since_start_ms() / 1000))
        _mark("launcher running")
    from storeshift.ui import app as ui_app

    if phases:
        _mark("PySide6 and storeshift.ui.app imported")
    make_application = ui_app.application

    def application():
        # The real start-up path, with the first-paint probe added to the one QApplication.
        created = make_application()
        if not hasattr(created, "_first_paint_probe"):
            _install_first_paint_probe(created)
        return created

    ui_app.application = application
    if phases:
        from storeshift.storage import db as storage_db

        make_window, open_storage = ui_app.create_window, storage_db.open_storage

        def timed_window(*args, **kwargs):
            _mark("database open, language set, application made")
            window = make_window(*args, **kwargs)
            _mark("window built (its modules imported)")
            return window

        def timed_open(*args, **kwargs):
            _mark("command line parsed")
            return open_storage(*args, **kwargs)

        ui_app.create_window = timed_window
        import storeshift.cli as cli

        cli.open_storage = timed_open
        _mark("command line imported (click, storage, settings)")
    from storeshift.cli import main

    main(["--db", db, kind], prog_name="storeshift")


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare(phases="--phases" in sys.argv[2:])
    else:
        storeshift_window(sys.argv[1], sys.argv[2], phases="--phases" in sys.argv[3:])
    sys.exit("the window closed without ever being painted")
