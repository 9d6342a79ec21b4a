#!/usr/bin/env bash
# Makes sure headless Chromium and ChromeDriver (Debian packages `chromium` and
# `chromium-driver`) are installed: the web application's end-to-end tests
# drive a real browser, and fail instead of skipping when there is none. The
# letter tests read the PDFs Padu writes with poppler's pdftotext and pdftoppm.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
  && command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then
  exit 0
fi
echo "ensure-chromium: installing chromium, chromium-driver and poppler-utils from Debian packages" >&2
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium chromium-driver fonts-dejavu-core poppler-utils >/dev/null
command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v pdftotext >/dev/null
