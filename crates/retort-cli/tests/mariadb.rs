//! MariaDB through the real binary, beyond the shared scenarios: the project
//! lifecycle from `init`, Alembic's version table, data-only revisions in one
//! transaction, the named lock dying with a killed runner,
//! `lock_wait_timeout`, `[database] session` (on every database), URLs
//! (percent-encoded passwords, TLS, the socket), the non-atomic note, and
//! autogenerate with every command that compares schemas.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{project_for, retort, set, Backend, Db};
use mysql::prelude::Queryable;
use retort_testkit::mariadb::{self, ENCODED_USER, PASSWORD, TLS_USER};

fn maria() -> Db {
    Db::new(Backend::Mariadb)
}

#[test]
fn init_upgrade_current_history_downgrade_and_stamp() {
    let db = maria();
    let dir = tempfile::tempdir().unwrap();
    retort(dir.path(), &["init", "app"]).ok();
    let root = dir.path().join("app");
    let config = std::fs::read_to_string(root.join("retort.toml")).unwrap();
    let config = config.replace(
        "url = \"${DATABASE_URL:-sqlite:///app.db}\"",
        &format!("url = \"{}\"", db.url()),
    );
    std::fs::write(root.join("retort.toml"), config).unwrap();
    let versions = root.join("migrations/versions");
    for (id, parent) in [("aaa111", ""), ("bbb222", "aaa111")] {
        std::fs::write(
            versions.join(format!("{id}.sql")),
            format!(
                "-- {id}\n-- Revision ID: {id}\n-- Revises: {parent}\n\n-- +upgrade\nCREATE TABLE t_{id} (id INT PRIMARY KEY, note VARCHAR(20) NOT NULL DEFAULT 'it''s');\n\n-- +downgrade\nDROP TABLE t_{id};\n"
            ),
        )
        .unwrap();
    }
    retort(&root, &["upgrade", "head"]).ok();
    assert_eq!(db.versions(), set(&["bbb222"]));
    assert_eq!(db.tables(), set(&["t_aaa111", "t_bbb222"]));
    // Alembic's version table: VARCHAR(32) primary key.
    assert_eq!(
        db.column(
            "SELECT CONCAT_WS(' ', column_name, column_type, is_nullable, column_key) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'retort_version'"
        ),
        vec!["version_num varchar(32) NO PRI".to_string()]
    );
    assert_eq!(retort(&root, &["current"]).ok().stdout, "bbb222 (head)\n");
    let history = retort(&root, &["history"]).ok().stdout;
    assert!(history.contains("aaa111 -> bbb222 (head)"), "{history}");
    retort(&root, &["downgrade", "-1"]).ok();
    assert_eq!(db.versions(), set(&["aaa111"]));
    assert_eq!(db.tables(), set(&["t_aaa111"]));
    retort(&root, &["downgrade", "base"]).ok();
    assert!(db.tables().is_empty());
    retort(&root, &["stamp", "head"]).ok();
    assert_eq!(db.versions(), set(&["bbb222"]));
    assert!(db.tables().is_empty(), "stamp runs no migration");
    // Every applied step has its history row, none left open.
    assert_eq!(
        db.column("SELECT COUNT(*) FROM retort_history WHERE status NOT IN ('applied')"),
        vec!["0".to_string()]
    );
}

#[test]
fn a_data_only_revision_is_atomic() {
    let db = maria();
    let p = project_for(&db);
    p.revision(
        "a",
        "",
        "",
        "CREATE TABLE items (id INT PRIMARY KEY) ENGINE=InnoDB;",
        Some("DROP TABLE items;"),
    );
    let b = p.revision(
        "b",
        "a",
        "",
        "INSERT INTO items VALUES (1);\nINSERT INTO items VALUES (2);\nINSERT INTO items VALUES (1);",
        Some("DELETE FROM items;"),
    );
    let run = retort(p.path(), &["upgrade", "head"]).fails(1);
    assert!(run.stderr.contains("Duplicate entry"), "{}", run.stderr);
    assert!(
        run.stderr.contains("1062, SQLSTATE 23000"),
        "{}",
        run.stderr
    );
    // Rolled back with its version change: no row, nothing half-applied.
    assert!(db.column("SELECT id FROM items").is_empty());
    assert_eq!(db.versions(), set(&["a"]));
    assert!(!run.stderr.contains("half-applied"), "{}", run.stderr);
    retort(p.path(), &["current"]).ok();
    let text = std::fs::read_to_string(&b).unwrap().replace(
        "INSERT INTO items VALUES (1);\n\n",
        "INSERT INTO items VALUES (3);\n\n",
    );
    std::fs::write(&b, text).unwrap();
    retort(p.path(), &["upgrade", "head"]).ok();
    assert_eq!(
        db.column("SELECT id FROM items ORDER BY id"),
        ["1", "2", "3"]
    );
    assert_eq!(db.versions(), set(&["b"]));
}

fn lock_name(db: &mariadb::TestDb) -> String {
    let key = retort::dialect::sql::lock_key(&retort::dialect::sql::TableRef {
        schema: None,
        name: "retort_version".into(),
    });
    format!("retort:{key:016x}:{}", db.name)
}

fn is_free(db: &mariadb::TestDb, name: &str) -> bool {
    db.column(&format!("SELECT IS_FREE_LOCK('{name}')")) == ["1"]
}

#[test]
fn the_lock_is_released_after_a_run_and_dies_with_a_killed_runner() {
    let db = mariadb::database();
    let p = common::TestProject::new();
    p.write_config(&format!("[database]\nurl = \"{}\"\n", db.url));
    p.table_revision("a", "", "");
    p.revision(
        "b",
        "a",
        "",
        "INSERT INTO t_a VALUES (1);\nSELECT SLEEP(4);",
        Some("DELETE FROM t_a;"),
    );
    let name = lock_name(&db);
    retort(p.path(), &["upgrade", "a"]).ok();
    assert!(is_free(&db, &name), "released after a run");

    let mut child = Command::new(env!("CARGO_BIN_EXE_retort"))
        .args(["upgrade", "head"])
        .current_dir(p.path())
        .env_remove("RETORT_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while is_free(&db, &name) {
        assert!(started.elapsed() < Duration::from_secs(20), "never locked");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let started = Instant::now();
    while !is_free(&db, &name) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the lock outlived the killed session"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The data-only step died in its transaction: nothing of it remains.
    assert!(db.column("SELECT id FROM t_a").is_empty());
    assert_eq!(db.column("SELECT version_num FROM retort_version"), ["a"]);
}

#[test]
fn an_alter_stuck_behind_a_metadata_lock_fails_after_lock_wait_timeout() {
    let db = mariadb::database();
    let p = common::TestProject::new();
    p.write_config(&format!(
        "[database]\nurl = \"{}\"\nlock_wait_timeout = 1\n",
        db.url
    ));
    db.execute("CREATE TABLE busy (id INT PRIMARY KEY) ENGINE=InnoDB");
    p.revision(
        "a",
        "",
        "",
        "ALTER TABLE busy ADD COLUMN extra INT;",
        Some("ALTER TABLE busy DROP COLUMN extra;"),
    );
    // A long transaction that has read the table holds its metadata lock.
    let mut other = db.client();
    other
        .query_drop("START TRANSACTION; SELECT * FROM busy;")
        .unwrap();
    let started = Instant::now();
    let run = retort(p.path(), &["upgrade", "head"]).fails(1);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        run.stderr.contains("Lock wait timeout exceeded"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("1205"), "{}", run.stderr);
    other.query_drop("COMMIT").unwrap();
    // Nothing of the ALTER ran: the rerun resumes at it and succeeds.
    retort(p.path(), &["upgrade", "head"]).ok();
    assert_eq!(
        db.column("SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'busy' ORDER BY ordinal_position"),
        ["id", "extra"]
    );
}

#[test]
fn session_settings_apply_to_every_connection_and_top_the_sql_script() {
    let db = maria();
    let p = project_for(&db);
    p.revision(
        "a",
        "",
        "",
        "CREATE TABLE notes (body VARCHAR(5), zone VARCHAR(10));",
        Some("DROP TABLE notes;"),
    );
    // Too long for VARCHAR(5): an error in strict mode, a truncation in ''.
    p.revision(
        "b",
        "a",
        "",
        "INSERT INTO notes VALUES ('much too long', @@session.time_zone);",
        Some("DELETE FROM notes;"),
    );
    let run = retort(p.path(), &["upgrade", "head"]).fails(1);
    assert!(run.stderr.contains("Data too long"), "{}", run.stderr);
    p.write_config(&format!(
        "[database]\nurl = \"{}\"\nsession = [\"SET SESSION sql_mode = ''\", \"SET time_zone = '+05:00'\"]\n",
        db.url()
    ));
    retort(p.path(), &["upgrade", "head"]).ok();
    assert_eq!(
        db.column("SELECT CONCAT(body, ' ', zone) FROM notes"),
        ["much  +05:00"]
    );
    let script = retort(p.path(), &["upgrade", "head", "--sql"]).ok().stdout;
    let first = script
        .lines()
        .find(|l| !l.starts_with("--") && !l.trim().is_empty())
        .unwrap_or_default();
    assert_eq!(first, "SET SESSION sql_mode = '';", "{script}");
    assert!(script.contains("SET time_zone = '+05:00';"), "{script}");
}

#[test]
fn session_settings_on_postgresql_and_sqlite() {
    let pg = Db::new(Backend::Postgres);
    pg.exec("CREATE SCHEMA app");
    let p = project_for(&pg);
    p.write_config(&format!(
        "[database]\nurl = \"{}\"\nsession = [\"SET search_path = app, public\"]\n",
        pg.url()
    ));
    p.revision(
        "a",
        "",
        "",
        "CREATE TABLE things (id int);",
        Some("DROP TABLE things;"),
    );
    retort(p.path(), &["upgrade", "head"]).ok();
    assert_eq!(
        pg.column("SELECT schemaname::text FROM pg_tables WHERE tablename = 'things'"),
        ["app"]
    );

    let lite = Db::new(Backend::Sqlite);
    let p = project_for(&lite);
    p.write_config(&format!(
        "[database]\nurl = \"{}\"\nsession = [\"PRAGMA foreign_keys = ON\"]\n",
        lite.url()
    ));
    p.revision(
        "a",
        "",
        "",
        "CREATE TABLE parent (id integer PRIMARY KEY);\nCREATE TABLE child (p integer REFERENCES parent (id));\nINSERT INTO child VALUES (7);",
        Some("DROP TABLE child;\nDROP TABLE parent;"),
    );
    let run = retort(p.path(), &["upgrade", "head"]).fails(1);
    assert!(run.stderr.contains("FOREIGN KEY"), "{}", run.stderr);
}

#[test]
fn urls_with_encoded_passwords_tls_and_the_socket() {
    let db = mariadb::database();
    let port = db.server().port;
    let p = common::TestProject::new();
    p.table_revision("a", "", "");
    let run_with = |url: &str| retort(p.path(), &["--url", url, "current"]);

    // p@ss:w/rd% percent-encoded.
    let encoded = format!(
        "mysql+pymysql://{ENCODED_USER}:p%40ss%3Aw%2Frd%25@127.0.0.1:{port}/{}",
        db.name
    );
    run_with(&encoded).ok();

    // A wrong password: the server's refusal, the password masked.
    let wrong = format!(
        "mariadb://{ENCODED_USER}:not-it@127.0.0.1:{port}/{}",
        db.name
    );
    let run = run_with(&wrong).fails(1);
    assert!(run.stderr.contains("Access denied"), "{}", run.stderr);
    assert!(run.stderr.contains("1045"), "{}", run.stderr);
    assert!(!run.stderr.contains("not-it"), "{}", run.stderr);
    assert!(run.stderr.contains(":***@"), "{}", run.stderr);

    // The TLS-only user: refused without TLS, let in with it.
    let tls = |mode: &str| {
        format!(
            "mysql://{TLS_USER}:{PASSWORD}@127.0.0.1:{port}/{}?ssl-mode={mode}",
            db.name
        )
    };
    let run = run_with(&tls("DISABLED")).fails(1);
    assert!(run.stderr.contains("Access denied"), "{}", run.stderr);
    run_with(&tls("REQUIRED")).ok();
    run_with(&tls("preferred")).ok();
    let ca = db.server().certificate();
    run_with(&format!("{}&ssl-ca={}", tls("VERIFY_CA"), ca.display())).ok();

    // root over the socket.
    let socket = format!(
        "mysql+mysqldb://root@localhost/{}?socket={}",
        db.name,
        db.server().socket().display()
    );
    retort(p.path(), &["--url", &socket, "upgrade", "head"]).ok();
    assert_eq!(db.column("SELECT version_num FROM retort_version"), ["a"]);
}

#[test]
fn upgrade_notes_once_and_lint_flags_each_revision_with_several_ddl_statements() {
    let db = maria();
    let p = project_for(&db);
    p.revision(
        "a",
        "",
        "",
        "CREATE TABLE x (id INT);\nCREATE TABLE y (id INT);",
        Some("DROP TABLE y;\nDROP TABLE x;"),
    );
    p.revision(
        "b",
        "a",
        "",
        "CREATE TABLE z (id INT);\nINSERT INTO z VALUES (1);",
        Some("DROP TABLE z;"),
    );
    p.revision(
        "c",
        "b",
        "",
        "ALTER TABLE x ADD COLUMN n INT;\nDROP TABLE y;",
        Some("CREATE TABLE y (id INT);\nALTER TABLE x DROP COLUMN n;"),
    );
    let note =
        "DDL commits implicitly: 2 revision(s) with several DDL statements (a, c) are not atomic";
    let run = retort(p.path(), &["upgrade", "head"]).ok();
    assert_eq!(run.stderr.matches(note).count(), 1, "{}", run.stderr);
    // lint reports them as rule R019 (once per revision), not as the note.
    let run = retort(p.path(), &["lint"]);
    assert!(!run.stderr.contains("commits implicitly"), "{}", run.all());
    assert_eq!(
        run.stdout.matches("R019 several-ddl-statements").count(),
        2,
        "{}",
        run.all()
    );
    assert!(run.stdout.contains("versions/a.sql:"), "{}", run.stdout);
    // Nothing to say on PostgreSQL, where DDL is transactional.
    let run = retort(p.path(), &["lint", "--dialect", "postgresql"]);
    assert!(!run.stdout.contains("R019"), "{}", run.all());
}

#[test]
fn in_a_ddl_revision_each_data_statement_commits_with_its_progress_record() {
    let db = maria();
    let p = project_for(&db);
    p.revision(
        "a",
        "",
        "",
        "CREATE TABLE t (id INT);\nINSERT INTO t VALUES (1);",
        Some("DROP TABLE t;"),
    );
    let script = retort(p.path(), &["upgrade", "head", "--sql"]).ok().stdout;
    let statements: Vec<String> = script
        .split(";\n\n")
        .map(|chunk| {
            let lines: Vec<&str> = chunk.lines().filter(|l| !l.starts_with("--")).collect();
            lines.join("\n").trim().to_string()
        })
        .filter(|s| !s.is_empty())
        .collect();
    let at = |prefix: &str| {
        statements
            .iter()
            .position(|s| s.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in:\n{script}"))
    };
    let create = at("CREATE TABLE t ");
    let insert = at("INSERT INTO t ");
    // The DDL runs on its own (it commits anyway), then its progress.
    assert!(statements[create + 1].starts_with("UPDATE retort_history SET statements_done = 1"));
    // The INSERT and its progress record commit together; as the last
    // statement, with the version change and the closed record too.
    assert_eq!(statements[insert - 1], "START TRANSACTION", "{script}");
    assert!(statements[insert + 1].starts_with("UPDATE retort_history SET statements_done = 2"));
    let commit = insert
        + statements[insert..]
            .iter()
            .position(|s| s == "COMMIT")
            .expect("a COMMIT after the INSERT");
    let inside = statements[insert..commit].join("\n");
    assert!(inside.contains("retort_version"), "{script}");
    assert!(inside.contains("status = 'applied'"), "{script}");
    assert_eq!(commit + 1, statements.len(), "{script}");
    // Online, the same: applied once, recorded.
    retort(p.path(), &["upgrade", "head"]).ok();
    assert_eq!(db.column("SELECT id FROM t"), ["1"]);
}

/// The desired schema of the autogenerate test: most of what MySQL
/// columns and tables carry.
const DESIRED: &str = "\
CREATE TABLE t_a (id INT PRIMARY KEY);
CREATE TABLE users (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(200) NOT NULL,
    nick VARCHAR(40) CHARACTER SET latin1 DEFAULT 'anon' COMMENT 'shown name',
    doc JSON,
    seen TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    score INT CHECK (score >= 0),
    UNIQUE KEY users_email (email),
    FULLTEXT KEY users_nick (nick)
) ENGINE=InnoDB COMMENT='people';
CREATE TABLE posts (
    id INT PRIMARY KEY,
    author INT UNSIGNED NOT NULL,
    CONSTRAINT posts_author FOREIGN KEY (author) REFERENCES users (id) ON DELETE CASCADE
);
CREATE VIEW authors AS SELECT u.email FROM users u JOIN posts p ON p.author = u.id;
";

#[test]
fn autogenerate_check_diff_inspect_and_a_table_it_cannot_model() {
    let db = maria();
    let p = project_for(&db);
    p.table_revision("a", "", "");
    std::fs::write(p.path().join("schema.sql"), DESIRED).unwrap();
    std::fs::write(
        p.path().join("retort.toml"),
        format!(
            "[database]\nurl = \"{}\"\n[autogenerate]\nschema = [\"schema.sql\"]\n",
            db.url()
        ),
    )
    .unwrap();
    retort(p.path(), &["upgrade", "head"]).ok();
    // `check` fails while the schema differs, naming what is missing.
    let check = retort(p.path(), &["check"]).fails(1);
    assert!(check.all().contains("users"), "{}", check.all());
    retort(p.path(), &["revision", "--autogenerate", "-m", "users"]).ok();
    let written = std::fs::read_dir(p.versions())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|text| text.contains("users"))
        .expect("the autogenerated revision");
    assert!(written.contains("AUTO_INCREMENT"), "{written}");
    assert!(
        written.contains("ON UPDATE current_timestamp()"),
        "{written}"
    );
    assert!(written.contains("FULLTEXT INDEX users_nick"), "{written}");
    retort(p.path(), &["upgrade", "head"]).ok();
    // Now nothing differs, by every command that compares.
    retort(p.path(), &["check"]).ok();
    let diff = retort(
        p.path(),
        &[
            "diff",
            "--from",
            "migrations@head",
            "--to",
            "schema.sql",
            "--exit-code",
        ],
    )
    .ok();
    assert!(diff.stderr.contains("No differences."), "{}", diff.all());
    let verify = retort(p.path(), &["verify"]).ok();
    assert!(
        verify.stderr.contains("all checks passed"),
        "{}",
        verify.all()
    );
    let inspect = retort(p.path(), &["inspect", &db.url(), "--format", "sql"]).ok();
    assert!(
        inspect.stdout.contains("CREATE TABLE users"),
        "{}",
        inspect.stdout
    );
    // MariaDB's JSON is read as JSON: its check is not a difference.
    assert!(
        inspect.stdout.contains("doc json NULL"),
        "{}",
        inspect.stdout
    );
    // The column's own check stays with the column.
    assert!(
        inspect.stdout.contains("CHECK (`score` >= 0)"),
        "{}",
        inspect.stdout
    );
    // Back to the first revision and up again: the downgrade undoes it all.
    retort(p.path(), &["downgrade", "a"]).ok();
    assert_eq!(db.tables(), set(&["t_a"]));
    retort(p.path(), &["upgrade", "head"]).ok();
    retort(p.path(), &["check"]).ok();

    // A partitioned table is reported by name, never given a wrong diff.
    std::fs::write(
        p.path().join("schema.sql"),
        format!(
            "{DESIRED}CREATE TABLE events (id INT NOT NULL, at DATE NOT NULL, PRIMARY KEY (id, at))\n\
             PARTITION BY RANGE (YEAR(at)) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE);\n"
        ),
    )
    .unwrap();
    let diff = retort(
        p.path(),
        &["diff", "--from", &db.url(), "--to", "schema.sql"],
    )
    .ok();
    assert!(
        diff.stdout
            .contains("-- retort: cannot create table events: autogenerate does not support this table (a partitioned table)"),
        "{}",
        diff.all()
    );
    assert!(
        !diff.stdout.contains("CREATE TABLE events"),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stderr.contains("warning: cannot create table events"),
        "{}",
        diff.all()
    );
    assert!(!diff.all().contains("panicked"), "{}", diff.all());
    // Nothing was changed by the comparisons.
    assert!(!db.tables().contains(&"events".to_string()));
}

/// A DDL revision's statements go to the server with their progress
/// records in one message: bodies with `;` inside (a trigger, a procedure)
/// arrive whole, and an error in a `CALL` whose procedure returned rows
/// first still names the `CALL`, then a resume after the fix finishes it.
#[test]
fn batched_statements_keep_bodies_whole_and_errors_on_their_statement() {
    let db = maria();
    let p = project_for(&db);
    p.table_revision("a", "", "");
    p.revision(
        "b",
        "a",
        "",
        "CREATE TABLE acc (id INT PRIMARY KEY, bal INT NOT NULL);\n\
         CREATE TRIGGER acc_nn BEFORE INSERT ON acc FOR EACH ROW\n\
         BEGIN\n  IF NEW.bal < 0 THEN\n    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative';\n  END IF;\nEND;\n\
         CREATE PROCEDURE fill()\nBEGIN\n  SELECT COUNT(*) FROM acc;\n  INSERT INTO acc_log VALUES (1);\nEND;\n\
         CALL fill();\n\
         INSERT INTO acc VALUES (1, 5);",
        Some("DROP PROCEDURE fill;\nDROP TABLE acc;"),
    );
    let run = retort(p.path(), &["upgrade", "head"]).fails(1);
    assert!(
        run.stderr.contains("statement: CALL fill()")
            && run.stderr.contains("acc_log' doesn't exist (1146"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("3 of 5 statements ran"),
        "{}",
        run.stderr
    );
    assert_eq!(db.versions(), set(&["a"]));
    // The trigger arrived whole: it refuses a negative balance.
    db.exec("CREATE TABLE acc_log (n INT)");
    retort(p.path(), &["upgrade", "head"]).ok();
    assert_eq!(db.versions(), set(&["b"]));
    assert_eq!(db.column("SELECT bal FROM acc"), ["5"]);
    assert_eq!(db.column("SELECT COUNT(*) FROM acc_log"), ["1"]);
    let Db::Maria(maria) = &db else {
        unreachable!("a MariaDB test")
    };
    let refused = maria
        .client()
        .query_drop("INSERT INTO acc VALUES (2, -1)")
        .expect_err("the trigger refuses it");
    assert!(refused.to_string().contains("negative"), "{refused}");
}
