//! `retort::testing`: a template migrated once, a fresh copy per test, on
//! SQLite, PostgreSQL and MariaDB; each database's own catalog judges the
//! copies.

use std::path::Path;

use retort::script::Script;
use retort::testing::{database, template_name};
use retort::{Config, Migrator, Project};
use retort_embed_tests::PORTABLE;

/// Upgrade rows in the history table behind `url`, read through a migrator.
fn history_rows(project: &Project, url: &str) -> usize {
    let mut m = Migrator::connect(project.clone(), url).unwrap();
    let rows = m
        .connection()
        .query_column("SELECT revision FROM retort_history WHERE direction = 'upgrade'")
        .unwrap();
    rows.len()
}

fn accounts(project: &Project, url: &str) -> Vec<String> {
    let mut m = Migrator::connect(project.clone(), url).unwrap();
    let mut names: Vec<String> = m
        .connection()
        .query_column("SELECT name FROM accounts")
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    names.sort();
    names
}

/// Two copies of the portable project's template: both at head with the
/// seed rows, independent of each other, the template migrated once.
/// Returns the URLs of the dropped copies and of the template.
fn two_independent_copies(server: &str, template_url: &dyn Fn(&str) -> String) -> (String, String) {
    let project = PORTABLE.project().unwrap();
    let first = database(&project, server).expect("a first copy");
    let second = database(&project, server).expect("a second copy");
    assert_ne!(first.url(), second.url());
    for db in [&first, &second] {
        let mut m = Migrator::connect(project.clone(), db.url()).unwrap();
        assert_eq!(m.current().unwrap(), ["c3"]);
        assert_eq!(accounts(&project, db.url()), ["first", "second"]);
        assert_eq!(
            history_rows(&project, db.url()),
            3,
            "the template's history came along"
        );
    }
    let mut m = Migrator::connect(project.clone(), first.url()).unwrap();
    m.connection()
        .execute("INSERT INTO accounts (id, name) VALUES (3, 'only in the first')")
        .unwrap();
    assert_eq!(
        accounts(&project, second.url()),
        ["first", "second"],
        "copies are independent"
    );
    drop(m);
    let template = template_url(&template_name(&project));
    assert_eq!(history_rows(&project, &template), 3, "migrated once");
    let first_url = first.url().to_string();
    drop(first);
    drop(second);
    (first_url, template)
}

#[test]
fn sqlite_copies_are_files_beside_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let server = format!("sqlite:///{}", dir.path().join("any.db").display());
    let (dropped, template) = two_independent_copies(&server, &|name| {
        format!(
            "sqlite:///{}",
            dir.path().join(format!("{name}.db")).display()
        )
    });
    let files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let template_file = format!("{}.db", template_name(&PORTABLE.project().unwrap()));
    assert_eq!(
        files,
        std::slice::from_ref(&template_file),
        "only the template is left"
    );
    assert!(template.ends_with(&template_file), "{template}");
    assert!(dropped.contains("retort_test_"), "{dropped}");
    let err = database(&PORTABLE.project().unwrap(), "sqlite://:memory:").unwrap_err();
    assert!(err.to_string().contains("needs a file URL"), "{err}");
}

#[test]
fn postgres_copies_are_create_database_template() {
    let pg = retort_testkit::pg::database();
    let base = pg.url.rsplit_once('/').unwrap().0.to_string();
    let (dropped, _) = two_independent_copies(&pg.url, &|name| format!("{base}/{name}"));
    let name = dropped.rsplit('/').next().unwrap().to_string();
    let left: i64 = pg
        .client()
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "the copy {name} is dropped");
}

#[test]
fn mariadb_copies_replay_the_template() {
    let maria = retort_testkit::mariadb::database();
    let base = maria.url.rsplit_once('/').unwrap().0.to_string();
    let (dropped, _) = two_independent_copies(&maria.url, &|name| format!("{base}/{name}"));
    let name = dropped.rsplit('/').next().unwrap().to_string();
    let left = maria.column(&format!(
        "SELECT schema_name FROM information_schema.schemata WHERE schema_name = '{name}'"
    ));
    assert!(left.is_empty(), "the copy {name} is dropped");
}

/// What a MariaDB schema can hold beyond tables: a view on a view, a
/// generated column, a foreign key, a trigger, a procedure and a function.
/// The server's own `SHOW CREATE` judges that the copy has each as the
/// template has it.
#[test]
fn mariadb_copy_has_every_object_as_the_server_shows_it() {
    let revisions = [
        ("a", "", "CREATE TABLE parent (id int PRIMARY KEY, name varchar(20), upper_name varchar(20) AS (UPPER(name)) STORED);\nCREATE TABLE child (id int PRIMARY KEY, parent_id int, CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));\nINSERT INTO parent (id, name) VALUES (1, 'one');\nINSERT INTO child VALUES (10, 1);"),
        ("b", "a", "CREATE VIEW parent_names AS SELECT id, upper_name FROM parent;\nCREATE VIEW parent_names_again AS SELECT id FROM parent_names;\nCREATE TRIGGER parent_touch BEFORE UPDATE ON parent FOR EACH ROW SET NEW.name = NEW.name;\nCREATE PROCEDURE count_parents() SELECT COUNT(*) FROM parent;\nCREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN 2 * x;"),
    ];
    let scripts = revisions
        .iter()
        .map(|(id, parent, sql)| {
            let text = format!("-- {id}\n--\n-- Revision ID: {id}\n-- Revises: {parent}\n\n-- +upgrade\n{sql}\n\n-- +downgrade\n");
            Script::parse(Path::new(&format!("versions/{id}.sql")), &text).unwrap()
        })
        .collect();
    let project = Project::from_scripts(Config::defaults(Path::new(".")), scripts).unwrap();
    let maria = retort_testkit::mariadb::database();
    let copy = database(&project, &maria.url).expect("a copy");
    let copy_name = copy.url().rsplit('/').next().unwrap().to_string();
    let template = template_name(&project);
    let show = |db: &str, what: &str, column: usize| -> String {
        let rows: Vec<mysql::Row> = {
            use mysql::prelude::Queryable;
            maria.client().query(format!("SHOW CREATE {what}")).unwrap()
        };
        let row = &rows[0];
        let value: Option<String> = row.get(column);
        value.unwrap().replace(&format!("`{db}`."), "`DB`.")
    };
    for table in ["parent", "child", "retort_version", "retort_history"] {
        assert_eq!(
            show(&copy_name, &format!("TABLE `{copy_name}`.`{table}`"), 1),
            show(&template, &format!("TABLE `{template}`.`{table}`"), 1),
            "{table}"
        );
    }
    for view in ["parent_names", "parent_names_again"] {
        assert_eq!(
            show(&copy_name, &format!("VIEW `{copy_name}`.`{view}`"), 1),
            show(&template, &format!("VIEW `{template}`.`{view}`"), 1),
            "{view}"
        );
    }
    for (kind, object) in [
        ("TRIGGER", "parent_touch"),
        ("PROCEDURE", "count_parents"),
        ("FUNCTION", "twice"),
    ] {
        assert_eq!(
            show(&copy_name, &format!("{kind} `{copy_name}`.`{object}`"), 2),
            show(&template, &format!("{kind} `{template}`.`{object}`"), 2),
            "{object}"
        );
    }
    let rows = maria.column(&format!(
        "SELECT CONCAT(p.upper_name, ' ', c.id) FROM `{copy_name}`.parent p JOIN `{copy_name}`.child c ON c.parent_id = p.id"
    ));
    assert_eq!(rows, ["ONE 10"]);
}

#[test]
fn a_changed_revision_gets_its_own_template() {
    let project = PORTABLE.project().unwrap();
    let mut scripts = project.scripts().to_vec();
    let edited = PORTABLE.revisions[2]
        .file
        .text
        .replace("varchar(200)", "varchar(300)");
    scripts[2] = Script::parse(Path::new("versions/c3_notes.sql"), &edited).unwrap();
    let changed = Project::from_scripts(project.config.clone(), scripts).unwrap();
    assert_ne!(template_name(&project), template_name(&changed));
    assert_eq!(
        template_name(&project),
        template_name(&PORTABLE.project().unwrap())
    );
}
