#!/usr/bin/env bash
# The one set-up script. On a fresh Debian 12 machine it installs what is missing (apt-get, idempotent,
# a no-op when everything is there), configures, builds, then:
#   deploy/dev.sh run     the product's main job: the kiosk demo
#   deploy/dev.sh test    every test (what .ci/run calls): the normal build with warnings as errors, then
#                         the token, journal and core tests again under address,undefined sanitizers
#   deploy/dev.sh build   set-up and build only
#   deploy/dev.sh bench   the benchmarks (docs/benchmarks.md)
#   deploy/dev.sh package       the Debian packages into build-deb/ (deploy/package.sh, docs/packaging.md)
#   deploy/dev.sh package-test  those packages on a clean Debian 12 root from a signed APT repository, and
#                               the upgrade N -> N+1 (deploy/package-test.sh; not part of `test`: minutes)
# Environment: KIOSK_FULL_SWEEP=1 runs the full crash/fault sweeps instead of CI's quick ones.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-run}
shift || true

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libssl-dev openssl libcurl4-openssl-dev libsqlite3-dev sqlite3
  nlohmann-json3-dev libfmt-dev libcli11-dev doctest-dev libcpp-httplib-dev
  libp11-kit-dev p11-kit softhsm2 opensc libengine-pkcs11-openssl
  libqrencode-dev libimgui-dev libstb-dev libsdl2-dev fonts-noto-cjk fonttools
  zbar-tools xvfb xauth
  librime-dev rime-data-luna-pinyin libzinnia-dev tegaki-zinnia-simplified-chinese
  clang libclang-rt-14-dev python3 python3-yaml python3-jsonschema nodejs
)

# What `package` and `package-test` need on top (installed the same way, only by those modes).
PACKAGE_TOOLS=(
  debhelper dpkg-dev fakeroot lintian mmdebstrap apt-utils gnupg systemd
)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

JOBS=${KIOSK_JOBS:-$(nproc)}

# phase NAME COMMAND...: runs the command and prints its wall time and the CPU time (user+sys) of every
# process it waited for, so the cost of each phase of `test` shows in the log (docs/testing.md).
phase() {
  local name=$1
  shift
  local t0 c0
  t0=$(date +%s.%N)
  times >"$TIMES_FILE"  # a builtin in this shell: a subshell would not see this shell's children
  c0=$(child_cpu)
  "$@"
  times >"$TIMES_FILE"
  awk -v n="$name" -v w="$(date +%s.%N)" -v t0="$t0" -v c0="$c0" -v c1="$(child_cpu)" \
    'BEGIN { printf "==> time: %-18s %7.1f s wall %7.1f s CPU\n", n, w - t0, c1 - c0 }'
}
child_cpu() {  # user+sys seconds of the shell's finished children, from the last `times`
  awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } print s }' "$TIMES_FILE"
}
TIMES_FILE=$(mktemp)
trap 'rm -f "$TIMES_FILE"' EXIT

quiet() { "$@" >/dev/null; }

configure_build() {  # dir, extra cmake args...
  local dir=$1
  shift
  phase "configure $dir" quiet cmake -S "$ROOT" -B "$dir" -G Ninja -DKIOSK_WERROR=ON "$@"
  phase "build $dir" cmake --build "$dir" -j "$JOBS"
}

install_missing
"$ROOT/tools/lint/install.sh"

case "$MODE" in
  build)
    configure_build build
    ;;
  run)
    configure_build build
    rm -f "$TIMES_FILE"
    exec "$ROOT/deploy/demo.sh" "$@"
    ;;
  test)
    configure_build build
    phase "ctest build" ctest --test-dir build --output-on-failure -j "$JOBS" --timeout 1200
    echo "==> sanitizer build (address,undefined): token, journal, core and platform tests"
    configure_build build-asan -DKIOSK_SANITIZE=ON -DKIOSK_BUILD_APP=OFF -DKIOSK_SANITIZER_SUBSET=ON -DCMAKE_BUILD_TYPE=Debug
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      phase "ctest build-asan" ctest --test-dir build-asan --output-on-failure -j "$JOBS" --timeout 1200 -L 'foundation|token|journal|core|platform'
    times >"$TIMES_FILE"
    awk -v w="$SECONDS" -v c="$(child_cpu)" 'BEGIN { printf "==> time: %-18s %7.1f s wall %7.1f s CPU\n", "total", w, c }'
    echo "==> all tests passed"
    ;;
  bench)
    configure_build build
    rm -f "$TIMES_FILE"
    exec "$ROOT/deploy/bench.sh" "$@"
    ;;
  package)
    PACKAGES=("${PACKAGE_TOOLS[@]}")
    install_missing
    exec "$ROOT/deploy/package.sh" "$@"
    ;;
  package-test)
    PACKAGES=("${PACKAGE_TOOLS[@]}")
    install_missing
    exec "$ROOT/deploy/package-test.sh" "$@"
    ;;
  *)
    echo "usage: deploy/dev.sh run|test|build|bench|package|package-test" >&2
    exit 2
    ;;
esac
