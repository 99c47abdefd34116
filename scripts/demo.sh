#!/usr/bin/env bash
# The main job, on a fresh machine: build retort, apply the example project's
# migrations to an embedded SQLite database, and show history and current.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p retort-cli
retort="$PWD/target/release/retort"
cd examples/resumator
db="$(mktemp -d)/resumator.db"
export RETORT_DATABASE_URL="sqlite:///$db"
run() { echo "\$ retort $*"; "$retort" "$@"; echo; }
echo "Database: $RETORT_DATABASE_URL"
echo
run upgrade head
run history --indicate-current
run current --verbose
