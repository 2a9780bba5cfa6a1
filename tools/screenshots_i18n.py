"""Everything a store reads, in one language, to review a translation screen by screen: the
kiosk's screens, the shift-lead window's pages, the set-up wizard's pages (the language chosen on
its first page), a weekly report and a badge sheet (first pages).

    python tools/screenshots_i18n.py fr out/fr           # every screen, full size
    python tools/screenshots_i18n.py fr docs/i18n --docs  # the set docs/I18N.md shows, small
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS.parent))
sys.path.insert(0, str(TOOLS))

# The screens docs/I18N.md shows for each language, and the width they are kept at.
DOCS_SET = ["kiosk-idle", "kiosk-welcome-task", "kiosk-goodbye-debrief", "kiosk-refused-replaced", "kiosk-no-badge",
            "kiosk-no-badge-pin", "lead-floor", "lead-tasks", "lead-people", "lead-observations", "lead-reports",
            "lead-settings", "wizard-1-language", "wizard-5-opening-hours", "wizard-7-roster", "report-page1",
            "badges-page1"]
DOCS_WIDTH = 560


def pdf_pages(storage_path: Path, language: str, out: Path) -> list[Path]:
    """The weekly report and a badge sheet of the demo store, first page of each as PNG."""
    from screenshots_kiosk import DEMO_NOW

    from storeshift.reports.badge_sheet import build_badge_sheet
    from storeshift.reports.weekly import build_weekly_report
    from storeshift.services import settings
    from storeshift.storage import open_storage

    storage = open_storage(storage_path)
    try:
        settings.use_site_language(storage)
        year, week, _weekday = DEMO_NOW.isocalendar()
        written = []
        for name, build in (
                ("report", lambda pdf: build_weekly_report(storage, year, week - 1, pdf, now=DEMO_NOW)),
                ("badges", lambda pdf: build_badge_sheet(storage, pdf))):
            pdf = out / f"{name}-{language}.pdf"
            build(pdf)
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                            str(out / f"{name}-page1-{language}")], check=True)
            written.append(out / f"{name}-page1-{language}.png")
        return written
    finally:
        storage.close()


def render(language: str, out_dir: Path) -> list[Path]:
    import screenshots_kiosk
    import screenshots_lead
    import screenshots_wizard
    from screenshots_kiosk import DEMO_NOW

    from storeshift.services import demo, settings
    from storeshift.storage import open_storage

    out_dir.mkdir(parents=True, exist_ok=True)
    written = screenshots_kiosk.render(out_dir, {"1024x768": (1024, 768)}, language=language)
    written += screenshots_lead.render(out_dir, {"1366x768": (1366, 768, 1.0)}, language=language)
    written += screenshots_wizard.render(out_dir, language)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.db"
        storage = open_storage(path)
        demo.seed(storage, people=40, weeks=3, seed=7, now=DEMO_NOW)
        settings.put(storage, "language", language)
        storage.close()
        written += pdf_pages(path, language, out_dir)
    return written


def _fewer_colours(path: Path) -> None:
    """128 colours are plenty for text and flat panels, and make the file a third of the size."""
    from PIL import Image  # Pillow comes with reportlab

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=128, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def docs_copies(paths: list[Path], language: str, target: Path) -> list[Path]:
    """The DOCS_SET, scaled to DOCS_WIDTH, as target/<language>-<screen>.png."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    target.mkdir(parents=True, exist_ok=True)
    by_screen = {}
    for path in paths:
        stem = path.stem.removesuffix(f"-{language}")  # not replace(): "-de" is also in "-debrief"
        for size in ("-1024x768", "-1366x768"):
            stem = stem.replace(size, "")
        by_screen[stem] = path
    copies = []
    for screen in DOCS_SET:
        image = QImage(str(by_screen[screen]))
        small = image.scaledToWidth(DOCS_WIDTH, Qt.TransformationMode.SmoothTransformation)
        copy = target / f"{language}-{screen}.png"
        small.save(str(copy), "PNG", 0)  # 0: the smallest file
        _fewer_colours(copy)
        copies.append(copy)
    return copies


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    language, target = argv[0], Path(argv[1])
    if "--docs" in argv:
        with tempfile.TemporaryDirectory() as folder:
            paths = docs_copies(render(language, Path(folder)), language, target)
    else:
        paths = render(language, target)
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
