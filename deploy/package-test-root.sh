#!/usr/bin/env bash
# Run inside the clean Debian 12 root by deploy/package-test.sh (copied to /root/package-test-root.sh):
#   STEP deps               the Debian dependencies of the packages in /root/debs, from the Debian registry
#   STEP install N          ca-kiosk, ca-kiosk-demo, ca-platform-ref at version N from the CA's repository
#   STEP upgrade N1         unattended-upgrades (limited to the CA's repository) brings N+1
#   STEP purge              purge, then nothing left that Debian policy does not keep
# Every check prints "ok ..." or "FAIL ..." and a failed one exits non-zero.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
STEP=$1
shift
PKGS=(ca-kiosk ca-kiosk-demo ca-platform-ref)
PROGRAMS=(ca-kiosk kioskctl ca-platform-ref)

ok() { echo "ok   $*"; }
fail() {
  echo "FAIL $*"
  exit 1
}

# Everything on the root's disk, for the purge check (what apt and dpkg keep for themselves left out).
snapshot() {
  find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp -o -path /var/lib/apt \
    -o -path /var/lib/dpkg -o -path /var/cache -o -path /var/log -o -path /root \) -prune -o -print | sort
}

versions_are() {  # version
  for p in "${PKGS[@]}"; do
    local v
    v=$(dpkg-query -W -f='${Version}' "$p")
    [ "$v" = "$1" ] || fail "$p is $v, not $1"
  done
  for prog in "${PROGRAMS[@]}"; do
    local out
    out=$("$prog" --version) || fail "$prog --version exits $?"
    [ "$out" = "$prog $1" ] || fail "$prog --version says '$out', not '$prog $1'"
  done
  out=$(/usr/lib/ca-kiosk/ca-kiosk-paused --version) || fail "ca-kiosk-paused --version exits $?"
  [ "$out" = "ca-kiosk-paused $1" ] || fail "ca-kiosk-paused --version says '$out', not 'ca-kiosk-paused $1'"
  ok "${PKGS[*]} at $1; ${PROGRAMS[*]} and ca-kiosk-paused --version say so"
}

case "$STEP" in
  deps)
    deps=""
    for deb in /root/debs/*.deb; do
      d=$(dpkg-deb -f "$deb" Depends)
      deps="${deps:+$deps, }$d"
    done
    # Our own packages out: they come from the CA's repository in the next step.
    deps=$(echo "$deps" | tr ',' '\n' | grep -Ev '^ *(ca-kiosk|ca-platform-ref)( |$)' | paste -sd, -)
    apt-get update -qq
    apt-get satisfy -y -qq --no-install-recommends "$deps" >/tmp/deps.log || {
      tail -20 /tmp/deps.log
      fail "the dependencies do not install: $deps"
    }
    ok "dependencies from the Debian registry: $(echo "$deps" | tr -d '\n' | cut -c1-300)"
    ;;
  install)
    N=$1
    apt-get update -qq 2>&1 | tee /tmp/update.log
    grep -qi "not signed\|NO_PUBKEY\|is not signed" /tmp/update.log && fail "the CA's repository is not trusted"
    snapshot >/root/before.txt  # the dependencies and the repository's entry are in, our packages not yet
    apt-get install -y -qq --no-install-recommends "${PKGS[@]/%/=$N}" >/tmp/install.log 2>&1 || {
      tail -30 /tmp/install.log
      fail "apt-get install ${PKGS[*]}=$N"
    }
    grep -i "warning\|error" /tmp/install.log | grep -v "^W: Download is performed unsandboxed" || true
    versions_are "$N"
    id ca-kiosk >/dev/null || fail "no ca-kiosk user (sysusers.d)"
    ok "system user: $(id ca-kiosk)"
    getent group ca-kiosk-staff >/dev/null || fail "no ca-kiosk-staff group (sysusers.d): the staff channel's"
    [ -e /etc/ca-kiosk/kiosk.json ] && fail "/etc/ca-kiosk/kiosk.json shipped: it is written at enrollment"
    for f in $(dpkg-query -W -f='${Conffiles}\n' "${PKGS[@]}" | awk 'NF {print $1}'); do
      case "$f" in /etc/ca-kiosk/*) fail "conffile $f: the terminal's configuration is not one" ;; esac
    done
    ok "no conffile under /etc/ca-kiosk"
    # The clock: chrony with the shipped NTS sources, and only authenticated sources selected.
    chronyd -p 2>/dev/null | grep -q "^authselectmode require" || fail "chrony does not read authselectmode require"
    # The sources: read by chronyd at start from its sourcedir, which chronyd -p names but does not expand.
    chronyd -p 2>/dev/null | grep -q "^sourcedir /etc/chrony/sources.d" || fail "chrony reads no /etc/chrony/sources.d"
    nts=$(grep -h "^server .* nts" /etc/chrony/sources.d/*.sources | wc -l)
    [ "$nts" -ge 1 ] || fail "no NTS server in /etc/chrony/sources.d"
    ok "chrony: $nts NTS servers in /etc/chrony/sources.d, authselectmode require"
    # Reboot and power off: the polkit rule where polkitd (a dependency) reads it, owned by ca-kiosk, not a
    # conffile, granting logind's two actions to the kiosk's user only (tests/service/polkit_rule_test.sh
    # judges it with polkitd itself).
    rule=/usr/share/polkit-1/rules.d/50-ca-kiosk.rules
    [ -f "$rule" ] || fail "no polkit rule $rule"
    [ "$(dpkg-query -S "$rule" | cut -d: -f1)" = ca-kiosk ] || fail "$rule is not ca-kiosk's"
    [ "$(stat -c '%U %a' "$rule")" = "root 644" ] || fail "$rule is $(stat -c '%U %a' "$rule"), not root 644"
    dpkg-query -W -f='${Status}' polkitd | grep -q "install ok installed" || fail "polkitd is not installed"
    grep -q 'subject.user === "ca-kiosk"' "$rule" || fail "$rule does not name the ca-kiosk user"
    [ "$(grep -o '"org\.freedesktop\.[a-z0-9.-]*"' "$rule" | sort -u | paste -sd' ')" = \
      '"org.freedesktop.login1.power-off" "org.freedesktop.login1.reboot"' ] || fail "$rule names other actions"
    ok "polkit rule $rule (ca-kiosk: org.freedesktop.login1.reboot and .power-off only)"
    # The installed configuration read by the installed programs. Enrollment writes kiosk.json and the
    # kiosk's PKI files; here the documented default and empty stand-ins for the PKI files.
    mkdir -p /etc/ca-kiosk
    cp /usr/share/ca-kiosk/kiosk.json /etc/ca-kiosk/kiosk.json
    set +e
    kioskctl token list >/tmp/nopki.txt 2>&1
    rc_nopki=$?
    mkdir -p /etc/ca-kiosk/pki
    touch /etc/ca-kiosk/pki/platform-ca.pem /etc/ca-kiosk/pki/kiosk.pem /etc/ca-kiosk/pki/kiosk.key
    kioskctl token modules >/tmp/modules.txt 2>&1
    rc_modules=$?
    kioskctl token list >/tmp/list.txt 2>&1
    rc_list=$?
    echo '{ "schema_version": 1, "kiosk_id": "bad id!" }' >/tmp/bad.json
    kioskctl --config /tmp/bad.json token list >/tmp/bad.txt 2>&1
    rc_bad=$?
    set -e
    [ $rc_nopki -eq 3 ] || fail "kioskctl token list without the PKI files exits $rc_nopki: $(cat /tmp/nopki.txt)"
    grep -q "platform.ca_file: file not found: /etc/ca-kiosk/pki/platform-ca.pem" /tmp/nopki.txt ||
      fail "the missing PKI file is not named: $(cat /tmp/nopki.txt)"
    [ $rc_modules -eq 0 ] || fail "kioskctl token modules exits $rc_modules: $(cat /tmp/modules.txt)"
    # The default configuration names the Haitai driver, which a clean system does not have: 10 (driver
    # missing) says the configuration was read and the brand's module looked for.
    [ $rc_list -eq 10 ] || fail "kioskctl token list exits $rc_list (want 10, driver missing): $(cat /tmp/list.txt)"
    grep -q "libhtpkcs11.so" /tmp/list.txt || fail "kioskctl token list does not name the configured driver"
    [ $rc_bad -eq 3 ] || fail "a bad configuration exits $rc_bad, not 3: $(cat /tmp/bad.txt)"
    grep -q "kiosk_id" /tmp/bad.txt || fail "the bad configuration's field is not named: $(cat /tmp/bad.txt)"
    ok "kioskctl reads /etc/ca-kiosk/kiosk.json (no PKI files: exit 3, named; then the missing driver: exit 10; a bad file: exit 3)"
    # The units, checked offline.
    systemd-analyze verify --man=no /lib/systemd/system/ca-kiosk.service /lib/systemd/system/ca-kiosk-paused.service \
      /lib/systemd/system/ca-platform-ref.service >/tmp/verify.txt 2>&1 || {
      cat /tmp/verify.txt
      fail "systemd-analyze verify"
    }
    [ -s /tmp/verify.txt ] && cat /tmp/verify.txt
    ok "systemd-analyze verify: ca-kiosk.service, ca-kiosk-paused.service, ca-platform-ref.service"
    for u in ca-kiosk ca-kiosk-paused ca-platform-ref; do
      systemd-analyze security --offline=true /lib/systemd/system/$u.service 2>/dev/null | tail -1
    done
    # The reference platform's first start as its unit does it (init then serve), by hand: no systemd here.
    d=$(mktemp -d)
    ca-platform-ref --init "$d" --port 18443 >/dev/null || fail "ca-platform-ref --init"
    ca-platform-ref --data "$d" --port 18443 --dev >/tmp/ref.log 2>&1 &
    ref=$!
    for _ in $(seq 50); do grep -q serving /tmp/ref.log && break; sleep 0.2; done
    KIOSK_CONFIG=$d/kiosk.json kioskctl platform ping >/tmp/ping.txt 2>&1 || fail "kioskctl platform ping: $(cat /tmp/ping.txt)"
    kill $ref
    wait $ref || true
    ok "ca-platform-ref serves its installed catalog; kioskctl platform ping over mutual TLS"
    ;;
  upgrade)
    N1=$1
    printf 'before' >/etc/ca-kiosk/marker
    sha_before=$(sha256sum /etc/ca-kiosk/kiosk.json)
    apt-get update -qq
    # The policy ca-kiosk ships: only the CA's repository, no reboot.
    unattended-upgrade -d >/tmp/uu.log 2>&1 || {
      tail -30 /tmp/uu.log
      fail "unattended-upgrade"
    }
    grep -q "Allowed origins are: origin=CA Kiosk,label=ca-kiosk$" /tmp/uu.log ||
      fail "unattended-upgrades is not limited to the CA's repository: $(grep 'Allowed origins' /tmp/uu.log)"
    ok "unattended-upgrades allowed origins: origin=CA Kiosk,label=ca-kiosk only"
    for p in "${PKGS[@]}"; do  # what unattended-upgrades said, when it did not upgrade everything
      [ "$(dpkg-query -W -f='${Version}' "$p")" = "$N1" ] || {
        grep -v "^Checking: " /tmp/uu.log | tail -40
        break
      }
    done
    versions_are "$N1"
    [ "$(sha256sum /etc/ca-kiosk/kiosk.json)" = "$sha_before" ] || fail "the upgrade changed /etc/ca-kiosk/kiosk.json"
    [ -e /etc/ca-kiosk/marker ] || fail "the upgrade removed /etc/ca-kiosk content"
    rm /etc/ca-kiosk/marker
    ok "upgrade kept /etc/ca-kiosk as enrollment wrote it, without a dpkg prompt"
    # Without the demo package, --demo names it.
    apt-get remove -y -qq ca-kiosk-demo >/dev/null
    set +e
    : >/tmp/empty-script.txt  # the demo's own script is in the demo package too
    SDL_VIDEODRIVER=dummy ca-kiosk --demo --headless --script /tmp/empty-script.txt --out /tmp/shots \
      >/tmp/demo.txt 2>&1
    rc=$?
    set -e
    [ $rc -eq 3 ] || fail "ca-kiosk --demo without ca-kiosk-demo exits $rc: $(tail -5 /tmp/demo.txt)"
    grep -q "install the package ca-kiosk-demo" /tmp/demo.txt || fail "--demo does not name the package: $(tail -5 /tmp/demo.txt)"
    ok "ca-kiosk --demo without the demo package: $(grep -o 'install the package ca-kiosk-demo[^)]*' /tmp/demo.txt | head -1)"
    ;;
  purge)
    mkdir -p /var/lib/ca-kiosk && echo state >/var/lib/ca-kiosk/journal.db  # as the running kiosk leaves it
    apt-get purge -y -qq "${PKGS[@]}" >/tmp/purge.log 2>&1 || {
      cat /tmp/purge.log
      fail "apt-get purge"
    }
    left=$(dpkg -l "${PKGS[@]}" 2>/dev/null | awk '/^[a-z][a-z] /{print $1, $2}' | grep -v '^un ' || true)
    [ -z "$left" ] || fail "dpkg still knows: $left"
    snapshot >/root/after.txt
    # Policy keeps the system user (9.2.2) and the shadow files' backups that adding it made.
    # Left out too: the test's own repository (N+1 published into it) and /etc/apt/sources.list, which
    # appears during the unattended-upgrade step (none of our packages ships it: dpkg -S finds no owner).
    dpkg -S /etc/apt/sources.list >/dev/null 2>&1 && fail "a package owns /etc/apt/sources.list"
    extra=$(comm -13 /root/before.txt /root/after.txt |
      grep -Ev '^/etc/(passwd|group|shadow|gshadow)-$|^/srv/ca-kiosk-repo/|^/etc/apt/sources.list$' || true)
    gone=$(comm -23 /root/before.txt /root/after.txt | grep -v '^/srv/ca-kiosk-repo/' || true)
    [ -z "$extra" ] || fail "purge leaves: $extra"
    [ -z "$gone" ] || fail "purge removed what was there before: $gone"
    ok "purge leaves nothing but the ca-kiosk user ($(id ca-kiosk 2>/dev/null || echo gone))"
    ;;
  *)
    fail "unknown step $STEP"
    ;;
esac
