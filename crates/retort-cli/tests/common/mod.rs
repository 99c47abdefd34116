//! Shared helpers for the CLI tests: run the real `retort` binary against a
//! real SQLite file, a real PostgreSQL database or a real MariaDB database.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use retort_testkit::project::TestProject;

/// The result of one `retort` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with both streams unless the exit code is 0.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics unless the exit code is `code`; also checks no panic leaked.
    #[track_caller]
    pub fn fails(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(!self.stderr.contains("panicked at"), "{}", self.stderr);
        assert!(!self.stderr.contains("RUST_BACKTRACE"), "{}", self.stderr);
        self
    }

    /// Both streams together.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Runs `retort ARGS` in `dir` with a clean environment for retort's own
/// variables.
pub fn retort(dir: &Path, args: &[&str]) -> Run {
    retort_command(dir, args)
        .output()
        .expect("spawn retort")
        .into()
}

/// The command `retort` runs as: in `dir`, without retort's own variables
/// and without the variables that force colour on or off, so that output
/// compares byte for byte on every machine.
pub fn retort_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_retort"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("RETORT_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// A database of either backend, as the tests see it.
pub enum Db {
    Sqlite(PathBuf, tempfile::TempDir),
    Pg(retort_testkit::pg::TestDb),
    Maria(retort_testkit::mariadb::TestDb),
}

/// Which backend a scenario runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mariadb,
}

impl Db {
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                Db::Sqlite(dir.path().join("test.db"), dir)
            }
            Backend::Postgres => Db::Pg(retort_testkit::pg::database()),
            Backend::Mariadb => Db::Maria(retort_testkit::mariadb::database()),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
            Db::Maria(_) => Backend::Mariadb,
        }
    }

    pub fn url(&self) -> String {
        match self {
            Db::Sqlite(path, _) => format!("sqlite:///{}", path.display()),
            Db::Pg(db) => db.url.clone(),
            Db::Maria(db) => db.url.clone(),
        }
    }

    /// Runs SQL directly (setup or sabotage).
    pub fn exec(&self, sql: &str) {
        match self {
            Db::Sqlite(path, _) => rusqlite::Connection::open(path)
                .and_then(|c| c.execute_batch(sql))
                .expect("sqlite exec"),
            Db::Pg(db) => db.client().batch_execute(sql).expect("pg exec"),
            Db::Maria(db) => db.execute(sql),
        }
    }

    /// A query's first column as text.
    pub fn column(&self, sql: &str) -> Vec<String> {
        match self {
            Db::Sqlite(path, _) => {
                let c = rusqlite::Connection::open(path).expect("open");
                let mut s = c.prepare(sql).expect("prepare");
                s.query_map([], |r| {
                    Ok(match r.get_ref(0)? {
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(f) => f.to_string(),
                        rusqlite::types::ValueRef::Null => String::new(),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                    })
                })
                .expect("query")
                .collect::<Result<Vec<_>, _>>()
                .expect("rows")
            }
            Db::Pg(db) => db
                .client()
                .simple_query(sql)
                .expect("query")
                .into_iter()
                .filter_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
                    _ => None,
                })
                .collect(),
            Db::Maria(db) => db
                .column(sql)
                .into_iter()
                .map(|v| if v == "NULL" { String::new() } else { v })
                .collect(),
        }
    }

    /// User tables, sorted, without retort's own.
    pub fn tables(&self) -> Vec<String> {
        let sql = match self {
            Db::Sqlite(..) => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            Db::Pg(_) => {
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            }
            Db::Maria(_) => {
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
            }
        };
        self.column(sql)
            .into_iter()
            .filter(|t| !t.ends_with("_version") && !t.ends_with("_history"))
            .collect()
    }

    /// Rows of a version table, sorted; empty if it does not exist.
    pub fn versions_in(&self, table: &str) -> Vec<String> {
        let exists = match self {
            Db::Sqlite(..) => !self
                .column(&format!(
                    "SELECT name FROM sqlite_master WHERE name = '{table}'"
                ))
                .is_empty(),
            Db::Pg(_) => {
                self.column(&format!("SELECT to_regclass('{table}')::text"))
                    .len()
                    == 1
            }
            Db::Maria(_) => !self
                .column(&format!(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '{table}'"
                ))
                .is_empty(),
        };
        if !exists {
            return Vec::new();
        }
        let mut rows = self.column(&format!("SELECT version_num FROM {table}"));
        rows.sort();
        rows
    }

    /// Rows of `retort_version`, sorted.
    pub fn versions(&self) -> Vec<String> {
        self.versions_in("retort_version")
    }
}

/// A project whose config points at `db`.
pub fn project_for(db: &Db) -> TestProject {
    let p = TestProject::new();
    p.write_config(&format!("[database]\nurl = \"{}\"\n", db.url()));
    p
}

/// Sorted strings, for comparing sets.
pub fn set(items: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// Generates one test per backend from a scenario function `fn(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name($crate::common::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name($crate::common::Backend::Postgres) })*
        }
    };
}

/// Generates one test per backend, MariaDB included, from a scenario
/// function `fn(Backend)`.
#[macro_export]
macro_rules! on_all_backends {
    ($($name:ident),* $(,)?) => {
        $crate::on_both_backends!($($name),*);
        mod mariadb {
            $(#[test] fn $name() { super::$name($crate::common::Backend::Mariadb) })*
        }
    };
}

/// The fleet tests' project: three portable revisions, `a` (table
/// `fleet_a` with one row), `b` and `c`, on a config whose own URL is
/// never used (the fleet names its targets).
pub fn fleet_project() -> TestProject {
    let p = TestProject::new();
    p.write_config("[database]\nurl = \"sqlite:///unused.db\"\n");
    p.revision(
        "a",
        "",
        "",
        "CREATE TABLE fleet_a (id integer PRIMARY KEY);\nINSERT INTO fleet_a (id) VALUES (1);",
        Some("DROP TABLE fleet_a;"),
    );
    p.revision(
        "b",
        "a",
        "",
        "CREATE TABLE fleet_b (id integer PRIMARY KEY, note varchar(20));",
        Some("DROP TABLE fleet_b;"),
    );
    p.revision(
        "c",
        "b",
        "",
        "CREATE TABLE fleet_c (id integer PRIMARY KEY);",
        Some("DROP TABLE fleet_c;"),
    );
    p
}

/// A targets file `name` in `dir`: a comment, a blank line, then `urls`
/// one a line.
pub fn targets_file(dir: &Path, name: &str, urls: &[String]) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, format!("# the fleet\n\n{}\n", urls.join("\n"))).unwrap();
    file
}
