#!/usr/bin/env bash
# Installs (from Debian's packages) the headless Chromium that the operator page's browser test drives through
# Playwright, unless /usr/bin/chromium is already there. Playwright's own browser download is never used: the test
# points Playwright at this binary. Used by .ci/run; the test skips without it, and fails instead when CI is set.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi

$SUDO apt-get update -q
# fonts-dejavu-core: readable text in screenshots on a machine with no other fonts.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
echo "installed: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
