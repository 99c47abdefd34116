#!/usr/bin/env python3
"""retort's benchmark harness: SPEC §7's work, side by side in one run.

    python3 bench/run.py            # full run (~10 minutes on 2 cores)
    python3 bench/run.py --quick    # smaller N, fewer repeats (a smoke test)
    python3 bench/run.py --only sqlite-apply,pg-apply   # some groups only
                                    # (startup, big, memory, sqlite-apply, pg-apply, diff,
                                    #  mariadb-apply, mariadb-diff, verify, diff-huge)
    python3 bench/run.py --only diff --baseline OTHER/retort   # diff against another build, interleaved
    python3 bench/run.py --huge     # also the 50,000-table diff and the 1,000-revision
                                    # PostgreSQL stairway (each takes many minutes)
    python3 bench/run.py --only diff-huge,verify --huge   # those two alone

Compares retort (release build) with Alembic (installed from PyPI into
bench/.venv) and with the plain SQL clients (sqlite3, psql, mariadb) running
the same statements, one transaction per revision (on MariaDB, where DDL
commits by itself: the DDL, then the data statement and the version-table
row in one transaction). Starts its own throwaway PostgreSQL cluster and
MariaDB server (default durability settings: fsync on,
innodb_flush_log_at_trx_commit=1) and removes them at the end. Writes
bench/out/results.md and prints it. The retort binary is
$CARGO_TARGET_DIR/release/retort (ROOT/target/release/retort without it).
"""
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
OUT = os.path.join(BENCH, "out")
VENV = os.path.join(BENCH, ".venv")
QUICK = "--quick" in sys.argv
HUGE = "--huge" in sys.argv
RETORT = os.path.join(os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"), "release", "retort")
# `--baseline BIN`: another retort binary (say, a build of an earlier commit)
# timed against this one, interleaved, in the diff group.
BASELINE = sys.argv[sys.argv.index("--baseline") + 1] if "--baseline" in sys.argv else None
ALEMBIC = os.path.join(VENV, "bin", "alembic")
rows = []  # (work, tool, seconds, note)


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run(cmd, cwd=None, env=None, stdin=None, check=True):
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("RETORT_DATABASE_URL", None)
    with open(stdin) if stdin else open(os.devnull) as inp:
        p = subprocess.run(cmd, cwd=cwd, env=full_env, stdin=inp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        raise SystemExit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    return p


def timed(cmd, runs=1, setup=None, **kw):
    """Median wall time of `runs` runs; `setup` runs before each, untimed."""
    times = []
    for _ in range(runs):
        if setup:
            setup()
        t = time.perf_counter()
        run(cmd, **kw)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def interleaved(work, candidates, runs, setup, check=None):
    """Runs the tools in turn, `runs` rounds, so that slow and fast moments of
    the machine (fsync latency varies a lot on VMs) fall on all of them alike.
    `check(tool)`, untimed, after each run, verifies what it did."""
    times = {tool: [] for tool, _, _ in candidates}
    for _ in range(runs):
        for tool, cmd, kw in candidates:
            setup()
            t = time.perf_counter()
            run(cmd, **kw)
            times[tool].append(time.perf_counter() - t)
            if check:
                check(tool)
    for tool, _, _ in candidates:
        record(work, tool, statistics.median(times[tool]), spread_of(times[tool]))
    return times


def spread_of(times):
    return f"min {fmt(min(times))}, max {fmt(max(times))}" if len(times) > 1 else ""


def load():
    """The 1-minute load average, recorded with each group's figures."""
    return os.getloadavg()[0]


def note_load(group):
    rows.append((f"load average (1 min) at the start of {group}", "machine", load(), "LOAD"))
    log(f"load average before {group}: {os.getloadavg()}")


def record(work, tool, seconds, note=""):
    rows.append((work, tool, seconds, note))
    log(f"{work:55} {tool:10} {fmt(seconds)} {note}")


def fmt(s):
    if s is None:
        return "–"
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def build_retort():
    log("building retort (release)")
    run(["cargo", "build", "--release", "-q", "-p", "retort-cli"], cwd=ROOT)


def setup_tools():
    build_retort()
    if not os.path.exists(ALEMBIC):
        log("installing Alembic into bench/.venv")
        run([sys.executable, "-m", "venv", VENV])
        run([os.path.join(VENV, "bin", "pip"), "install", "-q", "alembic", "sqlalchemy", "psycopg2-binary"])
    python = os.path.join(VENV, "bin", "python")
    if run([python, "-c", "import pymysql"], check=False).returncode != 0:
        log("installing PyMySQL into bench/.venv")
        run([os.path.join(VENV, "bin", "pip"), "install", "-q", "pymysql"])
    for tool in ["sqlite3", "psql", "initdb", "pg_ctl"]:
        if not shutil.which(tool) and not os.path.exists(f"/usr/lib/postgresql/15/bin/{tool}"):
            raise SystemExit(f"{tool} not found: apt-get install -y sqlite3 postgresql")


def pg_bin(name):
    for v in ("17", "16", "15", "14", "13"):
        p = f"/usr/lib/postgresql/{v}/bin/{name}"
        if os.path.exists(p):
            return p
    return shutil.which(name)


class Postgres:
    """A throwaway cluster on a temp dir and a free port, as `postgres` when root."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="retort-bench-pg-")
        self.root = os.geteuid() == 0
        if self.root:
            run(["chown", "postgres:postgres", self.dir])
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.pg(["initdb", "-D", f"{self.dir}/data", "-A", "trust", "-U", "postgres"])
        self.pg(["pg_ctl", "-D", f"{self.dir}/data", "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
                 "-l", f"{self.dir}/log", "-w", "start"])
        return self

    def pg(self, cmd):
        cmd = [pg_bin(cmd[0])] + cmd[1:]
        return run((["runuser", "-u", "postgres", "--"] if self.root else []) + cmd)

    def url(self, db, driver=""):
        return f"postgresql{driver}://postgres@127.0.0.1:{self.port}/{db}"

    def fresh(self, db):
        run(["psql", "-q", "-X", "-d", self.url("postgres"), "-c", f"DROP DATABASE IF EXISTS {db}"])
        run(["psql", "-q", "-X", "-d", self.url("postgres"), "-c", f"CREATE DATABASE {db}"])

    def __exit__(self, *exc):
        try:
            self.pg(["pg_ctl", "-D", f"{self.dir}/data", "-m", "fast", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mariadb_bin(name):
    for d in ("/usr/bin", "/usr/sbin"):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    if shutil.which(name):
        return shutil.which(name)
    raise SystemExit(f"{name} not found: apt-get install -y mariadb-server")


class MariaDB:
    """A throwaway mariadbd on a temp datadir, a socket and a free port, with
    the server's default durability (innodb_flush_log_at_trx_commit=1,
    doublewrite on) and utf8mb4. `root` logs in over the socket; the tools connect over
    TCP as user `bench`, as an application would."""

    USER, PASSWORD = "bench", "bench-pw"

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="retort-bench-mariadb-")
        root = os.geteuid() == 0
        as_user = ["--user=mysql"] if root else []
        if root:
            run(["chown", "-R", "mysql:mysql", self.dir])
        run([mariadb_bin("mariadb-install-db"), f"--datadir={self.dir}/data", "--auth-root-authentication-method=normal",
             "--skip-test-db", *as_user])
        self.port = free_port()
        self.sock = os.path.join(self.dir, "sock")
        self.proc = subprocess.Popen(
            [mariadb_bin("mariadbd"), "--no-defaults", f"--datadir={self.dir}/data", f"--socket={self.sock}",
             f"--port={self.port}", "--bind-address=127.0.0.1", f"--pid-file={self.dir}/pid",
             f"--log-error={self.dir}/log", "--skip-name-resolve",
             # Debian's packaged configuration (ignored with --no-defaults) says the same.
             "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci", *as_user],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while run(self.root_client("SELECT 1"), check=False).returncode != 0:
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise SystemExit(f"mariadbd did not start; its log:\n{open(self.dir + '/log').read()[-2000:]}")
            time.sleep(0.2)
        self.sql(f"CREATE USER '{self.USER}'@'127.0.0.1' IDENTIFIED BY '{self.PASSWORD}'; "
                 f"GRANT ALL ON *.* TO '{self.USER}'@'127.0.0.1'")
        return self

    def root_client(self, sql):
        return [mariadb_bin("mariadb"), "--no-defaults", "-S", self.sock, "-u", "root", "-e", sql]

    def sql(self, sql):
        return run(self.root_client(sql)).stdout

    def client(self, db):
        """The `mariadb` client over TCP as `bench`, like the other tools."""
        return [mariadb_bin("mariadb"), "--no-defaults", "-h", "127.0.0.1", "-P", str(self.port), "-u", self.USER,
                f"-p{self.PASSWORD}", db]

    def url(self, db, driver=""):
        return f"mysql{driver}://{self.USER}:{self.PASSWORD}@127.0.0.1:{self.port}/{db}"

    def fresh(self, db):
        self.sql(f"DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}")

    def version(self):
        return self.sql("SELECT VERSION()").split()[-1]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def gen(n, mysql=False):
    d = os.path.join(OUT, f"{'m' if mysql else 'r'}{n}")
    if not os.path.exists(os.path.join(d, "plain.sql")):
        shutil.rmtree(d, ignore_errors=True)
        run([sys.executable, os.path.join(BENCH, "gen_revisions.py"), str(n), d] + (["--mysql"] if mysql else []))
    return d


def sqlite_url(path):
    return f"sqlite:///{path}"


APPLIED = {}  # n -> path of a SQLite database that this run brought to head with `retort upgrade head`


def applied_sqlite(n):
    """A SQLite database at head of the n-revision project, applied for real
    by `retort upgrade head` from empty (n tables, n indexes, n history
    rows), once per run; the apply itself is timed (one run)."""
    if n not in APPLIED:
        d = gen(n)
        db = os.path.join(d, "applied-retort.db")
        for suffix in ("", "-journal"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        t = time.perf_counter()
        run([RETORT, "-q", "--url", sqlite_url(db), "upgrade", "head"], cwd=os.path.join(d, "retort"))
        record(f"apply {n:,} small revisions to SQLite (one run, from empty)", "retort", time.perf_counter() - t,
               f"load {load():.2f}")
        APPLIED[n] = db
    return APPLIED[n]


def warm_cache(rproj, url):
    """Runs `heads` once so that .retort/cache holds every header, and checks it is there."""
    run([RETORT, "-q", "--url", url, "heads"], cwd=rproj)
    if not os.path.exists(os.path.join(rproj, ".retort", "cache")):
        raise SystemExit(f"no header cache in {rproj}/.retort after `retort heads`")


def same_answers(rproj, url):
    """Untimed: the cache and --no-cache give the same output for each read command."""
    for cmd in (["current"], ["heads"], ["history"]):
        a = run([RETORT, "--url", url, *cmd], cwd=rproj).stdout
        b = run([RETORT, "--url", url, "--no-cache", *cmd], cwd=rproj).stdout
        if a != b:
            raise SystemExit(f"`{' '.join(cmd)}` answers differently with and without the cache")


def bench_big(n, reps):
    """SPEC §7's read commands and the no-op upgrade on an n-revision project,
    on a database applied for real and on a stamped one; each retort command
    with the warm header cache and with --no-cache, interleaved, `reps`
    rounds; Alembic (one run each: it takes seconds) beside them."""
    d = gen(n)
    rproj, aproj = os.path.join(d, "retort"), os.path.join(d, "alembic")
    note_load(f"big ({n:,} revisions)")
    applied = applied_sqlite(n)
    stamped, astamped = os.path.join(d, "stamped-retort.db"), os.path.join(d, "stamped-alembic.db")
    for f in (stamped, astamped):
        if os.path.exists(f):
            os.remove(f)
    a = [ALEMBIC, "-c", os.path.join(aproj, "alembic.ini")]
    record(f"stamp head, {n:,} revisions", "retort", timed([RETORT, "-q", "--url", sqlite_url(stamped), "stamp", "head"], cwd=rproj))
    record(f"stamp head, {n:,} revisions", "alembic", timed(a + ["stamp", "head"], env={"BENCH_URL": sqlite_url(astamped)}))
    # Alembic on the same applied schema: a copy of retort's database (its
    # 2n objects) with Alembic's version table at the head.
    aapplied = os.path.join(d, "applied-alembic.db")
    shutil.copyfile(applied, aapplied)
    head = format(n, "012x")
    run(["sqlite3", aapplied, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY); "
         f"INSERT INTO alembic_version VALUES ('{head}')"])
    for kind, db in (("applied", applied), ("stamped", stamped)):
        url = sqlite_url(db)
        warm_cache(rproj, url)
        same_answers(rproj, url)
        r = [RETORT, "-q", "--url", url]
        for cmd in (["current"], ["heads"], ["history"], ["upgrade", "head"]):
            name = "`upgrade head` with nothing to do" if cmd[0] == "upgrade" else f"`{cmd[0]}`"
            work = f"{name}, {n:,} revisions, database {kind}"
            candidates = [("retort", r + cmd, {"cwd": rproj}), ("retort --no-cache", r + ["--no-cache"] + cmd, {"cwd": rproj})]
            if kind == "applied" and cmd == ["current"]:
                candidates.append(("sqlite3", ["sqlite3", db, "SELECT * FROM retort_version"], {}))
            interleaved(work, candidates, reps, lambda: None)
    aenv = {"BENCH_URL": sqlite_url(aapplied)}
    for cmd in ("current", "heads", "history"):
        record(f"`{cmd}`, {n:,} revisions, database applied", "alembic", timed(a + [cmd], env=aenv), "1 run")
    record(f"`upgrade head` with nothing to do, {n:,} revisions, database applied", "alembic",
           timed(a + ["upgrade", "head"], env=aenv), "1 run")
    record(f"`upgrade head` with nothing to do, {n:,} revisions, database stamped", "alembic",
           timed(a + ["upgrade", "head"], env={"BENCH_URL": sqlite_url(astamped)}), "1 run")


def max_rss_kib(cmd, cwd=None):
    return rss_and_cpu(cmd, cwd)[0]


def rss_and_cpu(cmd, cwd=None):
    """Max RSS (KiB), CPU seconds (user + system) and wall seconds of one run."""
    p = run(["/usr/bin/time", "-f", "%M %U %S %e"] + cmd, cwd=cwd)
    kib, user, system, wall = p.stderr.strip().splitlines()[-1].split()
    return int(kib), float(user) + float(system), float(wall)


def record_memory(work, kib_runs):
    kib = statistics.median(kib_runs)
    rows.append((work, "retort", kib / 1024, "MiB"))
    log(f"{work}: {kib / 1024:.1f} MiB (runs: {', '.join(f'{k / 1024:.1f}' for k in kib_runs)})")
    return kib


def record_ratio(work, small, big):
    rows.append((work, "retort", big / small, "RATIO"))
    log(f"{work}: {big / small:.2f}×")


def bench_memory(sizes):
    """Peak memory (max RSS, /usr/bin/time -f %M; median of 3) of the read
    commands on databases applied for real, warm cache and --no-cache."""
    note_load("memory")
    peaks = {}
    for n in sizes:
        db = applied_sqlite(n)
        rproj = os.path.join(gen(n), "retort")
        warm_cache(rproj, sqlite_url(db))
        for cmd in ("current", "heads", "history"):
            for flag in ([], ["--no-cache"]):
                cmdline = [RETORT, "-q", "--url", sqlite_url(db), *flag, cmd]
                kib = [max_rss_kib(cmdline, rproj) for _ in range(3)]
                label = f"`{cmd}`{' --no-cache' if flag else ''}"
                peaks[(label, n)] = record_memory(f"peak memory of {label}, {n:,} revisions applied", kib)
    small, big = sizes
    for cmd in ("current", "heads", "history"):
        for flag in ("", " --no-cache"):
            label = f"`{cmd}`{flag}"
            record_ratio(f"peak memory of {label}, {big:,} / {small:,} revisions", peaks[(label, small)], peaks[(label, big)])


def bench_startup(reps):
    d = gen(1)
    rproj, aproj = os.path.join(d, "retort"), os.path.join(d, "alembic")
    rdb, adb = os.path.join(d, "r.db"), os.path.join(d, "a.db")
    r = [RETORT, "-q", "--url", sqlite_url(rdb)]
    a = [ALEMBIC, "-c", os.path.join(aproj, "alembic.ini")]
    aenv = {"BENCH_URL": sqlite_url(adb)}
    run(r + ["upgrade", "head"], cwd=rproj)
    run(a + ["upgrade", "head"], env=aenv)
    record("`current`, 1 revision (start-up)", "retort", timed(r + ["current"], runs=reps, cwd=rproj))
    record("`current`, 1 revision (start-up)", "alembic", timed(a + ["current"], runs=max(3, reps // 5), env=aenv))


def bench_apply_sqlite(n, reps):
    d = gen(n)
    rproj, aproj = os.path.join(d, "retort"), os.path.join(d, "alembic")
    db = os.path.join(d, "apply.db")

    def fresh():
        for suffix in ("", "-journal"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)

    work = f"apply {n:,} small revisions to SQLite"
    interleaved(work, [
        ("sqlite3", ["sqlite3", db], {"stdin": os.path.join(d, "plain.sql")}),
        ("retort", [RETORT, "-q", "--url", sqlite_url(db), "upgrade", "head"], {"cwd": rproj}),
        ("alembic", [ALEMBIC, "-c", os.path.join(aproj, "alembic.ini"), "upgrade", "head"], {"env": {"BENCH_URL": sqlite_url(db)}}),
    ], reps, fresh)


def bench_apply_postgres(pg, n, reps):
    """psql, retort and Alembic apply the same n revisions, one transaction
    each (plain.sql has BEGIN/COMMIT around each revision; retort also holds
    its session advisory lock for the run), interleaved, from an empty
    database each round; then one more run of each, untimed, with the
    server logging every statement, to count the messages per revision."""
    d = gen(n)
    rproj, aproj = os.path.join(d, "retort"), os.path.join(d, "alembic")
    work = f"apply {n:,} small revisions to PostgreSQL"
    fresh = lambda: pg.fresh("bench")  # noqa: E731
    note_load("pg-apply")
    head = format(n, "012x")

    def check(tool):
        table = {"psql": None, "retort": "retort_version", "alembic": "alembic_version"}[tool]
        q = f"SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\\_%'" + (f" UNION ALL SELECT count(*) FROM {table} WHERE version_num = '{head}'" if table else "")
        got = run(["psql", "-X", "-At", "-d", pg.url("bench"), "-c", q]).stdout.split()
        if got != [str(n)] + (["1"] if table else []):
            raise SystemExit(f"{tool} did not apply the {n} revisions: {got}")

    candidates = [
        ("psql", ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", pg.url("bench"), "-f", os.path.join(d, "plain.sql")], {}),
        ("retort", [RETORT, "-q", "--url", pg.url("bench"), "upgrade", "head"], {"cwd": rproj}),
        ("alembic", [ALEMBIC, "-c", os.path.join(aproj, "alembic.ini"), "upgrade", "head"],
         {"env": {"BENCH_URL": pg.url("bench", "+psycopg2")}}),
    ]
    times = interleaved(work, candidates, reps, fresh, check)
    if "psql" in times and "retort" in times:
        ratios = [r / p for r, p in zip(times["retort"], times["psql"])]
        rows.append((f"{work}: retort / psql, round by round", "retort", statistics.median(ratios),
                     f"RATIO; rounds {', '.join(f'{x:.2f}' for x in ratios)}"))
        log(f"retort/psql per round: {ratios}")
    count_pg_messages(pg, n, candidates)


def count_pg_messages(pg, n, candidates):
    """Untimed: each tool applies the n revisions once more with
    log_statement=all; every query message (simple protocol: `statement:`,
    extended: `execute`) the server logs for the database is counted."""
    psql = lambda sql: run(["psql", "-q", "-X", "-d", pg.url("postgres"), "-c", sql])  # noqa: E731
    psql("ALTER SYSTEM SET log_statement = 'all'")
    psql("ALTER SYSTEM SET log_line_prefix = '%m [%p] db=%d '")
    psql("SELECT pg_reload_conf()")
    time.sleep(0.5)
    logfile = os.path.join(pg.dir, "log")
    try:
        for tool, cmd, kw in candidates:
            pg.fresh("bench")
            start = os.path.getsize(logfile)
            run(cmd, **kw)
            time.sleep(0.5)
            with open(logfile, errors="replace") as f:
                f.seek(start)
                text = f.read()
            entries = [line for line in text.splitlines() if " db=bench " in line
                       and (" LOG:  statement: " in line or " LOG:  execute " in line)]
            mid = [e.split(" LOG:  ", 1)[1][:160] for e in entries if f"t_{n // 2}" in e or f"{n // 2:012x}" in e]
            per = len(entries) / n
            rows.append((f"apply {n:,} small revisions to PostgreSQL: query messages the server logs", tool, per,
                         f"COUNT; {len(entries)} in all"))
            log(f"{tool}: {len(entries)} messages, {per:.2f} per revision; revision {n // 2}'s: {mid}")
            with open(os.path.join(OUT, f"pg-messages-{tool}.log"), "w") as f:
                f.write("\n".join(entries) + "\n")
    finally:
        psql("ALTER SYSTEM RESET log_statement")
        psql("ALTER SYSTEM RESET log_line_prefix")
        psql("SELECT pg_reload_conf()")


def bench_apply_mariadb(db, n, reps):
    """Each round starts from an empty database (dropped and created again,
    untimed) that then really applies the revisions."""
    d = gen(n, mysql=True)
    rproj, aproj = os.path.join(d, "retort"), os.path.join(d, "alembic")
    work = f"apply {n:,} small revisions to MariaDB"
    head = format(n, "012x")
    version_table = {"mariadb": "plain_version", "retort": "retort_version", "alembic": "alembic_version"}

    def check(tool):
        """Every run really applied all n revisions: n tables of one row, the
        version table at the head (and, for retort, n `applied` history rows)."""
        got = db.sql(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'bench' AND table_name LIKE 't\\_%';"
            f"SELECT version_num FROM bench.{version_table[tool]};"
            f"SELECT t_{n}.name FROM bench.t_{n}"
            + (";SELECT COUNT(*) FROM bench.retort_history WHERE status = 'applied'" if tool == "retort" else "")).split()
        want = ["COUNT(*)", str(n), "version_num", head, "name", "row", str(n)]
        want += ["COUNT(*)", str(n)] if tool == "retort" else []
        if got != want:
            raise SystemExit(f"{tool} did not apply the {n} revisions: {got}")

    candidates = [
        ("mariadb", db.client("bench"), {"stdin": os.path.join(d, "plain.sql")}),
        ("retort", [RETORT, "-q", "--url", db.url("bench"), "upgrade", "head"], {"cwd": rproj}),
        ("alembic", [ALEMBIC, "-c", os.path.join(aproj, "alembic.ini"), "upgrade", "head"],
         {"env": {"BENCH_URL": db.url("bench", "+pymysql")}}),
    ]
    interleaved(work, candidates, reps, lambda: db.fresh("bench"), check)
    count_mariadb_work(db, n, candidates)


MARIADB_COUNTERS = ["Questions", "Handler_commit", "Innodb_log_writes", "Innodb_data_fsyncs"]


def count_mariadb_work(db, n, candidates):
    """Untimed: one more run of each tool, with the server's global status
    counters read before and after (statements executed, commits, InnoDB
    log writes and fsyncs), per revision. The two status queries themselves
    add 2 to `Questions`, taken off."""
    def status():
        out = db.sql("SHOW GLOBAL STATUS WHERE Variable_name IN ("
                     + ", ".join(f"'{name}'" for name in MARIADB_COUNTERS) + ")").split()
        return {out[i]: int(out[i + 1]) for i in range(2, len(out) - 1, 2)}

    for tool, cmd, kw in candidates:
        db.fresh("bench")
        before = status()
        run(cmd, **kw)
        after = status()
        delta = {name: after[name] - before[name] for name in MARIADB_COUNTERS}
        delta["Questions"] -= 2
        per = ", ".join(f"{name} {delta[name] / n:.2f}" for name in MARIADB_COUNTERS)
        rows.append((f"apply {n:,} small revisions to MariaDB: server counters per revision", tool, None, per))
        log(f"{tool}: {per}")


ALEMBIC_COMPARE = """
import sys, time
from sqlalchemy import create_engine, MetaData
from alembic.migration import MigrationContext
from alembic.autogenerate import compare_metadata
desired, current = sys.argv[1], sys.argv[2]
t = time.perf_counter()
meta = MetaData()
meta.reflect(create_engine(desired))
with create_engine(current).connect() as conn:
    diffs = compare_metadata(MigrationContext.configure(conn), meta)
print(len(diffs), time.perf_counter() - t)
"""


def migra_bin():
    venv = os.path.join(BENCH, ".venv-migra")
    exe = os.path.join(venv, "bin", "migra")
    if not os.path.exists(exe):
        log("installing migra into bench/.venv-migra")
        run([sys.executable, "-m", "venv", venv])
        run([os.path.join(venv, "bin", "pip"), "install", "-q", "migra", "psycopg2-binary", "setuptools"])
    return exe


def bench_diff(pg, sizes, huge=False):
    """SPEC §7: diff b -> a for gen_schema.py pairs, and check the SQL applies.
    `huge`: one diff only (a 50,000-table pair: loading it is timed, with
    synchronous_commit off for the load alone; no migra, Alembic or
    apply check)."""
    gen = os.path.join(ROOT, "..", "shared", "bench", "gen_schema.py")
    if not os.path.exists(gen):
        log("skipping diff benchmarks: ../shared/bench/gen_schema.py not found")
        return
    project = os.path.join(gen_dir_for_project(), "retort")
    migra = None if huge else migra_bin()
    note_load("diff" + (" (huge)" if huge else ""))
    peaks = {}
    for n in sizes:
        files = {}
        for variant in ("a", "b"):
            path = os.path.join(OUT, f"schema{n}{variant}.sql")
            with open(path, "w") as f:
                f.write(run([sys.executable, gen, str(n), variant]).stdout)
            files[variant] = path
            pg.fresh(f"s{n}{variant}")
            t = time.perf_counter()
            run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", pg.url(f"s{n}{variant}"), "-f", path],
                env={"PGOPTIONS": "-c synchronous_commit=off"} if huge else None)
            if huge:
                record(f"load the {n:,}-table schema {variant} into PostgreSQL with psql (synchronous_commit off)",
                       "psql", time.perf_counter() - t, f"load {load():.2f}")
        a, b = pg.url(f"s{n}a"), pg.url(f"s{n}b")
        retort_cmd = [RETORT, "-q", "--url", b, "diff", "--from", b, "--to", a]
        work = f"diff two {n:,}-table PostgreSQL databases (b -> a)"
        if BASELINE:
            candidates = [("retort", retort_cmd, {"cwd": project}), ("baseline", [BASELINE, *retort_cmd[1:]], {"cwd": project})]
            interleaved(work, candidates, 7, lambda: None)
        elif huge:
            record(work, "retort", timed(retort_cmd, cwd=project), f"1 run; load {load():.2f}")
        else:
            interleaved(work, [("retort", retort_cmd, {"cwd": project})], 3 if QUICK else 5, lambda: None)
        kib, cpu, wall = rss_and_cpu(retort_cmd, project)
        peaks[n] = record_memory(f"peak memory of `diff`, {n:,} tables", [kib])
        rows.append((f"`diff`, {n:,} tables: retort's own CPU (user + system) in a run of {wall:.2f} s", "retort", cpu, ""))
        log(f"diff {n}: retort CPU {cpu:.2f} s of {wall:.2f} s wall")
        at = max(i for i, r in enumerate(rows) if r[0] == work and r[1] == "retort")
        sql = run(retort_cmd, cwd=project).stdout
        spread = f"{rows[at][3]}; " if rows[at][3] else ""
        if huge:
            rows[at] = (work, "retort", rows[at][2], f"{spread}{len(sql.splitlines())} lines of SQL; not applied or re-diffed at this size (not checked)")
            continue
        # Correct means: the SQL applies to a copy of b, and a second diff is empty.
        pg.fresh(f"s{n}check")
        run(["psql", "-q", "-X", "-d", pg.url("postgres"), "-c", f"DROP DATABASE s{n}check"])
        run(["psql", "-q", "-X", "-d", pg.url("postgres"), "-c", f"CREATE DATABASE s{n}check TEMPLATE s{n}b"])
        sql_path = os.path.join(OUT, f"diff{n}.sql")
        with open(sql_path, "w") as f:
            f.write(sql + "\n")
        applied = run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-1", "-d", pg.url(f"s{n}check"), "-f", sql_path], check=False)
        again = run([RETORT, "-q", "--url", b, "diff", "--from", pg.url(f"s{n}check"), "--to", a], cwd=project, check=False)
        correct = applied.returncode == 0 and again.returncode == 0 and again.stdout.strip() == ""
        rows[at] = (work, "retort", rows[at][2], f"{spread}{len(sql.splitlines())} lines of SQL; applies and re-diffs empty: {'yes' if correct else 'NO'}")
        t = time.perf_counter()
        psycopg2 = lambda u: u.replace("postgresql://", "postgresql+psycopg2://")  # noqa: E731
        m = run([migra, "--unsafe", psycopg2(b), psycopg2(a)], check=False)
        record(work, "migra", time.perf_counter() - t, f"exit {m.returncode} (2 = differences found)")
        t = time.perf_counter()
        al = run([os.path.join(VENV, "bin", "python"), "-c", ALEMBIC_COMPARE, a.replace("postgresql://", "postgresql+psycopg2://"),
                  b.replace("postgresql://", "postgresql+psycopg2://")], check=False)
        note = f"{al.stdout.split()[0]} differences" if al.returncode == 0 else "failed: " + (al.stderr.strip().splitlines() or ["?"])[-1][:80]
        record(work, "alembic", time.perf_counter() - t, f"compare_metadata; {note}")
    if len(peaks) == 2:
        small, big = sorted(peaks)
        record_ratio(f"peak memory of `diff`, {big:,} / {small:,} tables", peaks[small], peaks[big])


def bench_verify(pg, sqlite_n, pg_n):
    """`retort verify` (one head, checksums, reversibility, the stairway:
    upgrade, downgrade, upgrade each revision in a scratch database) on
    linear projects; one run each, with retort's own CPU time beside the
    wall time (the rest is the database server, or waiting)."""
    note_load("verify")
    for n, kind in ((sqlite_n, "sqlite"), (pg_n, "postgres")):
        if not n or (kind == "postgres" and pg is None):
            continue
        d = gen(n)
        if kind == "sqlite":
            url = sqlite_url(os.path.join(d, "verify-target.db"))  # not created: checksums skipped
        else:
            pg.fresh("bench")
            url = pg.url("bench")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        p = run([RETORT, "--url", url, "verify"], cwd=os.path.join(d, "retort"))
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        stair = next((line for line in p.stdout.splitlines() if "stairway" in line), "?")
        where = "in-memory SQLite" if kind == "sqlite" else "a scratch database on the PostgreSQL server"
        record(f"`verify`, {n:,} revisions, stairway in {where}", "retort", wall,
               f"1 run; retort's CPU {cpu:.1f} s; load {load():.2f}; `{stair.split(None, 2)[-1][:60]}…`")


def bench_diff_mariadb(db, sizes):
    """`retort diff` between two MariaDB databases loaded from
    gen_schema_mysql.py's pair; Alembic's compare_metadata beside it (migra
    is PostgreSQL-only). Reports, without failing the run, when this build
    says diffing is not yet supported on MariaDB/MySQL."""
    project = os.path.join(gen(1, mysql=True), "retort")
    for n in sizes:
        files = {}
        for variant in ("a", "b"):
            path = os.path.join(OUT, f"myschema{n}{variant}.sql")
            with open(path, "w") as f:
                f.write(run([sys.executable, os.path.join(BENCH, "gen_schema_mysql.py"), str(n), variant]).stdout)
            files[variant] = path
            db.fresh(f"s{n}{variant}")
            run(db.client(f"s{n}{variant}"), stdin=path)
        a, b = db.url(f"s{n}a"), db.url(f"s{n}b")
        retort_cmd = [RETORT, "-q", "--url", b, "diff", "--from", b, "--to", a]
        work = f"diff two {n:,}-table MariaDB databases (b -> a)"
        probe = run(retort_cmd, cwd=project, check=False)
        if probe.returncode != 0 and "not yet supported" in probe.stderr:
            message = probe.stderr.strip().splitlines()[-1][:120]
            record(work, "retort", None, f"not run: this build says `{message}`")
        elif probe.returncode != 0:
            record(work, "retort", None, "failed: " + (probe.stderr.strip().splitlines() or ["?"])[-1][:120])
        else:
            if BASELINE:
                candidates = [("retort", retort_cmd, {"cwd": project}),
                              ("baseline", [BASELINE, *retort_cmd[1:]], {"cwd": project})]
                interleaved(work, candidates, 7, lambda: None)
            else:
                interleaved(work, [("retort", retort_cmd, {"cwd": project})], 3 if QUICK else 5, lambda: None)
            at = max(i for i, r in enumerate(rows) if r[0] == work and r[1] == "retort")
            # Correct means: the SQL applies to a fresh copy of b, and a second diff is empty.
            sql = probe.stdout
            db.fresh(f"s{n}check")
            run(db.client(f"s{n}check"), stdin=files["b"])
            sql_path = os.path.join(OUT, f"mydiff{n}.sql")
            with open(sql_path, "w") as f:
                f.write(sql + "\n")
            applied = run(db.client(f"s{n}check"), stdin=sql_path, check=False)
            again = run([RETORT, "-q", "--url", b, "diff", "--from", db.url(f"s{n}check"), "--to", a], cwd=project, check=False)
            correct = applied.returncode == 0 and again.returncode == 0 and again.stdout.strip() == ""
            spread = f"{rows[at][3]}; " if rows[at][3] else ""
            rows[at] = (work, "retort", rows[at][2],
                        f"{spread}{len(sql.splitlines())} lines of SQL; applies and re-diffs empty: {'yes' if correct else 'NO'}")
            if not correct:
                log(f"diff check: apply rc {applied.returncode} {applied.stderr.strip()[-300:]}; "
                    f"re-diff rc {again.returncode}, {len(again.stdout.splitlines())} lines {again.stderr.strip()[-300:]}")
        t = time.perf_counter()
        al = run([os.path.join(VENV, "bin", "python"), "-c", ALEMBIC_COMPARE, db.url(f"s{n}a", "+pymysql"),
                  db.url(f"s{n}b", "+pymysql")], check=False)
        note = f"{al.stdout.split()[0]} differences" if al.returncode == 0 else "failed: " + (al.stderr.strip().splitlines() or ["?"])[-1][:80]
        record(work, "alembic", time.perf_counter() - t, f"compare_metadata; {note}")


def gen_dir_for_project():
    return gen(1)


def machine(mariadb_version=None, peers=True):
    """The machine's lines of a results file; `peers`: with Alembic's and
    SQLAlchemy's versions (installed by setup_tools)."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    version = lambda cmd: run(cmd, check=False).stdout.strip().splitlines()[0] if shutil.which(cmd[0]) or os.path.exists(cmd[0]) else "?"  # noqa: E731
    commit = run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT).stdout.strip()
    if peers:
        alembic = run([ALEMBIC, "--version"]).stdout.strip()
        sqla = run([os.path.join(VENV, "bin", "python"), "-c", "import sqlalchemy; print(sqlalchemy.__version__)"]).stdout.strip()
        with_peers = f"; {alembic}; SQLAlchemy {sqla}"
    else:
        with_peers = ""
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {mem:.0f} GiB; {platform.system()} {platform.release()}",
        f"- retort: commit {commit}, release build{with_peers}",
        f"- {version(['sqlite3', '--version'])}; {version(['psql', '--version'])}; PostgreSQL server {version([pg_bin('postgres'), '--version'])}",
    ] + ([f"- MariaDB server {mariadb_version}; {version([mariadb_bin('mariadb'), '--version'])}"] if mariadb_version else [])


def main():
    os.makedirs(OUT, exist_ok=True)
    setup_tools()
    big, small, reps = (1000, 100, 3) if QUICK else (10000, 1000, 7)
    apply_reps = 1 if QUICK else 5
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
    want = lambda name: only is None or name in only  # noqa: E731
    if want("startup"):
        bench_startup(reps * 3)
    if want("big"):
        bench_big(big, reps)
    if want("memory"):
        bench_memory([big // 10, big])
    if want("sqlite-apply"):
        bench_apply_sqlite(small, apply_reps)
    # The stairway is quadratic in the revisions (the whole schema is read
    # three times per revision): 1,000 on PostgreSQL takes many minutes, so
    # the default run does 200 there and --huge the 1,000.
    verify_sqlite, verify_pg = (100, 50) if QUICK else (1000, 1000 if HUGE else 200)
    if want("pg-apply") or want("diff") or want("diff-huge") or want("verify"):
        with Postgres() as pg:
            if want("pg-apply"):
                bench_apply_postgres(pg, small, apply_reps)
            if want("diff"):
                bench_diff(pg, [50] if QUICK else [500, 5000])
            if (HUGE and want("diff")) or (only and "diff-huge" in only):
                bench_diff(pg, [5000] if QUICK else [50000], huge=True)
            if want("verify"):
                bench_verify(pg, verify_sqlite, verify_pg)
    mariadb_version = None
    if want("mariadb-apply") or want("mariadb-diff"):
        with MariaDB() as db:
            mariadb_version = db.version()
            if want("mariadb-apply"):
                note_load("mariadb-apply")
                bench_apply_mariadb(db, small, apply_reps)
            if want("mariadb-diff"):
                note_load("mariadb-diff")
                bench_diff_mariadb(db, [50] if QUICK else [500])
    lines = ["# Results", "", *machine(mariadb_version), "", "| work | tool | median | note |", "| --- | --- | --- | --- |"]
    for work, tool, value, note in rows:
        kind, _, rest = note.partition("; ")
        if kind == "MiB":
            shown, note = f"{value:.1f} MiB", rest
        elif kind == "RATIO":
            shown, note = f"{value:.2f}×", rest
        elif kind == "COUNT":
            shown, note = f"{value:.2f} per revision", rest
        elif kind == "LOAD":
            shown, note = f"{value:.2f}", rest
        else:
            shown = fmt(value)
        lines.append(f"| {work} | {tool} | {shown} | {note} |")
    text = "\n".join(lines) + "\n"
    for name in ("results.md", time.strftime("results-%Y%m%d-%H%M%S.md")):
        with open(os.path.join(OUT, name), "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
