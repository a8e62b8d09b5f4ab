#!/usr/bin/env bash
# The benchmarks (deploy/dev.sh bench). Each prints its figures; README "Performance" quotes them.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> kiosk shell (README: Performance → Kiosk shell)"
xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" \
  build/tests/bench/bench_kiosk_shell --kiosk build/kiosk/app/ca-kiosk --floor build/tests/bench/bench_kiosk_floor
