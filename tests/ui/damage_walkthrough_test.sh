#!/usr/bin/env bash
# The walk-through (assets/harness/demo.txt: three renewals, the key pulled, the idle wipe, the personal
# centre) on the real app, at 1920x1080 and on a 1366x768 display, with KIOSK_CHECK_DAMAGE=1: every frame the
# software path draws in part is compared byte for byte with the same frame drawn whole, and every frame it
# draws with the same frame drawn whole by ImGui's own SDL_Renderer backend (what KIOSK_DAMAGE_TRACKING=0
# presents), in the same process: two runs side by side would not show the runtime's screens at the same
# moment.
# Usage: damage_walkthrough_test.sh CA_KIOSK DEMO_SCRIPT
set -euo pipefail
BIN=$1
SCRIPT=$2
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

sed 's/^size 1920x1080$/size 1366x768/' "$SCRIPT" >"$D/scaled.txt"
grep -q '^size 1366x768$' "$D/scaled.txt" || fail "the walk-through no longer starts with size 1920x1080"

run() {  # name script env...
  local name=$1 script=$2
  shift 2
  env "$@" "$BIN" --demo --headless --demo-seed 11 --script "$script" --out "$D/$name" >"$D/$name.log" 2>"$D/$name.err"
}
run checked "$SCRIPT" KIOSK_CHECK_DAMAGE=1 & A=$!
run scaled "$D/scaled.txt" KIOSK_CHECK_DAMAGE=1 & B=$!
for p in "$A:checked" "$B:scaled"; do
  wait "${p%%:*}" || { tail -n 30 "$D/${p#*:}.log" "$D/${p#*:}.err" >&2; fail "the walk-through ${p#*:} failed"; }
done

for name in checked scaled; do
  line=$(grep '^damage check:' "$D/$name.log") || fail "$name: no damage check line"
  echo "$name: $line"
  [[ $line =~ ([0-9]+)\ drawn\ in\ part\ and\ compared\ with\ the\ whole\ frame:\ ([0-9]+)\ differ ]] ||
    fail "$name: unreadable: $line"
  [ "${BASH_REMATCH[2]}" = 0 ] || { grep -A8 '^backend check:' "$D/$name.log" >&2; fail "$name: frames differ"; }
  [ "${BASH_REMATCH[1]}" -ge 200 ] || fail "$name: only ${BASH_REMATCH[1]} frames drawn in part"
  line=$(grep '^backend check:' "$D/$name.log") || fail "$name: no backend check line"
  echo "$name: $line"
  [[ $line =~ ([0-9]+)\ frames\ compared.*:\ ([0-9]+)\ differ ]] || fail "$name: unreadable: $line"
  [ "${BASH_REMATCH[2]}" = 0 ] || { grep -A8 '^backend check:' "$D/$name.log" >&2; fail "$name: frames differ from the backend's"; }
  [ "${BASH_REMATCH[1]}" -ge 400 ] || fail "$name: only ${BASH_REMATCH[1]} frames compared with the backend's"
  n=$(ls "$D/$name"/*.png | wc -l)
  [ "$n" -ge 20 ] || fail "$name: only $n screenshots"
done
echo "ok: every frame drawn in part equals the whole frame, and every frame drawn equals ImGui's backend's, at both sizes"
