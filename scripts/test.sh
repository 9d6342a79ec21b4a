#!/usr/bin/env bash
# Padu's whole test suite: formatting, lints, documentation, dependency policy, and
# every test on SQLite and a real PostgreSQL, and the web pages in a real headless Chromium.
# This is the README's test command; .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-postgres.sh
bash scripts/ensure-chromium.sh
export PADU_TEST_PG_URL="${PADU_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"

# Each stage says when it starts and the run says how long it took, so a slow
# CI log shows where the time went.
stage() { echo "== $* ($(date -u +%H:%M:%S), ${SECONDS}s in)"; }
trap 'echo "== done or stopped after ${SECONDS}s"' EXIT

stage cargo fmt --check
cargo fmt --all --check

stage cargo clippy
cargo clippy --workspace --all-targets --locked -- -D warnings

stage cargo doc
# padu-dist is linted (clippy, missing_docs) and tested, but not documented
# here: documenting it re-checks all of DataFusion and Ballista under the
# non-test feature set, which took 14 minutes of a CI run.
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --exclude padu-dist --no-deps --locked

stage cargo deny
bash scripts/deny.sh

stage cargo test
cargo test --workspace --locked
