"""The Settings page: the site's settings (a form built from services.settings.SETTINGS),
the shift-lead PIN, the organisation key, backup and restore, and bundles for head office."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt, QTime
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QCompleter, QFileDialog, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QSpinBox, QTimeEdit, QVBoxLayout, QWidget)

from ...i18n import N_, _, format_datetime, format_list
from ..language import keep
from ... import i18n
from ...errors import UserError
from ...services import badges, maintenance, pin, settings
from ...storage.db import open_storage
from ...timeutil import all_zones, local
from .common import ERROR, SUCCESS, WARNING, LeadContext, PinField, choose_file, confirm
from .imports import run_with_own_storage


class SettingsPage(QWidget):
    title = N_("Settings")

    def __init__(self, ctx: LeadContext, window=None, parent=None):
        super().__init__(parent)
        self.setObjectName("settingsPage")
        self.ctx = ctx
        self.lead_window = window
        self.job = None
        self.fields: dict[str, QWidget] = {}

        heading = keep(QLabel(), text=N_("Settings"))
        heading.setObjectName("pageTitle")

        # Site settings: one field per declared setting.
        site_box = keep(QGroupBox(), title=N_("This site"))
        form = QFormLayout(site_box)
        self.day_labels: list[QLabel] = []
        grouped: dict[str, list[settings.Setting]] = {}
        for setting in settings.SHOWN:
            field = _field_for(setting)
            field.setObjectName(f"setting_{setting.key}")
            self.fields[setting.key] = field
            if setting.group is None:
                form.addRow(keep(QLabel(), text=setting.label.source), field)
                continue
            members = grouped.setdefault(setting.group, [])
            members.append(setting)
            if len(members) == sum(1 for s in settings.SHOWN if s.group == setting.group):
                # A group's small fields in one row, under their names (the weekday closing times).
                row = QGridLayout()
                row.setContentsMargins(0, 0, 0, 0)
                for column, member in enumerate(members):
                    label = QLabel()
                    self.day_labels.append(label)
                    row.addWidget(label, 0, column)
                    row.addWidget(self.fields[member.key], 1, column)
                form.addRow(keep(QLabel(), text=GROUP_TITLES[setting.group]), row)
        self.save_button = keep(QPushButton(), text=N_("&Save settings"))
        self.name_days()
        self.save_button.setProperty("primary", True)
        self.revert_button = keep(QPushButton(), text=N_("Undo changes"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)

        # The PIN.
        pin_box = keep(QGroupBox(), title=N_("Shift-lead PIN"))
        pin_form = QFormLayout(pin_box)
        self.pin_state = QLabel()
        self.pin_state.setWordWrap(True)
        self.old_pin = keep(PinField(), placeholder=N_("current PIN"))
        self.old_pin.setObjectName("oldPin")
        self.new_pin = keep(PinField(), placeholder=N_("4 to 12 digits"))
        self.new_pin.setObjectName("newPin")
        self.repeat_pin = keep(PinField(), placeholder=N_("the same again"))
        self.repeat_pin.setObjectName("repeatPin")
        self.pin_button = keep(QPushButton(), text=N_("Change PIN"))
        pin_form.addRow(self.pin_state)
        pin_form.addRow(keep(QLabel(), text=N_("Current PIN")), self.old_pin)
        pin_form.addRow(keep(QLabel(), text=N_("New PIN")), self.new_pin)
        pin_form.addRow(keep(QLabel(), text=N_("New PIN again")), self.repeat_pin)
        pin_form.addRow("", self.pin_button)

        # The organisation key.
        key_box = keep(QGroupBox(), title=N_("Organisation key (signs every badge)"))
        key_layout = QVBoxLayout(key_box)
        self.key_state = QLabel()
        self.key_state.setWordWrap(True)
        self.export_key_button = keep(QPushButton(), text=N_("Export key…"))
        self.import_key_button = keep(QPushButton(), text=N_("Import key…"))
        key_layout.addWidget(self.key_state)
        key_layout.addLayout(_button_row(self.export_key_button, self.import_key_button))

        # Backups.
        backup_box = keep(QGroupBox(), title=N_("Backup"))
        backup_layout = QVBoxLayout(backup_box)
        self.backup_state = QLabel()
        self.backup_state.setWordWrap(True)
        self.backup_button = keep(QPushButton(), text=N_("Back up now"))
        self.backup_button.setProperty("primary", True)
        self.restore_button = keep(QPushButton(), text=N_("Restore from backup…"))
        self.restore_button.setProperty("danger", True)
        backup_layout.addWidget(self.backup_state)
        backup_layout.addLayout(_button_row(self.backup_button, self.restore_button))

        # Bundles for head office.
        sync_box = keep(QGroupBox(), title=N_("Share with head office"))
        sync_layout = QVBoxLayout(sync_box)
        sync_hint = keep(QLabel(), text=N_("Export this site's data as a bundle file for head office, or merge "
                                           "bundles from other sites into this database for a report across "
                                           "sites. Merging twice changes nothing."))
        sync_hint.setWordWrap(True)
        self.export_bundle_button = keep(QPushButton(), text=N_("Export bundle…"))
        self.merge_button = keep(QPushButton(), text=N_("Merge bundles…"))
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
        self.left_column, self.right_column = left, right
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
        # Side by side only when both columns fit whole (a fixed width cut the right one's buttons
        # at 1366 px); otherwise one under the other.
        needed = self.left_column.minimumSize().width() + self.right_column.minimumSize().width() + 16 + 40
        wide = self.width() >= needed
        self.columns.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)

    # -- the settings form --------------------------------------------------------------------
    def _read_field(self, key: str):
        field = self.fields[key]
        if isinstance(field, QComboBox) and not field.isEditable():
            return field.currentData()
        if isinstance(field, QComboBox):
            return field.currentText()
        if isinstance(field, QTimeEdit):
            return field.time().toString("HH:mm")
        if isinstance(field, QSpinBox):
            return field.value()
        return field.text()

    def _write_field(self, key: str, value) -> None:
        field = self.fields[key]
        if isinstance(field, QComboBox) and not field.isEditable():
            field.setCurrentIndex(max(0, field.findData(value)))
        elif isinstance(field, QComboBox):
            field.setCurrentText(str(value))
        elif isinstance(field, QTimeEdit):
            field.setTime(QTime.fromString(str(value), "HH:mm"))
        elif isinstance(field, QSpinBox):
            field.setValue(int(value))
        elif key == "opening_hours" and value:
            # In the site's language ("lun.-ven. 09:00-20:00"), which saving reads back.
            from ...services.setup import describe_hours

            field.setText(describe_hours(str(value)))
        else:
            field.setText("" if value is None else str(value))

    def load(self) -> None:
        storage = self.ctx.storage
        for key, value in settings.all_settings(storage).items():
            if key in self.fields:
                self._write_field(key, value)
        self.refresh_states()

    def name_days(self) -> None:
        """Monday to Sunday, short, in the current language."""
        for label, name in zip(self.day_labels, i18n.weekday_names("abbreviated")):
            label.setText(name)

    def refresh(self) -> None:
        """Another change arrived: update the facts shown, never the fields being edited."""
        self.name_days()
        self.refresh_states()

    def refresh_states(self) -> None:
        storage = self.ctx.storage
        has = pin.has_pin(storage)
        self.pin_state.setText(_("A PIN is set: it unlocks this window and lets the kiosk be closed.") if has else
                               _("No PIN is set yet: anyone can use this window and leave the kiosk. Set one now."))
        self.old_pin.setEnabled(has)
        self.pin_button.setText(_("Change PIN") if has else _("Set PIN"))
        key = badges.org_key(storage)
        self.key_state.setText(_("Key <b>{key}</b>. Every site of the organisation needs the same key so badges "
                                 "work everywhere: export it here and import it into a new site's database before "
                                 "adding people. Keep the file secret.").format(key=key["key_id"]))
        tz = settings.site_timezone(storage)
        last = settings.get(storage, "last_backup_at")
        when = format_datetime(local(last, tz), "full") if last else _("never")
        self.backup_state.setText(_("Last backup: <b>{when}</b>. Backups go to <code>{folder}</code>. Restoring "
                                    "replaces the database; the replaced file is kept beside it.")
                                  .format(when=when, folder=self.backup_folder()))

    def on_save(self) -> None:
        storage = self.ctx.storage
        current = settings.all_settings(storage)
        changed = []
        try:
            with storage.write(N_("save the settings")):
                for key in self.fields:
                    value = self._read_field(key)
                    shown = current[key]
                    if key == "opening_hours" and shown:
                        from ...services.setup import describe_hours

                        shown = describe_hours(str(shown))
                    if str(value).strip() != ("" if shown is None else str(shown)):
                        if key == "opening_hours":  # with the closing times that follow from them
                            from ...services.setup import save_opening_hours

                            save_opening_hours(storage, value)
                        else:
                            settings.put(storage, key, value)
                        changed.append(str(settings.BY_KEY[key].label))
        except UserError as exc:
            self.ctx.tell(_("Nothing was saved. {reason}").format(reason=exc), ERROR)
            return
        self.load()
        if changed:
            self.ctx.changed(self)
        if self.lead_window is not None:
            self.lead_window.update_status()
            self.lead_window.restart_idle_timer()
        if "language" in self.fields and settings.get(storage, "language") != i18n.site_language():
            settings.use_site_language(storage)  # the window (and this page) speak it from now on
        self.ctx.tell(_("Saved: {settings}.").format(settings=format_list(changed)) if changed
                      else _("Nothing had changed."), SUCCESS)

    # -- PIN ----------------------------------------------------------------------------------
    def on_change_pin(self) -> None:
        new, again = self.new_pin.text(), self.repeat_pin.text()
        if new != again:
            self.ctx.tell(_("The two new PINs are not the same; type them again."), ERROR)
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
        self.ctx.changed(self)
        if self.lead_window is not None:
            self.lead_window.restart_idle_timer()
        self.ctx.tell(_("The PIN is changed.") if had else _("The PIN is set. The window now locks when left alone."),
                      SUCCESS)

    # -- organisation key ---------------------------------------------------------------------
    def on_export_key(self) -> None:
        choose_file(self, _("Export the organisation key"), _("Key files (*.json)"), self.export_key, save=True,
                    suggested="storeshift-organisation-key.json")

    def export_key(self, path: Path) -> None:
        try:
            key_id = badges.export_org_key(self.ctx.storage, path)
        except (UserError, OSError) as exc:
            self.ctx.tell(_("Could not export the key: {reason}").format(reason=exc), ERROR)
            return
        self.ctx.tell(_("Organisation key {key} written to {file}. Keep it secret.").format(key=key_id, file=path),
                      SUCCESS)

    def on_import_key(self) -> None:
        choose_file(self, _("Import an organisation key"), _("Key files (*.json)"), self.import_key)

    def import_key(self, path: Path) -> None:
        try:
            key_id = badges.import_org_key(self.ctx.storage, path)
        except UserError as exc:
            self.ctx.tell(str(exc), ERROR)
            return
        self.refresh_states()
        self.ctx.changed(self)
        self.ctx.tell(_("This site now signs badges with organisation key {key}.").format(key=key_id), SUCCESS)

    # -- backup and restore -------------------------------------------------------------------
    def backup_folder(self) -> Path:
        path = self.ctx.storage.path
        return (path.parent if path else Path.home()) / "backups"

    def on_backup(self) -> None:
        if self.job is not None:
            return
        folder = self.backup_folder()
        self.backup_button.setEnabled(False)
        self.backup_button.setText(_("Backing up…"))

        def done(path) -> None:
            self.job = None
            self.backup_button.setEnabled(True)
            self.backup_button.setText(_("Back up now"))
            self.refresh_states()
            self.ctx.changed(self)
            if self.lead_window is not None:
                self.lead_window.update_status()
            self.ctx.tell(_("Backup written to {file}.").format(file=path), SUCCESS)

        def failed(text: str) -> None:
            self.job = None
            self.backup_button.setEnabled(True)
            self.backup_button.setText(_("Back up now"))
            self.ctx.tell(text, ERROR)

        def back_up(storage):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(_("Cannot create the backup folder {folder}: {reason}.")
                                .format(folder=folder, reason=exc.strerror or exc)) from None
            return maintenance.backup(storage, folder)

        self.job = run_with_own_storage(self.ctx.storage, back_up, done, failed)

    def on_restore_clicked(self) -> None:
        if self.ctx.storage.path is None:
            self.ctx.tell(_("This database lives in memory only; there is nothing to restore into."), ERROR)
            return
        choose_file(self, _("Restore from a backup"), _("storeshift backups (*.db);;All files (*)"), self.ask_restore)

    def ask_restore(self, backup: Path) -> None:
        """Restoring replaces everything, so it is asked twice."""
        def second() -> None:
            confirm(self, _("Restore — are you sure?"),
                    _("Everything recorded since that backup will no longer be in storeshift (the replaced file "
                      "is kept, so it is not lost). Close the kiosk and any other storeshift window first."),
                    _("Yes, restore now"), lambda: self.restore(backup), danger=True)

        confirm(self, _("Restore from backup"),
                _("Replace the database with the backup {file}?").format(file=backup.name), _("Restore…"), second,
                danger=True)

    def restore(self, backup: Path) -> None:
        kiosk = getattr(self.lead_window, "kiosk_window", None)
        if kiosk is not None and kiosk.isVisible():
            self.ctx.tell(_("Close the kiosk first: it is using the database. Nothing was restored."), ERROR)
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
        self.ctx.tell(_("Restored from {backup}. The replaced database is kept as {kept}.").format(
            backup=backup.name, kept=kept.name), SUCCESS)

    # -- bundles ------------------------------------------------------------------------------
    def on_export_bundle(self) -> None:
        try:
            from ...sync.bundle import export_bundle
        except ImportError:
            self.ctx.tell(_("Bundles are not part of this installation yet."), WARNING)
            return
        site = settings.get(self.ctx.storage, "site_name")
        safe = "".join(c if c.isalnum() else "-" for c in site).strip("-").lower() or "site"
        choose_file(self, _("Export a bundle for head office"), _("storeshift bundles (*.ssb *.zip);;All files (*)"),
                    lambda path: self._run_sync(_("Exporting the bundle…"),
                                                lambda storage: export_bundle(storage, path),
                                                lambda _result: _("Bundle written to {file}.").format(file=path)),
                    save=True, suggested=f"{safe}-{self.ctx.now():%Y-%m-%d}.ssb")

    def on_merge_clicked(self) -> None:
        try:
            from ...sync.merge import merge_bundles
        except ImportError:
            self.ctx.tell(_("Bundles are not part of this installation yet."), WARNING)
            return
        dialog = QFileDialog(self, _("Merge bundles from other sites"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter(_("storeshift bundles (*.ssb *.zip);;All files (*)"))
        dialog.filesSelected.connect(lambda paths: self._run_sync(
            _("Merging…"), lambda storage: merge_bundles(storage, [Path(p) for p in paths]),
            lambda report: report.summary() if hasattr(report, "summary") else _("Merged.")) if paths else None)
        dialog.finished.connect(lambda _=0: dialog.deleteLater())
        self.file_dialog = dialog
        dialog.open()

    def _run_sync(self, doing: str, job, describe) -> None:
        if self.job is not None:
            self.ctx.tell(_("Another job is still running; wait for it to finish."), WARNING)
            return
        self.ctx.tell(doing)
        self.job = run_with_own_storage(
            self.ctx.storage, job,
            lambda result: (setattr(self, "job", None), self.ctx.tell(describe(result), SUCCESS)),
            lambda text: (setattr(self, "job", None), self.ctx.tell(text, ERROR)))


#: The title of a group of settings shown in one row.
GROUP_TITLES = {settings.CLOSING_BY_DAY: N_("Closing time by day")}


def _choice_field(setting: settings.ChoiceSetting) -> QWidget:
    box = QComboBox()
    for code, name in setting.choices():
        box.addItem(name, code)
    return box


def _zone_field(_setting: settings.ZoneSetting) -> QWidget:
    box = QComboBox()
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    zones = all_zones()
    box.addItems(zones)
    completer = QCompleter(QStringListModel(zones, box), box)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    box.setCompleter(completer)
    keep(box, tooltip=N_("Type part of a city, e.g. 'Paris', and pick from the list."))
    return box


def _time_field(setting: settings.TimeSetting) -> QWidget:
    if setting.optional:
        # Small, and empty for "as the rest" (a weekday's own closing time).
        edit = QLineEdit()
        keep(edit, placeholder=N_("same"))
        edit.setMaxLength(5)
        edit.setMinimumWidth(48)
        edit.setToolTip(_("{setting}, e.g. 18:00").format(setting=setting.label))
        return edit
    edit = QTimeEdit()
    edit.setDisplayFormat("HH:mm")
    return edit


def _int_field(setting: settings.IntSetting) -> QWidget:
    spin = QSpinBox()
    spin.setRange(setting.minimum, setting.maximum)
    return spin


#: The field for each type of setting (the nearest declared type of a setting's class wins).
FIELDS = {settings.ChoiceSetting: _choice_field, settings.ZoneSetting: _zone_field,
          settings.TimeSetting: _time_field, settings.IntSetting: _int_field}


def _field_for(setting: settings.Setting) -> QWidget:
    for kind in type(setting).__mro__:
        if kind in FIELDS:
            return FIELDS[kind](setting)
    return QLineEdit()  # text, opening hours


def _button_row(*buttons: QPushButton) -> QHBoxLayout:
    """Buttons side by side from the left, as each settings group ends."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row
