//! `check`, `revision --autogenerate` and `diff` as users run them, on both
//! databases, starting from the example project.

mod common;

use std::path::Path;

use common::{retort, Backend, Db};

on_both_backends!(
    edit_schema_then_autogenerate_upgrade_and_check,
    filters_leave_objects_out_of_the_comparison,
    renames_keep_the_rows
);

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else if path
            .extension()
            .is_some_and(|e| e == "sql" || e == "toml" || e == "j2")
        {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn edit_schema_then_autogenerate_upgrade_and_check(backend: Backend) {
    let db = Db::new(backend);
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/resumator"
        )),
        dir.path(),
    );
    let d = dir.path();
    let url = db.url();
    let run = |args: &[&str]| {
        let mut full = vec!["--url", url.as_str()];
        full.extend_from_slice(args);
        retort(d, &full)
    };

    // At base, autogenerate refuses (the database must be at head, as in Alembic).
    let refused = run(&["revision", "--autogenerate", "-m", "x"]).fails(2);
    assert!(
        refused.stderr.contains("not up to date"),
        "{}",
        refused.stderr
    );

    run(&["upgrade", "head"]).ok();
    run(&["check"]).ok();

    let schema = d.join("schema.sql");
    let mut text = std::fs::read_to_string(&schema).unwrap();
    text.push_str("\nCREATE TABLE resume_views (id integer PRIMARY KEY, resume_id integer NOT NULL REFERENCES resumes (id), viewed_at timestamp);\nCREATE INDEX resume_views_resume ON resume_views (resume_id);\n");
    std::fs::write(&schema, text).unwrap();

    let check = run(&["check"]).fails(1);
    assert!(
        check.stdout.contains("create table resume_views"),
        "{}",
        check.stdout
    );
    let json = run(&["check", "--format", "json"]).fails(1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["up_to_date"], false);

    let written = run(&[
        "revision",
        "--autogenerate",
        "-m",
        "track resume views",
        "--rev-id",
        "6f00aa11bb22",
    ])
    .ok();
    assert!(
        written
            .stdout
            .contains("6f00aa11bb22_track_resume_views.sql"),
        "{}",
        written.stdout
    );
    let file =
        std::fs::read_to_string(d.join("migrations/versions/6f00aa11bb22_track_resume_views.sql"))
            .unwrap();
    assert!(
        file.contains("(desired)"),
        "the header says what was compared:\n{file}"
    );
    assert!(file.contains("CREATE TABLE resume_views"), "{file}");
    assert!(
        file.contains("-- retort: data loss: drops table resume_views"),
        "{file}"
    );

    run(&["upgrade", "head"]).ok();
    run(&["check"]).ok();
    assert!(db.tables().contains(&"resume_views".to_string()));

    // The downgrade written by autogenerate takes it away again.
    run(&["downgrade", "-1"]).ok();
    assert!(!db.tables().contains(&"resume_views".to_string()));

    // diff: migrations@head (now with the new revision) equals schema.sql.
    let same = run(&["diff", "--from", "migrations@head", "--to", "schema.sql"]).ok();
    assert_eq!(same.stdout, "");
    let drift = run(&["diff", "--from", &url, "--to", "schema.sql"]).ok();
    assert!(
        drift.stdout.contains("CREATE TABLE resume_views"),
        "{}",
        drift.stdout
    );
    // Swapping the sides gives the downgrade.
    let back = run(&["diff", "--from", "schema.sql", "--to", &url]).ok();
    assert!(
        back.stdout.contains("DROP TABLE resume_views"),
        "{}",
        back.stdout
    );
}

#[test]
fn ctrl_c_during_autogenerate_drops_the_scratch_database_on_postgres() {
    ctrl_c_during_autogenerate_drops_the_scratch_database(Backend::Postgres);
}

#[test]
fn ctrl_c_during_autogenerate_drops_the_scratch_database_on_mariadb() {
    ctrl_c_during_autogenerate_drops_the_scratch_database(Backend::Mariadb);
}

fn ctrl_c_during_autogenerate_drops_the_scratch_database(backend: Backend) {
    let db = Db::new(backend);
    let p = common::project_for(&db);
    p.table_revision("aaaa", "", "");
    // A desired schema that takes a while to load, so Ctrl-C lands mid-way.
    let sleep = match backend {
        Backend::Mariadb => "DO SLEEP(10)",
        _ => "SELECT pg_sleep(10)",
    };
    std::fs::write(
        p.path().join("schema.sql"),
        format!("CREATE TABLE t_aaaa (id integer PRIMARY KEY);\n{sleep};\n"),
    )
    .unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_retort"))
        .args([
            "--url",
            &db.url(),
            "diff",
            "--from",
            &db.url(),
            "--to",
            "schema.sql",
        ])
        .current_dir(p.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let pattern = format!("retort\\_scratch\\_{pid}\\_%");
    let scratch = || {
        db.column(&match backend {
            Backend::Mariadb => format!(
                "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '{pattern}'"
            ),
            _ => format!("SELECT datname::text FROM pg_database WHERE datname LIKE '{pattern}'"),
        })
    };
    let started = std::time::Instant::now();
    while scratch().is_empty() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the scratch database never appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(scratch().is_empty(), "the scratch database was left behind");
}

/// A SQLite table that `ALTER TABLE` cannot change is rebuilt: its rows,
/// the rows pointing at it (with `ON DELETE CASCADE`, which a careless
/// rebuild would fire), its indexes and triggers all survive, both ways.
#[test]
fn sqlite_rebuild_keeps_rows_and_the_rows_that_point_at_them() {
    let db = Db::new(Backend::Sqlite);
    let p = common::project_for(&db);
    let d = p.path();
    std::fs::write(
        d.join("retort.toml"),
        format!(
            "[database]\nurl = \"{}\"\n[autogenerate]\nschema = [\"schema.sql\"]\n",
            db.url()
        ),
    )
    .unwrap();
    let before = "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\
        CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL, balance INTEGER, team_id INTEGER);\n\
        CREATE INDEX accounts_email ON accounts (email);\n\
        CREATE TABLE ledger (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE, amount INTEGER NOT NULL);\n\
        CREATE TRIGGER ledger_apply AFTER INSERT ON ledger BEGIN UPDATE accounts SET balance = coalesce(balance, 0) + NEW.amount WHERE id = NEW.account_id; END;";
    p.revision(
        "aaaa",
        "",
        "",
        before,
        Some("DROP TABLE ledger; DROP TABLE accounts; DROP TABLE teams;"),
    );
    let run = |args: &[&str]| retort(d, args);
    run(&["upgrade", "head"]).ok();
    db.exec("INSERT INTO teams VALUES (1, 'core'); INSERT INTO accounts VALUES (1, 'a@x', NULL, 1), (2, 'b@x', NULL, 1);");
    db.exec("INSERT INTO ledger (account_id, amount) VALUES (1, 10), (1, 5), (2, 7);");

    // balance: INTEGER → NUMERIC NOT NULL with a check: a rebuild.
    let after = before.replace(
        "balance INTEGER,",
        "balance NUMERIC NOT NULL DEFAULT 0 CHECK (balance > -500),",
    );
    std::fs::write(d.join("schema.sql"), &after).unwrap();
    run(&[
        "revision",
        "--autogenerate",
        "-m",
        "balance",
        "--rev-id",
        "bbbb",
    ])
    .ok();
    let file = std::fs::read_to_string(d.join("migrations/versions/bbbb_balance.sql")).unwrap();
    assert!(file.contains("PRAGMA foreign_keys = OFF"), "{file}");
    assert!(
        file.contains("-- retort: data loss: rebuilds table accounts"),
        "{file}"
    );
    run(&["upgrade", "head"]).ok();
    run(&["check"]).ok();
    let count = |sql: &str| db.column(sql).join(",");
    assert_eq!(
        count("SELECT count(*) FROM ledger"),
        "3",
        "no cascade fired"
    );
    assert_eq!(
        count("SELECT group_concat(id || ':' || balance) FROM accounts ORDER BY id"),
        "1:15,2:7"
    );
    // The trigger came back with the table and still works.
    db.exec("INSERT INTO ledger (account_id, amount) VALUES (2, 1);");
    assert_eq!(count("SELECT balance FROM accounts WHERE id = 2"), "8");
    assert_eq!(
        count("SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'accounts_email'"),
        "accounts_email"
    );

    run(&["downgrade", "-1"]).ok();
    assert_eq!(count("SELECT count(*) FROM ledger"), "4");
    assert_eq!(count("SELECT count(*) FROM accounts"), "2");

    // A rebuild whose rows break a new foreign key fails, naming the cause,
    // and leaves the table as it was.
    db.exec("UPDATE accounts SET team_id = 99 WHERE id = 2;");
    let broken = before.replace("team_id INTEGER)", "team_id INTEGER REFERENCES teams (id))");
    std::fs::write(d.join("schema.sql"), &broken).unwrap();
    std::fs::remove_file(d.join("migrations/versions/bbbb_balance.sql")).unwrap();
    run(&[
        "revision",
        "--autogenerate",
        "-m",
        "team fk",
        "--rev-id",
        "cccc",
    ])
    .ok();
    let failed = run(&["upgrade", "head"]).fails(1);
    assert!(
        failed
            .stderr
            .contains("the rebuilt table's rows violate its foreign keys"),
        "{}",
        failed.stderr
    );
    assert_eq!(db.versions(), ["aaaa"]);
    assert_eq!(
        count("SELECT count(*) FROM pragma_foreign_key_list('accounts')"),
        "0"
    );
    assert_eq!(count("SELECT count(*) FROM accounts"), "2");
    assert_eq!(count("SELECT count(*) FROM ledger"), "4");
}

/// `[autogenerate]` filters: tables another application owns are neither
/// dropped nor reported; an unknown kind is a configuration error.
fn filters_leave_objects_out_of_the_comparison(backend: Backend) {
    let db = Db::new(backend);
    let p = common::project_for(&db);
    let d = p.path();
    p.table_revision("aaaa", "", "");
    std::fs::write(
        d.join("schema.sql"),
        "CREATE TABLE t_aaaa (id integer PRIMARY KEY);\n",
    )
    .unwrap();
    let config = |extra: &str| {
        std::fs::write(
            d.join("retort.toml"),
            format!(
                "[database]\nurl = \"{}\"\n[autogenerate]\nschema = [\"schema.sql\"]\n{extra}",
                db.url()
            ),
        )
        .unwrap()
    };
    config("");
    retort(d, &["upgrade", "head"]).ok();
    retort(d, &["check"]).ok();
    // Someone else's tables and view appear in the database.
    db.exec("CREATE TABLE legacy_orders (id integer PRIMARY KEY); CREATE TABLE legacy_items (id integer); CREATE VIEW legacy_view AS SELECT 1 AS one;");
    let unfiltered = retort(d, &["check"]).fails(1);
    assert!(
        unfiltered.stdout.contains("drop table legacy_orders"),
        "{}",
        unfiltered.stdout
    );

    config("exclude_tables = [\"legacy_*\"]\n");
    retort(d, &["check"]).ok();
    let written = retort(
        d,
        &[
            "revision",
            "--autogenerate",
            "-m",
            "nothing",
            "--rev-id",
            "bbbb",
        ],
    )
    .ok();
    let file = std::fs::read_to_string(d.join("migrations/versions/bbbb_nothing.sql")).unwrap();
    assert!(!file.contains("legacy"), "{}\n{file}", written.stdout);
    retort(d, &["upgrade", "head"]).ok();

    // The same through kinds: views left out, tables by pattern.
    config("exclude_tables = [\"legacy_orders\", \"legacy_item?\"]\nexclude_kinds = [\"views\"]\n");
    retort(d, &["check"]).ok();

    config("exclude_kinds = [\"viewz\"]\n");
    let bad = retort(d, &["check"]).fails(2);
    assert!(
        bad.stderr
            .contains("retort.toml:5: [autogenerate] exclude_kinds: unknown kind \"viewz\""),
        "{}",
        bad.stderr
    );
}

/// Renames: said by a hint in schema.sql or by `--rename`, never guessed; an
/// unannounced drop/add pair gets a note saying how to ask for a rename.
fn renames_keep_the_rows(backend: Backend) {
    let db = Db::new(backend);
    let p = common::project_for(&db);
    let d = p.path();
    p.revision(
        "aaaa",
        "",
        "",
        "CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, mail text);\nCREATE INDEX people_mail ON people (mail);",
        Some("DROP TABLE people;"),
    );
    retort(d, &["upgrade", "head"]).ok();
    db.exec("INSERT INTO people VALUES (1, 'Ada', 'ada@x'), (2, 'Alan', 'alan@x');");
    std::fs::write(
        d.join("schema.sql"),
        "-- retort: renamed from people\n\
         CREATE TABLE users (\n    id integer PRIMARY KEY,\n    \
         full_name text NOT NULL, -- retort: renamed from name\n    email text\n);\n\
         CREATE INDEX people_mail ON users (email);\n",
    )
    .unwrap();
    let check = retort(d, &["check"]).fails(1);
    assert!(
        check.stdout.contains("rename table people to users"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("rename column users.name to full_name"),
        "{}",
        check.stdout
    );
    // PostgreSQL drops the column; SQLite, whose index names it, rebuilds.
    assert!(
        check.stdout.contains("drop column users.mail")
            || check.stdout.contains("rebuild table users"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stderr
            .contains("column users.mail -> email looks like a rename")
            && check.stderr.contains("--rename users.mail=users.email"),
        "{}",
        check.stderr
    );

    let bad = retort(d, &["check", "--rename", "users.nope=users.email"]).fails(2);
    assert!(bad.stderr.contains("no such rename"), "{}", bad.stderr);

    retort(
        d,
        &[
            "revision",
            "--autogenerate",
            "-m",
            "rename",
            "--rev-id",
            "bbbb",
            "--rename",
            "users.mail=users.email",
        ],
    )
    .ok();
    let file = std::fs::read_to_string(d.join("migrations/versions/bbbb_rename.sql")).unwrap();
    assert!(!file.contains("DROP TABLE"), "{file}");
    assert!(!file.contains("data loss"), "{file}");
    retort(d, &["upgrade", "head"]).ok();
    assert_eq!(
        db.column("SELECT full_name || ' ' || email FROM users ORDER BY id"),
        ["Ada ada@x", "Alan alan@x"]
    );
    retort(d, &["check"]).ok();
    retort(d, &["downgrade", "-1"]).ok();
    assert_eq!(
        db.column("SELECT name || ' ' || mail FROM people ORDER BY id"),
        ["Ada ada@x", "Alan alan@x"]
    );
}

/// At a terminal, `revision --autogenerate` asks about each drop/add pair
/// that looks like a rename (run under `script`, which gives it a terminal).
#[test]
fn at_a_terminal_a_rename_is_asked() {
    let db = Db::new(Backend::Sqlite);
    let p = common::project_for(&db);
    let d = p.path();
    p.revision(
        "aaaa",
        "",
        "",
        "CREATE TABLE people (id integer PRIMARY KEY, nick text);",
        Some("DROP TABLE people;"),
    );
    retort(d, &["upgrade", "head"]).ok();
    db.exec("INSERT INTO people VALUES (1, 'ada');");
    std::fs::write(
        d.join("schema.sql"),
        "CREATE TABLE people (id integer PRIMARY KEY, handle text);\n",
    )
    .unwrap();
    let command = format!(
        "{} revision --autogenerate -m asked --rev-id bbbb",
        env!("CARGO_BIN_EXE_retort")
    );
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(d)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux");
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(b"y\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("Was column people.nick -> handle renamed? [y/N]"),
        "{shown}"
    );
    let file = std::fs::read_to_string(d.join("migrations/versions/bbbb_asked.sql")).unwrap();
    assert!(file.contains("RENAME COLUMN nick TO handle"), "{file}");
    retort(d, &["upgrade", "head"]).ok();
    assert_eq!(db.column("SELECT handle FROM people"), ["ada"]);
}
