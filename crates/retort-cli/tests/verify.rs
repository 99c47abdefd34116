//! `retort verify` as CI runs it, on both databases: a sound project passes;
//! a broken downgrade, an edited applied revision, a failing downgrade, an
//! empty downgrade, unlabelled heads and a head that differs from the
//! desired schema each fail with exit 1, naming the revision.

mod common;

use common::{project_for, retort, Backend, Db, TestProject};

on_all_backends!(
    a_sound_project_passes_every_check,
    a_downgrade_that_leaves_a_column_behind_is_caught,
    an_edited_applied_revision_is_caught,
    a_downgrade_that_fails_and_an_empty_one_are_caught,
    heads_and_the_desired_schema_are_checked,
    json_output_lists_every_check
);

/// Three revisions: a table, a column with an index, a third table; the
/// last one irreversible.
fn sound(db: &Db) -> TestProject {
    let p = project_for(db);
    p.revision(
        "aaa111",
        "",
        "",
        "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);",
        Some("DROP TABLE users;"),
    );
    p.revision(
        "bbb222",
        "aaa111",
        "",
        "ALTER TABLE users ADD COLUMN email varchar(100);\nCREATE INDEX users_email ON users (email);",
        Some(&format!(
            "{}\nALTER TABLE users DROP COLUMN email;",
            drop_index(db.backend())
        )),
    );
    p.revision(
        "ccc333",
        "bbb222",
        "",
        "CREATE TABLE audit (id integer PRIMARY KEY);",
        None,
    );
    p
}

/// `DROP INDEX users_email` as the database spells it (MySQL names the
/// table).
fn drop_index(backend: Backend) -> &'static str {
    match backend {
        Backend::Mariadb => "DROP INDEX users_email ON users;",
        _ => "DROP INDEX users_email;",
    }
}

fn line<'a>(out: &'a str, check: &str) -> &'a str {
    out.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(check))
        .unwrap_or_else(|| panic!("no `{check}` line in:\n{out}"))
}

fn a_sound_project_passes_every_check(backend: Backend) {
    let db = Db::new(backend);
    let p = sound(&db);
    std::fs::write(
        p.path().join("schema.sql"),
        "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, email varchar(100));\n\
         CREATE INDEX users_email ON users (email);\n\
         CREATE TABLE audit (id integer PRIMARY KEY);\n",
    )
    .unwrap();
    // Before anything is applied, and after.
    let fresh = retort(p.path(), &["verify"]).ok();
    assert!(
        fresh.stderr.contains("all checks passed"),
        "{}",
        fresh.all()
    );
    retort(p.path(), &["upgrade", "head"]).ok();
    let run = retort(p.path(), &["verify"]).ok();
    let out = &run.stdout;
    assert!(line(out, "heads").starts_with("ok"), "{out}");
    assert!(line(out, "heads").contains("ccc333"), "{out}");
    assert!(
        line(out, "checksums").contains("3 applied revision(s)"),
        "{out}"
    );
    assert!(
        line(out, "downgrades").contains("irreversible: ccc333"),
        "{out}"
    );
    assert!(
        line(out, "stairway")
            .contains("2 upgrade/downgrade/upgrade round trip(s) of 3 revision(s)"),
        "{out}"
    );
    assert!(line(out, "schema").starts_with("ok"), "{out}");
    // The scratch work never touched the target database.
    assert_eq!(db.versions(), vec!["ccc333".to_string()]);
}

fn a_downgrade_that_leaves_a_column_behind_is_caught(backend: Backend) {
    let db = Db::new(backend);
    let p = sound(&db);
    // The downgrade drops the index but forgets the column.
    let (up, down) = match backend {
        // MySQL indexes a prefix of a text column, and names the table.
        Backend::Mariadb => (
            "ALTER TABLE users ADD COLUMN email text;\nCREATE INDEX users_email ON users (email(20));",
            "DROP INDEX users_email ON users;",
        ),
        _ => (
            "ALTER TABLE users ADD COLUMN email text;\nCREATE INDEX users_email ON users (email);",
            "DROP INDEX users_email;",
        ),
    };
    p.revision("bbb222", "aaa111", "", up, Some(down));
    let run = retort(p.path(), &["verify", "--no-database"]).fails(1);
    let out = &run.stdout;
    assert!(line(out, "stairway").starts_with("FAILED"), "{out}");
    assert!(
        out.contains("bbb222.sql: the downgrade of bbb222 does not restore the schema"),
        "{out}"
    );
    // The difference names what is left to undo.
    assert!(out.contains("drop column users.email"), "{out}");
    assert!(line(out, "checksums").starts_with("skipped"), "{out}");
    assert!(
        run.stderr.contains("1 of 5 checks failed"),
        "{}",
        run.stderr
    );
}

fn an_edited_applied_revision_is_caught(backend: Backend) {
    let db = Db::new(backend);
    let p = sound(&db);
    retort(p.path(), &["upgrade", "head"]).ok();
    // Someone edits an applied revision.
    p.revision(
        "aaa111",
        "",
        "",
        "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, admin boolean);",
        Some("DROP TABLE users;"),
    );
    let run = retort(p.path(), &["verify"]).fails(1);
    let out = &run.stdout;
    assert!(line(out, "checksums").starts_with("FAILED"), "{out}");
    assert!(
        out.contains("aaa111 was edited after it was applied"),
        "{out}"
    );
    assert!(line(out, "stairway").starts_with("ok"), "{out}");
}

fn a_downgrade_that_fails_and_an_empty_one_are_caught(backend: Backend) {
    let db = Db::new(backend);
    let p = sound(&db);
    p.revision(
        "bbb222",
        "aaa111",
        "",
        "ALTER TABLE users ADD COLUMN email text;",
        Some("DROP TABLE no_such_table;"),
    );
    p.revision(
        "ccc333",
        "bbb222",
        "",
        "CREATE TABLE audit (id integer PRIMARY KEY);",
        Some("-- nothing here yet"),
    );
    let run = retort(p.path(), &["verify", "--no-database"]).fails(1);
    let out = &run.stdout;
    assert!(line(out, "downgrades").starts_with("FAILED"), "{out}");
    assert!(
        out.contains("ccc333 has an empty downgrade section"),
        "{out}"
    );
    assert!(line(out, "stairway").starts_with("FAILED"), "{out}");
    assert!(out.contains("the downgrade of bbb222 failed"), "{out}");
    assert!(out.contains("no_such_table"), "{out}");
    // The stairway stopped there, so head cannot be compared.
    assert!(line(out, "schema").starts_with("skipped"), "{out}");
}

fn heads_and_the_desired_schema_are_checked(backend: Backend) {
    let db = Db::new(backend);
    let p = sound(&db);
    p.table_revision("ddd444", "bbb222", "");
    std::fs::write(
        p.path().join("schema.sql"),
        "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);\n",
    )
    .unwrap();
    let run = retort(p.path(), &["verify", "--no-database"]).fails(1);
    let out = &run.stdout;
    assert!(line(out, "heads").starts_with("FAILED"), "{out}");
    assert!(
        out.contains("is one of 2 heads and is on no branch of its own"),
        "{out}"
    );
    assert!(line(out, "schema").starts_with("FAILED"), "{out}");
    assert!(out.contains("drop table audit"), "{out}");

    // Labelled branches are declared heads: that check passes.
    p.revision(
        "aaa111",
        "",
        "Branch Labels: core\n",
        "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);",
        Some("DROP TABLE users;"),
    );
    p.revision(
        "ccc333",
        "bbb222",
        "Branch Labels: audit\n",
        "CREATE TABLE audit (id integer PRIMARY KEY);",
        None,
    );
    p.table_revision("ddd444", "bbb222", "Branch Labels: extra\n");
    let out = retort(p.path(), &["verify", "--no-database"])
        .fails(1)
        .stdout;
    assert!(line(&out, "heads").starts_with("ok"), "{out}");
}

fn json_output_lists_every_check(backend: Backend) {
    let db = Db::new(backend);
    let p = sound(&db);
    p.revision(
        "bbb222",
        "aaa111",
        "",
        "ALTER TABLE users ADD COLUMN email text;",
        Some("SELECT 1;"),
    );
    let run = retort(p.path(), &["verify", "--format", "json"]).fails(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["passed"], false);
    let checks = doc["checks"].as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["heads", "checksums", "downgrades", "stairway", "schema"]
    );
    let stairway = &checks[3];
    assert_eq!(stairway["status"], "failed");
    assert_eq!(stairway["problems"][0]["revision"], "bbb222");
    assert!(stairway["problems"][0]["difference"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d == "drop column users.email"));
}

/// The stairway's scratch database has the extensions the target has
/// (`hstore`, installed by the DBA, used by a revision that does not create
/// it), but not those a revision creates and drops itself (`pgcrypto`).
#[test]
fn the_stairway_has_the_targets_extensions_that_no_revision_creates() {
    let db = Db::new(Backend::Postgres);
    db.exec("CREATE EXTENSION hstore; CREATE EXTENSION pgcrypto");
    let p = project_for(&db);
    p.revision(
        "aaa111",
        "",
        "",
        "CREATE TABLE prefs (id integer PRIMARY KEY, tags hstore);",
        Some("DROP TABLE prefs;"),
    );
    p.revision(
        "bbb222",
        "aaa111",
        "",
        "CREATE EXTENSION pgcrypto;\nALTER TABLE prefs ADD COLUMN token bytea DEFAULT gen_random_bytes(8);",
        Some("ALTER TABLE prefs DROP COLUMN token;\nDROP EXTENSION pgcrypto;"),
    );
    let run = retort(p.path(), &["verify"]).ok();
    assert!(
        line(&run.stdout, "stairway").starts_with("ok"),
        "{}",
        run.all()
    );
}
