//! `merge` where there is nothing to merge, as real Alembic 1.20 does it:
//! `alembic merge -m MSG heads` with a single head writes an ordinary
//! revision on that head (empty upgrade and downgrade); with no revision at
//! all, a new root; a single revision that is not a head is refused.

mod common;

use std::path::Path;
use std::process::Command;

use common::{retort, TestProject};

fn alembic(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(retort_testkit::alembic::alembic())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("spawn alembic");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// An Alembic project (no database needed for these commands).
fn alembic_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = alembic(dir.path(), &["init", "alembic"]);
    assert!(ok, "{text}");
    dir
}

fn retort_project() -> TestProject {
    let p = TestProject::new();
    p.write_config("[database]\nurl = \"sqlite:///test.db\"\n");
    p
}

#[test]
fn merge_heads_with_a_single_head_writes_a_revision_on_it_as_alembic_does() {
    let a = alembic_project();
    let r = retort_project();
    let first = ["revision", "-m", "first", "--rev-id", "aaaaaaaaaaaa"];
    let merge = [
        "merge",
        "-m",
        "merge it",
        "heads",
        "--rev-id",
        "bbbbbbbbbbbb",
    ];
    assert!(alembic(a.path(), &first).0);
    retort(r.path(), &first).ok();
    let (ok, text) = alembic(a.path(), &merge);
    assert!(ok, "Alembic accepts it: {text}");
    let run = retort(r.path(), &merge).ok();
    assert!(
        run.stdout.starts_with("Generating ")
            && run
                .stdout
                .ends_with("bbbbbbbbbbbb_merge_it.sql ...  done\n"),
        "{}",
        run.stdout
    );

    // The same graph, in the same words.
    for args in [&["history"][..], &["heads"]] {
        let (ok, expected) = alembic(a.path(), args);
        assert!(ok, "{expected}");
        let got = retort(r.path(), args).ok().stdout;
        assert_eq!(got, expected, "{args:?}");
    }
    assert_eq!(
        retort(r.path(), &["history"]).ok().stdout,
        "aaaaaaaaaaaa -> bbbbbbbbbbbb (head), merge it\n<base> -> aaaaaaaaaaaa, first\n"
    );

    // One parent, not a merge point; empty sections, so it is reversible.
    let file = r.versions().join("bbbbbbbbbbbb_merge_it.sql");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("-- Revises: aaaaaaaaaaaa\n"), "{text}");
    assert!(
        text.contains("-- +upgrade") && text.contains("-- +downgrade"),
        "{text}"
    );
    let json = retort(r.path(), &["--format", "json", "show", "bbbbbbbbbbbb"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc[0]["revises"], serde_json::json!(["aaaaaaaaaaaa"]));
    assert_eq!(doc[0]["is_merge_point"], false);
    assert_eq!(doc[0]["reversible"], true);

    retort(r.path(), &["upgrade", "head"]).ok();
    assert_eq!(
        retort(r.path(), &["current"]).ok().stdout,
        "bbbbbbbbbbbb (head)\n"
    );
    retort(r.path(), &["downgrade", "-1"]).ok();
    assert_eq!(retort(r.path(), &["current"]).ok().stdout, "aaaaaaaaaaaa\n");
    retort(r.path(), &["verify", "--no-database"]).ok();
}

#[test]
fn merge_heads_with_no_revision_writes_a_root_as_alembic_does() {
    let a = alembic_project();
    let r = retort_project();
    let merge = ["merge", "-m", "start", "heads", "--rev-id", "cccccccccccc"];
    let (ok, text) = alembic(a.path(), &merge);
    assert!(ok, "{text}");
    retort(r.path(), &merge).ok();
    let (_, expected) = alembic(a.path(), &["history"]);
    assert_eq!(retort(r.path(), &["history"]).ok().stdout, expected);
    assert_eq!(expected, "<base> -> cccccccccccc (head), start\n");
}

#[test]
fn merge_of_one_revision_that_is_not_a_head_is_refused_as_alembic_does() {
    let a = alembic_project();
    let r = retort_project();
    for rev in ["aaaaaaaaaaaa", "bbbbbbbbbbbb"] {
        let head: &[&str] = if rev == "bbbbbbbbbbbb" {
            &["--head", "aaaaaaaaaaaa"]
        } else {
            &[]
        };
        let args = [&["revision", "-m", rev, "--rev-id", rev][..], head].concat();
        assert!(alembic(a.path(), &args).0);
        retort(r.path(), &args).ok();
    }
    let merge = ["merge", "-m", "m", "aaaaaaaaaaaa"];
    let (ok, text) = alembic(a.path(), &merge);
    assert!(!ok && text.contains("not a head"), "{text}");
    let run = retort(r.path(), &merge).fails(2);
    assert!(
        run.stderr.contains("aaaaaaaaaaaa is not a head") && run.stderr.contains("--splice"),
        "{}",
        run.stderr
    );
    // Several heads still merge as before.
    retort(
        r.path(),
        &[
            "revision",
            "-m",
            "side",
            "--head",
            "aaaaaaaaaaaa",
            "--splice",
            "--rev-id",
            "dddddddddddd",
        ],
    )
    .ok();
    retort(
        r.path(),
        &["merge", "-m", "both", "heads", "--rev-id", "eeeeeeeeeeee"],
    )
    .ok();
    let heads = retort(r.path(), &["heads"]).ok().stdout;
    assert_eq!(heads, "eeeeeeeeeeee (head)\n");
}
