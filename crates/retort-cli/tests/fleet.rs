//! `upgrade` and `current` on a fleet: three PostgreSQL clusters, a
//! MariaDB server and SQLite files as one fleet of 52 targets, migrated
//! eight at a time; targets that are down or refuse the password; a
//! stopped roll-out; a rerun that continues where each target stands.

use retort_testkit::mariadb;
use retort_testkit::pg::{self, Version};

mod common;

use common::{fleet_project as project, retort, targets_file};

/// One target of the fleet and how to read its history.
enum Target {
    Pg(pg::TestDb),
    /// A tenant schema of a PostgreSQL database (`URL schema=NAME`).
    PgSchema(std::sync::Arc<pg::TestDb>, String),
    Maria(mariadb::TestDb),
    Sqlite(std::path::PathBuf),
}

impl Target {
    fn url(&self) -> String {
        match self {
            Target::Pg(db) => db.url.clone(),
            Target::PgSchema(db, schema) => format!("{} schema={schema}", db.url),
            Target::Maria(db) => db.url.clone(),
            Target::Sqlite(path) => format!("sqlite:///{}", path.display()),
        }
    }

    /// `revision direction` of every history row, in order.
    fn history(&self) -> Vec<String> {
        let sql = "SELECT revision, direction FROM retort_history ORDER BY id";
        match self {
            Target::Pg(db) => db
                .client()
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| format!("{} {}", r.get::<_, String>(0), r.get::<_, String>(1)))
                .collect(),
            Target::PgSchema(db, schema) => db
                .client()
                .query(
                    &sql.replace("retort_history", &format!("{schema}.retort_history")),
                    &[],
                )
                .unwrap()
                .iter()
                .map(|r| format!("{} {}", r.get::<_, String>(0), r.get::<_, String>(1)))
                .collect(),
            Target::Maria(db) => {
                db.column("SELECT CONCAT(revision, ' ', direction) FROM retort_history ORDER BY id")
            }
            Target::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                let mut stmt = conn.prepare(sql).unwrap();
                let rows = stmt
                    .query_map([], |r| {
                        Ok(format!(
                            "{} {}",
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?
                        ))
                    })
                    .unwrap();
                rows.collect::<Result<_, _>>().unwrap()
            }
        }
    }
}

const ONCE_EACH: [&str; 3] = ["a upgrade", "b upgrade", "c upgrade"];

#[test]
fn a_fleet_of_52_targets_on_three_clusters_mariadb_and_sqlite() {
    // 24 PostgreSQL databases and 12 tenant schemas over three clusters
    // (13, 15, 18), 6 MariaDB databases, 10 SQLite files.
    let p = project();
    let dir = p.path();
    let mut fleet: Vec<Target> = Vec::new();
    for version in [Version::Pg13, Version::Debian15, Version::Pg18] {
        for _ in 0..8 {
            fleet.push(Target::Pg(pg::database_on(version)));
        }
        // Databases and schemas mixed: four tenant schemas of one more
        // database on each cluster, each its own target.
        let tenants = std::sync::Arc::new(pg::database_on(version));
        for i in 0..4 {
            let schema = format!("tenant_{i}");
            tenants
                .client()
                .batch_execute(&format!("CREATE SCHEMA {schema}"))
                .unwrap();
            fleet.push(Target::PgSchema(tenants.clone(), schema));
        }
    }
    for _ in 0..6 {
        fleet.push(Target::Maria(mariadb::database()));
    }
    let files = tempfile::tempdir().unwrap();
    for i in 0..10 {
        fleet.push(Target::Sqlite(files.path().join(format!("tenant{i}.db"))));
    }
    assert_eq!(fleet.len(), 52);
    let urls: Vec<String> = fleet.iter().map(Target::url).collect();
    let list = targets_file(files.path(), "targets.txt", &urls);
    let report = files.path().join("report.json");

    let run = retort(
        dir,
        &[
            "upgrade",
            "--targets-file",
            list.to_str().unwrap(),
            "--parallel",
            "8",
            "--report",
            report.to_str().unwrap(),
        ],
    )
    .ok();
    assert_eq!(
        run.stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        52,
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("52 targets: 52 upgraded, 0 already there, 0 failed, 0 not started."),
        "{}",
        run.stderr
    );
    for target in &fleet {
        assert_eq!(target.history(), ONCE_EACH, "{}", target.url());
    }
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let rows = doc["targets"].as_array().unwrap();
    assert_eq!(rows.len(), 52);
    assert!(rows
        .iter()
        .all(|t| t["applied"] == serde_json::json!(["a", "b", "c"]) && t["error"].is_null()));
    assert!(
        !std::fs::read_to_string(&report)
            .unwrap()
            .contains(mariadb::PASSWORD),
        "passwords are masked"
    );

    // Again: nothing to do anywhere, nothing applied twice.
    let again = retort(
        dir,
        &[
            "upgrade",
            "--targets-file",
            list.to_str().unwrap(),
            "--parallel",
            "8",
        ],
    )
    .ok();
    assert!(
        again
            .stderr
            .contains("52 targets: 0 upgraded, 52 already there"),
        "{}",
        again.stderr
    );
    assert!(fleet.iter().all(|t| t.history() == ONCE_EACH));

    // `current` across all of them, in one command.
    let current = retort(
        dir,
        &[
            "current",
            "--targets-file",
            list.to_str().unwrap(),
            "--parallel",
            "8",
        ],
    )
    .ok();
    assert_eq!(
        current
            .stdout
            .lines()
            .filter(|l| l.starts_with("ok ") && l.ends_with("  c"))
            .count(),
        52,
        "{}",
        current.stdout
    );
}

#[test]
fn failing_targets_are_reported_the_others_finish_and_a_rerun_completes() {
    let p = project();
    let dir = p.path();
    let files = tempfile::tempdir().unwrap();
    let good: Vec<Target> = (0..5)
        .map(|i| Target::Sqlite(files.path().join(format!("t{i}.db"))))
        .collect();
    let pg_db = pg::database();
    let maria = mariadb::database();
    // A server that is down, and a MariaDB user with the wrong password.
    let down = "postgresql://app:topsecret@127.0.0.1:1/app".to_string();
    let bad_password = maria.url.replace(mariadb::PASSWORD, "wrong-password");
    let mut urls: Vec<String> = vec![down.clone(), good[0].url(), bad_password.clone()];
    urls.extend(good[1..].iter().map(Target::url));
    urls.push(pg_db.url.clone());
    let list = targets_file(files.path(), "with-bad.txt", &urls);
    let report = files.path().join("report.json");

    let run = retort(
        dir,
        &[
            "upgrade",
            "--targets-file",
            list.to_str().unwrap(),
            "--parallel",
            "3",
            "--on-error",
            "continue",
            "--report",
            report.to_str().unwrap(),
        ],
    )
    .fails(1);
    assert!(
        run.stderr
            .contains("8 targets: 6 upgraded, 0 already there, 2 failed, 0 not started."),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("2 of 8 targets failed"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("FAILED"))
            .count(),
        2,
        "{}",
        run.stdout
    );
    for secret in ["topsecret", "wrong-password", mariadb::PASSWORD] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "{secret} printed"
        );
        assert!(
            !std::fs::read_to_string(&report).unwrap().contains(secret),
            "{secret} in the report"
        );
    }
    for t in &good {
        assert_eq!(t.history(), ONCE_EACH);
    }
    assert_eq!(Target::Pg(pg_db).history(), ONCE_EACH);

    // --on-error stop, one at a time: the failure comes first, nothing else starts.
    let more = tempfile::tempdir().unwrap();
    let fresh: Vec<Target> = (0..3)
        .map(|i| Target::Sqlite(more.path().join(format!("s{i}.db"))))
        .collect();
    let mut urls = vec![down];
    urls.extend(fresh.iter().map(Target::url));
    let stop_list = targets_file(more.path(), "stop.txt", &urls);
    let stopped = retort(
        dir,
        &["upgrade", "--targets-file", stop_list.to_str().unwrap()],
    )
    .fails(1);
    assert_eq!(
        stopped
            .stdout
            .lines()
            .filter(|l| l.starts_with("skipped"))
            .count(),
        3,
        "{}",
        stopped.stdout
    );
    assert!(
        fresh
            .iter()
            .all(|t| matches!(t, Target::Sqlite(path) if !path.exists())),
        "not started"
    );

    // The rerun, without the broken targets, continues where each stands.
    let fixed: Vec<String> = good
        .iter()
        .map(Target::url)
        .chain(fresh.iter().map(Target::url))
        .collect();
    let fixed_list = targets_file(files.path(), "fixed.txt", &fixed);
    let rerun = retort(
        dir,
        &[
            "upgrade",
            "--targets-file",
            fixed_list.to_str().unwrap(),
            "--parallel",
            "4",
        ],
    )
    .ok();
    assert!(
        rerun
            .stderr
            .contains("8 targets: 3 upgraded, 5 already there, 0 failed"),
        "{}",
        rerun.stderr
    );
    for t in good.iter().chain(&fresh) {
        assert_eq!(t.history(), ONCE_EACH);
    }
}

#[test]
fn commands_for_one_database_refuse_several_urls() {
    let p = project();
    let run = retort(
        p.path(),
        &[
            "--url",
            "sqlite:///a.db",
            "--url",
            "sqlite:///b.db",
            "resolve",
            "b",
            "--applied",
        ],
    )
    .fails(2);
    assert!(
        run.stderr
            .contains("only `upgrade`, `downgrade`, `current`, `check`, `verify --database-only` and `stamp` run on a fleet"),
        "{}",
        run.stderr
    );
}

/// `[targets]` in retort.toml names groups (URLs relative to the project,
/// like the config's own); `--canary K` upgrades K first and stops the
/// roll-out when one of them fails, whatever `--on-error` says.
#[test]
fn target_groups_from_the_config_and_canaries() {
    let p = project();
    let dir = p.path();
    p.write_config(
        "[database]\nurl = \"sqlite:///unused.db\"\n\n[targets]\ntenants = [\"sqlite:///t0.db\", \"sqlite:///t1.db\", \"sqlite:///t2.db\", \"sqlite:///t3.db\"]\nbroken_first = [\"postgresql://app:pw@127.0.0.1:1/app\", \"sqlite:///c0.db\", \"sqlite:///c1.db\"]\n",
    );
    let run = retort(
        dir,
        &[
            "upgrade",
            "--targets",
            "tenants",
            "--parallel",
            "2",
            "--canary",
            "1",
        ],
    )
    .ok();
    assert!(
        run.stderr.contains("4 targets: 4 upgraded"),
        "{}",
        run.stderr
    );
    for i in 0..4 {
        assert_eq!(
            Target::Sqlite(dir.join(format!("t{i}.db"))).history(),
            ONCE_EACH
        );
    }
    let current = retort(dir, &["current", "--targets", "tenants"]).ok();
    assert_eq!(
        current
            .stdout
            .lines()
            .filter(|l| l.ends_with("  c"))
            .count(),
        4,
        "{}",
        current.stdout
    );

    // The canary fails: nothing else starts, even with --on-error continue.
    let run = retort(
        dir,
        &[
            "upgrade",
            "--targets",
            "broken_first",
            "--canary",
            "1",
            "--on-error",
            "continue",
        ],
    )
    .fails(1);
    assert!(
        run.stderr
            .contains("3 targets: 0 upgraded, 0 already there, 1 failed, 2 not started."),
        "{}",
        run.stderr
    );
    assert!(!dir.join("c0.db").exists() && !dir.join("c1.db").exists());

    let run = retort(dir, &["upgrade", "--targets", "nope"]).fails(2);
    assert!(
        run.stderr.contains(
            "no target group 'nope' in [targets] of retort.toml (groups: broken_first, tenants)"
        ),
        "{}",
        run.stderr
    );
}

/// Schema per tenant: 100 schemas of one PostgreSQL database, each with
/// its own version and history tables, migrated four at a time; `current`
/// across them in one command.
#[test]
fn a_hundred_tenant_schemas_in_one_postgres_database() {
    let p = project();
    let dir = p.path();
    let db = pg::database();
    let mut create = String::new();
    for i in 0..100 {
        create.push_str(&format!("CREATE SCHEMA tenant_{i:03};\n"));
    }
    db.client().batch_execute(&create).unwrap();
    let query = "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1";

    let run = retort(
        dir,
        &[
            "--url",
            &db.url,
            "upgrade",
            "--schemas-query",
            query,
            "--parallel",
            "4",
        ],
    )
    .ok();
    assert!(
        run.stderr.contains("100 targets: 100 upgraded"),
        "{}",
        run.stderr
    );
    let mut client = db.client();
    for i in [0, 42, 99] {
        let schema = format!("tenant_{i:03}");
        let tables: Vec<String> = client
            .query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = $1 ORDER BY 1",
                &[&schema],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(
            tables,
            [
                "fleet_a",
                "fleet_b",
                "fleet_c",
                "retort_history",
                "retort_version"
            ],
            "{schema}"
        );
        let history: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM {schema}.retort_history"),
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(history, 3, "{schema}: each revision once");
    }
    let public: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(public, 0, "nothing in public");

    let current = retort(
        dir,
        &[
            "--url",
            &db.url,
            "current",
            "--schemas",
            "tenant_000,tenant_050,tenant_099",
            "--format",
            "json",
        ],
    )
    .ok();
    let doc: serde_json::Value = serde_json::from_str(&current.stdout).unwrap();
    let rows = doc["targets"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|t| t["current"] == serde_json::json!(["c"])),
        "{}",
        current.stdout
    );
    assert!(rows[1]["target"]
        .as_str()
        .unwrap()
        .ends_with("schema tenant_050"));

    let sqlite = retort(
        dir,
        &["--url", "sqlite:///x.db", "upgrade", "--schemas", "a,b"],
    )
    .fails(1);
    assert!(
        sqlite
            .stdout
            .contains("schema per tenant is for PostgreSQL"),
        "{}",
        sqlite.stdout
    );
}

/// `downgrade` on a fleet: every target one step down, each with its own
/// history row; then back up.
#[test]
fn a_fleet_downgrades_and_upgrades_again() {
    let p = project();
    let dir = p.path();
    let files = tempfile::tempdir().unwrap();
    let pg_db = pg::database();
    let mut fleet: Vec<Target> = (0..3)
        .map(|i| Target::Sqlite(files.path().join(format!("d{i}.db"))))
        .collect();
    fleet.push(Target::Pg(pg_db));
    let urls: Vec<String> = fleet.iter().map(Target::url).collect();
    let list = targets_file(files.path(), "down.txt", &urls);
    let list = list.to_str().unwrap();
    retort(dir, &["upgrade", "--targets-file", list, "--parallel", "2"]).ok();
    let down = retort(
        dir,
        &["downgrade", "-1", "--targets-file", list, "--parallel", "2"],
    )
    .ok();
    assert!(
        down.stderr.contains("4 targets: 4 downgraded"),
        "{}",
        down.stderr
    );
    assert_eq!(
        down.stdout
            .lines()
            .filter(|l| l.contains("-1 (now at b)"))
            .count(),
        4,
        "{}",
        down.stdout
    );
    for t in &fleet {
        assert_eq!(
            t.history(),
            ["a upgrade", "b upgrade", "c upgrade", "c downgrade"],
            "{}",
            t.url()
        );
    }
    retort(dir, &["upgrade", "--targets-file", list]).ok();
    for t in &fleet {
        assert_eq!(t.history().len(), 5);
    }
}

/// A targets-file line is a URL, optionally `schema=NAME`; anything else
/// is refused before any target runs, without printing a password.
#[test]
fn a_targets_file_line_with_something_else_after_the_url_is_refused() {
    let p = project();
    let files = tempfile::tempdir().unwrap();
    let first = files.path().join("one.db");
    let list = targets_file(
        files.path(),
        "targets.txt",
        &[
            format!("sqlite:///{}", first.display()),
            "postgresql://app:s3cret@127.0.0.1:1/db tenant=a".to_string(),
        ],
    );
    let run = retort(
        p.path(),
        &["upgrade", "--targets-file", list.to_str().unwrap()],
    )
    .fails(2);
    assert!(
        run.stderr.contains("only `schema=NAME` may follow"),
        "{}",
        run.stderr
    );
    assert!(!run.all().contains("s3cret"), "{}", run.all());
    assert!(!first.exists(), "nothing ran");
}
