//! The async API (`retort::nonblocking`, feature `tokio`) as a tokio
//! service uses it: upgrades on the three databases, the runtime's thread
//! left free while a migration runs, and the run lock released after a
//! failure or a panic so that the next upgrade proceeds at once.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use retort::nonblocking::{AsyncMigrator, AsyncProgress};
use retort::script::Script;
use retort::{Config, Project};
use retort_embed_tests::PORTABLE;

/// A project of revisions given as (id, parent, upgrade SQL).
fn project(revisions: &[(&str, &str, &str)]) -> Project {
    let scripts = revisions
        .iter()
        .map(|(id, parent, sql)| {
            let text = format!(
                "-- {id}\n--\n-- Revision ID: {id}\n-- Revises: {parent}\n\n-- +upgrade\n{sql}\n\n-- +downgrade\n"
            );
            Script::parse(Path::new(&format!("versions/{id}.sql")), &text).unwrap()
        })
        .collect();
    Project::from_scripts(Config::defaults(Path::new(".")), scripts).unwrap()
}

async fn upgrade_portable(url: &str) {
    let migrator = AsyncMigrator::new(PORTABLE.project().unwrap(), url).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let applied = migrator
        .upgrade_with_progress("head", move |e| seen.lock().unwrap().push(e))
        .await
        .expect("upgrades");
    assert_eq!(applied.len(), 3);
    assert_eq!(migrator.current().await.unwrap(), ["c3"]);
    assert!(migrator.changed_revisions().await.unwrap().is_empty());
    let events = events.lock().unwrap().clone();
    let started: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            AsyncProgress::Started { revision, .. } => Some(revision.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(started, ["a1", "b2", "c3"]);
    let finished = events
        .iter()
        .filter(|e| matches!(e, AsyncProgress::Finished { .. }))
        .count();
    assert_eq!(finished, 3);
    assert!(migrator.upgrade("head").await.unwrap().is_empty());
    migrator.downgrade("base").await.expect("downgrades");
    assert!(migrator.current().await.unwrap().is_empty());
}

/// A runtime of the given flavour. The test databases are made and read
/// outside it: the test kit's own clients are blocking ones.
fn runtime(multi_thread: bool) -> tokio::runtime::Runtime {
    let mut builder = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build().unwrap()
}

#[test]
fn async_upgrade_on_sqlite_postgres_and_mariadb() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite:///{}", dir.path().join("app.db").display());
    let pg = retort_testkit::pg::database();
    let maria = retort_testkit::mariadb::database();
    runtime(true).block_on(async {
        upgrade_portable(&sqlite).await;
        upgrade_portable(&pg.url).await;
        upgrade_portable(&maria.url).await;
    });
}

/// A single-threaded runtime keeps running its other tasks while a
/// migration waits on the server: the work is on the blocking pool.
#[test]
fn a_migration_leaves_the_runtime_thread_free() {
    let pg = retort_testkit::pg::database();
    runtime(false).block_on(async {
        let slow = project(&[("slow", "", "SELECT pg_sleep(1);")]);
        let migrator = AsyncMigrator::new(slow, &pg.url).unwrap();
        let ticks = Arc::new(Mutex::new(0u32));
        let counter = Arc::clone(&ticks);
        let ticker = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(10)).await;
                *counter.lock().unwrap() += 1;
            }
        });
        migrator.upgrade("head").await.expect("upgrades");
        ticker.abort();
        let ticks = *ticks.lock().unwrap();
        // A blocked thread would have ticked once at most; a free one ~100 times.
        assert!(
            ticks >= 20,
            "the runtime's thread was blocked: {ticks} ticks"
        );
    });
}

/// After an upgrade that fails half-way, and after one whose progress
/// callback panics, the next upgrade on the same runtime gets the run lock
/// at once (a held lock would make it wait, and time out after 2 s).
async fn the_lock_is_released_after_a_failure_and_a_panic(url: &str, failing_sql: &str) {
    let broken = project(&[
        ("a", "", "CREATE TABLE a (id integer);"),
        ("b", "a", failing_sql),
    ]);
    let migrator = AsyncMigrator::new(broken, url).unwrap();
    let err = migrator.upgrade("head").await.unwrap_err();
    assert!(err.to_string().contains("nowhere"), "{err}");
    assert_eq!(
        migrator.current().await.unwrap(),
        ["a"],
        "a is applied, b is not"
    );

    let fixed = project(&[
        ("a", "", "CREATE TABLE a (id integer);"),
        ("b", "a", "CREATE TABLE b (id integer);"),
        ("c", "b", "CREATE TABLE c (id integer);"),
    ]);
    let mut migrator = AsyncMigrator::new(fixed, url).unwrap();
    migrator.set_lock_timeout(Some(Duration::from_secs(2)));
    let err = migrator
        .upgrade_with_progress("b", |e| {
            if matches!(e, AsyncProgress::Started { .. }) {
                panic!("a service's progress callback panics");
            }
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("panicked"), "{err}");
    assert!(err.to_string().contains("released the run lock"), "{err}");

    let applied = migrator.upgrade("head").await.expect("the lock is free");
    assert_eq!(applied.len(), 2);
    assert_eq!(migrator.current().await.unwrap(), ["c"]);
}

#[test]
fn postgres_lock_is_released_after_a_failure_and_a_panic() {
    let pg = retort_testkit::pg::database();
    runtime(true).block_on(the_lock_is_released_after_a_failure_and_a_panic(
        &pg.url,
        "SELECT * FROM nowhere;",
    ));
    let held: i64 = pg
        .client()
        .query_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(held, 0, "no session holds an advisory lock");
}

#[test]
fn mariadb_lock_is_released_after_a_failure_and_a_panic() {
    let maria = retort_testkit::mariadb::database();
    runtime(true).block_on(the_lock_is_released_after_a_failure_and_a_panic(
        &maria.url,
        "SELECT * FROM nowhere;",
    ));
}

#[test]
fn sqlite_lock_is_released_after_a_failure_and_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}", dir.path().join("app.db").display());
    runtime(false).block_on(the_lock_is_released_after_a_failure_and_a_panic(
        &url,
        "SELECT * FROM nowhere;",
    ));
}
