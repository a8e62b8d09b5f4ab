#!/usr/bin/env bash
# The "Enrollment" and "Fleet commands" sessions of docs/operations.md, as a test: an admin makes a code,
# the installer enrolls a terminal with it, the kiosk talks to the platform with its new identity, renews
# it, and the admin sees it, makes a maintenance code, publishes a bundle and decommissions it.
# Usage: kioskctl_fleet_test.sh REF KIOSKCTL
set -euo pipefail
REF=$1
K=$2
# shellcheck source=session.sh
. "$(dirname "$0")/session.sh"
start_platform
P=$D/plat/pki
cat >"$D/admin.json" <<JSON
{"base_url": "$URL", "ca_file": "$P/platform-ca.pem", "cert": "$P/admin.pem", "key": "$P/admin.key"}
JSON
export KIOSK_ADMIN_CONFIG=$D/admin.json

# The admin: a code for kiosk HALL7-K01.
expect_rc 0 "$K" --json fleet enroll-code --kiosk-id HALL7-K01 --hall hall-7 --region west
CODE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$D/out")

# The installer: enroll with the shipped template; the key stays 0600 in the state directory.
expect_rc 0 "$K" enroll --platform "$URL" --platform-ca "$P/platform-ca.pem" --code "$CODE" \
  --state-dir "$D/state" --config "$D/etc/kiosk.json" --template "$D/plat/kiosk.json"
[ "$(stat -c %a "$D/state/kiosk.key")" = 600 ] || fail "key mode $(stat -c %a "$D/state/kiosk.key")"
openssl x509 -in "$D/state/kiosk.pem" -noout -subject | grep -q 'CN = HALL7-K01' || fail "certificate CN"
grep -q '"kiosk_id": "HALL7-K01"' "$D/etc/kiosk.json" || fail "configuration kiosk_id"
# The same code again is refused (exit 33, the platform's code printed).
expect_rc 33 "$K" enroll --platform "$URL" --platform-ca "$P/platform-ca.pem" --code "$CODE" \
  --state-dir "$D/state2" --config "$D/etc2/kiosk.json" --template "$D/plat/kiosk.json"
grep -q 'enroll.code_used' "$D/err" || fail "code used twice: $(cat "$D/err")"

# The kiosk with its new identity, then renewed: the same CN, a new key.
expect_rc 0 "$K" --config "$D/etc/kiosk.json" platform ping
cp "$D/state/kiosk.key" "$D/old.key"
expect_rc 0 "$K" enroll --renew --state-dir "$D/state" --config "$D/etc/kiosk.json"
cmp -s "$D/old.key" "$D/state/kiosk.key" && fail "renewal kept the old key"
openssl x509 -in "$D/state/kiosk.pem" -noout -subject | grep -q 'CN = HALL7-K01' || fail "renewed CN"
expect_rc 0 "$K" --config "$D/etc/kiosk.json" platform ping

# The admin's view, a maintenance code, a bundle.
expect_rc 0 "$K" fleet status --scope hall=hall-7 --json
python3 - "$D/out" <<'PY' || fail "status: $(cat "$D/out")"
import json, sys
s = json.load(open(sys.argv[1]))
assert [k["kiosk_id"] for k in s["kiosks"]] == ["HALL7-K01"], s
assert s["kiosks"][0]["state"] == "enrolled"
assert "HALL7-K01" in s["not_heard_from"]  # enrolled, no heartbeat yet
PY
expect_rc 0 "$K" fleet maintenance-code --staff zhang.wei --kiosk HALL7-K01
grep -q 'maintenance code for zhang.wei at kiosk HALL7-K01' "$D/out" || fail "maintenance code"
expect_rc 2 "$K" fleet sign "$D/plat/kiosk.json" -o "$D/b.der"  # no PKCS#11 signer yet: --dev only
echo '{"version":1}' >"$D/doc.json"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=t -keyout "$D/s.key" -out "$D/s.pem" \
  -days 2 2>/dev/null
openssl cms -sign -binary -nodetach -outform DER -in "$D/doc.json" -signer "$D/s.pem" -inkey "$D/s.key" -out "$D/b.der"
expect_rc 0 "$K" fleet publish "$D/b.der"
grep -q 'published' "$D/out" || fail "publish"

# Decommissioning: refused without the confirmation, done with it; the kiosk is refused from then on.
echo "WRONG-ID" | expect_rc 1 "$K" fleet decommission --kiosk-id HALL7-K01
expect_rc 0 "$K" --config "$D/etc/kiosk.json" platform ping
echo "HALL7-K01" | expect_rc 0 "$K" fleet decommission --kiosk-id HALL7-K01
expect_rc 33 "$K" --config "$D/etc/kiosk.json" platform catalog
grep -q 'kiosk.decommissioned' "$D/err" || fail "decommissioned: $(cat "$D/err")"
echo OK
