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

/// `current`, `upgrade` and `downgrade` load the project while the database
/// opens; when both fail, the project's error is the one reported (as when
/// they ran one after the other), and a project that loads still reports
/// the unreachable database.
#[test]
fn a_broken_project_is_reported_before_an_unreachable_database() {
    let p = project();
    std::fs::write(p.versions().join("bbb_broken.sql"), "-- no header at all\n").unwrap();
    let nowhere = "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2";
    for command in [
        &["current"][..],
        &["upgrade", "head"],
        &["downgrade", "base"],
    ] {
        let mut args = vec!["--url", nowhere];
        args.extend_from_slice(command);
        let run = retort(p.path(), &args).fails(1);
        assert!(
            run.stderr.contains("bbb_broken.sql"),
            "{command:?}: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("127.0.0.1:1"),
            "{command:?}: {}",
            run.stderr
        );
    }
    std::fs::remove_file(p.versions().join("bbb_broken.sql")).unwrap();
    let run = retort(p.path(), &["--url", nowhere, "current"]).fails(1);
    assert!(run.stderr.contains("127.0.0.1:1"), "{}", run.stderr);
}
