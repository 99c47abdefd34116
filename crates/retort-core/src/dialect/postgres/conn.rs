//! PostgreSQL through the `postgres` crate (simple-query protocol, so each
//! statement of a revision runs exactly as written).

use std::str::FromStr;
use std::time::Duration;

use ::postgres::{Client, NoTls, SimpleQueryMessage};

use super::engine;
use super::lease::{self, Heartbeat};
use super::tls::{self, LazyTls, Tls};
use crate::db_url::DatabaseUrl;
use crate::dialect::{sql, Capabilities, Connection, DialectKind, Engine, LeaseSettings, LockKind};
use crate::error::{DbError, Error, Result};

/// A connection to a PostgreSQL server (or an engine that speaks its
/// protocol: CockroachDB, YugabyteDB, Citus; detected at connect).
pub struct PgConnection {
    client: Client,
    /// The advisory lock (or lease) this session holds, if any.
    locked: Option<i64>,
    /// What is on the other end.
    engine: Engine,
    /// The URL it was opened with (the lease heartbeat opens its own
    /// connection with it); `None` for a wrapped client.
    url: Option<DatabaseUrl>,
    /// The lease lock's table, name and TTL, when the engine's lock is a
    /// lease.
    lease: Option<LeaseSettings>,
    /// This run's holder id for the lease.
    holder: String,
    /// Renews the held lease.
    heartbeat: Option<Heartbeat>,
    /// The lock table is known to exist.
    lease_table_ready: bool,
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
        let mut conn = Self::wrap(client, Some(url.clone()));
        conn.engine = conn.detect_engine()?;
        Ok(conn)
    }

    /// Wraps an existing client (for services that own one), detecting
    /// its engine (plain PostgreSQL if the detection query fails).
    pub fn from_client(client: Client) -> Self {
        let mut conn = Self::wrap(client, None);
        conn.engine = conn.detect_engine().unwrap_or(Engine::Postgres);
        conn
    }

    fn wrap(client: Client, url: Option<DatabaseUrl>) -> Self {
        Self {
            client,
            locked: None,
            engine: Engine::Postgres,
            url,
            lease: None,
            holder: lease::holder_id(),
            heartbeat: None,
            lease_table_ready: false,
        }
    }

    /// The engine on the other end, in one round trip (`version()` and
    /// whether Citus is installed), unless `RETORT_FORCE_ENGINE` (tests
    /// only) says which to behave as.
    fn detect_engine(&mut self) -> Result<Engine> {
        if let Some(forced) = engine::forced()? {
            return Ok(forced);
        }
        let rows = self.query_rows(engine::DETECT_SQL).unwrap_or_default();
        let row = rows.first();
        let field = |i: usize| row.and_then(|r| r.get(i).cloned().flatten());
        let version = field(0).unwrap_or_default();
        Ok(engine::classify(
            &version,
            field(1).as_deref() == Some("true"),
        ))
    }

    /// Refuses to run anything once the lease lock is lost: the run stops
    /// before its next statement rather than go on unlocked.
    fn check_lease(&self) -> Result<(), DbError> {
        match self.heartbeat.as_ref().and_then(Heartbeat::lost) {
            Some(why) => Err(DbError::msg(format!(
                "the migration lock's lease was lost ({why}); stopped before the next statement: run again to continue where this run stopped"
            ))),
            None => Ok(()),
        }
    }

    /// The lease settings, the table's schema resolved (a lease in the
    /// session's current schema when the version table names none).
    fn lease_settings(&mut self) -> Result<LeaseSettings, DbError> {
        let mut settings = self
            .lease
            .clone()
            .ok_or_else(|| DbError::msg("the lease lock was not configured"))?;
        if settings.table.schema.is_none() {
            let schema = self.query_column("SELECT current_schema()")?;
            settings.table.schema = schema.into_iter().next().flatten();
            self.lease = Some(settings.clone());
        }
        Ok(settings)
    }

    fn try_lease(&mut self, key: i64) -> Result<bool, DbError> {
        let settings = self.lease_settings()?;
        let url = self.url.clone().ok_or_else(|| {
            DbError::msg(
                "a lease lock needs a connection opened from a URL (its heartbeat connects again)",
            )
        })?;
        let caps = self.capabilities();
        if !self.lease_table_ready {
            lease::ensure_table(self, &settings)?;
            self.lease_table_ready = true;
        }
        let holder = self.holder.clone();
        match lease::try_acquire(self, &settings, &holder) {
            Ok(true) => {
                self.heartbeat = Some(Heartbeat::start(url, settings, holder));
                self.locked = Some(key);
                Ok(true)
            }
            Ok(false) => Ok(false),
            // A conflict between two runners' inserts: try again later.
            Err(e) if caps.is_retryable(&e) || e.code.as_deref() == Some("23505") => Ok(false),
            Err(e) => Err(e),
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

    fn engine(&self) -> Engine {
        self.engine
    }

    fn capabilities(&self) -> &'static Capabilities {
        engine::capabilities(self.engine)
    }

    fn configure_lease(&mut self, settings: &LeaseSettings) {
        self.lease = Some(settings.clone());
    }

    fn lease_holder(&mut self) -> Result<Option<String>, DbError> {
        if self.capabilities().lock != LockKind::Lease {
            return Ok(None);
        }
        let settings = self.lease_settings()?;
        lease::describe(self, &settings)
    }

    fn break_lease(&mut self) -> Result<Option<String>, DbError> {
        if self.capabilities().lock != LockKind::Lease {
            return Ok(None);
        }
        let settings = self.lease_settings()?;
        lease::break_lease(self, &settings)
    }

    fn deferred_begin(&self) -> Option<&'static str> {
        // BEGIN takes no lock, so it never waits: it can wait for company.
        Some("BEGIN")
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.check_lease()?;
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
        if self.capabilities().lock == LockKind::Lease {
            return self.try_lease(key);
        }
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
        if let Some(heartbeat) = self.heartbeat.take() {
            let lost = heartbeat.lost();
            drop(heartbeat);
            let settings = self.lease_settings()?;
            let holder = self.holder.clone();
            // A fresh holder id for the next lease this connection takes.
            self.holder = lease::holder_id();
            lease::release(self, &settings, &holder)?;
            return match lost {
                Some(why) => Err(DbError::msg(format!(
                    "the lease was lost during the run: {why}"
                ))),
                None => Ok(()),
            };
        }
        self.query_column(&format!("SELECT pg_advisory_unlock({key})"))
            .map(|_| ())
    }

    fn lock_holder(&mut self, key: i64) -> Option<String> {
        if self.capabilities().lock == LockKind::Lease {
            return self.lease_holder().ok().flatten();
        }
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
