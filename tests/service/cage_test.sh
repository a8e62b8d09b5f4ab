#!/usr/bin/env bash
# ca-kiosk under the real compositor, as a terminal runs it (docs/packaging.md, "Under cage"): cage with
# wlroots' headless back end and pixman renderer, as an unprivileged user (cage refuses root), the kiosk on
# SDL's X11 driver through XWayland. Checks: READY=1 arrives on a NOTIFY_SOCKET this test listens on; the
# home screen is in the kiosk's window, against the offscreen rendering of the same build at the same size;
# SIGTERM to the kiosk gives STOPPING=1 and cage ends. grim's capture of the whole output is taken too and
# said (wlroots 0.15's headless back end hands grim a black frame; the window's own pixels are compared).
#   cage_test.sh CA_KIOSK RUNTIME_MODULE DEMO_MODULE P11FAULT_MODULE ASSETS_DIR
# Exit 77 (skipped, and why) without root or without cage, Xwayland, grim, xwininfo or ImageMagick.
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 CA_KIOSK RUNTIME_MODULE DEMO_MODULE P11FAULT_MODULE ASSETS_DIR" >&2; exit 2; }
skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root: it runs cage as nobody in a mount namespace of its own"
for c in cage Xwayland grim xwininfo import compare convert unshare setpriv python3; do
  command -v "$c" >/dev/null || skip "no $c (deploy/dev.sh installs it)"
done

T=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-cage-XXXXXX")
LISTENER=
cleanup() {
  [ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null || true
  pkill -u 65534 -x cage 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
chmod 755 "$T"
# What nobody runs and reads (the build tree may sit below a folder only its owner may enter).
mkdir -p "$T/bin" "$T/run" "$T/home" "$T/out"
cp "$1" "$2" "$3" "$4" "$T/bin/"
cp -r "$5" "$T/assets"
# The demo's catalog, which it reads from the source tree otherwise (a clone may sit in a 0700 folder).
cp "$(dirname "$0")/../../config/catalog.json" "$T/catalog.json"
chmod -R a+rX "$T/bin" "$T/assets" "$T/catalog.json"
chown 65534:65534 "$T/run" "$T/home" "$T/out"
chmod 700 "$T/run"
FAULT="$T/bin/$(basename "$4")"

# The service manager's side: every datagram on NOTIFY_SOCKET, one line each.
python3 - "$T/notify.sock" "$T/notify.log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        for line in s.recv(4096).decode(errors="replace").splitlines():
            log.write(line + "\n")
PY
LISTENER=$!
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
touch "$T/notify.log"

# The offscreen rendering of home at the compositor's output size (1280x720, wlroots' headless default).
cat > "$T/home.txt" <<'TXT'
size 1280x720
wait key recognised 8000
expect screen Home
shot home
TXT
chmod a+r "$T/home.txt"
KIOSK_ASSETS="$T/assets" P11FAULT_LIBRARY="$FAULT" KIOSK_DEMO_CATALOG="$T/catalog.json" \
  "$T/bin/ca-kiosk" --demo --headless --script "$T/home.txt" --out "$T/offscreen" >"$T/offscreen.log" 2>&1 ||
  { cat "$T/offscreen.log"; echo "FAIL: the offscreen rendering of home"; exit 1; }

# The differing pixels of a capture against the offscreen home, its last row and column left out.
same_home() {
  convert "$1" -crop 1279x719+0+0 +repage "$T/cmp-a.png"
  convert "$T/offscreen/01-home.png" -crop 1279x719+0+0 +repage "$T/cmp-b.png"
  { compare -metric AE -fuzz 1% "$T/cmp-a.png" "$T/cmp-b.png" null: 2>&1 || true; } | cut -d' ' -f1
}

# Inside cage, as nobody: wait for the kiosk's window and its key, take the window's pixels and grim's,
# then stop the kiosk the way the unit does (SIGTERM to ca-kiosk; cage follows).
cat > "$T/inside.sh" <<'SH'
#!/bin/sh
T=$1
cage -s -- "$T/bin/ca-kiosk" --demo >"$T/out/cage.log" 2>&1 &
CAGE=$!
i=0
until grep -q '^READY=1' "$T/notify.log"; do
  i=$((i + 1)); [ $i -gt 600 ] && { echo "no READY=1 in 60 s" >"$T/out/inside.err"; kill $CAGE; exit 1; }
  kill -0 $CAGE 2>/dev/null || { echo "cage ended before READY=1" >"$T/out/inside.err"; exit 1; }
  sleep 0.1
done
# cage's Xwayland runs as this user (nobody): its socket, not another test's X server running meanwhile.
export DISPLAY=":$(find /tmp/.X11-unix -maxdepth 1 -user "$(id -u)" -name 'X*' | sed -n 's|.*/X||p' | head -1)"
WID=$(xwininfo -root -tree | awk '/"ca-kiosk": \("ca-kiosk"/ {print $1; exit}')
[ -n "$WID" ] || { echo "no ca-kiosk window on $DISPLAY" >"$T/out/inside.err"; kill $CAGE; exit 1; }
echo "$WID" >"$T/out/window"
pgrep -u 65534 -x ca-kiosk >"$T/out/kiosk.pid"
# The demo's key is made after the first frame: until home shows it recognised, or 30 s.
i=0
while [ $i -lt 30 ]; do
  import -window "$WID" "$T/out/cage-home.png" 2>/dev/null &&
    convert "$T/out/cage-home.png" -crop 1279x719+0+0 +repage "$T/out/a.png" &&
    convert "$T/offscreen/01-home.png" -crop 1279x719+0+0 +repage "$T/out/b.png" &&
    [ "$(compare -metric AE -fuzz 1% "$T/out/a.png" "$T/out/b.png" null: 2>&1 | cut -d' ' -f1)" = 0 ] && break
  i=$((i + 1)); sleep 1
done
grim "$T/out/grim.png" 2>"$T/out/grim.err" || true
# The test (root) reads the kiosk's memory now (a non-dumpable process's status is root's to read).
touch "$T/out/measure"
i=0; until [ -e "$T/out/measured" ] || [ $i -gt 50 ]; do i=$((i + 1)); sleep 0.1; done
pkill -TERM -u 65534 -x ca-kiosk
wait $CAGE
echo $? >"$T/out/cage.rc"
SH
chmod 755 "$T/inside.sh"
# A mount namespace of its own: XWayland's /tmp/.X11-unix is a fresh tmpfs (one left behind by another
# X server, owned by another user, would stop it), gone with the namespace.
unshare -m sh -c '
  mount --make-rprivate /
  mkdir -p /tmp/.X11-unix
  mount -t tmpfs -o mode=1777 tmpfs /tmp/.X11-unix
  exec setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin HOME="$1/home" \
    XDG_RUNTIME_DIR="$1/run" WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
    SDL_VIDEODRIVER=x11 NOTIFY_SOCKET="$1/notify.sock" KIOSK_ASSETS="$1/assets" P11FAULT_LIBRARY="$2" \
    KIOSK_DEMO_CATALOG="$1/catalog.json" \
    TMPDIR="$1/out" "$1/inside.sh" "$1"' sh "$T" "$FAULT" &
INSIDE=$!
# The kiosk's memory while it runs under cage (root may read a non-dumpable process's status).
RSS=
for _ in $(seq 900); do
  if [ -e "$T/out/measure" ] && [ ! -e "$T/out/measured" ]; then
    RSS=$(awk '/^VmHWM/ {print $2 " " $3}' "/proc/$(head -1 "$T/out/kiosk.pid")/status" 2>/dev/null || true)
    touch "$T/out/measured"
  fi
  kill -0 $INSIDE 2>/dev/null || break
  sleep 0.1
done
wait $INSIDE || { cat "$T/out/inside.err" "$T/out/cage.log" 2>/dev/null | tail -20; echo "FAIL: under cage"; exit 1; }

fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
check "READY=1 from ca-kiosk under cage" "grep -q '^READY=1' '$T/notify.log'"
check "STOPPING=1 on SIGTERM" "grep -q '^STOPPING=1' '$T/notify.log'"
check "cage ended with the kiosk (status 0)" "[ \"\$(cat '$T/out/cage.rc')\" = 0 ]"
size=$(identify -format '%wx%h' "$T/out/cage-home.png")
check "the kiosk's window fills the output (1280x720, got $size)" "[ '$size' = 1280x720 ]"
# The offscreen shot's last row and column are left transparent (nothing draws there); the window shows
# them as the background: compared without them.
ae=$(same_home "$T/out/cage-home.png")
check "home under cage is the offscreen home ($ae differing pixels at 1 % fuzz)" "[ '$ae' = 0 ]"
grim_sd=$(convert "$T/out/grim.png" -format '%[fx:standard_deviation]' info: 2>/dev/null || echo none)
echo "grim: $(cat "$T/out/grim.err" 2>/dev/null | head -1)${grim_sd:+ standard deviation of its pixels: $grim_sd (0: one colour)}"
echo "ca-kiosk's peak RSS under cage: ${RSS:-not read}"
if [ -n "${KIOSK_CAGE_SHOTS:-}" ]; then
  mkdir -p "$KIOSK_CAGE_SHOTS" && cp "$T/out/cage-home.png" "$T/offscreen/01-home.png" "$KIOSK_CAGE_SHOTS/" &&
    cp "$T/out/grim.png" "$KIOSK_CAGE_SHOTS/" 2>/dev/null || true
fi
[ $fail -eq 0 ] && echo "cage_test: passed" || exit 1
