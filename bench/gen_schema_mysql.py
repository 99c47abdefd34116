#!/usr/bin/env python3
"""The diff benchmark's schema pair in MySQL/MariaDB syntax.

    gen_schema_mysql.py N a|b    # SQL on stdout

The same shape as ../shared/bench/gen_schema.py (the PostgreSQL pair of SPEC
section 7), written for this benchmark: N tables t1..tN, each with a bigint
key, a unique varchar code, nine columns of eight types, a foreign key to the
previous table (ON DELETE CASCADE) and two secondary indexes (inline `KEY`s,
as MySQL schemas usually write them). Variant b changes about 5% of the
tables the same way: dropped tables (their child points at the table before
instead), a changed column type, an added NOT NULL column with a default, a
dropped index, and N/100 + 1 new tables.
"""
import random
import sys

TYPES = ["int", "bigint", "text", "varchar(100)", "tinyint(1)", "datetime", "decimal(10,2)", "json"]
# Columns of these types cannot be indexed without a prefix length.
UNINDEXABLE = {"text", "json"}


def changed_tables(n):
    random.seed(7)
    return set(random.sample(range(1, n + 1), max(1, n // 20)))


def dropped(i, n, changed, variant):
    return variant == "b" and i in changed and i % 5 == 0 and 1 < i < n


def table(i, n, changed, variant):
    cols = ["id bigint NOT NULL PRIMARY KEY", "code varchar(40) NOT NULL"]
    types = []
    for c in range(1, 10):
        t = TYPES[(i + c) % len(TYPES)]
        if variant == "b" and i in changed and i % 5 == 1 and c == 3:
            t = "text" if t != "text" else "varchar(200)"
        types.append(t)
        cols.append(f"c{c} {t}")
    if variant == "b" and i in changed and i % 5 == 2:
        cols.append("extra_col int NOT NULL DEFAULT 0")
    cols.append("parent_id bigint")
    cols.append(f"UNIQUE KEY t{i}_code_key (code)")
    if not (variant == "b" and i in changed and i % 5 == 3):
        # The first indexable of c1..c9 (c1 in PostgreSQL's pair).
        c = next(k for k, t in enumerate(types, 1) if t not in UNINDEXABLE)
        cols.append(f"KEY t{i}_c{c}_idx (c{c})")
    cols.append(f"KEY t{i}_parent_idx (parent_id)")
    if i > 1:
        prev = i - 1
        while dropped(prev, n, changed, variant):
            prev -= 1
        cols.append(f"CONSTRAINT t{i}_parent_fk FOREIGN KEY (parent_id) REFERENCES t{prev} (id) ON DELETE CASCADE")
    return f"CREATE TABLE t{i} (\n  " + ",\n  ".join(cols) + "\n);"


def main():
    n, variant = int(sys.argv[1]), sys.argv[2]
    changed = changed_tables(n)
    out = [table(i, n, changed, variant) for i in range(1, n + 1) if not dropped(i, n, changed, variant)]
    if variant == "b":
        for k in range(n // 100 + 1):
            out.append(f"CREATE TABLE new_table_{k} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name text NOT NULL);")
    print("\n".join(out))


if __name__ == "__main__":
    main()
