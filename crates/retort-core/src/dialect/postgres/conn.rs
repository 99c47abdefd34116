//! PostgreSQL through the `postgres` crate (simple-query protocol, so each
//! statement of a revision runs exactly as written).

use std::str::FromStr;
use std::time::Duration;

use ::postgres::{Client, NoTls, SimpleQueryMessage};

use super::tls::{self, LazyTls, Tls};
use crate::db_url::DatabaseUrl;
use crate::dialect::{sql, Connection, DialectKind};
use crate::error::{DbError, Error, Result};

/// A connection to a PostgreSQL server.
pub struct PgConnection {
    client: Client,
    /// The advisory lock this session holds, if any.
    locked: Option<i64>,
}

impl PgConnection {
    /// Connects to the server the URL names.
    pub fn connect(url: &DatabaseUrl) -> Result<Self> {
        let (conn_str, tls) = tls::settings(url)?;
        let mut config = postgres::Config::from_str(&conn_str)
            .map_err(|e| Error::Url(format!("invalid PostgreSQL URL '{}': {e}", url.masked())))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("retort");
        }
        let target = describe_target(&config, url);
        let client = match tls {
            Tls::Off => config.connect(NoTls),
            Tls::On(settings) => config.connect(LazyTls(settings)),
        }
        .map_err(|e| Error::Connect {
            target,
            cause: connect_cause(&e),
        })?;
        Ok(Self {
            client,
            locked: None,
        })
    }

    /// Wraps an existing client (for services that own one).
    pub fn from_client(client: Client) -> Self {
        Self {
            client,
            locked: None,
        }
    }
}

/// `host:port/db (masked url)` for messages.
fn describe_target(config: &postgres::Config, url: &DatabaseUrl) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("PostgreSQL at {host}:{port} ({})", url.masked())
}

/// The most useful sentence out of a connection error and its causes.
fn connect_cause(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

impl Connection for PgConnection {
    fn kind(&self) -> DialectKind {
        DialectKind::Postgres
    }

    fn deferred_begin(&self) -> Option<&'static str> {
        // BEGIN takes no lock, so it never waits: it can wait for company.
        Some("BEGIN")
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.client.batch_execute(sql).map_err(|e| db_error(&e))
    }

    fn query_rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, DbError> {
        let messages = self.client.simple_query(sql).map_err(|e| db_error(&e))?;
        // Consumed as converted: each row's buffer goes as its strings come.
        Ok(messages
            .into_iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|i| row.get(i).map(str::to_string))
                        .collect(),
                ),
                _ => None,
            })
            .collect())
    }

    fn for_each_row(
        &mut self,
        sql: &str,
        row: &mut dyn FnMut(&[Option<&str>]),
    ) -> Result<(), DbError> {
        let messages = self.client.simple_query(sql).map_err(|e| db_error(&e))?;
        let mut cells: Vec<Option<&str>> = Vec::new();
        for message in &messages {
            if let SimpleQueryMessage::Row(r) = message {
                cells.clear();
                cells.extend((0..r.len()).map(|i| r.get(i)));
                row(&cells);
            }
        }
        Ok(())
    }

    fn try_lock_session(&mut self, key: i64) -> Result<bool, DbError> {
        // The try-lock runs outside any transaction and returns at once, so
        // a waiting runner never holds anything that another runner's
        // CREATE INDEX CONCURRENTLY would wait for.
        let rows = self.query_column(&format!("SELECT pg_try_advisory_lock({key})::text"))?;
        let taken = matches!(rows.first(), Some(Some(v)) if v == "true");
        if taken {
            self.locked = Some(key);
        }
        Ok(taken)
    }

    fn holds_session_lock(&self) -> bool {
        self.locked.is_some()
    }

    fn unlock_session(&mut self, key: i64) -> Result<(), DbError> {
        self.locked = None;
        self.query_column(&format!("SELECT pg_advisory_unlock({key})"))
            .map(|_| ())
    }

    fn lock_holder(&mut self, key: i64) -> Option<String> {
        // A bigint advisory key is stored as classid (high 32 bits) and
        // objid (low 32 bits).
        let (high, low) = ((key >> 32) as u32, key as u32);
        let rows = self
            .query_rows(&format!(
                "SELECT a.pid::text, coalesce(a.application_name, ''), coalesce(a.client_addr::text, 'local socket') \
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {high} AND l.objid = {low} AND l.objsubid = 1"
            ))
            .ok()?;
        let row = rows.first()?;
        let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        Some(format!(
            "PostgreSQL backend pid {} ({} from {})",
            field(0),
            field(1),
            field(2)
        ))
    }

    fn table_exists(&mut self, schema: Option<&str>, name: &str) -> Result<bool, DbError> {
        let qualified = match schema {
            Some(s) => format!("{s}.{name}"),
            None => name.to_string(),
        };
        let rows = self.query_column(&format!(
            "SELECT to_regclass({})::text",
            sql::literal(&qualified)
        ))?;
        Ok(matches!(rows.first(), Some(Some(_))))
    }
}

/// Turns a postgres error into the report users see, with SQLSTATE, detail,
/// hint and position when the server sent them.
pub(crate) fn db_error(e: &postgres::Error) -> DbError {
    match e.as_db_error() {
        Some(db) => DbError {
            message: db.message().to_string(),
            code: Some(db.code().code().to_string()),
            detail: db.detail().map(str::to_string),
            hint: db.hint().map(str::to_string),
            position: match db.position() {
                Some(postgres::error::ErrorPosition::Original(p)) => Some(*p),
                _ => None,
            },
        },
        None => DbError::msg(if e.is_closed() {
            format!("the connection to the server was lost: {e}")
        } else {
            e.to_string()
        }),
    }
}
