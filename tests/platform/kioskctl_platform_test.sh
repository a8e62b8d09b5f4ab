#!/usr/bin/env bash
# The "Platform commands" session of docs/operations.md, as a test: ca-platform-ref --init/--data and kioskctl
# platform ... with the exit codes staff scripts rely on. Usage: kioskctl_platform_test.sh REF KIOSKCTL
set -euo pipefail
REF=$1
K=$2
D=$(mktemp -d)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$D"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {  # rc, command...
  local want=$1; shift
  set +e; "$@" >"$D/out" 2>"$D/err"; local rc=$?; set -e
  [ "$rc" -eq "$want" ] || { cat "$D/out" "$D/err" >&2; fail "$* exited $rc, expected $want"; }
}

"$REF" --init "$D/plat" >/dev/null
"$REF" --data "$D/plat" --port 0 --dev >"$D/server.log" 2>&1 &
PID=$!
for _ in $(seq 100); do grep -q serving "$D/server.log" && break; sleep 0.05; done
URL=$(grep -o 'https://127.0.0.1:[0-9]*/v1/' "$D/server.log") || fail "the platform did not start: $(cat "$D/server.log")"
sed -i "s|https://127.0.0.1:[0-9]*/v1/|$URL|" "$D/plat/kiosk.json"
export KIOSK_CONFIG="$D/plat/kiosk.json"

expect_rc 0 "$K" platform ping
expect_rc 0 "$K" platform catalog
grep -q '政府采购项目 - 海泰KEY - 续费' "$D/out" || fail "catalog lacks the ¥0 product"
grep -q '¥300.00 per year' "$D/out" || fail "catalog lacks the paid product"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/cust.key" 2>/dev/null
openssl pkey -in "$D/cust.key" -pubout -out "$D/cust.pub"
expect_rc 0 "$K" platform dev seed --project gov-procurement --brand haitai --pubkey "$D/cust.pub" \
  --org 内蒙古自治区政府采购中心 --cn 张三 --days 30 --out "$D/cust.pem"
openssl x509 -in "$D/cust.pem" -noout -subject | grep -q '张三\|\\E5\\BC\\A0' || fail "seeded subject"

expect_rc 0 "$K" platform sms-send 13800138000
grep -q '6-digit' "$D/out" || fail "code length"
expect_rc 33 "$K" platform sms-send 13800138000          # resend too soon
grep -q 'sms.resend_too_soon' "$D/err" || fail "resend code"
expect_rc 0 "$K" platform dev outbox 13800138000
CODE=$(awk '{print $5}' "$D/out" | tail -1)
[ ${#CODE} -eq 6 ] || fail "outbox code '$CODE'"

WRONG=000000; [ "$CODE" = 000000 ] && WRONG=111111
echo "$WRONG" > "$D/wrong"
expect_rc 33 "$K" platform order-create --product gov-procurement-haitai-renew --cert "$D/cust.pem" \
  --manufacturer Haitai --model HaiKey --serial HT0001 --phone 13800138000 < "$D/wrong"
grep -q 'sms.code_wrong' "$D/err" || fail "wrong code"
echo "$CODE" > "$D/code"
expect_rc 0 "$K" platform order-create --product gov-procurement-haitai-renew --cert "$D/cust.pem" \
  --manufacturer Haitai --model HaiKey --serial HT0001 --phone 13800138000 < "$D/code"
grep -q 'status     paid' "$D/out" || fail "the ¥0 order is paid at creation"
ORDER=$(awk '/^order/{print $2}' "$D/out")
expect_rc 0 "$K" --json platform order "$ORDER"
grep -q '"status": "paid"' "$D/out" || fail "--json order"
expect_rc 33 "$K" platform order-close "$ORDER"           # already paid
grep -q 'order.already_paid' "$D/err" || fail "close of a paid order"
expect_rc 0 "$K" platform dev records
grep -q '1 orders, 0 issuances, 1 payments' "$D/out" || fail "records"
expect_rc 0 "$K" platform heartbeat
grep -q 'DEV-KIOSK-01' "$D/out" || fail "heartbeat kiosk id"
expect_rc 0 "$K" platform config --signing-key "$D/plat/pki/config-signing.pub.pem"
expect_rc 33 "$K" platform order R0000nope

# Another platform's CA pinned: a TLS failure (exit 32). Nobody listening: offline (exit 30).
"$REF" --init "$D/other" >/dev/null
sed "s|pki/platform-ca.pem|$D/other/pki/platform-ca.pem|" "$D/plat/kiosk.json" > "$D/plat/wrong-ca.json"
expect_rc 32 "$K" --config "$D/plat/wrong-ca.json" platform ping
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
expect_rc 30 "$K" platform ping
echo "kioskctl platform: all checks passed"
