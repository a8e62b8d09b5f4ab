#!/usr/bin/env bash
# Reproducible screenshots of the headless walk-through (assets/harness/demo.txt), so that a refactor can
# be shown to change no pixel:
#   deploy/shots.sh capture DIR [SEED]   the seeded walk-through (ca-kiosk --demo --headless --demo-seed,
#                                        SEED 1 by default) into DIR: its PNGs, and its log in
#                                        DIR/walkthrough.log. Exit 1 when a step of the script fails.
#   deploy/shots.sh compare BASE NEW     each shot's differing pixels (ImageMagick's compare -metric AE, no
#                                        fuzz); a shot in only one of them counts as differing. Exit 1 when
#                                        any shot differs, 0 when every one is identical.
# A seeded run dates everything from a fixed start and takes the platform's ids from the seed: two
# captures of the same build are identical, pixel for pixel. Environment: KIOSK_BIN (default
# build/kiosk/app/ca-kiosk, with libkiosk_demo.so and libkiosk_runtime.so next to it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  echo "usage: deploy/shots.sh capture DIR [SEED] | compare BASE NEW" >&2
  exit 2
}

capture() {
  local dir=$1 seed=${2:-1}
  local bin=${KIOSK_BIN:-$ROOT/build/kiosk/app/ca-kiosk}
  [ -x "$bin" ] || { echo "shots: no $bin (cmake --build build --target ca-kiosk kiosk_demo kiosk_runtime)" >&2; exit 2; }
  mkdir -p "$dir"
  rm -f "$dir"/*.png "$dir/walkthrough.log"  # no shot of an older run left behind
  echo "shots: the walk-through, seed $seed, into $dir (about a minute)" >&2
  if "$bin" --demo --headless --demo-seed "$seed" --out "$dir" >"$dir/walkthrough.log" 2>&1; then
    echo "shots: $(ls "$dir"/*.png | wc -l) screenshots in $dir" >&2
  else
    tail -n 20 "$dir/walkthrough.log" >&2
    echo "shots: the walk-through failed (log: $dir/walkthrough.log)" >&2
    exit 1
  fi
}

compare_dirs() {
  local base=$1 new=$2
  command -v compare >/dev/null || { echo "shots: no ImageMagick compare (apt-get install imagemagick)" >&2; exit 2; }
  [ -d "$base" ] && [ -d "$new" ] || usage
  local names differing=0 total=0 n out
  names=$( (cd "$base" && ls -- *.png 2>/dev/null; true) && (cd "$new" && ls -- *.png 2>/dev/null; true))
  names=$(sort -u <<<"$names")
  [ -n "$names" ] || { echo "shots: no PNG in $base or $new" >&2; exit 2; }
  for n in $names; do
    total=$((total + 1))
    if [ ! -f "$base/$n" ] || [ ! -f "$new/$n" ]; then
      printf '%-32s only in %s\n' "$n" "$([ -f "$base/$n" ] && echo "$base" || echo "$new")"
      differing=$((differing + 1))
      continue
    fi
    # compare prints the count on stderr; it exits 1 when the images differ, 2 when it cannot compare
    # them (other sizes): both are a difference here.
    out=$(compare -metric AE "$base/$n" "$new/$n" null: 2>&1) || true
    if [ "$out" = "0" ]; then
      printf '%-32s 0\n' "$n"
    else
      printf '%-32s %s differing pixels\n' "$n" "$out"
      differing=$((differing + 1))
    fi
  done
  echo "shots: $differing of $total shots differ"
  [ "$differing" -eq 0 ]
}

case "${1:-}" in
  capture) [ $# -ge 2 ] && [ $# -le 3 ] || usage; capture "$2" "${3:-1}" ;;
  compare) [ $# -eq 3 ] || usage; compare_dirs "$2" "$3" ;;
  *) usage ;;
esac
