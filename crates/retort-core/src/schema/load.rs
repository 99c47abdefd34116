//! Loading a desired state into a scratch database and reading it back, so
//! the database's own parser normalises it: SQL files or folders (the
//! project's `schema.sql`), or `migrations@REV` (the schema the revisions
//! produce). SQLite scratch databases live in memory; PostgreSQL ones are
//! temporary databases on the target's server (or `dev_url`), dropped
//! afterwards even when loading fails.

use std::path::{Path, PathBuf};

use crate::db_url::DatabaseUrl;
use crate::dialect::{self, Connection, DialectKind};
use crate::error::{Error, Result, StatementError};
use crate::migrator::Migrator;
use crate::project::Project;
use crate::script::split;

use super::{introspect, Schema};

/// PostgreSQL scratch databases alive in this process, so that an interrupt
/// handler can drop them ([`drop_scratch_databases`]).
static LIVE: std::sync::Mutex<Vec<(DatabaseUrl, String)>> = std::sync::Mutex::new(Vec::new());

/// Drops every PostgreSQL scratch database this process has created and not
/// yet dropped. For interrupt handlers (Ctrl-C), where destructors do not
/// run; `WITH (FORCE)` ends the sessions still using them.
pub fn drop_scratch_databases() {
    let live = match LIVE.lock() {
        Ok(mut live) => std::mem::take(&mut *live),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    };
    for (admin_url, name) in live {
        drop_database(&admin_url, &name);
    }
}

fn drop_database(admin_url: &DatabaseUrl, name: &str) {
    if let Ok(mut admin) = dialect::connect(admin_url) {
        let _ = admin.execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

/// A database to load into, dropped (PostgreSQL) or forgotten (SQLite) when
/// this value goes away.
pub struct Scratch {
    conn: Option<Box<dyn Connection>>,
    /// `(admin URL, database name)` of a PostgreSQL scratch database.
    drop_on_exit: Option<(DatabaseUrl, String)>,
}

impl Scratch {
    /// A fresh, empty database of `server`'s dialect: in memory for SQLite,
    /// a new database on the same server for PostgreSQL.
    pub fn create(server: &DatabaseUrl) -> Result<Self> {
        match server.kind {
            DialectKind::Sqlite => {
                let memory = DatabaseUrl::parse("sqlite://:memory:", Path::new("."))?;
                Ok(Self {
                    conn: Some(dialect::connect(&memory)?),
                    drop_on_exit: None,
                })
            }
            DialectKind::Postgres => {
                let name = scratch_name();
                let mut admin = dialect::connect(server)?;
                admin
                    .execute(&format!("CREATE DATABASE {name}"))
                    .map_err(|db| Error::db(format!("creating the scratch database {name}"), db))?;
                if let Ok(mut live) = LIVE.lock() {
                    live.push((server.clone(), name.clone()));
                }
                let mut scratch = Self {
                    conn: None,
                    drop_on_exit: Some((server.clone(), name.clone())),
                };
                scratch.conn = Some(dialect::connect(&server.with_database(&name))?);
                Ok(scratch)
            }
            DialectKind::Mysql => Err(Error::Unsupported(
                "MySQL/MariaDB scratch databases (planned)",
            )),
        }
    }

    /// The connection to the scratch database.
    pub fn connection(&mut self) -> &mut dyn Connection {
        self.conn
            .as_deref_mut()
            .expect("a scratch database has a connection until dropped")
    }

    /// Takes the connection out (for a [`Migrator`]); the database is still
    /// dropped when `self` goes away.
    pub(crate) fn take(&mut self) -> Box<dyn Connection> {
        self.conn
            .take()
            .expect("a scratch database has a connection until dropped")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Close our session first: a database cannot be dropped while in use.
        self.conn = None;
        if let Some((admin_url, name)) = self.drop_on_exit.take() {
            drop_database(&admin_url, &name);
            if let Ok(mut live) = LIVE.lock() {
                live.retain(|(_, n)| n != &name);
            }
        }
    }
}

/// `retort_scratch_<pid>_<nanos>`: unique, and recognisable if one is ever
/// left behind by a killed process.
fn scratch_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("retort_scratch_{}_{nanos}", std::process::id())
}

/// The `.sql` files of `sources` in load order: files as given, folders'
/// files (recursively) sorted by path.
pub fn sql_files(sources: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for source in sources {
        if source.is_dir() {
            let mut found = Vec::new();
            collect(source, &mut found)?;
            found.sort();
            out.extend(found);
        } else if source.is_file() {
            out.push(source.clone());
        } else {
            return Err(Error::Config(format!(
                "desired schema {} does not exist (see [autogenerate] schema in retort.toml)",
                source.display()
            )));
        }
    }
    Ok(out)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
    Ok(())
}

/// Runs SQL files in `scratch`, statement by statement; a failing statement
/// is reported with its file and line.
pub fn run_files(scratch: &mut Scratch, files: &[PathBuf]) -> Result<()> {
    let conn = scratch.connection();
    let kind = conn.kind();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
        let statements = split(&text, 1, kind)
            .map_err(|e| crate::script::ScriptError::at(file, Some(e.line), e.message))?;
        for statement in statements {
            conn.execute(&statement.sql).map_err(|db| {
                Error::Statement(Box::new(StatementError {
                    revision: "desired schema".into(),
                    path: file.clone(),
                    line: statement.line,
                    direction: "loading",
                    statement: statement.sql.clone(),
                    db,
                }))
            })?;
        }
    }
    Ok(())
}

/// The schema that SQL files produce, normalised by a scratch database of
/// `server`'s dialect.
pub fn from_sql(server: &DatabaseUrl, sources: &[PathBuf]) -> Result<Schema> {
    let files = sql_files(sources)?;
    let mut scratch = Scratch::create(server)?;
    run_files(&mut scratch, &files)?;
    introspect(scratch.connection(), &[])
}

/// The schema the project's revisions produce at `rev` (`migrations@REV`),
/// built in a scratch database of `server`'s dialect. retort's own tables are
/// left out.
pub fn from_migrations(server: &DatabaseUrl, project: &Project, rev: &str) -> Result<Schema> {
    let mut scratch = Scratch::create(server)?;
    let mut migrator = Migrator::with_connection(project.clone(), scratch.take());
    migrator.upgrade(rev, &mut |_| {})?;
    let exclude = [project.version_table(), project.history_table()];
    introspect(migrator.connection(), &exclude)
}
