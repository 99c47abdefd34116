//! `retort import` and `retort adopt` for each tool, on SQLite and
//! PostgreSQL. A folder of 24 migrations in the tool's own format is
//! imported; retort applies it to one database, and the database's own
//! client (sqlite3, psql) runs the same up scripts in the tool's order on
//! another; the databases' catalogs must agree. Then the client-built
//! database gets the tool's history table as the tool writes it, and
//! `adopt` stamps it without running anything — fully and half-way.

mod common;

use std::path::Path;
use std::process::Command;

use common::{project_for, retort, Backend, Db};

/// One migration of the fixture: up and down SQL, and whether the tool
/// should run it outside a transaction.
struct Step {
    up: String,
    down: String,
    transactional: bool,
}

/// 24 steps in 8 groups (a table, a column, an index), then a view that
/// needs the second group: run out of order, a step fails.
fn steps() -> Vec<Step> {
    let mut out = Vec::new();
    for g in 0..7 {
        out.push(Step {
            up: format!("CREATE TABLE t{g} (id integer PRIMARY KEY, name varchar(50) NOT NULL);\nINSERT INTO t{g} (id, name) VALUES (1, 'row {g}');\n"),
            down: format!("DROP TABLE t{g};\n"),
            transactional: true,
        });
        out.push(Step {
            up: format!("ALTER TABLE t{g} ADD COLUMN note varchar(20);\n"),
            down: format!("ALTER TABLE t{g} DROP COLUMN note;\n"),
            // One step the tools run outside a transaction.
            transactional: g != 0,
        });
        out.push(Step {
            up: format!("CREATE INDEX t{g}_note ON t{g} (note);\n"),
            down: format!("DROP INDEX t{g}_note;\n"),
            transactional: true,
        });
    }
    out.push(Step {
        up: "CREATE TABLE t7 (id integer PRIMARY KEY, note varchar(20));\n".into(),
        down: "DROP TABLE t7;\n".into(),
        transactional: true,
    });
    out.push(Step {
        up: "CREATE VIEW notes AS SELECT note FROM t1 UNION ALL SELECT note FROM t7;\n".into(),
        down: "DROP VIEW notes;\n".into(),
        transactional: true,
    });
    out.push(Step {
        up: "UPDATE t1 SET note = 'imported';\n".into(),
        down: "UPDATE t1 SET note = NULL;\n".into(),
        transactional: true,
    });
    out
}

/// The version each tool gives step `i` (0-based), in the tool's order.
fn version(tool: &str, i: usize) -> String {
    let n = i + 1;
    match tool {
        "diesel" => format!("2024010100{n:04}"),
        "refinery" => n.to_string(),
        "golang-migrate" => n.to_string(),
        // Flyway orders 1.2 before 1.10.
        "flyway" => format!("1.{n}"),
        _ => format!("{}", 20240101000000u64 + n as u64),
    }
}

/// Writes the steps as `tool` lays migrations out.
fn write_fixture(tool: &str, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for (i, s) in steps().iter().enumerate() {
        let n = i + 1;
        let v = version(tool, i);
        let write = |name: String, text: String| std::fs::write(dir.join(name), text).unwrap();
        match tool {
            "diesel" => {
                let folder = dir.join(format!("2024-01-01-00{n:04}_step_{n}"));
                std::fs::create_dir_all(&folder).unwrap();
                std::fs::write(folder.join("up.sql"), &s.up).unwrap();
                std::fs::write(folder.join("down.sql"), &s.down).unwrap();
                if !s.transactional {
                    std::fs::write(folder.join("metadata.toml"), "run_in_transaction = false\n")
                        .unwrap();
                }
            }
            "sqlx" => {
                let marker = if s.transactional {
                    ""
                } else {
                    "-- no-transaction\n"
                };
                write(format!("{v}_step_{n}.up.sql"), format!("{marker}{}", s.up));
                write(format!("{v}_step_{n}.down.sql"), s.down.clone());
            }
            "refinery" => write(format!("V{v}__step_{n}.sql"), s.up.clone()),
            "golang-migrate" => {
                write(format!("{n:06}_step_{n}.up.sql"), s.up.clone());
                write(format!("{n:06}_step_{n}.down.sql"), s.down.clone());
            }
            "goose" => {
                let marker = if s.transactional {
                    ""
                } else {
                    "-- +goose NO TRANSACTION\n"
                };
                write(
                    format!("{v}_step_{n}.sql"),
                    format!("{marker}-- +goose Up\n-- +goose StatementBegin\n{}-- +goose StatementEnd\n\n-- +goose Down\n{}", s.up, s.down),
                );
            }
            "dbmate" => {
                let options = if s.transactional {
                    ""
                } else {
                    " transaction:false"
                };
                write(
                    format!("{v}_step_{n}.sql"),
                    format!(
                        "-- migrate:up{options}\n{}\n-- migrate:down\n{}",
                        s.up, s.down
                    ),
                );
            }
            "flyway" => {
                write(format!("V1_{n}__step_{n}.sql"), s.up.clone());
                write(format!("U1_{n}__step_{n}.sql"), s.down.clone());
            }
            other => panic!("no fixture for {other}"),
        }
    }
}

/// Runs `sql` with the database's own client.
fn client(db: &Db, sql: &str) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), sql).unwrap();
    let out = match db {
        Db::Sqlite(path, _) => Command::new("sqlite3")
            .arg("-bail")
            .arg(path)
            .arg(format!(".read {}", file.path().display()))
            .output(),
        Db::Pg(pg) => Command::new("psql")
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-X", "-d", &pg.url, "-f"])
            .arg(file.path())
            .output(),
        Db::Maria(_) => unreachable!("SQLite and PostgreSQL only"),
    }
    .expect("sqlite3 / psql must be installed");
    assert!(
        out.status.success(),
        "{sql}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The schema and rows as the database's own catalog lists them, without
/// retort's tables and the tools' history tables.
fn catalog(db: &Db) -> Vec<String> {
    let sql = match db {
        Db::Sqlite(..) => "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE name LIKE 't%' OR name = 'notes' ORDER BY name",
        _ => "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND (table_name LIKE 't%' OR table_name = 'notes') UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename LIKE 't%' UNION ALL SELECT pg_get_viewdef('notes'::regclass) ORDER BY 1",
    };
    let mut rows = db.column(sql);
    rows.extend(db.column("SELECT name || ' ' || coalesce(note, '-') FROM t1"));
    rows
}

/// The tool's history table as the tool creates it, saying the first `k`
/// versions are applied.
fn tool_history(tool: &str, db: &Db, k: usize) -> String {
    let pg = matches!(db, Db::Pg(_));
    let blob = if pg { "BYTEA" } else { "BLOB" };
    let versions: Vec<String> = (0..k).map(|i| version(tool, i)).collect();
    let mut sql = String::new();
    match tool {
        "diesel" => {
            sql.push_str("CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);\n");
            for v in &versions {
                sql.push_str(&format!(
                    "INSERT INTO __diesel_schema_migrations (version) VALUES ('{v}');\n"
                ));
            }
        }
        "sqlx" => {
            sql.push_str(&format!("CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, checksum {blob} NOT NULL, execution_time BIGINT NOT NULL);\n"));
            for (i, v) in versions.iter().enumerate() {
                let checksum = if pg { "'\\x00'" } else { "x'00'" };
                sql.push_str(&format!("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ({v}, 'step {}', TRUE, {checksum}, 1);\n", i + 1));
            }
        }
        "refinery" => {
            sql.push_str("CREATE TABLE refinery_schema_history (version INT PRIMARY KEY, name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255));\n");
            for (i, v) in versions.iter().enumerate() {
                sql.push_str(&format!("INSERT INTO refinery_schema_history VALUES ({v}, 'step_{}', '2024-01-01', '1');\n", i + 1));
            }
        }
        "golang-migrate" => {
            sql.push_str("CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);\n");
            if let Some(v) = versions.last() {
                sql.push_str(&format!(
                    "INSERT INTO schema_migrations VALUES ({v}, FALSE);\n"
                ));
            }
        }
        "goose" => {
            sql.push_str("CREATE TABLE goose_db_version (id integer PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT CURRENT_TIMESTAMP);\nINSERT INTO goose_db_version (id, version_id, is_applied) VALUES (1, 0, TRUE);\n");
            for (i, v) in versions.iter().enumerate() {
                sql.push_str(&format!("INSERT INTO goose_db_version (id, version_id, is_applied) VALUES ({}, {v}, TRUE);\n", i + 2));
            }
        }
        "dbmate" => {
            sql.push_str("CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);\n");
            for v in &versions {
                sql.push_str(&format!("INSERT INTO schema_migrations VALUES ('{v}');\n"));
            }
        }
        "flyway" => {
            sql.push_str("CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL);\n");
            for (i, v) in versions.iter().enumerate() {
                sql.push_str(&format!("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES ({}, '{v}', 'step {}', 'SQL', 'V1_{}__step_{}.sql', 0, 'app', 1, TRUE);\n", i + 1, i + 1, i + 1, i + 1));
            }
        }
        other => panic!("no history for {other}"),
    }
    sql
}

fn import_and_adopt(tool: &str, backend: Backend) {
    let steps = steps();
    let fixture = tempfile::tempdir().unwrap();
    write_fixture(tool, fixture.path());

    // retort: import, then upgrade a fresh database.
    let ours = Db::new(backend);
    let p = project_for(&ours);
    let dir = p.path();
    let imported = retort(
        dir,
        &["import", "--from", tool, fixture.path().to_str().unwrap()],
    )
    .ok();
    assert_eq!(
        imported.stdout.lines().count(),
        steps.len(),
        "{}",
        imported.stdout
    );
    let history = retort(dir, &["history"]).ok().stdout;
    assert_eq!(
        history.lines().count(),
        steps.len(),
        "one linear chain: {history}"
    );
    let first_id = version(tool, 0).replace('.', "_");
    let last_id = version(tool, steps.len() - 1).replace('.', "_");
    assert!(
        history.starts_with(&format!(
            "{} -> {last_id} (head)",
            version(tool, steps.len() - 2).replace('.', "_")
        )),
        "{history}"
    );
    let second = std::fs::read_to_string(
        p.versions()
            .read_dir()
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|f| {
                f.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("{}_", version(tool, 1).replace('.', "_")))
            })
            .expect("the second step's revision"),
    )
    .unwrap();
    let no_transaction_marker = !matches!(tool, "refinery" | "golang-migrate" | "flyway");
    assert_eq!(
        second.contains("-- Transaction: false"),
        no_transaction_marker,
        "{second}"
    );
    retort(dir, &["upgrade", "head"]).ok();

    // The database's own client, the tool's order.
    let theirs = Db::new(backend);
    for s in &steps {
        client(&theirs, &s.up);
    }
    assert_eq!(
        catalog(&ours),
        catalog(&theirs),
        "retort and the client built the same"
    );

    // Adopt: the tool's history says everything is applied.
    client(&theirs, &tool_history(tool, &theirs, steps.len()));
    let mut config = std::fs::read_to_string(dir.join("retort.toml")).unwrap();
    config = config.replace(&ours.url(), &theirs.url());
    std::fs::write(dir.join("retort.toml"), config).unwrap();
    let adopted = retort(dir, &["adopt", "--from", tool]).ok();
    assert!(
        adopted
            .stderr
            .contains(&format!("now at {last_id}. Nothing ran.")),
        "{}",
        adopted.stderr
    );
    assert_eq!(theirs.versions(), vec![last_id.clone()]);
    let up = retort(dir, &["upgrade", "head"]).ok();
    assert!(
        !up.stderr.contains("Running upgrade"),
        "nothing to run: {}",
        up.stderr
    );
    // Adopting twice is refused.
    let again = retort(dir, &["adopt", "--from", tool]).fails(2);
    assert!(
        again.stderr.contains("already has a retort version"),
        "{}",
        again.stderr
    );

    // Half-way: the first 10 applied by the tool, the rest by retort.
    let half = Db::new(backend);
    for s in &steps[..10] {
        client(&half, &s.up);
    }
    client(&half, &tool_history(tool, &half, 10));
    let config = std::fs::read_to_string(dir.join("retort.toml")).unwrap();
    std::fs::write(
        dir.join("retort.toml"),
        config.replace(&theirs.url(), &half.url()),
    )
    .unwrap();
    retort(dir, &["adopt", "--from", tool]).ok();
    assert_eq!(half.versions(), vec![version(tool, 9).replace('.', "_")]);
    let up = retort(dir, &["upgrade", "head"]).ok();
    assert_eq!(
        up.stderr.matches("Running upgrade").count(),
        steps.len() - 10,
        "{}",
        up.stderr
    );
    assert_eq!(catalog(&half), catalog(&ours));
    let _ = first_id;
}

macro_rules! importers {
    ($($name:ident => $tool:literal),* $(,)?) => {
        $(
            fn $name(backend: Backend) {
                import_and_adopt($tool, backend);
            }
        )*
        on_both_backends!(
            $($name,)*
            the_real_dbmate_migrates_and_retort_adopts,
            the_real_sqlx_migrates_and_retort_adopts,
            the_real_refinery_migrates_and_retort_adopts,
        );
    };
}

importers!(
    diesel => "diesel",
    sqlx => "sqlx",
    refinery => "refinery",
    golang_migrate => "golang-migrate",
    goose => "goose",
    dbmate => "dbmate",
    flyway => "flyway",
);

/// What `import` and `adopt` refuse, with the reason, leaving things as
/// they were.
#[test]
fn import_and_adopt_refuse_what_does_not_fit() {
    let db = Db::new(Backend::Sqlite);
    let p = project_for(&db);
    let dir = p.path();
    let fixture = tempfile::tempdir().unwrap();
    write_fixture("dbmate", fixture.path());
    let folder = fixture.path().to_str().unwrap();

    // A repeatable Flyway migration has no retort equivalent.
    let flyway = tempfile::tempdir().unwrap();
    std::fs::write(flyway.path().join("R__views.sql"), "SELECT 1;").unwrap();
    let run = retort(
        dir,
        &[
            "import",
            "--from",
            "flyway",
            flyway.path().to_str().unwrap(),
        ],
    )
    .fails(2);
    assert!(
        run.stderr
            .contains("repeatable migrations have no retort equivalent"),
        "{}",
        run.stderr
    );
    assert!(
        p.versions().read_dir().unwrap().next().is_none(),
        "nothing written"
    );

    retort(dir, &["import", "--from", "dbmate", folder]).ok();
    let run = retort(dir, &["import", "--from", "dbmate", folder]).fails(2);
    assert!(
        run.stderr.contains("already holds revisions"),
        "{}",
        run.stderr
    );

    // The tool's history skips a migration.
    for s in &steps()[..3] {
        client(&db, &s.up);
    }
    client(
        &db,
        &format!(
            "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);\nINSERT INTO schema_migrations VALUES ('{}'), ('{}');",
            version("dbmate", 0),
            version("dbmate", 2)
        ),
    );
    let run = retort(dir, &["adopt", "--from", "dbmate"]).fails(2);
    assert!(run.stderr.contains("skips revision"), "{}", run.stderr);
    assert!(db.versions().is_empty(), "nothing stamped");

    // A version the project does not have.
    db.exec(
        "DELETE FROM schema_migrations; INSERT INTO schema_migrations VALUES ('20990101000000');",
    );
    let run = retort(dir, &["adopt", "--from", "dbmate"]).fails(2);
    assert!(
        run.stderr.contains("which the project does not have"),
        "{}",
        run.stderr
    );

    // golang-migrate's dirty flag: a migration failed half-way.
    db.exec("DROP TABLE schema_migrations; CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (3, 1);");
    let run = retort(dir, &["adopt", "--from", "golang-migrate"]).fails(2);
    assert!(run.stderr.contains("failed half-way"), "{}", run.stderr);
    assert!(db.versions().is_empty(), "nothing stamped");
}

/// The URL a peer tool takes for `db`: SQLite as `sqlite_prefix` and the
/// file's path.
fn tool_url(db: &Db, sqlite_prefix: &str) -> String {
    match db {
        Db::Sqlite(path, _) => format!("{sqlite_prefix}{}", path.display()),
        Db::Pg(pg) => pg.url.replace("postgresql://", "postgres://"),
        Db::Maria(_) => unreachable!("SQLite and PostgreSQL only"),
    }
}

/// Runs a peer tool's command, which must succeed.
fn run_tool(command: &mut Command, what: &str) {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the real dbmate (from the npm registry) on `db` with the fixture.
fn run_dbmate(db: &Db, migrations: &Path, args: &[&str]) {
    let bin =
        retort_testkit::pgtools::dbmate().expect("dbmate from the npm registry (npm must work)");
    let url = match db {
        Db::Pg(pg) => format!("{}?sslmode=disable", pg.url),
        _ => tool_url(db, "sqlite:"),
    };
    run_tool(
        Command::new(bin)
            .env("DATABASE_URL", url)
            .arg("--no-dump-schema")
            .arg("--migrations-dir")
            .arg(migrations)
            .args(args),
        &format!("dbmate {args:?}"),
    );
}

/// dbmate itself applies the fixture (and rolls part of it back with its
/// own down scripts); retort imports the same folder and adopts both
/// databases, fully and half-way.
fn the_real_dbmate_migrates_and_retort_adopts(backend: Backend) {
    real_tool_then_adopt("dbmate", backend, &|db, dir, back| {
        run_dbmate(db, dir, &["up"]);
        for _ in 0..back {
            run_dbmate(db, dir, &["rollback"]);
        }
    });
}

/// Runs the real sqlx-cli (built from crates.io once) on `db`.
fn run_sqlx(db: &Db, migrations: &Path, args: &[&str]) {
    let bin =
        retort_testkit::pgtools::cargo_tool("sqlx-cli", "0.9.0", "sqlite,postgres,rustls", "sqlx")
            .expect("sqlx-cli from crates.io (cargo install must work)");
    run_tool(
        Command::new(bin)
            .arg("migrate")
            .args(args)
            .arg("--source")
            .arg(migrations)
            .args(["--database-url", &tool_url(db, "sqlite://")]),
        &format!("sqlx migrate {args:?}"),
    );
}

/// sqlx-cli itself applies the fixture (and reverts part of it); retort
/// imports the same folder and adopts both databases.
fn the_real_sqlx_migrates_and_retort_adopts(backend: Backend) {
    real_tool_then_adopt("sqlx", backend, &|db, dir, back| {
        touch_sqlite(db);
        run_sqlx(db, dir, &["run"]);
        for _ in 0..back {
            run_sqlx(db, dir, &["revert"]);
        }
    });
}

/// sqlx and refinery do not create a SQLite file: make an empty database.
fn touch_sqlite(db: &Db) {
    if let Db::Sqlite(path, _) = db {
        rusqlite::Connection::open(path).unwrap();
    }
}

/// The fixture applied by retort on one database and by the real `tool`
/// (through `apply(db, folder, how many to roll back)`) on two others: the
/// catalogs agree, and retort adopts both, fully and half-way.
fn real_tool_then_adopt(tool: &str, backend: Backend, apply: &dyn Fn(&Db, &Path, usize)) {
    let steps = steps();
    let fixture = tempfile::tempdir().unwrap();
    write_fixture(tool, fixture.path());
    let ours = Db::new(backend);
    let p = project_for(&ours);
    let dir = p.path();
    retort(
        dir,
        &["import", "--from", tool, fixture.path().to_str().unwrap()],
    )
    .ok();
    retort(dir, &["upgrade", "head"]).ok();

    let mut previous = ours.url();
    for back in [0, 14] {
        let theirs = Db::new(backend);
        apply(&theirs, fixture.path(), back);
        let config = std::fs::read_to_string(dir.join("retort.toml")).unwrap();
        std::fs::write(
            dir.join("retort.toml"),
            config.replace(&previous, &theirs.url()),
        )
        .unwrap();
        previous = theirs.url();
        retort(dir, &["adopt", "--from", tool]).ok();
        let at = steps.len() - back - 1;
        assert_eq!(theirs.versions(), vec![version(tool, at).replace('.', "_")]);
        let up = retort(dir, &["upgrade", "head"]).ok();
        assert_eq!(
            up.stderr.matches("Running upgrade").count(),
            back,
            "{}",
            up.stderr
        );
        assert_eq!(
            catalog(&theirs),
            catalog(&ours),
            "{tool} then retort built what retort did"
        );
    }
}

/// diesel_cli itself (built from crates.io once, with its bundled SQLite)
/// applies the fixture and reverts part of it; retort imports the same
/// folder and adopts both databases. SQLite only: diesel_cli's PostgreSQL
/// backend links the system's libpq, which the test command does not
/// install.
#[test]
fn the_real_diesel_migrates_and_retort_adopts() {
    let bin =
        retort_testkit::pgtools::cargo_tool("diesel_cli", "2.3.14", "sqlite-bundled", "diesel")
            .expect("diesel_cli from crates.io (cargo install must work)");
    real_tool_then_adopt("diesel", Backend::Sqlite, &|db, dir, back| {
        let Db::Sqlite(path, _) = db else {
            unreachable!("SQLite only")
        };
        let diesel = |command: &str| {
            run_tool(
                Command::new(&bin)
                    .args(["migration", command, "--migration-dir"])
                    .arg(dir)
                    .arg("--database-url")
                    .arg(path),
                &format!("diesel migration {command}"),
            );
        };
        diesel("run");
        for _ in 0..back {
            diesel("revert");
        }
    });
}

/// refinery_cli itself (built from crates.io once) applies the fixture,
/// all of it or up to a target version (refinery has no down migrations);
/// retort imports the same folder and adopts both databases.
fn the_real_refinery_migrates_and_retort_adopts(backend: Backend) {
    let bin = retort_testkit::pgtools::cargo_tool(
        "refinery_cli",
        "0.10.0",
        "sqlite-bundled,postgresql",
        "refinery",
    )
    .expect("refinery_cli from crates.io (cargo install must work)");
    let total = steps().len();
    real_tool_then_adopt("refinery", backend, &|db, dir, back| {
        touch_sqlite(db);
        run_tool(
            Command::new(&bin)
                .env("REFINERY_TEST_URL", tool_url(db, "sqlite://"))
                .args(["migrate", "-e", "REFINERY_TEST_URL", "-p"])
                .arg(dir)
                .args(["-t", &(total - back).to_string()]),
            "refinery migrate",
        );
    });
}
