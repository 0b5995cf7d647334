#!/usr/bin/env bash
# Make sure Debian's Chromium is present for the drift report's browser test
# (test/drift/html-browser.test.ts drives /usr/bin/chromium through playwright-core; we never
# let Playwright download a browser of its own, which this network forbids).
#
# Fast and silent when /usr/bin/chromium exists. Otherwise: as root (or with passwordless
# sudo) and with apt-get, install the `chromium` package non-interactively; else print the
# exact command to run and exit 1. Idempotent.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"

# shellcheck source=apt-access.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-access.sh"

if [ "$can_apt" -ne 1 ]; then
  echo "deps/chromium: $CHROMIUM is missing. Install it (as root) with:" >&2
  echo "  $cmd" >&2
  exit 1
fi

echo "deps/chromium: installing Debian chromium (about a minute)..." >&2
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; then
  echo "deps/chromium: apt-get update failed; run manually: $cmd" >&2
  exit 1
fi
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 chromium >/dev/null; then
  echo "deps/chromium: install failed; run manually: $cmd" >&2
  exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "deps/chromium: chromium installed but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "deps/chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)" >&2
