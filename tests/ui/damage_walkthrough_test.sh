#!/usr/bin/env bash
# The walk-through (assets/harness/demo.txt: three renewals, the key pulled, the idle wipe, the personal
# centre) on the real app, at 1920x1080 and on a 1366x768 display: every frame the software path draws in
# part is compared byte for byte with the same frame drawn whole (KIOSK_CHECK_DAMAGE=1); and the screenshots
# of a run drawn whole by ImGui's own SDL_Renderer backend (KIOSK_DAMAGE_TRACKING=0) are the same PNGs.
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
run backend "$SCRIPT" KIOSK_DAMAGE_TRACKING=0 & B=$!
for p in "$A:checked" "$B:backend"; do
  wait "${p%%:*}" || { tail -n 30 "$D/${p#*:}.log" "$D/${p#*:}.err" >&2; fail "the walk-through ${p#*:} failed"; }
done
run scaled "$D/scaled.txt" KIOSK_CHECK_DAMAGE=1 || { tail -n 30 "$D/scaled.log" >&2; fail "the 1366x768 walk-through failed"; }

for name in checked scaled; do
  line=$(grep '^damage check:' "$D/$name.log") || fail "$name: no damage check line"
  echo "$name: $line"
  [[ $line =~ ([0-9]+)\ drawn\ in\ part\ and\ compared\ with\ the\ whole\ frame:\ ([0-9]+)\ differ ]] ||
    fail "$name: unreadable: $line"
  [ "${BASH_REMATCH[2]}" = 0 ] || { grep -A8 '^damage check:' "$D/$name.log" >&2; fail "$name: frames differ"; }
  [ "${BASH_REMATCH[1]}" -ge 200 ] || fail "$name: only ${BASH_REMATCH[1]} frames drawn in part"
done

# The progress screen's shot is taken while the real runtime works: which step it shows running depends on
# how far that run's runtime got, which two runs side by side on a loaded machine do not share (its frames
# are still compared with their whole redraw above). Every other shot is of a screen that waits for a tap.
n=0
for png in "$D"/backend/*.png; do
  case $(basename "$png") in *-progress.png) continue ;; esac
  cmp -s "$png" "$D/checked/$(basename "$png")" || fail "$(basename "$png") differs from ImGui's backend's"
  n=$((n + 1))
done
[ "$n" -ge 20 ] || fail "only $n screenshots"
echo "ok: every frame drawn in part equals the whole frame at both sizes; $n screenshots equal the backend's"
