//! The progress hook: numbered steps from `Migrator` and from `verify`'s
//! stairway, reported to a callback (the library itself prints nothing).

use std::cell::RefCell;
use std::rc::Rc;

use retort::plan::Direction;
use retort::progress::ProgressEvent;
use retort::{Migrator, Project};
use retort_testkit::project::TestProject;

/// What a callback saw, as short strings: `start 1/3 aaa`, `end 1/3 aaa`,
/// `stage heads`.
fn recorder() -> (Rc<RefCell<Vec<String>>>, impl FnMut(&ProgressEvent<'_>)) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let record = move |event: &ProgressEvent<'_>| {
        let line = match event {
            ProgressEvent::Stage { name } => format!("stage {name}"),
            ProgressEvent::StepStarted(s) => {
                format!(
                    "start {}/{} {} {:?}",
                    s.index, s.total, s.revision, s.direction
                )
            }
            ProgressEvent::StepFinished { step: s, .. } => {
                format!("end {}/{} {}", s.index, s.total, s.revision)
            }
            _ => "other".to_string(),
        };
        sink.borrow_mut().push(line);
    };
    (seen, record)
}

fn three_revisions() -> TestProject {
    let p = TestProject::new();
    p.table_revision("aaa", "", "");
    p.table_revision("bbb", "aaa", "");
    p.table_revision("ccc", "bbb", "");
    p
}

#[test]
fn migrator_reports_numbered_steps_of_upgrade_and_downgrade() {
    let p = three_revisions();
    let project = Project::discover(p.path()).expect("project");
    let mut m = Migrator::connect(project, "sqlite://:memory:").expect("connect");
    let (seen, record) = recorder();
    m.set_progress(Box::new(record));

    m.upgrade("head", &mut |_| {}).unwrap();
    assert_eq!(
        *seen.borrow(),
        [
            "start 1/3 aaa Upgrade",
            "end 1/3 aaa",
            "start 2/3 bbb Upgrade",
            "end 2/3 bbb",
            "start 3/3 ccc Upgrade",
            "end 3/3 ccc",
        ]
    );
    seen.borrow_mut().clear();

    m.downgrade("-2", &mut |_| {}).unwrap();
    assert_eq!(
        *seen.borrow(),
        [
            "start 1/2 ccc Downgrade",
            "end 1/2 ccc",
            "start 2/2 bbb Downgrade",
            "end 2/2 bbb",
        ]
    );
    seen.borrow_mut().clear();

    // Nothing to do: no events.
    m.downgrade("aaa", &mut |_| {}).unwrap();
    assert!(seen.borrow().is_empty(), "{:?}", seen.borrow());
}

#[test]
fn step_progress_carries_the_message() {
    let p = three_revisions();
    let project = Project::discover(p.path()).expect("project");
    let messages = Rc::new(RefCell::new(Vec::new()));
    let sink = messages.clone();
    let mut m = Migrator::connect(project, "sqlite://:memory:").expect("connect");
    m.set_progress(Box::new(move |event| {
        if let ProgressEvent::StepStarted(s) = event {
            assert_eq!(s.direction, Direction::Upgrade);
            sink.borrow_mut().push(s.message.to_string());
        }
    }));
    m.upgrade("+1", &mut |_| {}).unwrap();
    let messages = messages.borrow();
    assert_eq!(messages.len(), 1);
    assert!(!messages[0].is_empty(), "{messages:?}");
}

#[test]
fn verify_reports_stages_and_the_stairway() {
    let p = three_revisions();
    let project = Project::discover(p.path()).expect("project");
    let scratch = retort::DatabaseUrl::parse("sqlite://:memory:", p.path()).unwrap();
    let options = retort::verify::Options {
        scratch,
        target: None,
    };
    let (seen, mut record) = recorder();
    let report = retort::verify::verify_with_progress(&project, &options, &mut record).unwrap();
    assert!(report.passed(), "{report:?}");
    assert_eq!(
        *seen.borrow(),
        [
            "stage heads",
            "stage checksums",
            "stage downgrades",
            "stage stairway",
            "start 1/3 aaa Upgrade",
            "end 1/3 aaa",
            "start 2/3 bbb Upgrade",
            "end 2/3 bbb",
            "start 3/3 ccc Upgrade",
            "end 3/3 ccc",
            "stage schema",
        ]
    );
}
