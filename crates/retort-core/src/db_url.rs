//! Database URLs: parsing the forms of SPEC §1 and masking passwords.
//!
//! Accepted forms:
//! - `postgresql://user:pass@host:5432/db?sslmode=require`, `postgres://…`,
//!   and SQLAlchemy's `postgresql+psycopg2://…` (the driver part is ignored);
//! - `sqlite:///relative/path.db`, `sqlite:////absolute/path.db`,
//!   `sqlite://:memory:` (also `sqlite://` and `sqlite:///:memory:`);
//! - `mysql://user:pass@host:3306/db?ssl-mode=REQUIRED&ssl-ca=ca.pem`,
//!   `mariadb://…`, SQLAlchemy's `mysql+pymysql://…` and `mysql+mysqldb://…`
//!   (the driver part is ignored), `?socket=/path/to/mysqld.sock`; the
//!   password percent-encoded when it holds `@`, `:`, `/` or `%`.

use std::path::{Path, PathBuf};

use crate::dialect::DialectKind;
use crate::error::Error;

/// Where an SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqliteTarget {
    /// A private in-memory database.
    Memory,
    /// A file (relative paths already resolved against the base directory).
    File(PathBuf),
}

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    /// Which dialect the URL names.
    pub kind: DialectKind,
    /// The URL with the scheme normalised (`postgresql://`, `mysql://`,
    /// `sqlite://`) and the driver part removed; contains the password.
    normalized: String,
    /// For SQLite: the file or memory.
    pub sqlite: Option<SqliteTarget>,
    /// Statements run on every connection opened for this URL
    /// (`[database] session`), scratch databases on its server included.
    session: Vec<String>,
}

impl DatabaseUrl {
    /// Parses `url`. Relative SQLite paths are resolved against `base`.
    pub fn parse(url: &str, base: &Path) -> Result<Self, Error> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(Error::Url(format!(
                "'{}' is not a database URL: expected a scheme such as postgresql://, sqlite:/// or mysql://",
                mask_url(url)
            )));
        };
        // SQLAlchemy writes `dialect+driver://`; the driver is Python's business.
        let dialect = scheme
            .split('+')
            .next()
            .unwrap_or(scheme)
            .to_ascii_lowercase();
        let Some((kind, canonical)) = DialectKind::from_scheme(&dialect) else {
            return Err(Error::Url(format!(
                "unsupported database '{dialect}' in URL '{}': use postgresql://, sqlite:/// or mysql://",
                mask_url(url)
            )));
        };
        // An embedded database's URL names a file (or memory), not a server.
        let embedded = kind.dialect().capabilities().embedded;
        Ok(Self {
            kind,
            normalized: format!("{canonical}://{rest}"),
            sqlite: embedded.then(|| sqlite_target(rest, base)),
            session: Vec::new(),
        })
    }

    /// The URL with the scheme normalised; contains the password, so never
    /// print it — use [`DatabaseUrl::masked`].
    pub fn as_str(&self) -> &str {
        &self.normalized
    }

    /// The same server with another database name (PostgreSQL/MySQL), for
    /// scratch databases.
    pub fn with_database(&self, name: &str) -> DatabaseUrl {
        let (base, query) = match self.normalized.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (self.normalized.as_str(), None),
        };
        let authority_start = base.find("://").map_or(0, |i| i + 3);
        let server = match base[authority_start..].find('/') {
            Some(i) => &base[..authority_start + i],
            None => base,
        };
        let mut normalized = format!("{server}/{name}");
        if let Some(q) = query {
            normalized.push('?');
            normalized.push_str(q);
        }
        DatabaseUrl {
            kind: self.kind,
            normalized,
            sqlite: self.sqlite.clone(),
            session: self.session.clone(),
        }
    }

    /// The same URL on another server, `host:port` (a Citus worker): the
    /// user, password, database and options stay.
    pub fn with_host_port(&self, host: &str, port: u16) -> DatabaseUrl {
        let authority_start = self.normalized.find("://").map_or(0, |i| i + 3);
        let rest = &self.normalized[authority_start..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let user = authority.rfind('@').map_or("", |i| &authority[..=i]);
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        DatabaseUrl {
            kind: self.kind,
            normalized: format!(
                "{}{user}{host}:{port}{}",
                &self.normalized[..authority_start],
                &rest[authority_end..]
            ),
            sqlite: self.sqlite.clone(),
            session: self.session.clone(),
        }
    }

    /// The database's name: the path of a server URL (`app` in
    /// `postgresql://u@h/app?sslmode=require`), a SQLite file's name
    /// without its extension; `None` for memory or a URL without one.
    pub fn database_name(&self) -> Option<String> {
        if let Some(target) = &self.sqlite {
            return match target {
                SqliteTarget::File(path) => {
                    path.file_stem().map(|s| s.to_string_lossy().into_owned())
                }
                SqliteTarget::Memory => None,
            };
        }
        let base = self.normalized.split(['?', '#']).next().unwrap_or_default();
        let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
        let name = after_scheme.split_once('/')?.1.trim_matches('/');
        (!name.is_empty()).then(|| name.to_string())
    }

    /// The same URL whose connections first run `statements` (the
    /// `[database] session` settings).
    pub fn with_session(mut self, statements: Vec<String>) -> DatabaseUrl {
        self.session = statements;
        self
    }

    /// The statements every connection for this URL runs first.
    pub fn session(&self) -> &[String] {
        &self.session
    }

    /// The URL with any password replaced by `***`, safe to show.
    pub fn masked(&self) -> String {
        mask_url(&self.normalized)
    }
}

fn sqlite_target(rest: &str, base: &Path) -> SqliteTarget {
    // Strip query parameters; SQLite options are not taken from the URL.
    let rest = rest.split('?').next().unwrap_or(rest);
    match rest {
        "" | ":memory:" | "/" | "/:memory:" => SqliteTarget::Memory,
        _ => {
            // `sqlite:///x` is relative (`x`), `sqlite:////x` absolute (`/x`).
            let path = rest.strip_prefix('/').unwrap_or(rest);
            let path = Path::new(path);
            if path.is_absolute() {
                SqliteTarget::File(path.to_path_buf())
            } else {
                SqliteTarget::File(base.join(path))
            }
        }
    }
}

/// Replaces the password of a URL (in the user-info part and in any
/// `password=` query parameter) with `***`. Works on strings that are not
/// valid URLs too, so it is safe for error messages.
pub fn mask_url(url: &str) -> String {
    let mut out = url.to_string();
    if !out.contains("://") {
        // Not a URL, but it may still hold `user:password@host`: mask
        // between the last ':' and the last '@'.
        if let Some(at) = out.rfind('@') {
            if let Some(colon) = out[..at].rfind(':') {
                out.replace_range(colon + 1..at, "***");
            }
        }
        return mask_query_password(&out);
    }
    if let Some(scheme_end) = out.find("://") {
        let auth_start = scheme_end + 3;
        let tail = &out[auth_start..];
        let auth_end = tail
            .find(['/', '?', '#'])
            .map_or(out.len(), |i| auth_start + i);
        // The last '@' before the path ends the user-info (passwords may hold '@').
        if let Some(at) = out[auth_start..auth_end].rfind('@') {
            let userinfo = &out[auth_start..auth_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(auth_start + colon + 1..auth_start + at, "***");
            }
        }
    }
    mask_query_password(&out)
}

fn mask_query_password(url: &str) -> String {
    let Some(q) = url.find('?') else {
        return url.to_string();
    };
    let (head, query) = url.split_at(q + 1);
    let masked: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{head}{}", masked.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> DatabaseUrl {
        DatabaseUrl::parse(url, Path::new("/proj")).expect("valid url")
    }

    #[test]
    fn another_server_keeps_user_database_and_options() {
        let url = parse("postgresql://app:s3cret@coord:5432/shop?sslmode=require");
        assert_eq!(
            url.with_host_port("10.0.0.7", 6432).as_str(),
            "postgresql://app:s3cret@10.0.0.7:6432/shop?sslmode=require"
        );
        assert_eq!(
            parse("postgresql://coord/shop")
                .with_host_port("::1", 5433)
                .as_str(),
            "postgresql://[::1]:5433/shop"
        );
    }

    #[test]
    fn sqlite_forms() {
        assert_eq!(
            parse("sqlite:///app.db").sqlite,
            Some(SqliteTarget::File("/proj/app.db".into()))
        );
        assert_eq!(
            parse("sqlite:///data/app.db").sqlite,
            Some(SqliteTarget::File("/proj/data/app.db".into()))
        );
        assert_eq!(
            parse("sqlite:////var/app.db").sqlite,
            Some(SqliteTarget::File("/var/app.db".into()))
        );
        for memory in ["sqlite://:memory:", "sqlite://", "sqlite:///:memory:"] {
            assert_eq!(parse(memory).sqlite, Some(SqliteTarget::Memory), "{memory}");
        }
    }

    #[test]
    fn postgres_forms() {
        for url in [
            "postgresql://u:p@h/db",
            "postgres://u:p@h/db",
            "postgresql+psycopg2://u:p@h/db",
        ] {
            let u = parse(url);
            assert_eq!(u.kind, DialectKind::Postgres);
            assert_eq!(u.as_str(), "postgresql://u:p@h/db");
            assert_eq!(u.masked(), "postgresql://u:***@h/db");
        }
        assert_eq!(parse("mariadb://root@h/db").kind, DialectKind::Mysql);
        assert_eq!(parse("mysql+pymysql://root@h/db").kind, DialectKind::Mysql);
    }

    #[test]
    fn bad_urls_are_errors_without_passwords() {
        let e = DatabaseUrl::parse("oracle://scott:tiger@h/db", Path::new("/")).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("unsupported database 'oracle'"), "{msg}");
        assert!(!msg.contains("tiger"), "{msg}");
        let e = DatabaseUrl::parse("app.db", Path::new("/")).unwrap_err();
        assert!(e.to_string().contains("not a database URL"));
    }

    #[test]
    fn another_database_on_the_same_server() {
        let u = parse("postgresql://u:p@h:5432/app?sslmode=disable");
        assert_eq!(
            u.with_database("scratch").as_str(),
            "postgresql://u:p@h:5432/scratch?sslmode=disable"
        );
        assert_eq!(
            parse("postgres://h").with_database("x").as_str(),
            "postgresql://h/x"
        );
    }

    #[test]
    fn masking() {
        assert_eq!(
            mask_url("postgresql://u:p%40ss@h:5432/db"),
            "postgresql://u:***@h:5432/db"
        );
        assert_eq!(
            mask_url("postgresql://u:p@ss@h/db"),
            "postgresql://u:***@h/db"
        );
        assert_eq!(mask_url("postgresql://u@h/db"), "postgresql://u@h/db");
        assert_eq!(
            mask_url("postgresql://h/db?user=u&password=secret&sslmode=require"),
            "postgresql://h/db?user=u&password=***&sslmode=require"
        );
        assert_eq!(mask_url("sqlite:///app.db"), "sqlite:///app.db");
        assert_eq!(
            mask_url("postgres:/app:pw@db/app"),
            "postgres:/app:***@db/app"
        );
        assert_eq!(mask_url("app:pw@db"), "app:***@db");
    }

    #[test]
    fn mysql_forms_are_masked() {
        for url in [
            "mysql://app:p%40ss%3Aw%2Frd@h:3306/shop",
            "mariadb://app:p%40ss%3Aw%2Frd@h:3306/shop",
            "mysql+pymysql://app:p%40ss%3Aw%2Frd@h:3306/shop",
            "mysql+mysqldb://app:p%40ss%3Aw%2Frd@h:3306/shop",
        ] {
            let u = parse(url);
            assert_eq!(u.kind, DialectKind::Mysql);
            assert_eq!(u.as_str(), "mysql://app:p%40ss%3Aw%2Frd@h:3306/shop");
            assert_eq!(u.masked(), "mysql://app:***@h:3306/shop");
        }
        assert_eq!(
            parse("mysql://app@h/db?password=secret&socket=/tmp/s").masked(),
            "mysql://app@h/db?password=***&socket=/tmp/s"
        );
        // The raw password, '@' unencoded, is masked too.
        assert_eq!(
            parse("mysql://app:p@ss@h/db").masked(),
            "mysql://app:***@h/db"
        );
    }
}
