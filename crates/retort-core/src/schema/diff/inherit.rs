//! Partitions and inheriting tables: what their parents give them, the
//! order parents and children are created and dropped in, and the
//! statements that attach and detach them.
//!
//! PostgreSQL copies a parent's columns (with their defaults and
//! `NOT NULL`) to a new partition or inheriting table, and passes a
//! parent's later column changes on to it; its keys, indexes, foreign keys
//! and triggers reach partitions as clones. The model keeps only what a
//! child has of its own (introspection leaves the clones out), so the diff
//! writes a child's column change only where it differs from what its
//! parent's change gives it.

use std::borrow::Cow;
use std::collections::HashMap;

use super::order::Phases;
use super::Change;
use crate::schema::{CheckConstraint, Column, QualifiedName, Schema, Table};

/// The longest line of parents above `name` (0 for a table without one),
/// so a table with several parents comes after all of them.
fn depth(tables: &HashMap<&QualifiedName, &Table>, name: &QualifiedName, guard: usize) -> usize {
    // A bound on the walk: inheritance has no cycles, but a model might.
    if guard > tables.len() {
        return 0;
    }
    tables.get(name).map_or(0, |t| {
        t.parents()
            .map(|p| 1 + depth(tables, p, guard + 1))
            .max()
            .unwrap_or(0)
    })
}

/// Sorts changes of tables (created, dropped, their columns altered…) so
/// parents come before their children (`children_first`: the other way
/// round), keeping the order otherwise.
pub(super) fn order_tables(changes: &mut [Change], schema: &Schema, children_first: bool) {
    let tables: HashMap<&QualifiedName, &Table> =
        schema.tables.iter().map(|t| (&t.name, t)).collect();
    let key = |c: &Change| match c {
        Change::CreateTable(t) | Change::DropTable(t) => depth(&tables, &t.name, 0),
        Change::AlterColumn { table, .. }
        | Change::SetTableComment { table, .. }
        | Change::SetRowSecurity { table, .. } => depth(&tables, table, 0),
        _ => 0,
    };
    if children_first {
        changes.sort_by_key(|c| std::cmp::Reverse(key(c)));
    } else {
        changes.sort_by_key(key);
    }
}

/// The column `name` of the first parent of `table` in `schema` that has it.
pub(super) fn parent_column<'a>(
    schema: &'a Schema,
    table: &Table,
    name: &str,
) -> Option<&'a Column> {
    table
        .parents()
        .filter_map(|p| schema.table(p))
        .find_map(|p| p.columns.iter().find(|c| c.name == name))
}

/// What a child's column is like when PostgreSQL has just copied it from
/// its parent's `column`: type, collation, `NOT NULL`, default, generation
/// and storage come along; statistics targets, attribute options and
/// identity do not; the comment is `comment`.
pub(super) fn as_copied(column: &Column, child: &Column, comment: Option<String>) -> Column {
    Column {
        comment,
        statistics: None,
        options: Vec::new(),
        identity: child.identity,
        identity_options: child.identity_options.clone(),
        inherited: child.inherited,
        ..column.clone()
    }
}

/// The column `name` of the parents above a table, each before (in
/// `from`, above `old`) and after (in `to`, above `new`), nearest first.
pub(super) fn ancestry<'a>(
    (from, to): (&'a Schema, &'a Schema),
    (old, new): (&Table, &Table),
    name: &str,
) -> Vec<(&'a Column, &'a Column)> {
    let above = |s: &'a Schema, t: &Table| -> Option<(&'a Table, &'a Column)> {
        t.parents()
            .filter_map(|p| s.table(p))
            .find_map(|p| p.columns.iter().find(|c| c.name == name).map(|c| (p, c)))
    };
    let mut chain = Vec::new();
    let mut at = above(from, old).zip(above(to, new));
    while let Some(((po, before), (pn, after))) = at {
        chain.push((before, after));
        if chain.len() > from.tables.len() {
            break;
        }
        at = above(from, po).zip(above(to, pn));
    }
    chain
}

/// A child's column `old` once its parents' changes have reached it:
/// `chain` is the column above it before and after, nearest parent first
/// (see [`ancestry`]). `ALTER TABLE parent ALTER COLUMN …` reaches every
/// table below, and the nearest parent's statements come last, so a
/// setting any of them changes ends as the nearest parent's; the comment,
/// attribute options and identity are not passed on.
pub(super) fn propagated(old: &Column, chain: &[(&Column, &Column)]) -> Column {
    let mut c = old.clone();
    let Some((_, parent)) = chain.first() else {
        return c;
    };
    let changed = |f: &dyn Fn(&Column) -> String| chain.iter().any(|(b, a)| f(b) != f(a));
    if changed(&|x| x.data_type.clone()) {
        c.data_type = parent.data_type.clone();
        // A new type resets the storage to its own default.
        c.storage = parent.storage.clone();
    }
    if changed(&|x| format!("{:?}", x.collation)) {
        c.collation = parent.collation.clone();
    }
    if changed(&|x| x.nullable.to_string()) {
        c.nullable = parent.nullable;
    }
    if changed(&|x| format!("{:?}", x.default)) {
        c.default = parent.default.clone();
    }
    if changed(&|x| format!("{:?}{}", x.generated, x.generated_virtual)) {
        c.generated = parent.generated.clone();
        c.generated_virtual = parent.generated_virtual;
    }
    if changed(&|x| format!("{:?}", x.statistics)) {
        c.statistics = parent.statistics;
    }
    if changed(&|x| format!("{:?}", x.storage)) {
        c.storage = parent.storage.clone();
    }
    c
}

/// Two columns equal but for whether they are inherited (a table attached
/// as a partition or detached from one keeps its columns).
pub(super) fn same_column(a: &Column, b: &Column) -> bool {
    let mut a = a.clone();
    a.inherited = b.inherited;
    a == *b
}

/// Whether `old` and `new` share a parent (so the parent's column changes
/// reach the table by themselves).
pub(super) fn shares_parent(old: &Table, new: &Table) -> bool {
    old.parents().any(|a| new.parents().any(|b| a == b))
}

/// A table that becomes or stops being a partition, or inherits from other
/// tables: detaching and `NO INHERIT` go before tables are dropped,
/// attaching and `INHERIT` after the columns they need exist. A partition
/// key cannot change in place: that is a [`Change::CannotApply`].
pub(super) fn relations(old: &Table, new: &Table, p: &mut Phases) {
    let name = &new.name;
    if old.partition_by != new.partition_by {
        let key = |k: &Option<String>| k.clone().unwrap_or_else(|| "none".to_string());
        p.columns.push(Change::CannotApply {
            what: format!(
                "change the partition key of table {}.{} from {} to {}",
                name.schema,
                name.name,
                key(&old.partition_by),
                key(&new.partition_by)
            ),
            why: "PostgreSQL cannot partition an existing table anew; create the new table, move the rows and swap the names".into(),
        });
    }
    if old.partition_of != new.partition_of {
        // A new bound under the same parent: detached and attached again
        // together, after the parent's column changes have reached it.
        let same_parent = old.partition_of.as_ref().map(|x| &x.parent)
            == new.partition_of.as_ref().map(|x| &x.parent);
        let detach = if same_parent {
            &mut p.attach
        } else {
            &mut p.detach
        };
        if let Some(partition) = &old.partition_of {
            detach.push(Change::DetachPartition {
                table: name.clone(),
                partition: partition.clone(),
            });
        }
        if let Some(partition) = &new.partition_of {
            p.attach.push(Change::AttachPartition {
                table: name.clone(),
                partition: partition.clone(),
            });
        }
    }
    for parent in old.inherits.iter().filter(|x| !new.inherits.contains(x)) {
        p.detach.push(Change::DropInherit {
            table: name.clone(),
            parent: parent.clone(),
        });
    }
    for parent in new.inherits.iter().filter(|x| !old.inherits.contains(x)) {
        p.attach.push(Change::AddInherit {
            table: name.clone(),
            parent: parent.clone(),
        });
    }
}

/// The tables above `t` in `schema` (its parents, theirs…), nearest first.
fn ancestors<'a>(schema: &'a Schema, t: &Table) -> Vec<&'a Table> {
    let mut out: Vec<&Table> = Vec::new();
    let mut queue: std::collections::VecDeque<&QualifiedName> = t.parents().collect();
    while let Some(name) = queue.pop_front() {
        if out.len() > schema.tables.len() {
            break;
        }
        if let Some(p) = schema.table(name) {
            if !out.iter().any(|o| o.name == p.name) {
                out.push(p);
                queue.extend(p.parents());
            }
        }
    }
    out
}

/// The checks a child of `parent` has from it: its own and those it has
/// from its own parents.
fn checks_from(schema: &Schema, parent: &Table) -> Vec<CheckConstraint> {
    let mut out: Vec<CheckConstraint> = Vec::new();
    for t in std::iter::once(parent).chain(ancestors(schema, parent)) {
        for c in &t.checks {
            if !out.iter().any(|o| o.name == c.name) {
                out.push(CheckConstraint {
                    comment: None,
                    ..c.clone()
                });
            }
        }
    }
    out
}

/// The parents `new` has that `old` had not (attached or `INHERIT`ed).
fn new_parents<'a>(old: &Table, new: &'a Table) -> Vec<&'a QualifiedName> {
    let old_parent = old.partition_of.as_ref().map(|p| &p.parent);
    new.partition_of
        .iter()
        .map(|p| &p.parent)
        .filter(|p| Some(*p) != old_parent)
        .chain(new.inherits.iter().filter(|p| !old.inherits.contains(p)))
        .collect()
}

/// The checks a table must have before it is attached to, or inherits
/// from, a new parent (PostgreSQL refuses it otherwise): the parents'
/// (in `to`). The table then has them from its parents.
pub(super) fn required_checks(old: &Table, new: &Table, to: &Schema) -> Vec<CheckConstraint> {
    let mut out: Vec<CheckConstraint> = Vec::new();
    for parent in new_parents(old, new)
        .into_iter()
        .filter_map(|p| to.table(p))
    {
        for c in checks_from(to, parent) {
            if !out.iter().any(|o| o.name == c.name) {
                out.push(c);
            }
        }
    }
    out
}

/// A primary key, unique constraint or index, found by name.
enum Keyed {
    Primary(crate::schema::PrimaryKey),
    Unique(crate::schema::UniqueConstraint),
    Index(crate::schema::Index),
}

/// The definition of index `name` of `t`, looked up through the parents
/// it was copied from.
fn resolve(schema: &Schema, t: &Table, name: &str, depth: usize) -> Option<Keyed> {
    if let Some(k) = t.primary_key.as_ref().filter(|k| k.name == name) {
        return Some(Keyed::Primary(k.clone()));
    }
    if let Some(u) = t.uniques.iter().find(|u| u.name == name) {
        return Some(Keyed::Unique(u.clone()));
    }
    if let Some(i) = t.indexes.iter().find(|i| i.name == name) {
        return Some(Keyed::Index(i.clone()));
    }
    let (parent_index, _) = t.cloned_indexes.iter().find(|(_, own)| *own == name)?;
    let parent = schema.table(&t.partition_of.as_ref()?.parent)?;
    (depth < schema.tables.len()).then(|| resolve(schema, parent, parent_index, depth + 1))?
}

/// `old` as it is once detached from its partitioned table or no longer
/// inheriting from a parent: what it had from the parent becomes its own
/// (PostgreSQL keeps the copies of the parent's keys, indexes, foreign keys
/// and checks; not the triggers). `new` is the table wanted.
pub(super) fn as_left<'a>(old: &'a Table, new: &Table, from: &Schema) -> Cow<'a, Table> {
    let detached = old
        .partition_of
        .as_ref()
        .filter(|p| new.partition_of.as_ref().map(|x| &x.parent) != Some(&p.parent));
    let dropped: Vec<&QualifiedName> = old
        .inherits
        .iter()
        .filter(|p| !new.inherits.contains(p))
        .collect();
    if detached.is_none() && dropped.is_empty() {
        return Cow::Borrowed(old);
    }
    let mut t = old.clone();
    let parents = detached.map(|p| &p.parent).into_iter().chain(dropped);
    for parent in parents.filter_map(|p| from.table(p)) {
        for c in checks_from(from, parent) {
            if !t.checks.iter().any(|x| x.name == c.name) {
                t.checks.push(c);
            }
        }
        if detached.is_none() {
            continue;
        }
        for a in std::iter::once(parent).chain(ancestors(from, parent)) {
            for fk in &a.foreign_keys {
                if !t.foreign_keys.iter().any(|x| x.name == fk.name) {
                    t.foreign_keys.push(crate::schema::ForeignKey {
                        comment: None,
                        ..fk.clone()
                    });
                }
            }
        }
        for (parent_index, own) in &old.cloned_indexes {
            match resolve(from, parent, parent_index, 0) {
                Some(Keyed::Primary(k)) => {
                    t.primary_key = Some(crate::schema::PrimaryKey {
                        name: own.clone(),
                        comment: None,
                        ..k
                    })
                }
                Some(Keyed::Unique(u)) => t.uniques.push(crate::schema::UniqueConstraint {
                    name: own.clone(),
                    comment: None,
                    ..u
                }),
                Some(Keyed::Index(i)) => t.indexes.push(crate::schema::Index {
                    name: own.clone(),
                    comment: None,
                    ..i
                }),
                None => {}
            }
        }
    }
    if detached.is_some() {
        t.cloned_indexes.clear();
    }
    Cow::Owned(t)
}

/// A new child's columns where they differ from the parent's copies: its
/// own `NOT NULL`, default, statistics… written once it exists.
pub(super) fn new_child_columns(t: &Table, to: &Schema, p: &mut Phases) {
    for c in t.columns.iter().filter(|c| c.inherited) {
        let Some(parent) = parent_column(to, t, &c.name) else {
            continue;
        };
        let copied = as_copied(parent, c, c.comment.clone());
        if copied != *c {
            p.child_columns.push(Change::AlterColumn {
                table: t.name.clone(),
                from: copied,
                to: c.clone(),
                cast_through_text: false,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, default: Option<&str>, nullable: bool) -> Column {
        Column {
            name: name.into(),
            data_type: "integer".into(),
            nullable,
            default: default.map(str::to_string),
            ..Column::default()
        }
    }

    #[test]
    fn a_parent_change_reaches_the_child_but_not_its_own_settings() {
        let before = col("a", None, true);
        let after = col("a", Some("1"), true);
        // The child's own NOT NULL stays; the parent's new default arrives.
        let child = col("a", None, false);
        assert_eq!(
            propagated(&child, &[(&before, &after)]),
            col("a", Some("1"), false)
        );
    }

    #[test]
    fn a_grandparent_change_ends_as_the_parent_has_it() {
        // The grandparent's new default reaches the parent and its child;
        // the parent sets its own back, and that reaches the child too.
        let (g_before, g_after) = (col("a", Some("1"), true), col("a", Some("2"), true));
        let parent = col("a", Some("9"), true);
        let child = col("a", Some("5"), true);
        assert_eq!(
            propagated(&child, &[(&parent, &parent), (&g_before, &g_after)]),
            col("a", Some("9"), true)
        );
        // Nothing above changes: the child keeps its own.
        assert_eq!(propagated(&child, &[(&parent, &parent)]), child);
    }

    #[test]
    fn a_detached_partition_keeps_its_copies_and_an_attached_one_needs_checks() {
        use crate::schema::{PartitionOf, PrimaryKey};
        let parent = Table {
            name: QualifiedName::new("public", "m"),
            primary_key: Some(PrimaryKey {
                name: "m_pkey".into(),
                columns: vec!["id".into()],
                ..PrimaryKey::default()
            }),
            checks: vec![CheckConstraint {
                name: "m_id_check".into(),
                expression: "(id > 0)".into(),
                ..CheckConstraint::default()
            }],
            partition_by: Some("RANGE (id)".into()),
            ..Table::default()
        };
        let partition = Table {
            name: QualifiedName::new("public", "m1"),
            partition_of: Some(PartitionOf {
                parent: parent.name.clone(),
                bound: "FOR VALUES FROM (1) TO (10)".into(),
            }),
            cloned_indexes: [("m_pkey".to_string(), "m1_pkey".to_string())].into(),
            ..Table::default()
        };
        let plain = Table {
            name: partition.name.clone(),
            ..Table::default()
        };
        let schema = Schema {
            tables: vec![parent.clone(), partition.clone()],
            ..Schema::default()
        };
        let left = as_left(&partition, &plain, &schema);
        assert_eq!(
            left.primary_key.as_ref().map(|k| k.name.as_str()),
            Some("m1_pkey")
        );
        assert_eq!(left.checks, parent.checks);
        assert!(left.cloned_indexes.is_empty());
        // Attached instead: it needs the parent's check before.
        assert_eq!(required_checks(&plain, &partition, &schema), parent.checks);
        assert!(required_checks(&partition, &partition, &schema).is_empty());
    }

    #[test]
    fn parents_are_created_before_children_and_dropped_after() {
        let table = |name: &str, parent: Option<&str>| Table {
            name: QualifiedName::new("public", name),
            inherits: parent
                .map(|p| vec![QualifiedName::new("public", p)])
                .unwrap_or_default(),
            ..Table::default()
        };
        // "a" has two parents: "d" (no parent) and "b" (under "c").
        let mut a = table("a", Some("d"));
        a.inherits.push(QualifiedName::new("public", "b"));
        let schema = Schema {
            tables: vec![a, table("b", Some("c")), table("c", None), table("d", None)],
            ..Schema::default()
        };
        let mut creates: Vec<Change> = schema
            .tables
            .iter()
            .cloned()
            .map(Change::CreateTable)
            .collect();
        order_tables(&mut creates, &schema, false);
        let names = |cs: &[Change]| -> Vec<String> {
            cs.iter()
                .map(|c| match c {
                    Change::CreateTable(t) | Change::DropTable(t) => t.name.name.clone(),
                    _ => String::new(),
                })
                .collect()
        };
        assert_eq!(names(&creates), ["c", "d", "b", "a"]);
        let mut drops: Vec<Change> = schema
            .tables
            .iter()
            .cloned()
            .map(Change::DropTable)
            .collect();
        order_tables(&mut drops, &schema, true);
        assert_eq!(names(&drops), ["a", "b", "c", "d"]);
    }
}
