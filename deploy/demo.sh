#!/usr/bin/env bash
# The demo (deploy/dev.sh run). Replaced by `ca-kiosk --demo` once the kiosk screens exist.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: not built yet" >&2
exit 1
