//! PostgreSQL through the `postgres` crate (simple-query protocol, so each
//! statement of a revision runs exactly as written).

use std::str::FromStr;
use std::time::Duration;

use postgres::{Client, NoTls, SimpleQueryMessage};

use crate::db_url::DatabaseUrl;
use crate::dialect::{sql, Connection, DialectKind};
use crate::error::{DbError, Error, Result};

/// A connection to a PostgreSQL server.
pub struct PgConnection {
    client: Client,
}

impl PgConnection {
    /// Connects to the server the URL names.
    pub fn connect(url: &DatabaseUrl) -> Result<Self> {
        let mut config = postgres::Config::from_str(url.as_str()).map_err(|e| {
            Error::Url(format!("invalid PostgreSQL URL '{}': {e}", url.masked()))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("retort");
        }
        let target = describe_target(&config, url);
        let client = config.connect(NoTls).map_err(|e| Error::Connect {
            target,
            cause: connect_cause(&e),
        })?;
        Ok(Self { client })
    }

    /// Wraps an existing client (for services that own one).
    pub fn from_client(client: Client) -> Self {
        Self { client }
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

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.client.batch_execute(sql).map_err(|e| db_error(&e))
    }

    fn query_column(&mut self, sql: &str) -> Result<Vec<Option<String>>, DbError> {
        let messages = self.client.simple_query(sql).map_err(|e| db_error(&e))?;
        Ok(messages
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(row) => Some(row.get(0).map(str::to_string)),
                _ => None,
            })
            .collect())
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
