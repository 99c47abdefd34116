//! A change from one schema model to another: what the diff produces and a
//! dialect renders. Plain data (serialisable, comparable), so a list of
//! changes can be shown as JSON and snapshot-tested.

use serde::Serialize;

use super::{
    CheckConstraint, Collation, Column, CompositeType, DefaultPrivilege, Distribution, Domain,
    EnumType, ExclusionConstraint, Extension, ForeignKey, Function, Index, Operator, PartitionOf,
    Policy, PrimaryKey, Privilege, QualifiedName, RangeType, Rule, Sequence, Table, Trigger,
    UniqueConstraint, View, VirtualTable,
};

/// Where an added column goes (MySQL places columns; other databases
/// append them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnPosition {
    /// `FIRST`.
    First,
    /// `AFTER column`.
    After(String),
}

/// One change from the old schema to the new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// `CREATE TYPE … AS ENUM`.
    CreateEnum(EnumType),
    /// `ALTER TYPE … ADD VALUE` (appended at the end).
    AddEnumValue {
        /// The type.
        name: QualifiedName,
        /// The new label.
        value: String,
    },
    /// Labels removed or reordered: the old type is renamed away, the new one
    /// created, `columns` converted through text, the old type dropped.
    ReplaceEnum {
        /// The type before.
        from: EnumType,
        /// The type after.
        to: EnumType,
        /// `(table, column, default)` of the columns that use it.
        columns: Vec<(QualifiedName, String, Option<String>)>,
    },
    /// `DROP TYPE`.
    DropEnum(EnumType),
    /// `CREATE SEQUENCE`.
    CreateSequence(Sequence),
    /// `ALTER SEQUENCE` (type, start, increment).
    AlterSequence {
        /// Before.
        from: Sequence,
        /// After.
        to: Sequence,
    },
    /// `DROP SEQUENCE` (`IF EXISTS`: an owned sequence may have gone with
    /// its column).
    DropSequence(Sequence),
    /// `ALTER SEQUENCE … OWNED BY table.column | NONE`.
    SetSequenceOwner {
        /// The sequence.
        sequence: QualifiedName,
        /// The owning column, or none.
        owner: Option<(QualifiedName, String)>,
    },
    /// `CREATE TABLE` with columns, primary key, uniques and checks (its
    /// foreign keys follow as [`Change::AddForeignKey`], its indexes as
    /// [`Change::CreateIndex`]).
    CreateTable(Table),
    /// `DROP TABLE` (loses data).
    DropTable(Table),
    /// `ADD COLUMN`.
    AddColumn {
        /// The table.
        table: QualifiedName,
        /// The column.
        column: Column,
        /// Where it goes among the table's columns, on databases that
        /// place columns (MySQL's `FIRST` / `AFTER`); `None`: at the end.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<ColumnPosition>,
    },
    /// `DROP COLUMN` (loses data).
    DropColumn {
        /// The table.
        table: QualifiedName,
        /// The column.
        column: Column,
    },
    /// Type, nullability or default of a column changes.
    AlterColumn {
        /// The table.
        table: QualifiedName,
        /// The column before.
        from: Column,
        /// The column after.
        to: Column,
        /// The old type is an enum: its values are converted through text
        /// (PostgreSQL has no cast from one enum to another).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        cast_through_text: bool,
    },
    /// `ADD PRIMARY KEY`.
    AddPrimaryKey {
        /// The table.
        table: QualifiedName,
        /// The key.
        key: PrimaryKey,
    },
    /// `DROP CONSTRAINT` of the primary key.
    DropPrimaryKey {
        /// The table.
        table: QualifiedName,
        /// The key.
        key: PrimaryKey,
    },
    /// `ADD CONSTRAINT … UNIQUE`.
    AddUnique {
        /// The table.
        table: QualifiedName,
        /// The constraint.
        unique: UniqueConstraint,
    },
    /// `DROP CONSTRAINT` of a unique constraint.
    DropUnique {
        /// The table.
        table: QualifiedName,
        /// The constraint.
        unique: UniqueConstraint,
    },
    /// `ADD CONSTRAINT … CHECK`.
    AddCheck {
        /// The table.
        table: QualifiedName,
        /// The constraint.
        check: CheckConstraint,
    },
    /// `DROP CONSTRAINT` of a check.
    DropCheck {
        /// The table.
        table: QualifiedName,
        /// The constraint.
        check: CheckConstraint,
    },
    /// `ADD CONSTRAINT … FOREIGN KEY`.
    AddForeignKey {
        /// The table.
        table: QualifiedName,
        /// The key.
        fk: ForeignKey,
        /// The table is created by this diff (SQLite writes the key inside
        /// its `CREATE TABLE` instead).
        new_table: bool,
    },
    /// `DROP CONSTRAINT` of a foreign key.
    DropForeignKey {
        /// The table.
        table: QualifiedName,
        /// The key.
        fk: ForeignKey,
        /// The table is dropped by this diff (its keys go with it).
        table_dropped: bool,
    },
    /// `ALTER TABLE … SET LOGGED | UNLOGGED`, `SET (…)`, `RESET (…)`
    /// (PostgreSQL).
    SetTableStorage {
        /// The table.
        table: QualifiedName,
        /// Unlogged before, after.
        unlogged: (bool, bool),
        /// Storage parameters before, after.
        options: (Vec<String>, Vec<String>),
    },
    /// Distribute a table over a Citus cluster, undistribute it, or
    /// change how it is distributed (`create_distributed_table`,
    /// `create_reference_table`, `undistribute_table`…).
    SetDistribution {
        /// The table.
        table: QualifiedName,
        /// Before, after (`None`: a plain table).
        distribution: (Option<Distribution>, Option<Distribution>),
    },
    /// `ALTER TABLE … ADD CONSTRAINT … EXCLUDE …` (PostgreSQL).
    AddExclusion {
        /// The table.
        table: QualifiedName,
        /// The constraint.
        exclusion: ExclusionConstraint,
    },
    /// `DROP CONSTRAINT` of an exclusion constraint.
    DropExclusion {
        /// The table.
        table: QualifiedName,
        /// The constraint.
        exclusion: ExclusionConstraint,
    },
    /// A change the database has no statement for (an extension's version
    /// going down…). Never rendered as SQL: the generated migration carries
    /// `-- retort: cannot <what>: <why>; do it by hand`, and `check` and
    /// `diff` report it.
    CannotApply {
        /// What would have to change (`downgrade extension postgis from 3.4 to 3.3`).
        what: String,
        /// Why there is no statement for it.
        why: String,
    },
    /// `ALTER TABLE … VALIDATE CONSTRAINT`: a `NOT VALID` check or
    /// foreign key becomes valid (the reverse is a drop and an add
    /// `NOT VALID`).
    ValidateConstraint {
        /// The table.
        table: QualifiedName,
        /// The constraint.
        name: String,
    },
    /// `CREATE INDEX`.
    CreateIndex {
        /// The table.
        table: QualifiedName,
        /// The index.
        index: Index,
    },
    /// `DROP INDEX`.
    DropIndex {
        /// The table.
        table: QualifiedName,
        /// The index.
        index: Index,
    },
    /// `COMMENT ON TABLE` (set or removed).
    SetTableComment {
        /// The table.
        table: QualifiedName,
        /// The new comment; `None` removes it.
        comment: Option<String>,
    },
    /// `CREATE [MATERIALIZED] VIEW`.
    CreateView(View),
    /// `DROP [MATERIALIZED] VIEW`.
    DropView(View),
    /// `CREATE TRIGGER`.
    CreateTrigger {
        /// The table.
        table: QualifiedName,
        /// The trigger.
        trigger: Trigger,
    },
    /// `DROP TRIGGER`.
    DropTrigger {
        /// The table.
        table: QualifiedName,
        /// The trigger.
        trigger: Trigger,
    },
    /// `CREATE FUNCTION` / `CREATE PROCEDURE`.
    CreateFunction(Function),
    /// A changed function: `CREATE OR REPLACE`, or DROP and CREATE when its
    /// result type or kind changes.
    ReplaceFunction {
        /// Before.
        from: Function,
        /// After.
        to: Function,
    },
    /// `DROP FUNCTION` / `DROP PROCEDURE`.
    DropFunction(Function),
    /// `CREATE SCHEMA`.
    CreateSchema(String),
    /// `DROP SCHEMA` (after everything in it is gone).
    DropSchema(String),
    /// `CREATE EXTENSION`.
    CreateExtension(Extension),
    /// `ALTER EXTENSION … UPDATE TO` / `SET SCHEMA`.
    AlterExtension {
        /// Before.
        from: Extension,
        /// After.
        to: Extension,
    },
    /// `DROP EXTENSION`.
    DropExtension(Extension),
    /// `CREATE DOMAIN`.
    CreateDomain(Domain),
    /// `ALTER DOMAIN` (default, `NOT NULL`, checks), or DROP and CREATE
    /// when the underlying type changes.
    AlterDomain {
        /// Before.
        from: Domain,
        /// After.
        to: Domain,
    },
    /// `DROP DOMAIN`.
    DropDomain(Domain),
    /// `ALTER TABLE … ENABLE/DISABLE/[NO] FORCE ROW LEVEL SECURITY`.
    SetRowSecurity {
        /// The table.
        table: QualifiedName,
        /// Enabled before, after.
        enabled: (bool, bool),
        /// Forced before, after.
        forced: (bool, bool),
    },
    /// `CREATE POLICY`.
    CreatePolicy {
        /// The table.
        table: QualifiedName,
        /// The policy.
        policy: Policy,
    },
    /// `DROP POLICY`.
    DropPolicy {
        /// The table.
        table: QualifiedName,
        /// The policy.
        policy: Policy,
    },
    /// `COMMENT ON` an object other than a table or column.
    SetComment {
        /// The object.
        on: CommentTarget,
        /// The comment; `None` removes it.
        comment: Option<String>,
    },
    /// SQLite: `AUTOINCREMENT`, `WITHOUT ROWID` or `STRICT` changes (made
    /// by rebuilding the table).
    SetTableOptions {
        /// The table.
        table: QualifiedName,
    },
    /// `ALTER TABLE … RENAME TO …`.
    RenameTable {
        /// The old name.
        from: QualifiedName,
        /// The new name (same schema).
        to: QualifiedName,
    },
    /// `ALTER TABLE … RENAME COLUMN … TO …`.
    RenameColumn {
        /// The table (by the name it has when the rename runs).
        table: QualifiedName,
        /// The old column name.
        from: String,
        /// The new column name.
        to: String,
    },
    /// `ALTER TABLE … RENAME CONSTRAINT … TO …` (PostgreSQL).
    RenameConstraint {
        /// The table.
        table: QualifiedName,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `ALTER INDEX … RENAME TO …` (PostgreSQL).
    RenameIndex {
        /// The index's table.
        table: QualifiedName,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// SQLite: a table changed in a way `ALTER TABLE` cannot express, rebuilt
    /// by the procedure SQLite's documentation prescribes (new table, copy,
    /// drop, rename, recreate indexes and triggers, check foreign keys).
    RebuildTable {
        /// The table before.
        from: Box<Table>,
        /// The table after.
        to: Box<Table>,
    },
    /// `CREATE COLLATION` (before the tables and domains that use it).
    CreateCollation(Collation),
    /// `DROP COLLATION` (once nothing uses it).
    DropCollation(Collation),
    /// `CREATE TYPE … AS (…)`.
    CreateCompositeType(CompositeType),
    /// `ALTER TYPE … ADD / DROP / ALTER ATTRIBUTE`: the attributes that
    /// stay keep their order and new ones come last.
    AlterCompositeType {
        /// Before.
        from: CompositeType,
        /// After.
        to: CompositeType,
    },
    /// `DROP TYPE` and `CREATE TYPE … AS (…)` again: attributes reordered
    /// (loses data: fails while columns use the type).
    ReplaceCompositeType {
        /// Before.
        from: CompositeType,
        /// After.
        to: CompositeType,
    },
    /// `DROP TYPE` of a composite type.
    DropCompositeType(CompositeType),
    /// `CREATE TYPE … AS RANGE`.
    CreateRangeType(RangeType),
    /// `DROP TYPE` of a range type (its multirange goes with it).
    DropRangeType(RangeType),
    /// `CREATE OPERATOR` (after the functions it calls).
    CreateOperator(Operator),
    /// `DROP OPERATOR name (left, right)`.
    DropOperator(Operator),
    /// `ALTER OPERATOR … SET (RESTRICT = …, JOIN = …)`: the estimators
    /// changed, nothing else.
    AlterOperator {
        /// As it was.
        from: Operator,
        /// As it becomes.
        to: Operator,
    },
    /// `ALTER INDEX … ALTER COLUMN n SET STATISTICS m` (PostgreSQL).
    SetIndexStatistics {
        /// The index's table.
        table: QualifiedName,
        /// The index.
        index: String,
        /// The column number, from 1.
        column: i32,
        /// The target; `None` is back to the default.
        target: Option<i32>,
    },
    /// `CREATE RULE` (once the tables and views it names exist).
    CreateRule(Rule),
    /// `DROP RULE` (a rule goes with its table or view otherwise).
    DropRule(Rule),
    /// `ALTER TABLE parent ATTACH PARTITION table FOR VALUES …`: an
    /// existing table becomes a partition.
    AttachPartition {
        /// The table that becomes a partition.
        table: QualifiedName,
        /// Its parent and bound.
        partition: PartitionOf,
    },
    /// `ALTER TABLE parent DETACH PARTITION table`: a partition becomes a
    /// table of its own (with its rows).
    DetachPartition {
        /// The partition.
        table: QualifiedName,
        /// Its parent and bound.
        partition: PartitionOf,
    },
    /// `ALTER TABLE table INHERIT parent`.
    AddInherit {
        /// The inheriting table.
        table: QualifiedName,
        /// The parent.
        parent: QualifiedName,
    },
    /// `ALTER TABLE table NO INHERIT parent`.
    DropInherit {
        /// The inheriting table.
        table: QualifiedName,
        /// The parent.
        parent: QualifiedName,
    },
    /// `CREATE VIRTUAL TABLE` (SQLite), by its statement.
    CreateVirtualTable(VirtualTable),
    /// `DROP TABLE` of a virtual table (its shadow tables go with it).
    DropVirtualTable(VirtualTable),
    /// `GRANT … ON … TO …` (`WITH GRANT OPTION` when grantable): a
    /// privilege given, or a revoked default given back.
    Grant(Privilege),
    /// `REVOKE [GRANT OPTION FOR] … ON … FROM …`.
    Revoke {
        /// The privilege.
        privilege: Privilege,
        /// Only the grant option is taken away.
        option_only: bool,
    },
    /// `ALTER DEFAULT PRIVILEGES … GRANT …`.
    GrantDefault(DefaultPrivilege),
    /// `ALTER DEFAULT PRIVILEGES … REVOKE [GRANT OPTION FOR] …`.
    RevokeDefault {
        /// The default privilege.
        privilege: DefaultPrivilege,
        /// Only the grant option is taken away.
        option_only: bool,
    },
}

impl Change {
    /// Whether applying the change can lose data.
    pub fn loses_data(&self) -> bool {
        match self {
            Change::DropTable(_)
            | Change::DropColumn { .. }
            | Change::DropVirtualTable(_)
            | Change::ReplaceCompositeType { .. } => true,
            Change::AlterColumn { from, to, .. } => from.data_type != to.data_type,
            Change::RebuildTable { from, to } => from.columns.iter().any(|c| {
                to.columns
                    .iter()
                    .find(|n| n.name == c.name)
                    .is_none_or(|n| n.data_type != c.data_type)
            }),
            _ => false,
        }
    }
}

/// An object a comment is set on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "object", rename_all = "snake_case")]
pub enum CommentTarget {
    /// A view or materialized view.
    View {
        /// Its name.
        name: QualifiedName,
        /// Materialized.
        materialized: bool,
    },
    /// A function or procedure.
    Function {
        /// Its name.
        name: QualifiedName,
        /// Its identity arguments.
        arguments: String,
        /// A procedure.
        procedure: bool,
        /// An aggregate.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        aggregate: bool,
    },
    /// A column of a view.
    ViewColumn {
        /// The view.
        view: QualifiedName,
        /// The column.
        column: String,
    },
    /// An operator, by name and operand types.
    Operator {
        /// Its schema and symbol.
        name: QualifiedName,
        /// The left operand's type (`None`: prefix).
        left: Option<String>,
        /// The right operand's type.
        right: Option<String>,
    },
    /// A rule.
    Rule {
        /// Its table or view.
        relation: QualifiedName,
        /// The rule.
        name: String,
    },
    /// A sequence.
    Sequence(QualifiedName),
    /// An enum, composite or range type.
    Type(QualifiedName),
    /// A domain.
    Domain(QualifiedName),
    /// An index (schema of its table, index name).
    Index(QualifiedName),
    /// A table's constraint (primary key, unique, check, foreign key).
    Constraint {
        /// The table.
        table: QualifiedName,
        /// The constraint.
        name: String,
    },
    /// A domain's check constraint.
    DomainConstraint {
        /// The domain.
        domain: QualifiedName,
        /// The constraint.
        name: String,
    },
    /// A trigger.
    Trigger {
        /// Its table.
        table: QualifiedName,
        /// The trigger.
        name: String,
    },
    /// A row-level security policy.
    Policy {
        /// Its table.
        table: QualifiedName,
        /// The policy.
        name: String,
    },
    /// A schema.
    Schema(String),
    /// An extension.
    Extension(String),
}
