//! SPEC §4 proven by breaking things on purpose, on SQLite and PostgreSQL:
//! concurrent runners, kill -9 at random moments, a non-transactional step
//! that fails half-way and resumes, edited applied revisions, lock waits,
//! and offline scripts applied by the databases' own clients.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{project_for, retort, set, Backend, Db, TestProject};

on_both_backends!(
    concurrent_runners_apply_each_revision_exactly_once,
    kill_nine_at_random_moments_leaves_a_consistent_database,
    failed_non_transactional_step_resumes_at_the_failing_statement,
    half_applied_step_can_be_resolved_by_hand,
    edited_applied_revision_is_detected_and_can_be_accepted,
    line_endings_and_a_byte_order_mark_do_not_change_checksums,
    a_held_lock_makes_runners_wait_and_time_out,
    offline_script_applied_by_the_database_client_equals_online,
);

/// The same guarantees on MariaDB (kill -9 has its own MariaDB form in
/// tests/mariadb.rs: there a killed DDL step is half-applied by design).
mod mariadb {
    use super::*;

    #[test]
    fn concurrent_runners_apply_each_revision_exactly_once() {
        super::concurrent_runners_apply_each_revision_exactly_once(Backend::Mariadb)
    }
    #[test]
    fn failed_non_transactional_step_resumes_at_the_failing_statement() {
        super::failed_non_transactional_step_resumes_at_the_failing_statement(Backend::Mariadb)
    }
    #[test]
    fn half_applied_step_can_be_resolved_by_hand() {
        super::half_applied_step_can_be_resolved_by_hand(Backend::Mariadb)
    }
    #[test]
    fn edited_applied_revision_is_detected_and_can_be_accepted() {
        super::edited_applied_revision_is_detected_and_can_be_accepted(Backend::Mariadb)
    }
    #[test]
    fn line_endings_and_a_byte_order_mark_do_not_change_checksums() {
        super::line_endings_and_a_byte_order_mark_do_not_change_checksums(Backend::Mariadb)
    }
    #[test]
    fn a_held_lock_makes_runners_wait_and_time_out() {
        super::a_held_lock_makes_runners_wait_and_time_out(Backend::Mariadb)
    }
    #[test]
    fn offline_script_applied_by_the_database_client_equals_online() {
        super::offline_script_applied_by_the_database_client_equals_online(Backend::Mariadb)
    }
}

fn spawn_retort(dir: &std::path::Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_retort"))
        .args(args)
        .current_dir(dir)
        .env_remove("RETORT_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn retort")
}

/// Waits for a child with a deadline; a hung runner fails the test.
fn wait_within(mut child: Child, limit: Duration) -> common::Run {
    let started = Instant::now();
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return child.wait_with_output().expect("output").into();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out: common::Run = child.wait_with_output().expect("output").into();
            panic!(
                "runner did not finish within {limit:?}\nstderr:\n{}",
                out.stderr
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A chain of `n` revisions r001…rNNN, each creating table t_NNN with a row.
fn chain(p: &TestProject, n: usize) {
    let mut prev = String::new();
    for i in 1..=n {
        let id = format!("r{i:03}");
        p.revision(
            &id,
            &prev,
            "",
            &format!("CREATE TABLE t_{i:03} (id integer PRIMARY KEY);\nINSERT INTO t_{i:03} (id) VALUES ({i});"),
            Some(&format!("DROP TABLE t_{i:03};")),
        );
        prev = id;
    }
}

fn history_count(db: &Db, revision: &str) -> usize {
    db.column(&format!(
        "SELECT id FROM retort_history WHERE revision = '{revision}' AND direction = 'upgrade' AND status = 'applied'"
    ))
    .len()
}

fn concurrent_runners_apply_each_revision_exactly_once(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    chain(&p, 30);
    let runners: Vec<Child> = (0..8)
        .map(|_| spawn_retort(p.path(), &["upgrade", "head"]))
        .collect();
    for child in runners {
        let run = wait_within(child, Duration::from_secs(120));
        assert_eq!(run.code, 0, "every runner exits 0\n{}", run.stderr);
    }
    assert_eq!(db.versions(), set(&["r030"]));
    for i in 1..=30 {
        assert_eq!(
            history_count(&db, &format!("r{i:03}")),
            1,
            "r{i:03} applied exactly once"
        );
        assert_eq!(db.column(&format!("SELECT id FROM t_{i:03}")).len(), 1);
    }
}

#[test]
fn postgres_concurrent_runners_with_create_index_concurrently_do_not_deadlock() {
    let db = Db::new(Backend::Postgres);
    let p = project_for(&db);
    p.revision(
        "a",
        "",
        "",
        "CREATE TABLE big (id integer PRIMARY KEY, name text);\nINSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 200000) g;",
        Some("DROP TABLE big;"),
    );
    p.revision(
        "b",
        "a",
        "Transaction: false",
        "CREATE INDEX CONCURRENTLY big_name ON big (name);",
        Some("DROP INDEX CONCURRENTLY big_name;"),
    );
    p.table_revision("c", "b", "");
    let started = Instant::now();
    let runners: Vec<Child> = (0..8)
        .map(|_| spawn_retort(p.path(), &["upgrade", "head"]))
        .collect();
    for child in runners {
        let run = wait_within(child, Duration::from_secs(90));
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert!(started.elapsed() < Duration::from_secs(90));
    assert_eq!(db.versions(), set(&["c"]));
    assert_eq!(
        db.column("SELECT indexname::text FROM pg_indexes WHERE indexname = 'big_name'")
            .len(),
        1
    );
    // A valid index: CREATE INDEX CONCURRENTLY completed, not left invalid.
    assert_eq!(
        db.column("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'big_name'::regclass"),
        vec!["true".to_string()]
    );
    for rev in ["a", "b", "c"] {
        assert_eq!(history_count(&db, rev), 1, "{rev} applied once");
    }
}

/// A small pseudo-random sequence (no extra crate): different on every run.
fn random_fractions(n: usize) -> Vec<f64> {
    let mut x = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(42)
        | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 10_000) as f64 / 10_000.0
        })
        .collect()
}

fn kill_nine_at_random_moments_leaves_a_consistent_database(backend: Backend) {
    const N: usize = 200;
    let db = Db::new(backend);
    let p = project_for(&db);
    chain(&p, N);
    let dir = p.path();
    // How long a whole run takes here, to aim the kills inside it.
    let t = Instant::now();
    retort(dir, &["upgrade", "head"]).ok();
    let full = t.elapsed();
    retort(dir, &["downgrade", "base"]).ok();

    let mut kills_mid_run = 0;
    let mut attempts = 0;
    // At least 20 kills must land while the upgrade runs; a kill aimed after
    // the run ended does not count.
    for fraction in random_fractions(100) {
        if kills_mid_run >= 20 {
            break;
        }
        attempts += 1;
        if db.versions() == [format!("r{N:03}")] {
            retort(dir, &["downgrade", "base"]).ok();
        }
        let done = db
            .versions()
            .first()
            .map_or(0, |r| r[1..].parse::<usize>().expect("rNNN"));
        let remaining = (N - done) as f64 / N as f64;
        let mut child = spawn_retort(dir, &["upgrade", "head"]);
        // Aim inside what is left of the run.
        std::thread::sleep(full.mul_f64(fraction * remaining));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().expect("wait");
        if status.code().is_none() {
            kills_mid_run += 1;
        }
        // The version table names exactly the revisions whose effects exist.
        let rows = db.versions();
        assert!(
            rows.len() <= 1,
            "linear chain: one row at most, got {rows:?}"
        );
        let applied = rows
            .first()
            .map_or(0, |r| r[1..].parse::<usize>().expect("rNNN"));
        let expected: Vec<String> = (1..=applied).map(|i| format!("t_{i:03}")).collect();
        assert_eq!(
            db.tables(),
            expected,
            "tables must match version row {rows:?}"
        );
        assert_eq!(
            db.column("SELECT count(*) FROM retort_history WHERE status <> 'applied'"),
            vec!["0".to_string()]
        );
    }
    assert!(
        kills_mid_run >= 20,
        "only {kills_mid_run} of {attempts} kills landed mid-run"
    );
    retort(dir, &["upgrade", "head"]).ok();
    assert_eq!(db.versions(), set(&[&format!("r{N:03}")]));
    assert_eq!(db.tables().len(), N);
}

/// a: a counter table; b (no transaction): four inserts, the third broken.
fn half_applied(db: &Db) -> TestProject {
    let p = project_for(db);
    p.revision(
        "a",
        "",
        "",
        "CREATE TABLE counter (n integer);",
        Some("DROP TABLE counter;"),
    );
    p.revision(
        "b",
        "a",
        "Transaction: false",
        "INSERT INTO counter VALUES (1);\nINSERT INTO counter VALUES (2);\nINSERT INTO missing_table VALUES (3);\nINSERT INTO counter VALUES (4);",
        Some("DELETE FROM counter;"),
    );
    p
}

fn counter(db: &Db) -> Vec<String> {
    let sql = match db {
        Db::Maria(_) => "SELECT n FROM counter ORDER BY n",
        _ => "SELECT CAST(n AS text) FROM counter ORDER BY n",
    };
    let mut v = db.column(sql);
    v.sort();
    v
}

fn failed_non_transactional_step_resumes_at_the_failing_statement(backend: Backend) {
    let db = Db::new(backend);
    let p = half_applied(&db);
    let dir = p.path();

    let run = retort(dir, &["upgrade", "head"]).fails(1);
    assert!(
        run.stderr.contains("half-applied: 2 of 4 statements ran"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("resolve b --applied"), "{}", run.stderr);
    assert!(run.stderr.contains("missing_table"), "{}", run.stderr);
    assert_eq!(db.versions(), set(&["a"]));
    assert_eq!(counter(&db), ["1", "2"]);

    // `current` warns; a different command is refused with the recovery steps.
    let current = retort(dir, &["current"]).ok();
    assert!(
        current
            .stderr
            .contains("revision b (upgrade) is half-applied"),
        "{}",
        current.stderr
    );
    let down = retort(dir, &["downgrade", "base"]).fails(1);
    assert!(down.stderr.contains("left half-applied"), "{}", down.stderr);
    assert_eq!(counter(&db), ["1", "2"]);

    // Fix the file and rerun: resumes at statement 3; 1 and 2 do not run again.
    let path = p.versions().join("b.sql");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("missing_table", "counter");
    std::fs::write(&path, text).unwrap();
    let run = retort(dir, &["upgrade", "head"]).ok();
    assert!(
        run.stderr.contains("Resuming revision b after its first 2"),
        "{}",
        run.stderr
    );
    assert_eq!(counter(&db), ["1", "2", "3", "4"]);
    assert_eq!(db.versions(), set(&["b"]));
    assert_eq!(history_count(&db, "b"), 1);
}

fn half_applied_step_can_be_resolved_by_hand(backend: Backend) {
    let db = Db::new(backend);
    let p = half_applied(&db);
    let dir = p.path();
    retort(dir, &["upgrade", "head"]).fails(1);

    // Editing a statement that already ran makes resuming unsafe: refused.
    let path = p.versions().join("b.sql");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("VALUES (1)", "VALUES (10)");
    std::fs::write(&path, text).unwrap();
    let run = retort(dir, &["upgrade", "head"]).fails(2);
    assert!(
        run.stderr
            .contains("statement 1 already ran but has been edited"),
        "{}",
        run.stderr
    );

    // The DBA undid the two inserts by hand and says so.
    db.exec("DELETE FROM counter");
    let run = retort(dir, &["resolve", "b", "--rolled-back"]).ok();
    assert!(
        run.stderr.contains("Resolved b (upgrade) as rolled back"),
        "{}",
        run.stderr
    );
    assert_eq!(db.versions(), set(&["a"]));
    retort(dir, &["current"]).ok();

    // Nothing is half-applied any more; a fixed file applies from the start.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("missing_table", "counter");
    std::fs::write(&path, text).unwrap();
    retort(dir, &["upgrade", "head"]).ok();
    assert_eq!(counter(&db), ["10", "2", "3", "4"]);
    assert_eq!(db.versions(), set(&["b"]));

    let run = retort(dir, &["resolve", "b", "--applied"]).fails(2);
    assert!(
        run.stderr.contains("no half-applied step"),
        "{}",
        run.stderr
    );
}

fn edited_applied_revision_is_detected_and_can_be_accepted(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.table_revision("a", "", "");
    let b = p.table_revision("b", "a", "");
    let dir = p.path();
    retort(dir, &["upgrade", "head"]).ok();
    p.table_revision("c", "b", "");

    // Someone edits b after it ran.
    let text = std::fs::read_to_string(&b).unwrap().replace(
        "(id integer PRIMARY KEY)",
        "(id integer PRIMARY KEY, extra integer)",
    );
    std::fs::write(&b, text).unwrap();

    let run = retort(dir, &["upgrade", "head"]).fails(1);
    assert!(
        run.stderr.contains("changed since they ran: b ("),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("b.sql"), "{}", run.stderr);
    assert!(run.stderr.contains("--allow-changed"), "{}", run.stderr);
    assert_eq!(db.versions(), set(&["b"]), "nothing ran");

    let current = retort(dir, &["current", "--verbose"]).ok();
    assert!(
        current.stdout.contains("Changed since applied: b"),
        "{}",
        current.stdout
    );
    let json = retort(dir, &["current", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["changed"][0]["revision"], "b");

    retort(dir, &["upgrade", "head", "--allow-changed"]).ok();
    assert_eq!(db.versions(), set(&["c"]));
    assert_eq!(
        db.column("SELECT status FROM retort_history WHERE revision = 'b' ORDER BY id"),
        vec!["applied".to_string(), "accepted".to_string()]
    );
    // Accepted once, the edit is the new reference.
    assert_no_revision_changed(dir);
    retort(dir, &["upgrade", "head"]).ok();
}

/// `current --verbose` reports no applied revision as changed.
fn assert_no_revision_changed(dir: &std::path::Path) {
    let current = retort(dir, &["current", "--verbose"]).ok();
    assert!(
        !current.stdout.contains("Changed since applied"),
        "{}",
        current.stdout
    );
}

/// The file as a Windows checkout (`core.autocrlf`) or editor leaves it:
/// CRLF line endings and a byte-order mark.
fn as_windows_writes_it(path: &std::path::Path) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(!text.contains('\r'));
    std::fs::write(path, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
}

/// The text between a revision file's `-- +upgrade` line and the next
/// marker, as the file has it.
fn upgrade_section(text: &str) -> &str {
    let after = &text[text.find("-- +upgrade").expect("an upgrade marker")..];
    let body = after.split_once('\n').expect("a line after the marker").1;
    body.split("-- +downgrade").next().unwrap_or(body)
}

fn recorded_checksum(db: &Db, revision: &str) -> String {
    let rows = db.column(&format!(
        "SELECT checksum FROM retort_history WHERE revision = '{revision}' AND direction = 'upgrade' ORDER BY id"
    ));
    rows.last().cloned().expect("a history row")
}

fn line_endings_and_a_byte_order_mark_do_not_change_checksums(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    let a = p.table_revision("a", "", "");
    let b = p.table_revision("b", "a", "");
    let dir = p.path();
    retort(dir, &["upgrade", "head"]).ok();
    let lf_checksum = recorded_checksum(&db, "a");

    // The same project checked out with CRLF: nothing changed.
    as_windows_writes_it(&a);
    as_windows_writes_it(&b);
    let c = p.table_revision("c", "b", "");
    as_windows_writes_it(&c);
    assert_no_revision_changed(dir);
    retort(dir, &["upgrade", "head"]).ok();
    assert_eq!(db.versions(), set(&["c"]));
    let crlf_text = std::fs::read_to_string(&c).unwrap();
    assert_eq!(
        recorded_checksum(&db, "c"),
        retort::script::checksum(upgrade_section(&crlf_text)),
        "the CRLF file's checksum is recorded normalised"
    );
    assert_eq!(recorded_checksum(&db, "a"), lf_checksum);

    // A database where an older retort recorded b's CRLF text as written:
    // still unchanged (the documented upgrade path needs nothing).
    let b_text = std::fs::read_to_string(&b).unwrap();
    let section = upgrade_section(&b_text);
    let as_written = retort::script::checksum_as_written(section);
    assert_ne!(as_written, retort::script::checksum(section));
    db.exec(&format!(
        "UPDATE retort_history SET checksum = '{as_written}' WHERE revision = 'b'"
    ));
    assert_no_revision_changed(dir);

    // ... and so does the LF checkout of that file.
    let lf_text = b_text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    std::fs::write(&b, &lf_text).unwrap();
    assert_no_revision_changed(dir);

    // A real edit is still an edit, whatever the line endings.
    std::fs::write(
        &b,
        b_text.replace(
            "(id integer PRIMARY KEY)",
            "(id integer PRIMARY KEY, x integer)",
        ),
    )
    .unwrap();
    let run = retort(dir, &["upgrade", "head"]).fails(1);
    assert!(
        run.stderr.contains("changed since they ran: b ("),
        "{}",
        run.stderr
    );
}

fn a_held_lock_makes_runners_wait_and_time_out(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.table_revision("a", "", "");
    let dir = p.path();
    let key = retort::dialect::sql::lock_key(&retort::dialect::sql::TableRef {
        schema: None,
        name: "retort_version".into(),
    });
    // Another runner (simulated) holds the lock.
    let holder: Box<dyn FnOnce()> = match &db {
        Db::Pg(pg) => {
            let mut c = pg.client();
            c.batch_execute(&format!("SELECT pg_advisory_lock({key})"))
                .unwrap();
            Box::new(move || drop(c))
        }
        Db::Sqlite(path, _) => {
            let c = rusqlite::Connection::open(path).unwrap();
            c.execute_batch("CREATE TABLE IF NOT EXISTS other (id int); BEGIN IMMEDIATE; INSERT INTO other VALUES (1);").unwrap();
            Box::new(move || drop(c))
        }
        Db::Maria(m) => {
            use mysql::prelude::Queryable;
            let mut c = m.client();
            let name = format!("retort:{key:016x}:{}", m.name);
            let got: Option<i64> = c
                .query_first(format!("SELECT GET_LOCK('{name}', 0)"))
                .unwrap();
            assert_eq!(got, Some(1));
            Box::new(move || drop(c))
        }
    };
    let started = Instant::now();
    let run = retort(dir, &["upgrade", "head", "--lock-timeout", "1"]).fails(1);
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(
        run.stderr.contains("Waiting for the migration lock"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("gave up waiting for the migration lock"),
        "{}",
        run.stderr
    );
    if backend == Backend::Postgres {
        assert!(
            run.stderr.contains("PostgreSQL backend pid"),
            "{}",
            run.stderr
        );
    }
    if backend == Backend::Mariadb {
        assert!(run.stderr.contains("MySQL connection"), "{}", run.stderr);
    }
    assert!(db.tables().iter().all(|t| t != "t_a"), "nothing ran");

    // The holder goes away (its session ends): the lock goes with it.
    holder();
    retort(dir, &["upgrade", "head", "--lock-timeout", "10"]).ok();
    assert_eq!(db.versions(), set(&["a"]));
}

fn offline_script_applied_by_the_database_client_equals_online(backend: Backend) {
    let online = Db::new(backend);
    let offline = Db::new(backend);
    let p = project_for(&online);
    p.table_revision("a", "", "");
    p.revision(
        "b",
        "a",
        "",
        "CREATE TABLE items (id integer PRIMARY KEY, name varchar(40) NOT NULL DEFAULT 'x');\nCREATE INDEX items_name ON items (name);",
        Some("DROP TABLE items;"),
    );
    p.table_revision("c", "b", "");
    let dir = p.path();
    let script = retort(dir, &["upgrade", "head", "--sql"]).ok().stdout;
    assert!(online.versions().is_empty(), "--sql touches no database");
    let script_path = dir.join("deploy.sql");
    std::fs::write(&script_path, &script).unwrap();
    let client = match &offline {
        Db::Sqlite(path, _) => Command::new("sqlite3")
            .arg("-bail")
            .arg(path)
            .arg(format!(".read {}", script_path.display()))
            .output(),
        Db::Pg(db) => Command::new("psql")
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-X", "-d", &db.url, "-f"])
            .arg(&script_path)
            .output(),
        Db::Maria(db) => Command::new("mariadb")
            .args(["--protocol=TCP", "-h", "127.0.0.1", "-P"])
            .arg(db.server().port.to_string())
            .args(["-u", retort_testkit::mariadb::USER])
            .arg(format!("-p{}", retort_testkit::mariadb::PASSWORD))
            .arg(&db.name)
            .stdin(std::fs::File::open(&script_path).unwrap())
            .output(),
    }
    .expect("the database's own client (sqlite3 / psql / mariadb) must be installed");
    assert!(
        client.status.success(),
        "{}",
        String::from_utf8_lossy(&client.stderr)
    );
    retort(dir, &["upgrade", "head"]).ok();

    let schema = |db: &Db| -> Vec<String> {
        let sql = match db {
            Db::Sqlite(..) => "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY name",
            Db::Pg(_) => "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public' UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
            Db::Maria(_) => "SELECT CONCAT_WS(' ', table_name, column_name, column_type, is_nullable, coalesce(column_default, ''), column_key) FROM information_schema.columns WHERE table_schema = DATABASE() UNION ALL SELECT CONCAT_WS(' ', table_name, index_name, column_name, seq_in_index) FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY 1",
        };
        let mut rows = db.column(sql);
        rows.extend(db.versions());
        let history = match db {
            Db::Maria(_) => "SELECT CONCAT_WS(' ', revision, direction, status, checksum) FROM retort_history ORDER BY id",
            _ => "SELECT revision || ' ' || direction || ' ' || status || ' ' || checksum FROM retort_history ORDER BY id",
        };
        rows.extend(db.column(history));
        rows
    };
    assert_eq!(schema(&offline), schema(&online));
    assert_eq!(offline.versions(), set(&["c"]));
}

/// Waits until no other session is working in the test's MariaDB database.
/// The server runs the whole multi-statement message a killed runner had
/// sent, after the runner is gone; looking at the tables while it does
/// would read one moment for the history and a later one for the tables.
fn wait_for_the_killed_session(db: &Db) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let busy = db.column(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST \
             WHERE ID <> CONNECTION_ID() AND DB = DATABASE() AND COMMAND <> 'Sleep'",
        );
        if busy == ["0"] {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the killed runner's session is still working after 30 s: {busy:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// MariaDB: DDL commits implicitly, so a kill can land inside a revision.
/// After each kill the database is at a completed revision, or the next
/// revision is recorded in progress (and other commands refuse, naming it);
/// the next run resumes it. The DDL is idempotent (`IF NOT EXISTS`), as a
/// crash between a DDL statement and its progress record cannot tell
/// whether it ran; the data statement runs in a transaction with its
/// progress record, so no row is ever inserted twice.
#[test]
fn mariadb_kill_nine_mid_revision_resumes_to_head_with_every_row_once() {
    const N: usize = 200;
    let db = Db::new(Backend::Mariadb);
    let p = project_for(&db);
    let mut prev = String::new();
    for i in 1..=N {
        let id = format!("r{i:03}");
        p.revision(
            &id,
            &prev,
            "",
            &format!("CREATE TABLE IF NOT EXISTS t_{i:03} (id integer);\nINSERT INTO t_{i:03} (id) VALUES ({i});"),
            Some(&format!("DROP TABLE t_{i:03};")),
        );
        prev = id;
    }
    let dir = p.path();
    let t = Instant::now();
    retort(dir, &["upgrade", "head"]).ok();
    let full = t.elapsed();
    retort(dir, &["downgrade", "base"]).ok();
    let number = |r: &str| r[1..].parse::<usize>().expect("rNNN");

    let mut kills_mid_run = 0;
    let mut attempts = 0;
    let mut in_progress_seen = 0;
    for fraction in random_fractions(200) {
        if kills_mid_run >= 20 {
            break;
        }
        attempts += 1;
        if db.versions() == [format!("r{N:03}")] {
            retort(dir, &["downgrade", "base"]).ok();
        }
        let done = db.versions().first().map_or(0, |r| number(r));
        let remaining = (N - done) as f64 / N as f64;
        let mut child = spawn_retort(dir, &["upgrade", "head"]);
        std::thread::sleep(full.mul_f64(fraction * remaining));
        let _ = child.kill(); // SIGKILL
        if child.wait().expect("wait").code().is_none() {
            kills_mid_run += 1;
        }
        wait_for_the_killed_session(&db);
        let rows = db.versions();
        assert!(
            rows.len() <= 1,
            "linear chain: one row at most, got {rows:?}"
        );
        let applied = rows.first().map_or(0, |r| number(r));
        let open = db.column(
            "SELECT CONCAT_WS(' ', revision, direction, status) FROM retort_history WHERE status <> 'applied'",
        );
        let tables = db.tables();
        let upto = |k: usize| -> Vec<String> { (1..=k).map(|i| format!("t_{i:03}")).collect() };
        match open.as_slice() {
            [] => assert_eq!(tables, upto(applied), "version row {rows:?}"),
            [row] => {
                in_progress_seen += 1;
                let next = format!("r{:03} upgrade in_progress", applied + 1);
                assert_eq!(row, &next, "only the next revision can be open");
                assert!(
                    tables == upto(applied) || tables == upto(applied + 1),
                    "tables {tables:?} at {rows:?}"
                );
                let refused = retort(dir, &["downgrade", "base"]).fails(1);
                assert!(
                    refused.stderr.contains(&format!(
                        "revision r{:03} (upgrade) was left half-applied",
                        applied + 1
                    )),
                    "{}",
                    refused.stderr
                );
            }
            more => panic!("several open steps: {more:?}"),
        }
        for i in 1..=applied {
            assert_eq!(
                db.column(&format!("SELECT id FROM t_{i:03}")),
                [i.to_string()]
            );
        }
    }
    assert!(
        kills_mid_run >= 20,
        "only {kills_mid_run} of {attempts} kills landed mid-run"
    );
    assert!(in_progress_seen > 0, "no kill landed inside a revision");
    retort(dir, &["upgrade", "head"]).ok();
    assert_eq!(db.versions(), set(&[&format!("r{N:03}")]));
    assert_eq!(db.tables().len(), N);
    for i in 1..=N {
        assert_eq!(
            db.column(&format!("SELECT id FROM t_{i:03}")),
            [i.to_string()],
            "t_{i:03} has its row exactly once"
        );
    }
    assert_eq!(
        db.column("SELECT COUNT(*) FROM retort_history WHERE status <> 'applied'"),
        ["0"]
    );
}
