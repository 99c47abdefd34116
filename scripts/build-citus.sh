#!/usr/bin/env bash
# Builds Citus once, from a Citus source tree you point it at, into the
# ignored folder .cache/citus of this checkout. The engine tests use it when
# it is there (./scripts/test.sh says plainly when it is not).
#
#   ./scripts/build-citus.sh /path/to/citus      # a checkout of tag v13.2.2
#
# Citus 13.2 is the newest release that supports PostgreSQL 15, Debian's
# server. The build needs root (it installs Debian's build dependencies) and
# takes about 8 minutes on 2 cores. Nothing is written outside .cache/citus:
# Citus is installed into a copy of Debian's PostgreSQL 15 tree, which
# finds its own share/ and lib/ relative to its binaries.
set -euo pipefail

src=${1:?usage: scripts/build-citus.sh CITUS_SOURCE_TREE (tag v13.2.2)}
src=$(cd "$src" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/.cache/citus
pg=/usr/lib/postgresql/15

if [ ! -f "$src/citus.control" ] && [ ! -f "$src/src/backend/distributed/citus.control" ]; then
    echo "build-citus: $src is not a Citus source tree (no citus.control)" >&2
    exit 2
fi

deps="postgresql-15 postgresql-server-dev-15 liblz4-dev libzstd-dev libkrb5-dev
      libselinux1-dev libxslt1-dev libpam0g-dev libreadline-dev"
missing=$(for d in $deps; do dpkg -s "$d" >/dev/null 2>&1 || echo "$d"; done)
if [ -n "$missing" ]; then
    echo "build-citus: installing from Debian:" $missing
    DEBIAN_FRONTEND=noninteractive apt-get install -y $missing >/dev/null
fi

rm -rf "$out"
mkdir -p "$out/root/usr/lib/postgresql" "$out/root/usr/share/postgresql"
# The source tree is copied: the compatibility fix below must not touch it.
cp -a "$src" "$out/src"
cp -a "$pg" "$out/root/usr/lib/postgresql/15"
cp -a /usr/share/postgresql/15 "$out/root/usr/share/postgresql/15"

# Debian's 15.20 exports have_createdb_privilege(); Citus 13.2 carries a
# static inline copy for older minor releases, and the two clash.
compat=$out/src/src/include/pg_version_compat.h
if grep -q 'have_createdb_privilege' /usr/include/postgresql/15/server/commands/dbcommands.h; then
    awk '
        /^static inline bool$/ { held = $0; next }
        held != "" && /^have_createdb_privilege\(void\)$/ { skip = 1; held = ""; next }
        held != "" { print held; held = "" }
        skip && /^}$/ { skip = 0; next }
        !skip { print }
    ' "$compat" > "$compat.new"
    mv "$compat.new" "$compat"
fi

cd "$out/src"
./configure --without-libcurl PG_CONFIG="$pg/bin/pg_config" > "$out/configure.log"
make -j"$(nproc)" > "$out/make.log" 2>&1 || { tail -30 "$out/make.log" >&2; exit 1; }
make install DESTDIR="$out/stage" > "$out/install.log" 2>&1
# The staged files land under the system paths; move them into the copy.
cp -a "$out/stage/usr/lib/postgresql/15/." "$out/root/usr/lib/postgresql/15/"
cp -a "$out/stage/usr/share/postgresql/15/." "$out/root/usr/share/postgresql/15/"
cd "$here"
rm -rf "$out/stage" "$out/src"
chmod -R a+rX "$out"
"$out/root/usr/lib/postgresql/15/bin/postgres" --version > "$out/VERSION"
git -C "$src" describe --tags 2>/dev/null >> "$out/VERSION" || true
echo "build-citus: Citus installed into $out/root ($(tr '\n' ' ' < "$out/VERSION"))"
