#!/usr/bin/env bash
# The one test command: installs what the tests need on a fresh machine, then runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v sipp >/dev/null 2>&1; then
  echo "installing SIPp (Debian package sip-tester)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq sip-tester
  else sudo apt-get update -qq && sudo apt-get install -y -qq sip-tester; fi
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json --noEmit
npx vitest run "$@"
