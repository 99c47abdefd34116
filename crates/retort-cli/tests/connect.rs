//! Connecting to PostgreSQL as users do: TLS modes, passwords (right, wrong,
//! percent-encoded), SQLAlchemy-style URLs — and never a password in output.

mod common;

use common::{retort, TestProject};
use retort_testkit::pg::{self, PASSWORD, PASSWORD_USER, TLS_ONLY_USER};

fn project() -> TestProject {
    let p = TestProject::new();
    p.table_revision("aaa", "", "");
    p
}

#[test]
fn sslmode_require_uses_tls() {
    let db = pg::database();
    let port = db.server().port;
    let p = project();
    // This role is rejected by the server unless the connection is TLS.
    let tls = format!(
        "postgresql://{TLS_ONLY_USER}@127.0.0.1:{port}/{}?sslmode=require",
        db.name
    );
    retort(p.path(), &["--url", &tls, "upgrade", "head"]).ok();
    let current = retort(p.path(), &["--url", &tls, "current"]).ok();
    assert_eq!(current.stdout, "aaa (head)\n");

    let plain = format!(
        "postgresql://{TLS_ONLY_USER}@127.0.0.1:{port}/{}?sslmode=disable",
        db.name
    );
    let run = retort(p.path(), &["--url", &plain, "current"]).fails(1);
    assert!(run.stderr.contains("pg_hba.conf"), "{}", run.stderr);

    let bad = format!(
        "postgresql://postgres@127.0.0.1:{port}/{}?sslmode=sometimes",
        db.name
    );
    let run = retort(p.path(), &["--url", &bad, "current"]).fails(2);
    assert!(run.stderr.contains("sslmode"), "{}", run.stderr);
}

#[test]
fn wrong_password_is_a_clear_error_without_the_password() {
    let db = pg::database();
    let port = db.server().port;
    let p = project();
    let wrong = format!(
        "postgresql://{PASSWORD_USER}:Wr0ngPassw0rd@127.0.0.1:{port}/{}",
        db.name
    );
    let run = retort(p.path(), &["--url", &wrong, "upgrade", "head"]).fails(1);
    assert!(
        run.stderr.contains("password authentication failed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        run.stderr
    );
    assert!(!run.all().contains("Wr0ngPassw0rd"), "{}", run.all());
    assert!(db
        .client()
        .query(
            "SELECT 1 FROM pg_tables WHERE tablename = 'retort_version'",
            &[]
        )
        .unwrap()
        .is_empty());

    // The right password, percent-encoded, through SQLAlchemy's URL form.
    let encoded: String = PASSWORD.replace('-', "%2D");
    let right = format!(
        "postgresql+psycopg2://{PASSWORD_USER}:{encoded}@127.0.0.1:{port}/{}",
        db.name
    );
    let run = retort(p.path(), &["--url", &right, "upgrade", "head", "-v"]).ok();
    assert!(!run.all().contains(PASSWORD), "{}", run.all());
    let current = retort(p.path(), &["--url", &right, "current"]).ok();
    assert_eq!(current.stdout, "aaa (head)\n");
}

#[test]
fn unreachable_host_and_missing_database_say_where() {
    let db = pg::database();
    let port = db.server().port;
    let p = project();
    let missing = format!("postgresql://postgres:hunter2@127.0.0.1:{port}/no_such_db");
    let run = retort(p.path(), &["--url", &missing, "current"]).fails(1);
    assert!(run.stderr.contains("no_such_db"), "{}", run.stderr);
    assert!(run.stderr.contains("postgres:***@"), "{}", run.stderr);
    assert!(!run.all().contains("hunter2"));
}
