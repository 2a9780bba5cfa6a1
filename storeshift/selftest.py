"""`storeshift --self-test`: checks this installation end to end (database, badge scan,
report and badge PDFs, both windows) in a temporary folder, the first thing support asks a store to run."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

from . import __version__

log = logging.getLogger("storeshift.selftest")

#: A past Tuesday in the default time zone (Europe/London, on UTC in November): a fixed
#: moment keeps the test the same on every machine and clear of the site's closing time.
CHECK_IN_AT = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.timezone.utc)
CHECK_OUT_AT = CHECK_IN_AT + dt.timedelta(hours=2, minutes=5)

#: People whose names need the bundled font's accents, CJK fallback and right-to-left shaping.
PEOPLE = (
    {"name": "Zoë Ångström", "department": "Finance", "employee_id": "ST-0001"},
    {"name": "王小明", "department": "IT", "employee_id": "ST-0002"},
    {"name": "ليلى حداد", "department": "Marketing", "employee_id": "ST-0003"},
)


class SelfTestFailed(Exception):
    """A step of the self-test failed; str() names the step and says what went wrong."""


def _print(line: str) -> None:
    # A windowed Windows build has no stdout at all.
    if sys.stdout is not None:
        print(line, flush=True)


def _needs_offscreen() -> bool:
    """No screen to draw on: Linux/BSD without an X11 or Wayland display."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    if sys.platform.startswith(("win", "darwin")):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _describe(exc: BaseException) -> str:
    from .errors import UserError

    if isinstance(exc, (UserError, SelfTestFailed, AssertionError)):
        return str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


class _Steps:
    def __init__(self, say: Callable[[str], None]):
        self.say = say
        #: Said after the current step's "ok": something that works without an extra (camera, sound).
        self.warnings: list[str] = []

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        except Exception as exc:
            self.say(f"  {name:<16} FAILED")
            raise SelfTestFailed(f"{name}: {_describe(exc)}") from exc
        warned = "".join(f"; warning: {text}" for text in self.warnings)
        self.warnings = []
        self.say(f"  {name:<16} ok ({time.perf_counter() - started:.2f} s){warned}")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestFailed(message)


def run_self_test(say: Callable[[str], None] = _print) -> None:
    """Run every step; raise SelfTestFailed naming the first step that failed."""
    if _needs_offscreen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    frozen = " (bundle)" if getattr(sys, "frozen", False) else ""
    say(f"storeshift {__version__}{frozen} self-test, Python {sys.version.split()[0]} on {sys.platform}")
    step = _Steps(say)
    with tempfile.TemporaryDirectory(prefix="storeshift-self-test-") as folder:
        _run(Path(folder), step)


def _run(folder: Path, step: _Steps) -> None:
    with step("resources"):
        _check_resources()

    with step("qt"):
        app = _start_qt()

    with step("languages"):
        _check_languages()

    with step("database"):
        from .storage.db import open_storage

        storage = open_storage(folder / "self-test.db")
    try:
        _run_with_storage(folder, storage, step, app)
    finally:
        storage.close()


def _run_with_storage(folder: Path, storage, step: _Steps, app) -> None:
    from .services import badges, maintenance, observations, roster, tasks, visits

    with step("people"):
        people = [roster.add_person(storage, actor="self-test", **person) for person in PEOPLE]
        task = tasks.add_task(storage, actor="self-test", title="Greet at the door", area="Entrance", capacity=2)
        _check(len(roster.list_people(storage)) == len(PEOPLE), "the people added are not all listed")

    with step("scan"):
        person = people[0]
        payload = badges.payload_for(storage, person["id"])
        arrived = visits.scan(storage, payload, now=CHECK_IN_AT)
        _check(arrived.kind == visits.CHECKED_IN, f"first scan gave '{arrived.kind}', not a check-in")
        tasks.assign(storage, arrived.visit["id"], task["id"], actor="self-test")
        observations.add_observation(storage, category=next(iter(observations.CATEGORIES)),
                                     text="Customers ask where the click-and-collect desk is.",
                                     impact="medium", visit_id=arrived.visit["id"], actor="self-test")
        left = visits.scan(storage, payload, now=CHECK_OUT_AT)
        _check(left.kind == visits.CHECKED_OUT, f"second scan gave '{left.kind}', not a check-out")
        minutes = visits.visit_minutes(left.visit)
        _check(minutes == 125, f"the visit lasted {minutes} minutes, expected 125")
        forged = payload[:-1] + ("A" if payload[-1] != "A" else "B")
        refused = visits.scan(storage, forged, now=CHECK_OUT_AT + dt.timedelta(minutes=5))
        _check(refused.kind == visits.REFUSED, "a badge with a damaged signature was accepted")

    with step("report"):
        import inspect

        from reportlab.lib import rl_accel

        from .reports.weekly import build_weekly_report

        # Without its C accelerator reportlab still works, at half the speed.
        _check(inspect.isbuiltin(rl_accel.fp_str), "reportlab's accelerator (rl_accel) is missing")

        year, week, _ = CHECK_IN_AT.isocalendar()
        report_pdf = folder / "report.pdf"
        build_weekly_report(storage, year, week, report_pdf, "a4")
        pages, _image = _render_pdf(report_pdf, dpi=50)
        _check(pages >= 1, "the weekly report PDF has no pages")

    with step("themes"):
        from .services import grouping

        # The sentence encoder's weights load from the bundle, and two notes of one problem in
        # two languages (one with its number in words) make one theme, a third note its own.
        labels = grouping.group(["The card reader on till 3 keeps failing.",
                                 "Le lecteur de carte de la caisse trois ne marche plus.",
                                 "The customer toilets had no soap."])
        _check(labels[0] == labels[1] != labels[2], f"the theme grouping gave {labels}")

    with step("badge"):
        from .reports.badge_sheet import build_badge_sheet

        badge_pdf = folder / "badges.pdf"
        build_badge_sheet(storage, badge_pdf, person_ids=[person["id"]], layout="sheet", paper="a4")
        _pages, image = _render_pdf(badge_pdf, dpi=200)
        printed = _read_qr_codes(image)
        _check(payload in printed, f"the printed badge's QR code did not read back as the badge "
                                   f"(read {len(printed)} code(s))")
        _check(badges.verify(storage, payload).ok, "the printed badge does not verify")

    from .ui.watcher import DatabaseWatcher

    watcher = DatabaseWatcher(storage.path)
    try:
        with step("lead window"):
            _try_lead_window(app, storage, watcher, folder)
        with step("kiosk window"):
            _try_kiosk(app, storage, watcher, badges.payload_for(storage, people[1]["id"]))
            from .ui import media

            # Check-in works without them; the log says why they are missing.
            if media.multimedia_problem():
                step.warnings.append(f"{media.UNAVAILABLE} ({media.multimedia_problem()})")
    finally:
        watcher.stop()

    with step("check"):
        report = maintenance.check(storage)
        _check(report.ok, "database check: " + "; ".join(report.lines()))


#: Files the app loads through storeshift.resources; each must be in the bundle and readable.
NEEDED_RESOURCES = (("fonts", "DejaVuSans.ttf"), ("fonts", "DejaVuSans-Bold.ttf"), ("icons", "storeshift.png"),
                    ("sounds", "success.wav"), ("sounds", "refusal.wav"), ("styles", "kiosk.qss"),
                    ("styles", "lead.qss"))


def _check_resources() -> None:
    """Every resource the app loads is there (also frozen) and is the real file, not a stub."""
    import wave

    from .resources import resource, resource_root

    root = resource_root()
    _check(root.is_dir(), f"no resources folder at {root}")
    for parts in NEEDED_RESOURCES:
        path = resource(*parts)
        name = "/".join(parts)
        if path.suffix == ".ttf":
            _check(path.read_bytes()[:4] in (b"\x00\x01\x00\x00", b"true"), f"{name} is not a TrueType font")
        elif path.suffix == ".wav":
            try:
                with wave.open(str(path)) as sound:
                    _check(sound.getnframes() > 0, f"{name} holds no sound")
            except (wave.Error, EOFError) as exc:
                raise SelfTestFailed(f"{name} is not a WAV file ({exc})") from None
        elif path.suffix == ".qss":
            _check("{" in path.read_text(encoding="utf-8"), f"{name} holds no style rules")


def _check_languages() -> None:
    """Each shipped language's catalogue, Babel's rules for it and Qt's own translation load (the
    bundle must carry all three, or a French store sees English screens)."""
    import datetime as dt

    from . import i18n
    from .ui import language

    found = i18n.available()
    _check({"fr", "de"} <= set(found), f"languages found: {', '.join(found)}")
    monday = dt.date(2026, 11, 30)
    expected = {"fr": "lundi 30 novembre 2026", "de": "Montag, 30. November 2026"}
    try:
        for code in found[1:]:
            i18n.set_site_language(code)
            _check(i18n._("Scan your badge") != "Scan your badge", f"the {code} catalogue translates nothing")
            if code in expected:
                _check(i18n.format_date(monday) == expected[code], f"{code} dates read {i18n.format_date(monday)!r}")
            language.apply(code)
            _check(language.installed_catalogues() == [f"qtbase_{code}.qm"], f"Qt's {code} translation is missing")
            cancel = _qt_cancel_text()
            _check(cancel is None or cancel != "Cancel", f"Qt's {code} translation leaves 'Cancel' in English")
    finally:
        i18n.set_site_language(i18n.SOURCE_LANGUAGE)
        language.apply(i18n.SOURCE_LANGUAGE)


def _qt_cancel_text() -> str | None:
    """A message box's Cancel button as Qt names it now (None without a QApplication)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.instance() is None:
        return None
    box = QMessageBox()
    try:
        return box.addButton(QMessageBox.StandardButton.Cancel).text().replace("&", "")
    finally:
        box.deleteLater()


def _start_qt():
    from .ui.app import application

    app = application()
    _check(not app.windowIcon().isNull(), "the application icon did not load")
    _check_singleton_references()
    return app


def _check_singleton_references() -> None:
    """PySide6 6.12.0 hands None (from methods returning nothing) and True (from Signal.emit)
    back to Python without taking a reference to them. From Python 3.12 they are immortal and
    that is harmless; before, each call uses up one of their few thousand references and the
    app aborts ('none_dealloc') within the hour. Fails only when references are being lost AND
    would run out (a count raised far beyond use, as on 3.12, is safe)."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QObject, Signal

    class Probe(QObject):
        poked = Signal()

    probe = Probe()
    calls = 200
    for name, value, call in (("None", None, lambda: probe.setObjectName("probe")), ("True", True, probe.poked.emit)):
        before = sys.getrefcount(value)
        for _ in range(calls):
            call()
        left = sys.getrefcount(value)
        lost = before - left
        _check(lost < calls // 2 or left > 1 << 32,
               f"PySide6 {pyside_version} on Python {sys.version.split()[0]} loses a reference to {name} on "
               f"every Qt call ({lost} in {calls}, {left} left); the app would abort within the hour. "
               "Use Python 3.12 or newer, or a PySide6 version without this fault.")


def _render_pdf(path: Path, dpi: int):
    """(page count, first page as a QImage) through Qt's PDF renderer."""
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    _check(path.is_file() and path.stat().st_size > 0, f"{path.name} was not written")
    _check(path.read_bytes()[:5] == b"%PDF-", f"{path.name} is not a PDF")
    document = QPdfDocument()
    document.load(str(path))
    _check(document.status() == QPdfDocument.Status.Ready,
           f"{path.name} cannot be read back ({document.error().name})")
    pages = document.pageCount()
    _check(pages >= 1, f"{path.name} has no pages")
    size = document.pagePointSize(0)
    image = document.render(0, QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72)))
    document.close()
    _check(not image.isNull(), f"page 1 of {path.name} did not render")
    return pages, image


def _read_qr_codes(image) -> list[str]:
    import zxingcpp
    from PySide6.QtGui import QImage, QPainter

    # A white page: PDF rendering leaves the background transparent.
    flat = QImage(image.size(), QImage.Format.Format_RGB888)
    flat.fill(0xFFFFFF)
    painter = QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    return [code.text for code in zxingcpp.read_barcodes(flat, formats=zxingcpp.BarcodeFormat.QRCode)]


def _run_event_loop(milliseconds: int) -> None:
    """Let the windows live as in the app: timers fire, the watcher polls, paint events run."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def _run_event_loop_until(done, limit_ms: int = 10000) -> bool:
    """Run the event loop until done() holds (the kiosk records on a thread of its own, so its
    answers arrive when they arrive), at most limit_ms; whether it came true."""
    import time

    deadline = time.monotonic() + limit_ms / 1000
    while not done():
        if time.monotonic() > deadline:
            return False
        _run_event_loop(20)
    return True


#: What Qt says when the installation, not the data, is broken: a plugin or library missing.
BROKEN_INSTALL = ("Could not load the Qt platform plugin", "Could not find the Qt platform plugin",
                  "No QtMultimedia backends found")


@contextlib.contextmanager
def _qt_messages() -> Iterator[list[str]]:
    """Collect Qt's warnings while a window lives; they go to the log."""
    from PySide6.QtCore import qInstallMessageHandler

    messages: list[str] = []
    previous = qInstallMessageHandler(lambda _kind, _context, text: messages.append(text))
    try:
        yield messages
    finally:
        qInstallMessageHandler(previous)
        for text in messages:
            log.info("Qt: %s", text)


def _open_window(app, kind: str, storage, watcher, **options):
    from .resources import resource
    from .ui.app import create_window, style_sheet

    resource("styles", f"{kind}.qss")
    app.setStyleSheet(style_sheet(kind))
    window = create_window(kind, storage, watcher, **options)
    window.show()
    _run_event_loop(300)
    _check(window.isVisible(), f"the {kind} window did not show")
    return window


def _close_window(window, kind: str) -> None:
    _run_event_loop(50)
    _check(not window.isVisible(), f"the {kind} window did not close")
    window.deleteLater()
    _run_event_loop(50)


def _try_lead_window(app, storage, watcher, folder: Path) -> None:
    """Open the shift-lead window, visit every page as the side bar does, close it."""
    from PySide6.QtCore import QSettings

    # The window geometry it saves goes to the temp folder, not the user's settings or registry.
    window_settings = QSettings(str(folder / "lead-window.ini"), QSettings.Format.IniFormat)
    with _qt_messages() as messages:
        window = _open_window(app, "lead", storage, watcher, settings_store=window_settings)
        for key in window.pages:
            window.show_page(key)
            _run_event_loop(60)
            _check(window.stack.currentWidget() is window.pages[key], f"the lead window's {key} page did not open")
        window.close()
        _close_window(window, "lead")
    _check_no_broken_install(messages)


def _try_kiosk(app, storage, watcher, payload: str) -> None:
    """Open the kiosk, check a visitor in with a badge, leave with the shift-lead PIN."""
    from .services import pin

    exit_pin = "97531"
    pin.set_pin(storage, exit_pin, actor="self-test")
    with _qt_messages() as messages:
        window = _open_window(app, "kiosk", storage, watcher, windowed=True)
        _check(window.current_screen() == "idle", f"the kiosk opened on '{window.current_screen()}', not idle")
        window.handle_payload(payload)
        _run_event_loop_until(lambda: window.current_screen() == "welcome")
        _check(window.current_screen() == "welcome",
               f"a valid badge showed '{window.current_screen()}' at the kiosk, not the welcome screen")
        window.close()  # as Alt+F4 would: the kiosk must stay
        _run_event_loop(50)
        _check(window.isVisible(), "the kiosk closed without the shift-lead PIN")
        window.ask_exit_pin()
        window.on_pin_submitted(exit_pin)
        _run_event_loop_until(lambda: not window.isVisible())
        _close_window(window, "kiosk")
    _check_no_broken_install(messages)


def _check_no_broken_install(messages: list[str]) -> None:
    broken = [text for text in messages if any(marker in text for marker in BROKEN_INSTALL)]
    _check(not broken, "Qt reports a missing part: " + "; ".join(broken[:3]))
