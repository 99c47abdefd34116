use serde::Serialize;

/// The SQL dialect a database speaks; decides how statements are split,
/// quoted and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DialectKind {
    /// SQLite (bundled).
    Sqlite,
    /// PostgreSQL 13+ and Postgres-wire engines.
    Postgres,
    /// MySQL 8 / MariaDB 10.6+.
    Mysql,
}

impl DialectKind {
    /// Every dialect retort knows.
    pub const ALL: [DialectKind; 3] = [
        DialectKind::Sqlite,
        DialectKind::Postgres,
        DialectKind::Mysql,
    ];

    /// The dialect a URL scheme names (SQLAlchemy's `dialect+driver`
    /// already reduced to `dialect`, lower case), and its canonical scheme.
    pub fn from_scheme(scheme: &str) -> Option<(DialectKind, &'static str)> {
        match scheme {
            "sqlite" | "sqlite3" => Some((DialectKind::Sqlite, "sqlite")),
            "postgresql" | "postgres" | "pgsql" => Some((DialectKind::Postgres, "postgresql")),
            "mysql" | "mariadb" => Some((DialectKind::Mysql, "mysql")),
            _ => None,
        }
    }

    /// The dialect's implementation (see [`crate::dialect::of`]).
    pub fn dialect(self) -> &'static dyn crate::dialect::Dialect {
        crate::dialect::of(self)
    }

    /// The name users see in messages and JSON.
    pub fn name(self) -> &'static str {
        match self {
            DialectKind::Sqlite => "sqlite",
            DialectKind::Postgres => "postgresql",
            DialectKind::Mysql => "mysql",
        }
    }
}

impl std::fmt::Display for DialectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
