//! Faults in a fleet (issue 16, item 4): one `upgrade` of eight targets on
//! four PostgreSQL servers and a SQLite file, `--parallel 3`,
//! `--on-error continue`, `--report`, during which
//! - one target's server is down (a port nothing listens on);
//! - one target's server is stopped with `pg_ctl stop -m immediate` while
//!   that target is inside a revision;
//! - one target's connection is cut with `pg_terminate_backend` while it
//!   is inside a revision;
//! - one target's login is refused (a wrong scram-sha-256 password).
//!
//! Each is reported with its error, on its line and in the report, and no
//! password is printed; the other four reach head; exit 1; every target is
//! consistent (each revision fully there and recorded, or absent and not
//! recorded), as its server says and as `pg_dump` says. Once the servers
//! are up and the password right, the same command completes the fleet,
//! each revision once per target.
//!
//! The faults are deterministic: revision `b` reads the view `fault_gate`,
//! which calls `pg_sleep(30)` in the two databases to be hit (and returns
//! at once elsewhere); the test waits until `pg_stat_activity` shows that
//! target sleeping, then strikes.

use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use retort_testkit::dump;
use retort_testkit::pg::{self, PrivateServer};
use retort_testkit::project::TestProject;

mod common;

use common::{retort, retort_command, Run};

/// The password in the bad-password target's URL. The role's password is
/// another one until the test fixes it.
const URL_PASSWORD: &str = "fleet-Wr0ng-s3cret";

/// The revisions, in order; revision `r` creates `fault_r` with one row.
const CHAIN: [&str; 3] = ["a", "b", "c"];

/// Three revisions; `b` passes through the gate between its DDL and its row.
fn project() -> TestProject {
    let p = TestProject::new();
    p.write_config("[database]\nurl = \"sqlite:///unused.db\"\n");
    p.revision(
        "a",
        "",
        "",
        "CREATE TABLE fault_a (id integer PRIMARY KEY);\nINSERT INTO fault_a (id) VALUES (1);",
        Some("DROP TABLE fault_a;"),
    );
    p.revision(
        "b",
        "a",
        "",
        "CREATE TABLE fault_b (id integer PRIMARY KEY);\nSELECT pause FROM fault_gate;\nINSERT INTO fault_b (id) VALUES (2);",
        Some("DROP TABLE fault_b;"),
    );
    p.revision(
        "c",
        "b",
        "",
        "CREATE TABLE fault_c (id integer PRIMARY KEY);\nINSERT INTO fault_c (id) VALUES (3);",
        Some("DROP TABLE fault_c;"),
    );
    p
}

const OPEN_GATE: &str = "CREATE VIEW fault_gate AS SELECT 1 AS pause";
const SLOW_GATE: &str = "CREATE VIEW fault_gate AS SELECT 1 AS pause FROM pg_sleep(30)";

/// One target: the URL the fleet uses, and how the test reads it.
struct Target {
    url: String,
    /// A superuser URL of the same PostgreSQL database, or a SQLite file.
    admin: Admin,
}

enum Admin {
    Pg(String),
    Sqlite(PathBuf),
}

/// What a target holds: version rows, history rows, user tables and their
/// rows.
#[derive(Debug, PartialEq)]
struct State {
    versions: Vec<String>,
    history: Vec<String>,
    tables: Vec<String>,
    rows: Vec<String>,
}

impl Target {
    fn pg(url: String, admin: String) -> Self {
        Target {
            url,
            admin: Admin::Pg(admin),
        }
    }

    /// The first column of `sql`, as text.
    fn column(&self, sql: &str) -> Vec<String> {
        match &self.admin {
            Admin::Pg(url) => {
                let mut c = postgres::Client::connect(url, postgres::NoTls)
                    .unwrap_or_else(|e| panic!("{url}: {e}"));
                c.simple_query(sql)
                    .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
                    .into_iter()
                    .filter_map(|m| match m {
                        postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
                        _ => None,
                    })
                    .collect()
            }
            Admin::Sqlite(path) => {
                let c = rusqlite::Connection::open(path).unwrap();
                let mut s = c.prepare(sql).unwrap();
                let rows = s.query_map([], |r| r.get::<_, String>(0)).unwrap();
                rows.collect::<Result<_, _>>().unwrap()
            }
        }
    }

    fn exec(&self, sql: &str) {
        match &self.admin {
            Admin::Pg(url) => postgres::Client::connect(url, postgres::NoTls)
                .and_then(|mut c| c.batch_execute(sql))
                .unwrap_or_else(|e| panic!("{sql}: {e:?}")),
            Admin::Sqlite(path) => rusqlite::Connection::open(path)
                .and_then(|c| c.execute_batch(sql))
                .unwrap(),
        }
    }

    /// Every table, retort's included, as the server's catalog lists them.
    fn all_tables(&self) -> Vec<String> {
        self.column(match self.admin {
            Admin::Pg(_) => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            }
            Admin::Sqlite(_) => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        })
    }

    fn state(&self) -> State {
        let all = self.all_tables();
        let has = |t: &str| all.iter().any(|x| x == t);
        let versions = if has("retort_version") {
            self.column("SELECT version_num FROM retort_version ORDER BY 1")
        } else {
            Vec::new()
        };
        let history = if has("retort_history") {
            self.column(
                "SELECT revision || ' ' || direction || ' ' || status FROM retort_history ORDER BY id",
            )
        } else {
            Vec::new()
        };
        let tables: Vec<String> = all
            .iter()
            .filter(|t| !t.starts_with("retort_"))
            .cloned()
            .collect();
        let rows = tables
            .iter()
            .flat_map(|t| self.column(&format!("SELECT CAST(id AS text) FROM {t} ORDER BY id")))
            .collect();
        State {
            versions,
            history,
            tables,
            rows,
        }
    }

    /// Asserts the target is consistent and returns how many revisions it
    /// holds: revision k is recorded (version row, one `applied` history
    /// row) exactly when its table and row exist. For PostgreSQL, the
    /// tables `pg_dump --schema-only` shows agree with the catalog's.
    #[track_caller]
    fn consistent(&self) -> usize {
        let state = self.state();
        assert!(state.versions.len() <= 1, "{}: {state:?}", self.url);
        let k = state
            .versions
            .first()
            .map_or(0, |v| CHAIN.iter().position(|r| r == v).unwrap() + 1);
        let expected = State {
            versions: state.versions.clone(),
            history: CHAIN[..k]
                .iter()
                .map(|r| format!("{r} upgrade applied"))
                .collect(),
            tables: CHAIN[..k].iter().map(|r| format!("fault_{r}")).collect(),
            rows: (1..=k).map(|i| i.to_string()).collect(),
        };
        assert_eq!(state, expected, "{} is inconsistent", self.url);
        if let Admin::Pg(url) = &self.admin {
            let mut dumped: Vec<String> = dump::schema(url)
                .unwrap()
                .lines()
                .filter_map(|l| l.strip_prefix("CREATE TABLE public."))
                .map(|l| l.trim_end_matches(" (").to_string())
                .collect();
            dumped.sort();
            let mut listed = self.all_tables();
            listed.sort();
            assert_eq!(dumped, listed, "{}: pg_dump disagrees", self.url);
        }
        k
    }
}

/// The database `db` of `server`, with the gate (`slow` or open).
fn database(server: &PrivateServer, db: &str, slow: bool) -> Target {
    let admin = server.create_database(db);
    let t = Target::pg(admin.clone(), admin);
    t.exec(if slow { SLOW_GATE } else { OPEN_GATE });
    t
}

/// The pid of the session that sleeps in the gate of database `db`, once
/// there is one; fails if the run ends first or nothing sleeps within 20 s.
fn sleeping_session(server: &PrivateServer, db: &str, run: &mut Child) -> i32 {
    let mut admin = server.client("postgres");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = admin
            .query(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep'",
                &[&db],
            )
            .unwrap();
        if let Some(row) = found.first() {
            return row.get(0);
        }
        if let Some(status) = run.try_wait().unwrap() {
            panic!("the fleet run ended ({status}) before {db} reached the gate");
        }
        assert!(Instant::now() < deadline, "{db} never reached the gate");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for the run with a deadline: a hung fleet fails the test.
fn finish_within(mut child: Child, limit: Duration) -> Run {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let out: Run = child.wait_with_output().unwrap().into();
            panic!(
                "the fleet run did not finish within {limit:?}\nstdout:\n{}\nstderr:\n{}",
                out.stdout, out.stderr
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap().into()
}

/// The line of `stdout` about the target whose URL ends with `/db`.
fn line_of<'o>(stdout: &'o str, db: &str) -> &'o str {
    let tail = format!("/{db} ");
    let found: Vec<&str> = stdout.lines().filter(|l| l.contains(&tail)).collect();
    assert_eq!(found.len(), 1, "one line for {db}:\n{stdout}");
    found[0]
}

/// The report's entry for the target whose URL ends with `/db`.
fn entry<'r>(report: &'r serde_json::Value, db: &str) -> &'r serde_json::Value {
    let suffix = format!("/{db}");
    let found: Vec<&serde_json::Value> = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["target"].as_str().unwrap().ends_with(&suffix))
        .collect();
    assert_eq!(found.len(), 1, "one report entry for {db}: {report}");
    found[0]
}

#[test]
fn down_stopped_cut_and_refused_targets_fail_alone_and_a_rerun_completes_the_fleet() {
    let p = project();
    let dir = p.path();
    let files = tempfile::tempdir().unwrap();

    // Three private servers (started side by side) and the shared one.
    let (crashing, busy, down) = std::thread::scope(|s| {
        let a = s.spawn(pg::private_server);
        let b = s.spawn(pg::private_server);
        let c = s.spawn(pg::private_server);
        (a.join().unwrap(), b.join().unwrap(), c.join().unwrap())
    });
    let stopped = database(&crashing, "fault_stop", true);
    let cut = database(&busy, "fault_cut", true);
    let good_1 = database(&busy, "fault_good1", false);
    let good_2 = database(&busy, "fault_good2", false);
    let refused_db = database(&busy, "fault_pw", false);
    let refused = Target::pg(
        format!(
            "postgresql://{}:{URL_PASSWORD}@127.0.0.1:{}/fault_pw",
            pg::PASSWORD_USER,
            busy.port
        ),
        refused_db.url.clone(),
    );
    let down_target = database(&down, "fault_down", false);
    down.stop_immediate();
    let shared_db = pg::database();
    let shared = Target::pg(shared_db.url.clone(), shared_db.url.clone());
    shared.exec(OPEN_GATE);
    let sqlite_path = files.path().join("fault_lite.db");
    let sqlite = Target {
        url: format!("sqlite:///{}", sqlite_path.display()),
        admin: Admin::Sqlite(sqlite_path),
    };
    sqlite.exec(&format!("{OPEN_GATE};"));

    let fleet = [
        &down_target,
        &stopped,
        &good_1,
        &cut,
        &refused,
        &shared,
        &sqlite,
        &good_2,
    ];
    let list = files.path().join("fleet.txt");
    let urls: Vec<&str> = fleet.iter().map(|t| t.url.as_str()).collect();
    std::fs::write(&list, urls.join("\n")).unwrap();
    let report = files.path().join("report.json");
    let args = [
        "upgrade",
        "--targets-file",
        list.to_str().unwrap(),
        "--parallel",
        "3",
        "--on-error",
        "continue",
        "--report",
        report.to_str().unwrap(),
    ];

    let mut child = retort_command(dir, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The crash: the whole server goes, mid-revision.
    sleeping_session(&crashing, "fault_stop", &mut child);
    crashing.stop_immediate();
    // The cut: only that session goes.
    let pid = sleeping_session(&busy, "fault_cut", &mut child);
    let killed: bool = busy
        .client("postgres")
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap()
        .get(0);
    assert!(killed);
    let run = finish_within(child, Duration::from_secs(30)).fails(1);
    let text = std::fs::read_to_string(&report).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();

    assert!(
        run.stderr
            .contains("8 targets: 4 upgraded, 0 already there, 4 failed, 0 not started."),
        "{}",
        run.stderr
    );
    // A cut session's error is the server's FATAL message when the client
    // library reads it before the socket closes, else the closed socket:
    // either is right, both name the revision.
    let lost = "the connection to the server was lost: connection closed";
    for (db, errors) in [
        ("fault_down", ["Connection refused", "Connection refused"]),
        (
            "fault_stop",
            [
                "upgrade of revision b failed: terminating connection due to immediate shutdown command (57P01)",
                &format!("upgrade of revision b failed: {lost}"),
            ],
        ),
        (
            "fault_cut",
            [
                "upgrade of revision b failed: terminating connection due to administrator command (57P01)",
                &format!("upgrade of revision b failed: {lost}"),
            ],
        ),
        (
            "fault_pw",
            [
                "password authentication failed for user \"app_pw\" (28P01)",
                "password authentication failed for user \"app_pw\" (28P01)",
            ],
        ),
    ] {
        let says = |text: &str| errors.iter().any(|e| text.contains(e));
        let line = line_of(&run.stdout, db);
        assert!(line.starts_with("FAILED") && says(line), "{db}: {line}");
        let e = entry(&doc, db);
        assert!(
            says(e["error"].as_str().unwrap()),
            "{db} in the report: {e}"
        );
        assert_eq!(e["applied"], serde_json::json!([]), "{db}");
    }
    for t in [&good_1, &good_2, &shared, &sqlite] {
        let db = t.url.rsplit('/').next().unwrap();
        let line = line_of(&run.stdout, db);
        assert!(
            line.starts_with("ok") && line.contains("+3 (now at c)"),
            "{line}"
        );
        assert_eq!(entry(&doc, db)["applied"], serde_json::json!(CHAIN));
    }
    for secret in [URL_PASSWORD, pg::PASSWORD] {
        assert!(
            !run.all().contains(secret),
            "{secret} printed:\n{}",
            run.all()
        );
        assert!(!text.contains(secret), "{secret} in the report");
    }

    // Every target consistent, as its server says once it is up again:
    // the crashed and the cut one hold `a`, and nothing of `b`.
    crashing.start();
    down.start();
    let held: Vec<usize> = fleet.iter().map(|t| t.consistent()).collect();
    assert_eq!(held, [0, 1, 3, 1, 0, 3, 3, 3]);

    // Fixed: the servers are up, the role has the URL's password, and the
    // gates are open. The same command completes the fleet.
    busy.client("postgres")
        .batch_execute(&format!(
            "ALTER ROLE {} PASSWORD '{URL_PASSWORD}'",
            pg::PASSWORD_USER
        ))
        .unwrap();
    for t in [&stopped, &cut] {
        t.exec(&format!("DROP VIEW fault_gate; {OPEN_GATE}"));
    }
    let rerun = retort(dir, &args).ok();
    assert!(
        rerun
            .stderr
            .contains("8 targets: 4 upgraded, 4 already there, 0 failed, 0 not started."),
        "{}",
        rerun.stderr
    );
    let text = std::fs::read_to_string(&report).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (db, applied) in [
        ("fault_down", &CHAIN[..]),
        ("fault_stop", &CHAIN[1..]),
        ("fault_cut", &CHAIN[1..]),
        ("fault_pw", &CHAIN[..]),
        ("fault_good1", &[]),
    ] {
        assert_eq!(
            entry(&doc, db)["applied"],
            serde_json::json!(applied),
            "{db}"
        );
    }
    assert!(!rerun.all().contains(URL_PASSWORD) && !text.contains(URL_PASSWORD));
    for t in fleet {
        assert_eq!(t.consistent(), 3, "{} at head", t.url);
        assert_eq!(
            t.state().history,
            [
                "a upgrade applied",
                "b upgrade applied",
                "c upgrade applied"
            ],
            "{}: each revision once",
            t.url
        );
    }
}

/// The test's own clusters are private: stopping one does not touch the
/// shared server, and it comes back on the same port with its data.
#[test]
fn a_private_server_stops_and_starts_again_with_its_data() {
    let server = pg::private_server();
    let url = server.create_database("kept");
    server
        .client("kept")
        .batch_execute("CREATE TABLE t (id integer); INSERT INTO t VALUES (7)")
        .unwrap();
    let shared = pg::database();
    server.stop_immediate();
    assert!(postgres::Client::connect(&url, postgres::NoTls).is_err());
    shared.client().batch_execute("SELECT 1").unwrap();
    server.start();
    let n: i32 = server
        .client("kept")
        .query_one("SELECT id FROM t", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 7);
}
