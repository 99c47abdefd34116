//! The header cache through the library: a warm cache opens no revision
//! file, sections are read on first use and refuse a file changed since its
//! header was read, and a cache that cannot be written is no error.

use std::time::{Duration, Instant};

use retort::config::Config;
use retort::Project;
use retort_testkit::project::TestProject;

const REVISIONS: usize = 40;

/// A linear project of [`REVISIONS`] table revisions.
fn project() -> TestProject {
    let p = TestProject::new();
    let mut parent = String::new();
    for i in 0..REVISIONS {
        let id = format!("r{i:03}");
        p.table_revision(&id, &parent, "");
        parent = id;
    }
    p
}

fn load(p: &TestProject, cache: bool) -> Project {
    let mut config = Config::load(&p.path().join("retort.toml")).expect("config");
    config.header_cache = cache;
    Project::load(config).expect("project loads")
}

/// Loads until every header comes from the cache (an entry is stored only
/// once its file's last change is older than the cache file).
fn warm(p: &TestProject) -> Project {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let project = load(p, true);
        let report = project.header_cache().expect("the cache is on");
        if report.from_cache == REVISIONS {
            return project;
        }
        assert!(Instant::now() < deadline, "never warm: {report}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_warm_cache_opens_no_revision_file() {
    let p = project();
    let cold = load(&p, true);
    let report = cold.header_cache().expect("report");
    assert_eq!(report.files_read, REVISIONS, "{report}");
    assert!(report.written, "{report}");
    assert!(p.path().join(".retort/cache").is_file());
    assert_eq!(
        std::fs::read_to_string(p.path().join(".retort/.gitignore")).unwrap(),
        "# retort's header cache: safe to delete, never commit\n*\n"
    );

    warm(&p);
    let project = load(&p, true);
    let report = project.header_cache().expect("report");
    assert_eq!(report.files_read, 0, "{report}");
    assert_eq!(report.from_cache, REVISIONS, "{report}");
    assert!(!report.written, "nothing changed: {report}");
    assert!(
        project.scripts().iter().all(|s| !s.sections_loaded()),
        "no section read yet"
    );

    // The same project as reading every file.
    let plain = load(&p, false);
    assert!(plain.header_cache().is_none());
    assert_eq!(project.graph().heads(), plain.graph().heads());
    for (cached, read) in project.scripts().iter().zip(plain.scripts()) {
        assert_eq!(cached.id, read.id);
        assert_eq!(cached.path, read.path);
        assert_eq!(cached.parents, read.parents);
        assert_eq!(cached.message, read.message);
        assert_eq!(cached.doc, read.doc);
        assert_eq!(cached.checksum, read.checksum);
        assert_eq!(cached.is_reversible(), read.is_reversible());
        assert_eq!(cached.upgrade_line(), read.upgrade_line());
    }

    // A section is read when asked for, once.
    let script = project.script("r007").expect("r007");
    let up = script.upgrade().expect("readable");
    assert_eq!(
        up.sql.trim(),
        "CREATE TABLE t_r007 (id integer PRIMARY KEY);"
    );
    assert_eq!(up, plain.script("r007").unwrap().upgrade().unwrap());
    assert_eq!(
        script.downgrade().unwrap().unwrap().sql.trim(),
        "DROP TABLE t_r007;"
    );
    assert!(script.sections_loaded());
    assert_eq!(script, plain.script("r007").unwrap());
    let loaded = project.scripts().iter().filter(|s| s.sections_loaded());
    assert_eq!(loaded.count(), 1);
}

#[test]
fn a_file_edited_after_its_header_was_read_is_an_error() {
    let p = project();
    let project = warm(&p);
    let path = p.versions().join("r005.sql");
    // Same size, same header, another upgrade: the checksum would differ.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("t_r005", "t_r00x")).unwrap();
    let err = project
        .script("r005")
        .unwrap()
        .upgrade()
        .expect_err("the file changed");
    assert!(
        err.to_string().contains("changed while retort was running"),
        "{err}"
    );
    // Untouched files still read.
    assert!(project.script("r006").unwrap().upgrade().is_ok());
    // A fresh load sees the edit.
    let again = load(&p, true);
    assert!(again
        .script("r005")
        .unwrap()
        .upgrade()
        .unwrap()
        .sql
        .contains("t_r00x"));
}

#[test]
fn an_unwritable_cache_is_not_an_error() {
    let p = project();
    // A file where the cache folder would be: it cannot be created.
    std::fs::write(p.path().join(".retort"), "not a folder").unwrap();
    for _ in 0..2 {
        let project = load(&p, true);
        let report = project.header_cache().expect("report");
        assert_eq!(report.files_read, REVISIONS);
        assert!(!report.written);
        assert!(
            report
                .note
                .as_deref()
                .is_some_and(|n| n.starts_with("not written")),
            "{report}"
        );
        assert_eq!(project.graph().heads(), ["r039"]);
    }
}

#[test]
fn the_config_switch_turns_the_cache_off() {
    let p = project();
    p.write_config(
        "[database]\nurl = \"sqlite:///test.db\"\n\n[migrations]\nheader_cache = false\n",
    );
    let config = Config::load(&p.path().join("retort.toml")).expect("config");
    assert!(!config.header_cache);
    let project = Project::load(config).expect("loads");
    assert!(project.header_cache().is_none());
    assert!(!p.path().join(".retort").exists());
    assert!(Config::defaults(p.path()).header_cache, "on by default");
}
