#!/usr/bin/env bash
# The one set-up script. On a fresh Debian 12 machine it installs what is missing (apt-get, idempotent,
# a no-op when everything is there), configures, builds, then:
#   deploy/dev.sh run     the product's main job: the kiosk demo
#   deploy/dev.sh test    every test (what .ci/run calls): the normal build with warnings as errors, then
#                         the token, journal and core tests again under address,undefined sanitizers
#   deploy/dev.sh build   set-up and build only
#   deploy/dev.sh bench   the benchmarks (see README, "Performance")
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

configure_build() {  # dir, extra cmake args...
  local dir=$1
  shift
  cmake -S "$ROOT" -B "$dir" -G Ninja -DKIOSK_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

install_missing
"$ROOT/tools/lint/install.sh"

case "$MODE" in
  build)
    configure_build build
    ;;
  run)
    configure_build build
    exec "$ROOT/deploy/demo.sh" "$@"
    ;;
  test)
    configure_build build
    ctest --test-dir build --output-on-failure -j "$JOBS" --timeout 1200
    echo "==> sanitizer build (address,undefined): token, journal, core and platform tests"
    configure_build build-asan -DKIOSK_SANITIZE=ON -DKIOSK_BUILD_APP=OFF -DKIOSK_SANITIZER_SUBSET=ON -DCMAKE_BUILD_TYPE=Debug
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir build-asan --output-on-failure -j "$JOBS" --timeout 1200 -L 'token|journal|core|platform'
    echo "==> all tests passed"
    ;;
  bench)
    configure_build build
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
