//! MySQL and MariaDB through the `mysql` crate (text protocol, so each
//! statement of a revision runs exactly as written; several statements in
//! one call are allowed, and an error in any of them is reported).
//!
//! The run lock is a named lock (`GET_LOCK(name, 0)`, polled), which belongs
//! to the session: it is released by `RELEASE_LOCK` and dies with the
//! connection, also when the process is killed.

use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder, SslOpts, Value};

use super::server::ServerVersion;
use crate::db_url::DatabaseUrl;
use crate::dialect::{sql, Connection, DialectKind};
use crate::error::{DbError, Error, Result};

/// A connection to a MySQL or MariaDB server.
pub struct MysqlConnection {
    conn: Conn,
    /// The database the session uses (`DATABASE()`), part of lock names:
    /// named locks are server-wide.
    database: String,
    /// The server's version and flavour (`VERSION()`), when it parses.
    server: Option<ServerVersion>,
    /// The named lock this session holds, if any.
    locked: Option<String>,
}

/// How to secure the connection (`ssl-mode`, MySQL's client names; libpq's
/// `sslmode` names are accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SslMode {
    /// Plain TCP.
    Disabled,
    /// TLS when the server offers it, without checking the certificate (the
    /// MySQL client's default).
    Preferred,
    /// TLS, without checking the certificate (unless a CA is given).
    Required,
    /// TLS, the certificate checked against the CA.
    VerifyCa,
    /// TLS, the certificate and the host name checked.
    VerifyIdentity,
}

/// Everything a MySQL URL says, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MysqlTarget {
    /// User name (percent-decoded).
    pub user: Option<String>,
    /// Password (percent-decoded).
    pub password: Option<String>,
    /// Host (default `127.0.0.1`).
    pub host: String,
    /// Port (default 3306).
    pub port: u16,
    /// The database, if the URL names one.
    pub database: Option<String>,
    /// `socket=`: a Unix socket instead of TCP.
    pub socket: Option<String>,
    ssl_mode: SslMode,
    /// `ssl-ca=`: a PEM file of trusted certificates.
    pub ssl_ca: Option<String>,
    /// `charset=`: `SET NAMES` after connecting.
    pub charset: Option<String>,
}

impl MysqlTarget {
    /// Parses `mysql://user:pass@host:port/db?socket=…&ssl-mode=…&ssl-ca=…`.
    pub fn parse(url: &DatabaseUrl) -> Result<Self> {
        let bad = |why: &str| Error::Url(format!("invalid MySQL URL '{}': {why}", url.masked()));
        let rest = url
            .as_str()
            .split_once("://")
            .map_or(url.as_str(), |(_, r)| r);
        let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = base.split_once('/').unwrap_or((base, ""));
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            Some(info) => match info.split_once(':') {
                Some((u, p)) => (Some(decode(u)), Some(decode(p))),
                None => (Some(decode(info)), None),
            },
            None => (None, None),
        };
        // `[::1]:3306`, `[::1]`, `host:3306`, `host`.
        let (host, port_text) = match hostport.strip_prefix('[') {
            Some(v6) => match v6.split_once(']') {
                Some((h, tail)) => (h, tail.strip_prefix(':')),
                None => return Err(bad("an IPv6 host needs its closing ']'")),
            },
            None => match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            },
        };
        let port = match port_text {
            Some(p) => p
                .parse::<u16>()
                .map_err(|_| bad(&format!("'{p}' is not a port number")))?,
            None => 3306,
        };
        let mut target = MysqlTarget {
            user: user.filter(|u| !u.is_empty()),
            password,
            host: if host.is_empty() { "127.0.0.1" } else { host }.to_string(),
            port,
            database: Some(decode(path)).filter(|d| !d.is_empty()),
            socket: None,
            ssl_mode: SslMode::Preferred,
            ssl_ca: None,
            charset: None,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            match key.to_ascii_lowercase().replace('_', "-").as_str() {
                "socket" | "unix-socket" => target.socket = Some(value),
                "ssl-mode" | "sslmode" => target.ssl_mode = ssl_mode(&value).ok_or_else(|| {
                    bad(&format!("unknown ssl-mode '{value}': use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY"))
                })?,
                "ssl-ca" | "sslrootcert" => target.ssl_ca = Some(value),
                "charset" if value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                    target.charset = Some(value)
                }
                "charset" => return Err(bad(&format!("'{value}' is not a character set name"))),
                "user" => target.user = Some(value),
                "password" => target.password = Some(value),
                other => {
                    return Err(bad(&format!(
                        "unknown parameter '{other}' (known: socket, ssl-mode, ssl-ca, charset, user, password)"
                    )))
                }
            }
        }
        if target.ssl_ca.is_some() && target.ssl_mode == SslMode::Preferred {
            // As the MySQL client: a CA without a mode means verify it.
            target.ssl_mode = SslMode::VerifyCa;
        }
        Ok(target)
    }

    fn opts(&self, tls: bool) -> OptsBuilder {
        let mut opts = OptsBuilder::new()
            .user(self.user.clone())
            .pass(self.password.clone())
            .db_name(self.database.clone())
            .prefer_socket(false)
            .tcp_connect_timeout(Some(Duration::from_secs(10)));
        opts = match &self.socket {
            Some(socket) => opts.socket(Some(socket.clone())),
            None => opts
                .ip_or_hostname(Some(self.host.clone()))
                .tcp_port(self.port),
        };
        if tls {
            let verify = matches!(self.ssl_mode, SslMode::VerifyCa | SslMode::VerifyIdentity)
                || (self.ssl_mode == SslMode::Required && self.ssl_ca.is_some());
            let mut ssl = SslOpts::default()
                .with_danger_accept_invalid_certs(!verify)
                .with_danger_skip_domain_validation(self.ssl_mode != SslMode::VerifyIdentity);
            if let Some(ca) = &self.ssl_ca {
                ssl = ssl.with_root_cert_path(Some(std::path::PathBuf::from(ca)));
            }
            opts = opts.ssl_opts(Some(ssl));
        }
        if let Some(charset) = &self.charset {
            opts = opts.init(vec![format!("SET NAMES {charset}")]);
        }
        opts
    }

    /// `MariaDB/MySQL at host:port (masked url)` for messages.
    fn describe(&self, url: &DatabaseUrl) -> String {
        match &self.socket {
            Some(socket) => format!("MySQL at socket {socket} ({})", url.masked()),
            None => format!("MySQL at {}:{} ({})", self.host, self.port, url.masked()),
        }
    }
}

fn ssl_mode(value: &str) -> Option<SslMode> {
    Some(
        match value.to_ascii_lowercase().replace('_', "-").as_str() {
            "disabled" | "disable" | "false" | "0" => SslMode::Disabled,
            "preferred" | "prefer" | "allow" => SslMode::Preferred,
            "required" | "require" | "true" | "1" => SslMode::Required,
            "verify-ca" => SslMode::VerifyCa,
            "verify-identity" | "verify-full" => SslMode::VerifyIdentity,
            _ => return None,
        },
    )
}

/// Percent-decoding of a URL part (`p%40ss` → `p@ss`); a `%` not followed by
/// two hex digits is kept as written.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl MysqlConnection {
    /// Connects to the server the URL names.
    pub fn connect(url: &DatabaseUrl) -> Result<Self> {
        let target = MysqlTarget::parse(url)?;
        let describe = || target.describe(url);
        let conn = match target.ssl_mode {
            SslMode::Disabled => Conn::new(target.opts(false)),
            SslMode::Preferred => match Conn::new(target.opts(true)) {
                // The server has no TLS: plain TCP, as the MySQL client does.
                Err(mysql::Error::DriverError(mysql::DriverError::TlsNotSupported)) => {
                    Conn::new(target.opts(false))
                }
                other => other,
            },
            _ => Conn::new(target.opts(true)),
        }
        .map_err(|e| Error::Connect {
            target: describe(),
            cause: connect_cause(&e),
        })?;
        Self::adopt(conn).map_err(|db| Error::Connect {
            target: describe(),
            cause: db.to_string(),
        })
    }

    /// Uses a connection the service already opened (for
    /// [`crate::Migrator::with_connection`]); its session settings stay as
    /// they are. The run lock's name includes the session's database.
    pub fn from_conn(conn: Conn) -> Result<Self> {
        Self::adopt(conn)
            .map_err(|db| Error::db("reading the session's database and server version", db))
    }

    /// Wraps `conn`, reading its database and the server's version.
    fn adopt(conn: Conn) -> std::result::Result<Self, DbError> {
        let mut conn = Self {
            conn,
            database: String::new(),
            server: None,
            locked: None,
        };
        let row = conn
            .query_rows("SELECT DATABASE(), VERSION()")?
            .into_iter()
            .next()
            .unwrap_or_default();
        let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        conn.database = field(0);
        conn.server = ServerVersion::parse(&field(1));
        Ok(conn)
    }

    /// The server's version and flavour, for its capability table
    /// ([`ServerVersion::features`]).
    pub fn server(&self) -> Option<ServerVersion> {
        self.server
    }

    /// The named lock for `key` on this database: named locks are
    /// server-wide, so the database is part of the name (64 characters at
    /// most).
    fn lock_name(&self, key: i64) -> String {
        let mut name = format!("retort:{key:016x}:{}", self.database);
        if name.len() > 64 {
            let hash = crate::script::checksum(&self.database);
            name = format!("retort:{key:016x}:{}", &hash[..32]);
        }
        name
    }

    fn scalar(&mut self, sql: &str) -> Result<Option<String>, DbError> {
        Ok(self.query_column(sql)?.into_iter().next().flatten())
    }
}

fn connect_cause(e: &mysql::Error) -> String {
    match e {
        mysql::Error::MySqlError(m) => format!("{} ({}, SQLSTATE {})", m.message, m.code, m.state),
        // The driver's own text of these is its Debug form (`DriverError { … }`).
        mysql::Error::DriverError(driver) => driver.to_string(),
        mysql::Error::IoError(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// Turns a driver error into the report users see: the server's message,
/// its error number and SQLSTATE.
fn db_error(e: mysql::Error) -> DbError {
    match e {
        mysql::Error::MySqlError(m) => DbError {
            message: m.message,
            code: Some(format!("{}, SQLSTATE {}", m.code, m.state)),
            ..DbError::default()
        },
        mysql::Error::IoError(io) => {
            DbError::msg(format!("the connection to the server was lost: {io}"))
        }
        other => DbError::msg(other.to_string()),
    }
}

fn text(value: Value) -> Option<String> {
    match value {
        Value::NULL => None,
        Value::Bytes(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        other => Some(other.as_sql(true).trim_matches('\'').to_string()),
    }
}

impl Connection for MysqlConnection {
    fn kind(&self) -> DialectKind {
        DialectKind::Mysql
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.query_rows(sql).map(|_| ())
    }

    fn query_rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, DbError> {
        let mut result = self.conn.query_iter(sql).map_err(db_error)?;
        let mut rows = Vec::new();
        // Every result set is read, so an error in a later statement of a
        // batch is reported, not dropped.
        while let Some(set) = result.iter() {
            for row in set {
                let row = row.map_err(db_error)?;
                rows.push(row.unwrap().into_iter().map(text).collect());
            }
        }
        Ok(rows)
    }

    fn table_exists(&mut self, schema: Option<&str>, name: &str) -> Result<bool, DbError> {
        let schema = match schema {
            Some(s) => sql::literal(s),
            None => "DATABASE()".to_string(),
        };
        let found = self.scalar(&format!(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = {schema} AND table_name = {}",
            sql::literal(name)
        ))?;
        Ok(found.is_some_and(|n| n != "0"))
    }

    fn try_lock_session(&mut self, key: i64) -> Result<bool, DbError> {
        let name = self.lock_name(key);
        // 1: taken; 0: another session holds it; NULL: an error (killed,
        // out of memory).
        match self
            .scalar(&format!("SELECT GET_LOCK({}, 0)", sql::literal(&name)))?
            .as_deref()
        {
            Some("1") => {
                self.locked = Some(name);
                Ok(true)
            }
            Some("0") => Ok(false),
            other => Err(DbError::msg(format!(
                "GET_LOCK('{name}', 0) returned {}: the server could not take the lock",
                other.unwrap_or("NULL")
            ))),
        }
    }

    fn holds_session_lock(&self) -> bool {
        self.locked.is_some()
    }

    fn unlock_session(&mut self, key: i64) -> Result<(), DbError> {
        let name = self.locked.take().unwrap_or_else(|| self.lock_name(key));
        match self
            .scalar(&format!("SELECT RELEASE_LOCK({})", sql::literal(&name)))?
            .as_deref()
        {
            Some("1") => Ok(()),
            Some("0") => Err(DbError::msg(format!(
                "the lock '{name}' was held by another session when releasing it"
            ))),
            _ => Err(DbError::msg(format!(
                "the lock '{name}' was no longer held when releasing it"
            ))),
        }
    }

    fn lock_holder(&mut self, key: i64) -> Option<String> {
        let name = self.lock_name(key);
        let row = self
            .query_rows(&format!(
                "SELECT p.id, p.user, p.host FROM information_schema.processlist p \
                 WHERE p.id = IS_USED_LOCK({})",
                sql::literal(&name)
            ))
            .ok()?
            .into_iter()
            .next()?;
        let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        Some(format!(
            "MySQL connection {} ({} from {})",
            field(0),
            field(1),
            field(2)
        ))
    }

    fn try_begin_write(&mut self) -> Result<bool, DbError> {
        self.execute("START TRANSACTION").map(|()| true)
    }

    fn deferred_begin(&self) -> Option<&'static str> {
        // The run lock is GET_LOCK, taken before: START TRANSACTION itself
        // never waits, so it goes with the next statement.
        Some("START TRANSACTION")
    }

    fn execute_batch(&mut self, statements: &[&str]) -> Result<(), (usize, DbError)> {
        if statements.is_empty() {
            return Ok(());
        }
        // A CALL can return several result sets, which would blur which
        // statement an error belongs to: then one statement at a time.
        let calls = statements
            .iter()
            .any(|s| super::leading_words(s, 1).first().map(String::as_str) == Some("CALL"));
        if calls {
            return crate::dialect::connection::execute_each(self, statements);
        }
        // One message (multi-statements are on): each statement is one
        // result set, so the failing one is the set the error arrives in.
        let sql = statements.join(";\n");
        let mut result = self.conn.query_iter(sql).map_err(|e| (0, db_error(e)))?;
        let mut index = 0;
        while let Some(set) = result.iter() {
            for row in set {
                row.map_err(|e| (index, db_error(e)))?;
            }
            index += 1;
        }
        Ok(())
    }

    fn set_lock_wait_timeout(&mut self, timeout: Duration) -> Result<(), DbError> {
        let secs = timeout.as_secs().max(1);
        self.execute(&format!("SET SESSION lock_wait_timeout = {secs}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn target(url: &str) -> MysqlTarget {
        MysqlTarget::parse(&DatabaseUrl::parse(url, Path::new("/")).expect("url")).expect("target")
    }

    #[test]
    fn url_parts_are_decoded() {
        let t = target("mysql+pymysql://app:p%40ss%3Aw%2Frd%25@db.example:3307/shop");
        assert_eq!(t.user.as_deref(), Some("app"));
        assert_eq!(t.password.as_deref(), Some("p@ss:w/rd%"));
        assert_eq!((t.host.as_str(), t.port), ("db.example", 3307));
        assert_eq!(t.database.as_deref(), Some("shop"));
        assert_eq!(t.ssl_mode, SslMode::Preferred);
        let t = target("mariadb://root@localhost/app?socket=/run/mysqld/mysqld.sock");
        assert_eq!(t.socket.as_deref(), Some("/run/mysqld/mysqld.sock"));
        assert_eq!(t.port, 3306);
        let t = target("mysql://u@h/db?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca.pem");
        assert_eq!(t.ssl_mode, SslMode::VerifyIdentity);
        assert_eq!(t.ssl_ca.as_deref(), Some("/etc/ca.pem"));
        assert_eq!(
            target("mysql://u@h/db?sslmode=disable").ssl_mode,
            SslMode::Disabled
        );
        assert_eq!(
            target("mysql://u@h/db?ssl_ca=/ca.pem").ssl_mode,
            SslMode::VerifyCa
        );
        assert_eq!(target("mysql://h").database, None);
        let t = target("mysql://u@[::1]:3307/db");
        assert_eq!((t.host.as_str(), t.port), ("::1", 3307));
        let t = target("mysql://u@[::1]/db");
        assert_eq!((t.host.as_str(), t.port), ("::1", 3306));
        assert_eq!(
            target("mysql://u@h/db?charset=utf8mb4").charset.as_deref(),
            Some("utf8mb4")
        );
    }

    #[test]
    fn bad_parameters_are_errors_without_the_password() {
        for (url, expected) in [
            (
                "mysql://u:secret@h/db?ssl-mode=sometimes",
                "unknown ssl-mode 'sometimes'",
            ),
            (
                "mysql://u:secret@h/db?colour=blue",
                "unknown parameter 'colour'",
            ),
            (
                "mysql://u:secret@h:99999/db",
                "'99999' is not a port number",
            ),
        ] {
            let parsed = DatabaseUrl::parse(url, Path::new("/")).expect("url");
            let e = MysqlTarget::parse(&parsed).unwrap_err().to_string();
            assert!(e.contains(expected), "{e}");
            assert!(!e.contains("secret"), "{e}");
        }
    }

    #[test]
    fn decoding_keeps_stray_percent_signs() {
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%41b"), "Ab");
    }
}
