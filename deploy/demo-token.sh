#!/usr/bin/env bash
# The token demo (deploy/demo-token.sh): a SoftHSM demo key holding the
# certificate of a Chinese organisation from a throwaway test CA, shown with `kioskctl token show`.
#
# Everything lives in a temp dir with its own SOFTHSM2_CONF (removed at the end; KIOSK_KEEP_DEMO=1 keeps
# it). The key is reached through build/token/fault/libp11fault.so, which reports it as a Haitai HaiKey
# (the brand in the demo configuration) and lets the demo pull it out and put it back.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${KIOSK_BUILD_DIR:-$ROOT/build}
KIOSKCTL=$BUILD/kiosk/cli/kioskctl
FAULT=$BUILD/token/fault/libp11fault.so
SOFTHSM=${KIOSK_SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
PIN=123456
for f in "$KIOSKCTL" "$FAULT"; do
  [ -e "$f" ] || { echo "demo: $f is missing: run deploy/dev.sh build first" >&2; exit 1; }
done
[ -e "$SOFTHSM" ] || { echo "demo: SoftHSM ($SOFTHSM) is missing: run deploy/dev.sh (it installs softhsm2)" >&2; exit 1; }

DEMO=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-demo-XXXXXX")
if [ "${KIOSK_KEEP_DEMO:-0}" = 1 ]; then
  echo "demo: files kept in $DEMO"
else
  trap 'rm -rf "$DEMO"' EXIT
fi
mkdir -p "$DEMO/tokens"
cat >"$DEMO/softhsm2.conf" <<CONF
directories.tokendir = $DEMO/tokens
objectstore.backend = file
log.level = ERROR
CONF
export SOFTHSM2_CONF=$DEMO/softhsm2.conf
export P11FAULT_MODULE=$SOFTHSM P11FAULT_CONTROL=$DEMO/p11fault.control
LABEL="张三的签名证书"
KEY_LABEL="海泰KEY演示"
identity=$'manufacturer Haitai\nmodel HaiKey\nserial HT20240001\n'
printf '%s' "$identity" >"$P11FAULT_CONTROL"
p11() { pkcs11-tool --module "$SOFTHSM" --token-label "$KEY_LABEL" --login --pin "$PIN" "$@" >/dev/null 2>&1; }

echo "==> a demo key (SoftHSM) with a key pair generated on it"
softhsm2-util --init-token --free --label "$KEY_LABEL" --so-pin 12345678 --pin "$PIN" >/dev/null
p11 --keypairgen --key-type EC:prime256v1 --id 01 --label "$LABEL" --usage-sign
p11 --read-object --type pubkey --id 01 --output-file "$DEMO/customer-pub.der"
openssl pkey -pubin -inform DER -in "$DEMO/customer-pub.der" -out "$DEMO/customer-pub.pem"

echo "==> a throwaway CA certifies it for 内蒙古自治区政府采购中心 / 张三"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 -days 3650 \
  -subj "/C=CN/O=演示数字证书认证中心/CN=Demo Throwaway CA" \
  -keyout "$DEMO/ca.key" -out "$DEMO/ca.pem" 2>/dev/null
# The request only carries the subject: the certificate gets the token's public key (-force_pubkey).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 \
  -subj "/C=CN/ST=内蒙古自治区/L=呼和浩特市/O=内蒙古自治区政府采购中心/OU=采购处/CN=张三" \
  -keyout "$DEMO/throwaway.key" -out "$DEMO/customer.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' >"$DEMO/ext.cnf"
openssl x509 -req -in "$DEMO/customer.csr" -CA "$DEMO/ca.pem" -CAkey "$DEMO/ca.key" -CAcreateserial \
  -force_pubkey "$DEMO/customer-pub.pem" -days 365 -extfile "$DEMO/ext.cnf" -outform DER \
  -out "$DEMO/customer.der" 2>/dev/null
p11 --write-object "$DEMO/customer.der" --type cert --id 01 --label "$LABEL"

# A demo configuration: the brand "haitai" is served by the fault module in front of SoftHSM. The
# platform part is not used by these commands; its files only have to exist.
cat >"$DEMO/kiosk.json" <<JSON
{
  "schema_version": 1,
  "kiosk_id": "DEMO-K01",
  "platform": {
    "base_url": "https://127.0.0.1:8443/v1/",
    "ca_file": "ca.pem",
    "client_cert": "ca.pem",
    "client_key": "ca.key"
  },
  "brands": [
    { "id": "haitai", "display_name": "海泰KEY", "module": "$FAULT", "manufacturer": "Haitai", "model": "HaiKey" }
  ],
  "product_families": [
    { "id": "gov-procurement", "key_algorithm": "ec-p256", "old_key_policy": "keep" }
  ],
  "journal_path": "journal.db"
}
JSON
KCTL=("$KIOSKCTL" --config "$DEMO/kiosk.json")

echo
echo "==> kioskctl --config kiosk.json token list"
"${KCTL[@]}" token list
echo
echo "==> kioskctl --config kiosk.json token show   (PIN from stdin: which private key pairs with the certificate)"
echo "$PIN" | "${KCTL[@]}" token show --pin-stdin
echo
echo "==> the key is pulled out (fault module), then kioskctl token list"
printf '%sremoved 1\n' "$identity" >"$P11FAULT_CONTROL.new" && mv "$P11FAULT_CONTROL.new" "$P11FAULT_CONTROL"
set +e
"${KCTL[@]}" token list
rc=$?
set -e
echo "(exit code $rc: no key inserted)"
printf '%s' "$identity" >"$P11FAULT_CONTROL.new" && mv "$P11FAULT_CONTROL.new" "$P11FAULT_CONTROL"
echo
echo "demo done. The same commands work on a real key: kioskctl --config /etc/ca-kiosk/kiosk.json token show"
