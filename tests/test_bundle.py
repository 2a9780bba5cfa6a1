"""Quick checks of the bundle recipe and the icon, without building: nothing storeshift imports
is left out of build.spec, and the icon files are what tools/make_icons.py makes."""

from __future__ import annotations

import ast
import re
import struct
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"
ICONS = ROOT / "storeshift" / "assets" / "icons"


def spec_excludes() -> set[str]:
    """The Qt module names listed in build.spec's QT_EXCLUDES (read, not run: running needs PyInstaller)."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "QT_EXCLUDES" for t in node.targets):
            names = node.value.generators[0].iter
            return {"PySide6." + element.value for element in names.elts}
    raise AssertionError("build.spec has no QT_EXCLUDES")


def qt_modules_imported() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in (ROOT / "storeshift").rglob("*.py"):
        for module in set(re.findall(r"\bPySide6\.(Qt\w+)", path.read_text(encoding="utf-8"))):
            found.setdefault("PySide6." + module, []).append(str(path.relative_to(ROOT)))
    return found


def test_no_qt_module_the_app_imports_is_excluded_from_the_bundle():
    excluded = spec_excludes()
    assert "PySide6.QtWebEngineCore" in excluded and "PySide6.QtQuick3D" in excluded
    clashes = {module: files for module, files in qt_modules_imported().items() if module in excluded}
    assert not clashes, f"build.spec leaves out Qt modules the app imports (the bundle would fail): {clashes}"


def test_spec_takes_name_and_version_from_the_package():
    text = SPEC.read_text(encoding="utf-8")
    assert "NAME = storeshift.APP_NAME" in text and "VERSION = storeshift.__version__" in text
    assert '(str(ROOT / "storeshift" / "assets"), "storeshift/assets")' in text  # where storeshift.resources looks when frozen


def test_png_icons_have_their_sizes_and_are_not_blank():
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        image = QImage(str(ICONS / f"storeshift-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
        centre = image.pixelColor(size // 2, size // 2)
        corner = image.pixelColor(0, 0)
        assert centre.alpha() == 255 and corner.alpha() < 128  # drawn mark, transparent rounded corner
    assert QImage(str(ICONS / "storeshift.png")).width() == 256


def test_windows_icon_holds_every_size_as_png():
    data = (ICONS / "storeshift.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for index in range(count):
        width, _height, _colours, _, _planes, _bits, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * index)
        assert data[offset:offset + 8] == b"\x89PNG\r\n\x1a\n"
        image = QImage.fromData(data[offset:offset + length], "PNG")
        assert image.width() == (width or 256)
        sizes.append(width or 256)
    assert sorted(sizes) == [16, 24, 32, 48, 64, 128, 256]
