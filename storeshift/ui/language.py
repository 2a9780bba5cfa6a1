"""The windows follow storeshift's language: Qt's own translations (dialog buttons, context menus)
and number/date widgets switch with it, every widget gets Qt's LanguageChange event, and the
fixed texts a widget was given with keep() are translated again."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QObject, QTranslator

from .. import i18n
from ..i18n import _

log = logging.getLogger(__name__)
# Qt's catalogues for the widgets storeshift uses: QtWidgets' dialogs and buttons are in qtbase.
QT_CATALOGUES = ("qtbase",)

_installed: list[QTranslator] = []
_stop_listening = None


def qt_translations_dirs() -> list[Path]:
    """Where Qt's .qm files are: Qt's own idea, then where the PySide6 wheels and the bundle put them."""
    import PySide6

    package = Path(PySide6.__file__).resolve().parent
    return [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
            package / "Qt" / "translations", package / "translations"]


def apply(language: str | None = None) -> None:
    """Install Qt's translators and default locale for language (default: the current one), and
    send every widget a LanguageChange event, which the windows answer by setting their texts again."""
    language = language or i18n.current()
    app = QCoreApplication.instance()
    QLocale.setDefault(QLocale(i18n.babel_locale(language)))
    if app is None:
        return
    for translator in _installed:
        app.removeTranslator(translator)
        translator.deleteLater()
    _installed.clear()
    if language != i18n.SOURCE_LANGUAGE:
        folders = [str(folder) for folder in qt_translations_dirs()]
        for catalogue in QT_CATALOGUES:
            translator = QTranslator(app)
            if any(translator.load(f"{catalogue}_{language}", folder) for folder in folders):
                app.installTranslator(translator)
                _installed.append(translator)
            else:
                log.warning("Qt's %s translation for %s is in none of %s", catalogue, language, folders)
    # Qt posts its own LanguageChange when a translator comes or goes; sending one now as well
    # means every window has set its texts again when the language switch returns (a kiosk
    # visitor's switch redraws at once), also when no translator changed (English to English).
    from PySide6.QtWidgets import QApplication

    if isinstance(app, QApplication):
        for widget in QApplication.topLevelWidgets():
            QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))


def follow() -> None:
    """Keep Qt in step with i18n from now on (called once when the application starts)."""
    global _stop_listening
    if _stop_listening is None:
        _stop_listening = i18n.on_change(apply)
    apply()


def installed_catalogues() -> list[str]:
    """File names of the Qt translators in use (for the self-test and tests)."""
    return [Path(t.filePath()).name for t in _installed]


# --- fixed texts that follow the language --------------------------------------------------
# A widget's fixed texts (a button's label, a field's placeholder) are kept as English message
# ids in Qt properties of the widget itself, so they live exactly as long as it does, and
# retranslate() finds them on any widget under a window.
_SETTERS = {"text": "setText", "placeholder": "setPlaceholderText", "accessible": "setAccessibleName",
            "tooltip": "setToolTip", "title": "setTitle", "window_title": "setWindowTitle",
            "special": "setSpecialValueText", "subtitle": "setSubTitle"}
_PREFIX = "i18n_"
ITEM_MESSAGE_ROLE = 0x0100 + 77  # Qt.ItemDataRole.UserRole + 77: a combo box item's English


def keep(widget: QObject, **messages: str):
    """Give widget its texts in the current language, and again at every language change.
    messages: text=, placeholder=, accessible=, tooltip=, title=, window_title=, special=, subtitle= with messages
    marked N_("...") (English, so the catalogue has them). Returns widget."""
    for role, message in messages.items():
        setter = _SETTERS[role]
        widget.setProperty(_PREFIX + setter, message)
        getattr(widget, setter)(_(message) if message else "")
    return widget


def add_item(box, message, data=None) -> None:
    """A combo box entry whose text is message (N_() or a lazy label), kept like keep()'s texts."""
    message = getattr(message, "source", message)
    box.addItem(_(message), data)
    box.setItemData(box.count() - 1, message, ITEM_MESSAGE_ROLE)


def retranslate(root: QObject) -> None:
    """Set every kept text under root (root included) in the current language."""
    from PySide6.QtWidgets import QComboBox
    from shiboken6 import isValid

    for widget in [root, *root.findChildren(QObject)]:
        if not isValid(widget):  # deleted meanwhile (a text set above may replace a helper object)
            continue
        for name in widget.dynamicPropertyNames():
            name = bytes(name).decode()
            if name.startswith(_PREFIX):
                message = widget.property(name)
                getattr(widget, name[len(_PREFIX):])(_(message) if message else "")
        if isinstance(widget, QComboBox):
            for index in range(widget.count()):
                message = widget.itemData(index, ITEM_MESSAGE_ROLE)
                if message:
                    widget.setItemText(index, _(message))
