#!/usr/bin/env bash
# Dependency policy (deny.toml): licences, sources, bans and security advisories.
# Installs cargo-deny when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -q "$DENY_VERSION"; then
  echo "deny: installing cargo-deny $DENY_VERSION (once per machine)" >&2
  cargo install cargo-deny --locked --version "$DENY_VERSION" --quiet
fi

cargo deny --log-level error check licenses bans sources

# The RustSec advisory database is a Git repository on GitHub. Where GitHub can be
# reached it is fetched and checked; where it cannot (this project's CI machines reach
# package registries only) the check cannot run, and this says so loudly instead of
# passing silently.
if cargo deny --log-level error fetch db >/dev/null 2>&1; then
  cargo deny --log-level error check advisories
else
  echo "deny: WARNING: security advisories NOT checked: the RustSec database (github.com/rustsec/advisory-db) cannot be fetched from this machine" >&2
fi
