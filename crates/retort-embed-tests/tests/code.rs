//! Code migrations through the library, on SQLite, PostgreSQL and MariaDB:
//! a Rust function placed in the graph by its revision file runs inside
//! the step's transaction, with the same version and history rows as SQL;
//! a failing one is rolled back; an unregistered one stops the plan before
//! anything runs.

use std::path::Path;

use retort::code::CodeResult;
use retort::script::Script;
use retort::{Config, Connection, Error, Migrator, Project};

/// `people` with full names, then the code migration `split_names`, then
/// a SQL revision after it.
fn project() -> Project {
    let revisions = [
        ("a", "", "", "CREATE TABLE people (id integer PRIMARY KEY, full_name varchar(100) NOT NULL, first_name varchar(50), last_name varchar(50));\nINSERT INTO people (id, full_name) VALUES (1, 'Ada Lovelace');\nINSERT INTO people (id, full_name) VALUES (2, 'Alan Turing');", "DROP TABLE people;"),
        ("b", "a", "-- Code: split_names\n", "-- in Rust", ""),
        ("c", "b", "", "CREATE TABLE after_b (id integer PRIMARY KEY);", "DROP TABLE after_b;"),
    ];
    let scripts = revisions
        .iter()
        .map(|(id, parent, extra, up, down)| {
            let text = format!("-- {id}\n--\n-- Revision ID: {id}\n-- Revises: {parent}\n{extra}\n-- +upgrade\n{up}\n\n-- +downgrade\n{down}\n");
            Script::parse(Path::new(&format!("versions/{id}.sql")), &text).unwrap()
        })
        .collect();
    Project::from_scripts(Config::defaults(Path::new(".")), scripts).unwrap()
}

/// Splits each full name at its first space.
fn split_names(conn: &mut dyn Connection) -> CodeResult {
    let rows = conn.query_rows("SELECT id, full_name FROM people")?;
    for row in rows {
        let (Some(Some(id)), Some(Some(name))) = (row.first(), row.get(1)) else {
            continue;
        };
        let (first, last) = name.split_once(' ').unwrap_or((name, ""));
        conn.execute(&format!(
            "UPDATE people SET first_name = '{first}', last_name = '{last}' WHERE id = {id}"
        ))?;
    }
    Ok(())
}

fn clear_names(conn: &mut dyn Connection) -> CodeResult {
    conn.execute("UPDATE people SET first_name = NULL, last_name = NULL")?;
    Ok(())
}

fn names(m: &mut Migrator) -> Vec<String> {
    m.connection()
        .query_rows("SELECT first_name, last_name FROM people ORDER BY id")
        .unwrap()
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| c.unwrap_or_else(|| "NULL".into()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn code_migrations_on(url: &str) {
    // Not registered: the plan stops before its first step.
    let mut m = Migrator::connect(project(), url).unwrap();
    match m.upgrade("head", &mut |_| {}) {
        Err(Error::CodeNotRegistered { revision, name, .. }) => {
            assert_eq!((revision.as_str(), name.as_str()), ("b", "split_names"));
        }
        other => panic!("expected CodeNotRegistered, got {other:?}"),
    }
    assert!(m.current().unwrap().is_empty(), "nothing ran");

    // A function that fails after writing: the step is rolled back.
    m.register_code(
        "split_names",
        |conn: &mut dyn Connection| -> CodeResult {
            conn.execute("UPDATE people SET first_name = 'half-done'")?;
            Err("the data is not what it should be".into())
        },
        None::<fn(&mut dyn Connection) -> CodeResult>,
    );
    let err = m.upgrade("head", &mut |_| {}).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("code migration b (Code: split_names"),
        "{text}"
    );
    assert!(text.contains("the data is not what it should be"), "{text}");
    assert!(text.contains("rolled back"), "{text}");
    assert_eq!(m.current().unwrap(), ["a"]);
    assert_eq!(
        names(&mut m),
        ["NULL NULL", "NULL NULL"],
        "the update was rolled back"
    );

    // Registered: it runs in order, with its history row.
    m.register_code("split_names", split_names, Some(clear_names));
    let applied = m.upgrade("head", &mut |_| {}).unwrap();
    let ran: Vec<&str> = applied.iter().map(|s| s.revision.as_str()).collect();
    assert_eq!(ran, ["b", "c"]);
    assert_eq!(m.current().unwrap(), ["c"]);
    assert_eq!(names(&mut m), ["Ada Lovelace", "Alan Turing"]);
    let history = m
        .connection()
        .query_column("SELECT revision FROM retort_history WHERE direction = 'upgrade' AND status = 'applied' ORDER BY id")
        .unwrap();
    let history: Vec<String> = history.into_iter().flatten().collect();
    assert_eq!(history, ["a", "b", "c"]);

    // And its downgrade.
    m.downgrade("a", &mut |_| {}).unwrap();
    assert_eq!(m.current().unwrap(), ["a"]);
    assert_eq!(names(&mut m), ["NULL NULL", "NULL NULL"]);
}

#[test]
fn code_migrations_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    code_migrations_on(&format!(
        "sqlite:///{}",
        dir.path().join("app.db").display()
    ));
}

#[test]
fn code_migrations_on_postgres() {
    let db = retort_testkit::pg::database();
    code_migrations_on(&db.url);
}

#[test]
fn code_migrations_on_mariadb() {
    let db = retort_testkit::mariadb::database();
    code_migrations_on(&db.url);
}
