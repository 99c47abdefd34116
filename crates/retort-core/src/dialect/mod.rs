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

    /// Runs a query and returns its first column as text (NULL as `None`).
    fn query_column(&mut self, sql: &str) -> Result<Vec<Option<String>>, DbError>;

    /// Whether a table exists (`schema` = `None`: the default schema).
    fn table_exists(&mut self, schema: Option<&str>, name: &str) -> Result<bool, DbError>;
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
