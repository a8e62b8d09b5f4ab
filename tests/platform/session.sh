# Sourced by the kioskctl session tests (kioskctl_platform_test.sh, kioskctl_fleet_test.sh): a folder of
# their own ($D), fail and expect_rc, and start_platform, which runs ca-platform-ref ($REF) --dev on a free
# port from a fresh --init in $D/plat and sets URL; the platform and any pid in HPID are stopped at exit.
D=$(mktemp -d)
PID=""
HPID=""
cleanup() {
  local p
  for p in "$PID" "$HPID"; do
    if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  done
  rm -rf "$D"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {  # rc, command...
  local want=$1; shift
  set +e; "$@" >"$D/out" 2>"$D/err"; local rc=$?; set -e
  [ "$rc" -eq "$want" ] || { cat "$D/out" "$D/err" >&2; fail "$* exited $rc, expected $want"; }
}
start_platform() {
  "$REF" --init "$D/plat" >/dev/null
  "$REF" --data "$D/plat" --port 0 --dev >"$D/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do grep -q serving "$D/server.log" && break; sleep 0.05; done
  URL=$(grep -o 'https://127.0.0.1:[0-9]*/v1/' "$D/server.log") || fail "the platform did not start: $(cat "$D/server.log")"
}
