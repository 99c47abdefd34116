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
}

impl Rule {
    /// Every rule, in id order.
    pub const ALL: [Rule; 15] = [
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
    /// PostgreSQL-only rules are about PostgreSQL's locks and syntax; the
    /// others (data loss, renames, NOT NULL without default) matter everywhere.
    pub fn applies_to(self, dialect: DialectKind) -> bool {
        dialect == DialectKind::Postgres || !self.info().3
    }

    /// Whether the rule only applies to PostgreSQL.
    pub fn postgres_only(self) -> bool {
        self.info().3
    }

    /// The rule with this id or name (case-insensitive), if any.
    pub fn parse(text: &str) -> Option<Rule> {
        let text = text.trim();
        Rule::ALL
            .into_iter()
            .find(|r| r.id().eq_ignore_ascii_case(text) || r.name().eq_ignore_ascii_case(text))
    }

    /// (id, name, summary, PostgreSQL only).
    fn info(self) -> (&'static str, &'static str, &'static str, bool) {
        match self {
            Rule::AddingNotNullColumn => (
                "R001",
                "adding-not-null-column",
                "a NOT NULL column added to an existing table without a default",
                false,
            ),
            Rule::CreatingIndexNonConcurrently => (
                "R002",
                "creating-index-non-concurrently",
                "CREATE INDEX on an existing table without CONCURRENTLY",
                true,
            ),
            Rule::AddingConstraintWithoutNotValid => (
                "R003",
                "adding-constraint-without-not-valid",
                "a foreign key or check added to an existing table without NOT VALID",
                true,
            ),
            Rule::ChangingColumnType => (
                "R004",
                "changing-column-type",
                "ALTER COLUMN … TYPE on an existing table",
                true,
            ),
            Rule::RenamingColumn => (
                "R005",
                "renaming-column",
                "a column of an existing table renamed",
                false,
            ),
            Rule::RenamingTable => ("R006", "renaming-table", "an existing table renamed", false),
            Rule::DroppingColumn => (
                "R007",
                "dropping-column",
                "a column of an existing table dropped",
                false,
            ),
            Rule::DroppingTable => ("R008", "dropping-table", "an existing table dropped", false),
            Rule::SettingNotNull => (
                "R009",
                "setting-not-null",
                "SET NOT NULL without a validated CHECK (col IS NOT NULL)",
                true,
            ),
            Rule::MissingLockTimeout => (
                "R010",
                "missing-lock-timeout",
                "a strong lock taken before any SET lock_timeout in the revision",
                true,
            ),
            Rule::AddingEnumValueInTransaction => (
                "R011",
                "adding-enum-value-in-transaction",
                "ALTER TYPE … ADD VALUE in a transaction that cannot take it",
                true,
            ),
            Rule::VacuumFullOrCluster => (
                "R012",
                "vacuum-full-or-cluster",
                "VACUUM FULL or CLUSTER in a revision",
                true,
            ),
            Rule::AddingVolatileDefault => (
                "R013",
                "adding-volatile-default",
                "a column added to an existing table with a default that rewrites it",
                true,
            ),
            Rule::AddingUniqueConstraint => (
                "R014",
                "adding-unique-constraint",
                "UNIQUE or PRIMARY KEY added to an existing table without USING INDEX",
                true,
            ),
            Rule::ConcurrentlyInTransaction => (
                "R015",
                "concurrently-in-transaction",
                "CONCURRENTLY in a revision that runs in a transaction",
                true,
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
