//! `retort lint` as a user runs it: on an SQLite and a PostgreSQL project,
//! text and JSON output, exit codes, allow comments, ranges, and the
//! documented examples (docs/lint-examples).

mod common;

use common::{retort, TestProject};

/// users (created), then a revision with one problem of each kind.
fn risky_project(url: &str) -> TestProject {
    let p = TestProject::new();
    p.write_config(&format!("[database]\nurl = \"{url}\"\n"));
    p.revision(
        "aaaaaaaaaaaa",
        "",
        "",
        "CREATE TABLE users (id integer PRIMARY KEY, email text);\nCREATE INDEX users_email ON users (email);",
        Some("DROP TABLE users;"),
    );
    // Upgrade lines: 7 ADD COLUMN, 8 CREATE INDEX, 9 ADD FOREIGN KEY.
    p.revision(
        "bbbbbbbbbbbb",
        "aaaaaaaaaaaa",
        "",
        "ALTER TABLE users ADD COLUMN age integer NOT NULL;\nCREATE INDEX users_age ON users (age);\nALTER TABLE users ADD CONSTRAINT users_self FOREIGN KEY (id) REFERENCES users (id);",
        Some("ALTER TABLE users DROP COLUMN age;"),
    );
    p
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

fn rules(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn sqlite_project_gets_only_the_rules_that_matter_on_sqlite() {
    let p = risky_project("sqlite:///app.db");
    let run = retort(p.path(), &["lint"]).fails(1);
    assert!(
        run.stdout.contains(
            "migrations/versions/bbbbbbbbbbbb.sql:7: R001 adding-not-null-column: column age is added to users"
        ),
        "{}",
        run.stdout
    );
    // CONCURRENTLY, NOT VALID and lock_timeout are PostgreSQL matters.
    for pg_only in ["R002", "R003", "R010"] {
        assert!(
            !run.stdout.contains(pg_only),
            "{pg_only} on SQLite:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("Found 1 problem(s) in 1 of 2 revision(s) (sqlite rules)"),
        "{}",
        run.stdout
    );
    // Lint never opens the database.
    assert!(!p.path().join("app.db").exists());
}

#[test]
fn postgres_project_gets_every_rule_in_json() {
    let db = retort_testkit::pg::database();
    let p = risky_project(&db.url);
    let run = retort(p.path(), &["lint", "--format", "json"]).fails(1);
    let v = json(&run.stdout);
    assert_eq!(v["dialect"], "postgresql");
    assert_eq!(
        rules(&v, "findings"),
        ["R010", "R001", "R002", "R003"],
        "{}",
        run.stdout
    );
    assert_eq!(v["counts"]["findings"], 4);
    assert_eq!(v["counts"]["revisions"], 2);
    assert_eq!(v["counts"]["by_rule"]["R002"], 1);
    let index = &v["findings"][2];
    assert_eq!(index["name"], "creating-index-non-concurrently");
    assert_eq!(index["revision"], "bbbbbbbbbbbb");
    assert_eq!(index["file"], "migrations/versions/bbbbbbbbbbbb.sql");
    assert_eq!(index["line"], 8);
    assert_eq!(index["section"], "upgrade");
    assert_eq!(index["statement"], "CREATE INDEX users_age ON users (age)");
    // The index on the table created in the same revision is not flagged.
    assert!(v["findings"]
        .as_array()
        .is_some_and(|a| a.iter().all(|f| f["revision"] == "bbbbbbbbbbbb")));
}

#[test]
fn ranges_select_revisions_like_history() {
    let p = risky_project("postgresql://app@localhost/app");
    let clean = retort(p.path(), &["lint", "aaaaaaaaaaaa"]).ok();
    assert!(
        clean
            .stdout
            .contains("No problems in 1 revision(s) (postgresql rules)."),
        "{}",
        clean.stdout
    );
    retort(p.path(), &["lint", "base:aaaa"]).ok();
    let head = retort(p.path(), &["lint", "--format", "json", "aaaa:head"]).fails(1);
    assert_eq!(
        json(&head.stdout)["revisions"],
        serde_json::json!(["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    );
    let only_b = retort(p.path(), &["lint", "--format", "json", "head"]).fails(1);
    assert_eq!(
        json(&only_b.stdout)["revisions"],
        serde_json::json!(["bbbbbbbbbbbb"])
    );
    // The downgrade is linted on request only.
    let down = retort(
        p.path(),
        &["lint", "--format", "json", "--downgrade", "head"],
    )
    .fails(1);
    let v = json(&down.stdout);
    assert!(rules(&v, "findings").contains(&"R007".to_string()), "{v}");
}

#[test]
fn bad_ranges_and_options_are_usage_errors() {
    let p = risky_project("postgresql://app@localhost/app");
    let run = retort(p.path(), &["lint", "nosuchrev"]).fails(2);
    assert!(run.stderr.contains("bad lint range"), "{}", run.stderr);
    let run = retort(p.path(), &["lint", "current:head"]).fails(2);
    assert!(run.stderr.contains("does not connect"), "{}", run.stderr);
    retort(p.path(), &["lint", "--dialect", "oracle"]).fails(2);
    retort(p.path(), &["lint", "--postgres-version", "seven"]).fails(2);
    let run = retort(p.path(), &["lint", "--format", "json", "zzzz:"]).fails(2);
    assert_eq!(json(&run.stdout)["error"]["exit_code"], 2);
}

#[test]
fn allow_comments_clear_findings_and_unknown_rules_warn() {
    let p = TestProject::new();
    p.revision(
        "aaaaaaaaaaaa",
        "",
        "retort-lint: allow R001, dropping-table\nretort-lint: allow R999",
        "ALTER TABLE users ADD COLUMN age integer NOT NULL;\n-- retort-lint: allow-next R007\nALTER TABLE users DROP COLUMN a;\nDROP TABLE old_stuff;",
        None,
    );
    let run = retort(p.path(), &["lint", "--format", "json"]).ok();
    let v = json(&run.stdout);
    assert_eq!(rules(&v, "findings"), Vec::<String>::new());
    assert_eq!(rules(&v, "allowed"), ["R001", "R007", "R008"]);
    assert_eq!(v["warnings"][0]["line"], 6);
    let text = retort(p.path(), &["lint"]).ok();
    assert!(
        text.stderr
            .contains("aaaaaaaaaaaa.sql:6: unknown lint rule 'R999'"),
        "{}",
        text.stderr
    );
    assert!(
        text.stdout.contains("3 allowed by comments"),
        "{}",
        text.stdout
    );
}

#[test]
fn dialect_comes_from_the_flag_or_the_url_and_defaults_to_postgres() {
    let p = risky_project("sqlite:///app.db");
    // --dialect beats the URL; --url beats the file.
    let v = json(
        &retort(
            p.path(),
            &["lint", "--format", "json", "--dialect", "postgresql"],
        )
        .fails(1)
        .stdout,
    );
    assert_eq!(v["dialect"], "postgresql");
    let v = json(
        &retort(
            p.path(),
            &["--url", "postgres://u@h/d", "--format", "json", "lint"],
        )
        .fails(1)
        .stdout,
    );
    assert_eq!(v["dialect"], "postgresql");
    // No URL anywhere: PostgreSQL, with a note.
    p.write_config("[migrations]\nscript_location = \"migrations\"\n");
    let run = retort(p.path(), &["lint"]).fails(1);
    assert!(run.stderr.contains("no database URL"), "{}", run.stderr);
    assert!(run.stdout.contains("(postgresql rules)"), "{}", run.stdout);
}

#[test]
fn enum_values_need_a_separate_transaction_before_postgres_12() {
    let p = TestProject::new();
    p.write_config("[database]\nurl = \"postgresql://app@localhost/app\"\n");
    p.revision(
        "aaaaaaaaaaaa",
        "",
        "",
        "SET lock_timeout = '1s';\nALTER TYPE mood ADD VALUE 'meh';",
        None,
    );
    retort(p.path(), &["lint"]).ok();
    let run = retort(p.path(), &["lint", "--postgres-version", "11"]).fails(1);
    assert!(
        run.stdout.contains("R011 adding-enum-value-in-transaction"),
        "{}",
        run.stdout
    );
}

/// docs/lint.md shows these files: each rule fires on its example, the safe
/// patterns stay clean, and the allowed drop is allowed.
#[test]
fn documented_examples_give_the_documented_findings() {
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/lint-examples");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = format!("{examples}/retort.toml");
    let run = retort(dir.path(), &["-c", &config, "--format", "json", "lint"]).fails(1);
    let v = json(&run.stdout);
    let found = rules(&v, "findings");
    // The examples are a PostgreSQL project: the MySQL rules are tested in
    // mysql_project_gets_the_mysql_rules.
    for rule in retort::lint::Rule::ALL
        .into_iter()
        .filter(|r| r.applies_to(retort::dialect::DialectKind::Postgres))
    {
        assert!(
            found.contains(&rule.id().to_string()),
            "no example for {rule}: {found:?}"
        );
    }
    let files: Vec<&str> = v["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["file"].as_str()).collect())
        .unwrap_or_default();
    for safe in ["e01_", "e15_", "e16_", "e17_", "e18_"] {
        assert!(
            files.iter().all(|f| !f.contains(safe)),
            "{safe} should be clean: {files:?}"
        );
    }
    assert_eq!(rules(&v, "allowed"), ["R007"]);
    assert_eq!(v["counts"]["findings"], 18);
}

/// A MySQL project: R016–R019 fire through the binary (in statement order),
/// `[database] lock_wait_timeout` quiets R018, and none of them fire when
/// the same files are linted as PostgreSQL or SQLite.
#[test]
fn mysql_project_gets_the_mysql_rules() {
    let p = TestProject::new();
    p.write_config("[database]\nurl = \"mysql://app@db.example/app\"\n");
    p.revision(
        "aaaaaaaaaaaa",
        "",
        "",
        "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100));",
        Some("DROP TABLE users;"),
    );
    // Upgrade lines: 7 ADD … AFTER, 8 MODIFY.
    p.revision(
        "bbbbbbbbbbbb",
        "aaaaaaaaaaaa",
        "",
        "ALTER TABLE users ADD COLUMN n INT AFTER id;\nALTER TABLE users MODIFY n BIGINT;",
        Some("ALTER TABLE users DROP COLUMN n;"),
    );
    let run = retort(p.path(), &["lint"]).fails(1);
    assert!(
        run.stdout.contains("migrations/versions/bbbbbbbbbbbb.sql:8: R019 several-ddl-statements: this revision holds 2 DDL statements (the first at line 7)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("(mysql rules)"), "{}", run.stdout);
    // R019 replaced the note lint used to print.
    assert!(!run.stderr.contains("commits implicitly"), "{}", run.stderr);
    let v = json(
        &retort(p.path(), &["--format", "json", "lint"])
            .fails(1)
            .stdout,
    );
    assert_eq!(rules(&v, "findings"), ["R018", "R017", "R019", "R016"]);
    p.write_config("[database]\nurl = \"mysql://app@db.example/app\"\nlock_wait_timeout = 10\n");
    let v = json(
        &retort(p.path(), &["--format", "json", "lint"])
            .fails(1)
            .stdout,
    );
    assert_eq!(rules(&v, "findings"), ["R017", "R019", "R016"]);
    for other in ["postgresql", "sqlite"] {
        let run = retort(p.path(), &["--format", "json", "lint", "--dialect", other]);
        let found = rules(&json(&run.stdout), "findings");
        for rule in ["R016", "R017", "R018", "R019"] {
            assert!(
                !found.contains(&rule.to_string()),
                "{rule} on {other}: {found:?}"
            );
        }
    }
}
