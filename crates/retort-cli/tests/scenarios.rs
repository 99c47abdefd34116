//! Upgrade/downgrade scenarios run by the real `retort` binary, each on
//! SQLite, PostgreSQL and MariaDB from one definition. Revisions create a table `t_<id>` and drop it on
//! downgrade (as in Alembic's own graph tests), so the tables that exist show
//! which revisions' effects are in the database; the version table must name
//! exactly those revisions' heads.

mod common;

use common::{project_for, retort, set, Backend, Db};

on_all_backends!(
    linear_upgrade_downgrade_and_relative_steps,
    several_heads_refuse_head_and_branches_move_independently,
    merge_point_upgrade_and_ambiguous_downgrade,
    three_roots_with_branch_labels,
    depends_on_applies_the_dependency_first,
    failing_statement_rolls_back_the_revision,
    one_transaction_for_the_whole_run,
    stamp_moves_the_version_table_only,
    irreversible_revision_refuses_downgrade_before_running_anything,
    takes_over_an_alembic_version_table,
    unknown_current_revision_is_reported,
    current_and_history_print_alembic_lines,
    non_transactional_revision_runs_outside_a_transaction,
    bodies_with_semicolons_apply_as_one_statement,
);

#[test]
fn postgres_version_table_in_its_own_schema() {
    let db = Db::new(Backend::Postgres);
    db.exec("CREATE SCHEMA ops");
    let p = linear(&db);
    p.write_config(&format!(
        "[database]\nurl = \"{}\"\n[migrations]\nversion_table_schema = \"ops\"\n",
        db.url()
    ));
    retort(p.path(), &["upgrade", "head"]).ok();
    assert_eq!(db.versions_in("ops.retort_version"), set(&["ccc333"]));
    assert!(db.versions_in("retort_version").is_empty());
    let current = retort(p.path(), &["current"]).ok();
    assert_eq!(current.stdout, "ccc333 (head)\n");
}

/// a → b → c with long ids so prefixes can be tested.
fn linear(db: &Db) -> common::TestProject {
    let p = project_for(db);
    p.table_revision("aaa111", "", "");
    p.table_revision("bbb222", "aaa111", "");
    p.table_revision("ccc333", "bbb222", "");
    p
}

fn linear_upgrade_downgrade_and_relative_steps(backend: Backend) {
    let db = Db::new(backend);
    let p = linear(&db);
    let dir = p.path();

    // A fresh database is at base; `current` says so and exits 0.
    retort(dir, &["current"]).ok();
    assert!(db.versions().is_empty());

    // `upgrade bbb2` (a unique prefix; Alembic wants at least four
    // characters) applies a and b.
    retort(dir, &["upgrade", "bbb2"]).ok();
    assert_eq!(db.versions(), set(&["bbb222"]));
    assert_eq!(db.tables(), set(&["t_aaa111", "t_bbb222"]));

    // Alembic: `upgrade +5` past the head fails and changes nothing.
    let run = retort(dir, &["upgrade", "+5"]).fails(1);
    assert!(run.stderr.contains("+5"), "{}", run.stderr);
    assert_eq!(db.versions(), set(&["bbb222"]));

    retort(dir, &["upgrade", "+1"]).ok();
    assert_eq!(db.versions(), set(&["ccc333"]));
    assert_eq!(db.tables(), set(&["t_aaa111", "t_bbb222", "t_ccc333"]));

    // Upgrading again is a no-op that succeeds.
    let run = retort(dir, &["upgrade", "head"]).ok();
    assert!(run.stderr.contains("Nothing to do"), "{}", run.stderr);

    retort(dir, &["downgrade", "-1"]).ok();
    assert_eq!(db.versions(), set(&["bbb222"]));
    assert_eq!(db.tables(), set(&["t_aaa111", "t_bbb222"]));

    // Alembic: downgrade to base empties the version table (it stays).
    retort(dir, &["downgrade", "base"]).ok();
    assert!(db.versions().is_empty());
    assert!(db.tables().is_empty());

    retort(dir, &["upgrade", "head"]).ok();
    retort(dir, &["downgrade", "aaa111"]).ok();
    assert_eq!(db.versions(), set(&["aaa111"]));
    assert_eq!(db.tables(), set(&["t_aaa111"]));
}

fn several_heads_refuse_head_and_branches_move_independently(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.table_revision("a", "", "");
    p.table_revision("b1", "a", "Branch Labels: left");
    p.table_revision("c1", "a", "Branch Labels: right");
    let dir = p.path();

    // Alembic refuses `upgrade head` when there are several heads and
    // suggests `heads` or `label@head`; nothing runs.
    let run = retort(dir, &["upgrade", "head"]).fails(1);
    assert!(run.stderr.contains("heads"), "{}", run.stderr);
    assert!(db.tables().is_empty());

    // Alembic: `left@head` applies a then b1; one row, b1.
    retort(dir, &["upgrade", "left@head"]).ok();
    assert_eq!(db.versions(), set(&["b1"]));
    assert_eq!(db.tables(), set(&["t_a", "t_b1"]));

    // Alembic: `heads` adds the other branch as a second row.
    retort(dir, &["upgrade", "heads"]).ok();
    assert_eq!(db.versions(), set(&["b1", "c1"]));
    assert_eq!(db.tables(), set(&["t_a", "t_b1", "t_c1"]));

    // Alembic: `right@-1` takes c1 down; a stays because b1 needs it, so the
    // row for c1 is deleted rather than replaced by a.
    retort(dir, &["downgrade", "right@-1"]).ok();
    assert_eq!(db.versions(), set(&["b1"]));
    assert_eq!(db.tables(), set(&["t_a", "t_b1"]));

    retort(dir, &["downgrade", "base"]).ok();
    assert!(db.versions().is_empty());
    assert!(db.tables().is_empty());
}

fn merge_point_upgrade_and_ambiguous_downgrade(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.table_revision("a", "", "");
    p.table_revision("b", "a", "");
    p.table_revision("c", "a", "");
    p.table_revision("m", "b, c", "");
    p.table_revision("d", "m", "");
    let dir = p.path();

    // Up to b only: one row.
    retort(dir, &["upgrade", "b"]).ok();
    assert_eq!(db.versions(), set(&["b"]));

    // Alembic: upgrading through the merge runs c, then m (deleting b's and
    // c's rows, inserting m's), then d.
    retort(dir, &["upgrade", "head"]).ok();
    assert_eq!(db.versions(), set(&["d"]));
    assert_eq!(db.tables(), set(&["t_a", "t_b", "t_c", "t_d", "t_m"]));

    retort(dir, &["downgrade", "-1"]).ok();
    assert_eq!(db.versions(), set(&["m"]));

    // Alembic: `downgrade -1` at a merge point is ambiguous and refused.
    let run = retort(dir, &["downgrade", "-1"]).fails(1);
    assert!(
        run.stderr.to_lowercase().contains("ambiguous"),
        "{}",
        run.stderr
    );
    assert_eq!(db.versions(), set(&["m"]));

    retort(dir, &["downgrade", "base"]).ok();
    assert!(db.versions().is_empty());
    assert!(db.tables().is_empty());
}

fn three_roots_with_branch_labels(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.table_revision("x1", "", "Branch Labels: x");
    p.table_revision("x2", "x1", "");
    p.table_revision("y1", "", "Branch Labels: y");
    p.table_revision("y2", "y1", "");
    p.table_revision("z1", "", "Branch Labels: z");
    let dir = p.path();

    retort(dir, &["upgrade", "x@head"]).ok();
    assert_eq!(db.versions(), set(&["x2"]));
    assert_eq!(db.tables(), set(&["t_x1", "t_x2"]));

    retort(dir, &["upgrade", "heads"]).ok();
    assert_eq!(db.versions(), set(&["x2", "y2", "z1"]));

    // Alembic: `y@base` takes the whole y branch down, leaving the others.
    retort(dir, &["downgrade", "y@base"]).ok();
    assert_eq!(db.versions(), set(&["x2", "z1"]));
    assert_eq!(db.tables(), set(&["t_x1", "t_x2", "t_z1"]));

    let heads = retort(dir, &["heads"]).ok();
    for h in ["x2", "y2", "z1"] {
        assert!(heads.stdout.contains(h), "{}", heads.stdout);
    }
    let history = retort(dir, &["history"]).ok();
    assert_eq!(history.stdout.lines().count(), 5, "{}", history.stdout);
}

fn depends_on_applies_the_dependency_first(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.table_revision("a", "", "");
    p.table_revision("o1", "", "Branch Labels: other");
    p.revision(
        "b",
        "a",
        "Depends On: o1",
        // b's upgrade needs o1's table: it only works if o1 ran first.
        "CREATE TABLE t_b (id integer PRIMARY KEY, o integer REFERENCES t_o1 (id));",
        Some("DROP TABLE t_b;"),
    );
    let dir = p.path();

    retort(dir, &["upgrade", "b"]).ok();
    assert_eq!(db.tables(), set(&["t_a", "t_b", "t_o1"]));
    // Alembic (checked): applying b deletes a's row and turns o1's row into
    // b, so the one row b stands for both lines.
    assert_eq!(db.versions(), set(&["b"]));
    let current = retort(dir, &["current"]).ok();
    assert!(
        current.stdout.contains("o1 (effective head)"),
        "{}",
        current.stdout
    );
    assert!(current.stdout.contains("b (head)"), "{}", current.stdout);

    retort(dir, &["downgrade", "base"]).ok();
    assert!(db.tables().is_empty());
    assert!(db.versions().is_empty());
}

fn failing_statement_rolls_back_the_revision(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.table_revision("a", "", "");
    let bad = p.revision(
        "b",
        "a",
        "",
        "CREATE TABLE t_b1 (id integer PRIMARY KEY);\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE t_b2 (id integer);",
        Some("DROP TABLE t_b2;\nDROP TABLE t_b1;"),
    );
    let dir = p.path();

    let run = retort(dir, &["upgrade", "head"]).fails(1);
    // The error names the file and the line of the failing statement (the
    // INSERT is on line 7 of the generated file), and the database's message.
    let text = std::fs::read_to_string(&bad).unwrap();
    let line = text.lines().position(|l| l.starts_with("INSERT")).unwrap() + 1;
    assert!(
        run.stderr.contains(&format!("b.sql:{line}:")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("missing_table"), "{}", run.stderr);
    assert!(
        run.stderr.contains("INSERT INTO missing_table"),
        "{}",
        run.stderr
    );
    if backend == Backend::Postgres {
        assert!(run.stderr.contains("42P01"), "{}", run.stderr);
    }
    if backend == Backend::Mariadb {
        // The server's error number and SQLSTATE.
        assert!(
            run.stderr.contains("1146, SQLSTATE 42S02"),
            "{}",
            run.stderr
        );
        // DDL commits implicitly: b's first statement stays, and b is
        // recorded half-applied after it.
        assert!(
            run.stderr.contains("half-applied: 1 of 3 statements ran"),
            "{}",
            run.stderr
        );
        assert_eq!(db.versions(), set(&["a"]));
        assert_eq!(db.tables(), set(&["t_a", "t_b1"]));
        // Fixed, a rerun resumes at the failing statement (CREATE TABLE
        // t_b1 does not run again: it would fail).
        let text = std::fs::read_to_string(&bad)
            .unwrap()
            .replace("INSERT INTO missing_table", "INSERT INTO t_b1");
        std::fs::write(&bad, text).unwrap();
        let run = retort(dir, &["upgrade", "head"]).ok();
        assert!(
            run.stderr.contains("Resuming revision b after its first 1"),
            "{}",
            run.stderr
        );
        assert_eq!(db.versions(), set(&["b"]));
        assert_eq!(db.tables(), set(&["t_a", "t_b1", "t_b2"]));
        return;
    }
    // a is applied; b's first statement was rolled back with it.
    assert_eq!(db.versions(), set(&["a"]));
    assert_eq!(db.tables(), set(&["t_a"]));
}

fn one_transaction_for_the_whole_run(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.write_config(&format!(
        "[database]\nurl = \"{}\"\n[migrations]\ntransaction_per_migration = false\n",
        db.url()
    ));
    p.table_revision("a", "", "");
    p.table_revision("b", "a", "");
    p.revision(
        "c",
        "b",
        "",
        "CREATE TABLE t_a (id integer);",
        Some("SELECT 1;"),
    );
    let dir = p.path();

    retort(dir, &["upgrade", "head"]).fails(1);
    if backend == Backend::Mariadb {
        // DDL cannot be in a transaction here: a and b each committed, and
        // c is half-applied before its first statement.
        assert_eq!(db.versions(), set(&["b"]));
        assert_eq!(db.tables(), set(&["t_a", "t_b"]));
    } else {
        // The whole run was one transaction: nothing of a or b remains.
        assert!(db.versions().is_empty(), "{:?}", db.versions());
        assert!(db.tables().is_empty(), "{:?}", db.tables());
    }

    std::fs::write(p.versions().join("c.sql"), "-- c\n-- Revision ID: c\n-- Revises: b\n-- +upgrade\nCREATE TABLE t_c (id integer);\n-- +downgrade\nDROP TABLE t_c;\n").unwrap();
    retort(dir, &["upgrade", "head"]).ok();
    assert_eq!(db.versions(), set(&["c"]));
    assert_eq!(db.tables(), set(&["t_a", "t_b", "t_c"]));
}

fn stamp_moves_the_version_table_only(backend: Backend) {
    let db = Db::new(backend);
    let p = linear(&db);
    let dir = p.path();

    retort(dir, &["stamp", "head"]).ok();
    assert_eq!(db.versions(), set(&["ccc333"]));
    assert!(db.tables().is_empty(), "stamp must not run migrations");

    retort(dir, &["stamp", "bbb222"]).ok();
    assert_eq!(db.versions(), set(&["bbb222"]));

    retort(dir, &["stamp", "base"]).ok();
    assert!(db.versions().is_empty());

    // --purge clears rows first, even ones the project does not know.
    db.exec("INSERT INTO retort_version (version_num) VALUES ('deadbeef0000')");
    retort(dir, &["stamp", "--purge", "aaa111"]).ok();
    assert_eq!(db.versions(), set(&["aaa111"]));
}

fn irreversible_revision_refuses_downgrade_before_running_anything(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.table_revision("a", "", "");
    p.revision("b", "a", "", "CREATE TABLE t_b (id integer);", None);
    p.table_revision("c", "b", "");
    let dir = p.path();

    retort(dir, &["upgrade", "head"]).ok();
    let run = retort(dir, &["downgrade", "a"]).fails(1);
    assert!(run.stderr.contains("revision b"), "{}", run.stderr);
    assert!(run.stderr.contains("downgrade"), "{}", run.stderr);
    // c was not taken down either: the plan is checked before it runs.
    assert_eq!(db.versions(), set(&["c"]));
    assert_eq!(db.tables(), set(&["t_a", "t_b", "t_c"]));

    // Above the irreversible revision, downgrades still work.
    retort(dir, &["downgrade", "b"]).ok();
    assert_eq!(db.versions(), set(&["b"]));
}

fn takes_over_an_alembic_version_table(backend: Backend) {
    let db = Db::new(backend);
    // What Alembic leaves behind after applying revision aaa111.
    db.exec(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
         INSERT INTO alembic_version (version_num) VALUES ('aaa111');
         CREATE TABLE t_aaa111 (id integer PRIMARY KEY);",
    );
    let p = linear(&db);
    p.write_config(&format!(
        "[database]\nurl = \"{}\"\n[migrations]\nversion_table = \"alembic_version\"\n",
        db.url()
    ));
    let dir = p.path();

    let current = retort(dir, &["current"]).ok();
    assert!(current.stdout.contains("aaa111"), "{}", current.stdout);
    retort(dir, &["upgrade", "head"]).ok();
    assert_eq!(db.versions_in("alembic_version"), set(&["ccc333"]));
    assert_eq!(db.tables(), set(&["t_aaa111", "t_bbb222", "t_ccc333"]));
    assert!(db.versions_in("retort_version").is_empty());
}

fn unknown_current_revision_is_reported(backend: Backend) {
    let db = Db::new(backend);
    let p = linear(&db);
    let dir = p.path();
    retort(dir, &["stamp", "head"]).ok();
    db.exec("UPDATE retort_version SET version_num = 'f00f00f00f00'");
    for args in [&["upgrade", "head"][..], &["current"][..]] {
        let run = retort(dir, args).fails(1);
        assert!(run.stderr.contains("f00f00f00f00"), "{}", run.stderr);
        assert!(run.stderr.contains("not in the project"), "{}", run.stderr);
    }
    assert_eq!(db.versions(), set(&["f00f00f00f00"]));
}

fn current_and_history_print_alembic_lines(backend: Backend) {
    let db = Db::new(backend);
    let p = linear(&db);
    let dir = p.path();
    retort(dir, &["upgrade", "bbb222"]).ok();

    let current = retort(dir, &["current"]).ok();
    assert_eq!(current.stdout, "bbb222\n");
    retort(dir, &["upgrade", "head"]).ok();
    let current = retort(dir, &["current"]).ok();
    assert_eq!(current.stdout, "ccc333 (head)\n");

    let history = retort(dir, &["history", "--indicate-current"]).ok();
    assert_eq!(
        history.stdout,
        "bbb222 -> ccc333 (head) (current), revision ccc333\n\
         aaa111 -> bbb222, revision bbb222\n\
         <base> -> aaa111, revision aaa111\n"
    );
    let json = retort(dir, &["current", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["current"][0]["revision"], "ccc333");
    assert_eq!(v["at_head"], true);
}

fn non_transactional_revision_runs_outside_a_transaction(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.revision(
        "a",
        "",
        "",
        "CREATE TABLE items (id integer PRIMARY KEY, name text);\nINSERT INTO items (id, name) VALUES (1, 'x');",
        Some("DROP TABLE items;"),
    );
    // Statements that refuse a transaction block: they work only because the
    // header says `Transaction: false`.
    let (up, down) = match backend {
        Backend::Postgres => (
            "CREATE INDEX CONCURRENTLY items_name ON items (name);",
            "DROP INDEX CONCURRENTLY items_name;",
        ),
        Backend::Sqlite => (
            "CREATE INDEX items_name ON items (name);\nVACUUM;",
            "DROP INDEX items_name;\nVACUUM;",
        ),
        Backend::Mariadb => (
            "CREATE INDEX items_name ON items (name(20)) ALGORITHM=INPLACE LOCK=NONE;",
            "DROP INDEX items_name ON items;",
        ),
    };
    p.revision("b", "a", "Transaction: false", up, Some(down));
    retort(p.path(), &["upgrade", "head"]).ok();
    assert_eq!(db.versions(), set(&["b"]));
    let index_sql = match backend {
        Backend::Postgres => {
            "SELECT indexname::text FROM pg_indexes WHERE indexname = 'items_name'"
        }
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'items_name'"
        }
        Backend::Mariadb => {
            "SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = 'items_name'"
        }
    };
    assert_eq!(db.column(index_sql), vec!["items_name".to_string()]);
    retort(p.path(), &["downgrade", "a"]).ok();
    assert!(db.column(index_sql).is_empty());
    assert_eq!(db.versions(), set(&["a"]));
}

fn bodies_with_semicolons_apply_as_one_statement(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    let (up, down) = match backend {
        Backend::Postgres => (
            "CREATE TABLE log (id serial PRIMARY KEY, msg text);\n\
             CREATE FUNCTION note(m text) RETURNS void AS $$\nBEGIN\n  INSERT INTO log (msg) VALUES (m || ';');\nEND;\n$$ LANGUAGE plpgsql;\n\
             DO $do$\nBEGIN\n  PERFORM note('from do');\nEND\n$do$;",
            "DROP FUNCTION note(text);\nDROP TABLE log;",
        ),
        Backend::Sqlite => (
            "CREATE TABLE log (id integer PRIMARY KEY, msg text);\n\
             CREATE TABLE items (id integer PRIMARY KEY);\n\
             CREATE TRIGGER items_log AFTER INSERT ON items\nBEGIN\n  INSERT INTO log (msg) VALUES ('from do;');\nEND;\n\
             INSERT INTO items (id) VALUES (1);",
            "DROP TABLE items;\nDROP TABLE log;",
        ),
        Backend::Mariadb => (
            "CREATE TABLE log (id integer PRIMARY KEY AUTO_INCREMENT, msg text);\n\
             CREATE PROCEDURE note(m text)\nBEGIN\n  INSERT INTO log (msg) VALUES (CONCAT(m, ';'));\nEND;\n\
             CALL note('from do');",
            "DROP PROCEDURE note;\nDROP TABLE log;",
        ),
    };
    p.revision("a", "", "", up, Some(down));
    retort(p.path(), &["upgrade", "head"]).ok();
    assert_eq!(
        db.column("SELECT msg FROM log"),
        vec!["from do;".to_string()]
    );
    retort(p.path(), &["downgrade", "base"]).ok();
    assert!(db.tables().is_empty());
}
