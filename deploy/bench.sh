#!/usr/bin/env bash
# The benchmarks (deploy/dev.sh bench). Each prints its figures; docs/benchmarks.md quotes them.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${KIOSK_BUILD_DIR:-build}
echo "==> token rollover: library vs pkcs11-tool + openssl vs bare PKCS#11 (docs/benchmarks.md)"
"$BUILD/tests/bench/token_rollover_bench" "${KIOSK_BENCH_RUNS_EC:-21}" "${KIOSK_BENCH_RUNS_RSA:-7}"
echo "==> platform (client ↔ reference platform, mutual TLS on loopback)"
"$BUILD/tests/bench/platform_bench" 200
echo "==> fleet console: 10,000 kiosks in headless Chromium (docs/benchmarks.md)"
python3 tests/bench/console_bench.py "$BUILD/services/reference/ca-platform-ref" "${KIOSK_BENCH_CONSOLE_KIOSKS:-10000}" \
  "${KIOSK_BENCH_CONSOLE_RUNS:-7}"

echo "==> kiosk shell (docs/benchmarks.md)"
xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" \
  "$BUILD/tests/bench/bench_kiosk_shell" --kiosk "$BUILD"/kiosk/app/ca-kiosk --floor "$BUILD"/tests/bench/bench_kiosk_floor
echo "==> renewal engine: whole headless renewals and a soak (docs/benchmarks.md)"
"$BUILD/tests/bench/engine_bench" "${KIOSK_BENCH_ENGINE_RUNS:-15}" "${KIOSK_BENCH_SOAK:-1000}"
echo "==> personal centre: the keyboard's pinyin (librime) and handwriting (zinnia) (docs/benchmarks.md)"
"$BUILD/tests/bench/ime_bench" "${KIOSK_BENCH_IME_RUNS:-300}" "${KIOSK_BENCH_IME_COLD:-11}"
echo "==> renewal screens: payment screen CPU, each screen's frame, peak RSS over a renewal (docs/benchmarks.md)"
"$BUILD/tests/bench/renewal_screens_bench" --kiosk "$BUILD"/kiosk/app/ca-kiosk --script "$BUILD"/assets/harness/bench-renewal.txt "${KIOSK_BENCH_RENEWAL_RUNS:-1}"
