//! SQLite through rusqlite (bundled: no system library needed).

use std::time::Duration;

use crate::db_url::{DatabaseUrl, SqliteTarget};
use crate::dialect::{sql, Connection, DialectKind};
use crate::error::{DbError, Error, Result};

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to an SQLite file or in-memory database.
pub struct SqliteConnection {
    conn: rusqlite::Connection,
}

impl SqliteConnection {
    /// Opens (creating if needed) the database the URL names.
    pub fn open(url: &DatabaseUrl) -> Result<Self> {
        let conn = match &url.sqlite {
            Some(SqliteTarget::File(path)) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    if !parent.is_dir() {
                        return Err(Error::Connect {
                            target: url.masked(),
                            cause: format!("folder {} does not exist", parent.display()),
                        });
                    }
                }
                rusqlite::Connection::open(path)
            }
            _ => rusqlite::Connection::open_in_memory(),
        }
        .map_err(|e| Error::Connect {
            target: url.masked(),
            cause: db_error(e).message,
        })?;
        Self::from_connection(conn)
    }

    /// Wraps an existing rusqlite connection (for services that own one).
    pub fn from_connection(conn: rusqlite::Connection) -> Result<Self> {
        // Another writer holding the database makes us wait, not fail at once.
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| Error::db("setting the busy timeout", db_error(e)))?;
        Ok(Self { conn })
    }

    /// The underlying rusqlite connection.
    pub fn inner(&self) -> &rusqlite::Connection {
        &self.conn
    }
}

impl Connection for SqliteConnection {
    fn kind(&self) -> DialectKind {
        DialectKind::Sqlite
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.conn.execute_batch(sql).map_err(db_error)
    }

    fn query_rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, DbError> {
        use rusqlite::types::ValueRef;
        let mut stmt = self.conn.prepare(sql).map_err(db_error)?;
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |row| {
                (0..columns)
                    .map(|i| {
                        Ok(match row.get_ref(i)? {
                            ValueRef::Null => None,
                            ValueRef::Integer(n) => Some(n.to_string()),
                            ValueRef::Real(f) => Some(f.to_string()),
                            ValueRef::Text(t) | ValueRef::Blob(t) => {
                                Some(String::from_utf8_lossy(t).into_owned())
                            }
                        })
                    })
                    .collect::<Result<Vec<_>, rusqlite::Error>>()
            })
            .map_err(db_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
    }

    fn try_begin_write(&mut self) -> Result<bool, DbError> {
        // BEGIN IMMEDIATE takes SQLite's write lock now rather than at the
        // first write. Without waiting, so the caller can say it is waiting.
        self.conn.busy_timeout(Duration::ZERO).map_err(db_error)?;
        let result = self.conn.execute_batch("BEGIN IMMEDIATE");
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(db_error)?;
        match result {
            Ok(()) => Ok(true),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(db_error(e)),
        }
    }

    fn user(&mut self) -> Option<String> {
        std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .ok()
    }

    fn table_exists(&mut self, _schema: Option<&str>, name: &str) -> Result<bool, DbError> {
        let rows = self.query_column(&format!(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = {}",
            sql::literal(name)
        ))?;
        Ok(!rows.is_empty())
    }
}

/// Turns a rusqlite error into the report users see.
pub(crate) fn db_error(e: rusqlite::Error) -> DbError {
    match e {
        rusqlite::Error::SqliteFailure(err, msg) => DbError {
            message: msg.unwrap_or_else(|| err.to_string()),
            code: Some(code_name(err.extended_code)),
            ..DbError::default()
        },
        other => DbError::msg(other.to_string()),
    }
}

/// SQLite's name for a result code, e.g. `SQLITE_CONSTRAINT (2067)` for an
/// extended code.
fn code_name(extended: std::ffi::c_int) -> String {
    let name = match extended & 0xff {
        1 => "SQLITE_ERROR",
        2 => "SQLITE_INTERNAL",
        3 => "SQLITE_PERM",
        4 => "SQLITE_ABORT",
        5 => "SQLITE_BUSY",
        6 => "SQLITE_LOCKED",
        7 => "SQLITE_NOMEM",
        8 => "SQLITE_READONLY",
        9 => "SQLITE_INTERRUPT",
        10 => "SQLITE_IOERR",
        11 => "SQLITE_CORRUPT",
        13 => "SQLITE_FULL",
        14 => "SQLITE_CANTOPEN",
        18 => "SQLITE_TOOBIG",
        19 => "SQLITE_CONSTRAINT",
        20 => "SQLITE_MISMATCH",
        21 => "SQLITE_MISUSE",
        23 => "SQLITE_AUTH",
        25 => "SQLITE_RANGE",
        26 => "SQLITE_NOTADB",
        _ => "SQLITE",
    };
    if extended > 0xff {
        format!("{name} ({extended})")
    } else {
        name.to_string()
    }
}
