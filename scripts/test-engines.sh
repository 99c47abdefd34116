#!/usr/bin/env bash
# The engine lane alone: the tests on a real Citus cluster (a coordinator
# and two workers started on temp dirs and free ports). Needs the build
# scripts/build-citus.sh leaves in .cache/citus; fails, saying so, without it.
#
#   ./scripts/build-citus.sh /path/to/citus   # once (tag v13.2.2, ~8 min)
#   ./scripts/test-engines.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f .cache/citus/root/usr/lib/postgresql/15/lib/citus.so ]; then
  echo "test-engines: no Citus build in .cache/citus; run scripts/build-citus.sh /path/to/citus first" >&2
  exit 1
fi
cargo nextest run -p retort-cli --test citus --no-fail-fast
