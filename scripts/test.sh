#!/usr/bin/env bash
# Padu's whole test suite: formatting, lints, documentation, dependency policy, and
# every test on SQLite and a real PostgreSQL, and the web pages in a real headless Chromium.
# This is the README's test command; .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-postgres.sh
bash scripts/ensure-chromium.sh
export PADU_TEST_PG_URL="${PADU_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"

echo "== cargo fmt --check"
cargo fmt --all --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

echo "== cargo deny"
bash scripts/deny.sh

echo "== cargo test"
cargo test --workspace --locked
