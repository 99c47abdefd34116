//! The schema model: plain data describing a database's objects, shared by
//! every dialect (Atlas's `sql/schema` idea). Each dialect's introspection
//! fills it (`crate::dialect::introspect`); diffing two models gives the
//! changes that the dialect renders as SQL. Nothing here knows a database:
//! this module imports nothing from `dialect`, `runner` or `migrator`.
//!
//! Everything here is plain, serialisable data, ordered deterministically
//! (by name), so a model can be dumped as JSON, compared with `==`, and
//! snapshot-tested.

mod change;
mod comments;
pub mod diff;
pub mod erd;
pub mod filter;
pub mod rename;

pub use diff::{diff, diff_both_ways, Change, ColumnPosition, CommentTarget};
pub use filter::{Filter, ObjectKind};

use serde::{Deserialize, Serialize};

/// A whole database (one or more schemas).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// Tables, sorted by (schema, name).
    pub tables: Vec<Table>,
    /// Views and materialized views, sorted by (schema, name).
    pub views: Vec<View>,
    /// Sequences other than identity columns' (including `serial` ones,
    /// with their owner), sorted by (schema, name).
    pub sequences: Vec<Sequence>,
    /// Enum types, sorted by (schema, name).
    pub enums: Vec<EnumType>,
    /// Functions and procedures (PostgreSQL), sorted by (schema, name,
    /// arguments).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Function>,
    /// Schemas other than `public` (PostgreSQL), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// `COMMENT ON SCHEMA`, by schema name (`public` included).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub schema_comments: std::collections::BTreeMap<String, String>,
    /// Extensions (PostgreSQL; `plpgsql` left out), sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    /// Domains (PostgreSQL), sorted by (schema, name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<Domain>,
    /// Virtual tables (SQLite: FTS, R*Tree…), sorted by name. The shadow
    /// tables SQLite keeps for them are not part of the model.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub virtual_tables: Vec<VirtualTable>,
    /// Collations created with `CREATE COLLATION` (PostgreSQL), sorted by
    /// (schema, name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collations: Vec<Collation>,
    /// Composite types (`CREATE TYPE … AS (…)`; PostgreSQL), sorted by
    /// (schema, name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composite_types: Vec<CompositeType>,
    /// Range types (`CREATE TYPE … AS RANGE`; PostgreSQL), sorted by
    /// (schema, name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub range_types: Vec<RangeType>,
    /// Rules (`CREATE RULE`; PostgreSQL) on tables and views, other than
    /// a view's own `_RETURN`, sorted by (relation, name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// User-defined operators (`CREATE OPERATOR`; PostgreSQL), other than
    /// those of extensions, sorted by (name, left, right).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operators: Vec<Operator>,
    /// Privileges granted on objects (PostgreSQL), other than the owner's
    /// own and the built-in defaults; a built-in default taken away is kept
    /// with `revoked`. Compared only when asked (`[autogenerate]
    /// privileges`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub privileges: Vec<Privilege>,
    /// `ALTER DEFAULT PRIVILEGES` (PostgreSQL's `pg_default_acl`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default_privileges: Vec<DefaultPrivilege>,
}

/// The kind of object a privilege is on.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PrivilegeObject {
    /// A table (also partitioned).
    #[default]
    Table,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A foreign table.
    ForeignTable,
    /// A sequence.
    Sequence,
    /// A function (also an aggregate).
    Function,
    /// A procedure.
    Procedure,
    /// A type (enum, composite, range).
    Type,
    /// A domain.
    Domain,
    /// A schema: the name's `schema` is empty, its `name` the schema's.
    Schema,
}

/// One privilege of one grantee on one object.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Privilege {
    /// The kind of object.
    pub on: PrivilegeObject,
    /// The object's name.
    pub name: QualifiedName,
    /// A function's or procedure's identity arguments (else empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub arguments: String,
    /// The role it is granted to, or `PUBLIC` (everyone).
    pub grantee: String,
    /// `SELECT`, `INSERT`, `EXECUTE`, `USAGE`…
    pub privilege: String,
    /// `WITH GRANT OPTION`: the grantee may grant it on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub grantable: bool,
    /// A privilege the object has by default (`EXECUTE` on a function or
    /// `USAGE` on a type, for `PUBLIC`) that was revoked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revoked: bool,
}

/// One entry of `ALTER DEFAULT PRIVILEGES`: what objects created later get.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DefaultPrivilege {
    /// `FOR ROLE`: the role whose new objects get it; empty for the role
    /// that read the schema (no `FOR ROLE`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub role: String,
    /// `IN SCHEMA`; empty for every schema.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub schema: String,
    /// `TABLES`, `SEQUENCES`, `FUNCTIONS`, `TYPES` or `SCHEMAS`.
    pub on: String,
    /// The role it is granted to, or `PUBLIC`.
    pub grantee: String,
    /// The privilege.
    pub privilege: String,
    /// `WITH GRANT OPTION`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub grantable: bool,
    /// A built-in default (`EXECUTE` on functions, `USAGE` on types, for
    /// `PUBLIC`) that was revoked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revoked: bool,
}

/// A user-defined operator. It is known by its schema, symbol and operand
/// types; a changed one is altered where `ALTER OPERATOR … SET` can say it
/// and otherwise dropped and created again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// Its schema and symbol (`public`, `~<<`).
    pub name: QualifiedName,
    /// The left operand's type; `None` for a prefix operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<String>,
    /// The right operand's type.
    pub right: Option<String>,
    /// `FUNCTION`: the function it calls, as `regproc` prints it.
    pub function: String,
    /// `COMMUTATOR`, qualified (`public.~<<`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commutator: Option<String>,
    /// `NEGATOR`, qualified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negator: Option<String>,
    /// `RESTRICT`: the restriction selectivity estimator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict: Option<String>,
    /// `JOIN`: the join selectivity estimator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<String>,
    /// `HASHES`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hashes: bool,
    /// `MERGES`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub merges: bool,
    /// `COMMENT ON OPERATOR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Operator {
    /// What identifies it: name and operand types.
    pub fn key(&self) -> (&QualifiedName, &Option<String>, &Option<String>) {
        (&self.name, &self.left, &self.right)
    }
}

/// A rewrite rule, kept as the statement that creates it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// The table or view it is on.
    pub relation: QualifiedName,
    /// Its name.
    pub name: String,
    /// The `CREATE RULE` statement as `pg_get_ruledef` gives it.
    pub definition: String,
    /// `COMMENT ON RULE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A composite type: a row type of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeType {
    /// Its name.
    pub name: QualifiedName,
    /// Its attributes, in order.
    pub attributes: Vec<TypeAttribute>,
    /// `COMMENT ON TYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An attribute of a composite type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeAttribute {
    /// Its name.
    pub name: String,
    /// Its type, as the catalog spells it.
    pub data_type: String,
    /// A collation other than its type's, as `COLLATE` takes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

/// A range type (and, from PostgreSQL 14, the multirange type that comes
/// with it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeType {
    /// Its name.
    pub name: QualifiedName,
    /// `SUBTYPE`, as the catalog spells it.
    pub subtype: String,
    /// `SUBTYPE_OPCLASS` when not the subtype's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype_opclass: Option<String>,
    /// `COLLATION` when not the subtype's default, as `COLLATE` takes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// `SUBTYPE_DIFF`, the function's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype_diff: Option<String>,
    /// `MULTIRANGE_TYPE_NAME` (PostgreSQL 14+), the multirange's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multirange: Option<String>,
    /// `COMMENT ON TYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A collation (PostgreSQL's `CREATE COLLATION`). Columns name it in their
/// `collation` as the SQL that `COLLATE` takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collation {
    /// Its name, case preserved (`"POSIX"` and `posix` are two names).
    pub name: QualifiedName,
    /// `provider`: `icu`, `libc` or `builtin`.
    pub provider: String,
    /// `locale` of an ICU or builtin collation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// `lc_collate` of a libc collation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_collate: Option<String>,
    /// `lc_ctype` of a libc collation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_ctype: Option<String>,
    /// `deterministic` (the default); `false` compares by the locale's
    /// rules only (case-insensitive collations).
    pub deterministic: bool,
}

/// A virtual table (SQLite): its module keeps the data, so it is compared
/// and recreated as a whole, by its `CREATE VIRTUAL TABLE` statement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualTable {
    /// Its name.
    pub name: QualifiedName,
    /// The statement that creates it, as the database keeps it.
    pub sql: String,
}

/// An extension.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Its name.
    pub name: String,
    /// The schema its objects live in.
    pub schema: String,
    /// The installed version.
    pub version: String,
    /// `COMMENT ON EXTENSION` (an extension sets its own when created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A domain: a type with constraints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// Its name.
    pub name: QualifiedName,
    /// The underlying type.
    pub data_type: String,
    /// `DEFAULT`.
    pub default: Option<String>,
    /// `NOT NULL`.
    pub not_null: bool,
    /// `CHECK` constraints, sorted by name.
    pub checks: Vec<CheckConstraint>,
    /// `COMMENT ON DOMAIN`.
    pub comment: Option<String>,
}

/// A row-level security policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Its name.
    pub name: String,
    /// `AS PERMISSIVE` (else `RESTRICTIVE`).
    pub permissive: bool,
    /// `FOR ALL | SELECT | INSERT | UPDATE | DELETE`.
    pub command: String,
    /// `TO` roles (`PUBLIC` as `public`), sorted.
    pub roles: Vec<String>,
    /// `USING (…)`.
    pub using: Option<String>,
    /// `WITH CHECK (…)`.
    pub with_check: Option<String>,
    /// `COMMENT ON POLICY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A schema-qualified name. SQLite has no schemas: `schema` is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    /// The schema (`public`), or empty.
    pub schema: String,
    /// The object's name, as the database stores it (case preserved).
    pub name: String,
}

impl QualifiedName {
    /// A name in `schema`.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

/// A table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Its name.
    pub name: QualifiedName,
    /// Columns in their table order.
    pub columns: Vec<Column>,
    /// The primary key, if any.
    pub primary_key: Option<PrimaryKey>,
    /// Unique constraints (not unique indexes), sorted by name.
    pub uniques: Vec<UniqueConstraint>,
    /// Check constraints, sorted by name.
    pub checks: Vec<CheckConstraint>,
    /// Foreign keys, sorted by name.
    pub foreign_keys: Vec<ForeignKey>,
    /// Indexes that no constraint owns, sorted by name.
    pub indexes: Vec<Index>,
    /// `COMMENT ON TABLE`.
    pub comment: Option<String>,
    /// Triggers on the table, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// `ENABLE ROW LEVEL SECURITY` (PostgreSQL).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub row_security: bool,
    /// `FORCE ROW LEVEL SECURITY` (PostgreSQL).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_row_security: bool,
    /// Row-level security policies, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Policy>,
    /// Exclusion constraints (PostgreSQL), sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<ExclusionConstraint>,
    /// `UNLOGGED` (PostgreSQL): not written to the write-ahead log.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlogged: bool,
    /// Storage parameters (PostgreSQL `WITH (fillfactor=70)`), as
    /// `name=value`, sorted; on MySQL the table options (`ENGINE=InnoDB`,
    /// `COLLATE=utf8mb4_general_ci`, `ROW_FORMAT=COMPRESSED`…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage_options: Vec<String>,
    /// SQLite: `INTEGER PRIMARY KEY AUTOINCREMENT`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub autoincrement: bool,
    /// SQLite: `WITHOUT ROWID`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_rowid: bool,
    /// SQLite: `STRICT`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
    /// `PARTITION BY …` of a partitioned table (PostgreSQL), as
    /// `pg_get_partkeydef` gives it: `RANGE (created_at)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// The table is a partition (`PARTITION OF parent FOR VALUES …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    /// `INHERITS (…)`: the parents of a table other than a partition, in
    /// their declared order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QualifiedName>,
    /// The indexes PostgreSQL made on this partition for its parent's
    /// (primary key, unique and plain ones): the parent's index name →
    /// this table's. Not diffed (they follow the parent's); a detached
    /// partition keeps them as its own.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub cloned_indexes: std::collections::BTreeMap<String, String>,
    /// Why retort cannot model this table exactly (a MySQL partitioned or
    /// system-versioned table): the diff reports it by name instead of
    /// writing SQL for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsupported: Option<String>,
    /// How Citus spreads the table over its nodes; `None` for a plain
    /// table (and everywhere but on a Citus coordinator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Distribution>,
}

/// How Citus spreads a table over the nodes of a cluster
/// (`pg_dist_partition`). Shards and Citus's own bookkeeping are not part
/// of the model: only what `create_distributed_table` and its siblings
/// say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Distribution {
    /// Hash-distributed on a column, in shards spread over the workers.
    Hash {
        /// The distribution column.
        column: String,
        /// The table this one is colocated with: the first table, by name,
        /// of its colocation group. `None` when this table is that first
        /// one (it leads its own group).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        colocate_with: Option<QualifiedName>,
        /// How many shards the group has.
        shard_count: u32,
    },
    /// A reference table: one shard, copied whole to every node.
    Reference,
    /// A Citus local table: in Citus's metadata, stored on the coordinator
    /// (`citus_add_local_table_to_metadata`). Tables Citus converted on its
    /// own (for a foreign key to a reference table) are not marked.
    Local,
}

/// What makes a table a partition of another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOf {
    /// The partitioned table.
    pub parent: QualifiedName,
    /// `FOR VALUES …` or `DEFAULT`, as `pg_get_expr(relpartbound)` gives it.
    pub bound: String,
}

impl Table {
    /// The tables it gets columns from: its partitioned table, or the
    /// tables it inherits from.
    pub fn parents(&self) -> impl Iterator<Item = &QualifiedName> {
        self.partition_of
            .iter()
            .map(|p| &p.parent)
            .chain(self.inherits.iter())
    }
}

/// A trigger, kept as the statement that creates it (`pg_get_triggerdef`,
/// or SQLite's stored `CREATE TRIGGER` text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// Its name.
    pub name: String,
    /// The `CREATE TRIGGER` statement as the database gives it back.
    pub definition: String,
    /// `COMMENT ON TRIGGER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A function or procedure (PostgreSQL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    /// Its name.
    pub name: QualifiedName,
    /// The identity arguments (`integer, text`): with the name, what tells
    /// overloads apart.
    pub arguments: String,
    /// A procedure rather than a function.
    pub procedure: bool,
    /// The result type as `pg_get_function_result` spells it (empty for a
    /// procedure); a change needs DROP and CREATE rather than REPLACE.
    pub result: String,
    /// `CREATE OR REPLACE …` as `pg_get_functiondef` gives it.
    pub definition: String,
    /// Its result or an argument is the row type of a table or view, so it
    /// is created after tables and views and dropped before them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uses_row_type: bool,
    /// `COMMENT ON FUNCTION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// An aggregate (`CREATE AGGREGATE`): `definition` is its
    /// `CREATE OR REPLACE AGGREGATE` statement, and it is created after the
    /// functions it calls and dropped before them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub aggregate: bool,
}

/// A column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// The type as the database spells it canonically (`character varying(255)`,
    /// `integer`, `timestamp with time zone`; SQLite: as declared).
    pub data_type: String,
    /// `NOT NULL` absent.
    pub nullable: bool,
    /// The default expression as the database normalises it.
    pub default: Option<String>,
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`.
    pub identity: Option<Identity>,
    /// The options of an identity column's sequence (`START WITH`,
    /// `INCREMENT BY`…) where not the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_options: Option<IdentityOptions>,
    /// `GENERATED ALWAYS AS (expr) STORED`: the expression.
    pub generated: Option<String>,
    /// The generated column is SQLite's `VIRTUAL` kind (computed when read)
    /// rather than `STORED`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub generated_virtual: bool,
    /// A collation other than the default (MySQL: every character
    /// column's collation, which also names its character set).
    pub collation: Option<String>,
    /// `COMMENT ON COLUMN`.
    pub comment: Option<String>,
    /// Attribute options set with `ALTER COLUMN … SET (…)` (PostgreSQL's
    /// `n_distinct`, `n_distinct_inherited`), as `name=value`, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// `SET STATISTICS n` (PostgreSQL), when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
    /// `SET STORAGE plain | external | extended | main` (PostgreSQL), when
    /// not the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// The column comes from a parent (a partition's columns, or an
    /// inheriting table's columns it does not declare itself): the table's
    /// `CREATE TABLE` leaves it out and the parent's changes reach it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inherited: bool,
    /// `ON UPDATE current_timestamp()` (MySQL): the expression a row's
    /// column takes when the row is updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    /// `AUTO_INCREMENT` (MySQL).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_increment: bool,
    /// `INVISIBLE` (MySQL): left out of `SELECT *` and of `INSERT`s that
    /// name no columns.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invisible: bool,
    /// A `CHECK (…)` declared on the column itself (MariaDB), which
    /// belongs to the column: `MODIFY COLUMN` without it drops it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

/// How an identity column generates values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// `GENERATED ALWAYS AS IDENTITY`.
    Always,
    /// `GENERATED BY DEFAULT AS IDENTITY`.
    ByDefault,
}

/// The sequence options of an identity column, each `None` (or `false`)
/// when it is the default for the column's type and direction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityOptions {
    /// `START WITH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// `INCREMENT BY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    /// `MINVALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i64>,
    /// `MAXVALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i64>,
    /// `CACHE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    /// `CYCLE`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cycle: bool,
}

/// A primary key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryKey {
    /// The constraint's name (empty when the database does not name it).
    pub name: String,
    /// Its columns, in key order.
    pub columns: Vec<String>,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `DEFERRABLE` (PostgreSQL).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    /// `INITIALLY DEFERRED` (PostgreSQL).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
}

/// A unique constraint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniqueConstraint {
    /// The constraint's name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `DEFERRABLE` (PostgreSQL).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    /// `INITIALLY DEFERRED` (PostgreSQL).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15+): two nulls collide.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
}

/// An exclusion constraint (PostgreSQL `EXCLUDE USING gist (… WITH &&)`),
/// kept as the definition the database gives back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionConstraint {
    /// The constraint's name.
    pub name: String,
    /// `EXCLUDE …` as `pg_get_constraintdef` spells it (with its
    /// `WHERE`, `DEFERRABLE`…).
    pub definition: String,
}

/// A check constraint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckConstraint {
    /// The constraint's name.
    pub name: String,
    /// The expression as the database normalises it.
    pub expression: String,
    /// `COMMENT ON CONSTRAINT` (on a table or a domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Added `NOT VALID` (PostgreSQL, `pg_constraint.convalidated` false):
    /// existing rows were not checked. Created with `ALTER TABLE … ADD …
    /// NOT VALID`, never inside `CREATE TABLE`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    /// `NO INHERIT` (PostgreSQL, `pg_constraint.connoinherit`): the check
    /// holds on this table only, not on tables that inherit from it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_inherit: bool,
}

/// What a foreign key does when the referenced row changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    /// `NO ACTION` (the default).
    #[default]
    NoAction,
    /// `RESTRICT`.
    Restrict,
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
}

impl FkAction {
    /// The SQL words.
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }

    /// Parses the words used by catalogs and pragmas (`CASCADE`, `SET NULL`…).
    pub fn parse(words: &str) -> Self {
        match words.trim().to_ascii_uppercase().as_str() {
            "RESTRICT" | "R" => FkAction::Restrict,
            "CASCADE" | "C" => FkAction::Cascade,
            "SET NULL" | "N" => FkAction::SetNull,
            "SET DEFAULT" | "D" => FkAction::SetDefault,
            _ => FkAction::NoAction,
        }
    }
}

/// A foreign key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    /// The constraint's name (SQLite: empty unless named).
    pub name: String,
    /// Referencing columns.
    pub columns: Vec<String>,
    /// The referenced table.
    pub references: QualifiedName,
    /// Referenced columns.
    pub referenced_columns: Vec<String>,
    /// `ON DELETE`.
    pub on_delete: FkAction,
    /// `ON UPDATE`.
    pub on_update: FkAction,
    /// `DEFERRABLE`.
    pub deferrable: bool,
    /// `INITIALLY DEFERRED`.
    pub initially_deferred: bool,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Added `NOT VALID` (PostgreSQL): existing rows were not checked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
}

/// An index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Its name.
    pub name: String,
    /// `UNIQUE`.
    pub unique: bool,
    /// Key parts: column names or expressions, with `DESC` where given.
    pub parts: Vec<String>,
    /// `INCLUDE (…)` columns.
    pub include: Vec<String>,
    /// `WHERE …` of a partial index.
    pub predicate: Option<String>,
    /// The access method when not the default (`gin`, `gist`, `hash`…).
    pub method: Option<String>,
    /// `COMMENT ON INDEX`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `NULLS NOT DISTINCT` of a unique index (PostgreSQL 15+).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
    /// Statistics targets set on its columns (`ALTER INDEX … ALTER COLUMN
    /// n SET STATISTICS m`; PostgreSQL), as (column number from 1, target),
    /// sorted by column number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statistics: Vec<(i32, i32)>,
}

impl Index {
    /// Whether `self` and `other` define the same index, statistics targets
    /// aside (compared without copying either).
    pub fn same_but_statistics(&self, other: &Index) -> bool {
        let Index {
            name,
            unique,
            parts,
            include,
            predicate,
            method,
            comment,
            nulls_not_distinct,
            statistics: _,
        } = self;
        (name, unique, parts, include) == (&other.name, &other.unique, &other.parts, &other.include)
            && (predicate, method, comment, nulls_not_distinct)
                == (
                    &other.predicate,
                    &other.method,
                    &other.comment,
                    &other.nulls_not_distinct,
                )
    }

    /// The index without its statistics targets: an index whose only
    /// change is a target is altered, not created again.
    pub fn without_statistics(&self) -> Index {
        Index {
            statistics: Vec::new(),
            ..self.clone()
        }
    }
}

/// A view or materialized view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// Its name.
    pub name: QualifiedName,
    /// The query as the database normalises it.
    pub definition: String,
    /// `MATERIALIZED`.
    pub materialized: bool,
    /// `COMMENT ON VIEW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// A materialized view's indexes, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// The tables and views it reads (PostgreSQL, from `pg_depend`), sorted:
    /// a change to one of their columns drops and recreates the view.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<QualifiedName>,
    /// Its triggers (`INSTEAD OF`; PostgreSQL), sorted by name: part of
    /// the view, created right after it (so a recreated view gets them
    /// back) and gone with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// `COMMENT ON COLUMN` of its columns, by column name.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub column_comments: std::collections::BTreeMap<String, String>,
    /// How the view is run, where not the default (MySQL's
    /// `ALGORITHM=MERGE`, `SQL SECURITY INVOKER`), in that order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// A free-standing sequence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    /// Its name.
    pub name: QualifiedName,
    /// `AS` type.
    pub data_type: String,
    /// `START`.
    pub start: i64,
    /// `INCREMENT`.
    pub increment: i64,
    /// `MINVALUE` when not the default for its type and direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i64>,
    /// `MAXVALUE` when not the default for its type and direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i64>,
    /// `CACHE` when not 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    /// `CYCLE`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cycle: bool,
    /// `OWNED BY table.column` (a `serial` column's sequence): dropped with
    /// its column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<(QualifiedName, String)>,
    /// `COMMENT ON SEQUENCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An enum type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    /// Its name.
    pub name: QualifiedName,
    /// Its labels, in order.
    pub values: Vec<String>,
    /// `COMMENT ON TYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Schema {
    /// Sorts every list into the model's canonical order, so that two
    /// introspections of the same database compare equal.
    pub fn normalize(&mut self) {
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        for t in &mut self.tables {
            t.uniques
                .sort_by(|a, b| a.name.cmp(&b.name).then(a.columns.cmp(&b.columns)));
            t.checks
                .sort_by(|a, b| a.name.cmp(&b.name).then(a.expression.cmp(&b.expression)));
            t.foreign_keys
                .sort_by(|a, b| a.name.cmp(&b.name).then(a.columns.cmp(&b.columns)));
            t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            t.triggers.sort_by(|a, b| a.name.cmp(&b.name));
            t.policies.sort_by(|a, b| a.name.cmp(&b.name));
            t.exclusions.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.schemas.sort();
        self.extensions.sort_by(|a, b| a.name.cmp(&b.name));
        self.domains.sort_by(|a, b| a.name.cmp(&b.name));
        for d in &mut self.domains {
            d.checks.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.functions.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then_with(|| a.arguments.cmp(&b.arguments))
        });
        self.views.sort_by(|a, b| a.name.cmp(&b.name));
        for v in &mut self.views {
            v.triggers.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.sequences.sort_by(|a, b| a.name.cmp(&b.name));
        self.enums.sort_by(|a, b| a.name.cmp(&b.name));
        self.virtual_tables.sort_by(|a, b| a.name.cmp(&b.name));
        self.collations.sort_by(|a, b| a.name.cmp(&b.name));
        self.composite_types.sort_by(|a, b| a.name.cmp(&b.name));
        self.range_types.sort_by(|a, b| a.name.cmp(&b.name));
        self.rules
            .sort_by(|a, b| (&a.relation, &a.name).cmp(&(&b.relation, &b.name)));
        self.operators.sort_by(|a, b| a.key().cmp(&b.key()));
        self.privileges.sort();
        self.privileges.dedup();
        self.default_privileges.sort();
        self.default_privileges.dedup();
    }

    /// The table with this name (by binary search when the tables are in
    /// their canonical order, as [`Schema::normalize`] leaves them).
    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        match self.tables.binary_search_by(|t| t.name.cmp(name)) {
            Ok(i) => Some(&self.tables[i]),
            Err(_) => self.tables.iter().find(|t| &t.name == name),
        }
    }
}
