//! Database dialects: one module per database behind one interface.
//!
//! [`Connection`] is what the runner needs from a live database; the free
//! functions of [`sql`] render the SQL retort itself runs (version table,
//! transaction control), so the online runner and the offline `--sql` script
//! share one source of truth.

mod kind;
pub mod sql;

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use kind::DialectKind;

use crate::db_url::DatabaseUrl;
use crate::error::{DbError, Error, Result};

/// A live connection to a database, as the runner uses it.
pub trait Connection {
    /// The dialect this connection speaks.
    fn kind(&self) -> DialectKind;

    /// Runs one statement (or one of retort's own commands), discarding any
    /// rows it returns.
    fn execute(&mut self, sql: &str) -> Result<(), DbError>;

    /// Runs a query and returns every row, each column as text (NULL as
    /// `None`).
    fn query_rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, DbError>;

    /// Runs a query and returns its first column as text (NULL as `None`).
    fn query_column(&mut self, sql: &str) -> Result<Vec<Option<String>>, DbError> {
        Ok(self
            .query_rows(sql)?
            .into_iter()
            .map(|row| row.into_iter().next().flatten())
            .collect())
    }

    /// Whether a table exists (`schema` = `None`: the default schema).
    fn table_exists(&mut self, schema: Option<&str>, name: &str) -> Result<bool, DbError>;

    /// Tries to take the run-long lock identified by `key` without waiting
    /// (PostgreSQL: a session advisory lock, which dies with the session).
    /// Databases whose write lock is per transaction (SQLite) return true and
    /// lock in [`Connection::try_begin_write`] instead.
    fn try_lock_session(&mut self, _key: i64) -> Result<bool, DbError> {
        Ok(true)
    }

    /// Whether this connection holds a run-long session lock, which makes
    /// re-checking the version table before each step unnecessary.
    fn holds_session_lock(&self) -> bool {
        false
    }

    /// Releases the lock taken by [`Connection::try_lock_session`].
    fn unlock_session(&mut self, _key: i64) -> Result<(), DbError> {
        Ok(())
    }

    /// Who holds the lock `key`, for the "waiting" message, if known.
    fn lock_holder(&mut self, _key: i64) -> Option<String> {
        None
    }

    /// Starts a transaction that holds the database's write lock, without
    /// waiting: `Ok(false)` means another writer holds it (try again).
    fn try_begin_write(&mut self) -> Result<bool, DbError> {
        self.execute("BEGIN").map(|()| true)
    }

    /// The database user retort runs as, for the history table; `None` lets
    /// the SQL say `current_user`.
    fn user(&mut self) -> Option<String> {
        None
    }
}

/// Opens a connection for `url`.
pub fn connect(url: &DatabaseUrl) -> Result<Box<dyn Connection>> {
    match url.kind {
        #[cfg(feature = "sqlite")]
        DialectKind::Sqlite => Ok(Box::new(sqlite::SqliteConnection::open(url)?)),
        #[cfg(not(feature = "sqlite"))]
        DialectKind::Sqlite => Err(Error::Unsupported("SQLite")),
        #[cfg(feature = "postgres")]
        DialectKind::Postgres => Ok(Box::new(postgres::PgConnection::connect(url)?)),
        #[cfg(not(feature = "postgres"))]
        DialectKind::Postgres => Err(Error::Unsupported("PostgreSQL")),
        DialectKind::Mysql => Err(Error::Unsupported("MySQL/MariaDB (planned)")),
    }
}
