//! Scratch databases: empty databases of a target's dialect, for loading a
//! desired state so that the database's own parser normalises it. Each
//! dialect makes its own ([`super::Dialect::create_scratch`]): SQLite in
//! memory, PostgreSQL a temporary database on the target's server, dropped
//! when the [`Scratch`] goes away, even when loading fails.

use super::Connection;
use crate::db_url::DatabaseUrl;
use crate::error::Result;

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
