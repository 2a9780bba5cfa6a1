"""The Settings page: the site's settings (a form built from services.settings.SETTINGS),
the shift-lead PIN, the organisation key, backup and restore, and bundles for head office."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt, QTime
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QCompleter, QFileDialog, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QSpinBox, QTimeEdit, QVBoxLayout, QWidget)

from ...errors import UserError
from ...services import badges, maintenance, pin, settings
from ...storage.db import open_storage
from ...timeutil import all_zones, local
from .common import ERROR, SUCCESS, WARNING, LeadContext, PinField, choose_file, confirm
from .imports import run_with_own_storage


class SettingsPage(QWidget):
    title = "Settings"

    def __init__(self, ctx: LeadContext, window=None, parent=None):
        super().__init__(parent)
        self.setObjectName("settingsPage")
        self.ctx = ctx
        self.lead_window = window
        self.job = None
        self.fields: dict[str, QWidget] = {}

        heading = QLabel("Settings")
        heading.setObjectName("pageTitle")

        # Site settings: one field per declared setting.
        site_box = QGroupBox("This site")
        form = QFormLayout(site_box)
        days = QGridLayout()
        days.setContentsMargins(0, 0, 0, 0)
        for setting in settings.SETTINGS:
            if setting.hidden:
                continue
            field = self._field_for(setting)
            field.setObjectName(f"setting_{setting.key}")
            self.fields[setting.key] = field
            if setting.key in settings.WEEKDAY_CLOSING_KEYS:
                # Seven small fields in one row: a day's own closing time, empty for "as every day".
                column = settings.WEEKDAY_CLOSING_KEYS.index(setting.key)
                days.addWidget(QLabel(settings.WEEKDAY_NAMES[column][:3]), 0, column)
                days.addWidget(field, 1, column)
                if column == len(settings.WEEKDAY_CLOSING_KEYS) - 1:
                    form.addRow("Closing time by day", days)
                continue
            form.addRow(setting.label, field)
        self.save_button = QPushButton("&Save settings")
        self.save_button.setProperty("primary", True)
        self.revert_button = QPushButton("Undo changes")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)

        # The PIN.
        pin_box = QGroupBox("Shift-lead PIN")
        pin_form = QFormLayout(pin_box)
        self.pin_state = QLabel()
        self.pin_state.setWordWrap(True)
        self.old_pin = PinField("current PIN")
        self.old_pin.setObjectName("oldPin")
        self.new_pin = PinField("4 to 12 digits")
        self.new_pin.setObjectName("newPin")
        self.repeat_pin = PinField("the same again")
        self.repeat_pin.setObjectName("repeatPin")
        self.pin_button = QPushButton("Change PIN")
        pin_form.addRow(self.pin_state)
        pin_form.addRow("Current PIN", self.old_pin)
        pin_form.addRow("New PIN", self.new_pin)
        pin_form.addRow("New PIN again", self.repeat_pin)
        pin_form.addRow("", self.pin_button)

        # The organisation key.
        key_box = QGroupBox("Organisation key (signs every badge)")
        key_layout = QVBoxLayout(key_box)
        self.key_state = QLabel()
        self.key_state.setWordWrap(True)
        self.export_key_button = QPushButton("Export key…")
        self.import_key_button = QPushButton("Import key…")
        key_layout.addWidget(self.key_state)
        key_layout.addLayout(_button_row(self.export_key_button, self.import_key_button))

        # Backups.
        backup_box = QGroupBox("Backup")
        backup_layout = QVBoxLayout(backup_box)
        self.backup_state = QLabel()
        self.backup_state.setWordWrap(True)
        self.backup_button = QPushButton("Back up now")
        self.backup_button.setProperty("primary", True)
        self.restore_button = QPushButton("Restore from backup…")
        self.restore_button.setProperty("danger", True)
        backup_layout.addWidget(self.backup_state)
        backup_layout.addLayout(_button_row(self.backup_button, self.restore_button))

        # Bundles for head office.
        sync_box = QGroupBox("Share with head office")
        sync_layout = QVBoxLayout(sync_box)
        sync_hint = QLabel("Export this site's data as a bundle file for head office, or merge bundles from "
                           "other sites into this database for a report across sites. Merging twice changes "
                           "nothing.")
        sync_hint.setWordWrap(True)
        self.export_bundle_button = QPushButton("Export bundle…")
        self.merge_button = QPushButton("Merge bundles…")
        sync_layout.addWidget(sync_hint)
        sync_layout.addLayout(_button_row(self.export_bundle_button, self.merge_button))

        # Side by side on a wide window, one under the other on a narrow one (see resizeEvent).
        columns = self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        left = QVBoxLayout()
        left.addWidget(site_box)
        left.addWidget(pin_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(backup_box)
        right.addWidget(key_box)
        right.addWidget(sync_box)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addSpacing(16)
        columns.addLayout(right, 1)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(0, 0, 8, 0)
        inner_layout.addWidget(heading)
        inner_layout.addLayout(columns)
        scroll = QScrollArea()
        scroll.setObjectName("settingsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self.save_button.clicked.connect(self.on_save)
        self.revert_button.clicked.connect(self.load)
        self.pin_button.clicked.connect(self.on_change_pin)
        self.repeat_pin.returnPressed.connect(self.on_change_pin)
        self.export_key_button.clicked.connect(self.on_export_key)
        self.import_key_button.clicked.connect(self.on_import_key)
        self.backup_button.clicked.connect(self.on_backup)
        self.restore_button.clicked.connect(self.on_restore_clicked)
        self.export_bundle_button.clicked.connect(self.on_export_bundle)
        self.merge_button.clicked.connect(self.on_merge_clicked)
        self.load()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        wide = self.width() >= 1000
        self.columns.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)

    # -- the settings form --------------------------------------------------------------------
    def _field_for(self, setting: settings.Setting) -> QWidget:
        if setting.key == "timezone":
            box = QComboBox()
            box.setEditable(True)
            box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            zones = all_zones()
            box.addItems(zones)
            completer = QCompleter(QStringListModel(zones, box), box)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            box.setCompleter(completer)
            box.setToolTip("Type part of a city, e.g. 'Paris', and pick from the list.")
            return box
        if setting.key == "closing_time":
            edit = QTimeEdit()
            edit.setDisplayFormat("HH:mm")
            return edit
        if setting.key in settings.WEEKDAY_CLOSING_KEYS:
            edit = QLineEdit()
            edit.setPlaceholderText("same")
            edit.setMaxLength(5)
            edit.setMinimumWidth(48)
            edit.setToolTip(f"{setting.label}, e.g. 18:00")
            return edit
        if isinstance(setting.default, int):
            spin = QSpinBox()
            spin.setRange(1, 100000)
            return spin
        return QLineEdit()

    def _read_field(self, key: str):
        field = self.fields[key]
        if isinstance(field, QComboBox):
            return field.currentText()
        if isinstance(field, QTimeEdit):
            return field.time().toString("HH:mm")
        if isinstance(field, QSpinBox):
            return field.value()
        return field.text()

    def _write_field(self, key: str, value) -> None:
        field = self.fields[key]
        if isinstance(field, QComboBox):
            field.setCurrentText(str(value))
        elif isinstance(field, QTimeEdit):
            field.setTime(QTime.fromString(str(value), "HH:mm"))
        elif isinstance(field, QSpinBox):
            field.setValue(int(value))
        else:
            field.setText("" if value is None else str(value))

    def load(self) -> None:
        storage = self.ctx.storage
        for key, value in settings.all_settings(storage).items():
            if key in self.fields:
                self._write_field(key, value)
        self.refresh_states()

    def refresh(self) -> None:
        """Another change arrived: update the facts shown, never the fields being edited."""
        self.refresh_states()

    def refresh_states(self) -> None:
        storage = self.ctx.storage
        has = pin.has_pin(storage)
        self.pin_state.setText("A PIN is set: it unlocks this window and lets the kiosk be closed." if has else
                               "No PIN is set yet: anyone can use this window and leave the kiosk. Set one now.")
        self.old_pin.setEnabled(has)
        self.pin_button.setText("Change PIN" if has else "Set PIN")
        key = badges.org_key(storage)
        self.key_state.setText(f"Key <b>{key['key_id']}</b>. Every site of the organisation needs the same key "
                               "so badges work everywhere: export it here and import it into a new site's "
                               "database before adding people. Keep the file secret.")
        tz = settings.site_timezone(storage)
        last = settings.get(storage, "last_backup_at")
        when = f"{local(last, tz):%A %d %B %Y at %H:%M}" if last else "never"
        self.backup_state.setText(f"Last backup: <b>{when}</b>. Backups go to <code>{self.backup_folder()}</code>. "
                                  "Restoring replaces the database; the replaced file is kept beside it.")

    def on_save(self) -> None:
        storage = self.ctx.storage
        current = settings.all_settings(storage)
        changed = []
        try:
            with storage.write("save the settings"):
                for key in self.fields:
                    value = self._read_field(key)
                    if str(value).strip() != ("" if current[key] is None else str(current[key])):
                        settings.put(storage, key, value)
                        changed.append(settings.BY_KEY[key].label)
        except UserError as exc:
            self.ctx.tell(f"Nothing was saved. {exc}", ERROR)
            return
        self.load()
        if self.lead_window is not None:
            self.lead_window.update_status()
            self.lead_window.restart_idle_timer()
        self.ctx.tell(f"Saved: {', '.join(changed)}." if changed else "Nothing had changed.", SUCCESS)

    # -- PIN ----------------------------------------------------------------------------------
    def on_change_pin(self) -> None:
        new, again = self.new_pin.text(), self.repeat_pin.text()
        if new != again:
            self.ctx.tell("The two new PINs are not the same; type them again.", ERROR)
            self.repeat_pin.clear()
            return
        had = pin.has_pin(self.ctx.storage)
        try:
            pin.set_pin(self.ctx.storage, new, self.old_pin.text() if had else None)
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return
        finally:
            for field in (self.old_pin, self.new_pin, self.repeat_pin):
                field.clear()
        self.refresh_states()
        if self.lead_window is not None:
            self.lead_window.restart_idle_timer()
        self.ctx.tell("The PIN is changed." if had else "The PIN is set. The window now locks when left alone.",
                      SUCCESS)

    # -- organisation key ---------------------------------------------------------------------
    def on_export_key(self) -> None:
        choose_file(self, "Export the organisation key", "Key files (*.json)", self.export_key, save=True,
                    suggested="storeshift-organisation-key.json")

    def export_key(self, path: Path) -> None:
        try:
            key_id = badges.export_org_key(self.ctx.storage, path)
        except (UserError, OSError) as exc:
            self.ctx.tell(f"Could not export the key: {exc}", ERROR)
            return
        self.ctx.tell(f"Organisation key {key_id} written to {path}. Keep it secret.", SUCCESS)

    def on_import_key(self) -> None:
        choose_file(self, "Import an organisation key", "Key files (*.json)", self.import_key)

    def import_key(self, path: Path) -> None:
        try:
            key_id = badges.import_org_key(self.ctx.storage, path)
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return
        self.refresh_states()
        self.ctx.tell(f"This site now signs badges with organisation key {key_id}.", SUCCESS)

    # -- backup and restore -------------------------------------------------------------------
    def backup_folder(self) -> Path:
        path = self.ctx.storage.path
        return (path.parent if path else Path.home()) / "backups"

    def on_backup(self) -> None:
        if self.job is not None:
            return
        folder = self.backup_folder()
        self.backup_button.setEnabled(False)
        self.backup_button.setText("Backing up…")

        def done(path) -> None:
            self.job = None
            self.backup_button.setEnabled(True)
            self.backup_button.setText("Back up now")
            self.refresh_states()
            if self.lead_window is not None:
                self.lead_window.update_status()
            self.ctx.tell(f"Backup written to {path}.", SUCCESS)

        def failed(text: str) -> None:
            self.job = None
            self.backup_button.setEnabled(True)
            self.backup_button.setText("Back up now")
            self.ctx.tell(text, ERROR)

        def back_up(storage):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(f"Cannot create the backup folder {folder}: {exc.strerror or exc}.") from None
            return maintenance.backup(storage, folder)

        self.job = run_with_own_storage(self.ctx.storage, back_up, done, failed)

    def on_restore_clicked(self) -> None:
        if self.ctx.storage.path is None:
            self.ctx.tell("This database lives in memory only; there is nothing to restore into.", ERROR)
            return
        choose_file(self, "Restore from a backup", "storeshift backups (*.db);;All files (*)", self.ask_restore)

    def ask_restore(self, backup: Path) -> None:
        """Restoring replaces everything, so it is asked twice."""
        def second() -> None:
            confirm(self, "Restore — are you sure?",
                    "Everything recorded since that backup will no longer be in storeshift (the replaced file "
                    "is kept, so it is not lost). Close the kiosk and any other storeshift window first.",
                    "Yes, restore now", lambda: self.restore(backup), danger=True)

        confirm(self, "Restore from backup",
                f"Replace the database with the backup {backup.name}?", "Restore…", second, danger=True)

    def restore(self, backup: Path) -> None:
        kiosk = getattr(self.lead_window, "kiosk_window", None)
        if kiosk is not None and kiosk.isVisible():
            self.ctx.tell("Close the kiosk first: it is using the database. Nothing was restored.", ERROR)
            return
        storage = self.ctx.storage
        path = storage.path
        # The service checks the backup before touching anything; on refusal nothing changed.
        try:
            if self.lead_window is not None:
                self.lead_window.watcher.stop()  # its connection counts as "open elsewhere"
            storage.close()
            kept = maintenance.restore(path, backup)
        except UserError as exc:
            self.ctx.storage = open_storage(path)
            self.ctx.storage_replaced.emit()
            self.ctx.tell(str(exc), ERROR)
            return
        self.ctx.storage = open_storage(path)
        self.ctx.storage_replaced.emit()
        self.load()
        self.ctx.tell(f"Restored from {backup.name}. The replaced database is kept as {kept.name}.", SUCCESS)

    # -- bundles ------------------------------------------------------------------------------
    def on_export_bundle(self) -> None:
        try:
            from ...sync.bundle import export_bundle
        except ImportError:
            self.ctx.tell("Bundles are not part of this installation yet.", WARNING)
            return
        site = settings.get(self.ctx.storage, "site_name")
        safe = "".join(c if c.isalnum() else "-" for c in site).strip("-").lower() or "site"
        choose_file(self, "Export a bundle for head office", "storeshift bundles (*.ssb *.zip);;All files (*)",
                    lambda path: self._run_sync("Exporting the bundle…",
                                                lambda storage: export_bundle(storage, path),
                                                lambda _result: f"Bundle written to {path}."),
                    save=True, suggested=f"{safe}-{self.ctx.now():%Y-%m-%d}.ssb")

    def on_merge_clicked(self) -> None:
        try:
            from ...sync.merge import merge_bundles
        except ImportError:
            self.ctx.tell("Bundles are not part of this installation yet.", WARNING)
            return
        dialog = QFileDialog(self, "Merge bundles from other sites")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter("storeshift bundles (*.ssb *.zip);;All files (*)")
        dialog.filesSelected.connect(lambda paths: self._run_sync(
            "Merging…", lambda storage: merge_bundles(storage, [Path(p) for p in paths]),
            lambda report: report.summary() if hasattr(report, "summary") else "Merged.") if paths else None)
        dialog.finished.connect(lambda _=0: dialog.deleteLater())
        self.file_dialog = dialog
        dialog.open()

    def _run_sync(self, doing: str, job, describe) -> None:
        if self.job is not None:
            self.ctx.tell("Another job is still running; wait for it to finish.", WARNING)
            return
        self.ctx.tell(doing)
        self.job = run_with_own_storage(
            self.ctx.storage, job,
            lambda result: (setattr(self, "job", None), self.ctx.tell(describe(result), SUCCESS)),
            lambda text: (setattr(self, "job", None), self.ctx.tell(text, ERROR)))


def _button_row(*buttons: QPushButton) -> QHBoxLayout:
    """Buttons side by side from the left, as each settings group ends."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row
