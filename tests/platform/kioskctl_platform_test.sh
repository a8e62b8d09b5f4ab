#!/usr/bin/env bash
# The "Platform commands" session of docs/operations.md, as a test: ca-platform-ref --init/--data and kioskctl
# platform ... with the exit codes staff scripts rely on. Usage: kioskctl_platform_test.sh REF KIOSKCTL
set -euo pipefail
REF=$1
K=$2
# shellcheck source=session.sh
. "$(dirname "$0")/session.sh"
start_platform
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
expect_rc 33 "$K" --lang en platform order R0000nope
# Sentences from the screens' language files (assets/i18n), not raw message keys; --lang or the locale.
grep -q 'This order cannot be found' "$D/err" || fail "no English sentence for the refusal"
grep -q 'refused: error\.' "$D/err" && fail "a raw message key instead of a sentence"
expect_rc 33 "$K" --lang zh-CN platform order R0000nope
grep -q '找不到这笔订单' "$D/err" || fail "no Chinese sentence for the refusal"
expect_rc 33 env LC_ALL=zh_CN.UTF-8 "$K" platform order R0000nope
grep -q '找不到这笔订单' "$D/err" || fail "the locale's language is not used"

# An SMS code on the command line is refused (ps shows it to every user). One from the environment
# (--code-env) is wiped from /proc/PID/environ at start: read it while the answer is held back.
expect_rc 2 "$K" platform sms-verify 13800138000 --code 918273
grep -q 'visible in ps' "$D/err" || fail "--code on the command line was not refused"
expect_rc 2 "$K" platform order-create --product p --cert "$D/cust.pem" --manufacturer Haitai --model HaiKey \
  --serial HT0001 --phone 13800138000 --code 918273
expect_rc 0 "$K" platform dev fault sms.verify delay --delay-ms 4000
SECRET_CODE=918273 "$K" platform sms-verify 13800138000 --code-env SECRET_CODE >/dev/null 2>&1 &
KPID=$!
sleep 1.5
tr '\0' '\n' < "/proc/$KPID/environ" > "$D/environ" || fail "kioskctl ended before its environment was read"
kill -0 "$KPID" || fail "kioskctl ended before its environment was read"
grep -q 918273 "$D/environ" && fail "the SMS code is still in /proc/PID/environ"
grep -q '^SECRET_CODE=.' "$D/environ" && fail "SECRET_CODE still has a value in /proc/PID/environ"
wait "$KPID" || true

# Raw requests with the kiosk's certificate (curl): the status on stdout, the body in $D/raw.
raw() {  # method path curl-args...
  local method=$1 path=$2; shift 2
  curl -s --cacert "$D/plat/pki/platform-ca.pem" --cert "$D/plat/pki/kiosk.pem" --key "$D/plat/pki/kiosk.key" \
    -X "$method" -H 'Content-Type: application/json' -H "Idempotency-Key: raw-$RANDOM$RANDOM" -o "$D/raw" \
    -w '%{http_code}' "$@" "${URL}$path"
}
# A body over the platform's 1 MiB: 413 request.too_large, an answer the contract declares (the capture of
# this test is checked against it by contract_responses).
head -c 1048577 /dev/zero | tr '\0' 'a' > "$D/big"
status=$(raw POST sms/send --data-binary @"$D/big")
[ "$status" = 413 ] || fail "a body over 1 MiB answered $status, not 413"
grep -q '"code":"request.too_large"' "$D/raw" || fail "413 without request.too_large: $(cat "$D/raw")"

# A handler that throws (the dev fault hook's "throw"): 500 server.internal, and a line on the platform's
# stderr with the operation and the exception's text, without the request's code or phone. The
# transaction it threw in is rolled back: the next keyed call is answered as usual.
expect_rc 0 "$K" platform dev fault sms.verify throw
status=$(raw POST sms/verify --data '{"phone": "13900139000", "purpose": "renewal", "code": "918273"}')
[ "$status" = 500 ] || fail "a throwing handler answered $status, not 500"
grep -q '"code":"server.internal"' "$D/raw" || fail "500 without server.internal: $(cat "$D/raw")"
grep -q 'sms.verify.*dev fault hook: sms.verify threw' "$D/server.log" ||
  fail "the 500 left no trace on the platform's stderr: $(cat "$D/server.log")"
grep -q 918273 "$D/server.log" && fail "the SMS code reached the platform's log"
grep -q 13900139000 "$D/server.log" && fail "the phone reached the platform's log"
expect_rc 0 "$K" platform sms-send 13900139000

# renew when the platform fails before anything started: the platform's exit code (30-34) and one line
# saying what happened, never 51 ("stopped at a safe point, resume later") with nothing to resume.
renew_fails() {  # exit code, configuration, the start of what the error line says
  expect_rc "$1" "$K" --config "$2" renew --phone 13800138000 --wait-key 0
  grep -q "^kioskctl: platform: $3" "$D/err" || { cat "$D/err" >&2; fail "renew: no 'platform: $3' line"; }
  [ "$(grep -c '^kioskctl: platform:' "$D/err")" -eq 1 ] || fail "renew: the error line more than once"
}
mkdir -p "$D/hostile/v1"
(cd "$D/hostile" && exec openssl s_server -WWW -accept 0 -cert "$D/plat/pki/server.pem" \
  -key "$D/plat/pki/server.key" >"$D/hostile.log" 2>&1) &
HPID=$!
for _ in $(seq 100); do grep -q ACCEPT "$D/hostile.log" && break; sleep 0.05; done
HPORT=$(grep -o 'ACCEPT.*:[0-9]*' "$D/hostile.log" | grep -o '[0-9]*$') || fail "openssl s_server did not start"
sed "s|https://127.0.0.1:[0-9]*/v1/|https://127.0.0.1:$HPORT/v1/|" "$D/plat/kiosk.json" > "$D/plat/hostile.json"
echo 'garbage{' > "$D/hostile/v1/catalog"
renew_fails 34 "$D/plat/hostile.json" malformed
echo '{"version": "1", "projects": 7, "products": "many"}' > "$D/hostile/v1/catalog"
renew_fails 34 "$D/plat/hostile.json" malformed
kill "$HPID"; wait "$HPID" 2>/dev/null || true; HPID=""
expect_rc 0 "$K" platform dev fault catalog fail --count 20
renew_fails 33 "$KIOSK_CONFIG" "http"
grep -q 'next: ' "$D/err" || fail "renew: no next step"
sed 's|"client_key": "pki/kiosk.key"|"client_key": "pki/kiosk.key", "request_timeout_ms": 1000|' \
  "$D/plat/kiosk.json" > "$D/plat/slow.json"
expect_rc 0 "$K" platform dev fault catalog delay --delay-ms 3000 --count 20
renew_fails 31 "$D/plat/slow.json" timeout

# Another platform's CA pinned: a TLS failure (exit 32). Nobody listening: offline (exit 30).
"$REF" --init "$D/other" >/dev/null
sed "s|pki/platform-ca.pem|$D/other/pki/platform-ca.pem|" "$D/plat/kiosk.json" > "$D/plat/wrong-ca.json"
expect_rc 32 "$K" --config "$D/plat/wrong-ca.json" platform ping
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
expect_rc 30 "$K" platform ping
renew_fails 30 "$KIOSK_CONFIG" offline
echo "kioskctl platform: all checks passed"
