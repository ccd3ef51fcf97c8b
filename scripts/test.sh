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

step "the handbook"
mdbook build book

step "summary"
grep -E "^test result" target/test-output.txt | awk '{p+=$4; f+=$6} END {print p " passed, " f " failed"}'
