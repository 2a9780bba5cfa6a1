"""Run by test_kiosk_awake.py: a stand-in for the desktop's screen saver on a private session
bus, speaking org.freedesktop.ScreenSaver as GNOME and KDE do. It prints each inhibition
(who asked, why) and its end: UnInhibit, or the holder leaving the bus."""

from __future__ import annotations

import sys

from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusConnection, QDBusMessage, QDBusServiceWatcher


def say(what: str) -> None:
    print(what, flush=True)


@ClassInfo({"D-Bus Interface": "org.freedesktop.ScreenSaver"})
class ScreenSaver(QObject):
    def __init__(self, bus: QDBusConnection):
        super().__init__()
        self.bus = bus
        self.cookies: dict[int, str] = {}
        self.watcher = QDBusServiceWatcher(self)
        self.watcher.setConnection(bus)
        self.watcher.setWatchMode(QDBusServiceWatcher.WatchModeFlag.WatchForUnregistration)
        self.watcher.serviceUnregistered.connect(self.on_gone)

    # (The message as last argument tells who asked: Qt passes it to a slot that wants it.)
    @Slot(str, str, QDBusMessage, result="uint")
    def Inhibit(self, application: str, reason: str, message: QDBusMessage) -> int:  # noqa: N802 (D-Bus name)
        cookie = 100 + len(self.cookies)
        holder = message.service()
        self.cookies[cookie] = holder
        self.watcher.addWatchedService(holder)
        say(f"inhibit {cookie} {application}: {reason}")
        return cookie

    @Slot("uint")
    def UnInhibit(self, cookie: int) -> None:  # noqa: N802
        if self.cookies.pop(cookie, None) is not None:
            say(f"released {cookie} (UnInhibit)")

    def on_gone(self, holder: str) -> None:
        for cookie in [c for c, who in self.cookies.items() if who == holder]:
            del self.cookies[cookie]
            say(f"released {cookie} (holder left the bus)")


if __name__ == "__main__":
    app = QCoreApplication(sys.argv)
    bus = QDBusConnection.sessionBus()
    saver = ScreenSaver(bus)
    ok = bus.registerObject("/org/freedesktop/ScreenSaver", saver, QDBusConnection.RegisterOption.ExportAllSlots) \
        and bus.registerService("org.freedesktop.ScreenSaver")
    say("ready" if ok else f"failed {bus.lastError().message()}")
    app.exec()
