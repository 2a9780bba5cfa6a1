"""The shift-lead window: side navigation over six pages, an inline message banner with Undo,
the status bar, the PIN lock, window-wide keys (Ctrl+F, Ctrl+P, Ctrl+Z, F1), the About box,
geometry remembered within the screen, and the kiosk on a second screen."""

from __future__ import annotations

import datetime as dt
import html
import importlib
import logging
from collections.abc import Mapping
from typing import Callable, Iterator

from PySide6.QtCore import QEvent, QObject, QRect, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QApplication, QDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMainWindow, QMessageBox, QPushButton, QScrollArea, QStackedWidget,
                               QVBoxLayout, QWidget)

from ... import APP_NAME, __version__, i18n
from ...i18n import N_, _, format_datetime, pgettext
from ...errors import UserError
from ...logs import log_dir
from ...services import pin, settings
from ...storage.db import Storage
from ...timeutil import local
from .. import language
from ..language import keep
from ..scanner import WedgeScanner
from ..first_frame import after_first_frame
from ..watcher import Change, DatabaseWatcher
from ..widgets import VerdictWatch
from .common import BADGE_AT_KIOSK, ERROR, INFO, SUCCESS, WARNING, Banner, ElidingLabel, LeadContext, LockScreen

log = logging.getLogger("storeshift.ui.lead")

#: (page key, navigation label, shortcut)
PAGES = [("floor", N_("Floor"), "Ctrl+1"), ("tasks", N_("Tasks"), "Ctrl+2"),
         ("people", N_("People & badges"), "Ctrl+3"), ("observations", N_("Observations"), "Ctrl+4"),
         ("reports", N_("Reports"), "Ctrl+5"), ("settings", N_("Settings"), "Ctrl+6")]
NAV_ICONS = {"floor": "◉", "tasks": "☰", "people": "☺", "observations": "✎", "reports": "▤",
             "settings": "⚙"}
#: The smallest window every page still works in: 1024x768 less a taskbar, and 1366x768 at
#: 150% scaling (911x512 logical pixels) less a taskbar and title bar. Pages scroll rather than cut.
MINIMUM_SIZE = (760, 440)
DEFAULT_SIZE = (1366, 768)
#: Below this width the side navigation is a narrow rail, leaving the pages the room.
COMPACT_BELOW = 1100
SIDE_WIDTH, COMPACT_SIDE_WIDTH = 206, 92
#: Words that fit the narrow navigation rail (under 1100 px) where the page's name does not.
SHORT_LABELS = {"people": N_("People"), "observations": N_("Notes"), "settings": N_("Options")}


#: Where each page's class lives: imported when the page is first shown, not at start-up.
PAGE_CLASSES = {"floor": (".floor", "FloorPage"), "tasks": (".tasks", "TasksPage"),  # not translated: code
                "people": (".people", "PeoplePage"),  # not translated: code
                "observations": (".observations", "ObservationsPage"),  # not translated: code
                "reports": (".reports", "ReportsPage"), "settings": (".settings", "SettingsPage")}  # not translated: code
_SITE_TABLES = frozenset({"settings", "sites"})  # time zone, language, names: every page shows them
#: The tables each page reads: a change to others leaves it as it is.
PAGE_TABLES = {
    "floor": _SITE_TABLES | {"visits", "assignments", "tasks", "bookings", "people"},
    "tasks": _SITE_TABLES | {"tasks", "assignments"},
    "people": _SITE_TABLES | {"people", "badges"},
    "observations": _SITE_TABLES | {"observations", "themes", "people", "tasks", "visits"},
    "reports": _SITE_TABLES | {"visits", "observations", "themes"},
    "settings": _SITE_TABLES | {"organisation"},
}
#: What the title, the side and the status bar show (site name, time zone, last backup).
STATUS_TABLES = _SITE_TABLES


def _build_page(key: str, window: LeadWindow) -> QWidget:
    module, name = PAGE_CLASSES[key]
    page_class = getattr(importlib.import_module(module, __package__), name)
    return page_class(window.ctx, window) if key == "settings" else page_class(window.ctx)


class _Pages(Mapping):
    """The window's pages by key; asking for one builds it (iterating builds them all)."""

    def __init__(self, window: LeadWindow):
        self._window = window

    def __getitem__(self, key: str) -> QWidget:
        if key not in PAGE_CLASSES:
            raise KeyError(key)
        return self._window.page(key)

    def __iter__(self) -> Iterator[str]:
        return iter(PAGE_CLASSES)

    def __len__(self) -> int:
        return len(PAGE_CLASSES)


class _PageScroll(QScrollArea):
    """Shows the page stack at the size of the window, or at the page's minimum size with
    scroll bars when the window is smaller (1024x768, 150% scaling), so nothing is cut.
    (A resizable QScrollArea sized a page with wrapping labels to its preferred height, and a
    stack to the largest of its pages.)"""

    def __init__(self, stack: QStackedWidget):
        super().__init__()
        self.setObjectName("pageScroll")
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes on to the page's controls
        self.setWidgetResizable(False)
        self.setWidget(stack)
        stack.currentChanged.connect(lambda _index: self.fit())
        stack.installEventFilter(self)

    def needed(self) -> QSize:
        page = self.widget().currentWidget()
        return page.minimumSizeHint().expandedTo(page.minimumSize()) if page is not None else QSize()

    def fit(self) -> None:
        need, room = self.needed(), self.maximumViewportSize()
        bar = self.verticalScrollBar().sizeHint().width()  # the style's scroll bar extent
        wide, tall = need.width() > room.width(), need.height() > room.height()
        # A scroll bar on one side takes room from the other, which may then need one too.
        tall = tall or (wide and need.height() > room.height() - bar)
        wide = wide or (tall and need.width() > room.width() - bar)
        shown = QSize(room.width() - (bar if tall else 0), room.height() - (bar if wide else 0))
        self.widget().resize(shown.expandedTo(need))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.fit()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.LayoutRequest:
            QTimer.singleShot(0, self, self.fit)
        return super().eventFilter(watched, event)


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
        # The site's language from the first frame, Qt's own texts with it, and every later change.
        settings.use_site_language(storage)
        language.follow()
        self.setWindowTitle(_("{site} — storeshift").format(site=settings.get(storage, "site_name")))
        self.setMinimumSize(*MINIMUM_SIZE)

        # Pages are built when first shown (or first asked for): only the first frame's page
        # is on the start-up path, and with a PIN set not even that (see _after_first_frame).
        self._pages: dict[str, QWidget] = {}
        self.pages = _Pages(self)
        self._stale: set[str] = set()

        self.nav = QListWidget()
        self.nav.setObjectName("sideNav")
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pageStack")
        for key, label, shortcut in PAGES:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
            action = keep(QAction(self), text=label)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _=False, k=key: self.show_page(k))
            self.addAction(action)
        self.site_label = QLabel()
        self.site_label.setObjectName("navSite")
        self.site_label.setWordWrap(True)
        self.kiosk_button = QPushButton()  # its text (long or compact) is set by label_navigation()
        self.kiosk_button.setObjectName("kioskButton")
        self.lock_button = QPushButton()  # its text (long or compact) is set by label_navigation()
        self.lock_button.setObjectName("lockButton")
        keep(self.lock_button, tooltip=N_("Lock the window now (Ctrl+L)"))
        self.about_button = QPushButton()  # its text is set by label_navigation()
        self.about_button.setObjectName("aboutButton")
        keep(self.about_button, tooltip=N_("Version, database and log folder (F1)"))
        self.about_box: QMessageBox | None = None
        # Window-wide keys; each acts on the page shown.
        for text, keys, slot in ((N_("Lock"), "Ctrl+L", self.lock), (N_("Find"), QKeySequence.StandardKey.Find,
                                                                     self.on_find),
                                 (N_("Print"), QKeySequence.StandardKey.Print, self.on_print),
                                 (N_("Undo"), QKeySequence.StandardKey.Undo, self.on_undo),
                                 (N_("About storeshift"), QKeySequence.StandardKey.HelpContents, self.show_about)):
            action = keep(QAction(self), text=text)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            self.addAction(action)

        side = self.side = QWidget()
        side.setObjectName("sidePanel")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 12)
        brand = self.brand = QLabel("storeshift")  # not translated: the name
        brand.setObjectName("brand")
        side_layout.addWidget(brand)
        side_layout.addWidget(self.site_label)
        side_layout.addWidget(self.nav, 1)
        side_layout.addWidget(self.kiosk_button)
        bottom = QHBoxLayout()
        bottom.setSpacing(0)
        bottom.addWidget(self.lock_button, 1)
        bottom.addWidget(self.about_button, 1)
        side_layout.addLayout(bottom)
        side.setFixedWidth(SIDE_WIDTH)
        self.compact: bool | None = None
        self._placed = False
        self._restored = QRect()

        self.banner = Banner()
        content = QWidget()
        content.setObjectName("content")
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(18, 12, 18, 8)
        content_layout.addWidget(self.banner)
        # The pages scroll on a screen too small for them instead of being cut.
        self.page_scroll = _PageScroll(self.stack)
        content_layout.addWidget(self.page_scroll, 1)

        main = QWidget()
        main_layout = QHBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.setSpacing(0)
        main_layout.addWidget(side)
        main_layout.addWidget(content, 1)

        self.lock_screen = LockScreen(self.check_pin)
        # While locked, a badge scanned into this window (the kiosk had lost the keyboard) is
        # recognised by its timing and never reaches the PIN field as a wrong PIN.
        self.scanner = WedgeScanner(parent=self, scope=self)
        self.outer = QStackedWidget()
        self.outer.addWidget(main)
        self.outer.addWidget(self.lock_screen)
        self.main_area = main
        self.setCentralWidget(self.outer)

        self.db_label = ElidingLabel()
        self.backup_label = QLabel()
        for label in (self.db_label, self.backup_label):
            label.setObjectName("statusPart")
        self.statusBar().addPermanentWidget(self.backup_label)
        self.sync_label = QLabel()
        self.sync_label.setObjectName("statusPart")
        self.sync_label.hide()  # until the server sync (started after the first frame) has something to say
        self.statusBar().addPermanentWidget(self.sync_label)
        self._server_sync = None
        self.statusBar().addPermanentWidget(self.db_label, 1)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self.on_idle)
        self._activity = _ActivityFilter(self.on_activity)
        QApplication.instance().installEventFilter(self._activity)

        self.closing = None  # the closing-time timer, started after the first frame

        # Connections in one place.
        self.nav.currentRowChanged.connect(self.on_nav_changed)
        self.ctx.message.connect(self.show_message)
        self.ctx.storage_replaced.connect(self.on_storage_replaced)
        self.watcher.changed.connect(self.on_database_changed)
        self.ctx.changed_here.connect(self.on_changed_here)
        self.ctx.badge_sheet_requested.connect(self.on_badge_sheet_requested)
        self.kiosk_button.clicked.connect(self.open_kiosk)
        self.lock_button.clicked.connect(self.lock)
        self.about_button.clicked.connect(self.show_about)
        self.lock_screen.unlocked.connect(self.on_unlocked)
        self.scanner.scanned.connect(self.on_badge_scanned)
        self.ctx.undo_offered.connect(self.banner.offer_undo)
        self.banner.undo_button.clicked.connect(self.on_undo)
        self.verdict = VerdictWatch(storage, self)
        self.verdict.problem.connect(self.on_database_refused)
        self.ctx.storage_replaced.connect(lambda: self.verdict.watch(self.storage))

        self._set_tab_order()
        self.label_navigation()
        self.update_status()
        self.restore_geometry()
        self.set_compact(self.width() < COMPACT_BELOW)
        self._first_frame_done = False
        if pin.has_pin(storage):
            # The first frame is the lock screen: the Floor page is built just after it.
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(0)
            self.nav.blockSignals(False)
            self.lock("")
        else:
            self.nav.setCurrentRow(0)
            self.restart_idle_timer()
        self._built = True

    def _after_first_frame(self) -> None:
        """What the first frame need not wait for: the page behind the lock screen, and the
        sync with head office's server."""
        if self._first_frame_done:
            return
        self._first_frame_done = True
        if self.stack.currentWidget() is None:
            self.on_nav_changed(max(0, self.nav.currentRow()))
        from ..closing import ClosingTimer

        # Forgotten visits are ended now (the window has started) and at each closing time.
        self.closing = ClosingTimer(lambda: self.ctx.storage, self.ctx.now, self)
        self.closing.closed.connect(lambda _count: self.on_database_changed())
        self.server_sync.show_state()  # builds it: its timer runs from now on

    @property
    def server_sync(self):
        if self._server_sync is None:
            from ..server_sync import ServerSync

            self._server_sync = ServerSync(lambda: self.ctx.storage, self.sync_label, self)
        return self._server_sync

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
        stale = key in self._stale and key in self._pages
        page = self.page(key)  # a page built now has just read the database
        self.stack.setCurrentWidget(page)
        self._stale.discard(key)
        if stale:
            self._refresh(key)

    def page(self, key: str) -> QWidget:
        """The page called key, built (and added to the stack) the first time it is asked for."""
        page = self._pages.get(key)
        if page is None:
            page = self._pages[key] = _build_page(key, self)
            self.stack.addWidget(page)
            if key == "floor":
                self.lock_screen.roll_call_requested.connect(page.on_roll_call_clicked)
        return page

    def on_badge_sheet_requested(self, person_ids) -> None:
        """The People page asks for a badge sheet: the Reports page makes it, built for it if it
        was not yet (a page built during the request misses the request itself: Qt does not call
        slots connected while a signal is being sent)."""
        if "reports" not in self._pages:
            self.page("reports").make_badge_sheet(person_ids)

    # The pages by name, as the tests and the window-wide keys reach them.
    floor = property(lambda self: self.page("floor"))
    tasks = property(lambda self: self.page("tasks"))
    people = property(lambda self: self.page("people"))
    observations = property(lambda self: self.page("observations"))
    reports = property(lambda self: self.page("reports"))
    settings_page = property(lambda self: self.page("settings"))

    def label_navigation(self) -> None:
        """The navigation's and side buttons' texts: full, or icons only when compact."""
        compact = getattr(self, "compact", False)
        for row, (key, label, shortcut) in enumerate(PAGES):
            item = self.nav.item(row)
            item.setText(f"{NAV_ICONS[key]}\n{_(SHORT_LABELS.get(key, label))}" if compact
                         else f"{NAV_ICONS[key]}   {_(label)}")
            item.setToolTip(_("{page} ({shortcut})").format(page=_(label), shortcut=shortcut))
        self.kiosk_button.setText(_("Kiosk") if compact else _("Open &kiosk on\nanother screen"))
        self.kiosk_button.setToolTip(_("Open the kiosk on another screen"))
        # A narrow side has room for a short word only ("Verrouiller" does not fit).
        self.lock_button.setText(pgettext("narrow side button", "Lock") if compact else _("Lock"))
        self.about_button.setText("?" if compact else _("About"))

    # -- language -----------------------------------------------------------------------------
    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # Only the site's language: a kiosk visitor's own (the kiosk may run in this process)
        # is theirs alone. (Also sent while __init__ is still building the window.)
        if (event.type() == QEvent.Type.LanguageChange and getattr(self, "_built", False)
                and i18n.current() == i18n.site_language()):
            if self.isVisible():
                self.retranslate()
            else:
                self._language_stale = True  # closed, or not shown yet: catch up when shown
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text again in the current language: kept texts, the navigation, the status bar,
        and each page (its own texts, table headings and rows)."""
        from .models import RowTableModel  # (with the pages: not needed before one is built)

        language.retranslate(self)
        self.label_navigation()
        self.update_status()
        for model in self.findChildren(RowTableModel):
            model.language_changed()
        for key, page in list(self._pages.items()):
            retranslate = getattr(page, "retranslate", None)
            if retranslate is not None:
                retranslate()
            self._refresh(key)

    def set_compact(self, compact: bool) -> None:
        """A narrow navigation rail, each icon above a short label, for a narrow window (1024 px,
        or 150% scaling on 1366 px): the Floor board needs the room more than the labels do."""
        if compact == self.compact:
            return
        self.compact = compact
        self.side.setFixedWidth(COMPACT_SIDE_WIDTH if compact else SIDE_WIDTH)
        self.side.setProperty("compact", compact)
        for row in range(self.nav.count()):
            self.nav.item(row).setTextAlignment(Qt.AlignmentFlag.AlignCenter if compact
                                                else Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.label_navigation()
        # The rail has no room for the name: the pages need the height on a 150% screen.
        self.brand.setVisible(not compact)
        self.site_label.setVisible(not compact)
        layout = self.side.layout().itemAt(self.side.layout().count() - 1).layout()
        layout.setDirection(QVBoxLayout.Direction.TopToBottom if compact else QVBoxLayout.Direction.LeftToRight)
        for widget in (self.side, *self.side.findChildren(QWidget)):
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.set_compact(self.width() < COMPACT_BELOW)

    def _set_tab_order(self) -> None:
        QWidget.setTabOrder(self.nav, self.stack)

    # -- window-wide keys ---------------------------------------------------------------------
    def on_find(self) -> None:
        """Ctrl+F: into the search box of the page shown (Floor: the board, where typing the
        start of a name jumps to that person)."""
        if self.is_locked():
            return
        page = self.pages[self.current_key()]
        box = getattr(page, "search", None)
        if isinstance(box, QLineEdit):
            box.setFocus(Qt.FocusReason.ShortcutFocusReason)
            box.selectAll()
        elif self.current_key() == "floor":
            page.board.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.show_message(_("Type the first letters of a name to jump to that person on the board."))
        else:
            self.show_message(_("The {page} page has no search; People and Observations have one.")
                              .format(page=_(page.title)))

    def on_print(self) -> None:
        """Ctrl+P: print what the page shown can print (the report or badge sheet on Reports,
        the roll call on Floor where it can)."""
        if self.is_locked():
            return
        page = self.pages[self.current_key()]
        printer = getattr(page, "print_page", None)
        if callable(printer):
            printer()
        else:
            self.show_message(_("Nothing to print on this page. Reports and badge sheets print from the Reports "
                                "page (Ctrl+5)."))

    def on_undo(self) -> None:
        """Ctrl+Z or the banner's Undo: take back the last assignment, task done, check-out or
        triage. A text field being edited keeps Ctrl+Z for its own typing."""
        if self.is_locked():
            return
        focused = QApplication.focusWidget()
        if isinstance(focused, QLineEdit) and focused.isUndoAvailable():
            focused.undo()
            return
        self.ctx.undo_last()
        self.on_changed_here(None)

    def show_about(self) -> None:
        """The version, the database and the log folder, as support asks for them."""
        storage = self.storage
        text = (f"<p><b>storeshift {html.escape(__version__)}</b><br>"  # not translated: name and version
                + _("back-to-the-floor programmes, at the place where they happen.") + "</p><p>"
                + _("<b>Site:</b> {site}").format(site=html.escape(str(settings.get(storage, "site_name")))) + "<br>"
                + _("<b>Database:</b> {file}").format(file=html.escape(str(storage.path or _("in memory")))) + "<br>"
                + _("<b>Log folder:</b> {folder}").format(folder=html.escape(str(log_dir()))) + "</p><p>"
                + _("Support may ask for the log file in that folder; it names no one.") + "</p>")
        box = QMessageBox(QMessageBox.Icon.Information, _("About storeshift"), text,
                          QMessageBox.StandardButton.Close, self)
        box.setObjectName("aboutBox")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                    | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        box.finished.connect(lambda _=0: box.deleteLater())
        self.about_box = box
        box.open()

    def on_badge_scanned(self, _code: str) -> None:
        """A whole badge burst reached this window: it is never a PIN attempt."""
        log.info("a badge scan reached the shift-lead window; not used")
        if self.is_locked():
            self.lock_screen.pad.reset()
            self.lock_screen.pad.show_message(_(BADGE_AT_KIOSK), error=True)
            self.lock_screen.pad.focus()
        else:
            self.show_message(_(BADGE_AT_KIOSK), WARNING)

    # -- keeping up with the database ---------------------------------------------------------
    def _refresh(self, key: str) -> None:
        page = self._pages.get(key)
        if page is None:
            return  # not built yet: it reads the database when it is
        try:
            page.refresh()
        except UserError as exc:
            self.show_message(str(exc), ERROR)

    def on_database_changed(self, change: Change | None = None) -> None:
        """One notification per change (the watcher's, or the window's own after an undo): the
        pages that read what changed refresh, the one shown now at once, the others when next
        shown; the page that made the change has shown it already and skips this echo."""
        change = change if isinstance(change, Change) else Change()
        current = self.current_key()
        for key, page in list(self._pages.items()):
            if page is change.initiator or not change.concerns(PAGE_TABLES.get(key)):
                continue
            if key == current:
                self._stale.discard(key)
                self._refresh(key)
            else:
                self._stale.add(key)
        if change.concerns(STATUS_TABLES):
            self.update_status()

    def on_changed_here(self, initiator: object) -> None:
        """A page (or the undo) changed the database: one notification, naming who did it."""
        self.watcher.announce(None, initiator)

    def on_storage_replaced(self) -> None:
        """After a restore the database file is a different one: watch it afresh."""
        self.watcher.changed.disconnect(self.on_database_changed)
        self.watcher.stop()
        self.watcher = DatabaseWatcher(self.storage.path, parent=self)
        self.watcher.changed.connect(self.on_database_changed)
        for key in list(self._pages):
            self._refresh(key)
        self.update_status()

    def update_status(self) -> None:
        storage = self.storage
        site = settings.get(storage, "site_name")
        tz = settings.site_timezone(storage)
        self.setWindowTitle(_("{site} — storeshift").format(site=site))
        self.site_label.setText(f"{site}\n{tz}")
        self.db_label.setText(_("{site}  ·  Database: {file}").format(site=site, file=storage.path or _("in memory")))
        self.db_label.setToolTip(str(storage.path or _("in memory")))
        last = settings.get(storage, "last_backup_at")
        if last:
            when = local(last, tz)
            self.backup_label.setText(_("Last backup: {when}").format(when=format_datetime(when)))
            self.backup_label.setProperty("stale", (self.ctx.now() - when).days >= 7)
        else:
            self.backup_label.setText(_("Last backup: never — Settings → Back up now"))
            self.backup_label.setProperty("stale", True)
        self.backup_label.style().unpolish(self.backup_label)
        self.backup_label.style().polish(self.backup_label)

    # -- telling the lead something -----------------------------------------------------------
    def show_message(self, text: str, level: str = INFO) -> None:
        """The one way pages tell the lead something: inline, never a modal box."""
        if level == ERROR:
            # The sentence can hold a visitor's name: the log says only that one was shown.
            log.info("an error message was shown to the shift lead")
        self.banner.show_message(text, level)
        self.statusBar().showMessage(text, 10000)

    def report_problem(self, text: str) -> None:
        self.show_message(text, ERROR)

    def on_database_refused(self, sentence: str) -> None:
        """The file opened is damaged (or from a newer storeshift): said at once, on the lock
        screen too, in a box that does not block, and in the banner that stays."""
        self.show_message(sentence, ERROR)
        if self.is_locked():
            self.lock_screen.reset(sentence)
        box = QMessageBox(QMessageBox.Icon.Critical, _("The database needs attention"), sentence,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("databaseRefusedBox")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.finished.connect(lambda _=0: box.deleteLater())
        self.refused_box = box
        box.open()

    # -- the PIN lock -------------------------------------------------------------------------
    def check_pin(self, text: str) -> bool:
        return pin.check_pin(self.storage, text, now=self.ctx.now())

    def is_locked(self) -> bool:
        return self.outer.currentWidget() is self.lock_screen

    def lock(self, reason: str = "") -> None:
        if not pin.has_pin(self.storage):
            self.show_message(_("Set a shift-lead PIN in Settings first; without one the window cannot lock."),
                              WARNING)
            return
        self.idle_timer.stop()
        # A dialog left open would stay usable above the lock screen: close it first.
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
        self.outer.setCurrentWidget(self.lock_screen)
        self.lock_screen.reset(reason if isinstance(reason, str) else "")
        self.scanner.set_timing(settings.get(self.storage, "scan_char_gap_ms"),
                                settings.get(self.storage, "scan_min_length"))
        self.scanner.install()

    def on_unlocked(self) -> None:
        self.scanner.uninstall()
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
        self.lock(_("Locked after a while without use."))

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
        self.show_message(_("The store is set up. Print the badges on the People page, then open the kiosk."),
                          SUCCESS)

    # -- the kiosk ----------------------------------------------------------------------------
    def open_kiosk(self) -> None:
        try:
            from ..kiosk.window import KioskWindow
        except ImportError:
            self.show_message(_("The kiosk is not part of this installation."), ERROR)
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
            self.show_message(_("The kiosk is open on the screen '{screen}'.").format(screen=target.name()))
        else:
            self.kiosk_window.show()
            self.show_message(_("Only one screen is connected, so the kiosk opened in a window here. "
                              "Connect a second screen for a full-screen kiosk."), WARNING)

    # -- geometry -----------------------------------------------------------------------------
    def restore_geometry(self) -> None:
        """Put the window where it was, moved and shrunk to fit the screen it is on now (a
        laptop taken from a big monitor to its own screen); the first time, a size that fits."""
        rect = self.qsettings.value("window/rect")
        screens = QGuiApplication.screens()
        if isinstance(rect, QRect) and rect.width() > 0:
            screen = next((s for s in screens if s.availableGeometry().intersects(rect)), None)
        else:
            rect, screen = None, None
        screen = screen or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(*DEFAULT_SIZE)
            return
        if rect is None:
            area = screen.availableGeometry()
            rect = QRect(0, 0, min(DEFAULT_SIZE[0], area.width()), min(DEFAULT_SIZE[1], area.height()))
            rect.moveCenter(area.center())
        self.setGeometry(fit_within(rect, screen.availableGeometry(), self.minimumSize()))
        self._restored = self.geometry()
        if str(self.qsettings.value("window/maximized", "false")).lower() == "true":
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if getattr(self, "_language_stale", False):  # the language changed while it was hidden
            self._language_stale = False
            self.retranslate()
        super().showEvent(event)
        if not self._placed:
            self._placed = True
            # The frame's size is known once the window is shown: keep the frame on the screen too.
            QTimer.singleShot(0, self, self.keep_on_screen)
            after_first_frame(self, self._after_first_frame)

    def keep_on_screen(self) -> None:
        """Finish restore_geometry(), unless the window was placed otherwise meanwhile."""
        # (The size tells: showing may shift the position by the frame's width.)
        if self.isMaximized() or self.isFullScreen() or self.screen() is None or \
                self.size() != self._restored.size():
            return
        frame, inner = self.frameGeometry(), self.geometry()
        margins = (inner.left() - frame.left(), inner.top() - frame.top(),
                   frame.right() - inner.right(), frame.bottom() - inner.bottom())
        minimum = self.minimumSize() + QSize(margins[0] + margins[2], margins[1] + margins[3])
        fitted = fit_within(frame, self.screen().availableGeometry(), minimum)
        if fitted != frame:
            self.setGeometry(fitted.adjusted(margins[0], margins[1], -margins[2], -margins[3]))

    def save_geometry(self) -> None:
        maximized = self.isMaximized()
        self.qsettings.setValue("window/maximized", maximized)
        if not maximized:
            self.qsettings.setValue("window/rect", self.geometry())
        self.qsettings.sync()

    def closeEvent(self, event) -> None:
        self._first_frame_done = True  # closed before its first frame: what waited for it never starts
        self.scanner.uninstall()
        self.save_geometry()
        if self.closing is not None:
            self.closing.stop()
        if self._server_sync is not None:
            self._server_sync.stop()
        if "reports" in self._pages:
            self._pages["reports"].cleanup()
        QApplication.instance().removeEventFilter(self._activity)
        super().closeEvent(event)


def fit_within(rect: QRect, area: QRect, minimum) -> QRect:
    """rect made no larger than area (but not below minimum) and moved inside it."""
    width = max(min(rect.width(), area.width()), min(minimum.width(), area.width()))
    height = max(min(rect.height(), area.height()), min(minimum.height(), area.height()))
    left = min(max(rect.x(), area.left()), area.left() + area.width() - width)
    top = min(max(rect.y(), area.top()), area.top() + area.height() - height)
    return QRect(left, top, width, height)
