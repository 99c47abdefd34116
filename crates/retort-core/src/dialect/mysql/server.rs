//! What a MySQL or MariaDB server can do, keyed on its `VERSION()`
//! (`8.0.36`, `10.11.19-MariaDB-0+deb12u1`). The same table is in
//! docs/mysql.md; where MySQL 8 differs from MariaDB, retort asks here
//! rather than guessing.

/// Which server family answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Oracle MySQL (and Percona Server).
    Mysql,
    /// MariaDB.
    Mariadb,
}

/// A server's version, parsed from `VERSION()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerVersion {
    /// MySQL or MariaDB.
    pub flavor: Flavor,
    /// `(major, minor, patch)`.
    pub number: (u32, u32, u32),
}

/// What the server can do, as far as migrations care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerFeatures {
    /// `ALTER TABLE … RENAME COLUMN a TO b` (MySQL 8.0, MariaDB 10.5.2).
    pub rename_column: bool,
    /// `ALTER TABLE … RENAME INDEX a TO b` (MySQL 5.7, MariaDB 10.5.2).
    pub rename_index: bool,
    /// `ADD COLUMN` without copying the table (`ALGORITHM=INSTANT`: MySQL
    /// 8.0.12 at the end, 8.0.29 anywhere; MariaDB 10.3 at the end, 10.4
    /// anywhere).
    pub instant_add_column: bool,
    /// `CHECK` constraints are enforced (MySQL 8.0.16, MariaDB 10.2.1).
    pub check_constraints: bool,
    /// Indexes on expressions (`INDEX ((lower(email)))`, MySQL 8.0.13; not
    /// in MariaDB).
    pub functional_indexes: bool,
    /// `DESC` index parts are stored descending (MySQL 8.0, MariaDB 10.8).
    pub descending_indexes: bool,
    /// `CREATE SEQUENCE` (MariaDB 10.3; not in MySQL).
    pub sequences: bool,
    /// `INVISIBLE` columns (MySQL 8.0.23, MariaDB 10.3).
    pub invisible_columns: bool,
    /// `JSON` is its own type (MySQL); MariaDB's is `LONGTEXT` with a
    /// `json_valid` check.
    pub native_json: bool,
    /// A single DDL statement is atomic (MySQL 8.0's data dictionary;
    /// MariaDB 10.6 for most statements). A revision of several DDL
    /// statements is never atomic on either.
    pub atomic_ddl_statement: bool,
}

impl ServerVersion {
    /// Parses `VERSION()`; `None` when it does not start with a number.
    pub fn parse(version: &str) -> Option<Self> {
        let flavor = if version.to_ascii_lowercase().contains("mariadb") {
            Flavor::Mariadb
        } else {
            Flavor::Mysql
        };
        // MariaDB behind MySQL-5.5-speaking proxies reports `5.5.5-10.11.19-MariaDB`.
        let text = version.strip_prefix("5.5.5-").unwrap_or(version);
        let numbers: Vec<u32> = text
            .split(|c: char| !c.is_ascii_digit())
            .take(3)
            .map(|n| n.parse().ok())
            .collect::<Option<Vec<u32>>>()?;
        match numbers.as_slice() {
            [major, minor, patch] => Some(Self {
                flavor,
                number: (*major, *minor, *patch),
            }),
            _ => None,
        }
    }

    /// Whether retort supports this server (MySQL 8.0+, MariaDB 10.6+).
    pub fn supported(&self) -> bool {
        match self.flavor {
            Flavor::Mysql => self.number >= (8, 0, 0),
            Flavor::Mariadb => self.number >= (10, 6, 0),
        }
    }

    /// The capability table.
    pub fn features(&self) -> ServerFeatures {
        let at_least = |mysql: (u32, u32, u32), mariadb: Option<(u32, u32, u32)>| match self.flavor
        {
            Flavor::Mysql => self.number >= mysql,
            Flavor::Mariadb => mariadb.is_some_and(|m| self.number >= m),
        };
        let never = (u32::MAX, 0, 0);
        ServerFeatures {
            rename_column: at_least((8, 0, 0), Some((10, 5, 2))),
            rename_index: at_least((5, 7, 0), Some((10, 5, 2))),
            instant_add_column: at_least((8, 0, 29), Some((10, 4, 0))),
            check_constraints: at_least((8, 0, 16), Some((10, 2, 1))),
            functional_indexes: at_least((8, 0, 13), None),
            descending_indexes: at_least((8, 0, 0), Some((10, 8, 0))),
            sequences: at_least(never, Some((10, 3, 0))),
            invisible_columns: at_least((8, 0, 23), Some((10, 3, 0))),
            native_json: at_least((5, 7, 8), None),
            atomic_ddl_statement: at_least((8, 0, 0), Some((10, 6, 0))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_their_features() {
        let maria = ServerVersion::parse("10.11.19-MariaDB-0+deb12u1").expect("parses");
        assert_eq!(maria.flavor, Flavor::Mariadb);
        assert_eq!(maria.number, (10, 11, 19));
        assert!(maria.supported());
        let f = maria.features();
        assert!(f.rename_column && f.sequences && f.descending_indexes && f.instant_add_column);
        assert!(!f.functional_indexes && !f.native_json);

        let mysql = ServerVersion::parse("8.0.36").expect("parses");
        assert_eq!(mysql.flavor, Flavor::Mysql);
        let f = mysql.features();
        assert!(f.functional_indexes && f.native_json && f.rename_column && f.check_constraints);
        assert!(!f.sequences);

        let old = ServerVersion::parse("8.0.11").expect("parses").features();
        assert!(!old.check_constraints && !old.instant_add_column && !old.functional_indexes);

        let proxied = ServerVersion::parse("5.5.5-10.6.12-MariaDB").expect("parses");
        assert_eq!(proxied.number, (10, 6, 12));
        assert!(!ServerVersion::parse("5.7.44").expect("parses").supported());
        assert!(!ServerVersion::parse("10.5.9-MariaDB")
            .expect("parses")
            .supported());
        assert_eq!(ServerVersion::parse("unknown"), None);
    }
}
