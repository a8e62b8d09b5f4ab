#!/usr/bin/env bash
# The polkit rule the package ships (deploy/debian/polkit/50-ca-kiosk.rules, docs/staff.md "Reboot and
# power off"), judged by Debian's own polkitd (its duktape engine, its init script, its defaults) and asked
# with pkcheck: the kiosk's user may do org.freedesktop.login1.reboot and .power-off, and nothing else; any
# other user may not. polkitd runs on a private bus the test starts, in a mount namespace of its own where
# the rules directories hold this rule only and /etc/passwd knows the kiosk's user (named by
# deploy/debian/ca-kiosk.sysusers). No logind runs here, so no subject is in a session: what the kiosk's user
# gets is the rule's doing, not an active session's default.
# Exit 77 (skipped, said) without root, unshare, dbus-daemon, polkitd or pkcheck (deploy/dev.sh installs
# polkitd).
set -euo pipefail
rule=${1:?usage: polkit_rule_test.sh RULE SYSUSERS}
sysusers=${2:?usage: polkit_rule_test.sh RULE SYSUSERS}
polkitd=/usr/lib/polkit-1/polkitd

if [ "${POLKIT_RULE_TEST_INSIDE:-}" != 1 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "SKIPPED: needs root (a mount namespace, other users' processes)"; exit 77; }
  for tool in unshare dbus-daemon pkcheck setpriv; do
    command -v "$tool" >/dev/null || { echo "SKIPPED: no $tool"; exit 77; }
  done
  [ -x "$polkitd" ] || { echo "SKIPPED: no $polkitd (package polkitd)"; exit 77; }
  POLKIT_RULE_TEST_INSIDE=1 exec unshare --mount --propagation private -- "$0" "$@"
fi

user=$(awk '$1 == "u" { print $2; exit }' "$sysusers")
[ -n "$user" ] || { echo "FAIL: no user in $sysusers"; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"  # polkitd reads the rules as its own user

# The rules directories: this rule only. /etc/passwd and /etc/group: the machine's, plus the kiosk's user.
mkdir -p "$tmp/usr-rules" "$tmp/etc-rules"
cp "$rule" "$tmp/usr-rules/"
chmod 644 "$tmp/usr-rules/"*
mkdir -p /etc/polkit-1/rules.d /usr/share/polkit-1/rules.d
mount --bind "$tmp/usr-rules" /usr/share/polkit-1/rules.d
mount --bind "$tmp/etc-rules" /etc/polkit-1/rules.d
if ! getent passwd "$user" >/dev/null; then
  id=64711
  cp /etc/passwd "$tmp/passwd"
  cp /etc/group "$tmp/group"
  echo "$user:x:$id:$id:kiosk:/nonexistent:/usr/sbin/nologin" >>"$tmp/passwd"
  echo "$user:x:$id:" >>"$tmp/group"
  chmod 644 "$tmp/passwd" "$tmp/group"
  mount --bind "$tmp/passwd" /etc/passwd
  mount --bind "$tmp/group" /etc/group
fi

cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path=$tmp/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
pids+=("$(dbus-daemon --fork --print-pid --config-file="$tmp/bus.conf")")
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/bus"
"$polkitd" >"$tmp/polkitd.log" 2>&1 &
pids+=($!)
until grep -q "Acquired the name org.freedesktop.PolicyKit1" "$tmp/polkitd.log"; do
  kill -0 "${pids[-1]}" 2>/dev/null || { cat "$tmp/polkitd.log"; echo "FAIL: polkitd ended"; exit 1; }
  sleep 0.1
done
grep -qi "error" "$tmp/polkitd.log" && { cat "$tmp/polkitd.log"; echo "FAIL: polkitd reports an error"; exit 1; }

# A process of each user for pkcheck to ask about (polkit judges a process: its uid, its start time).
setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups sleep 600 >/dev/null 2>&1 &
kiosk=$!
setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups sleep 600 >/dev/null 2>&1 &
other=$!
pids+=("$kiosk" "$other")

verdict() {  # PID ACTION: pkcheck's exit status (0 yes, 1 no, 2 a password wanted)
  local rc=0
  pkcheck --action-id "$2" --process "$1" >/dev/null 2>&1 || rc=$?
  echo $rc
}
failures=0
others=0
for a in org.freedesktop.login1.reboot org.freedesktop.login1.power-off; do
  k=$(verdict "$kiosk" $a)
  o=$(verdict "$other" $a)
  if [ "$k" -eq 0 ] && [ "$o" -ne 0 ]; then
    echo "ok   $a: $user yes, nobody $o"
  else
    echo "FAIL $a: $user $k (want 0), nobody $o (want not 0)"
    failures=$((failures + 1))
  fi
done
# What the two imply by systemd's policy (org.freedesktop.policykit.imply: set-wall-message, the note logged-in
# users see before the shutdown): polkit grants it with them, whatever a rule says.
implied=$(for a in org.freedesktop.login1.reboot org.freedesktop.login1.power-off; do
  pkaction --verbose --action-id $a | sed -n 's/.*org.freedesktop.policykit.imply -> //p' | tr ' ' '\n'
done | sort -u | sed '/^$/d')
for a in $implied; do
  k=$(verdict "$kiosk" "$a")
  [ "$k" -eq 0 ] || { echo "FAIL $a (implied by reboot or power-off): $user $k"; failures=$((failures + 1)); }
done
echo "ok   implied by them in polkit's policy, so granted with them: ${implied:-nothing}"
# Every other action polkitd knows: the kiosk's user gets what any other user gets (the rule adds nothing).
actions=$(pkaction)
[ "$(wc -l <<<"$actions")" -gt 20 ] || { echo "FAIL: pkaction lists too few actions: $actions"; exit 1; }
before=$failures
for a in $actions; do
  case $a in org.freedesktop.login1.reboot | org.freedesktop.login1.power-off) continue ;; esac
  grep -qxF "$a" <<<"$implied" && continue
  k=$(verdict "$kiosk" "$a")
  o=$(verdict "$other" "$a")
  if [ "$k" != "$o" ]; then
    echo "FAIL $a: $user $k, nobody $o"
    failures=$((failures + 1))
  fi
  others=$((others + 1))
done
for a in reboot-multiple-sessions reboot-ignore-inhibit power-off-multiple-sessions power-off-ignore-inhibit; do
  k=$(verdict "$kiosk" org.freedesktop.login1.$a)
  [ "$k" -ne 0 ] || { echo "FAIL org.freedesktop.login1.$a: $user allowed"; failures=$((failures + 1)); }
done
[ $failures -eq "$before" ] &&
  echo "ok   $others other actions: $user gets what nobody gets; the -multiple-sessions and -ignore-inhibit variants not granted"
[ $failures -eq 0 ] || { echo "polkit_rule_test: $failures failed"; exit 1; }
echo "polkit_rule_test: passed (polkitd $(dpkg-query -W -f='${Version}' polkitd 2>/dev/null || echo '?'))"
