//! Code migrations seen from the command line: listed and shown like any
//! revision, and refused — before anything runs — by `upgrade`, online and
//! offline, since only the service that registers the code can run it.

mod common;

use common::{project_for, retort, Backend, Db};

on_both_backends!(the_cli_lists_code_migrations_and_refuses_to_run_them);

fn the_cli_lists_code_migrations_and_refuses_to_run_them(backend: Backend) {
    let db = Db::new(backend);
    let p = project_for(&db);
    p.table_revision("a", "", "");
    p.revision(
        "b",
        "a",
        "Code: split_names\n",
        "-- runs in the service",
        Some(""),
    );
    p.table_revision("c", "b", "");
    let dir = p.path();

    let history = retort(dir, &["history"]).ok().stdout;
    assert!(history.contains("a -> b (code), revision b"), "{history}");
    let show = retort(dir, &["show", "b"]).ok().stdout;
    assert!(show.contains("Code: split_names"), "{show}");
    let json = retort(dir, &["--format", "json", "show", "b"]).ok().stdout;
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc[0]["code"], "split_names");

    let run = retort(dir, &["upgrade", "head"]).fails(1);
    assert!(
        run.stderr.contains("revision b")
            && run
                .stderr
                .contains("is a code migration (Code: split_names)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Migrator::register_code"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("retort stamp"), "{}", run.stderr);
    assert!(db.tables().is_empty(), "nothing ran: {:?}", db.tables());

    let offline = retort(dir, &["upgrade", "head", "--sql"]).fails(1);
    assert!(
        offline.stderr.contains("is a code migration"),
        "{}",
        offline.stderr
    );

    // Up to the revision before it works, and stamping past it is the way
    // through when the service ran it elsewhere.
    retort(dir, &["upgrade", "a"]).ok();
    retort(dir, &["stamp", "b"]).ok();
    retort(dir, &["upgrade", "head"]).ok();
    assert_eq!(db.versions(), vec!["c".to_string()]);
}

#[test]
fn sql_in_a_code_migration_is_a_clear_error() {
    let db = Db::new(Backend::Sqlite);
    let p = project_for(&db);
    p.revision("a", "", "Code: fill", "UPDATE t SET x = 1;", None);
    let run = retort(p.path(), &["history"]).fails(1);
    assert!(
        run.stderr
            .contains("a revision with 'Code:' runs Rust, not SQL"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("a.sql:"), "{}", run.stderr);
}
