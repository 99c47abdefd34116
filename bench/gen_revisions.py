#!/usr/bin/env python3
"""Generate N linear "small revisions" three ways, for side-by-side benchmarks.

    gen_revisions.py N OUTDIR

writes
  OUTDIR/retort/   retort.toml + migrations/versions/*.sql
  OUTDIR/alembic/  alembic.ini + env.py + versions/*.py (same ids, same SQL,
                   transaction_per_migration=True like retort's default)
  OUTDIR/plain.sql the same statements, BEGIN/COMMIT around each revision,
                   for sqlite3 and psql

The small revision is SPEC §7's: CREATE TABLE t_i (id integer PRIMARY KEY,
name text NOT NULL, created_at timestamp DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX t_i_name ON t_i (name);
"""
import os
import sys


def statements(i):
    return [
        f"CREATE TABLE t_{i} (id integer PRIMARY KEY, name text NOT NULL, "
        f"created_at timestamp DEFAULT CURRENT_TIMESTAMP)",
        f"CREATE INDEX t_{i}_name ON t_{i} (name)",
    ]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rdir = os.path.join(out, "retort", "migrations", "versions")
    adir = os.path.join(out, "alembic", "versions")
    os.makedirs(rdir, exist_ok=True)
    os.makedirs(adir, exist_ok=True)
    with open(os.path.join(out, "retort", "retort.toml"), "w") as f:
        f.write('[database]\nurl = "sqlite:///app.db"\n')
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
        stmts = statements(i)
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
        plain.append("BEGIN;\n" + "".join(s + ";\n" for s in stmts) + "COMMIT;\n")
        prev = rid
    with open(os.path.join(out, "plain.sql"), "w") as f:
        f.write("".join(plain))


if __name__ == "__main__":
    main()
