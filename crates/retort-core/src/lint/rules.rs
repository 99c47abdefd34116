//! The rule catalogue: ids, names and the text each finding and doc page
//! uses. Ids are stable: a rule may be retired, never renumbered.

use serde::Serialize;

use crate::dialect::DialectKind;

/// One lint rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// R001: `ADD COLUMN … NOT NULL` without a default on an existing table.
    AddingNotNullColumn,
    /// R002: `CREATE INDEX` without `CONCURRENTLY` on an existing table.
    CreatingIndexNonConcurrently,
    /// R003: a foreign key or check added to an existing table without `NOT VALID`.
    AddingConstraintWithoutNotValid,
    /// R004: `ALTER COLUMN … TYPE`, which rewrites the table.
    ChangingColumnType,
    /// R005: `RENAME COLUMN`.
    RenamingColumn,
    /// R006: `RENAME TO` on a table.
    RenamingTable,
    /// R007: `DROP COLUMN`.
    DroppingColumn,
    /// R008: `DROP TABLE`.
    DroppingTable,
    /// R009: `SET NOT NULL` without a validated `CHECK (col IS NOT NULL)`.
    SettingNotNull,
    /// R010: strong locks taken before any `SET lock_timeout`.
    MissingLockTimeout,
    /// R011: `ALTER TYPE … ADD VALUE` where a transaction makes it fail.
    AddingEnumValueInTransaction,
    /// R012: `VACUUM FULL` or `CLUSTER`.
    VacuumFullOrCluster,
    /// R013: a new column whose default is volatile, which rewrites the table.
    AddingVolatileDefault,
    /// R014: `ADD UNIQUE` / `ADD PRIMARY KEY` without `USING INDEX`.
    AddingUniqueConstraint,
    /// R015: `CONCURRENTLY` in a revision that runs in a transaction.
    ConcurrentlyInTransaction,
    /// R016: a MySQL/MariaDB `ALTER TABLE` that copies the table.
    CopyingTable,
    /// R017: a MySQL/MariaDB column added with `FIRST`/`AFTER`.
    AddingColumnNotAtEnd,
    /// R018: MySQL/MariaDB DDL with no `lock_wait_timeout` set.
    MissingLockWaitTimeout,
    /// R019: several DDL statements in one MySQL/MariaDB revision.
    SeveralDdlStatements,
}

/// The databases a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every database (data loss, renames).
    All,
    /// PostgreSQL's locks and syntax.
    Postgres,
    /// MySQL's and MariaDB's table copies and implicit commits.
    Mysql,
}

impl Rule {
    /// Every rule, in id order.
    pub const ALL: [Rule; 19] = [
        Rule::AddingNotNullColumn,
        Rule::CreatingIndexNonConcurrently,
        Rule::AddingConstraintWithoutNotValid,
        Rule::ChangingColumnType,
        Rule::RenamingColumn,
        Rule::RenamingTable,
        Rule::DroppingColumn,
        Rule::DroppingTable,
        Rule::SettingNotNull,
        Rule::MissingLockTimeout,
        Rule::AddingEnumValueInTransaction,
        Rule::VacuumFullOrCluster,
        Rule::AddingVolatileDefault,
        Rule::AddingUniqueConstraint,
        Rule::ConcurrentlyInTransaction,
        Rule::CopyingTable,
        Rule::AddingColumnNotAtEnd,
        Rule::MissingLockWaitTimeout,
        Rule::SeveralDdlStatements,
    ];

    /// The short stable id, `R001`….
    pub fn id(self) -> &'static str {
        self.info().0
    }

    /// The descriptive name, e.g. `adding-not-null-column`; accepted
    /// wherever an id is.
    pub fn name(self) -> &'static str {
        self.info().1
    }

    /// One line: what the rule flags.
    pub fn summary(self) -> &'static str {
        self.info().2
    }

    /// Whether the rule applies to projects whose database is `dialect`.
    /// PostgreSQL-only rules are about PostgreSQL's locks and syntax,
    /// MySQL-only ones about MySQL's and MariaDB's table copies and implicit
    /// commits; the others (data loss, renames, NOT NULL without default)
    /// matter everywhere.
    pub fn applies_to(self, dialect: DialectKind) -> bool {
        match self.info().3 {
            Scope::All => true,
            Scope::Postgres => dialect == DialectKind::Postgres,
            Scope::Mysql => dialect == DialectKind::Mysql,
        }
    }

    /// Whether the rule only applies to PostgreSQL.
    pub fn postgres_only(self) -> bool {
        self.info().3 == Scope::Postgres
    }

    /// Whether the rule only applies to MySQL and MariaDB.
    pub fn mysql_only(self) -> bool {
        self.info().3 == Scope::Mysql
    }

    /// The rule with this id or name (case-insensitive), if any.
    pub fn parse(text: &str) -> Option<Rule> {
        let text = text.trim();
        Rule::ALL
            .into_iter()
            .find(|r| r.id().eq_ignore_ascii_case(text) || r.name().eq_ignore_ascii_case(text))
    }

    /// (id, name, summary, databases).
    fn info(self) -> (&'static str, &'static str, &'static str, Scope) {
        match self {
            Rule::AddingNotNullColumn => (
                "R001",
                "adding-not-null-column",
                "a NOT NULL column added to an existing table without a default",
                Scope::All,
            ),
            Rule::CreatingIndexNonConcurrently => (
                "R002",
                "creating-index-non-concurrently",
                "CREATE INDEX on an existing table without CONCURRENTLY",
                Scope::Postgres,
            ),
            Rule::AddingConstraintWithoutNotValid => (
                "R003",
                "adding-constraint-without-not-valid",
                "a foreign key or check added to an existing table without NOT VALID",
                Scope::Postgres,
            ),
            Rule::ChangingColumnType => (
                "R004",
                "changing-column-type",
                "ALTER COLUMN … TYPE on an existing table",
                Scope::Postgres,
            ),
            Rule::RenamingColumn => (
                "R005",
                "renaming-column",
                "a column of an existing table renamed",
                Scope::All,
            ),
            Rule::RenamingTable => (
                "R006",
                "renaming-table",
                "an existing table renamed",
                Scope::All,
            ),
            Rule::DroppingColumn => (
                "R007",
                "dropping-column",
                "a column of an existing table dropped",
                Scope::All,
            ),
            Rule::DroppingTable => (
                "R008",
                "dropping-table",
                "an existing table dropped",
                Scope::All,
            ),
            Rule::SettingNotNull => (
                "R009",
                "setting-not-null",
                "SET NOT NULL without a validated CHECK (col IS NOT NULL)",
                Scope::Postgres,
            ),
            Rule::MissingLockTimeout => (
                "R010",
                "missing-lock-timeout",
                "a strong lock taken before any SET lock_timeout in the revision",
                Scope::Postgres,
            ),
            Rule::AddingEnumValueInTransaction => (
                "R011",
                "adding-enum-value-in-transaction",
                "ALTER TYPE … ADD VALUE in a transaction that cannot take it",
                Scope::Postgres,
            ),
            Rule::VacuumFullOrCluster => (
                "R012",
                "vacuum-full-or-cluster",
                "VACUUM FULL or CLUSTER in a revision",
                Scope::Postgres,
            ),
            Rule::AddingVolatileDefault => (
                "R013",
                "adding-volatile-default",
                "a column added to an existing table with a default that rewrites it",
                Scope::Postgres,
            ),
            Rule::AddingUniqueConstraint => (
                "R014",
                "adding-unique-constraint",
                "UNIQUE or PRIMARY KEY added to an existing table without USING INDEX",
                Scope::Postgres,
            ),
            Rule::ConcurrentlyInTransaction => (
                "R015",
                "concurrently-in-transaction",
                "CONCURRENTLY in a revision that runs in a transaction",
                Scope::Postgres,
            ),
            Rule::CopyingTable => (
                "R016",
                "copying-table",
                "an ALTER TABLE that copies the table where INPLACE or INSTANT could do",
                Scope::Mysql,
            ),
            Rule::AddingColumnNotAtEnd => (
                "R017",
                "adding-column-not-at-end",
                "a column added with FIRST or AFTER, a table copy before MySQL 8.0.29",
                Scope::Mysql,
            ),
            Rule::MissingLockWaitTimeout => (
                "R018",
                "missing-lock-wait-timeout",
                "DDL on an existing table with no lock_wait_timeout set",
                Scope::Mysql,
            ),
            Rule::SeveralDdlStatements => (
                "R019",
                "several-ddl-statements",
                "several DDL statements in one revision, each committed on its own",
                Scope::Mysql,
            ),
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.id(), self.name())
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}
