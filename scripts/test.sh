#!/usr/bin/env bash
# The one test command: installs what the tests need on a fresh machine, then runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v sipp >/dev/null 2>&1; then
  echo "installing SIPp (Debian package sip-tester)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq sip-tester
  else sudo apt-get update -qq && sudo apt-get install -y -qq sip-tester; fi
fi
# the console's browser tests drive Debian's Chromium (playwright-core never downloads a browser)
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Chromium (Debian package chromium)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
# the media engine's native UDP layer (npm's install step builds it; a checkout installed before it existed has none)
if [ "$(uname -s)" = Linux ] && [ ! -f build/Release/livecall_rtp_io.node ]; then npm run install; fi
npx tsc -p tsconfig.json --noEmit
report=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile="$report" "$@" || status=$?
# the plain closing line CI reads: "N passed, N failed"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)
' "$report" || true
rm -f "$report"
exit $status
