#!/usr/bin/env bash
# The packages on a clean system (deploy/dev.sh package-test; docs/packaging.md):
#   1. builds version N of ca-kiosk, ca-kiosk-demo and ca-platform-ref (deploy/package.sh) and N+1 (the same
#      tree as version N.1; ccache makes it quick);
#   2. publishes N in a local APT repository of the CA's own, signed with a throwaway test key;
#   3. makes a clean Debian 12 root with mmdebstrap (the machine's own Debian sources), points it at the
#      repository with signed-by=, and in it (deploy/package-test-root.sh): installs N with apt (the
#      dependencies from the Debian registry), checks each program's --version, kioskctl reading the
#      installed configuration, the units with systemd-analyze verify, the reference platform over mutual
#      TLS; publishes N+1 and lets unattended-upgrades (only the CA's repository) upgrade to it; checks
#      --demo without the demo package; purges and checks nothing is left.
# Not in `deploy/dev.sh test`: it takes minutes (the root's downloads are cached in build-deb/apt-cache).
# Not covered yet: an upgrade while a renewal runs in the root (the safe stop and the resume are tested
# outside it: tests/engine/stop_sweep_test, tests/service).
# Environment: KIOSK_PKGTEST_N (above), KIOSK_PKGTEST_KEEP=1 keeps build-deb/package-test/ (the root is always removed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${KIOSK_DEB_OUT:-$ROOT/build-deb}
WORK=$OUT/package-test
T0=$(date +%s)

publish() {  # version: the repository holds exactly that version of the three packages
  local repo=$1 version=$2
  rm -f "$repo"/*.deb "$repo"/Packages* "$repo"/Release* "$repo"/InRelease
  cp "$OUT/debs/$version"/*.deb "$repo"/
  (
    cd "$repo"
    apt-ftparchive packages . >Packages
    apt-ftparchive -o APT::FTPArchive::Release::Origin="CA Kiosk" -o APT::FTPArchive::Release::Label=ca-kiosk \
      -o APT::FTPArchive::Release::Suite=stable -o APT::FTPArchive::Release::Codename=kiosk release . >Release
    gpg --batch --yes --quiet --clearsign -o InRelease Release
    gpg --batch --yes --quiet -abs -o Release.gpg Release
  )
}
# A hook in the root publishes N+1 with the same key.
if [ "${1:-}" = --publish ]; then
  publish "$2" "$3"
  exit 0
fi
stamp() { echo "==> [$(($(date +%s) - T0)) s] $*"; }

# ---- 1. N and N+1 ----
# KIOSK_PKGTEST_N=<version> takes an N built before (build-deb/debs/<version>) instead of building one.
if [ -n "${KIOSK_PKGTEST_N:-}" ]; then
  N=$KIOSK_PKGTEST_N
else
  "$ROOT/deploy/package.sh"
  N=$(cat "$OUT/debs/latest")
fi
KIOSK_DEB_VERSION="$N.1" "$ROOT/deploy/package.sh"
N1="$N.1"
stamp "built $N and $N1"

# ---- 2. the CA's repository, signed with a test key ----
GNUPGHOME=$WORK/gnupg gpgconf --kill gpg-agent 2>/dev/null || true  # a kept key's agent from a run before
rm -rf "$WORK"
mkdir -p "$WORK/repo" "$WORK/gnupg" "$OUT/apt-cache"
chmod 700 "$WORK/gnupg"
export GNUPGHOME=$WORK/gnupg
gpg --batch --quiet --passphrase '' --quick-gen-key "CA Kiosk test repository <repo-test@example-ca.cn>" \
  ed25519 sign 1d 2>/dev/null
gpg --batch --export >"$WORK/ca-kiosk-test.gpg"

publish "$WORK/repo" "$N"
stamp "repository signed with the test key, holding $N"

# ---- 3. the clean root ----
export ROOT WORK OUT N N1
SOURCES=/etc/apt/sources.list.d/debian.sources
[ -e "$SOURCES" ] || SOURCES=/etc/apt/sources.list
step() {  # a customize hook: run one step of package-test-root.sh in the root ($1), args after
  printf '%s' "chroot \"\$1\" /root/package-test-root.sh $*"
}
mmdebstrap --variant=apt --include=systemd,unattended-upgrades,ca-certificates --format=directory \
  --setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
  --setup-hook='cp -a "$OUT/apt-cache/." "$1/var/cache/apt/archives/" 2>/dev/null || true' \
  --customize-hook='cp -a "$1/var/cache/apt/archives/." "$OUT/apt-cache/"' \
  --customize-hook='install -m 755 "$ROOT/deploy/package-test-root.sh" "$1/root/"' \
  --customize-hook='mkdir -p "$1/root/debs" && cp "$OUT/debs/$N"/ca-kiosk_*.deb "$OUT/debs/$N"/ca-kiosk-demo_*.deb "$OUT/debs/$N"/ca-platform-ref_*.deb "$1/root/debs/"' \
  --customize-hook="$(step deps)" \
  --customize-hook='cp -a "$1/var/cache/apt/archives/." "$OUT/apt-cache/"' \
  --customize-hook='mkdir -p "$1/srv/ca-kiosk-repo" && cp -a "$WORK/repo/." "$1/srv/ca-kiosk-repo/"' \
  --customize-hook='install -m 644 "$WORK/ca-kiosk-test.gpg" "$1/usr/share/keyrings/ca-kiosk-test.gpg"' \
  --customize-hook='echo "deb [signed-by=/usr/share/keyrings/ca-kiosk-test.gpg] file:/srv/ca-kiosk-repo ./" >"$1/etc/apt/sources.list.d/ca-kiosk.list"' \
  --customize-hook="$(step install "$N")" \
  --customize-hook='"$ROOT/deploy/package-test.sh" --publish "$1/srv/ca-kiosk-repo" "$N1"' \
  --customize-hook="$(step upgrade "$N1")" \
  --customize-hook="$(step purge)" \
  --customize-hook='echo "==> all package tests passed in the clean root"' \
  bookworm "$WORK/root" "$SOURCES" 2>&1 | grep -v '^I: \|^W: Download is performed unsandboxed'
rc=${PIPESTATUS[0]}
rm -rf "$WORK/root"
gpgconf --kill gpg-agent 2>/dev/null || true
[ "${KIOSK_PKGTEST_KEEP:-0}" = 1 ] || rm -rf "$WORK/gnupg"
[ "$rc" -eq 0 ] || {
  stamp "package test FAILED"
  exit 1
}
stamp "package test passed"
