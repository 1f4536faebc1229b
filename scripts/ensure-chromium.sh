#!/usr/bin/env bash
# Make sure headless Chromium, its WebDriver and a CJK font are installed (Debian packages), for the
# report tests (the Chinese report must render its 勤务表 as text, not as empty boxes).
# Idempotent: does nothing when all three are already there.
set -euo pipefail

CJK_FONT=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && [ -f "$CJK_FONT" ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: apt-get not found; install chromium and chromium-driver by hand" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

echo "ensure-chromium: installing chromium, chromium-driver and fonts-noto-cjk" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
