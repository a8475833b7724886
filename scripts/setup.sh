#!/usr/bin/env bash
# Sets up everything jimu needs on a Debian machine, idempotently and quickly when done:
# apt packages (OCR, browser, fonts), uv, the virtual environment with compiled bytecode.
# Runs as root, or with sudo. Nothing is downloaded at run time after this.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  tesseract-ocr tesseract-ocr-jpn        # Tesseract with the Japanese model
  chromium                               # the robots' browser (playwright install is offline-unsafe)
  chromium-headless-shell                # the same Chromium without its UI: about 30% less robot time
  fonts-noto-cjk fonts-klee              # Japanese fonts: pages, reports, handwriting-like Klee One
  fonts-yozvox-yozfont-cute              # one YOzFont variant (the metapackage pulls 1.1 GB)
  libreoffice-writer-nogui libreoffice-calc-nogui  # headless PDF conversion of reports
  postgresql                             # Prefect server on PostgreSQL (scale-out test, docs/scale-out.md)
)
UV_VERSION="0.13.8"

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! python3 -m uv --version 2>/dev/null | grep -q "^uv ${UV_VERSION}"; then
  echo "setup: installing uv ${UV_VERSION}"
  python3 -m pip install --quiet "uv==${UV_VERSION}"
fi

# --frozen: install exactly uv.lock; bytecode is compiled (tool.uv.compile-bytecode), because
# PYTHONDONTWRITEBYTECODE=1 would otherwise make every `import prefect` cost ~2 s.
UV_PYTHON_DOWNLOADS=never python3 -m uv sync --frozen --quiet
