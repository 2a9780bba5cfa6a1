"""Launcher for cold-start timing: start a window the way a user does and print the wall-clock
time of its first paint, then exit at once.

`python -m bench.first_paint bare` shows a bare QMainWindow (the floor);
`python -m bench.first_paint kiosk|lead DB` runs storeshift's own command line on DB.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _install_first_paint_probe(app) -> None:
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint:
                # print, flush and leave before anything else runs: the parent reads this line.
                sys.stdout.write(f"FIRST_PAINT {time.time():.6f}\n")
                sys.stdout.flush()
                os._exit(0)
            return False

    app._first_paint_probe = FirstPaint()
    app.installEventFilter(app._first_paint_probe)


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    _install_first_paint_probe(app)
    window = QMainWindow()
    window.setCentralWidget(QLabel("storeshift"))
    window.show()
    app.exec()


def storeshift_window(kind: str, db: str) -> None:
    from storeshift.ui import app as ui_app

    make_application = ui_app.application

    def application():
        # The real start-up path, with the first-paint probe added to the one QApplication.
        created = make_application()
        if not hasattr(created, "_first_paint_probe"):
            _install_first_paint_probe(created)
        return created

    ui_app.application = application
    from storeshift.cli import main

    main(["--db", db, kind], prog_name="storeshift")


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        storeshift_window(sys.argv[1], sys.argv[2])
    sys.exit("the window closed without ever being painted")
