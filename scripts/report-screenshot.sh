#!/usr/bin/env bash
# Renders an evaluation report in headless Chromium (Debian's chromium) and saves a PNG, to check
# that the self-contained HTML displays: metrics, heat map, training curves, configuration.
# Usage: scripts/report-screenshot.sh REPORT.html OUT.png
set -euo pipefail
report=$(realpath "$1")
out=$(realpath -m "$2")
command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install chromium)" >&2; exit 1; }
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1150,1900 \
  --screenshot="$out" "file://$report" 2>/dev/null
test -s "$out" && echo "screenshot written to $out"
