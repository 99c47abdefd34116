//! The command line as a user meets it: init, revision, merge, help, JSON,
//! and the errors for bad config, bad files and bad identifiers.

mod common;

use common::{retort, TestProject};

#[test]
fn init_writes_a_project_and_refuses_to_overwrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = retort(dir.path(), &["init", "proj"]).ok();
    assert!(run.stdout.contains("retort.toml"), "{}", run.stdout);
    let proj = dir.path().join("proj");
    assert!(proj.join("retort.toml").is_file());
    assert!(proj.join("migrations/script.sql.j2").is_file());
    assert!(proj.join("migrations/versions").is_dir());

    let again = retort(dir.path(), &["init", "proj"]).fails(2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}

#[test]
fn revision_chain_merge_and_heads() {
    let dir = tempfile::tempdir().unwrap();
    retort(dir.path(), &["init", "."]).ok();
    let d = dir.path();

    let first = retort(
        d,
        &["revision", "-m", "Create users", "--rev-id", "aaaaaaaaaaaa"],
    )
    .ok();
    assert!(
        first.stdout.contains("aaaaaaaaaaaa_create_users.sql"),
        "{}",
        first.stdout
    );
    let text = std::fs::read_to_string(d.join("migrations/versions/aaaaaaaaaaaa_create_users.sql"))
        .unwrap();
    assert!(text.contains("-- Revision ID: aaaaaaaaaaaa"), "{text}");
    assert!(
        text.contains("-- +upgrade") && text.contains("-- +downgrade"),
        "{text}"
    );

    // Random ids are 12 lowercase hex characters; the new revision builds on the head.
    let second = retort(d, &["revision", "-m", "Add roles", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&second.stdout).unwrap();
    let id = v["revision"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 12);
    assert!(id
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!(v["revises"][0], "aaaaaaaaaaaa");

    // A second branch from the root needs --splice.
    let refused = retort(
        d,
        &["revision", "-m", "Templates", "--head", "aaaaaaaaaaaa"],
    )
    .fails(2);
    assert!(refused.stderr.contains("--splice"), "{}", refused.stderr);
    retort(
        d,
        &[
            "revision",
            "-m",
            "Templates",
            "--head",
            "aaaaaaaaaaaa",
            "--splice",
            "--rev-id",
            "bbbbbbbbbbbb",
            "--branch-label",
            "templates",
        ],
    )
    .ok();

    // Two heads: a plain `revision` refuses and says how to choose.
    let two = retort(d, &["revision", "-m", "x"]).fails(2);
    assert!(two.stderr.contains("--head"), "{}", two.stderr);
    let heads = retort(d, &["heads"]).ok();
    assert_eq!(heads.stdout.lines().count(), 2, "{}", heads.stdout);
    assert!(
        heads.stdout.contains("bbbbbbbbbbbb (templates) (head)"),
        "{}",
        heads.stdout
    );

    let merged = retort(
        d,
        &[
            "merge",
            "heads",
            "-m",
            "Merge branches",
            "--rev-id",
            "cccccccccccc",
        ],
    )
    .ok();
    assert!(
        merged.stdout.contains("cccccccccccc_merge_branches.sql"),
        "{}",
        merged.stdout
    );
    let heads = retort(d, &["heads"]).ok();
    assert_eq!(heads.stdout, "cccccccccccc (head)\n");
    let current_before = retort(d, &["--url", "sqlite:///app.db", "current"]).ok();
    assert_eq!(current_before.stdout, "");

    let branches = retort(d, &["branches"]).ok();
    assert!(
        branches.stdout.starts_with("aaaaaaaaaaaa (branchpoint)"),
        "{}",
        branches.stdout
    );

    let show = retort(d, &["show", "cccc"]).ok();
    assert!(
        show.stdout
            .starts_with("Rev: cccccccccccc (head) (mergepoint)"),
        "{}",
        show.stdout
    );
    assert!(show.stdout.contains("Merges: "), "{}", show.stdout);

    // The new revisions apply cleanly.
    retort(d, &["--url", "sqlite:///app.db", "upgrade", "head"]).ok();
    // Alembic's `current` marks tree positions too.
    let current = retort(d, &["--url", "sqlite:///app.db", "current"]).ok();
    assert_eq!(current.stdout, "cccccccccccc (head) (mergepoint)\n");
}

#[test]
fn new_root_with_head_base_and_depends_on() {
    let p = TestProject::new();
    p.table_revision("aaaa11", "", "");
    let d = p.path();
    let run = retort(
        d,
        &[
            "revision",
            "-m",
            "other root",
            "--head",
            "base",
            "--branch-label",
            "other",
            "--rev-id",
            "ooo",
            "--depends-on",
            "aaaa",
        ],
    )
    .ok();
    assert!(run.stdout.contains("ooo_other_root.sql"), "{}", run.stdout);
    let text = std::fs::read_to_string(p.versions().join("ooo_other_root.sql")).unwrap();
    assert!(
        text.contains("-- Depends On: aaaa11"),
        "depends-on prefix resolved to the full id: {text}"
    );
    assert!(text.contains("-- Branch Labels: other"), "{text}");
}

#[test]
fn config_errors_name_file_line_and_key_and_exit_2() {
    let p = TestProject::new();
    p.write_config("[database]\nurl = \"sqlite:///x.db\"\n\n[migrations]\nversion_tabel = \"v\"\n");
    let run = retort(p.path(), &["current"]).fails(2);
    assert!(run.stderr.contains("retort.toml:5"), "{}", run.stderr);
    assert!(run.stderr.contains("version_tabel"), "{}", run.stderr);

    let empty = tempfile::tempdir().unwrap();
    let run = retort(empty.path(), &["current"]).fails(2);
    assert!(run.stderr.contains("retort init"), "{}", run.stderr);

    let run = retort(p.path(), &["-c", "nope.toml", "current"]).fails(2);
    assert!(run.stderr.contains("nope.toml"), "{}", run.stderr);
}

#[test]
fn config_is_found_from_a_subfolder_and_url_precedence() {
    let p = TestProject::new();
    p.table_revision("aaa", "", "");
    let sub = p.path().join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();
    // The config's relative SQLite path resolves against the project root.
    retort(&sub, &["upgrade", "head"]).ok();
    assert!(p.path().join("test.db").is_file());

    // --url wins over the file; relative to the current folder.
    retort(&sub, &["--url", "sqlite:///flag.db", "upgrade", "head"]).ok();
    assert!(sub.join("flag.db").is_file());

    // RETORT_DATABASE_URL wins over the file, --url over it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_retort"))
        .args(["upgrade", "head"])
        .current_dir(p.path())
        .env("RETORT_DATABASE_URL", "sqlite:///env.db")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(p.path().join("env.db").is_file());
}

#[test]
fn bad_revision_files_and_identifiers_are_clear_errors() {
    let p = TestProject::new();
    p.table_revision("abcd11", "", "");
    p.table_revision("abcd22", "abcd11", "");
    let d = p.path();

    // Ambiguous prefix lists the candidates.
    let run = retort(d, &["show", "abcd"]).fails(1);
    assert!(
        run.stderr.contains("abcd11") && run.stderr.contains("abcd22"),
        "{}",
        run.stderr
    );
    // Unknown revision.
    let run = retort(d, &["show", "zzz"]).fails(1);
    assert!(run.stderr.contains("zzz"), "{}", run.stderr);

    // A missing parent names the file.
    p.table_revision("orphan", "nothere", "");
    let run = retort(d, &["heads"]).fails(1);
    assert!(
        run.stderr.contains("nothere") && run.stderr.contains("orphan.sql"),
        "{}",
        run.stderr
    );
    std::fs::remove_file(p.versions().join("orphan.sql")).unwrap();

    // A bad header key names the file and line.
    std::fs::write(
        p.versions().join("bad.sql"),
        "-- x\n-- Revision ID: bad\n-- Revizes: abcd22\n-- +upgrade\nSELECT 1;\n",
    )
    .unwrap();
    let run = retort(d, &["heads"]).fails(1);
    assert!(run.stderr.contains("bad.sql:3"), "{}", run.stderr);
    assert!(run.stderr.contains("Revizes"), "{}", run.stderr);
}

#[test]
fn bad_urls_and_unreachable_servers_never_show_passwords() {
    let p = TestProject::new();
    p.table_revision("aaa", "", "");
    let run = retort(p.path(), &["--url", "oracle://scott:tiger@db/x", "current"]).fails(2);
    assert!(run.stderr.contains("oracle"), "{}", run.stderr);
    assert!(!run.all().contains("tiger"));

    // Nothing listens on port 1: connection refused, password masked.
    let run = retort(
        p.path(),
        &[
            "--url",
            "postgresql://app:s3cret@127.0.0.1:1/app",
            "current",
        ],
    )
    .fails(1);
    assert!(run.stderr.contains("127.0.0.1:1"), "{}", run.stderr);
    assert!(run.stderr.contains("app:***@"), "{}", run.stderr);
    assert!(!run.all().contains("s3cret"));
}

#[test]
fn help_reads_well() {
    let d = tempfile::tempdir().unwrap();
    let run = retort(d.path(), &["--help"]).ok();
    for cmd in [
        "init",
        "revision",
        "upgrade",
        "downgrade",
        "current",
        "history",
        "heads",
        "branches",
        "show",
        "stamp",
        "merge",
    ] {
        assert!(
            run.stdout.contains(cmd),
            "--help lacks {cmd}:\n{}",
            run.stdout
        );
    }
    let run = retort(d.path(), &["upgrade", "--help"]).ok();
    assert!(run.stdout.contains("--sql"), "{}", run.stdout);
    // Unknown options are usage errors: exit 2.
    retort(d.path(), &["upgrade", "--frobnicate"]).fails(2);
}

#[test]
fn offline_sql_applied_by_sqlite3_matches_online() {
    let p = TestProject::new();
    p.table_revision("aaa", "", "");
    p.table_revision("bbb", "aaa", "");
    let d = p.path();
    let script = retort(d, &["upgrade", "head", "--sql"]).ok().stdout;
    assert!(
        script.contains("CREATE TABLE IF NOT EXISTS retort_version"),
        "{script}"
    );
    assert!(
        script.contains("BEGIN;") && script.contains("COMMIT;"),
        "{script}"
    );
    assert!(
        !p.path().join("test.db").exists(),
        "--sql must not touch the database"
    );

    // Apply it with rusqlite as sqlite3 would, and compare with an online run.
    let offline = d.join("offline.db");
    rusqlite::Connection::open(&offline)
        .unwrap()
        .execute_batch(&script)
        .unwrap();
    retort(d, &["upgrade", "head"]).ok();
    let dump = |path: &std::path::Path| -> Vec<String> {
        let c = rusqlite::Connection::open(path).unwrap();
        let mut s = c.prepare("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY name").unwrap();
        let mut rows: Vec<String> = s
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut v = c.prepare("SELECT version_num FROM retort_version").unwrap();
        rows.extend(
            v.query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .map(Result::unwrap),
        );
        rows
    };
    assert_eq!(dump(&offline), dump(&d.join("test.db")));

    // Downgrade offline needs FROM:TO.
    let run = retort(d, &["downgrade", "-1", "--sql"]).fails(2);
    assert!(run.stderr.contains("FROM:TO"), "{}", run.stderr);
    let down = retort(d, &["downgrade", "bbb:base", "--sql"]).ok().stdout;
    assert!(
        down.contains("DROP TABLE t_bbb") && down.contains("DROP TABLE t_aaa"),
        "{down}"
    );
}
