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
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from .. import APP_NAME, __version__
from ..i18n import _
from ..logs import log_dir
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


class CrashDialog(QDialog):
    """Something went wrong: a short sentence, the details to copy for support, and the app
    goes on. Not modal: the lead can keep working with it open."""

    def __init__(self, parent: QWidget | None, details: str):
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(_("storeshift — something went wrong"))
        intro = QLabel(_("Something went wrong inside storeshift. Your work so far is saved and you can carry on. "
                         "If it happens again, copy the details below for support; the log folder is {folder}. "
                         "The details name no one.").format(folder=log_dir()))
        intro.setWordWrap(True)
        self.details = QPlainTextEdit(details)
        self.details.setObjectName("crashDetails")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.copy_button = QPushButton(_("&Copy details"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(640, 360)

    def add(self, details: str) -> None:
        """Another error while the dialog is open: its details go below (one dialog, not many)."""
        self.details.appendPlainText("\n" + details)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText(_("Copied"))


def install_crash_hook(report, details_parent: QWidget | None = None) -> None:
    """An unexpected exception in a slot is logged with its traceback and shown briefly
    through report(text); with details_parent, a crash dialog over it offers the details to
    copy. The event loop goes on."""
    dialog: list[CrashDialog] = []

    def hook(kind, value, tb):
        log.error("unexpected error", exc_info=(kind, value, tb))
        try:
            report(_("Something went wrong. It has been logged; please carry on or tell the shift lead."))
            if details_parent is not None:
                details = crash_details(kind, tb)
                if dialog and dialog[0].isVisible():
                    dialog[0].add(details)
                else:
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
    if kind == "lead":
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
