"""The dialog shown over the shift-lead window when something went wrong: a short sentence and
the details to copy for support (made only when needed, so not on the start-up path)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ..i18n import _
from ..logs import log_dir


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
