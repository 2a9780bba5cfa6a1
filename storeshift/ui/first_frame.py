"""What can wait for a window's first frame waits for it: after_first_frame(window, then)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class FirstFrame(QObject):
    """Calls then() once the window has been painted for the first time (or after a few seconds
    when it never is, minimised say): what can wait for the first frame waits for it."""

    LATEST_MS = 3000

    def __init__(self, window: QWidget, then: Callable[[], None]):
        super().__init__(window)
        self.window, self.then = window, then
        window.installEventFilter(self)
        QTimer.singleShot(self.LATEST_MS, self, self.fire)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            self.window.removeEventFilter(self)
            QTimer.singleShot(0, self, self.fire)  # once this paint is on the screen
        return False

    def fire(self) -> None:
        self.window.removeEventFilter(self)
        self.then()


def after_first_frame(window: QWidget, then: Callable[[], None]) -> FirstFrame:
    """Call then() once window has been painted for the first time (start-up work that no
    first frame shows: sounds, the camera, the server sync)."""
    return FirstFrame(window, then)
