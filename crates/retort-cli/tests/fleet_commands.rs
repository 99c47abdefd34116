//! Fleets beyond `upgrade`: `{{ tenant }}` and `{{ x.KEY }}` in revisions
//! (each tenant schema gets its own value, checksums stay those of the
//! file), and `check`, `verify --database-only` and `stamp` on fleets of
//! PostgreSQL databases and SQLite files.

use std::path::Path;

use retort_testkit::pg;
use retort_testkit::project::TestProject;

mod common;

use common::retort;

/// The fleet project, and the desired schema its revisions produce.
fn project() -> TestProject {
    let p = common::fleet_project();
    p.write_config(
        "[database]\nurl = \"sqlite:///unused.db\"\n\n[autogenerate]\nschema = [\"schema.sql\"]\n",
    );
    std::fs::write(
        p.path().join("schema.sql"),
        "CREATE TABLE fleet_a (id integer PRIMARY KEY);\n\
         CREATE TABLE fleet_b (id integer PRIMARY KEY, note varchar(20));\n\
         CREATE TABLE fleet_c (id integer PRIMARY KEY);\n",
    )
    .unwrap();
    p
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite:///{}", path.display())
}

fn targets_file(dir: &Path, urls: &[String]) -> String {
    let file = common::targets_file(dir, "targets.txt", urls);
    file.to_str().unwrap().to_string()
}

/// The lines of `stdout` that start with `status` (`ok`, `DIFFERS`, …).
fn lines_with<'a>(stdout: &'a str, status: &str) -> Vec<&'a str> {
    stdout
        .lines()
        .filter(|l| l.split_whitespace().next() == Some(status))
        .collect()
}

/// `{{ tenant }}` is each schema's name, `-x owner={tenant}_owner` expands
/// per schema, and the recorded checksum is the file's for every tenant,
/// so `verify --database-only` finds nothing edited.
#[test]
fn tenant_and_x_values_differ_per_schema_and_checksums_do_not() {
    let p = project();
    let dir = p.path();
    p.revision(
        "d",
        "c",
        "",
        "CREATE TABLE who (tenant text, owner text, note text);\n\
         INSERT INTO who VALUES ('{{ tenant }}', '{{x.owner}}', '{{1,2}}');",
        Some("DROP TABLE who;"),
    );
    let db = pg::database();
    db.client()
        .batch_execute("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c;")
        .unwrap();
    let schemas = "tenant_a,tenant_b,tenant_c";

    // Without -x owner=…, the revision cannot run: said per target.
    let missing = retort(dir, &["--url", &db.url, "upgrade", "--schemas", "tenant_a"]).fails(1);
    assert!(
        missing
            .stdout
            .contains("{{ x.owner }} has no value: pass -x owner=VALUE"),
        "{}",
        missing.stdout
    );

    let run = retort(
        dir,
        &[
            "--url",
            &db.url,
            "-x",
            "owner={tenant}_owner",
            "upgrade",
            "--schemas",
            schemas,
            "--parallel",
            "2",
        ],
    )
    .ok();
    assert!(
        run.stderr.contains("3 targets: 3 upgraded"),
        "{}",
        run.stderr
    );
    let mut client = db.client();
    let mut checksums = Vec::new();
    for schema in ["tenant_a", "tenant_b", "tenant_c"] {
        let row = client
            .query_one(
                &format!("SELECT tenant, owner, note FROM {schema}.who"),
                &[],
            )
            .unwrap();
        let got: (String, String, String) = (row.get(0), row.get(1), row.get(2));
        assert_eq!(
            got,
            (
                schema.to_string(),
                format!("{schema}_owner"),
                "{{1,2}}".to_string()
            )
        );
        let sum: String = client
            .query_one(
                &format!("SELECT checksum FROM {schema}.retort_history WHERE revision = 'd'"),
                &[],
            )
            .unwrap()
            .get(0);
        checksums.push(sum);
    }
    assert!(
        checksums.iter().all(|c| *c == checksums[0]),
        "{checksums:?}"
    );

    let verify = retort(
        dir,
        &[
            "--url",
            &db.url,
            "verify",
            "--database-only",
            "--schemas",
            schemas,
        ],
    )
    .ok();
    assert!(
        verify
            .stderr
            .contains("3 targets: 3 match, 0 differ, 0 failed"),
        "{}",
        verify.stderr
    );
    let again = retort(
        dir,
        &[
            "--url",
            &db.url,
            "-x",
            "owner=x",
            "upgrade",
            "--schemas",
            schemas,
        ],
    )
    .ok();
    assert!(
        again.stderr.contains("0 upgraded, 3 already there"),
        "{}",
        again.stderr
    );

    // A SQLite target's tenant is its file's name.
    let files = tempfile::tempdir().unwrap();
    let urls: Vec<String> = ["shop1", "shop2"]
        .iter()
        .map(|n| sqlite_url(&files.path().join(format!("{n}.db"))))
        .collect();
    let list = targets_file(files.path(), &urls);
    retort(
        dir,
        &["-x", "owner={tenant}!", "upgrade", "--targets-file", &list],
    )
    .ok();
    for name in ["shop1", "shop2"] {
        let conn = rusqlite::Connection::open(files.path().join(format!("{name}.db"))).unwrap();
        let got: (String, String) = conn
            .query_row("SELECT tenant, owner FROM who", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(got, (name.to_string(), format!("{name}!")));
    }
}

/// `check` on a fleet: the one target that drifted from the desired schema
/// is reported, with its change; exit 1.
#[test]
fn check_finds_the_one_drifted_target() {
    let p = project();
    let dir = p.path();
    let files = tempfile::tempdir().unwrap();
    let dbs = [pg::database(), pg::database()];
    let mut urls: Vec<String> = dbs.iter().map(|d| d.url.clone()).collect();
    urls.push(sqlite_url(&files.path().join("s1.db")));
    urls.push(sqlite_url(&files.path().join("s2.db")));
    let list = targets_file(files.path(), &urls);
    retort(
        dir,
        &["upgrade", "--targets-file", &list, "--parallel", "2"],
    )
    .ok();

    let clean = retort(dir, &["check", "--targets-file", &list, "--parallel", "2"]).ok();
    assert!(
        clean
            .stderr
            .contains("4 targets: 4 match, 0 differ, 0 failed"),
        "{}",
        clean.stderr
    );
    assert_eq!(lines_with(&clean.stdout, "ok").len(), 4, "{}", clean.stdout);

    dbs[1]
        .client()
        .batch_execute("ALTER TABLE fleet_b ADD COLUMN drifted integer")
        .unwrap();
    let report = files.path().join("check.json");
    let drift = retort(
        dir,
        &[
            "check",
            "--targets-file",
            &list,
            "--report",
            report.to_str().unwrap(),
        ],
    )
    .fails(1);
    let differs = lines_with(&drift.stdout, "DIFFERS");
    assert_eq!(differs.len(), 1, "{}", drift.stdout);
    assert!(
        differs[0].contains(&dbs[1].name) && differs[0].contains("drifted"),
        "{}",
        differs[0]
    );
    assert!(
        drift
            .stderr
            .contains("4 targets: 3 match, 1 differ, 0 failed"),
        "{}",
        drift.stderr
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let with_differences: Vec<&serde_json::Value> = doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t.get("differences").is_some())
        .collect();
    assert_eq!(with_differences.len(), 1, "{doc}");

    // A target that is not at head is a failure, not a difference.
    let behind = files.path().join("behind.db");
    retort(dir, &["--url", &sqlite_url(&behind), "upgrade", "b"]).ok();
    let run = retort(
        dir,
        &["--url", &sqlite_url(&behind), "--url", &urls[2], "check"],
    )
    .fails(1);
    assert!(
        run.stdout.contains("not up to date (at b, heads are c)"),
        "{}",
        run.stdout
    );
}

/// `stamp` on a fleet sets every target's version table; nothing runs.
#[test]
fn stamp_sets_every_target() {
    let p = project();
    let dir = p.path();
    let files = tempfile::tempdir().unwrap();
    let db = pg::database();
    let mut urls = vec![db.url.clone()];
    for i in 0..3 {
        urls.push(sqlite_url(&files.path().join(format!("st{i}.db"))));
    }
    let list = targets_file(files.path(), &urls);
    let report = files.path().join("stamp.json");
    let run = retort(
        dir,
        &[
            "stamp",
            "head",
            "--targets-file",
            &list,
            "--parallel",
            "2",
            "--report",
            report.to_str().unwrap(),
        ],
    )
    .ok();
    assert!(
        run.stderr.contains("4 targets: 4 stamped, 0 failed"),
        "{}",
        run.stderr
    );
    assert_eq!(
        lines_with(&run.stdout, "ok")
            .iter()
            .filter(|l| l.ends_with("stamped (now at c)"))
            .count(),
        4,
        "{}",
        run.stdout
    );
    let version: String = db
        .client()
        .query_one("SELECT version_num FROM retort_version", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, "c");
    let tables: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'fleet\\_%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "stamp runs nothing");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(doc["command"], "stamp");
    assert!(doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["current"] == serde_json::json!(["c"])));
    let current = retort(dir, &["current", "--targets-file", &list]).ok();
    assert_eq!(
        current
            .stdout
            .lines()
            .filter(|l| l.ends_with("  c"))
            .count(),
        4,
        "{}",
        current.stdout
    );
}

/// `verify --database-only` on a fleet: a target that applied a revision
/// edited since is reported; one that has not applied it yet is not.
#[test]
fn verify_database_only_reports_an_edited_applied_revision() {
    let p = project();
    let dir = p.path();
    let files = tempfile::tempdir().unwrap();
    let db = pg::database();
    let at_head = sqlite_url(&files.path().join("head.db"));
    let at_b = sqlite_url(&files.path().join("at_b.db"));
    retort(dir, &["--url", &db.url, "--url", &at_head, "upgrade"]).ok();
    retort(dir, &["--url", &at_b, "upgrade", "b"]).ok();
    let fleet = ["--url", &db.url, "--url", &at_head, "--url", &at_b];

    let mut args = fleet.to_vec();
    args.extend(["verify", "--database-only"]);
    let clean = retort(dir, &args).ok();
    assert!(
        clean
            .stderr
            .contains("3 targets: 3 match, 0 differ, 0 failed"),
        "{}",
        clean.stderr
    );

    p.revision(
        "c",
        "b",
        "",
        "CREATE TABLE fleet_c (id integer PRIMARY KEY, added integer);",
        Some("DROP TABLE fleet_c;"),
    );
    let edited = retort(dir, &args).fails(1);
    let differs = lines_with(&edited.stdout, "DIFFERS");
    assert_eq!(differs.len(), 2, "{}", edited.stdout);
    assert!(
        differs
            .iter()
            .all(|l| l.contains("c was edited after it was applied")),
        "{}",
        edited.stdout
    );
    assert!(
        lines_with(&edited.stdout, "ok")
            .iter()
            .any(|l| l.contains("at_b.db")),
        "{}",
        edited.stdout
    );
    assert!(
        edited
            .stderr
            .contains("3 targets: 1 match, 2 differ, 0 failed"),
        "{}",
        edited.stderr
    );

    // On one database, the checksums check alone.
    let one = retort(dir, &["--url", &at_head, "verify", "--database-only"]).fails(1);
    assert!(one.stdout.contains("checksums"), "{}", one.stdout);
    assert!(!one.stdout.contains("stairway"), "{}", one.stdout);

    // verify on a fleet without --database-only is refused.
    let mut args = fleet.to_vec();
    args.push("verify");
    let refused = retort(dir, &args).fails(2);
    assert!(
        refused.stderr.contains("pass --database-only"),
        "{}",
        refused.stderr
    );
}

/// On a terminal (a pseudo-terminal made by `script`), a fleet shows a
/// bar for the whole fleet and a line per running target; into a pipe,
/// only the lines per target and the summary, with no control codes.
#[test]
fn a_terminal_shows_the_fleet_bar_a_pipe_does_not() {
    let p = project();
    let dir = p.path();
    let files = tempfile::tempdir().unwrap();
    let urls: Vec<String> = (0..4)
        .map(|i| sqlite_url(&files.path().join(format!("tty{i}.db"))))
        .collect();
    let list = targets_file(files.path(), &urls);
    let command = format!(
        "{} upgrade --targets-file {list} --parallel 2",
        env!("CARGO_BIN_EXE_retort")
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .output()
        .expect("script (util-linux) runs");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("upgrade ["), "{shown}");
    assert!(shown.contains("/4 targets"), "{shown}");
    assert!(shown.contains("running sqlite://"), "{shown}");
    assert!(shown.contains("4 targets: 4 upgraded"), "{shown}");

    let piped = retort(
        dir,
        &["upgrade", "--targets-file", &list, "--parallel", "2"],
    )
    .ok();
    assert_eq!(
        piped.stderr,
        "4 targets: 0 upgraded, 4 already there, 0 failed, 0 not started.\n"
    );
    assert_eq!(piped.stdout.lines().count(), 4, "{}", piped.stdout);
    assert!(
        piped
            .stdout
            .lines()
            .all(|l| l.starts_with("ok       sqlite://") && l.contains("nothing to do (at c)")),
        "{}",
        piped.stdout
    );
    assert!(!piped.all().contains('\u{1b}'), "{}", piped.all());
}
