//! Desired states loaded through scratch databases: SQL files and folders,
//! and `migrations@REV`. The example project's schema.sql must be exactly
//! what its revisions produce, on both databases; scratch databases never
//! outlive the call, even when loading fails.

use std::path::{Path, PathBuf};

use retort::load::{from_migrations, from_sql};
use retort::{Config, DatabaseUrl, Error, Project};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/resumator")
}

fn url(s: &str) -> DatabaseUrl {
    DatabaseUrl::parse(s, Path::new("/")).unwrap()
}

/// Scratch databases this test process made (their names carry its pid;
/// other test processes share the cluster).
fn scratch_databases(server: &retort_testkit::pg::Server) -> Vec<String> {
    let mut c = postgres::Client::connect(&server.url("postgres"), postgres::NoTls).unwrap();
    let pattern = format!("retort\\_scratch\\_{}\\_%", std::process::id());
    c.query(
        "SELECT datname::text FROM pg_database WHERE datname LIKE $1",
        &[&pattern],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

fn example_schema_equals_its_migrations(server: &DatabaseUrl) {
    let project = Project::load(Config::load(&example().join("retort.toml")).unwrap()).unwrap();
    let desired = from_sql(server, &[example().join("schema.sql")]).unwrap();
    let built = from_migrations(server, &project, "head").unwrap();
    assert_eq!(desired.tables.len(), 4);
    assert_eq!(
        desired, built,
        "examples/resumator/schema.sql must match migrations@head"
    );
}

#[test]
fn sqlite_example_schema_matches_migrations_at_head() {
    example_schema_equals_its_migrations(&url("sqlite://:memory:"));
}

#[test]
fn postgres_example_schema_matches_migrations_at_head() {
    let db = retort_testkit::pg::database();
    example_schema_equals_its_migrations(&url(&db.url));
    assert!(
        scratch_databases(db.server()).is_empty(),
        "scratch databases are dropped"
    );
}

#[test]
fn folders_load_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    std::fs::write(
        dir.path().join("a_base.sql"),
        "CREATE TABLE parent (id integer PRIMARY KEY);",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b/child.sql"),
        "CREATE TABLE child (id integer PRIMARY KEY, p integer REFERENCES parent (id));",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not SQL").unwrap();
    let s = from_sql(&url("sqlite://:memory:"), &[dir.path().to_path_buf()]).unwrap();
    let names: Vec<&str> = s.tables.iter().map(|t| t.name.name.as_str()).collect();
    assert_eq!(names, ["child", "parent"]);
}

#[test]
fn a_bad_statement_names_file_and_line_and_drops_the_scratch_database() {
    let db = retort_testkit::pg::database();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schema.sql");
    std::fs::write(
        &file,
        "CREATE TABLE ok (id integer);\n\nCREATE TABLE bad (id nosuchtype);\n",
    )
    .unwrap();
    let err = from_sql(&url(&db.url), &[file]).unwrap_err();
    match &err {
        Error::Statement(e) => {
            assert_eq!(e.line, 3);
            assert!(e.path.ends_with("schema.sql"));
            assert!(e.db.message.contains("nosuchtype"), "{}", e.db.message);
        }
        other => panic!("expected a statement error, got {other}"),
    }
    assert!(err.to_string().contains("schema.sql:3:"), "{err}");
    assert!(scratch_databases(db.server()).is_empty());
    let missing = from_sql(&url("sqlite://:memory:"), &[dir.path().join("nope.sql")]).unwrap_err();
    assert!(
        missing.to_string().contains("nope.sql does not exist"),
        "{missing}"
    );
}

#[test]
fn a_scratch_database_exists_while_in_use_and_is_dropped_after() {
    let db = retort_testkit::pg::database();
    let scratch = retort::dialect::Scratch::create(&url(&db.url)).unwrap();
    assert_eq!(
        scratch_databases(db.server()).len(),
        1,
        "visible while in use"
    );
    drop(scratch);
    assert!(
        scratch_databases(db.server()).is_empty(),
        "dropped afterwards"
    );
}
