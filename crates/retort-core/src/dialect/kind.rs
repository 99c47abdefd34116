use serde::Serialize;

/// The SQL dialect a database speaks; decides how statements are split,
/// quoted and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DialectKind {
    /// SQLite (bundled).
    Sqlite,
    /// PostgreSQL 13+ and Postgres-wire engines.
    Postgres,
    /// MySQL 8 / MariaDB 10.6+.
    Mysql,
}

impl DialectKind {
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
