//! `retort squash FROM:TO`, on both databases: the chain becomes one
//! revision with TO's id; a database at TO and a child revision stay valid;
//! the schema is the same; unsafe ranges are refused with nothing changed.

mod common;

use common::{project_for, retort, Backend, Db, TestProject};

on_all_backends!(
    squash_keeps_children_and_databases_valid,
    squash_refuses_unsafe_ranges
);

fn project(db: &Db) -> TestProject {
    let p = project_for(db);
    p.revision(
        "aaa111",
        "",
        "",
        "CREATE TABLE users (id integer PRIMARY KEY, name text);",
        Some("DROP TABLE users;"),
    );
    p.revision(
        "bbb222",
        "aaa111",
        "",
        "ALTER TABLE users ADD COLUMN email text;\nINSERT INTO users (id, name) VALUES (1, 'admin');",
        Some("DELETE FROM users WHERE id = 1;\nALTER TABLE users DROP COLUMN email;"),
    );
    p.revision(
        "ccc333",
        "bbb222",
        "",
        "CREATE TABLE posts (id integer PRIMARY KEY, author integer REFERENCES users (id));\nCREATE INDEX posts_author ON posts (author);",
        Some("DROP TABLE posts;"),
    );
    p.revision(
        "ddd444",
        "ccc333",
        "",
        "CREATE TABLE tags (id integer PRIMARY KEY);",
        Some("DROP TABLE tags;"),
    );
    p
}

fn squash_keeps_children_and_databases_valid(backend: Backend) {
    let db = Db::new(backend);
    let p = project(&db);
    let d = p.path();
    retort(d, &["upgrade", "ccc333"]).ok();
    let before = retort(
        d,
        &[
            "diff",
            "--from",
            "migrations@ccc333",
            "--to",
            "migrations@base",
        ],
    )
    .ok()
    .stdout;

    let run = retort(d, &["squash", "aaa111:ccc333", "-m", "users and posts"]).ok();
    assert!(
        run.stdout.contains("Squashed 3 revisions into ccc333"),
        "{}",
        run.all()
    );
    assert!(
        run.stderr.contains("warning: bbb222 had data statements"),
        "{}",
        run.all()
    );
    let files: Vec<String> = std::fs::read_dir(p.versions())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("aaa111") || f.starts_with("bbb222")),
        "{files:?}"
    );
    assert!(files.iter().any(|f| f.starts_with("ccc333")), "{files:?}");

    // The database at ccc333 is still at a known revision; the child builds on it.
    let current = retort(d, &["current"]).ok();
    assert!(current.stdout.contains("ccc333"), "{}", current.all());
    let history = retort(d, &["history"]).ok().stdout;
    assert!(
        history.contains("<base> -> ccc333, users and posts"),
        "{history}"
    );
    assert!(history.contains("ccc333 -> ddd444 (head)"), "{history}");
    // The database applied the old ccc333: its checksum differs, and the
    // guarantee holds until the squash is accepted, once per database.
    let refused = retort(d, &["upgrade", "head"]).fails(1);
    assert!(refused.stderr.contains("ccc333"), "{}", refused.all());
    assert!(run.stdout.contains("--allow-changed"), "{}", run.all());
    retort(d, &["upgrade", "head", "--allow-changed"]).ok();
    assert!(db.tables().contains(&"tags".to_string()));

    // Same schema from nothing as before the squash, and it reverses.
    let after = retort(
        d,
        &[
            "diff",
            "--from",
            "migrations@ccc333",
            "--to",
            "migrations@base",
        ],
    )
    .ok()
    .stdout;
    assert_eq!(before, after);
    let verify = retort(d, &["verify"]).ok();
    assert!(
        verify.stderr.contains("all checks passed"),
        "{}",
        verify.all()
    );
}

fn squash_refuses_unsafe_ranges(backend: Backend) {
    let db = Db::new(backend);
    let p = project(&db);
    let d = p.path();
    let count = || std::fs::read_dir(p.versions()).unwrap().count();
    // A database inside the range.
    retort(d, &["upgrade", "bbb222"]).ok();
    let run = retort(d, &["squash", "aaa111:ccc333", "-m", "x"]).fails(2);
    assert!(
        run.stderr
            .contains("the database is at bbb222, inside the range"),
        "{}",
        run.all()
    );
    // A branch off the middle of the range.
    p.table_revision("eee555", "bbb222", "");
    let run = retort(d, &["squash", "base:ccc333", "-m", "x"]).fails(2);
    assert!(
        run.stderr.contains("eee555 is built on bbb222"),
        "{}",
        run.all()
    );
    // Not a range.
    let run = retort(d, &["squash", "ccc333", "-m", "x"]).fails(2);
    assert!(run.stderr.contains("not a range"), "{}", run.all());
    assert_eq!(count(), 5, "nothing was written or removed");
    assert_eq!(db.versions(), vec!["bbb222".to_string()]);
}
