#!/usr/bin/env bash
# Installs the pinned OpenAPI linter (Redocly CLI, exactly as package-lock.json says) into
# tools/lint/node_modules from the npm registry with `npm ci`. Set-up time only (deploy/dev.sh), never
# at build time. A no-op when node_modules already holds this lock's install.
# Needs Node ≥ 18.17 and npm: Debian 12's nodejs and npm packages. Where the nodejs installed already
# carries npm (NodeSource's conflicts with Debian's npm package), it is used as it is.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.kiosk-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -x node_modules/.bin/redocly ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "==> installing: npm"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
fi
echo "==> tools/lint: npm ci (Redocly CLI $(node -p "require('./package.json').dependencies['@redocly/cli']"))"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
