//! `[database] session` statements run on every connection opened for a
//! URL, scratch databases included, and hold again after loading SQL resets
//! the session.

use std::path::Path;

use retort::dialect::{self, Scratch};
use retort::DatabaseUrl;

fn first(conn: &mut dyn retort::Connection, sql: &str) -> String {
    conn.query_column(sql).expect("query")[0]
        .clone()
        .unwrap_or_default()
}

#[test]
fn postgres_connections_and_scratch_databases_run_the_session() {
    let db = retort_testkit::pg::database();
    let url = DatabaseUrl::parse(&db.url, Path::new("/"))
        .unwrap()
        .with_session(vec!["SET search_path = app, public".into()]);
    let mut conn = dialect::connect(&url).unwrap();
    assert_eq!(first(conn.as_mut(), "SHOW search_path"), "app, public");
    let mut scratch = Scratch::create(&url).unwrap();
    assert_eq!(
        first(scratch.connection(), "SHOW search_path"),
        "app, public"
    );
    // Loading a dump that empties the search path: reset, then the session again.
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump.sql");
    std::fs::write(&dump, "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.t (id int);\n").unwrap();
    retort::load::run_files(&mut scratch, &[dump]).unwrap();
    assert_eq!(
        first(scratch.connection(), "SHOW search_path"),
        "app, public"
    );
}

#[test]
fn sqlite_scratch_databases_run_the_session() {
    let url = DatabaseUrl::parse("sqlite://:memory:", Path::new("/"))
        .unwrap()
        .with_session(vec!["PRAGMA recursive_triggers = ON".into()]);
    let mut scratch = Scratch::create(&url).unwrap();
    assert_eq!(
        first(scratch.connection(), "PRAGMA recursive_triggers"),
        "1"
    );
    let plain = DatabaseUrl::parse("sqlite://:memory:", Path::new("/")).unwrap();
    let mut scratch = Scratch::create(&plain).unwrap();
    assert_eq!(
        first(scratch.connection(), "PRAGMA recursive_triggers"),
        "0"
    );
}

#[test]
fn mariadb_connections_run_the_session_and_a_bad_statement_says_which() {
    let db = retort_testkit::mariadb::database();
    let url = DatabaseUrl::parse(&db.url, Path::new("/"))
        .unwrap()
        .with_session(vec!["SET SESSION sql_mode = 'ANSI_QUOTES'".into()]);
    let mut conn = dialect::connect(&url).unwrap();
    assert_eq!(
        first(conn.as_mut(), "SELECT @@session.sql_mode"),
        "ANSI_QUOTES"
    );
    let bad = DatabaseUrl::parse(&db.url, Path::new("/"))
        .unwrap()
        .with_session(vec!["SET SESSION no_such_variable = 1".into()]);
    let e = dialect::connect(&bad).err().expect("refused").to_string();
    assert!(e.contains("SET SESSION no_such_variable = 1"), "{e}");
    assert!(e.contains("1193"), "{e}");
}
