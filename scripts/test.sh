#!/usr/bin/env bash
# The whole test suite, as CI runs it: system packages the integration tests need
# (slapd, Samba AD DC, PostgreSQL), build, type check, lint, then every vitest suite.
# Integration suites start their own throwaway servers; none is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh
bash scripts/deps/chromium.sh
echo "== build"; npm run --silent build
echo "== typecheck"; npx tsc -p tsconfig.check.json
echo "== lint"; npx eslint .
echo "== tests"; npx vitest run "$@"
