#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then runs them.
# Usage: scripts/test.sh            (everything)
#        SKIP_SETUP=1 scripts/test.sh (when the tools are already installed)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ -z "${SKIP_SETUP:-}" ]; then
  step "set-up"
  scripts/setup.sh
fi

step "services: PostgreSQL"
BLANKETT_TEST_POSTGRES=$(scripts/postgres.sh)
export BLANKETT_TEST_POSTGRES

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "unit, fixture and integration tests"
cargo test --workspace --quiet 2>&1 | tee target/test-output.txt | grep -E "^(test result|error|failures|---- )" || true
if grep -qE "^test result: FAILED|^error" target/test-output.txt; then
  cat target/test-output.txt | tail -80
  exit 1
fi

step "the shared form library and the example kommuner"
cargo run --quiet -- check forms examples
cargo run --quiet -- test forms examples

step "every generated page in a browser: axe with and without JavaScript, vnu"
# The OpenID Connect provider the e-ID browser test logs in through (oidc-provider from npm),
# with the runtime's callback on the port eid.test.mjs then serves on; stopped after.
if [ ! -d tests/browser/node_modules/oidc-provider ]; then
  (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
OIDC_PORT=${OIDC_PORT:-13000}
OIDC_PORT=$OIDC_PORT OIDC_REDIRECT=http://127.0.0.1:18181/auth/oidc/callback \
  node tests/browser/oidc-provider.mjs >target/oidc-provider.log 2>&1 &
OIDC_PID=$!
trap 'kill "$OIDC_PID" 2>/dev/null || true' EXIT
export OIDC_ISSUER=http://127.0.0.1:$OIDC_PORT
for _ in $(seq 100); do
  curl -fs "$OIDC_ISSUER/.well-known/openid-configuration" >/dev/null && break
  sleep 0.1
done
tests/browser/run.sh 2>&1 | tee target/browser-output.txt | grep -E "^(✖|ℹ (tests|pass|fail))|^(axe|vnu):" || true
kill "$OIDC_PID" 2>/dev/null || true
wait "$OIDC_PID" 2>/dev/null || true
if ! grep -q "^ℹ fail 0" target/browser-output.txt; then
  grep -A15 "^✖" target/browser-output.txt | head -80
  exit 1
fi

step "the handbook"
mdbook build book

step "summary"
{
  grep -E "^test result" target/test-output.txt | awk '{print $4, $6}'
  # The browser suite's node:test totals.
  awk '/^ℹ pass/ {p=$3} /^ℹ fail/ {f=$3} END {print p+0, f+0}' target/browser-output.txt
} | awk '{p+=$1; f+=$2} END {print p " passed, " f " failed"}'
