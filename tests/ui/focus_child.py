"""Run by test_kiosk_focus.py on a real X server (Xvfb): `kiosk DB` opens the full-screen kiosk
and prints when it loses and regains the keyboard; `other` opens a plain window of another
program and takes the keyboard. Each line: monotonic time, then what happened."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit


KEPT: list = []  # the windows live as long as the program


def say(what: str) -> None:
    print(f"{time.monotonic():.3f} {what}", flush=True)


def kiosk(db: str) -> None:
    from storeshift.storage import open_storage
    from storeshift.ui.kiosk.window import KioskWindow
    from storeshift.ui.watcher import DatabaseWatcher

    from storeshift.services import pin

    storage = open_storage(Path(db))
    if not pin.has_pin(storage):
        pin.set_pin(storage, "2468")  # a full-screen kiosk needs one
    window = KioskWindow(storage, DatabaseWatcher(storage.path), windowed=False, camera=False, sounds=False)
    window.focus_keeper.lost.connect(lambda: say("lost"))
    window.focus_keeper.regained.connect(lambda: say("regained"))
    window.show()
    KEPT.append(window)
    say("shown")


def other() -> None:
    box = QLineEdit()
    box.setWindowTitle("another program")
    box.resize(400, 80)
    box.show()
    KEPT.append(box)
    app = QApplication.instance()
    app.focusWindowChanged.connect(lambda window: say("has keyboard" if window else "lost keyboard"))

    def take() -> None:
        box.activateWindow()
        say("took")
    QTimer.singleShot(300, take)


if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    kiosk(sys.argv[2]) if sys.argv[1] == "kiosk" else other()
    QTimer.singleShot(20_000, lambda: app.exit(0))  # never outlives a stuck test (exit: the kiosk refuses to close)
    # Ends when the test closes our stdin.
    from PySide6.QtCore import QSocketNotifier

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(lambda: sys.stdin.read() is not None and app.exit(0))
    app.exec()
