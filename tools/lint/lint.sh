#!/usr/bin/env bash
# Lints an OpenAPI file with the pinned Redocly CLI and tools/lint/redocly.yaml (the recommended rules,
# every one an error): exit 0 only with no problem at all.
#   tools/lint/lint.sh FILE
#   tools/lint/lint.sh --expect-problems RULE... -- FILE   the file must fail, naming each RULE (the
#                                                           check that the lint can fail)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
expect=()
if [ "${1:-}" = "--expect-problems" ]; then
  shift
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do expect+=("$1"); shift; done
  shift
fi
file=${1:?usage: lint.sh [--expect-problems RULE... --] FILE}
redocly=$here/node_modules/.bin/redocly
if [ ! -x "$redocly" ]; then
  echo "lint: Redocly CLI is not installed: run tools/lint/install.sh (deploy/dev.sh does)" >&2
  exit 1
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1 FORCE_COLOR=0
pinned=$(node -p "require('$here/package.json').dependencies['@redocly/cli']")
installed=$("$redocly" --version)
echo "lint: node $(node --version), Redocly CLI $installed"
if [ "$installed" != "$pinned" ]; then
  echo "lint: Redocly CLI $installed installed, package.json pins $pinned: run tools/lint/install.sh" >&2
  exit 1
fi
set +e
out=$("$redocly" lint --config "$here/redocly.yaml" --format=stylish "$file" 2>&1)
rc=$?
set -e
echo "$out"
if [ ${#expect[@]} -eq 0 ]; then
  exit $rc
fi
if [ $rc -eq 0 ]; then
  echo "lint: expected problems (${expect[*]}), the linter found none" >&2
  exit 1
fi
for rule in "${expect[@]}"; do
  if ! grep -q "error  *$rule " <<<"$out"; then
    echo "lint: expected an error from rule $rule, none" >&2
    exit 1
  fi
done
echo "lint: the expected problems were found (${expect[*]})"
