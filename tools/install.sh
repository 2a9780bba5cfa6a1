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
    # Chinese, Japanese and Korean names on screen and embedded in the PDFs
    fonts-wqy-microhei
    python3-venv
    # head office's server (docs/SITES.md) and the tests that run against it
    postgresql
)
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test,build]'
echo "storeshift installed in .venv"
