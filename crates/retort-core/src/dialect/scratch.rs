//! Scratch databases: empty databases of a target's dialect, for loading a
//! desired state so that the database's own parser normalises it. Each
//! dialect makes its own ([`super::Dialect::create_scratch`]): SQLite in
//! memory, PostgreSQL and MySQL a temporary database on the target's
//! server (`on_server`), dropped when the [`Scratch`] goes away, even when
//! loading fails. The server databases alive in this process are listed so
//! that an interrupt handler, where destructors do not run, can drop them
//! too (`drop_all`).

use std::sync::Mutex;

use super::{Connection, Dialect};
use crate::db_url::DatabaseUrl;
use crate::error::{Error, Result};

/// What to do when a scratch database goes away (after its connection is
/// closed): drop it from its server.
pub type Cleanup = Box<dyn FnOnce() + Send>;

/// A database to load into, cleaned up when this value goes away.
pub struct Scratch {
    conn: Option<Box<dyn Connection>>,
    cleanup: Option<Cleanup>,
    /// The session statements its connection ran (`[database] session`),
    /// to run again after a session reset.
    session: Vec<String>,
}

impl Scratch {
    /// A fresh, empty database of `server`'s dialect: in memory for SQLite,
    /// a new database on the same server for PostgreSQL.
    pub fn create(server: &DatabaseUrl) -> Result<Self> {
        let mut scratch = super::of(server.kind).create_scratch(server)?;
        scratch.session = server.session().to_vec();
        Ok(scratch)
    }

    /// Like [`Scratch::create`], for loading SQL that creates the
    /// extensions `created_by_sql`: the scratch database also gets the
    /// target's other extensions, which that SQL expects to find.
    pub fn create_for(server: &DatabaseUrl, created_by_sql: &[String]) -> Result<Self> {
        let mut scratch = super::of(server.kind).create_scratch_for(server, created_by_sql)?;
        scratch.session = server.session().to_vec();
        Ok(scratch)
    }

    /// The session statements its connection ran when opened.
    pub fn session(&self) -> &[String] {
        &self.session
    }

    /// A scratch database reached through `conn`; `cleanup` runs after the
    /// connection is closed.
    pub fn new(conn: Box<dyn Connection>, cleanup: Option<Cleanup>) -> Self {
        Self {
            conn: Some(conn),
            cleanup,
            session: Vec::new(),
        }
    }

    /// The connection to the scratch database.
    pub fn connection(&mut self) -> &mut dyn Connection {
        self.conn
            .as_deref_mut()
            .expect("a scratch database has a connection until dropped")
    }

    /// Another database that goes with this one (a Citus worker's copy),
    /// dropped with `drop_sql` through `admin_url` after this one, and by
    /// the interrupt handler like this one.
    pub(crate) fn add_companion(
        &mut self,
        dialect: &'static dyn Dialect,
        admin_url: DatabaseUrl,
        name: String,
        drop_sql: String,
    ) {
        if let Ok(mut live) = LIVE.lock() {
            live.push((admin_url.clone(), name.clone(), drop_sql.clone()));
        }
        let first = self.cleanup.take();
        self.cleanup = Some(Box::new(move || {
            if let Some(first) = first {
                first();
            }
            drop_database(dialect, &admin_url, &drop_sql);
            if let Ok(mut live) = LIVE.lock() {
                live.retain(|(url, n, _)| !(n == &name && url == &admin_url));
            }
        }));
    }

    /// Takes the connection out (for a [`crate::Migrator`]); the database is
    /// still cleaned up when `self` goes away.
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
        if let Some(cleanup) = self.cleanup.take() {
            cleanup();
        }
    }
}

/// Server scratch databases alive in this process: (server URL, name, the
/// statement that drops it).
static LIVE: Mutex<Vec<(DatabaseUrl, String, String)>> = Mutex::new(Vec::new());

/// How a dialect makes a scratch database called `name` through a
/// connection to the server: the `CREATE DATABASE` and `DROP DATABASE`
/// statements.
pub(crate) type Statements<'a> = dyn Fn(&mut dyn Connection, &str) -> Result<(String, String)> + 'a;

/// Creates `retort_scratch_<pid>_<nanos>` on `server` with the dialect's
/// `statements` and connects to it.
pub(crate) fn on_server(
    dialect: &'static dyn Dialect,
    server: &DatabaseUrl,
    statements: &Statements<'_>,
) -> Result<Scratch> {
    let name = scratch_name();
    let mut admin = dialect.connect(server)?;
    let (create, drop_sql) = statements(admin.as_mut(), &name)?;
    admin
        .execute(&create)
        .map_err(|db| Error::db(format!("creating the scratch database {name}"), db))?;
    drop(admin);
    if let Ok(mut live) = LIVE.lock() {
        live.push((server.clone(), name.clone(), drop_sql.clone()));
    }
    let admin_url = server.clone();
    let dropped_name = name.clone();
    let cleanup = Box::new(move || {
        drop_database(dialect, &admin_url, &drop_sql);
        if let Ok(mut live) = LIVE.lock() {
            live.retain(|(_, n, _)| n != &dropped_name);
        }
    });
    match dialect.connect(&server.with_database(&name)) {
        Ok(conn) => Ok(Scratch::new(conn, Some(cleanup))),
        Err(e) => {
            cleanup();
            Err(e)
        }
    }
}

/// Drops every scratch database of `dialect` this process created and has
/// not dropped.
pub(crate) fn drop_all(dialect: &'static dyn Dialect) {
    let mine = {
        let mut live = match LIVE.lock() {
            Ok(live) => live,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (mine, others) = std::mem::take(&mut *live)
            .into_iter()
            .partition(|(url, _, _)| url.kind == dialect.kind());
        *live = others;
        mine
    };
    let mine: Vec<(DatabaseUrl, String, String)> = mine;
    for (admin_url, _, drop_sql) in mine {
        drop_database(dialect, &admin_url, &drop_sql);
    }
}

/// Runs `drop_sql` on the server, ignoring failure (the database may be
/// gone already).
pub(crate) fn drop_database(dialect: &dyn Dialect, admin_url: &DatabaseUrl, drop_sql: &str) {
    if let Ok(mut admin) = dialect.connect(admin_url) {
        let _ = admin.execute(drop_sql);
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
