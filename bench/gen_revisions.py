#!/usr/bin/env python3
"""Generate N linear "small revisions" three ways, for side-by-side benchmarks.

    gen_revisions.py N OUTDIR            # SQLite / PostgreSQL flavour
    gen_revisions.py N OUTDIR --mysql    # MariaDB / MySQL flavour

writes
  OUTDIR/retort/   retort.toml + migrations/versions/*.sql
  OUTDIR/alembic/  alembic.ini + env.py + versions/*.py (same ids, same SQL,
                   transaction_per_migration=True like retort's default)
  OUTDIR/plain.sql the same statements, BEGIN/COMMIT around each revision,
                   for sqlite3 and psql

The small revision is SPEC §7's: CREATE TABLE t_i (id integer PRIMARY KEY,
name text NOT NULL, created_at timestamp DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX t_i_name ON t_i (name);

The MySQL flavour's small revision is one DDL statement and one data
statement (the layout docs/mysql.md recommends, since DDL commits implicitly
there): CREATE TABLE t_i (id integer PRIMARY KEY, name varchar(100) NOT
NULL, created_at timestamp DEFAULT CURRENT_TIMESTAMP, KEY t_i_name (name));
INSERT INTO t_i (id, name) VALUES (1, 'row i'). Its plain.sql does the
bookkeeping a migration tool must do, as Alembic does it: a version table
(plain_version) created first, then per revision the DDL (which commits by
itself), and the INSERT with the version row's INSERT (first revision) or
UPDATE (the others) in one transaction.
"""
import os
import sys


def statements(i):
    return [
        f"CREATE TABLE t_{i} (id integer PRIMARY KEY, name text NOT NULL, "
        f"created_at timestamp DEFAULT CURRENT_TIMESTAMP)",
        f"CREATE INDEX t_{i}_name ON t_{i} (name)",
    ]


def mysql_statements(i):
    return [
        f"CREATE TABLE t_{i} (id integer PRIMARY KEY, name varchar(100) NOT NULL, "
        f"created_at timestamp DEFAULT CURRENT_TIMESTAMP, KEY t_{i}_name (name))",
        f"INSERT INTO t_{i} (id, name) VALUES (1, 'row {i}')",
    ]


def plain_revision(i, rid, stmts, mysql):
    """One revision of plain.sql: one transaction (SQLite, PostgreSQL), or
    the DDL alone then the data and the version row in one (MySQL)."""
    if not mysql:
        return "BEGIN;\n" + "".join(s + ";\n" for s in stmts) + "COMMIT;\n"
    version = (f"INSERT INTO plain_version (version_num) VALUES ('{rid}')" if i == 1
               else f"UPDATE plain_version SET version_num = '{rid}'")
    ddl, data = stmts
    head = "CREATE TABLE plain_version (version_num varchar(32) NOT NULL PRIMARY KEY);\n" if i == 1 else ""
    return f"{head}{ddl};\nSTART TRANSACTION;\n{data};\n{version};\nCOMMIT;\n"


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    mysql = "--mysql" in sys.argv[3:]
    rdir = os.path.join(out, "retort", "migrations", "versions")
    adir = os.path.join(out, "alembic", "versions")
    os.makedirs(rdir, exist_ok=True)
    os.makedirs(adir, exist_ok=True)
    with open(os.path.join(out, "retort", "retort.toml"), "w") as f:
        url = "mysql://bench:bench-pw@127.0.0.1/bench" if mysql else "sqlite:///app.db"
        f.write(f'[database]\nurl = "{url}"\n')
    with open(os.path.join(out, "alembic", "alembic.ini"), "w") as f:
        f.write(
            "[alembic]\nscript_location = %(here)s\nsqlalchemy.url = sqlite:///app.db\n"
            "[loggers]\nkeys = root\n[handlers]\nkeys = console\n[formatters]\nkeys = generic\n"
            "[logger_root]\nlevel = WARN\nhandlers = console\n"
            "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\nformatter = generic\n"
            "[formatter_generic]\nformat = %(levelname)-5.5s [%(name)s] %(message)s\n"
        )
    with open(os.path.join(out, "alembic", "env.py"), "w") as f:
        f.write(
            "import os\n"
            "from alembic import context\n"
            "from sqlalchemy import create_engine, pool\n"
            "config = context.config\n"
            "URL = os.environ.get('BENCH_URL') or config.get_main_option('sqlalchemy.url')\n"
            "def run():\n"
            "    if context.is_offline_mode():\n"
            "        context.configure(url=URL, transaction_per_migration=True)\n"
            "        with context.begin_transaction():\n"
            "            context.run_migrations()\n"
            "        return\n"
            "    engine = create_engine(URL, poolclass=pool.NullPool)\n"
            "    with engine.connect() as connection:\n"
            "        context.configure(connection=connection, transaction_per_migration=True)\n"
            "        with context.begin_transaction():\n"
            "            context.run_migrations()\n"
            "run()\n"
        )
    with open(os.path.join(out, "alembic", "script.py.mako"), "w") as f:
        f.write("")
    plain = []
    prev = ""
    for i in range(1, n + 1):
        rid = format(i, "012x")
        stmts = mysql_statements(i) if mysql else statements(i)
        with open(os.path.join(rdir, f"{rid}_create_t_{i}.sql"), "w") as f:
            f.write(
                f"-- Create t_{i}\n--\n-- Revision ID: {rid}\n-- Revises: {prev}\n"
                f"-- Create Date: 2026-11-23 23:40:00+00:00\n\n-- +upgrade\n"
                + "".join(s + ";\n" for s in stmts)
                + f"\n-- +downgrade\nDROP TABLE t_{i};\n"
            )
        down = repr(prev) if prev else "None"
        with open(os.path.join(adir, f"{rid}_create_t_{i}.py"), "w") as f:
            f.write(
                f'"""Create t_{i}\n\nRevision ID: {rid}\nRevises: {prev}\n"""\n'
                "from alembic import op\n\n"
                f"revision = {rid!r}\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n"
                "def upgrade():\n"
                + "".join(f"    op.execute({s!r})\n" for s in stmts)
                + f"\ndef downgrade():\n    op.execute('DROP TABLE t_{i}')\n"
            )
        plain.append(plain_revision(i, rid, stmts, mysql))
        prev = rid
    with open(os.path.join(out, "plain.sql"), "w") as f:
        f.write("".join(plain))


if __name__ == "__main__":
    main()
