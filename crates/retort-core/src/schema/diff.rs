//! The difference between two schema models, as an ordered list of changes.
//!
//! Order (so every statement finds what it needs): drop views and triggers;
//! drop foreign keys and policies, then other constraints and indexes that
//! go or change; drop tables; create schemas and extensions; create enums,
//! domains, sequences and functions; create tables (without their foreign
//! keys); add, alter and drop columns; drop functions, then domains; replace
//! enums that lose labels; add constraints and indexes; add foreign keys
//! (every table they point at now exists); create views (each after the
//! views it reads); create triggers and policies; drop enums and sequences;
//! drop extensions and schemas last. Comments follow their objects. The
//! downgrade is simply `diff(to, from)`.

use std::collections::HashMap;

use serde::Serialize;

use super::{
    CheckConstraint, Column, Domain, EnumType, Extension, ForeignKey, Function, Index, Policy,
    PrimaryKey, QualifiedName, Schema, Sequence, Table, Trigger, UniqueConstraint, View,
    VirtualTable,
};

/// One change from the old schema to the new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
    /// `CREATE VIRTUAL TABLE` (SQLite), by its statement.
    CreateVirtualTable(VirtualTable),
    /// `DROP TABLE` of a virtual table (its shadow tables go with it).
    DropVirtualTable(VirtualTable),
}

impl Change {
    /// Whether applying the change can lose data.
    pub fn loses_data(&self) -> bool {
        match self {
            Change::DropTable(_) | Change::DropColumn { .. } | Change::DropVirtualTable(_) => true,
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
    },
    /// A sequence.
    Sequence(QualifiedName),
    /// An enum type.
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

/// The changes that turn `from` into `to`, in an order that applies.
pub fn diff(from: &Schema, to: &Schema) -> Vec<Change> {
    // Comments on views, functions, indexes… are compared on their own
    // (a changed comment must not recreate the object); the objects are
    // compared without them.
    if super::comments::any(from) || super::comments::any(to) {
        let mut changes = diff_objects(&super::comments::strip(from), &super::comments::strip(to));
        let comments = super::comments::changes(from, to, &changes);
        changes.extend(comments);
        return changes;
    }
    diff_objects(from, to)
}

fn diff_objects(from: &Schema, to: &Schema) -> Vec<Change> {
    let mut p = Phases::default();
    schemas_and_extensions(from, to, &mut p);
    // Views depend on tables: drop every view that changes or goes first,
    // create new and changed ones last.
    for v in &from.views {
        if to.views.iter().find(|n| n.name == v.name) != Some(v) {
            p.drop_views.push(Change::DropView(v.clone()));
        }
    }
    for v in &to.views {
        if from.views.iter().find(|o| o.name == v.name) != Some(v) {
            p.create_views.push(Change::CreateView(v.clone()));
        }
    }
    for e in &to.enums {
        match from.enums.iter().find(|o| o.name == e.name) {
            None => p.create_types.push(Change::CreateEnum(e.clone())),
            Some(old) if e.values.starts_with(&old.values) => {
                for value in &e.values[old.values.len()..] {
                    p.create_types.push(Change::AddEnumValue {
                        name: e.name.clone(),
                        value: value.clone(),
                    });
                }
            }
            // Removing or reordering labels: rename the old type away, create
            // the new one, convert the columns that use it, drop the old.
            Some(old) => p.replace_types.push(Change::ReplaceEnum {
                from: old.clone(),
                to: e.clone(),
                columns: enum_columns(to, e),
            }),
        }
    }
    for e in &from.enums {
        if !to.enums.iter().any(|n| n.name == e.name) {
            p.drop_types.push(Change::DropEnum(e.clone()));
        }
    }
    for d in &to.domains {
        match from.domains.iter().find(|o| o.name == d.name) {
            None => p.create_types.push(Change::CreateDomain(d.clone())),
            Some(o) if o != d => p.create_types.push(Change::AlterDomain {
                from: o.clone(),
                to: d.clone(),
            }),
            Some(_) => {}
        }
    }
    for d in &from.domains {
        if !to.domains.iter().any(|n| n.name == d.name) {
            p.drop_domains.push(Change::DropDomain(d.clone()));
        }
    }
    // A sequence is created before the tables whose defaults call it; its
    // owner is set once the owning table exists.
    for s in &to.sequences {
        let old = from.sequences.iter().find(|o| o.name == s.name);
        match old {
            Some(old) if old == s => {}
            Some(old)
                if (&old.data_type, old.start, old.increment)
                    == (&s.data_type, s.start, s.increment) => {}
            Some(old) => p.create_types.push(Change::AlterSequence {
                from: old.clone(),
                to: s.clone(),
            }),
            None => p.create_types.push(Change::CreateSequence(s.clone())),
        }
        let old_owner = old.and_then(|o| o.owned_by.as_ref());
        if old_owner != s.owned_by.as_ref() {
            // Dropping the old owning column would drop the sequence: let
            // go of it first; take the new owner once it exists.
            if old_owner.is_some() {
                p.drop_fks.push(Change::SetSequenceOwner {
                    sequence: s.name.clone(),
                    owner: None,
                });
            }
            if s.owned_by.is_some() {
                p.add_fks.push(Change::SetSequenceOwner {
                    sequence: s.name.clone(),
                    owner: s.owned_by.clone(),
                });
            }
        }
    }
    for s in &from.sequences {
        if !to.sequences.iter().any(|n| n.name == s.name) {
            p.drop_types.push(Change::DropSequence(s.clone()));
        }
    }
    functions(from, to, &mut p);
    // A virtual table's arguments are its definition: any change recreates
    // it. Dropped with the views (before the tables an external-content
    // index reads), created once every ordinary table exists.
    for v in &from.virtual_tables {
        if to.virtual_tables.iter().find(|n| n.name == v.name) != Some(v) {
            p.drop_views.push(Change::DropVirtualTable(v.clone()));
        }
    }
    for v in &to.virtual_tables {
        if from.virtual_tables.iter().find(|o| o.name == v.name) != Some(v) {
            p.add_fks.push(Change::CreateVirtualTable(v.clone()));
        }
    }
    // Tables by name: schemas with thousands of tables must not be compared
    // pairwise.
    let old_tables: HashMap<&QualifiedName, &Table> =
        from.tables.iter().map(|t| (&t.name, t)).collect();
    let new_tables: HashMap<&QualifiedName, &Table> =
        to.tables.iter().map(|t| (&t.name, t)).collect();
    for t in &from.tables {
        if !new_tables.contains_key(&t.name) {
            for fk in &t.foreign_keys {
                p.drop_fks.push(Change::DropForeignKey {
                    table: t.name.clone(),
                    fk: fk.clone(),
                    table_dropped: true,
                });
            }
            p.drop_tables.push(Change::DropTable(t.clone()));
        }
    }
    for t in &to.tables {
        match old_tables.get(&t.name).copied() {
            None => {
                let mut bare = t.clone();
                bare.indexes.clear();
                p.create_tables.push(Change::CreateTable(bare));
                if t.comment.is_some() {
                    p.columns.push(Change::SetTableComment {
                        table: t.name.clone(),
                        comment: t.comment.clone(),
                    });
                }
                for index in &t.indexes {
                    p.add_constraints.push(Change::CreateIndex {
                        table: t.name.clone(),
                        index: index.clone(),
                    });
                }
                for fk in &t.foreign_keys {
                    p.add_fks.push(Change::AddForeignKey {
                        table: t.name.clone(),
                        fk: fk.clone(),
                        new_table: true,
                    });
                }
                for trigger in &t.triggers {
                    p.create_triggers.push(Change::CreateTrigger {
                        table: t.name.clone(),
                        trigger: trigger.clone(),
                    });
                }
                if t.row_security || t.force_row_security {
                    p.columns.push(Change::SetRowSecurity {
                        table: t.name.clone(),
                        enabled: (false, t.row_security),
                        forced: (false, t.force_row_security),
                    });
                }
                for policy in &t.policies {
                    p.create_triggers.push(Change::CreatePolicy {
                        table: t.name.clone(),
                        policy: policy.clone(),
                    });
                }
            }
            Some(old) => table_changes(old, t, &mut p),
        }
    }
    recreate_dependent_views(from, to, &mut p);
    p.into_changes()
}

/// PostgreSQL refuses to change the type of, or drop, a column a view reads.
/// Views that read (directly or through other views) a table whose columns
/// change that way are dropped first and created again last, even when
/// their text is the same.
fn recreate_dependent_views(from: &Schema, to: &Schema, p: &mut Phases) {
    let mut affected: Vec<QualifiedName> = Vec::new();
    for c in p.columns.iter().chain(&p.replace_types) {
        match c {
            Change::AlterColumn { table, from, to }
                if from.data_type != to.data_type || from.generated != to.generated =>
            {
                affected.push(table.clone())
            }
            Change::DropColumn { table, .. } => affected.push(table.clone()),
            Change::ReplaceEnum { columns, .. } => {
                affected.extend(columns.iter().map(|(t, _, _)| t.clone()))
            }
            _ => {}
        }
    }
    if affected.is_empty() {
        return;
    }
    // Grow the set through views that read affected views.
    loop {
        let before = affected.len();
        for v in &from.views {
            if !affected.contains(&v.name) && v.reads.iter().any(|r| affected.contains(r)) {
                affected.push(v.name.clone());
            }
        }
        if affected.len() == before {
            break;
        }
    }
    for v in &from.views {
        if !affected.contains(&v.name) {
            continue;
        }
        let dropped = p
            .drop_views
            .iter()
            .any(|c| matches!(c, Change::DropView(d) if d.name == v.name));
        if !dropped {
            p.drop_views.push(Change::DropView(v.clone()));
        }
        if let Some(new) = to.views.iter().find(|n| n.name == v.name) {
            let created = p
                .create_views
                .iter()
                .any(|c| matches!(c, Change::CreateView(n) if n.name == v.name));
            if !created {
                p.create_views.push(Change::CreateView(new.clone()));
            }
        }
    }
}

/// Views in an order that creates each after the views it reads (`reads`),
/// and drops each before them.
fn order_views(changes: &mut [Change], create: bool) {
    let name = |c: &Change| match c {
        Change::CreateView(v) | Change::DropView(v) => Some(v.name.clone()),
        _ => None,
    };
    let reads = |c: &Change| match c {
        Change::CreateView(v) | Change::DropView(v) => v.reads.clone(),
        _ => Vec::new(),
    };
    // Depth = the longest chain of views read through; stable sort by it.
    let names: std::collections::HashSet<QualifiedName> = changes.iter().filter_map(name).collect();
    let mut depth: HashMap<QualifiedName, usize> = HashMap::new();
    // Relax until stable (a cycle cannot exist among views; the bound is a
    // guard all the same).
    for _ in 0..=changes.len() {
        let mut changed = false;
        for c in changes.iter() {
            let Some(n) = name(c) else { continue };
            let d = reads(c)
                .iter()
                .filter(|r| names.contains(*r))
                .map(|r| depth.get(r).copied().unwrap_or(0) + 1)
                .max()
                .unwrap_or(0);
            if depth.insert(n, d) != Some(d) {
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let key = |c: &Change| name(c).and_then(|n| depth.get(&n).copied()).unwrap_or(0);
    if create {
        changes.sort_by_key(key);
    } else {
        changes.sort_by_key(|c| std::cmp::Reverse(key(c)));
    }
}

/// Functions by (name, arguments): created or replaced before the tables
/// (defaults and checks may call them), dropped last.
fn functions(from: &Schema, to: &Schema, p: &mut Phases) {
    let key = |f: &Function| (f.name.clone(), f.arguments.clone());
    let old: HashMap<_, &Function> = from.functions.iter().map(|f| (key(f), f)).collect();
    let new: HashMap<_, &Function> = to.functions.iter().map(|f| (key(f), f)).collect();
    // A function whose signature names a table's or view's row type needs
    // that relation to exist, and keeps it from being dropped.
    for f in &to.functions {
        let create = if f.uses_row_type {
            &mut p.create_row_routines
        } else {
            &mut p.create_types
        };
        match old.get(&key(f)) {
            None => create.push(Change::CreateFunction(f.clone())),
            Some(o) if *o != f => create.push(Change::ReplaceFunction {
                from: (*o).clone(),
                to: f.clone(),
            }),
            Some(_) => {}
        }
    }
    for f in &from.functions {
        if !new.contains_key(&key(f)) {
            let drop = if f.uses_row_type {
                &mut p.drop_row_routines
            } else {
                &mut p.drop_routines
            };
            drop.push(Change::DropFunction(f.clone()));
        }
    }
}

/// The columns of `schema` whose type is the enum `e`.
fn enum_columns(schema: &Schema, e: &EnumType) -> Vec<(QualifiedName, String, Option<String>)> {
    let bare = e.name.name.as_str();
    let qualified = format!("{}.{}", e.name.schema, e.name.name);
    schema
        .tables
        .iter()
        .flat_map(|t| t.columns.iter().map(move |c| (t, c)))
        .filter(|(_, c)| c.data_type == bare || c.data_type == qualified)
        .map(|(t, c)| (t.name.clone(), c.name.clone(), c.default.clone()))
        .collect()
}

/// Changes of one table that exists on both sides.
fn table_changes(old: &Table, new: &Table, p: &mut Phases) {
    let name = &new.name;
    if (old.autoincrement, old.without_rowid, old.strict)
        != (new.autoincrement, new.without_rowid, new.strict)
    {
        p.columns.push(Change::SetTableOptions {
            table: name.clone(),
        });
    }
    if old.comment != new.comment {
        p.columns.push(Change::SetTableComment {
            table: name.clone(),
            comment: new.comment.clone(),
        });
    }
    for c in &new.columns {
        match old.columns.iter().find(|o| o.name == c.name) {
            None => p.columns.push(Change::AddColumn {
                table: name.clone(),
                column: c.clone(),
            }),
            Some(o) if o != c => p.columns.push(Change::AlterColumn {
                table: name.clone(),
                from: o.clone(),
                to: c.clone(),
            }),
            Some(_) => {}
        }
    }
    for c in &old.columns {
        if !new.columns.iter().any(|n| n.name == c.name) {
            p.columns.push(Change::DropColumn {
                table: name.clone(),
                column: c.clone(),
            });
        }
    }
    if old.primary_key != new.primary_key {
        if let Some(key) = &old.primary_key {
            p.drop_constraints.push(Change::DropPrimaryKey {
                table: name.clone(),
                key: key.clone(),
            });
        }
        if let Some(key) = &new.primary_key {
            p.add_constraints.push(Change::AddPrimaryKey {
                table: name.clone(),
                key: key.clone(),
            });
        }
    }
    pair(
        &old.uniques,
        &new.uniques,
        |u| {
            p.drop_constraints.push(Change::DropUnique {
                table: name.clone(),
                unique: u.clone(),
            })
        },
        |u| {
            p.add_constraints.push(Change::AddUnique {
                table: name.clone(),
                unique: u.clone(),
            })
        },
    );
    let mut drops = Vec::new();
    let mut adds = Vec::new();
    pair(
        &old.checks,
        &new.checks,
        |c| {
            drops.push(Change::DropCheck {
                table: name.clone(),
                check: c.clone(),
            })
        },
        |c| {
            adds.push(Change::AddCheck {
                table: name.clone(),
                check: c.clone(),
            })
        },
    );
    pair(
        &old.indexes,
        &new.indexes,
        |i| {
            drops.push(Change::DropIndex {
                table: name.clone(),
                index: i.clone(),
            })
        },
        |i| {
            adds.push(Change::CreateIndex {
                table: name.clone(),
                index: i.clone(),
            })
        },
    );
    p.drop_constraints.extend(drops);
    p.add_constraints.extend(adds);
    let mut fk_drops = Vec::new();
    let mut fk_adds = Vec::new();
    pair(
        &old.foreign_keys,
        &new.foreign_keys,
        |f| {
            fk_drops.push(Change::DropForeignKey {
                table: name.clone(),
                fk: f.clone(),
                table_dropped: false,
            })
        },
        |f| {
            fk_adds.push(Change::AddForeignKey {
                table: name.clone(),
                fk: f.clone(),
                new_table: false,
            })
        },
    );
    p.drop_fks.extend(fk_drops);
    p.add_fks.extend(fk_adds);
    let mut trigger_drops = Vec::new();
    let mut trigger_adds = Vec::new();
    pair(
        &old.triggers,
        &new.triggers,
        |t| {
            trigger_drops.push(Change::DropTrigger {
                table: name.clone(),
                trigger: t.clone(),
            })
        },
        |t| {
            trigger_adds.push(Change::CreateTrigger {
                table: name.clone(),
                trigger: t.clone(),
            })
        },
    );
    p.drop_views.extend(trigger_drops);
    p.create_triggers.extend(trigger_adds);
    if (old.row_security, old.force_row_security) != (new.row_security, new.force_row_security) {
        p.columns.push(Change::SetRowSecurity {
            table: name.clone(),
            enabled: (old.row_security, new.row_security),
            forced: (old.force_row_security, new.force_row_security),
        });
    }
    let mut policy_drops = Vec::new();
    let mut policy_adds = Vec::new();
    pair(
        &old.policies,
        &new.policies,
        |x| {
            policy_drops.push(Change::DropPolicy {
                table: name.clone(),
                policy: x.clone(),
            })
        },
        |x| {
            policy_adds.push(Change::CreatePolicy {
                table: name.clone(),
                policy: x.clone(),
            })
        },
    );
    p.drop_fks.extend(policy_drops);
    p.create_triggers.extend(policy_adds);
}

/// Schemas and extensions come before everything that lives in them and go
/// after it.
fn schemas_and_extensions(from: &Schema, to: &Schema, p: &mut Phases) {
    for s in &to.schemas {
        if !from.schemas.contains(s) {
            p.create_schemas.push(Change::CreateSchema(s.clone()));
        }
    }
    for e in &to.extensions {
        match from.extensions.iter().find(|o| o.name == e.name) {
            None => p.create_schemas.push(Change::CreateExtension(e.clone())),
            Some(o) if o != e => p.create_schemas.push(Change::AlterExtension {
                from: o.clone(),
                to: e.clone(),
            }),
            Some(_) => {}
        }
    }
    for e in &from.extensions {
        if !to.extensions.iter().any(|n| n.name == e.name) {
            p.drop_schemas.push(Change::DropExtension(e.clone()));
        }
    }
    for s in &from.schemas {
        if !to.schemas.contains(s) {
            p.drop_schemas.push(Change::DropSchema(s.clone()));
        }
    }
}

/// Constraints and indexes are compared whole (SQLite leaves many of them
/// unnamed): what is only in `old` is dropped, what is only in `new` is
/// added, so a changed one is dropped and added again.
fn pair<T: PartialEq>(old: &[T], new: &[T], mut drop: impl FnMut(&T), mut add: impl FnMut(&T)) {
    for o in old.iter().filter(|o| !new.contains(o)) {
        drop(o);
    }
    for n in new.iter().filter(|n| !old.contains(n)) {
        add(n);
    }
}

/// Changes grouped by the phase they run in.
#[derive(Default)]
struct Phases {
    drop_row_routines: Vec<Change>,
    drop_views: Vec<Change>,
    drop_fks: Vec<Change>,
    drop_constraints: Vec<Change>,
    drop_tables: Vec<Change>,
    create_schemas: Vec<Change>,
    create_types: Vec<Change>,
    create_tables: Vec<Change>,
    columns: Vec<Change>,
    drop_routines: Vec<Change>,
    drop_domains: Vec<Change>,
    replace_types: Vec<Change>,
    add_constraints: Vec<Change>,
    add_fks: Vec<Change>,
    create_views: Vec<Change>,
    create_row_routines: Vec<Change>,
    create_triggers: Vec<Change>,
    drop_types: Vec<Change>,
    drop_schemas: Vec<Change>,
}

impl Phases {
    fn into_changes(mut self) -> Vec<Change> {
        // Only DropView/DropTrigger live in `drop_views`; order the views
        // among themselves, keeping trigger drops where they are.
        let (mut views, triggers): (Vec<Change>, Vec<Change>) = self
            .drop_views
            .into_iter()
            .partition(|c| matches!(c, Change::DropView(_)));
        order_views(&mut views, false);
        self.drop_views = views.into_iter().chain(triggers).collect();
        order_views(&mut self.create_views, true);
        [
            self.drop_row_routines,
            self.drop_views,
            self.drop_fks,
            self.drop_constraints,
            self.drop_tables,
            self.create_schemas,
            self.create_types,
            self.create_tables,
            self.columns,
            // Once no column, default or trigger uses them: functions, then
            // the domains their signatures may name; then enums that lose
            // labels (no domain of a dropped column holds them any more).
            self.drop_routines,
            self.drop_domains,
            self.replace_types,
            self.add_constraints,
            self.add_fks,
            self.create_views,
            self.create_row_routines,
            self.create_triggers,
            self.drop_types,
            self.drop_schemas,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}
