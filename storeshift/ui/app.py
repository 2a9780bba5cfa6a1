"""Starting the Qt application: one QApplication, the style sheet, the database watcher,
a crash hook that logs and keeps the app up, and the window asked for."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from .. import APP_NAME, __version__
from ..services import settings
from ..resources import resource, resource_root
from ..storage.db import Storage
from . import language
from .watcher import DatabaseWatcher

log = logging.getLogger("storeshift.ui")


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    icon = resource_root() / "icons" / "storeshift.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def style_sheet(name: str) -> str:
    """The QSS for 'kiosk' or 'lead' from storeshift/assets/styles ('' if not there yet)."""
    try:
        return resource("styles", f"{name}.qss").read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


_QT_LEVELS = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}
qt_log = logging.getLogger("storeshift.qt")


def _log_qt_message(kind, context, text: str) -> None:
    category = getattr(context, "category", None) or "qt"
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s: %s", category, text)


def send_qt_messages_to_the_log() -> None:
    """Qt's own messages ('qt.multimedia …', 'QSoundEffect: playback of this format is not supported')
    go to the log file: a store's terminal, and the shift lead, have no use for them."""
    qInstallMessageHandler(_log_qt_message)


def install_crash_hook(report) -> None:
    """An unexpected exception in a slot is logged with its traceback and shown briefly
    through report(text); the event loop goes on."""
    def hook(kind, value, tb):
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        try:
            report("Something went wrong. It has been logged; please carry on or tell the shift lead.")
        except Exception:
            pass
    sys.excepthook = hook


def create_window(kind: str, storage: Storage, watcher: DatabaseWatcher, **options):
    if kind == "kiosk":
        from .kiosk.window import KioskWindow

        return KioskWindow(storage, watcher, **options)
    from .lead.window import LeadWindow

    return LeadWindow(storage, watcher, **options)


def show_window(kind: str, storage: Storage, watcher: DatabaseWatcher, **options):
    """Create and show the window; on a database nobody has set up yet, the shift-lead window
    opens the set-up wizard over itself."""
    window = create_window(kind, storage, watcher, **options)
    window.show()
    if kind == "lead":
        from ..services import setup

        if setup.is_new(storage):
            window.open_setup_wizard()
    return window


def run(kind: str, storage: Storage, **options) -> int:
    """Open the kiosk or the shift-lead window on storage and run until it closes."""
    send_qt_messages_to_the_log()
    app = application()
    app.setStyleSheet(style_sheet(kind))
    settings.use_site_language(storage)
    language.follow()
    watcher = DatabaseWatcher(storage.path)
    window = show_window(kind, storage, watcher, **options)
    install_crash_hook(getattr(window, "report_problem", lambda text: None))
    code = app.exec()
    watcher.stop()
    return code
