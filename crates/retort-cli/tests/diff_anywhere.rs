//! `retort diff` and `retort inspect` outside a project (from an empty
//! folder, as migra and `pg_dump` users run them) and inside one with sides
//! that say what they are: real PostgreSQL databases from the test kit, real
//! SQLite files, the real binary.

mod common;

use std::path::Path;

use common::{retort, Run, TestProject};

/// An empty folder, with no retort.toml in it or above it.
fn empty_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut up = Some(dir.path());
    while let Some(d) = up {
        assert!(
            !d.join("retort.toml").exists(),
            "a retort.toml above the temp folder: {}",
            d.display()
        );
        up = d.parent();
    }
    dir
}

fn pg_exec(db: &retort_testkit::pg::TestDb, sql: &str) {
    db.client().batch_execute(sql).expect("pg exec");
}

fn sqlite_file(dir: &Path, name: &str, sql: &str) -> String {
    let path = dir.join(name);
    rusqlite::Connection::open(&path)
        .and_then(|c| c.execute_batch(sql))
        .expect("sqlite exec");
    format!("sqlite:///{}", path.display())
}

/// Checks a usage error: exit 2, the message, `error: `, no panic, no
/// password.
#[track_caller]
fn usage_error(run: Run, message: &str) {
    let run = run.fails(2);
    assert!(
        run.stderr.contains(message),
        "expected {message:?} in:\n{}",
        run.stderr
    );
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(!run.all().contains("Sup3rS3cret"), "{}", run.all());
}

const USERS: &str = "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);";

#[test]
fn two_postgres_databases_from_an_empty_folder() {
    let dir = empty_folder();
    let (a, b) = (
        retort_testkit::pg::database(),
        retort_testkit::pg::database(),
    );
    // retort's and Alembic's own tables are not part of either state.
    pg_exec(
        &a,
        "CREATE TABLE retort_version (version_num varchar(32)); CREATE TABLE alembic_version (version_num varchar(32));",
    );
    pg_exec(&b, USERS);
    let run = retort(dir.path(), &["diff", "--from", &a.url, "--to", &b.url]).ok();
    assert!(run.stdout.contains("CREATE TABLE users"), "{}", run.stdout);
    assert!(!run.all().contains("retort_version"), "{}", run.all());
    assert!(!run.all().contains("alembic_version"), "{}", run.all());
    // --exit-code: 1 for differences, 0 for none.
    let args = ["diff", "--from", &a.url, "--to", &b.url, "--exit-code"];
    retort(dir.path(), &args).fails(1);
    let same = retort(
        dir.path(),
        &["diff", "--from", &b.url, "--to", &b.url, "--exit-code"],
    )
    .ok();
    assert_eq!(same.stdout, "");
    assert!(same.stderr.contains("No differences."), "{}", same.stderr);
    // JSON says what was compared.
    let json = retort(
        dir.path(),
        &["diff", "--from", &a.url, "--to", &b.url, "--format", "json"],
    )
    .ok();
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["equal"], false);
    assert_eq!(doc["dialect"], "postgresql");
    assert!(dir.path().read_dir().expect("dir").next().is_none());
}

/// On Debian's newest PostgreSQL 15 (15.20 and later), which stores an
/// internal `pg_attver=<n>` option on every column, a database diffed with
/// itself prints no statement, from an empty folder.
#[test]
fn on_the_newest_postgres_15_a_database_diffed_with_itself_is_empty() {
    use retort_testkit::pg::Version;
    let dir = empty_folder();
    let db = retort_testkit::pg::database_on(Version::Debian15Newest);
    pg_exec(
        &db,
        "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, tags text[]);
         CREATE INDEX users_name ON users (name);
         CREATE VIEW named AS SELECT id, name FROM users;",
    );
    let options: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND array_to_string(attoptions, ',') LIKE '%pg_attver=%'",
            &[],
        )
        .expect("attoptions")
        .get(0);
    assert!(options > 0, "this server does not store pg_attver");
    let run = retort(
        dir.path(),
        &["diff", "--from", &db.url, "--to", &db.url, "--exit-code"],
    )
    .ok();
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("No differences."), "{}", run.stderr);
}

/// A column type change PostgreSQL has no cast for is a marked comment
/// and a warning, never an `ALTER` that fails halfway; the column's other
/// changes, and type changes that do have a cast, are still written. The
/// server itself judges: the printed SQL runs.
#[test]
fn a_type_change_without_a_cast_is_a_comment_and_a_report() {
    let dir = empty_folder();
    let (a, b) = (
        retort_testkit::pg::database(),
        retort_testkit::pg::database(),
    );
    pg_exec(
        &a,
        "CREATE TABLE ev (at timestamp, note text NOT NULL, n text)",
    );
    pg_exec(&b, "CREATE TABLE ev (at integer, note text, n integer)");
    let run = retort(dir.path(), &["diff", "--from", &a.url, "--to", &b.url]).ok();
    assert!(
        run.stdout.contains(
            "-- retort: cannot change the type of column ev.at from timestamp without time zone to integer: the database has no cast"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("warning: cannot change the type of column ev.at"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("at TYPE"), "{}", run.stdout);
    assert!(run.stdout.contains("note DROP NOT NULL"), "{}", run.stdout);
    assert!(run.stdout.contains("n TYPE integer"), "{}", run.stdout);
    pg_exec(&a, &run.stdout);
    let mut client = a.client();
    let types: Vec<(String, String, String)> = client
        .query(
            "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns WHERE table_name = 'ev' ORDER BY 1",
            &[],
        )
        .expect("columns")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        types,
        [
            (
                "at".into(),
                "timestamp without time zone".into(),
                "YES".into()
            ),
            ("n".into(), "integer".into(), "YES".into()),
            ("note".into(), "text".into(), "YES".into()),
        ]
    );
    // JSON reports it in both directions' SQL and once in cannot_apply.
    let json = retort(
        dir.path(),
        &["diff", "--from", &b.url, "--to", &a.url, "--format", "json"],
    )
    .ok();
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(
        doc["cannot_apply"].as_array().map(Vec::len),
        Some(1),
        "{doc}"
    );
    assert!(
        doc["downgrade"]
            .as_str()
            .is_some_and(|s| s.contains("-- retort: cannot change the type of column ev.at")),
        "{doc}"
    );
}

#[test]
fn postgres_url_against_a_sql_file_is_normalised_on_that_server() {
    let dir = empty_folder();
    let db = retort_testkit::pg::database();
    pg_exec(&db, USERS);
    std::fs::write(
        dir.path().join("schema.sql"),
        "create table USERS (ID int primary key, NAME text not null, email text);",
    )
    .expect("write");
    let run = retort(
        dir.path(),
        &["diff", "--from", &db.url, "--to", "schema.sql"],
    )
    .ok();
    assert_eq!(
        run.stdout.trim(),
        "ALTER TABLE users ADD COLUMN email text;",
        "{}",
        run.stderr
    );
    // The other way round, the file is the starting state.
    let back = retort(
        dir.path(),
        &["diff", "--from", "schema.sql", "--to", &db.url],
    )
    .ok();
    assert!(back.stdout.contains("DROP COLUMN email"), "{}", back.stdout);
}

#[test]
fn sql_files_with_dev_url() {
    let dir = empty_folder();
    let dev = retort_testkit::pg::database();
    std::fs::write(dir.path().join("old.sql"), USERS).expect("write");
    std::fs::create_dir(dir.path().join("new")).expect("mkdir");
    std::fs::write(
        dir.path().join("new/01_users.sql"),
        "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, born date);",
    )
    .expect("write");
    for dev_url in [dev.url.as_str(), "sqlite://:memory:"] {
        let run = retort(
            dir.path(),
            &[
                "diff",
                "--from",
                "old.sql",
                "--to",
                "new",
                "--dev-url",
                dev_url,
            ],
        )
        .ok();
        assert!(
            run.stdout.contains("ADD COLUMN born"),
            "{dev_url}: {}",
            run.stdout
        );
    }
    // The SQL ran in a scratch database on that server, not in the dev
    // database itself.
    let tables: i64 = dev
        .client()
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .expect("query")
        .get(0);
    assert_eq!(tables, 0);
}

#[test]
fn two_sqlite_files() {
    let dir = empty_folder();
    let a = sqlite_file(dir.path(), "a.db", USERS);
    let b = sqlite_file(
        dir.path(),
        "b.db",
        "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, email text);",
    );
    let run = retort(dir.path(), &["diff", "--from", &a, "--to", &b]).ok();
    assert_eq!(
        run.stdout.trim(),
        "ALTER TABLE users ADD COLUMN email TEXT;"
    );
    // A relative URL is relative to the current folder.
    let rel = retort(
        dir.path(),
        &[
            "diff",
            "--from",
            "sqlite:///a.db",
            "--to",
            "sqlite:///a.db",
            "--exit-code",
        ],
    )
    .ok();
    assert!(rel.stderr.contains("No differences."), "{}", rel.stderr);
}

#[test]
fn a_sql_side_without_dev_url_is_an_error() {
    let dir = empty_folder();
    std::fs::write(dir.path().join("a.sql"), USERS).expect("write");
    usage_error(
        retort(dir.path(), &["diff", "--from", "a.sql", "--to", "a.sql"]),
        "needs a database to be read in",
    );
    usage_error(
        retort(dir.path(), &["diff", "--from", "a.sql", "--to", "a.sql"]),
        "pass --dev-url URL",
    );
    usage_error(
        retort(dir.path(), &["inspect", "a.sql"]),
        "pass --dev-url URL",
    );
}

#[test]
fn mixed_dialects_are_an_error_with_the_password_masked() {
    let dir = empty_folder();
    let sqlite = sqlite_file(dir.path(), "a.db", USERS);
    let pg = "postgresql://app:Sup3rS3cret@127.0.0.1:1/app";
    usage_error(
        retort(dir.path(), &["diff", "--from", pg, "--to", &sqlite]),
        "cannot compare a postgresql database (--from postgresql://app:***@127.0.0.1:1/app) with a sqlite database",
    );
    std::fs::write(dir.path().join("a.sql"), USERS).expect("write");
    usage_error(
        retort(
            dir.path(),
            &["diff", "--from", &sqlite, "--to", "a.sql", "--dev-url", pg],
        ),
        "pass --dev-url with a sqlite URL",
    );
}

#[test]
fn migrations_and_missing_files_outside_a_project_are_errors() {
    let dir = empty_folder();
    let sqlite = sqlite_file(dir.path(), "a.db", USERS);
    usage_error(
        retort(
            dir.path(),
            &["diff", "--from", "migrations@head", "--to", &sqlite],
        ),
        "migrations@head needs a project",
    );
    usage_error(
        retort(dir.path(), &["inspect", "migrations@head"]),
        "migrations@head needs a project",
    );
    usage_error(
        retort(
            dir.path(),
            &["diff", "--from", &sqlite, "--to", "sqlite:///typo.db"],
        ),
        "no such SQLite database file",
    );
    assert!(!dir.path().join("typo.db").exists());
}

#[test]
fn inside_a_sqlite_project_two_postgres_urls_are_compared_as_they_are() {
    let p = TestProject::new(); // on SQLite
    let (a, b) = (
        retort_testkit::pg::database(),
        retort_testkit::pg::database(),
    );
    pg_exec(&b, &format!("{USERS} CREATE TABLE legacy_x (id int);"));
    // The project's filters still apply.
    p.write_config(
        "[database]\nurl = \"sqlite:///test.db\"\n\n[autogenerate]\nexclude_tables = [\"legacy_*\"]\n",
    );
    let run = retort(p.path(), &["diff", "--from", &a.url, "--to", &b.url]).ok();
    assert!(run.stdout.contains("CREATE TABLE users"), "{}", run.stdout);
    assert!(!run.stdout.contains("legacy_x"), "{}", run.stdout);
    // migrations@REV is built on the URL side's server when there is no
    // dev_url: the SQLite project database is not the dialect.
    p.revision("r1", "", "", USERS, Some("DROP TABLE users;"));
    let built = retort(
        p.path(),
        &[
            "diff",
            "--from",
            "migrations@head",
            "--to",
            &b.url,
            "--exit-code",
        ],
    )
    .ok();
    assert!(built.stderr.contains("No differences."), "{}", built.stderr);
}

/// A schema with what a diagram and the DDL must get right: keys, a
/// composite and a self reference, an enum, a view, an index, a comment, a
/// name that needs quoting.
const RICH_PG: &str = r#"
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE orgs (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name varchar(80) NOT NULL UNIQUE);
CREATE TABLE "odd ""name""" (
    id serial PRIMARY KEY,
    org_id bigint REFERENCES orgs (id) ON DELETE CASCADE,
    parent_id integer REFERENCES "odd ""name""" (id),
    feeling mood NOT NULL DEFAULT 'happy',
    price numeric(10,2) CHECK (price >= 0)
);
CREATE INDEX odd_org ON "odd ""name""" (org_id);
COMMENT ON TABLE orgs IS 'Organisations';
CREATE VIEW org_names AS SELECT name FROM orgs;
"#;

#[test]
fn inspect_sql_applies_to_an_empty_database_and_reads_back_equal() {
    let dir = empty_folder();
    let (src, copy) = (
        retort_testkit::pg::database(),
        retort_testkit::pg::database(),
    );
    pg_exec(&src, RICH_PG);
    let run = retort(dir.path(), &["inspect", &src.url]).ok();
    assert!(
        run.stdout.starts_with("-- Schema of postgresql://"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("CREATE TYPE mood"), "{}", run.stdout);
    pg_exec(&copy, &run.stdout);
    retort(
        dir.path(),
        &["diff", "--from", &src.url, "--to", &copy.url, "--exit-code"],
    )
    .ok();
    // `--format sql` is the same as the default.
    let sql = retort(dir.path(), &["inspect", &src.url, "--format", "sql"]).ok();
    assert_eq!(sql.stdout, run.stdout);
}

#[test]
fn inspect_sqlite_and_sql_files_reads_back_equal() {
    let dir = empty_folder();
    let schema = "CREATE TABLE a (id integer PRIMARY KEY, name text NOT NULL UNIQUE);\nCREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a (id), note text DEFAULT 'x');\nCREATE INDEX b_a ON b (a_id);\nCREATE VIEW v AS SELECT name FROM a;\n";
    std::fs::write(dir.path().join("schema.sql"), schema).expect("write");
    let run = retort(
        dir.path(),
        &["inspect", "schema.sql", "--dev-url", "sqlite://:memory:"],
    )
    .ok();
    let copy = sqlite_file(dir.path(), "copy.db", &run.stdout);
    let same = retort(
        dir.path(),
        &["diff", "--from", "schema.sql", "--to", &copy, "--exit-code"],
    )
    .ok();
    assert!(same.stderr.contains("No differences."), "{}", same.stderr);
    // An empty database says so.
    let empty = sqlite_file(dir.path(), "empty.db", "");
    let e = retort(dir.path(), &["inspect", &empty]).ok();
    assert!(e.stderr.contains("The schema is empty."), "{}", e.stderr);
}

#[test]
fn inspect_json_is_the_model() {
    let dir = empty_folder();
    let db = retort_testkit::pg::database();
    pg_exec(&db, RICH_PG);
    let run = retort(dir.path(), &["inspect", &db.url, "--format", "json"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let tables: Vec<&str> = doc["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|t| t["name"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(tables, ["odd \"name\"", "orgs"]);
    assert_eq!(doc["enums"][0]["name"]["name"], "mood");
    assert_eq!(doc["views"][0]["name"]["name"], "org_names");
}

#[test]
fn inspect_draws_tables_keys_and_references() {
    let dir = empty_folder();
    let db = retort_testkit::pg::database();
    pg_exec(&db, RICH_PG);
    let mermaid = retort(dir.path(), &["inspect", &db.url, "--format", "mermaid"]).ok();
    let m = mermaid.stdout;
    assert!(m.starts_with("erDiagram\n"), "{m}");
    assert!(m.contains("    \"odd _name_\" {\n"), "{m}");
    assert!(m.contains("    \"orgs\" {\n"), "{m}");
    assert!(m.contains("        bigint id PK\n"), "{m}");
    assert!(m.contains("        bigint org_id FK\n"), "{m}");
    assert!(
        m.contains("numeric(10_2) price \"price numeric(10,2)\""),
        "{m}"
    );
    assert!(
        m.contains("    \"orgs\" |o--o{ \"odd _name_\" : \"org_id\"\n"),
        "{m}"
    );
    assert!(
        m.contains("    \"odd _name_\" |o--o{ \"odd _name_\" : \"parent_id\"\n"),
        "{m}"
    );
    // Every line is a header, an entity, an attribute or a relationship.
    for line in m.lines().skip(1) {
        let t = line.trim();
        assert!(
            t.ends_with('{') || t == "}" || t.contains("--") || line.starts_with("        "),
            "{line}"
        );
    }

    let dot = retort(dir.path(), &["inspect", &db.url, "--format", "dot"]).ok();
    let d = dot.stdout;
    assert!(d.starts_with("digraph schema {\n"), "{d}");
    assert!(d.contains("<b>odd &quot;name&quot;</b>"), "{d}");
    assert!(d.contains("<b>orgs</b>"), "{d}");
    assert!(
        d.contains("<td align=\"left\">org_id</td><td align=\"left\">bigint</td><td>FK</td>"),
        "{d}"
    );
    // t0 is "odd ""name""" (sorted first), t1 orgs.
    assert!(d.contains("    t0 -> t1 [label=<org_id>];\n"), "{d}");
    assert!(d.contains("    t0 -> t0 [label=<parent_id>];\n"), "{d}");
    assert_eq!(d.matches('{').count(), d.matches('}').count(), "{d}");
    // Graphviz, when it is installed, must read it.
    let graphviz = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn();
    if let Ok(mut child) = graphviz {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(d.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("dot");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn inspect_in_a_project_reads_migrations_with_its_filters() {
    let p = TestProject::new();
    p.write_config(
        "[database]\nurl = \"sqlite:///test.db\"\n\n[autogenerate]\nexclude_tables = [\"legacy_*\"]\n",
    );
    p.revision(
        "r1",
        "",
        "",
        "CREATE TABLE users (id integer PRIMARY KEY);\nCREATE TABLE legacy_x (id integer);",
        Some("DROP TABLE legacy_x;\nDROP TABLE users;"),
    );
    let run = retort(p.path(), &["inspect", "migrations@head"]).ok();
    assert!(run.stdout.contains("CREATE TABLE users"), "{}", run.stdout);
    assert!(!run.stdout.contains("legacy_x"), "{}", run.stdout);
    assert!(!run.stdout.contains("retort_version"), "{}", run.stdout);
    // --format mermaid|dot|sql belong to inspect (and graph) only.
    usage_error(
        retort(p.path(), &["history", "--format", "sql"]),
        "--format sql is for `retort inspect`",
    );
}
