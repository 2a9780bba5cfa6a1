"""The shift-lead window: side navigation over six pages, an inline message banner, the
status bar, the PIN lock, geometry remembered between runs, and the kiosk on a second screen."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QApplication, QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QPushButton, QStackedWidget, QVBoxLayout, QWidget)

from ... import APP_NAME
from ...errors import UserError
from ...services import pin, settings
from ...storage.db import Storage
from ...timeutil import local
from ..watcher import DatabaseWatcher
from .common import ERROR, INFO, SUCCESS, WARNING, Banner, LeadContext, LockScreen

log = logging.getLogger("storeshift.ui.lead")

#: (page key, navigation label, shortcut)
PAGES = [("floor", "Floor", "Ctrl+1"), ("tasks", "Tasks", "Ctrl+2"), ("people", "People & badges", "Ctrl+3"),
         ("observations", "Observations", "Ctrl+4"), ("reports", "Reports", "Ctrl+5"),
         ("settings", "Settings", "Ctrl+6")]
NAV_ICONS = {"floor": "◉", "tasks": "☰", "people": "☺", "observations": "✎", "reports": "▤",
             "settings": "⚙"}


class _ActivityFilter(QObject):
    """Any key press or mouse use in the application counts as the lead being there."""

    def __init__(self, on_activity: Callable[[], None]):
        super().__init__()
        self.on_activity = on_activity

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            self.on_activity()
        return False


class LeadWindow(QMainWindow):
    """The window the shift lead keeps open on the back-office PC all day."""

    def __init__(self, storage: Storage, watcher: DatabaseWatcher, clock: Callable[[], dt.datetime] | None = None,
                 settings_store: QSettings | None = None, **_options):
        super().__init__()
        self.setObjectName("leadWindow")
        self.ctx = LeadContext(storage, clock, self)
        self.watcher = watcher
        self.kiosk_window = None
        self.setup_wizard = None
        self.qsettings = settings_store or QSettings(APP_NAME, "lead")
        self.setWindowTitle(f"{settings.get(storage, 'site_name')} — storeshift")
        self.setMinimumSize(1024, 640)

        from .floor import FloorPage
        from .observations import ObservationsPage
        from .people import PeoplePage
        from .reports import ReportsPage
        from .settings import SettingsPage
        from .tasks import TasksPage

        self.floor = FloorPage(self.ctx)
        self.tasks = TasksPage(self.ctx)
        self.people = PeoplePage(self.ctx)
        self.observations = ObservationsPage(self.ctx)
        self.reports = ReportsPage(self.ctx)
        self.settings_page = SettingsPage(self.ctx, self)
        self.pages = {"floor": self.floor, "tasks": self.tasks, "people": self.people,
                      "observations": self.observations, "reports": self.reports, "settings": self.settings_page}
        self._stale: set[str] = set()

        self.nav = QListWidget()
        self.nav.setObjectName("sideNav")
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pageStack")
        for key, label, shortcut in PAGES:
            item = QListWidgetItem(f"{NAV_ICONS[key]}   {label}")
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{label} ({shortcut})")
            self.nav.addItem(item)
            self.stack.addWidget(self.pages[key])
            action = QAction(label, self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _=False, k=key: self.show_page(k))
            self.addAction(action)
        self.site_label = QLabel()
        self.site_label.setObjectName("navSite")
        self.site_label.setWordWrap(True)
        self.kiosk_button = QPushButton("Open kiosk on\nanother screen")
        self.kiosk_button.setObjectName("kioskButton")
        self.lock_button = QPushButton("Lock")
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setToolTip("Lock the window now (Ctrl+L)")
        lock_action = QAction("Lock", self)
        lock_action.setShortcut(QKeySequence("Ctrl+L"))
        lock_action.triggered.connect(self.lock)
        self.addAction(lock_action)

        side = QWidget()
        side.setObjectName("sidePanel")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 12)
        brand = QLabel("storeshift")
        brand.setObjectName("brand")
        side_layout.addWidget(brand)
        side_layout.addWidget(self.site_label)
        side_layout.addWidget(self.nav, 1)
        side_layout.addWidget(self.kiosk_button)
        side_layout.addWidget(self.lock_button)
        side.setFixedWidth(206)

        self.banner = Banner()
        content = QWidget()
        content.setObjectName("content")
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(18, 12, 18, 8)
        content_layout.addWidget(self.banner)
        content_layout.addWidget(self.stack, 1)

        main = QWidget()
        main_layout = QHBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.setSpacing(0)
        main_layout.addWidget(side)
        main_layout.addWidget(content, 1)

        self.lock_screen = LockScreen(self.check_pin)
        self.outer = QStackedWidget()
        self.outer.addWidget(main)
        self.outer.addWidget(self.lock_screen)
        self.main_area = main
        self.setCentralWidget(self.outer)

        self.db_label = QLabel()
        self.backup_label = QLabel()
        for label in (self.db_label, self.backup_label):
            label.setObjectName("statusPart")
        self.statusBar().addPermanentWidget(self.backup_label)
        self.statusBar().addPermanentWidget(self.db_label)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self.on_idle)
        self._activity = _ActivityFilter(self.on_activity)
        QApplication.instance().installEventFilter(self._activity)

        # Connections in one place.
        self.nav.currentRowChanged.connect(self.on_nav_changed)
        self.ctx.message.connect(self.show_message)
        self.ctx.storage_replaced.connect(self.on_storage_replaced)
        self.watcher.changed.connect(self.on_database_changed)
        self.kiosk_button.clicked.connect(self.open_kiosk)
        self.lock_button.clicked.connect(self.lock)
        self.lock_screen.unlocked.connect(self.on_unlocked)

        self._set_tab_order()
        self.update_status()
        self.restore_geometry()
        self.nav.setCurrentRow(0)
        if pin.has_pin(storage):
            self.lock("")
        else:
            self.restart_idle_timer()

    @property
    def storage(self) -> Storage:
        return self.ctx.storage

    # -- navigation ---------------------------------------------------------------------------
    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow([p[0] for p in PAGES].index(key))

    def current_key(self) -> str:
        return PAGES[max(0, self.nav.currentRow())][0]

    def on_nav_changed(self, row: int) -> None:
        key = PAGES[row][0]
        page = self.pages[key]
        self.stack.setCurrentWidget(page)
        if key in self._stale:
            self._stale.discard(key)
            self._refresh(key)

    def _set_tab_order(self) -> None:
        QWidget.setTabOrder(self.nav, self.stack)

    # -- keeping up with the database ---------------------------------------------------------
    def _refresh(self, key: str) -> None:
        try:
            self.pages[key].refresh()
        except UserError as exc:
            self.show_message(str(exc), ERROR)

    def on_database_changed(self) -> None:
        """The watcher saw a commit (ours or another process's): refresh what is shown now,
        and the other pages when they are next shown."""
        current = self.current_key()
        self._stale.update(k for k in self.pages if k != current)
        self._refresh(current)
        self.update_status()

    def on_storage_replaced(self) -> None:
        """After a restore the database file is a different one: watch it afresh."""
        self.watcher.changed.disconnect(self.on_database_changed)
        self.watcher.stop()
        self.watcher = DatabaseWatcher(self.storage.path, parent=self)
        self.watcher.changed.connect(self.on_database_changed)
        for key in self.pages:
            self._refresh(key)
        self.update_status()

    def update_status(self) -> None:
        storage = self.storage
        site = settings.get(storage, "site_name")
        tz = settings.site_timezone(storage)
        self.setWindowTitle(f"{site} — storeshift")
        self.site_label.setText(f"{site}\n{tz}")
        self.db_label.setText(f"{site}  ·  Database: {storage.path or 'in memory'}")
        last = settings.get(storage, "last_backup_at")
        if last:
            when = local(last, tz)
            self.backup_label.setText(f"Last backup: {when:%a %d %b %Y %H:%M}")
            self.backup_label.setProperty("stale", (self.ctx.now() - when).days >= 7)
        else:
            self.backup_label.setText("Last backup: never — Settings → Back up now")
            self.backup_label.setProperty("stale", True)
        self.backup_label.style().unpolish(self.backup_label)
        self.backup_label.style().polish(self.backup_label)

    # -- telling the lead something -----------------------------------------------------------
    def show_message(self, text: str, level: str = INFO) -> None:
        """The one way pages tell the lead something: inline, never a modal box."""
        if level == ERROR:
            log.info("shown to the shift lead: %s", text)
        self.banner.show_message(text, level)
        self.statusBar().showMessage(text, 10000)

    def report_problem(self, text: str) -> None:
        self.show_message(text, ERROR)

    # -- the PIN lock -------------------------------------------------------------------------
    def check_pin(self, text: str) -> bool:
        return pin.check_pin(self.storage, text, now=self.ctx.now())

    def is_locked(self) -> bool:
        return self.outer.currentWidget() is self.lock_screen

    def lock(self, reason: str = "") -> None:
        if not pin.has_pin(self.storage):
            self.show_message("Set a shift-lead PIN in Settings first; without one the window cannot lock.",
                              WARNING)
            return
        self.idle_timer.stop()
        # A dialog left open would stay usable above the lock screen: close it first.
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
        self.outer.setCurrentWidget(self.lock_screen)
        self.lock_screen.reset(reason if isinstance(reason, str) else "")

    def on_unlocked(self) -> None:
        self.outer.setCurrentWidget(self.main_area)
        self.on_database_changed()
        self.restart_idle_timer()

    def restart_idle_timer(self) -> None:
        if not pin.has_pin(self.storage) or self.is_locked():
            self.idle_timer.stop()
            return
        minutes = settings.get(self.storage, "lead_lock_min")
        self.idle_timer.start(int(minutes) * 60 * 1000)

    def on_activity(self) -> None:
        if self.idle_timer.isActive():
            self.idle_timer.start()

    def on_idle(self) -> None:
        self.lock("Locked after a while without use.")

    # -- the first day ------------------------------------------------------------------------
    def open_setup_wizard(self) -> None:
        """The set-up wizard over the window (opened by itself on a new database)."""
        from .wizard import SetupWizard

        self.setup_wizard = SetupWizard(self.ctx, self, on_done=self.on_set_up)
        self.setup_wizard.open()

    def on_set_up(self, changes: list[str]) -> None:
        self.update_status()
        self.on_database_changed()
        self.restart_idle_timer()
        self.show_message("The store is set up. Print the badges on the People page, then open the kiosk.",
                          SUCCESS)

    # -- the kiosk ----------------------------------------------------------------------------
    def open_kiosk(self) -> None:
        try:
            from ..kiosk.window import KioskWindow
        except ImportError:
            self.show_message("The kiosk is not part of this installation.", ERROR)
            return
        screens = QGuiApplication.screens()
        mine = self.screen()
        others = [s for s in screens if s is not mine]
        try:
            self.kiosk_window = KioskWindow(self.storage, self.watcher, windowed=not others)
        except UserError as exc:
            self.show_message(str(exc), ERROR)
            return
        if others:
            target = others[0]
            self.kiosk_window.setScreen(target)
            self.kiosk_window.setGeometry(target.geometry())
            self.kiosk_window.showFullScreen()
            self.show_message(f"The kiosk is open on the screen '{target.name()}'.")
        else:
            self.kiosk_window.show()
            self.show_message("Only one screen is connected, so the kiosk opened in a window here. "
                              "Connect a second screen for a full-screen kiosk.", WARNING)

    # -- geometry -----------------------------------------------------------------------------
    def restore_geometry(self) -> None:
        """Put the window where it was, if that place is still on a connected screen."""
        rect = self.qsettings.value("window/rect")
        if isinstance(rect, QRect) and rect.width() > 0 and any(
                screen.availableGeometry().intersects(rect) for screen in QGuiApplication.screens()):
            self.setGeometry(rect)
        else:
            self.resize(1366, 768)
        if str(self.qsettings.value("window/maximized", "false")).lower() == "true":
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def save_geometry(self) -> None:
        maximized = self.isMaximized()
        self.qsettings.setValue("window/maximized", maximized)
        if not maximized:
            self.qsettings.setValue("window/rect", self.geometry())
        self.qsettings.sync()

    def closeEvent(self, event) -> None:
        self.save_geometry()
        self.reports.cleanup()
        QApplication.instance().removeEventFilter(self._activity)
        super().closeEvent(event)
