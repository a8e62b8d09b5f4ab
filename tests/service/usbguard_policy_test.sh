#!/usr/bin/env bash
# The shipped usbguard policy (deploy/debian/usbguard/50-ca-kiosk.conf) parses with usbguard's own rule
# parser, and keyboards and mice are blocked before any rule allows a key (first match wins). Whether a real
# device matches is usbguard's business on a terminal: it has no offline evaluator. Exit 77 without
# usbguard-rule-parser (Debian's usbguard; deploy/dev.sh installs it).
set -euo pipefail
policy=${1:?usage: usbguard_policy_test.sh POLICY}
command -v usbguard-rule-parser >/dev/null || { echo "SKIPPED: no usbguard-rule-parser"; exit 77; }
usbguard-rule-parser -f "$policy" >/dev/null || { echo "FAIL: usbguard cannot parse $policy"; exit 1; }
rules=$(grep -v '^\s*#' "$policy" | grep -v '^\s*$')
first_allow=$(grep -n '^allow' <<<"$rules" | head -1 | cut -d: -f1 || true)
block=$(grep -n '^block with-interface one-of { 03:01:01 03:01:02 }' <<<"$rules" | cut -d: -f1 || true)
[ -n "$block" ] && [ "$block" -lt "$first_allow" ] || { echo "FAIL: keyboards and mice are not blocked first"; exit 1; }
grep -q '^allow with-interface one-of { 0b:\*:\* 03:00:\* ff:\*:\* }' <<<"$rules" ||
  { echo "FAIL: no rule allows CCID, HID and vendor-specific keys"; exit 1; }
! grep -qE '^allow( *$| with-interface one-of \{[^}]*08:)' <<<"$rules" ||
  { echo "FAIL: a rule allows every device or mass storage alone"; exit 1; }
echo "usbguard_policy_test: passed ($(wc -l <<<"$rules") rules)"
