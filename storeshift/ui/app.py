"""Starting the Qt application: one QApplication, the style sheet, the database watcher,
a crash hook that logs, keeps the app up and (in the shift-lead window) shows details to
copy for support, and the window asked for."""

from __future__ import annotations

import logging
import platform
import sys
import traceback

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from .. import APP_NAME, __version__
from ..i18n import _
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


def crash_details(kind: type, tb) -> str:
    """What support needs to find a bug, and nothing about anyone: the versions, the exception's
    type and where it happened (file, line, function, the line of code). The exception's
    message and the local values are left out: they can hold a name or what someone wrote."""
    # not translated: what support reads
    lines = [f"storeshift {__version__} · Python {platform.python_version()} · PySide6 {pyside_version} · "  # not translated
             f"{platform.system()} {platform.release()}",
             f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else kind.__qualname__,
             "Traceback (most recent call last):"]  # not translated: Python's own words, for support
    for frame in traceback.extract_tb(tb):
        lines.append(f'  File "{_short_path(frame.filename)}", line {frame.lineno}, in {frame.name}')  # not translated
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    return "\n".join(lines)


def _short_path(filename: str) -> str:
    """From the package folder on: a user's home folder can carry their name."""
    for marker in ("/storeshift/", "\\storeshift\\", "/site-packages/", "\\site-packages\\"):  # not translated
        if marker in filename:
            return filename[filename.rindex(marker) + 1:]
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


def install_crash_hook(report, details_parent: QWidget | None = None) -> None:
    """An unexpected exception in a slot is logged with its traceback and shown briefly
    through report(text); with details_parent, a crash dialog over it offers the details to
    copy. The event loop goes on."""
    dialog: list = []  # the CrashDialog shown, if any

    def hook(kind, value, tb):
        log.error("unexpected error", exc_info=(kind, value, tb))
        try:
            report(_("Something went wrong. It has been logged; please carry on or tell the shift lead."))
            if details_parent is not None:
                details = crash_details(kind, tb)
                if dialog and dialog[0].isVisible():
                    dialog[0].add(details)
                else:
                    from .crash import CrashDialog

                    dialog[:] = [CrashDialog(details_parent, details)]
                    dialog[0].show()
        except Exception:
            pass
    sys.excepthook = hook


def refusal_box(sentence: str):
    """The dialog shown instead of a window when the database file is damaged."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, _("storeshift cannot open the database"), sentence,
                      QMessageBox.StandardButton.Ok)
    box.setObjectName("databaseRefusedBox")
    return box


def show_refusal(sentence: str) -> None:
    app = application()
    if app.platformName() in ("offscreen", "minimal"):
        return  # nobody could see it (tests, services): the command line's line says it
    refusal_box(sentence).exec()


def create_window(kind: str, storage: Storage, watcher: DatabaseWatcher, **options):
    if kind == "kiosk":
        from .kiosk.window import KioskWindow

        return KioskWindow(storage, watcher, **options)
    from .lead.window import LeadWindow

    return LeadWindow(storage, watcher, **options)


def offer_setup(window, kind: str, storage: Storage) -> None:
    """On a database nobody has set up yet, the shift-lead window opens the set-up wizard over itself."""
    if kind != "lead":
        return
    # Most starts are on a store already set up: said by settings already read, without the set-up
    # service (and the roster and CSV modules it brings) on the way to the first frame.
    if settings.get(storage, "setup_done") or settings.get(storage, "site_name") != settings.BY_KEY["site_name"].default:
        return
    from ..services import setup

    if setup.is_new(storage):
        window.open_setup_wizard()


def show_window(kind: str, storage: Storage, watcher: DatabaseWatcher, **options):
    """Create and show the window as run() does (the tests and tools open windows this way)."""
    window = create_window(kind, storage, watcher, **options)
    window.show()
    offer_setup(window, kind, storage)
    return window


def run(kind: str, storage: Storage, **options) -> int:
    """Open the kiosk or the shift-lead window on storage and run until it closes."""
    send_qt_messages_to_the_log()
    app = application()
    app.setStyleSheet(style_sheet(kind))
    settings.use_site_language(storage)
    language.follow()
    watcher = DatabaseWatcher(storage.path)
    window = create_window(kind, storage, watcher, **options)
    # The kiosk shows a banner only: a box a passing visitor could be left staring at is no use.
    install_crash_hook(getattr(window, "report_problem", lambda text: None),
                       details_parent=window if kind != "kiosk" else None)
    window.show()
    offer_setup(window, kind, storage)
    code = app.exec()
    watcher.stop()
    return code


def __getattr__(name: str):
    # The crash dialog lives in ui/crash.py, imported when something goes wrong, not at start-up.
    if name == "CrashDialog":
        from .crash import CrashDialog

        return CrashDialog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
