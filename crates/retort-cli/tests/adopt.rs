//! `retort init --from-sql`: adopting an existing `init.sql`, on both
//! databases; bad SQL leaves nothing behind.

mod common;

use common::{retort, Backend, Db};

on_all_backends!(
    init_from_sql_writes_a_reversible_first_revision,
    init_from_sql_with_bad_sql_writes_nothing
);

const INIT_SQL: &str = "\
CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL UNIQUE);
CREATE TABLE posts (
    id integer PRIMARY KEY,
    author integer NOT NULL REFERENCES users (id),
    title text NOT NULL
);
CREATE INDEX posts_author ON posts (author);
CREATE VIEW titles AS SELECT p.title, u.email FROM posts p JOIN users u ON u.id = p.author;
";

fn init_from_sql_writes_a_reversible_first_revision(backend: Backend) {
    let db = Db::new(backend);
    let url = db.url();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("init.sql"), INIT_SQL).unwrap();
    let run = retort(
        d,
        &[
            "--url",
            &url,
            "init",
            "app",
            "--from-sql",
            "init.sql",
            "--rev-id",
            "0a1b2c3d4e5f",
            "--format",
            "json",
        ],
    )
    .ok();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["revision"]["revision"], "0a1b2c3d4e5f");
    let app = d.join("app");
    assert_eq!(
        std::fs::read_to_string(app.join("schema.sql")).unwrap(),
        INIT_SQL
    );
    let file =
        std::fs::read_to_string(app.join("migrations/versions/0a1b2c3d4e5f_initial_schema.sql"))
            .unwrap();
    // The upgrade is the file as written; the downgrade drops the view and
    // the tables, the referencing table first.
    assert!(file.contains(INIT_SQL.trim_end()), "{file}");
    let down = &file[file.find("-- +downgrade").expect("a downgrade")..];
    let view = down.find("DROP VIEW titles").expect("drops the view");
    let posts = down.find("DROP TABLE posts").expect("drops posts");
    let users = down.find("DROP TABLE users").expect("drops users");
    assert!(view < posts && posts < users, "{down}");

    std::fs::write(
        app.join("retort.toml"),
        format!("[database]\nurl = \"{url}\"\n"),
    )
    .unwrap();
    retort(&app, &["upgrade", "head"]).ok();
    retort(&app, &["check"]).ok();
    let verify = retort(&app, &["verify"]).ok();
    assert!(
        verify.stderr.contains("all checks passed"),
        "{}",
        verify.all()
    );
    retort(&app, &["downgrade", "base"]).ok();
    assert!(db.tables().is_empty(), "{:?}", db.tables());
}

fn init_from_sql_with_bad_sql_writes_nothing(backend: Backend) {
    let db = Db::new(backend);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("init.sql"),
        "CREATE TABLE ok (id integer);\nCREATE TABLE broken (id integer,);\n",
    )
    .unwrap();
    let run = retort(
        d,
        &["--url", &db.url(), "init", "app", "--from-sql", "init.sql"],
    )
    .fails(1);
    assert!(run.stderr.contains("CREATE TABLE broken"), "{}", run.all());
    assert!(run.stderr.contains("init.sql"), "{}", run.all());
    assert!(
        !d.join("app").exists(),
        "a half-made project was left behind"
    );
    // A revision file is not a schema.
    std::fs::write(
        d.join("rev.sql"),
        "-- +upgrade\nCREATE TABLE t (id integer);\n",
    )
    .unwrap();
    let run = retort(d, &["init", "app", "--from-sql", "rev.sql"]).fails(2);
    assert!(
        run.stderr.contains("looks like a revision file"),
        "{}",
        run.all()
    );
    // And the target database was never touched.
    assert!(db.tables().is_empty());
}
