"""Keeps the kiosk's PC awake and its screen on while the kiosk runs (a dark screen by the
staff entrance looks broken, and a sleeping PC records no scans), and lets go when it closes."""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import sys

from PySide6.QtCore import QObject, QProcess
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from ...i18n import N_, _

log = logging.getLogger("storeshift.ui.kiosk")

REASON = N_("The check-in kiosk is open")
SERVICE = PATH_INTERFACE = "org.freedesktop.ScreenSaver"
PATH = "/org/freedesktop/ScreenSaver"  # not translated: a D-Bus path
# Windows: SetThreadExecutionState flags
ES_CONTINUOUS, ES_SYSTEM_REQUIRED, ES_DISPLAY_REQUIRED = 0x80000000, 0x00000001, 0x00000002
_connections = itertools.count(1)


class StayAwake(QObject):
    """Holds the screen saver and sleep off from hold() to release(). `method` says how:
    'dbus' (the desktop's org.freedesktop.ScreenSaver), 'xdg-screensaver', 'windows', or None
    when this system offers no way (said once in the log)."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        self.method: str | None = None
        self.cookie: int | None = None
        self._bus_name = ""
        self._xdg_window = ""

    def hold(self) -> str | None:
        if self.method is not None:
            return self.method
        if sys.platform == "win32":
            self._hold_windows()
        elif sys.platform.startswith("linux") or "bsd" in sys.platform:
            self._hold_dbus() or self._hold_xdg()
        if self.method is None:
            log.info("the screen saver and sleep are not held off: this system offers no way we know")
        return self.method

    def release(self) -> None:
        method, self.method = self.method, None
        if method == "dbus":
            # The desktop drops an inhibition when its holder leaves the bus: closing this
            # connection of our own releases it. (UnInhibit wants an unsigned cookie, which
            # PySide6 cannot send: it would go out as a signed one and be refused.)
            from PySide6.QtDBus import QDBusConnection

            QDBusConnection.disconnectFromBus(self._bus_name)
            log.info("screen saver and sleep allowed again")
        elif method == "xdg-screensaver":
            QProcess.startDetached("xdg-screensaver", ["resume", self._xdg_window])
            log.info("screen saver allowed again (xdg-screensaver)")
        elif method == "windows":
            import ctypes

            ctypes.windll.kernel32.SetThreadExecutionState(ES_CONTINUOUS)
            log.info("sleep and display off allowed again")
        self.cookie = None

    # --- the ways ---------------------------------------------------------------------------
    def _hold_dbus(self) -> bool:
        try:
            from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage
        except ImportError:
            return False
        # A connection of our own (not the shared session bus): closing it is the release, and
        # it reads the session bus address now, not when something first asked for the bus.
        self._bus_name = f"storeshift-awake-{next(_connections)}"
        address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        bus = QDBusConnection.connectToBus(address, self._bus_name) if address else \
            QDBusConnection.connectToBus(QDBusConnection.BusType.SessionBus, self._bus_name)
        if not bus.isConnected():
            QDBusConnection.disconnectFromBus(self._bus_name)
            log.info("no session D-Bus (%s)", bus.lastError().message() or "not running")
            return False
        interface = QDBusInterface(SERVICE, PATH, PATH_INTERFACE, bus)
        reply = interface.call("Inhibit", "storeshift", _(REASON))  # not translated: the method's name
        if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
            QDBusConnection.disconnectFromBus(self._bus_name)
            log.info("the desktop's screen saver service said no (%s)", reply.errorName() or "no answer")
            return False
        self.cookie = int(reply.arguments()[0])
        self.method = "dbus"
        log.info("screen saver and sleep held off while the kiosk is open (D-Bus)")
        return True

    def _hold_xdg(self) -> bool:
        if QGuiApplication.platformName() != "xcb" or shutil.which("xdg-screensaver") is None:
            return False
        self._xdg_window = hex(int(self.window.winId()))
        if not QProcess.startDetached("xdg-screensaver", ["suspend", self._xdg_window])[0]:
            return False
        self.method = "xdg-screensaver"
        log.info("screen saver held off while the kiosk is open (xdg-screensaver)")
        return True

    def _hold_windows(self) -> bool:
        import ctypes

        # Per thread: this is the UI thread, which lives as long as the kiosk.
        previous = ctypes.windll.kernel32.SetThreadExecutionState(
            ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED)
        if not previous:
            return False
        self.method = "windows"
        log.info("sleep and display off held off while the kiosk is open")
        return True


def stay_awake(window: QWidget) -> StayAwake:
    """What the kiosk installs: held now, released when the kiosk exits (or the app quits)."""
    awake = StayAwake(window)
    awake.hold()
    if hasattr(window, "exited"):
        window.exited.connect(awake.release)
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.instance().aboutToQuit.connect(awake.release)
    return awake
