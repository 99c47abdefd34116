//! What the runner, introspection and scratch databases need from a live
//! database session.

use super::sql::TableRef;
use super::{Capabilities, Dialect, DialectKind, Engine};
use crate::error::DbError;

/// Where a lease lock ([`super::LockKind::Lease`]) lives and how long it
/// lasts, given to the connection before it is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseSettings {
    /// The lock table (`retort_lock`, in the version table's schema).
    pub table: TableRef,
    /// The lease's name: the version table it guards, qualified.
    pub name: String,
    /// How long a lease outlives its last heartbeat.
    pub ttl: std::time::Duration,
}

/// A live connection to a database, as the runner uses it.
pub trait Connection {
    /// The dialect this connection speaks.
    fn kind(&self) -> DialectKind;

    /// The dialect's implementation, for everything that differs between
    /// databases.
    fn dialect(&self) -> &'static dyn Dialect {
        super::of(self.kind())
    }

    /// The engine behind this connection, detected at connect time
    /// (PostgreSQL's protocol is also spoken by CockroachDB and
    /// YugabyteDB). By default, the dialect's own.
    fn engine(&self) -> Engine {
        Engine::of_dialect(self.kind())
    }

    /// What the database behind this connection can really do: the
    /// runner decides by these, not by the dialect's static ones (which
    /// are the default).
    fn capabilities(&self) -> &'static Capabilities {
        self.dialect().capabilities()
    }

    /// Where the lease lock lives and how long it lasts, set before
    /// [`Connection::try_lock_session`] on engines whose lock is a lease;
    /// others ignore it.
    fn configure_lease(&mut self, _settings: &LeaseSettings) {}

    /// The lease lock's holder right now (who, since when, until when),
    /// if a lease is held; `None` where locks are not leases.
    fn lease_holder(&mut self) -> std::result::Result<Option<String>, DbError> {
        Ok(None)
    }

    /// Deletes the lease lock whoever holds it (`retort unlock --force`),
    /// returning its holder as [`Connection::lease_holder`] describes it.
    fn break_lease(&mut self) -> std::result::Result<Option<String>, DbError> {
        Ok(None)
    }

    /// Runs one statement (or one of retort's own commands), discarding any
    /// rows it returns.
    fn execute(&mut self, sql: &str) -> std::result::Result<(), DbError>;

    /// Runs `statements` in order, stopping at the first that fails, whose
    /// index comes back with its error. A database that takes several
    /// statements in one message (MySQL) sends them in one round trip; by
    /// default each is its own [`Connection::execute`].
    fn execute_batch(&mut self, statements: &[&str]) -> std::result::Result<(), (usize, DbError)> {
        execute_each(self, statements)
    }

    /// Runs a query and returns every row, each column as text (NULL as
    /// `None`).
    fn query_rows(&mut self, sql: &str) -> std::result::Result<Vec<Vec<Option<String>>>, DbError>;

    /// Runs a query and hands each row to `row`, each column as text (NULL
    /// as `None`), borrowed: for rows read once, a driver that keeps the
    /// rows' text in its own buffers lends it instead of copying every
    /// field. By default, [`Connection::query_rows`].
    fn for_each_row(
        &mut self,
        sql: &str,
        row: &mut dyn FnMut(&[Option<&str>]),
    ) -> std::result::Result<(), DbError> {
        for owned in self.query_rows(sql)? {
            let cells: Vec<Option<&str>> = owned.iter().map(|c| c.as_deref()).collect();
            row(&cells);
        }
        Ok(())
    }

    /// Runs a query and returns its first column as text (NULL as `None`).
    fn query_column(&mut self, sql: &str) -> std::result::Result<Vec<Option<String>>, DbError> {
        Ok(self
            .query_rows(sql)?
            .into_iter()
            .map(|row| row.into_iter().next().flatten())
            .collect())
    }

    /// Whether a table exists (`schema` = `None`: the default schema).
    fn table_exists(
        &mut self,
        schema: Option<&str>,
        name: &str,
    ) -> std::result::Result<bool, DbError>;

    /// Tries to take the run-long lock identified by `key` without waiting
    /// (PostgreSQL: a session advisory lock, which dies with the session).
    /// Databases whose write lock is per transaction (SQLite) return true and
    /// lock in [`Connection::try_begin_write`] instead.
    fn try_lock_session(&mut self, _key: i64) -> std::result::Result<bool, DbError> {
        Ok(true)
    }

    /// Whether this connection holds a run-long session lock, which makes
    /// re-checking the version table before each step unnecessary.
    fn holds_session_lock(&self) -> bool {
        false
    }

    /// Releases the lock taken by [`Connection::try_lock_session`].
    fn unlock_session(&mut self, _key: i64) -> std::result::Result<(), DbError> {
        Ok(())
    }

    /// Who holds the lock `key`, for the "waiting" message, if known.
    fn lock_holder(&mut self, _key: i64) -> Option<String> {
        None
    }

    /// Starts a transaction that holds the database's write lock, without
    /// waiting: `Ok(false)` means another writer holds it (try again).
    fn try_begin_write(&mut self) -> std::result::Result<bool, DbError> {
        self.execute("BEGIN").map(|()| true)
    }

    /// The statement that starts a write transaction, when it never waits
    /// and can go to the server together with the next statement (one round
    /// trip instead of two: PostgreSQL's `BEGIN`). `None`: the runner
    /// calls [`Connection::try_begin_write`] instead.
    fn deferred_begin(&self) -> Option<&'static str> {
        None
    }

    /// Bounds how long each statement of this session waits for a table
    /// lock (MySQL's metadata locks: `lock_wait_timeout`), so that an
    /// `ALTER TABLE` stuck behind a long transaction fails instead of
    /// hanging. Databases without such a setting ignore it.
    fn set_lock_wait_timeout(
        &mut self,
        _timeout: std::time::Duration,
    ) -> std::result::Result<(), DbError> {
        Ok(())
    }

    /// The database user retort runs as, for the history table; `None` lets
    /// the SQL say `current_user`.
    fn user(&mut self) -> Option<String> {
        None
    }
}

/// Runs `statements` one [`Connection::execute`] each, stopping at the first
/// that fails (with its index): [`Connection::execute_batch`]'s default.
pub(crate) fn execute_each<C: Connection + ?Sized>(
    conn: &mut C,
    statements: &[&str],
) -> std::result::Result<(), (usize, DbError)> {
    for (i, statement) in statements.iter().enumerate() {
        conn.execute(statement).map_err(|db| (i, db))?;
    }
    Ok(())
}
