#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (never a downloaded browser build).
set -euo pipefail
# chromium-l10n: its Swedish, so that a date field reads ÅÅÅÅ-MM-DD in the tests.
if command -v chromium >/dev/null 2>&1 && [ -e /usr/lib/chromium/locales/sv.pak ]; then exit 0; fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-l10n fonts-dejavu-core >/dev/null
