#!/usr/bin/env bash
# Browser tests drive Debian's Chromium with Playwright (Playwright's own browser download is not used).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
    echo "the browser tests need Chromium at /usr/bin/chromium: run 'sudo apt-get install chromium'" >&2
    exit 1
fi
