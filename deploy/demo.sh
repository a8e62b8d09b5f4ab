#!/usr/bin/env bash
# The demo (deploy/dev.sh run): the kiosk with its built-in demo configuration, full screen. Without a
# display it plays the headless walk-through instead and leaves the screenshots in kiosk-shots/.
# Extra arguments go to ca-kiosk (e.g. --windowed 1080x1920).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/kiosk/app/ca-kiosk
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: no display; running the headless walk-through (screenshots in kiosk-shots/)" >&2
  exec "$BIN" --demo --headless --out kiosk-shots "$@"
fi
exec "$BIN" --demo "$@"
