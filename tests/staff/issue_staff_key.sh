#!/bin/sh
# The staff PKI by hand, as docs/staff.md shows it (tests/staff/openssl_cli_test.cpp runs it against SoftHSM):
#   issue_staff_key.sh ca DIR                          a staff CA in DIR (staff-ca.pem, staff-ca.key) and its CRL
#   issue_staff_key.sh key DIR MODULE TOKEN PIN CN HALL  a staff KEY: a pair made on the token, its certificate
#   issue_staff_key.sh revoke DIR                      DIR/staff.pem on the next CRL (DIR/staff-crl.der)
set -eu
ROLE=2.25.161466141967956400798317720578276031232
cmd=$1 D=$2
cd "$D"
case "$cmd" in
ca)
  cat > ca.cnf <<'CNF'
[req]
distinguished_name = dn
[dn]
[staff_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ca]
default_ca = crl
[crl]
database = index.txt
crlnumber = crlnumber
certificate = staff-ca.pem
private_key = staff-ca.key
default_md = sha256
default_crl_days = 7
crl_extensions = crl_ext
[crl_ext]
authorityKeyIdentifier = keyid:always
CNF
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout staff-ca.key \
    -subj "/O=Example CA/CN=Hall Staff CA" -days 3650 -config ca.cnf -extensions staff_ca -out staff-ca.pem
  touch index.txt; echo 01 > crlnumber
  openssl ca -config ca.cnf -gencrl -out staff-crl.pem
  openssl crl -in staff-crl.pem -outform DER -out staff-crl.der
  ;;
key)
  M=$3 TOKEN=$4 PIN=$5 CN=$6 HALL=$7
  # The pair is made on the KEY: the private key never leaves it.
  pkcs11-tool --module "$M" --token-label "$TOKEN" --login --pin "$PIN" \
    --keypairgen --key-type EC:prime256v1 --id 01 --label staff
  pkcs11-tool --module "$M" --token-label "$TOKEN" --read-object --type pubkey --id 01 -o staff-pub.der
  openssl pkey -pubin -inform DER -in staff-pub.der -out staff-pub.pem
  cat > staff.ext <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = $ROLE
subjectAltName = URI:kiosk-scope:hall:$HALL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EXT
  # A request signed by a throwaway key only carries the subject; -force_pubkey puts the KEY's key in.
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -utf8 \
    -subj "/O=Example CA/OU=Hall Staff/CN=$CN" -out staff.csr
  openssl x509 -req -in staff.csr -force_pubkey staff-pub.pem -CA staff-ca.pem -CAkey staff-ca.key \
    -CAcreateserial -days 365 -extfile staff.ext -out staff.pem
  openssl x509 -in staff.pem -outform DER -out staff.der
  pkcs11-tool --module "$M" --token-label "$TOKEN" --login --pin "$PIN" \
    --write-object staff.der --type cert --id 01 --label staff
  ;;
revoke)
  openssl ca -config ca.cnf -revoke staff.pem
  openssl ca -config ca.cnf -gencrl -out staff-crl.pem
  openssl crl -in staff-crl.pem -outform DER -out staff-crl.der
  ;;
esac
