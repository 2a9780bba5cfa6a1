"""Translation catalogues: extract the messages from the source, update each language's .po,
compile the .mo files the app reads, start a new language, and show each one's coverage.

    python tools/i18n.py update      # after changing messages: new template, .po files merged
    python tools/i18n.py compile     # after translating: .po -> .mo (the .mo files are committed)
    python tools/i18n.py init it     # start a new language
    python tools/i18n.py status      # how much of each language is translated
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "storeshift"
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / "storeshift.pot"
MAPPING = ROOT / "babel.cfg"
DOMAIN = "storeshift"
# Beyond Babel's defaults (_, gettext, ngettext, pgettext, npgettext, N_): the lazy marker.
KEYWORDS = ["_l"]
# Sorted by message and with file names only, so a change of line numbers is no change.
EXTRACT_OPTIONS = ["--sort-output", "--add-location=file", "-c", "Translators:",
                   "--project=storeshift", "--copyright-holder=storeshift contributors",
                   "--no-wrap"]


def pybabel(*args: str) -> None:
    # Paths relative to the repository, so the template names files, not this machine's folders.
    os.chdir(ROOT)
    CommandLineInterface().run(["pybabel", "-q", *args])


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def extract() -> None:
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    pybabel("extract", "-F", rel(MAPPING), *keywords, *EXTRACT_OPTIONS, "-o", rel(TEMPLATE), rel(PACKAGE))


def update() -> None:
    extract()
    pybabel("update", "-i", rel(TEMPLATE), "-d", rel(LOCALE), "-D", DOMAIN, "--no-wrap",
            "--ignore-obsolete", "--ignore-pot-creation-date")


def compile_all() -> None:
    pybabel("compile", "-d", rel(LOCALE), "-D", DOMAIN, "--statistics")


def init(language: str) -> None:
    extract()
    pybabel("init", "-i", rel(TEMPLATE), "-d", rel(LOCALE), "-D", DOMAIN, "-l", language, "--no-wrap")


def status() -> None:
    from babel.messages.pofile import read_po

    for po in sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        messages = [m for m in catalogue if m.id]
        done = [m for m in messages if m.string and (all(m.string) if isinstance(m.string, tuple) else True)
                and not m.fuzzy]
        print(f"{po.parent.parent.name}: {len(done)} of {len(messages)} translated "
              f"({100 * len(done) / max(1, len(messages)):.0f} %)")


def main(argv: list[str]) -> int:
    commands = {"extract": extract, "update": update, "compile": compile_all, "status": status}
    if len(argv) == 2 and argv[0] == "init":
        init(argv[1])
        return 0
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
