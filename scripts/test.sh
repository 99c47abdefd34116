#!/usr/bin/env bash
# The whole test suite, on a fresh machine:
#   1. installs the PostgreSQL server from Debian's packages if it is missing
#      (the tests start throwaway clusters themselves; nothing is left running);
#   2. runs the doc tests, then every unit and integration test with nextest.
# A test that needs PostgreSQL fails (never skips) if the server cannot start.
set -euo pipefail
cd "$(dirname "$0")/.."

have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }

if ! have_pg; then
  echo "==> PostgreSQL server not found: installing Debian's postgresql package"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "==> installing cargo-nextest"
  cargo install cargo-nextest --locked
fi

echo "==> doc tests"
cargo test --workspace --doc --quiet

echo "==> unit and integration tests"
cargo nextest run --workspace --no-fail-fast
