#!/usr/bin/env python3
"""Fleets: tenant schemas (issue 16). The time to migrate N tenant schemas
of one PostgreSQL database, with retort's fleet (one process) and with a
shell loop running one `retort upgrade` per schema.

    python3 bench/tenants.py                  # N = 100 (5 rounds) and 1,000 (3 rounds), ~15-20 minutes
    python3 bench/tenants.py --quick          # N = 20, 2 rounds: a smoke test
    python3 bench/tenants.py --sizes 100 --rounds 7
    python3 bench/tenants.py --sync-off       # also one run each with synchronous_commit off, largest N
    python3 bench/tenants.py --sizes 1000 --skip config,floor   # the fleet and the first loop only

The project is bench/tenants/ (five revisions: three tables with foreign
keys and indexes, a check constraint, seed rows, an added column, a jsonb
table). Variants, on the same throwaway PostgreSQL 15 cluster as
bench/run.py's (default settings, fsync on):

- `fleet -p1/-p4/-p8`: `retort --url URL upgrade --schemas-query Q --parallel K`
- `shell loop`: `for s in $(psql -XAt -d URL -c Q); do retort --url URL
  upgrade --schemas "$s" || exit 1; done` in bash: one process per schema,
  the same code path per schema (its own version and history tables in the
  schema, search_path set to it, its own lock).
- `shell loop, ${TENANT} in the config`: the loop a user writes without
  the fleet flags, `TENANT=$s retort -c retort-tenant.toml --url URL
  upgrade`, where bench/tenants/retort-tenant.toml's session statement is
  `SET search_path TO ${TENANT}`: the version and history tables are
  created unqualified and land in the schema. Same tables and rows; one
  difference: the run lock's key comes from the unqualified table name, so
  such runs would wait for each other if started concurrently.
- `psql ... (floor)`: the revisions' upgrade SQL alone, for every schema,
  one transaction per revision, as one script in one psql session: no
  version or history table, no lock, one connection. What the server needs
  for the DDL and rows themselves.

`--sync-off` adds one run of the fleet (-p1, -p8), the first loop and the
floor with `synchronous_commit = off` on the database, at the largest N:
how much of the time is waiting for commits to reach the disk.

Every measured run starts from N freshly created empty schemas (the
database is recreated from a template database holding them, then
CHECKPOINT, outside the timing). The variants run interleaved, the order
rotated each round; after each run every schema is checked (tables, foreign
keys, rows, version row at head, five history rows) and `public` is empty.
Then `current` across the N schemas: one command against a loop. Writes
bench/out/tenants.md and prints it.
"""
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as h  # noqa: E402  (bench/run.py: the shared harness)

PROJECT = os.path.join(h.BENCH, "tenants")
HEAD = "1a0000000005"
REVISIONS = 5
TABLES = ["accounts", "invoices", "retort_history", "retort_version", "settings", "users"]
FOREIGN_KEYS = 3  # users, invoices and settings -> accounts
ROWS = "3 accounts, 20 users, 10 invoices, 3 settings"
QUERY = r"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\_%' ORDER BY 1"
LOOP = 'for s in $(psql -XAt -d "$URL" -c "$Q"); do retort --url "$URL" {cmd} --schemas "$s" || exit 1; done'
# Without the fleet flags: retort-tenant.toml says `SET search_path TO ${TENANT}`.
ENV_LOOP = 'for s in $(psql -XAt -d "$URL" -c "$Q"); do TENANT=$s retort -c retort-tenant.toml --url "$URL" {cmd} || exit 1; done'


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def psql(url, *sqls):
    cmd = ["psql", "-q", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url]
    for sql in sqls:
        cmd += ["-c", sql]
    return h.run(cmd).stdout


def make_template(pg, n):
    """A database `tpl_N` holding N empty schemas tenant_0001.. (the fresh
    start of every run is a copy of it)."""
    db = f"tpl_{n}"
    psql(pg.url("postgres"), f"DROP DATABASE IF EXISTS {db}", f"CREATE DATABASE {db}")
    psql(pg.url(db), "".join(f"CREATE SCHEMA tenant_{i:04};" for i in range(1, n + 1)))
    return db


def reset(pg, template):
    """Untimed: the bench database again, N empty schemas, a checkpoint so
    that no run pays for the previous one's dirty pages."""
    psql(pg.url("postgres"), "DROP DATABASE IF EXISTS bench", f"CREATE DATABASE bench TEMPLATE {template}", "CHECKPOINT")


def per_schema(expr):
    """SQL: `expr` (a query on schema %1$I giving one value `v`) for the
    schema `s`, through query_to_xml (a dynamic query in plain SQL)."""
    return f"(xpath('/row/v/text()', query_to_xml(format('{expr}', s), false, true, '')))[1]::text"


# The tenant schemas of one chunk of a check: reading every table of 1,000
# schemas in one transaction would need more locks than the server's
# default lock table holds (max_locks_per_transaction).
CHUNK = r"SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE 'tenant\_%' ORDER BY 1 LIMIT 100 OFFSET {offset}"


def in_chunks(pg, n, sql):
    """Runs the check `sql` on each chunk of 100 schemas (one transaction
    each) and adds up its space-separated counts, except the last, which
    is the same for every chunk (tables in public)."""
    sums = None
    for offset in range(0, n, 100):
        got = [int(v) for v in psql(pg.url("bench"), sql.replace("{offset}", str(offset))).split()]
        sums = got if sums is None else [a + b for a, b in zip(sums, got)]
        if "public" in sql:
            sums[-1] = got[-1]
    return " ".join(map(str, sums))


def check(pg, n, variant):
    """Untimed, after each run: every tenant schema at head, with its
    tables, foreign keys, rows and one history row per revision; nothing
    in public. The psql floor keeps no version or history tables: only
    its schema and rows are checked."""
    if variant.startswith("psql"):
        return check_floor(pg, n, variant)
    tables = "ARRAY[" + ",".join(f"'{t}'" for t in TABLES) + "]"
    rows = per_schema("SELECT (SELECT count(*) FROM %1$I.accounts) || $$,$$ || (SELECT count(*) FROM %1$I.users)"
                      " || $$,$$ || (SELECT count(*) FROM %1$I.invoices) || $$,$$ || (SELECT count(*) FROM %1$I.settings) AS v")
    sql = f"""
WITH t AS ({CHUNK})
SELECT (SELECT count(*) FROM t)
 || ' ' || (SELECT count(*) FROM t WHERE (SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_tables
                                         WHERE schemaname = t.s) = {tables})
 || ' ' || (SELECT count(*) FROM t WHERE (SELECT count(*) FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
                                         WHERE ns.nspname = t.s AND c.contype = 'f') = {FOREIGN_KEYS})
 || ' ' || (SELECT count(*) FROM t WHERE {rows} = '3,20,10,3')
 || ' ' || (SELECT count(*) FROM t WHERE {per_schema("SELECT string_agg(version_num, $$,$$) AS v FROM %1$I.retort_version")} = '{HEAD}')
 || ' ' || (SELECT count(*) FROM t WHERE {per_schema("SELECT count(DISTINCT revision) || $$/$$ || count(*) AS v FROM %1$I.retort_history")} = '{REVISIONS}/{REVISIONS}')
 || ' ' || (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')
"""
    got = in_chunks(pg, n, sql)
    want = f"{n} {n} {n} {n} {n} {n} 0"
    if got != want:
        raise SystemExit(f"{variant}, {n} schemas: check failed: got {got!r} (schemas, tables, foreign keys, rows, "
                         f"version at head, history rows, tables in public), want {want!r}")


CPU = {}  # (n, variant) -> the CPU time (user + system) of the client processes of each run


def children_cpu():
    """User + system time of the finished child processes so far: retort
    (and, in the loop, bash and psql), not the database server."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def check_floor(pg, n, variant):
    tables = "ARRAY[" + ",".join(f"'{t}'" for t in TABLES if not t.startswith("retort_")) + "]"
    rows = per_schema("SELECT (SELECT count(*) FROM %1$I.users) || $$,$$ || (SELECT count(*) FROM %1$I.settings) AS v")
    sql = f"""
WITH t AS ({CHUNK})
SELECT (SELECT count(*) FROM t WHERE (SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_tables
                                      WHERE schemaname = t.s) = {tables})
 || ' ' || (SELECT count(*) FROM t WHERE {rows} = '20,3')"""
    got = in_chunks(pg, n, sql)
    if got != f"{n} {n}":
        raise SystemExit(f"{variant}, {n} schemas: check failed: {got!r} (tables, rows), want '{n} {n}'")


def floor_script(n):
    """The floor: the revisions' upgrade SQL for every schema, one
    transaction per revision, as one script for one psql session (no
    version or history table, no lock, one connection for all)."""
    revisions = []
    versions = os.path.join(PROJECT, "migrations", "versions")
    for name in sorted(os.listdir(versions)):
        text = open(os.path.join(versions, name)).read()
        revisions.append(text.split("-- +upgrade", 1)[1].split("-- +downgrade", 1)[0].strip())
    path = os.path.join(h.OUT, f"tenants-floor-{n}.sql")
    with open(path, "w") as f:
        for i in range(1, n + 1):
            f.write(f"SET search_path TO tenant_{i:04};\n")
            for sql in revisions:
                f.write(f"BEGIN;\n{sql}\nCOMMIT;\n")
    return path


def upgrade_variants(url, n):
    fleet = [h.RETORT, "--url", url, "upgrade", "--schemas-query", QUERY, "--parallel"]
    loop = ["bash", "-c", LOOP.format(cmd="upgrade")]
    variants = [
        ("fleet, --parallel 1", fleet + ["1"], {}),
        ("fleet, --parallel 4", fleet + ["4"], {}),
        ("fleet, --parallel 8", fleet + ["8"], {}),
        ("shell loop, one process per schema", loop, {"env": loop_env(url)}),
        ("shell loop, `${TENANT}` in the config", ["bash", "-c", ENV_LOOP.format(cmd="upgrade")], {"env": loop_env(url)}),
        ("psql, the revisions' SQL only, one session (floor)",
         ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", floor_script(n)], {}),
    ]
    # `--skip config,floor`: leave out the variants whose name has one of these words.
    skip = [w for w in arg("--skip", "").split(",") if w]
    return [v for v in variants if not any(w in v[0] for w in skip)]


def loop_env(url):
    return {"URL": url, "Q": QUERY, "PATH": os.path.dirname(h.RETORT) + os.pathsep + os.environ["PATH"]}


def timed_rounds(pg, n, template, variants, rounds, results, loads):
    """`rounds` rounds of every variant, the order rotated each round."""
    for r in range(rounds):
        order = variants[r % len(variants):] + variants[:r % len(variants)]
        for name, cmd, kw in order:
            reset(pg, template)
            loads.append(h.load())
            before = children_cpu()
            t = time.perf_counter()
            h.run(cmd, cwd=PROJECT, **kw)
            took = time.perf_counter() - t
            CPU.setdefault((n, name), []).append(children_cpu() - before)
            check(pg, n, name)
            results.setdefault((n, name), []).append(took)
            h.log(f"{n} schemas, round {r + 1}/{rounds}: {name:36} {h.fmt(took)} (load {loads[-1]:.2f})")


def current_rounds(pg, n, rounds, results):
    """`current` across the n migrated schemas: one command, and a loop."""
    url = pg.url("bench")
    variants = [
        ("`current`, fleet, --parallel 1", [h.RETORT, "--url", url, "current", "--schemas-query", QUERY], {}),
        ("`current`, shell loop", ["bash", "-c", LOOP.format(cmd="current")], {"env": loop_env(url)}),
    ]
    for _ in range(rounds):
        for name, cmd, kw in variants:
            before = children_cpu()
            t = time.perf_counter()
            p = h.run(cmd, cwd=PROJECT, **kw)
            results.setdefault((n, name), []).append(time.perf_counter() - t)
            CPU.setdefault((n, name), []).append(children_cpu() - before)
            if p.stdout.count(HEAD) != n:
                raise SystemExit(f"{name}: {p.stdout.count(HEAD)} lines at {HEAD}, want {n}")
            h.log(f"{n} schemas: {name:36} {h.fmt(results[(n, name)][-1])}")


def sync_off_round(pg, n, template, results):
    """One run each with synchronous_commit off for the bench database:
    how much of the time is waiting for commits to reach the disk."""
    for name, cmd, kw in upgrade_variants(pg.url("bench"), n):
        if "parallel 4" in name or "config" in name:
            continue
        reset(pg, template)
        psql(pg.url("postgres"), "ALTER DATABASE bench SET synchronous_commit = off")
        t = time.perf_counter()
        before = children_cpu()
        h.run(cmd, cwd=PROJECT, **kw)
        key = (n, name + ", synchronous_commit off (1 run)")
        results.setdefault(key, []).append(time.perf_counter() - t)
        CPU.setdefault(key, []).append(children_cpu() - before)
        check(pg, n, name)


def table(results, loads):
    lines = ["| schemas | variant | runs | median | min–max | per schema | loop ÷ this | client CPU |",
             "| ---: | --- | ---: | ---: | --- | ---: | ---: | ---: |"]
    for (n, name), times in results.items():
        med = statistics.median(times)
        loop = results.get((n, "shell loop, one process per schema")) if "`current`" not in name \
            else results.get((n, "`current`, shell loop"))
        ratio = f"{statistics.median(loop) / med:.2f}×" if loop else "–"
        lines.append(f"| {n:,} | {name} | {len(times)} | {h.fmt(med)} | {h.fmt(min(times))}–{h.fmt(max(times))} "
                     f"| {med / n * 1000:.1f} ms | {ratio} | {h.fmt(statistics.median(CPU[(n, name)]))} |")
    lines += ["", "Client CPU: the median user + system time of the processes the run started (retort; in the loop "
              "also bash and psql), not the server's.", "",
              f"Load average (1 min) at the start of the measured runs: median {statistics.median(loads):.2f}, "
              f"min {min(loads):.2f}, max {max(loads):.2f}."]
    return lines


def write(results, loads, started, server, final):
    """bench/out/tenants.md (after each size, so that a failure later keeps
    what was measured); the final one also to a dated file, and printed."""
    text = "\n".join([
        "# Fleets: tenant schemas", "",
        f"`python3 bench/tenants.py {' '.join(sys.argv[1:])}`".replace(" `", "`"), f"started {started}", "",
        *h.machine(peers=False), f"- PostgreSQL server {server} (throwaway cluster, default settings, fsync on)", "",
        f"Project bench/tenants: {REVISIONS} revisions ({ROWS} per schema). Query: `{QUERY}`", "",
        *table(results, loads)]) + "\n"
    names = ["tenants.md"] + ([time.strftime("tenants-%Y%m%d-%H%M%S.md")] if final else [])
    for name in names:
        with open(os.path.join(h.OUT, name), "w") as f:
            f.write(text)
    if final:
        print(text)


def main():
    os.makedirs(h.OUT, exist_ok=True)
    if "--no-build" not in sys.argv:
        h.build_retort()
    quick = "--quick" in sys.argv
    sizes = [int(s) for s in arg("--sizes", "20" if quick else "100,1000").split(",")]
    rounds_for = lambda n: int(arg("--rounds", 2 if quick else (5 if n <= 100 else 3)))  # noqa: E731
    results, loads = {}, []
    started = time.strftime("%Y-%m-%d %H:%M")
    with h.Postgres() as pg:
        server = psql(pg.url("postgres"), "SHOW server_version").strip()
        for n in sizes:
            template = make_template(pg, n)
            h.log(f"{n} schemas: load average {os.getloadavg()}")
            timed_rounds(pg, n, template, upgrade_variants(pg.url("bench"), n), rounds_for(n), results, loads)
            current_rounds(pg, n, 3 if n > 100 else 5, results)
            write(results, loads, started, server, final=False)
        if "--sync-off" in sys.argv:
            sync_off_round(pg, max(sizes), template, results)
    write(results, loads, started, server, final=True)


if __name__ == "__main__":
    main()
