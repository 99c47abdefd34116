//! Which engine is on the other end of a connection: the dialect says how
//! SQL is written, the engine what the server behind it can really do
//! (a PostgreSQL-wire server may be CockroachDB or YugabyteDB).

use serde::Serialize;

use super::DialectKind;

/// The database engine a connection reached, detected at connect time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Engine {
    /// SQLite.
    Sqlite,
    /// MySQL or MariaDB.
    Mysql,
    /// PostgreSQL itself.
    Postgres,
    /// PostgreSQL with the Citus extension installed.
    Citus,
    /// CockroachDB (speaks PostgreSQL's protocol).
    #[serde(rename = "cockroachdb")]
    CockroachDb,
    /// YugabyteDB's YSQL (PostgreSQL's protocol).
    #[serde(rename = "yugabytedb")]
    YugabyteDb,
}

impl Engine {
    /// The engine a dialect's connections are, unless they detect better.
    pub fn of_dialect(kind: DialectKind) -> Engine {
        match kind {
            DialectKind::Sqlite => Engine::Sqlite,
            DialectKind::Postgres => Engine::Postgres,
            DialectKind::Mysql => Engine::Mysql,
        }
    }

    /// The name users see (`postgresql`, `cockroachdb`, …).
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Mysql => "mysql",
            Engine::Postgres => "postgresql",
            Engine::Citus => "citus",
            Engine::CockroachDb => "cockroachdb",
            Engine::YugabyteDb => "yugabytedb",
        }
    }

    /// The engine a name (as [`Engine::name`] writes it) stands for.
    pub fn from_name(name: &str) -> Option<Engine> {
        match name.trim().to_ascii_lowercase().as_str() {
            "sqlite" => Some(Engine::Sqlite),
            "mysql" | "mariadb" => Some(Engine::Mysql),
            "postgresql" | "postgres" => Some(Engine::Postgres),
            "citus" => Some(Engine::Citus),
            "cockroachdb" | "cockroach" | "crdb" => Some(Engine::CockroachDb),
            "yugabytedb" | "yugabyte" | "yb" => Some(Engine::YugabyteDb),
            _ => None,
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in [
            Engine::Sqlite,
            Engine::Mysql,
            Engine::Postgres,
            Engine::Citus,
            Engine::CockroachDb,
            Engine::YugabyteDb,
        ] {
            assert_eq!(Engine::from_name(e.name()), Some(e));
        }
        assert_eq!(Engine::from_name("oracle"), None);
    }
}
