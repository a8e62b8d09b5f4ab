#!/usr/bin/env bash
# Builds the Debian packages ca-kiosk, ca-kiosk-demo and ca-platform-ref (deploy/debian, docs/packaging.md)
# into build-deb/debs/<version>/ and checks them with lintian (no error allowed). deploy/dev.sh package
# calls it after installing the packaging tools.
#
# The version comes from `git describe`: with a tag vX.Y.Z, X.Y.Z+<commits since>.g<hash>; before the
# first tag, <project version>+git<commit count>.g<hash> (the count keeps versions in order along main).
# A tree with uncommitted changes gets +dirty. KIOSK_DEB_VERSION overrides it (the upgrade test makes N+1).
# The programs print the same string for --version.
#
# Environment: KIOSK_DEB_VERSION, KIOSK_DEB_OUT (default build-deb), KIOSK_JOBS, and ccache's
# CMAKE_CXX_COMPILER_LAUNCHER / CMAKE_C_COMPILER_LAUNCHER, CCACHE_DIR, CCACHE_BASEDIR (passed through).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${KIOSK_DEB_OUT:-$ROOT/build-deb}
JOBS=${KIOSK_JOBS:-$(nproc)}

deb_version() {
  local project dirty=""
  project=$(sed -n 's/^project(ca_kiosk VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
  [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && dirty="+dirty"
  if desc=$(git describe --tags --match 'v[0-9]*' 2>/dev/null); then
    # v1.2.3 or v1.2.3-4-gabcdef0
    desc=${desc#v}
    if [[ $desc == *-*-g* ]]; then
      echo "${desc%%-*}+$(echo "${desc#*-}" | tr - .)$dirty"
    else
      echo "$desc$dirty"
    fi
  else
    echo "$project+git$(git rev-list --count HEAD).g$(git rev-parse --short=10 HEAD)$dirty"
  fi
}

VERSION=${KIOSK_DEB_VERSION:-$(deb_version)}
mkdir -p "$OUT/debs"
echo "$VERSION" >"$OUT/debs/latest"
DEBS=$OUT/debs/$VERSION
# A committed version already built is not built again (KIOSK_DEB_REBUILD=1 forces it).
if [[ $VERSION != *dirty* ]] && [ "${KIOSK_DEB_REBUILD:-0}" != 1 ] && [ "$(ls "$DEBS"/*.deb 2>/dev/null | grep -vc dbgsym)" -eq 3 ]; then
  echo "==> ca-kiosk $VERSION already built: $DEBS"
  exit 0
fi
echo "==> packaging ca-kiosk $VERSION"

# The source tree: the repository's files as they are in the work tree (tracked and new, not ignored), and
# deploy/debian as debian/. Always the same folder, so ccache's hashes (which include the compiler's
# -ffile-prefix-map of this path) carry over from one version to the next.
SRC=$OUT/src/ca-kiosk
rm -rf "$OUT/src"
mkdir -p "$SRC"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -C "$SRC" -xf -
cp -a deploy/debian "$SRC/debian"
cat >"$SRC/debian/changelog" <<CHANGELOG
ca-kiosk ($VERSION) bookworm; urgency=medium

  * Built by deploy/package.sh from $(git describe --always --dirty 2>/dev/null || echo "a tree without git").

 -- CA Kiosk Team <kiosk@example-ca.cn>  $(date -R)
CHANGELOG

cd "$SRC"
export KIOSK_VERSION=$VERSION
export DEB_BUILD_OPTIONS="parallel=$JOBS nocheck${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}"
dpkg-buildpackage -b -us -uc >"$OUT/build.log" 2>&1 || {
  tail -40 "$OUT/build.log"
  echo "deploy/package.sh: dpkg-buildpackage failed (whole log: $OUT/build.log)" >&2
  exit 1
}
rm -rf "$DEBS"
mkdir -p "$DEBS"
mv "$OUT"/src/*.deb "$OUT"/src/*.changes "$OUT"/src/*.buildinfo "$DEBS"/
echo "==> lintian (errors fail the build; the warnings kept are in docs/packaging.md)"
lintian --fail-on error --info \
  "$DEBS"/*.changes
ls -l "$DEBS"/*.deb
echo "==> packages in $DEBS"
