//! The library as a service embeds it: load a project, connect, upgrade at
//! start-up, inspect the plan, and get typed errors.

use retort::plan::Direction;
use retort::runner::Progress;
use retort::{Error, Migrator, Project};
use retort_testkit::project::TestProject;

fn three_revisions() -> TestProject {
    let p = TestProject::new();
    p.table_revision("aaa", "", "");
    p.table_revision("bbb", "aaa", "");
    p.table_revision("ccc", "bbb", "");
    p
}

#[test]
fn upgrade_at_start_up_then_nothing_to_do() {
    let p = three_revisions();
    let url = format!("sqlite:///{}", p.path().join("svc.db").display());
    let applied = retort::upgrade(p.path(), &url, "head").expect("first start");
    let ids: Vec<&str> = applied.iter().map(|a| a.revision.as_str()).collect();
    assert_eq!(ids, ["aaa", "bbb", "ccc"]);
    assert!(applied
        .iter()
        .all(|a| a.direction == Direction::Upgrade && a.statements == 1));
    let again = retort::upgrade(p.path(), &url, "head").expect("second start");
    assert!(again.is_empty());
}

#[test]
fn migrator_plans_reports_progress_and_downgrades() {
    let p = three_revisions();
    let project = Project::discover(p.path()).expect("project");
    assert_eq!(project.scripts().len(), 3);
    let mut m = Migrator::connect(project, "sqlite://:memory:").expect("connect");
    assert!(m.current().unwrap().is_empty());

    let plan = m.plan_upgrade("bbb").unwrap();
    assert_eq!(plan.len(), 2);
    assert_eq!(plan[0].version_change.insert, ["aaa"]);
    assert_eq!(plan[1].version_change.delete, ["aaa"]);
    assert_eq!(plan[1].version_change.insert, ["bbb"]);

    let mut started = Vec::new();
    m.upgrade("head", &mut |e| {
        if let Progress::Started { step, .. } = e {
            started.push(step.revision.clone());
        }
    })
    .unwrap();
    assert_eq!(started, ["aaa", "bbb", "ccc"]);
    assert_eq!(m.current().unwrap(), ["ccc"]);

    m.downgrade("-2", &mut |_| {}).unwrap();
    assert_eq!(m.current().unwrap(), ["aaa"]);
}

#[test]
fn failing_statement_is_a_typed_error_with_file_and_line() {
    let p = TestProject::new();
    p.table_revision("aaa", "", "");
    p.revision(
        "bbb",
        "aaa",
        "",
        "CREATE TABLE ok (id int);\nSELECT * FROM nowhere;",
        Some("DROP TABLE ok;"),
    );
    let project = Project::discover(p.path()).unwrap();
    let mut m = Migrator::connect(project, "sqlite://:memory:").unwrap();
    let err = m.upgrade("head", &mut |_| {}).unwrap_err();
    match &err {
        Error::Statement(e) => {
            assert_eq!(e.revision, "bbb");
            assert!(e.path.ends_with("bbb.sql"));
            assert!(e.statement.contains("nowhere"));
            assert!(e.db.message.contains("no such table"), "{}", e.db.message);
            let text = std::fs::read_to_string(&e.path).unwrap();
            assert_eq!(text.lines().nth(e.line - 1), Some("SELECT * FROM nowhere;"));
        }
        other => panic!("expected a statement error, got {other:?}"),
    }
    assert_eq!(err.exit_code(), 1);
    assert_eq!(m.current().unwrap(), ["aaa"]);
}

#[test]
fn postgres_through_the_library() {
    let db = retort_testkit::pg::database();
    let p = three_revisions();
    let project = Project::discover(p.path()).unwrap();
    let mut m = Migrator::connect(project, &db.url).unwrap();
    m.upgrade("head", &mut |_| {}).unwrap();
    assert_eq!(m.current().unwrap(), ["ccc"]);
    let n: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't_%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
}
