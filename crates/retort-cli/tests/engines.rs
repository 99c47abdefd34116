//! The distributed engines' paths (docs/engines.md), on a real PostgreSQL
//! server with the engine forced (`RETORT_FORCE_ENGINE`, a test-only
//! override): statement-by-statement runs that resume after a failure,
//! the lease lock under eight concurrent runners, a dead holder's lease
//! taken over once it expires or freed by `retort unlock --force`, a real
//! `40001` retried, a YugabyteDB fleet one target per server at a time,
//! and detection of a plain PostgreSQL server.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use retort_testkit::pg;
use retort_testkit::project::TestProject;

mod common;

use common::{retort_command, Run};

const ENGINES: [&str; 2] = ["cockroachdb", "yugabytedb"];

/// A project on `url`.
fn project(url: &str) -> TestProject {
    let p = TestProject::new();
    p.write_config(&format!("[database]\nurl = \"{url}\"\n"));
    p
}

/// `retort ARGS` in `p` as `engine` (None: detected).
fn run(p: &TestProject, engine: Option<&str>, env: &[(&str, &str)], args: &[&str]) -> Run {
    command(p, engine, env, args)
        .output()
        .expect("spawn")
        .into()
}

fn command(
    p: &TestProject,
    engine: Option<&str>,
    env: &[(&str, &str)],
    args: &[&str],
) -> std::process::Command {
    let mut cmd = retort_command(p.path(), args);
    cmd.env_remove("RETORT_FORCE_ENGINE")
        .env_remove("RETORT_LEASE_TTL");
    if let Some(e) = engine {
        cmd.env("RETORT_FORCE_ENGINE", e);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn spawn(p: &TestProject, engine: &str, env: &[(&str, &str)], args: &[&str]) -> Child {
    command(p, Some(engine), env, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

fn rows(db: &pg::TestDb, sql: &str) -> Vec<String> {
    db.client()
        .simple_query(sql)
        .unwrap()
        .into_iter()
        .filter_map(|m| match m {
            postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("NULL").to_string()),
            _ => None,
        })
        .collect()
}

fn one(db: &pg::TestDb, sql: &str) -> String {
    rows(db, sql).into_iter().next().unwrap_or_default()
}

/// `revision direction status` of every history row, in order.
fn history(db: &pg::TestDb) -> Vec<String> {
    rows(
        db,
        "SELECT revision || ' ' || direction || ' ' || status FROM retort_history ORDER BY id",
    )
}

#[test]
fn plain_postgresql_is_detected_as_postgresql() {
    let db = pg::database();
    let p = project(&db.url);
    let out = run(&p, None, &[], &["--format", "json", "unlock"]).ok();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["engine"], "postgresql", "{}", out.stdout);
    assert_eq!(json["lock"], "session advisory lock");
    let text = run(&p, None, &[], &["unlock", "--force"]).ok();
    assert!(
        text.stderr.contains("Nothing to unlock") && text.stderr.contains("ends with that session"),
        "{}",
        text.stderr
    );
    // Forced, the same server reports the forced engine and its lease.
    let forced = run(
        &p,
        Some("cockroachdb"),
        &[],
        &["--format", "json", "unlock"],
    )
    .ok();
    let json: serde_json::Value = serde_json::from_str(&forced.stdout).unwrap();
    assert_eq!(json["engine"], "cockroachdb");
    assert_eq!(json["lock"], "lease");
    assert_eq!(json["holder"], serde_json::Value::Null);
    let bad = run(&p, Some("oracle"), &[], &["current"]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("RETORT_FORCE_ENGINE"), "{}", bad.stderr);
}

#[test]
fn revisions_run_statement_by_statement_and_resume() {
    for engine in ENGINES {
        let db = pg::database();
        let p = project(&db.url);
        p.revision(
            "a",
            "",
            "",
            "CREATE TABLE e_a (id int);\nINSERT INTO e_a VALUES (1);\nCREATE TABLE e_b (id int);\nINSERT INTO e_missing VALUES (1);\nINSERT INTO e_b VALUES (2);",
            Some("DROP TABLE e_b;\nDROP TABLE e_a;"),
        );
        let failed = run(&p, Some(engine), &[], &["upgrade", "head"]);
        assert_ne!(failed.code, 0, "{engine}: {}", failed.all());
        // Statement by statement: the three before the failure stay.
        assert_eq!(one(&db, "SELECT count(*) FROM e_a"), "1", "{engine}");
        assert_eq!(one(&db, "SELECT to_regclass('e_b') IS NOT NULL"), "t");
        assert_eq!(history(&db), ["a upgrade failed"], "{engine}");
        assert_eq!(
            one(&db, "SELECT statements_done FROM retort_history"),
            "3",
            "{engine}"
        );
        db.client()
            .batch_execute("CREATE TABLE e_missing (id int)")
            .unwrap();
        let resumed = run(&p, Some(engine), &[], &["upgrade", "head"]).ok();
        assert!(
            resumed
                .stderr
                .contains("Resuming revision a after its first 3"),
            "{}",
            resumed.stderr
        );
        // Nothing that ran ran twice.
        assert_eq!(one(&db, "SELECT count(*) FROM e_a"), "1", "{engine}");
        assert_eq!(one(&db, "SELECT count(*) FROM e_b"), "1", "{engine}");
        assert_eq!(one(&db, "SELECT count(*) FROM e_missing"), "1", "{engine}");
        assert_eq!(one(&db, "SELECT version_num FROM retort_version"), "a");
        run(&p, Some(engine), &[], &["downgrade", "base"]).ok();
        assert_eq!(
            one(&db, "SELECT to_regclass('e_a') IS NULL"),
            "t",
            "{engine}"
        );
        assert_eq!(one(&db, "SELECT count(*) FROM retort_version"), "0");
        assert_eq!(
            history(&db),
            ["a upgrade applied", "a downgrade applied"],
            "{engine}"
        );
        // The lease was released: the lock table is empty.
        assert_eq!(
            one(&db, "SELECT count(*) FROM retort_lock"),
            "0",
            "{engine}"
        );
    }
}

#[test]
fn eight_runners_share_the_lease_lock() {
    for engine in ENGINES {
        let db = pg::database();
        let p = project(&db.url);
        for (id, parent) in [("r1", ""), ("r2", "r1"), ("r3", "r2"), ("r4", "r3")] {
            p.revision(
                id,
                parent,
                "",
                &format!("CREATE TABLE t_{id} (id int);\nSELECT pg_sleep(0.2);\nINSERT INTO t_{id} VALUES (1);"),
                Some(&format!("DROP TABLE t_{id};")),
            );
        }
        let children: Vec<Child> = (0..8)
            .map(|_| {
                spawn(
                    &p,
                    engine,
                    &[("RETORT_LEASE_TTL", "5")],
                    &["upgrade", "head"],
                )
            })
            .collect();
        let mut waited = 0;
        for child in children {
            let out: Run = child.wait_with_output().unwrap().into();
            let out = out.ok();
            if out.stderr.contains("Waiting for the migration lock") {
                waited += 1;
                assert!(out.stderr.contains("lease held by"), "{}", out.stderr);
            }
        }
        assert!(waited > 0, "{engine}: no runner ever waited");
        // Every revision applied exactly once, in order.
        assert_eq!(
            history(&db),
            [
                "r1 upgrade applied",
                "r2 upgrade applied",
                "r3 upgrade applied",
                "r4 upgrade applied"
            ],
            "{engine}"
        );
        for id in ["r1", "r2", "r3", "r4"] {
            assert_eq!(one(&db, &format!("SELECT count(*) FROM t_{id}")), "1");
        }
        assert_eq!(one(&db, "SELECT version_num FROM retort_version"), "r4");
        assert_eq!(
            one(&db, "SELECT count(*) FROM retort_lock"),
            "0",
            "{engine}"
        );
    }
}

/// Starts a runner whose revision sleeps, and kills it (SIGKILL) while it
/// holds the lease, inside the sleep. Returns the dead runner's pid.
fn kill_holder_mid_run(db: &pg::TestDb, p: &TestProject, engine: &str, ttl: &str) -> u32 {
    p.revision(
        "slow",
        "",
        "",
        "CREATE TABLE slow_t (id int);\nSELECT pg_sleep(2);\nINSERT INTO slow_t VALUES (1);",
        Some("DROP TABLE slow_t;"),
    );
    let mut child = spawn(
        p,
        engine,
        &[("RETORT_LEASE_TTL", ttl)],
        &["upgrade", "head"],
    );
    let pid = child.id();
    let started = Instant::now();
    while one(
        db,
        "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(2)' AND state = 'active'",
    ) != "1"
    {
        assert!(started.elapsed() < Duration::from_secs(20), "the runner never reached its sleep");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    pid
}

#[test]
fn a_dead_holders_lease_expires_and_is_taken_over() {
    let db = pg::database();
    let p = project(&db.url);
    let dead = kill_holder_mid_run(&db, &p, "cockroachdb", "3");
    assert!(
        one(&db, "SELECT holder FROM retort_lock").contains(&format!("pid {dead} ")),
        "the dead runner's lease is still there"
    );
    let started = Instant::now();
    let next = run(
        &p,
        Some("cockroachdb"),
        &[("RETORT_LEASE_TTL", "3")],
        &["upgrade", "head", "--lock-timeout", "30"],
    )
    .ok();
    assert!(
        next.stderr.contains("Waiting for the migration lock"),
        "{}",
        next.stderr
    );
    assert!(
        next.stderr.contains(&format!("pid {dead} ")),
        "{}",
        next.stderr
    );
    // It waited for the lease to expire (no heartbeat since the kill).
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert!(
        next.stderr
            .contains("Resuming revision slow after its first 1"),
        "{}",
        next.stderr
    );
    assert_eq!(one(&db, "SELECT count(*) FROM slow_t"), "1");
    assert_eq!(history(&db), ["slow upgrade applied"]);
    assert_eq!(one(&db, "SELECT count(*) FROM retort_lock"), "0");
}

#[test]
fn unlock_force_frees_a_dead_holders_lease_at_once() {
    let db = pg::database();
    let p = project(&db.url);
    // A long TTL: only `unlock --force` lets the next runner in soon.
    let dead = kill_holder_mid_run(&db, &p, "yugabytedb", "600");
    let shown = run(&p, Some("yugabytedb"), &[], &["unlock"]).ok();
    assert!(
        shown.stdout.contains(&format!("pid {dead} ")),
        "{}",
        shown.stdout
    );
    assert_eq!(
        one(&db, "SELECT count(*) FROM retort_lock"),
        "1",
        "unlock without --force removed it"
    );
    let timed_out = run(
        &p,
        Some("yugabytedb"),
        &[],
        &["upgrade", "head", "--lock-timeout", "1"],
    );
    assert_ne!(timed_out.code, 0, "{}", timed_out.all());
    let forced = run(&p, Some("yugabytedb"), &[], &["unlock", "--force"]).ok();
    assert!(
        forced.stdout.contains("Deleted the lease held by"),
        "{}",
        forced.stdout
    );
    assert!(
        forced.stdout.contains(&format!("pid {dead} ")),
        "{}",
        forced.stdout
    );
    let started = Instant::now();
    run(
        &p,
        Some("yugabytedb"),
        &[],
        &["upgrade", "head", "--lock-timeout", "30"],
    )
    .ok();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(one(&db, "SELECT count(*) FROM slow_t"), "1");
    assert_eq!(history(&db), ["slow upgrade applied"]);
}

#[test]
fn a_serialization_failure_is_retried_without_running_a_statement_twice() {
    for engine in ENGINES {
        let db = pg::database();
        // nextval survives the rollback: the block fails only the first time.
        db.client().batch_execute("CREATE SEQUENCE tries").unwrap();
        let p = project(&db.url);
        p.revision(
            "a",
            "",
            "",
            "CREATE TABLE once_t (id int);\nDO $$ BEGIN IF nextval('tries') = 1 THEN RAISE EXCEPTION 'simulated conflict' USING ERRCODE = '40001'; END IF; END $$;\nINSERT INTO once_t VALUES (1);",
            Some("DROP TABLE once_t;"),
        );
        // A data-only revision, in one transaction, retried whole.
        p.revision(
            "b",
            "a",
            "",
            "INSERT INTO once_t VALUES (2);\nDO $$ BEGIN IF nextval('tries') = 3 THEN RAISE EXCEPTION 'simulated conflict' USING ERRCODE = '40001'; END IF; END $$;",
            Some("DELETE FROM once_t WHERE id = 2;"),
        );
        let out = run(&p, Some(engine), &[], &["upgrade", "head"]).ok();
        // CREATE TABLE ran once (a second run would fail: it exists).
        assert_eq!(
            one(&db, "SELECT count(*) FROM once_t"),
            "2",
            "{engine}: {}",
            out.all()
        );
        assert_eq!(one(&db, "SELECT last_value FROM tries"), "4", "{engine}");
        assert_eq!(
            rows(&db, "SELECT revision || ' ' || status FROM retort_history WHERE status = 'applied' ORDER BY id"),
            ["a applied", "b applied"],
            "{engine}"
        );
    }
    // Plain PostgreSQL retries nothing: the same failure is reported.
    let db = pg::database();
    db.client().batch_execute("CREATE SEQUENCE tries").unwrap();
    let p = project(&db.url);
    p.revision(
        "a",
        "",
        "",
        "DO $$ BEGIN IF nextval('tries') = 1 THEN RAISE EXCEPTION 'simulated conflict' USING ERRCODE = '40001'; END IF; END $$;",
        None,
    );
    let out = run(&p, None, &[], &["upgrade", "head"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("simulated conflict"), "{}", out.stderr);
}

#[test]
fn a_yugabytedb_fleet_runs_one_target_per_server_at_a_time() {
    let dbs: Vec<pg::TestDb> = (0..4).map(|_| pg::database()).collect();
    let p = project(&dbs[0].url);
    // Fails if another target's revision is running at the same moment.
    p.revision(
        "a",
        "",
        "",
        "DO $$ BEGIN PERFORM pg_sleep(0.4); IF (SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%per-server-probe%' AND state = 'active') > 1 THEN RAISE EXCEPTION 'two targets at once'; END IF; END $$ /* per-server-probe */;",
        None,
    );
    let mut args = vec!["upgrade", "head", "--parallel", "4"];
    for db in &dbs {
        args.extend(["--url", db.url.as_str()]);
    }
    // Unbounded (plain PostgreSQL), the four overlap and the probe sees it.
    let overlapping = run(&p, None, &[], &args);
    assert_ne!(overlapping.code, 0, "{}", overlapping.all());
    assert!(
        overlapping.all().contains("two targets at once"),
        "{}",
        overlapping.all()
    );
    // As YugabyteDB, one at a time: the rerun completes every target.
    let out = run(&p, Some("yugabytedb"), &[], &args).ok();
    for db in &dbs {
        assert_eq!(
            one(db, "SELECT version_num FROM retort_version"),
            "a",
            "{}",
            out.all()
        );
    }
}

/// CockroachDB's catalog is not read: autogenerate, check and inspect
/// refuse with the reason, and the same database read as PostgreSQL works.
#[test]
fn reading_a_cockroachdb_schema_is_refused_clearly() {
    let db = pg::database();
    db.client()
        .batch_execute("CREATE TABLE kept (id int PRIMARY KEY)")
        .unwrap();
    let p = project(&db.url);
    std::fs::write(
        p.path().join("schema.sql"),
        "CREATE TABLE kept (id int PRIMARY KEY);",
    )
    .unwrap();
    p.write_config(&format!(
        "[database]\nurl = \"{}\"\n\n[autogenerate]\nschema = [\"schema.sql\"]\n",
        db.url
    ));
    for args in [
        &["check"][..],
        &["inspect", db.url.as_str()][..],
        &["revision", "--autogenerate", "-m", "x"][..],
    ] {
        let out = run(&p, Some("cockroachdb"), &[], args).fails(2);
        assert!(
            out.stderr
                .contains("cannot read the schema of a CockroachDB database"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert_eq!(
        std::fs::read_dir(p.versions()).unwrap().count(),
        0,
        "no revision written"
    );
    run(&p, None, &[], &["check"]).ok();
}
