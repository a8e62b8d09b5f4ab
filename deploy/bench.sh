#!/usr/bin/env bash
# The benchmarks (deploy/dev.sh bench). Each prints its figures; README "Performance" quotes them.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> platform (client ↔ reference platform, mutual TLS on loopback)"
build/tests/bench/platform_bench 200
