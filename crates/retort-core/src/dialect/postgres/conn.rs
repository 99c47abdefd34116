//! PostgreSQL through the `postgres` crate (simple-query protocol, so each
//! statement of a revision runs exactly as written).

use std::str::FromStr;
use std::time::Duration;

use ::postgres::{Client, NoTls, SimpleQueryMessage};

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
        let (conn_str, tls) = tls_settings(url)?;
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
            Tls::On { verify, root_cert } => {
                let connector = tls_connector(verify, root_cert.as_deref()).map_err(|cause| {
                    Error::Connect {
                        target: target.clone(),
                        cause,
                    }
                })?;
                config.connect(connector)
            }
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

/// How to secure the connection, from libpq's `sslmode` and `sslrootcert`.
enum Tls {
    /// `sslmode=disable`: plain TCP.
    Off,
    /// Any other mode: TLS when the server offers it (`prefer`, `allow`) or
    /// always (`require`, `verify-ca`, `verify-full`).
    On {
        /// Check the certificate chain and host name (`verify-*`, or
        /// `require` with an `sslrootcert`, as libpq does).
        verify: bool,
        /// Extra trusted root certificate (PEM file).
        root_cert: Option<String>,
    },
}

/// Splits libpq's TLS parameters off the URL. tokio-postgres knows only
/// `disable`, `prefer` and `require`; the verification modes and the root
/// certificate are applied to the TLS connector instead.
fn tls_settings(url: &DatabaseUrl) -> Result<(String, Tls)> {
    let raw = url.as_str();
    let (base, query) = match raw.split_once('?') {
        Some((b, q)) => (b, q),
        None => (raw, ""),
    };
    let mut mode = "prefer".to_string();
    let mut root_cert = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", v)) => mode = v.to_string(),
            Some(("sslrootcert", v)) => root_cert = Some(v.to_string()),
            _ => kept.push(pair),
        }
    }
    let (pg_mode, tls) = match mode.as_str() {
        "disable" => ("disable", Tls::Off),
        "allow" | "prefer" => ("prefer", Tls::On { verify: false, root_cert }),
        "require" => {
            let verify = root_cert.is_some();
            ("require", Tls::On { verify, root_cert })
        }
        "verify-ca" | "verify-full" => ("require", Tls::On { verify: true, root_cert }),
        other => {
            return Err(Error::Url(format!(
                "unknown sslmode '{other}' in '{}': use disable, allow, prefer, require, verify-ca or verify-full",
                url.masked()
            )))
        }
    };
    kept.push(match pg_mode {
        "disable" => "sslmode=disable",
        "require" => "sslmode=require",
        _ => "sslmode=prefer",
    });
    Ok((format!("{base}?{}", kept.join("&")), tls))
}

fn tls_connector(
    verify: bool,
    root_cert: Option<&str>,
) -> std::result::Result<postgres_native_tls::MakeTlsConnector, String> {
    let mut builder = native_tls::TlsConnector::builder();
    if !verify {
        // libpq's `prefer`/`require`: encrypt, but do not check who answers.
        builder
            .danger_accept_invalid_certs(true)
            .danger_accept_invalid_hostnames(true);
    }
    if let Some(path) = root_cert {
        let pem =
            std::fs::read(path).map_err(|e| format!("cannot read sslrootcert {path}: {e}"))?;
        let cert = native_tls::Certificate::from_pem(&pem)
            .map_err(|e| format!("sslrootcert {path} is not a PEM certificate: {e}"))?;
        builder.add_root_certificate(cert);
    }
    let connector = builder
        .build()
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    Ok(postgres_native_tls::MakeTlsConnector::new(connector))
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
        Ok(messages
            .iter()
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
