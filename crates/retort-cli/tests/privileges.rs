//! Privileges are compared only when asked: `--with-privileges` on `diff`
//! and `inspect`, `[autogenerate] privileges = true` for `check` and
//! `revision --autogenerate`. Real PostgreSQL databases, the real binary.

mod common;

use common::{retort, Db};

/// Roles are cluster-wide: made once, whichever test gets there first.
const ROLE: &str =
    "DO $$ BEGIN CREATE ROLE retort_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;";
const TABLE: &str = "CREATE TABLE reports (id integer PRIMARY KEY);";
const GRANT: &str = "GRANT SELECT ON reports TO retort_reader;";

#[test]
fn privileges_are_compared_only_when_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let (plain, granted) = (
        retort_testkit::pg::database(),
        retort_testkit::pg::database(),
    );
    plain.client().batch_execute(TABLE).expect("plain");
    granted
        .client()
        .batch_execute(&format!("{ROLE}\n{TABLE}\n{GRANT}"))
        .expect("granted");
    let diff = |extra: &[&str]| {
        let mut args = vec![
            "diff",
            "--from",
            &plain.url,
            "--to",
            &granted.url,
            "--exit-code",
        ];
        args.extend_from_slice(extra);
        retort(d, &args)
    };

    // Off: no difference, and nothing about privileges anywhere.
    let off = diff(&[]).ok();
    assert_eq!(off.stdout, "", "{}", off.all());
    assert!(!off.all().contains("GRANT"), "{}", off.all());
    let inspected = retort(d, &["inspect", &granted.url]).ok();
    assert!(!inspected.stdout.contains("GRANT"), "{}", inspected.stdout);

    // Asked: the grant, and its revoke the other way.
    let on = diff(&["--with-privileges"]).fails(1);
    assert_eq!(
        on.stdout.trim(),
        "GRANT SELECT ON TABLE reports TO retort_reader;",
        "{}",
        on.all()
    );
    let json = diff(&["--with-privileges", "--format", "json"]).fails(1);
    assert!(
        json.stdout
            .contains("grant SELECT on table reports to retort_reader"),
        "{}",
        json.stdout
    );
    assert!(
        json.stdout
            .contains("REVOKE SELECT ON TABLE reports FROM retort_reader"),
        "{}",
        json.stdout
    );
    let inspected = retort(d, &["inspect", &granted.url, "--with-privileges"]).ok();
    assert!(
        inspected
            .stdout
            .contains("GRANT SELECT ON TABLE reports TO retort_reader;"),
        "{}",
        inspected.stdout
    );

    the_config_key_turns_them_on_for_autogenerate_and_check();
}

/// In a project, `[autogenerate] privileges = true` turns them on.
fn the_config_key_turns_them_on_for_autogenerate_and_check() {
    let db = Db::new(common::Backend::Postgres);
    let p = common::project_for(&db);
    let d = p.path();
    p.revision("aaaa", "", "", TABLE, Some("DROP TABLE reports;"));
    std::fs::write(d.join("schema.sql"), format!("{ROLE}\n{TABLE}\n{GRANT}\n")).unwrap();
    let config = |extra: &str| {
        p.write_config(&format!(
            "[database]\nurl = \"{}\"\n[autogenerate]\nschema = [\"schema.sql\"]\n{extra}",
            db.url()
        ))
    };
    config("");
    retort(d, &["upgrade", "head"]).ok();
    // Off: the database matches schema.sql.
    retort(d, &["check"]).ok();

    config("privileges = true\n");
    let check = retort(d, &["check"]).fails(1);
    assert!(
        check
            .stdout
            .contains("grant SELECT on table reports to retort_reader"),
        "{}",
        check.all()
    );
    retort(
        d,
        &[
            "revision",
            "--autogenerate",
            "-m",
            "grants",
            "--rev-id",
            "bbbb",
        ],
    )
    .ok();
    let file = std::fs::read_to_string(d.join("migrations/versions/bbbb_grants.sql")).unwrap();
    assert!(
        file.contains("GRANT SELECT ON TABLE reports TO retort_reader;"),
        "{file}"
    );
    assert!(
        file.contains("REVOKE SELECT ON TABLE reports FROM retort_reader;"),
        "{file}"
    );
    retort(d, &["upgrade", "head"]).ok();
    retort(d, &["check"]).ok();
    assert_eq!(
        db.column(
            "SELECT grantee FROM information_schema.role_table_grants WHERE table_name = 'reports' AND grantee = 'retort_reader'"
        ),
        ["retort_reader"]
    );
}
