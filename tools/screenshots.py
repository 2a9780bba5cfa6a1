"""Render every kiosk state and every shift-lead page with the demo database to PNG files.

    .venv/bin/python tools/screenshots.py [OUT_DIR]      (default: out/screenshots)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import screenshots_kiosk  # noqa: E402
import screenshots_lead  # noqa: E402


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    screenshots_kiosk.render(out / "kiosk")
    screenshots_lead.render(out / "lead")
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()
