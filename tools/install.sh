#!/usr/bin/env bash
# Install what storeshift needs on a Debian/Ubuntu machine: Qt's system libraries, then a
# virtual environment in .venv with storeshift and its test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
    # Qt itself, also headless
    libglib2.0-0 libgl1 libegl1 libfontconfig1 libxkbcommon0 libdbus-1-3
    # a real screen (X11)
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
    libxkbcommon-x11-0 xvfb xauth
    # camera and sounds (QtMultimedia); pdftoppm for the report tests
    libpulse0 poppler-utils
    # Chinese, Japanese and Korean names on screen and embedded in the PDFs; emoji in colour
    fonts-wqy-microhei fonts-noto-color-emoji
    python3-venv
    # head office's server (docs/SITES.md) and the tests that run against it
    postgresql
)
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
step() { echo "==> $*"; }

if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            # Said plainly, so an administrator can install them, rather than "sudo: command not found".
            echo "tools/install.sh: these system packages are missing and installing them needs root:" >&2
            echo "    apt-get install ${missing[*]}" >&2
            echo "Ask an administrator to run that (or run this script as root), then run it again." >&2
            exit 1
        fi
        SUDO="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    step "installing ${#missing[@]} system packages: ${missing[*]}"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    step "system packages: all there"
fi

if [ ! -x .venv/bin/python ]; then
    step "creating the virtual environment .venv"
    python3 -m venv .venv
fi
step "updating pip"
.venv/bin/python -m pip install -q --upgrade pip
# The longest step (PySide6 is some 600 MB): pip's own lines and progress bars show it moving.
step "installing storeshift and its Python packages into .venv (a minute or two the first time)"
.venv/bin/python -m pip install --progress-bar on -e '.[test,build]'
step "storeshift installed in .venv: try .venv/bin/storeshift --self-test"
