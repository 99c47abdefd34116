//! The bad-input catalogue of docs/reference/errors.md: every row is a case
//! here. Each asserts a non-zero exit code, the message, that nothing
//! panicked, that no password is printed, and that the database is exactly
//! as it was before the command.

mod common;

use common::{project_for, retort, Backend, Db, TestProject};

const SECRET: &str = "Sup3rS3cret";

/// Everything a command could have changed: tables, version rows, history.
fn snapshot(db: &Db) -> Vec<String> {
    let mut rows = db.tables();
    rows.extend(db.versions());
    let history_exists = match db {
        Db::Sqlite(..) => !db
            .column("SELECT name FROM sqlite_master WHERE name = 'retort_history'")
            .is_empty(),
        Db::Pg(_) => {
            db.column("SELECT to_regclass('retort_history')::text")
                .len()
                == 1
        }
        Db::Maria(_) => !db
            .column("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'retort_history'")
            .is_empty(),
    };
    let history = match db {
        Db::Maria(_) => "SELECT CONCAT_WS(' ', revision, direction, status, statements_done) FROM retort_history ORDER BY id",
        _ => "SELECT revision || ' ' || direction || ' ' || status || ' ' || statements_done FROM retort_history ORDER BY id",
    };
    if history_exists {
        rows.extend(db.column(history));
    }
    rows
}

/// A database at revision `a` of a two-revision project.
fn applied(backend: Backend) -> (Db, TestProject) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.table_revision("a", "", "");
    retort(p.path(), &["upgrade", "head"]).ok();
    p.table_revision("b", "a", "");
    (db, p)
}

/// Runs the command and checks the catalogue's promises.
#[track_caller]
fn check(db: &Db, p: &TestProject, args: &[&str], code: i32, message: &str) {
    let before = snapshot(db);
    let run = retort(p.path(), args).fails(code);
    assert!(
        run.stderr.contains(message),
        "expected {message:?} in:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.starts_with("error: ") || run.stderr.contains("\nerror: "),
        "{}",
        run.stderr
    );
    assert!(
        !run.all().contains(SECRET),
        "password leaked:\n{}",
        run.all()
    );
    assert_eq!(snapshot(db), before, "the database changed");
    assert_message_snapshot(&redact(db, p, &run.stderr));
}

/// Pins the whole (redacted) stderr with insta, as
/// `snapshots/bad_input__<test>.snap` (`-2`, … for a second check in the
/// same test). The test's name comes from its thread, which the test
/// harness names after the test.
#[track_caller]
fn assert_message_snapshot(stderr: &str) {
    let thread = std::thread::current();
    let test = thread
        .name()
        .filter(|n| *n != "main")
        .expect("a test thread named after its test")
        .replace("::", "__");
    thread_local!(static CHECKS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });
    let n = CHECKS.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let test = if n == 1 { test } else { format!("{test}-{n}") };
    insta::with_settings!({ prepend_module_to_snapshot => true, omit_expression => true }, {
        insta::assert_snapshot!(test, stderr);
    });
}

/// `stderr` with what varies between runs and machines replaced by
/// placeholders: the project and SQLite folders, the PostgreSQL database
/// name, port and server version, and the operating system's error numbers
/// (`os error 111` is `61` on macOS).
fn redact(db: &Db, p: &TestProject, stderr: &str) -> String {
    let mut out = stderr.to_string();
    let mut folder = |path: &std::path::Path, placeholder: &str| {
        for form in [path.canonicalize().ok(), Some(path.to_path_buf())]
            .into_iter()
            .flatten()
        {
            out = out.replace(&*form.to_string_lossy(), placeholder);
        }
    };
    folder(p.path(), "[PROJECT]");
    match db {
        Db::Sqlite(_, dir) => folder(dir.path(), "[DBDIR]"),
        Db::Pg(pg) => {
            for version in db.column("SHOW server_version") {
                out = out.replace(&version, "[PG_VERSION]");
            }
            out = out
                .replace(&pg.name, "[DBNAME]")
                .replace(&format!(":{}", pg.server().port), ":[PORT]");
        }
        Db::Maria(m) => {
            out = out
                .replace(&m.name, "[DBNAME]")
                .replace(&format!(":{}", m.server().port), ":[PORT]");
        }
    }
    os_error_numbers(&out)
}

/// `text` with the number of every `(os error N)` replaced by `[N]`.
fn os_error_numbers(text: &str) -> String {
    const MARK: &str = "(os error ";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let (head, tail) = rest.split_at(at + MARK.len());
        out.push_str(head);
        let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str(if digits > 0 { "[N]" } else { "" });
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn bad_header() {
    let (db, p) = applied(Backend::Sqlite);
    std::fs::write(p.versions().join("b.sql"), "-- b\n-- Revision ID: b\n-- Revises: a\n-- Transaction: sometimes\n-- +upgrade\nSELECT 1;\n").unwrap();
    check(
        &db,
        &p,
        &["upgrade", "head"],
        1,
        "b.sql:4: 'Transaction: sometimes' must be true or false",
    );
}

#[test]
fn unknown_header_key() {
    let (db, p) = applied(Backend::Sqlite);
    std::fs::write(
        p.versions().join("b.sql"),
        "-- b\n-- Revision ID: b\n-- Revises: a\n-- Depends: a\n-- +upgrade\nSELECT 1;\n",
    )
    .unwrap();
    check(
        &db,
        &p,
        &["upgrade", "head"],
        1,
        "b.sql:4: unknown header key 'Depends'",
    );
}

#[test]
fn unknown_config_key() {
    let (db, p) = applied(Backend::Sqlite);
    p.write_config(&format!(
        "[database]\nurl = \"{}\"\n[migrations]\ntransaction_per_migrations = true\n",
        db.url()
    ));
    check(
        &db,
        &p,
        &["upgrade", "head"],
        2,
        "retort.toml:4: unknown field 'transaction_per_migrations'",
    );
}

#[test]
fn cycle() {
    let (db, p) = applied(Backend::Sqlite);
    p.table_revision("c", "d", "");
    p.table_revision("d", "c", "");
    check(
        &db,
        &p,
        &["upgrade", "head"],
        1,
        "cycle detected in revisions",
    );
}

#[test]
fn missing_parent() {
    let (db, p) = applied(Backend::Sqlite);
    p.table_revision("c", "nothere", "");
    check(
        &db,
        &p,
        &["upgrade", "head"],
        1,
        "revision nothere referenced from c",
    );
}

#[test]
fn duplicate_id() {
    let (db, p) = applied(Backend::Sqlite);
    std::fs::write(
        p.versions().join("b_copy.sql"),
        std::fs::read_to_string(p.versions().join("b.sql")).unwrap(),
    )
    .unwrap();
    check(
        &db,
        &p,
        &["upgrade", "head"],
        1,
        "revision b is present more than once",
    );
}

#[test]
fn ambiguous_prefix() {
    let db = Db::new(Backend::Sqlite);
    let p = project_for(&db);
    p.table_revision("abcd01", "", "");
    p.table_revision("abcd02", "abcd01", "");
    check(
        &db,
        &p,
        &["upgrade", "abcd"],
        1,
        "multiple revisions start with 'abcd': abcd01, abcd02",
    );
}

#[test]
fn sql_error_mid_revision_sqlite() {
    sql_error_mid_revision(Backend::Sqlite, "no such table: missing_table");
}

#[test]
fn sql_error_mid_revision_postgres() {
    sql_error_mid_revision(
        Backend::Postgres,
        "relation \"missing_table\" does not exist (42P01)",
    );
}

#[test]
fn sql_error_mid_revision_mariadb() {
    sql_error_mid_revision(
        Backend::Mariadb,
        "missing_table' doesn't exist (1146, SQLSTATE 42S02)",
    );
}

fn sql_error_mid_revision(backend: Backend, message: &str) {
    let (db, p) = applied(backend);
    // On MariaDB DDL commits by itself: the revision is data-only there, so
    // that it is atomic and the database is unchanged after the failure.
    let first = match backend {
        Backend::Mariadb => "INSERT INTO t_a (id) VALUES (1);",
        _ => "CREATE TABLE t_b (id integer);",
    };
    p.revision(
        "b",
        "a",
        "",
        &format!("{first}\nINSERT INTO missing_table VALUES (1);"),
        Some("DROP TABLE t_b;"),
    );
    check(&db, &p, &["upgrade", "head"], 1, message);
    check(
        &db,
        &p,
        &["upgrade", "head"],
        1,
        "b.sql:8: upgrade of revision b failed",
    );
}

/// On PostgreSQL a step's `BEGIN` goes to the server with its first
/// statement: an error there still names that statement, and its position
/// is counted in the statement, not in what was sent.
#[test]
fn sql_error_in_the_first_statement_postgres() {
    let (db, p) = applied(Backend::Postgres);
    p.revision(
        "b",
        "a",
        "",
        "INSERT INTO missing_table VALUES (1);\nCREATE TABLE t_b (id integer);",
        Some("DROP TABLE t_b;"),
    );
    check(
        &db,
        &p,
        &["upgrade", "head"],
        1,
        "relation \"missing_table\" does not exist (42P01)\n  at character 13 of the statement\n  statement: INSERT INTO missing_table VALUES (1)",
    );
}

#[test]
fn wrong_password() {
    let (db, p) = applied(Backend::Postgres);
    let port = match &db {
        Db::Pg(pg) => pg.server().port,
        Db::Sqlite(..) | Db::Maria(_) => unreachable!(),
    };
    let url = format!(
        "postgresql://{}:{SECRET}@127.0.0.1:{port}/postgres",
        retort_testkit::pg::PASSWORD_USER
    );
    check(
        &db,
        &p,
        &["--url", &url, "upgrade", "head"],
        1,
        "password authentication failed for user",
    );
}

#[test]
fn wrong_password_mariadb() {
    let (db, p) = applied(Backend::Mariadb);
    let port = match &db {
        Db::Maria(m) => m.server().port,
        Db::Sqlite(..) | Db::Pg(_) => unreachable!(),
    };
    let url = format!(
        "mysql://{}:{SECRET}@127.0.0.1:{port}/mysql",
        retort_testkit::mariadb::USER
    );
    check(
        &db,
        &p,
        &["--url", &url, "upgrade", "head"],
        1,
        "Access denied for user",
    );
}

#[test]
fn unreachable_host_mariadb() {
    let (db, p) = applied(Backend::Sqlite);
    let url = format!("mysql://app:{SECRET}@127.0.0.1:9/app");
    check(
        &db,
        &p,
        &["--url", &url, "upgrade", "head"],
        1,
        "cannot connect to MySQL at 127.0.0.1:9 (mysql://app:***@127.0.0.1:9/app)",
    );
}

#[test]
fn unreachable_host() {
    let (db, p) = applied(Backend::Sqlite);
    let url = format!("postgresql://app:{SECRET}@127.0.0.1:9/app?connect_timeout=2");
    check(
        &db,
        &p,
        &["--url", &url, "upgrade", "head"],
        1,
        "cannot connect to PostgreSQL at 127.0.0.1:9 (postgresql://app:***@127.0.0.1:9/app",
    );
}

#[test]
fn unknown_option() {
    let (db, p) = applied(Backend::Sqlite);
    check(
        &db,
        &p,
        &["upgrade", "head", "--dry-run"],
        2,
        "unexpected argument '--dry-run'",
    );
}

#[test]
fn bad_url() {
    let (db, p) = applied(Backend::Sqlite);
    let url = format!("postgres:/app:{SECRET}@db/app");
    check(
        &db,
        &p,
        &["--url", &url, "upgrade", "head"],
        2,
        "is not a database URL",
    );
}

#[test]
fn unreadable_revision_file() {
    let (db, p) = applied(Backend::Sqlite);
    std::fs::write(p.versions().join("b.sql"), [0xff, 0xfe, 0x00, 0x2d]).unwrap();
    check(
        &db,
        &p,
        &["upgrade", "head"],
        1,
        "b.sql: the file is not UTF-8 text",
    );
}

#[test]
fn non_transactional_step_left_in_progress() {
    non_transactional_step_left_in_progress_on(Backend::Sqlite);
}

#[test]
fn ddl_step_left_half_applied_mariadb() {
    non_transactional_step_left_in_progress_on(Backend::Mariadb);
}

fn non_transactional_step_left_in_progress_on(backend: Backend) {
    let (db, p) = applied(backend);
    p.revision(
        "b",
        "a",
        "Transaction: false",
        "CREATE TABLE t_b (id integer);\nINSERT INTO nowhere VALUES (1);",
        Some("DROP TABLE t_b;"),
    );
    retort(p.path(), &["upgrade", "head"]).fails(1);
    // Any later command that would run on top of it stops and says how to recover.
    check(
        &db,
        &p,
        &["downgrade", "base"],
        1,
        "revision b (upgrade) was left half-applied by an earlier run: 1 statement(s) completed",
    );
    check(
        &db,
        &p,
        &["downgrade", "base"],
        1,
        "retort resolve b --applied",
    );
}

#[test]
fn diff_of_two_dialects() {
    let (db, p) = applied(Backend::Sqlite);
    let pg = format!("postgresql://app:{SECRET}@127.0.0.1:9/app");
    let sqlite = db.url();
    check(
        &db,
        &p,
        &["diff", "--from", &pg, "--to", &sqlite],
        2,
        "both sides must be the same dialect",
    );
}

#[test]
fn diff_of_a_missing_sqlite_file() {
    let (db, p) = applied(Backend::Sqlite);
    check(
        &db,
        &p,
        &[
            "diff",
            "--from",
            "sqlite:///typo.db",
            "--to",
            "migrations@head",
        ],
        2,
        "no such SQLite database file",
    );
    assert!(!p.path().join("typo.db").exists());
}
