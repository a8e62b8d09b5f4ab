#!/usr/bin/env bash
# The one set-up script. On a fresh Debian 12 machine it installs what is missing (apt-get, idempotent,
# a no-op when everything is there), configures, builds, then:
#   deploy/dev.sh run     the product's main job: the kiosk demo
#   deploy/dev.sh test    every test (what .ci/run calls): the normal build with warnings as errors and
#                         every suite, and the foundation, token, journal, core and platform suites again in a tree
#                         built with address,undefined sanitizers (built while the first suites run)
#   deploy/dev.sh build   set-up and build only
#   deploy/dev.sh bench   the benchmarks (docs/benchmarks.md)
#   deploy/dev.sh package       the Debian packages into build-deb/ (deploy/package.sh, docs/packaging.md)
#   deploy/dev.sh package-test  those packages on a clean Debian 12 root from a signed APT repository, and
#                               the upgrade N -> N+1 (deploy/package-test.sh; not part of `test`: minutes)
# Environment: KIOSK_FULL_SWEEP=1 runs the full crash/fault sweeps instead of CI's quick ones;
# KIOSK_JOBS (default: the number of cores) compile jobs; KIOSK_TEST_JOBS (default 8) tests at once.
# Where the time of `test` goes, and why it runs this way: docs/testing.md, "Where the time goes".
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
  zbar-tools xvfb xauth cage xwayland grim x11-utils imagemagick usbguard
  librime-dev rime-data-luna-pinyin libzinnia-dev tegaki-zinnia-simplified-chinese
  lld clang libclang-rt-14-dev python3 python3-yaml python3-jsonschema nodejs
  chromium libnss3-tools
  libsystemd-dev dbus-daemon python3-dbusmock polkitd
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
# The suites mostly wait (child processes, TLS on loopback, fsync, the client's backoff, hot-plug polls):
# more of them at once than there are cores.
TEST_JOBS=${KIOSK_TEST_JOBS:-8}

# phase NAME COMMAND...: runs the command and prints its wall time and the CPU time (user+sys) of every
# process it waited for, so the cost of each phase of `test` shows in the log. Returns the command's status.
phase() {
  local name=$1
  shift
  local t0 c0 rc=0
  t0=$(date +%s.%N)
  times >"$TIMES_FILE"  # a builtin in this shell: a subshell would not see this shell's children
  c0=$(child_cpu)
  "$@" || rc=$?
  times >"$TIMES_FILE"
  awk -v n="$name" -v w="$(date +%s.%N)" -v t0="$t0" -v c0="$c0" -v c1="$(child_cpu)" \
    'BEGIN { printf "==> time: %-18s %7.1f s wall %7.1f s CPU\n", n, w - t0, c1 - c0 }'
  return $rc
}
child_cpu() {  # user+sys seconds of the shell's finished children, from the last `times`
  awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } print s }' "$TIMES_FILE"
}
TIMES_FILE=$(mktemp)
trap 'rm -f "$TIMES_FILE" "$TIMES_FILE.asan"' EXIT

quiet() { "$@" >/dev/null; }

# Both trees: warnings are errors; debug information is line tables only (-g1: backtraces and sanitizer
# reports keep file:line; compiles take a quarter to a third less CPU); each target's sources compiled in
# batches (a unity build: the headers and their templates once a batch, not once a file).
# cmake/KioskBuildSpeed.cmake.
configure() {  # dir, extra cmake args...
  local dir=$1
  shift
  phase "configure $dir" quiet cmake -S "$ROOT" -B "$dir" -G Ninja -DKIOSK_WERROR=ON -DKIOSK_DEBUG_INFO=1 -DKIOSK_UNITY_BUILD=ON "$@"
}
build() {  # dir
  phase "build $1" cmake --build "$1" -j "$JOBS"
}
configure_build() {  # dir, extra cmake args...
  configure "$@"
  build "$1"
}

# The sanitizer tree (address,undefined; no app): the foundation, token, journal, core, platform and fleet
# suites. Debug (-O0): -O1 compiled slower here and trips -Wmaybe-uninitialized inside cpp-httplib.
ASAN_ARGS=(-DKIOSK_SANITIZE=ON -DKIOSK_BUILD_APP=OFF -DKIOSK_SANITIZER_SUBSET=ON -DCMAKE_BUILD_TYPE=Debug)
asan_build_and_test() {
  TIMES_FILE=$TIMES_FILE.asan
  # Below the suites' priority: it takes the CPU they leave while they wait.
  phase "build build-asan" nice -n 10 cmake --build build-asan -j "$JOBS"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    phase "ctest build-asan" ctest --test-dir build-asan --output-on-failure -j "$TEST_JOBS" --timeout 1200 \
    -L 'foundation|token|journal|core|platform|fleet'
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
    configure build
    configure build-asan "${ASAN_ARGS[@]}"
    build build
    # While the suites run, the sanitizer tree builds and then runs its suites; its log follows theirs.
    asan_log=build-asan/dev-test.log
    asan_build_and_test >"$asan_log" 2>&1 &
    asan_pid=$!
    rc=0
    phase "ctest build" ctest --test-dir build --output-on-failure -j "$TEST_JOBS" --timeout 1200 || rc=$?
    asan_rc=0
    wait "$asan_pid" || asan_rc=$?
    echo "==> sanitizer tree (address,undefined): foundation, token, journal, core, platform and fleet suites ($asan_log)"
    cat "$asan_log"
    times >"$TIMES_FILE"
    awk -v w="$SECONDS" -v c="$(child_cpu)" 'BEGIN { printf "==> time: %-18s %7.1f s wall %7.1f s CPU\n", "total", w, c }'
    if [ "$rc" -ne 0 ] || [ "$asan_rc" -ne 0 ]; then
      echo "==> tests FAILED (suites: exit $rc, sanitizer tree: exit $asan_rc)" >&2
      exit 1
    fi
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
