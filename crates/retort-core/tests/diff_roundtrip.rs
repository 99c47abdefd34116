//! The autogenerate round trip on the before/after corpus in
//! `tests/fixtures/diff/<case>/` (`before.sql`, `after.sql`, and `dialects`:
//! the databases the case applies to, `postgres>=15` for "PostgreSQL 15 or
//! newer"). For each case and database:
//! load *before* into A and *after* into B; diff; apply the upgrade to A;
//! A must now equal B and a second diff must be empty; apply the downgrade;
//! A must equal *before* again. `-- retort: renamed from` hints in
//! `after.sql` are honoured, and a case with renames must lose no data.
//!
//! The rendered SQL is pinned too: `<case>/expected/<dialect>.up.sql` and
//! `<dialect>.down.sql` hold the upgrade and downgrade statements as main
//! writes them; a difference fails with a line diff.
//!
//! Privileges are compared only in the cases that ask (an empty file
//! `privileges` in the case's folder), as autogenerate compares them only
//! when `[autogenerate] privileges` is on.
//! `RETORT_BLESS=1 cargo nextest run -p retort-core --test diff_roundtrip`
//! rewrites them. Where a server version legitimately renders different
//! SQL, `expected/postgres<major>.{up,down}.sql` (with a one-line reason in
//! `postgres<major>.why`) is used on that version instead.
//!
//! PostgreSQL cases run on every supported server the harness starts (13,
//! Debian's 15 as installed, the newest Debian 15 package, 18), one test per
//! version. There a second judge, independent of retort's introspection,
//! checks the same: `pg_dump --schema-only` of the upgraded database equals
//! that of *after*, and after the downgrade that of *before*.
//!
//! MariaDB cases (`dialects`: `mysql`) run on the test kit's MariaDB 10.11,
//! where `mariadb-dump --no-data --routines --triggers --events` is the
//! second judge (normalised by `golden::normalise_mariadb_dump`).

mod golden;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use retort::autogen::Comparison;
use retort::dialect::DialectKind;
use retort::dialect::{introspect, Scratch};
use retort::load::run_files;
use retort::schema::{diff, rename, Schema};
use retort::DatabaseUrl;
use retort_testkit::pg::{Server, Version};

/// Where a round trip runs.
struct Target {
    url: DatabaseUrl,
    dialect: &'static str,
    /// The server's major version (0 where versions do not apply).
    major: u32,
    /// Whether this server owns the shared golden files.
    reference: bool,
    /// The PostgreSQL server, for `pg_dump` (the second judge).
    pg: Option<Server>,
    /// The MariaDB server, for `mariadb-dump` (the second judge there).
    mariadb: Option<retort_testkit::mariadb::Server>,
}

fn cases() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    cases.sort();
    cases
}

fn load(server: &DatabaseUrl, file: &Path) -> (Scratch, Schema) {
    let mut scratch = Scratch::create(server).expect("scratch database");
    run_files(&mut scratch, &[file.to_path_buf()]).unwrap_or_else(|e| panic!("{e}"));
    let schema = read(&mut scratch, file.parent().expect("case folder"));
    (scratch, schema)
}

/// The schema of `scratch`, with privileges if the case in `dir` asks.
fn read(scratch: &mut Scratch, dir: &Path) -> Schema {
    let mut schema = introspect(scratch.connection(), &[]).expect("introspect");
    let filter = retort::schema::Filter {
        privileges: dir.join("privileges").is_file(),
        ..Default::default()
    };
    filter.apply(&mut schema);
    schema
}

fn apply(scratch: &mut Scratch, statements: &[String], case: &str) {
    for statement in statements {
        scratch.connection().execute(statement).unwrap_or_else(|e| {
            panic!(
                "{case}: `{statement}` failed: {e}\nall statements:\n{}",
                statements.join(";\n")
            )
        });
    }
}

/// The server's major version (PostgreSQL: `server_version_num / 10000`;
/// 0 where versions do not apply).
fn major_version(server: &DatabaseUrl, dialect: &str) -> u32 {
    if dialect != "postgres" {
        return 0;
    }
    let mut scratch = Scratch::create(server).expect("scratch database");
    let rows = scratch
        .connection()
        .query_column("SHOW server_version_num")
        .expect("server version");
    rows.into_iter()
        .flatten()
        .next()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(0, |n| n / 10000)
}

/// Whether a case's `dialects` file lists `dialect`: as a bare word
/// (`postgres`), or with a lowest version (`postgres>=15`: PostgreSQL 15 or
/// newer).
fn applies(dialects: &str, dialect: &str, version: u32) -> bool {
    dialects
        .split_whitespace()
        .any(|d| match d.split_once(">=") {
            Some((name, min)) => {
                name == dialect && min.parse::<u32>().is_ok_and(|min| version >= min)
            }
            None => d == dialect,
        })
}

fn round_trip(target: &Target) {
    let (server, dialect) = (&target.url, target.dialect);
    let version = major_version(server, dialect);
    assert_eq!(
        version, target.major,
        "the test server is not the PostgreSQL version this test is for"
    );
    // RETORT_CASES=word,word runs only the cases whose name contains one.
    let only = std::env::var("RETORT_CASES").ok();
    let mine: Vec<(String, PathBuf)> = cases()
        .into_iter()
        .filter(|(case, _)| {
            only.as_ref()
                .is_none_or(|o| o.split(',').any(|w| case.contains(w)))
        })
        .filter(|(_, dir)| {
            let dialects = std::fs::read_to_string(dir.join("dialects")).expect("dialects file");
            applies(&dialects, dialect, version)
        })
        .collect();
    assert!(
        only.is_some() || mine.len() >= 5,
        "only {} cases for {dialect}",
        mine.len()
    );
    // The work is the server's: a few cases at once use both of its cores.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mismatches = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some((case, dir)) = mine.get(i) else {
                    break;
                };
                check_case(target, case, dir, &mismatches);
            });
        }
    });
    let mut mismatches = mismatches.into_inner().unwrap();
    mismatches.sort();
    golden::assert_none(&mismatches);
}

/// Compares the rendered `up` and `down` statements of a case with its
/// golden files, `expected/<dialect>.{up,down}.sql`, recording mismatches.
fn check_golden(
    dir: &Path,
    target: &Target,
    up: &[String],
    down: &[String],
    out: &Mutex<Vec<String>>,
) {
    for (direction, statements) in [("up", up), ("down", down)] {
        if let Err(e) = golden::check_versioned(
            &dir.join("expected"),
            target.dialect,
            target.major,
            target.reference,
            direction,
            &golden::sql_file(statements),
            "cargo nextest run -p retort-core --test diff_roundtrip",
        ) {
            out.lock().unwrap().push(e);
        }
    }
}

/// The second judge: `pg_dump --schema-only` of a scratch database on the
/// target's PostgreSQL server, or `mariadb-dump --no-data` on its MariaDB,
/// normalised; `None` on SQLite.
fn dump(target: &Target, scratch: &mut Scratch) -> Option<String> {
    if let Some(server) = &target.mariadb {
        return Some(golden::mariadb_dump_of(server, scratch));
    }
    Some(golden::dump_of(target.pg.as_ref()?, scratch))
}

/// Records a difference between two dumps that should be equal (see
/// [`golden::judge_dumps`]).
fn judge(
    target: &Target,
    dir: &Path,
    direction: &str,
    expected: Option<String>,
    actual: Option<String>,
    out: &Mutex<Vec<String>>,
) {
    if let (Some(expected), Some(actual)) = (expected, actual) {
        let verdict = if target.mariadb.is_some() {
            golden::judge_mariadb_dumps(dir, direction, &expected, &actual)
        } else {
            golden::judge_dumps(dir, target.major, direction, &expected, &actual)
        };
        if let Err(e) = verdict {
            out.lock().unwrap().push(e);
        }
    }
}

fn check_case(target: &Target, case: &str, dir: &Path, mismatches: &Mutex<Vec<String>>) {
    let (server, dialect) = (&target.url, target.dialect);
    let kind = server.kind;
    let case = case.to_string();
    {
        let (mut a, before) = load(server, &dir.join("before.sql"));
        let (mut b, after) = load(server, &dir.join("after.sql"));
        let (before_dump, after_dump) = (dump(target, &mut a), dump(target, &mut b));
        assert_ne!(before, after, "{case}: before and after must differ");

        // `-- retort: renamed from` hints in after.sql, as autogenerate reads them.
        let hints = rename::hints(&std::fs::read_to_string(dir.join("after.sql")).unwrap());
        let renames = rename::resolve(&hints, &before, &after);
        let comparison = Comparison::with_renames(kind, &before, &after, &renames);
        if !renames.is_empty() {
            assert!(
                !comparison.upgrade.iter().any(|c| c.loses_data()),
                "{case}: a rename case must not lose data: {:#?}",
                comparison.upgrade
            );
        }
        let up = retort::dialect::of(kind)
            .render(&comparison.upgrade)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let down = retort::dialect::of(kind)
            .render(&comparison.downgrade)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        check_golden(dir, target, &up, &down, mismatches);
        apply(&mut a, &up, &case);
        let upgraded = read(&mut a, dir);
        assert_eq!(
            upgraded,
            after,
            "{case} ({dialect}): upgrade did not reach after.sql\n{}",
            up.join(";\n")
        );
        assert!(
            diff(&upgraded, &after).is_empty(),
            "{case}: second diff not empty"
        );
        judge(
            target,
            dir,
            "upgrade",
            after_dump,
            dump(target, &mut a),
            mismatches,
        );

        apply(&mut a, &down, &case);
        let downgraded = read(&mut a, dir);
        assert_eq!(
            downgraded,
            before,
            "{case} ({dialect}): downgrade did not return to before.sql\n{}",
            down.join(";\n")
        );
        judge(
            target,
            dir,
            "downgrade",
            before_dump,
            dump(target, &mut a),
            mismatches,
        );
    }
}

#[test]
fn sqlite_round_trips() {
    round_trip(&Target {
        url: DatabaseUrl::parse("sqlite://:memory:", Path::new("/")).unwrap(),
        dialect: "sqlite",
        major: 0,
        reference: true,
        pg: None,
        mariadb: None,
    });
    assert_eq!(DialectKind::Sqlite.name(), "sqlite");
}

/// MariaDB 10.11 (the `mysql` dialect): scratch databases are created on
/// the test server by the test kit's user, who may create and drop them.
#[test]
fn mariadb_round_trips() {
    let db = retort_testkit::mariadb::database();
    round_trip(&Target {
        url: DatabaseUrl::parse(&db.url, Path::new("/")).unwrap(),
        dialect: "mysql",
        major: 0,
        reference: true,
        pg: None,
        mariadb: Some(db.server().clone()),
    });
    assert_eq!(DialectKind::Mysql.name(), "mysql");
}

fn postgres_round_trip(version: Version) {
    let db = retort_testkit::pg::database_on(version);
    round_trip(&Target {
        url: DatabaseUrl::parse(&db.url, Path::new("/")).unwrap(),
        dialect: "postgres",
        major: version.major(),
        // The image's 15.18 owns the shared golden files; a machine whose
        // installed 15 was upgraded (scripts/build-citus.sh installs
        // Debian's build packages, which bring 15.20) reads them as the
        // newest 15 does.
        reference: version == Version::Debian15 && server_version(&db) < 150_020,
        pg: Some(db.server().clone()),
        mariadb: None,
    });
}

/// `server_version_num` of the server `db` lives on.
fn server_version(db: &retort_testkit::pg::TestDb) -> u32 {
    let row = db
        .client()
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .expect("server version");
    u32::try_from(row.get::<_, i32>(0)).unwrap_or_default()
}

#[test]
fn postgres_13_round_trips() {
    postgres_round_trip(Version::Pg13);
}

/// Debian's PostgreSQL 15 as installed: the reference for the golden files.
#[test]
fn postgres_15_round_trips() {
    postgres_round_trip(Version::Debian15);
}

#[test]
fn postgres_15_newest_round_trips() {
    postgres_round_trip(Version::Debian15Newest);
}

#[test]
fn postgres_18_round_trips() {
    postgres_round_trip(Version::Pg18);
}

/// What PostgreSQL has no statement for is a marked comment in the
/// migration and a reported change, never SQL that fails halfway: an
/// extension's version going down (the other way, it is `UPDATE TO`).
#[test]
fn extension_downgrade_is_a_comment_and_a_report_not_sql() {
    use retort::schema::{Change, Extension};
    let with = |version: &str, schema: &str| Schema {
        extensions: vec![Extension {
            name: "hstore".into(),
            schema: schema.into(),
            version: version.into(),
            comment: None,
        }],
        ..Schema::default()
    };
    let (newer, older) = (with("1.10", "public"), with("1.9", "extras"));
    let c = Comparison::new(DialectKind::Postgres, &newer, &older);
    assert!(
        matches!(c.upgrade[0], Change::CannotApply { .. }),
        "{:?}",
        c.upgrade
    );
    let statements = retort::dialect::of(DialectKind::Postgres)
        .render(&c.upgrade)
        .unwrap();
    // The schema still moves; the version is left to the user.
    assert_eq!(statements, ["ALTER EXTENSION hstore SET SCHEMA extras"]);
    let sql = c.upgrade_sql().unwrap();
    assert!(
        sql.starts_with(
            "-- retort: cannot downgrade extension hstore from 1.10 to 1.9: PostgreSQL has no statement"
        ) && sql.contains("; do it by hand\n"),
        "{sql}"
    );
    assert_eq!(c.cannot_apply().len(), 1);
    assert!(c.cannot_apply()[0].starts_with("cannot downgrade extension hstore from 1.10 to 1.9"));
    // The way up is a statement, and nothing is reported.
    let statements = retort::dialect::of(DialectKind::Postgres)
        .render(&c.downgrade)
        .unwrap();
    assert_eq!(
        statements,
        [
            "ALTER EXTENSION hstore UPDATE TO '1.10'",
            "ALTER EXTENSION hstore SET SCHEMA public"
        ]
    );
    assert!(c.cannot_apply().len() == 1 && !c.downgrade_sql().unwrap().contains("cannot"));
}

/// A partition key cannot change in place: the migration carries a marked
/// comment and the change is reported, while the rest of the diff applies.
#[test]
fn partition_key_change_is_a_comment_and_a_report_not_sql() {
    use retort::schema::Change;
    let db = retort_testkit::pg::database();
    let server = DatabaseUrl::parse(&db.url, Path::new("/")).unwrap();
    let mut a = Scratch::create(&server).expect("scratch database");
    a.connection()
        .execute(
            "CREATE TABLE t (id integer, region text) PARTITION BY RANGE (id);
             CREATE TABLE t1 PARTITION OF t FOR VALUES FROM (0) TO (10)",
        )
        .unwrap();
    let before = introspect(a.connection(), &[]).unwrap();
    let mut b = Scratch::create(&server).expect("scratch database");
    b.connection()
        .execute("CREATE TABLE t (id integer, region text, note text) PARTITION BY LIST (region)")
        .unwrap();
    let after = introspect(b.connection(), &[]).unwrap();
    let c = Comparison::new(DialectKind::Postgres, &before, &after);
    assert_eq!(
        c.upgrade
            .iter()
            .filter(|x| matches!(x, Change::CannotApply { .. }))
            .count(),
        1,
        "{:?}",
        c.upgrade
    );
    assert_eq!(c.cannot_apply().len(), 1);
    assert!(
        c.cannot_apply()[0].starts_with(
            "cannot change the partition key of table public.t from RANGE (id) to LIST (region)"
        ),
        "{:?}",
        c.cannot_apply()
    );
    let sql = c.upgrade_sql().unwrap();
    assert!(
        sql.contains("-- retort: cannot change the partition key of table public.t"),
        "{sql}"
    );
    // The rest is SQL that applies; the key stays as it was.
    let statements = retort::dialect::of(DialectKind::Postgres)
        .render(&c.upgrade)
        .unwrap();
    assert_eq!(
        statements,
        ["DROP TABLE t1", "ALTER TABLE t ADD COLUMN note text"]
    );
    apply(&mut a, &statements, "partition key");
    let upgraded = introspect(a.connection(), &[]).unwrap();
    let t = &upgraded.tables[0];
    assert_eq!(t.partition_by.as_deref(), Some("RANGE (id)"));
    assert_eq!(t.columns.len(), 3);
}
