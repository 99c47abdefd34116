//! The example project of the README applies, reports and reverts cleanly on
//! both databases.

mod common;

use std::path::Path;

use common::{retort, set, Backend, Db};

fn example_dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/resumator"
    ))
}

on_both_backends!(example_project_round_trip);

fn example_project_round_trip(backend: Backend) {
    let db = Db::new(backend);
    let url = db.url();
    let dir = example_dir();
    let run = |args: &[&str]| {
        let mut full = vec!["--url", url.as_str()];
        full.extend_from_slice(args);
        retort(dir, &full)
    };

    let up = run(&["upgrade", "head"]).ok();
    assert_eq!(
        up.stderr.matches("Running upgrade").count(),
        5,
        "{}",
        up.stderr
    );
    assert_eq!(
        db.tables(),
        set(&["resume_templates", "resumes", "user_roles", "users"])
    );
    assert_eq!(db.versions(), set(&["5e1a7c3d9f40"]));

    let history = run(&["history", "--indicate-current"]).ok().stdout;
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(
        lines[0],
        "4d8f6b1a2c39 -> 5e1a7c3d9f40 (head) (current), Add resumes"
    );
    assert_eq!(
        lines[1],
        "2b7d91c0e3a4, 3c5e2a8f7d16 -> 4d8f6b1a2c39 (mergepoint), Merge roles and templates"
    );
    assert_eq!(
        lines.last().copied(),
        Some("<base> -> 1a0c4e5f9b21 (branchpoint), Create users")
    );
    assert_eq!(lines.len(), 5);

    // Seed data from the templates revision is there.
    assert_eq!(
        db.column("SELECT name FROM resume_templates"),
        vec!["classic".to_string()]
    );

    run(&["downgrade", "templates@base"]).ok();
    // Alembic: LABEL@base takes down the shared root and everything above it.
    assert!(db.tables().is_empty(), "{:?}", db.tables());
    assert!(db.versions().is_empty());

    // Labels spread to descendants (Alembic): once merged, accounts@head is
    // the project's head, so go to the labelled revision itself.
    run(&["upgrade", "accounts@2b7d91c0e3a4"]).ok();
    assert_eq!(db.tables(), set(&["user_roles", "users"]));
    assert_eq!(db.versions(), set(&["2b7d91c0e3a4"]));
}

/// The example's revision ids and checksums, as `history --format json`
/// gives them for the project in `dir`.
fn checksums(dir: &Path) -> Vec<(String, String)> {
    let json = retort(dir, &["--format", "json", "history"]).ok().stdout;
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let mut out: Vec<(String, String)> = doc
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            let field = |k: &str| r[k].as_str().expect(k).to_string();
            (field("revision"), field("checksum"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_example_checked_out_with_crlf_has_the_checksums_of_the_lf_one() {
    let lf = checksums(example_dir());
    assert_eq!(lf.len(), 5);
    assert!(lf.iter().all(|(_, c)| c.len() == 64), "{lf:?}");

    // A copy as a Windows checkout leaves it: CRLF and a byte-order mark.
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path();
    std::fs::copy(example_dir().join("retort.toml"), copy.join("retort.toml")).unwrap();
    let versions = copy.join("migrations/versions");
    std::fs::create_dir_all(&versions).unwrap();
    for entry in std::fs::read_dir(example_dir().join("migrations/versions")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
        std::fs::write(versions.join(path.file_name().unwrap()), windows).unwrap();
    }
    assert_eq!(checksums(copy), lf, "CRLF changed a checksum");

    // What an upgrade from the CRLF copy records is the same checksum.
    let db = copy.join("app.db");
    let url = format!("sqlite:///{}", db.display());
    retort(copy, &["--url", &url, "upgrade", "head"]).ok();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare("SELECT revision, checksum FROM retort_history ORDER BY revision")
        .unwrap();
    let recorded: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(recorded, lf);
}
