//! `embed_migrations!` as a service uses it: the README's example compiled
//! into this crate, read with the checksums the CLI computes, and applied
//! through the library on SQLite, PostgreSQL and MariaDB.

use std::path::Path;

use retort::embed::EmbeddedProject;
use retort::{Migrator, Project};
use retort_embed_tests::{PORTABLE, RESUMATOR, RESUMATOR_CRLF};

const HEAD: &str = "5e1a7c3d9f40";

/// (id, checksum) of every revision, sorted.
fn checksums(project: &Project) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = project
        .scripts()
        .iter()
        .map(|s| (s.id.clone(), s.checksum.clone()))
        .collect();
    out.sort();
    out
}

fn example_on_disk() -> Project {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/resumator");
    Project::discover(&dir).expect("the example loads")
}

#[test]
fn the_embedded_example_has_the_checksums_the_cli_reads_from_disk() {
    let embedded = RESUMATOR.project().expect("the embedded project parses");
    let disk = example_on_disk();
    assert_eq!(checksums(&embedded), checksums(&disk));
    assert_eq!(checksums(&embedded).len(), 5);
    let ids: Vec<&str> = disk.scripts().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(RESUMATOR.ids().collect::<Vec<_>>(), ids, "file order");
    assert_eq!(embedded.graph().heads(), [HEAD]);
    // The configuration came with it.
    assert_eq!(embedded.config.version_table, disk.config.version_table);
    assert_eq!(
        RESUMATOR.config.map(|c| c.path.ends_with("retort.toml")),
        Some(true)
    );
}

#[test]
fn a_crlf_checkout_with_byte_order_marks_embeds_the_same_checksums() {
    let crlf = RESUMATOR_CRLF.project().expect("the CRLF copy parses");
    assert!(RESUMATOR_CRLF.revisions[0]
        .file
        .text
        .starts_with('\u{feff}'));
    assert!(RESUMATOR_CRLF.revisions[0].file.text.contains("\r\n"));
    assert_eq!(checksums(&crlf), checksums(&example_on_disk()));
    assert!(RESUMATOR_CRLF.config.is_none());
}

/// What an embedded project should leave on a database.
struct Expected {
    project: &'static EmbeddedProject,
    head: &'static str,
    tables: &'static [&'static str],
}

const EXAMPLE: Expected = Expected {
    project: &RESUMATOR,
    head: HEAD,
    tables: &["resume_templates", "resumes", "user_roles", "users"],
};

const PORTABLE_AT_HEAD: Expected = Expected {
    project: &PORTABLE,
    head: "c3",
    tables: &["accounts", "notes"],
};

/// Upgrades `url` to head with the embedded project, checks the version,
/// the tables and the history's checksums (the ones embedded), then
/// downgrades to base.
fn upgrade_and_downgrade(
    expected: &Expected,
    url: &str,
    recorded: &dyn Fn() -> Vec<String>,
    tables: &dyn Fn() -> Vec<String>,
) {
    let m = Migrator::connect(expected.project.project().unwrap(), url).expect("connects");
    upgrade_and_downgrade_with(expected, m, recorded, tables);
}

/// [`upgrade_and_downgrade`] through a migrator made by the caller (on a
/// connection of the service's own driver).
fn upgrade_and_downgrade_with(
    expected: &Expected,
    mut m: Migrator,
    recorded: &dyn Fn() -> Vec<String>,
    tables: &dyn Fn() -> Vec<String>,
) {
    let on_disk: Vec<String> = checksums(m.project())
        .into_iter()
        .map(|(id, sum)| format!("{id} {sum}"))
        .collect();
    let steps = m.upgrade("head", &mut |_| {}).expect("upgrades");
    assert_eq!(steps.len(), on_disk.len());
    assert_eq!(m.current().unwrap(), [expected.head]);
    let mut found = tables();
    found.sort();
    assert_eq!(found, expected.tables);
    let mut rows = recorded();
    rows.sort();
    assert_eq!(
        rows, on_disk,
        "the history rows hold the embedded checksums"
    );
    // Nothing to do the second time, and nothing reported as changed.
    assert!(m.upgrade("head", &mut |_| {}).unwrap().is_empty());
    assert!(m
        .changed_revisions(&[expected.head.to_string()])
        .unwrap()
        .is_empty());
    m.downgrade("base", &mut |_| {}).expect("downgrades");
    assert!(m.current().unwrap().is_empty());
    assert!(tables().is_empty(), "{:?}", tables());
}

const RECORDED: &str = "SELECT revision, checksum FROM retort_history WHERE direction = 'upgrade'";

/// A fresh SQLite file's URL, and a query returning rows as space-joined text.
fn sqlite() -> (tempfile::TempDir, String, impl Fn(&str) -> Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.db");
    let url = format!("sqlite:///{}", file.display());
    let query = move |sql: &str| -> Vec<String> {
        let conn = rusqlite::Connection::open(&file).unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..r.as_ref().column_count())
                    .map(|i| r.get::<_, String>(i))
                    .collect::<Result<_, _>>()?;
                Ok(cells.join(" "))
            })
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    (dir, url, query)
}

const SQLITE_TABLES: &str =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'retort_%'";
const PG_TABLES: &str = "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'retort_%'";

#[test]
fn sqlite_service_upgrades_with_embedded_projects() {
    for expected in [&EXAMPLE, &PORTABLE_AT_HEAD] {
        let (_dir, url, query) = sqlite();
        upgrade_and_downgrade(expected, &url, &|| query(RECORDED), &|| {
            query(SQLITE_TABLES)
        });
    }
}

/// The rows of `sql` on `db`, each as its text columns joined by spaces.
fn pg_rows(db: &retort_testkit::pg::TestDb, sql: &str) -> Vec<String> {
    db.client()
        .query(sql, &[])
        .unwrap()
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| r.get::<_, String>(i))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn postgres_service_upgrades_with_embedded_projects() {
    for expected in [&EXAMPLE, &PORTABLE_AT_HEAD] {
        let db = retort_testkit::pg::database();
        upgrade_and_downgrade(expected, &db.url, &|| pg_rows(&db, RECORDED), &|| {
            pg_rows(&db, PG_TABLES)
        });
    }
}

const MARIADB_RECORDED: &str =
    "SELECT CONCAT(revision, ' ', checksum) FROM retort_history WHERE direction = 'upgrade'";

fn mariadb_tables(db: &retort_testkit::mariadb::TestDb) -> Vec<String> {
    db.tables()
        .into_iter()
        .filter(|t| !t.starts_with("retort_"))
        .collect()
}

/// The example uses PostgreSQL types MariaDB lacks (`timestamp with time
/// zone`); the portable project runs there.
#[test]
fn mariadb_service_upgrades_with_an_embedded_project() {
    let db = retort_testkit::mariadb::database();
    upgrade_and_downgrade(
        &PORTABLE_AT_HEAD,
        &db.url,
        &|| {
            db.column("SELECT CONCAT(revision, ' ', checksum) FROM retort_history WHERE direction = 'upgrade'")
        },
        &|| {
            db.tables()
                .into_iter()
                .filter(|t| !t.starts_with("retort_"))
                .collect()
        },
    );
}

/// A service that already holds a connection of its driver hands it to the
/// migrator: rusqlite, postgres and mysql.
#[test]
fn a_connection_the_service_opened_with_its_own_driver() {
    use retort::dialect::{
        mysql::conn::MysqlConnection, postgres::PgConnection, sqlite::SqliteConnection,
    };
    let project = || PORTABLE.project().unwrap();

    let (_dir, url, query) = sqlite();
    let file = url.trim_start_matches("sqlite:///").to_string();
    let conn =
        SqliteConnection::from_connection(rusqlite::Connection::open(&file).unwrap()).unwrap();
    let m = Migrator::with_connection(project(), Box::new(conn));
    upgrade_and_downgrade_with(&PORTABLE_AT_HEAD, m, &|| query(RECORDED), &|| {
        query(SQLITE_TABLES)
    });

    let pg = retort_testkit::pg::database();
    let m = Migrator::with_connection(project(), Box::new(PgConnection::from_client(pg.client())));
    upgrade_and_downgrade_with(&PORTABLE_AT_HEAD, m, &|| pg_rows(&pg, RECORDED), &|| {
        pg_rows(&pg, PG_TABLES)
    });

    let maria = retort_testkit::mariadb::database();
    let conn = MysqlConnection::from_conn(maria.client()).unwrap();
    let m = Migrator::with_connection(project(), Box::new(conn));
    upgrade_and_downgrade_with(
        &PORTABLE_AT_HEAD,
        m,
        &|| maria.column(MARIADB_RECORDED),
        &|| mariadb_tables(&maria),
    );
}
