//! SQLite's `ALTER TABLE` can add and drop simple columns and little else.
//! Every other change to an existing table is made by rebuilding it: this
//! pass finds the tables whose changes need that and replaces all of their
//! changes with one [`Change::RebuildTable`].

use std::collections::HashMap;

use crate::schema::{Change, Column, QualifiedName, Schema, Table};

/// `changes` (from [`crate::schema::diff()`]) with the tables that need a rebuild
/// collapsed into [`Change::RebuildTable`], placed where the table's first
/// change was.
pub(super) fn collapse(changes: Vec<Change>, from: &Schema, to: &Schema) -> Vec<Change> {
    let old: HashMap<&QualifiedName, &Table> = from.tables.iter().map(|t| (&t.name, t)).collect();
    let new: HashMap<&QualifiedName, &Table> = to.tables.iter().map(|t| (&t.name, t)).collect();
    let mut rebuild: Vec<&QualifiedName> = Vec::new();
    for change in &changes {
        let Some(table) = existing_table(change) else {
            continue;
        };
        let (Some(o), Some(n)) = (old.get(table), new.get(table)) else {
            continue;
        };
        if !rebuild.contains(&table) && !alter_table_can(change, o, n) {
            rebuild.push(table);
        }
    }
    if rebuild.is_empty() {
        return changes;
    }
    let mut placed: Vec<&QualifiedName> = Vec::new();
    let mut out = Vec::with_capacity(changes.len());
    for change in &changes {
        match existing_table(change) {
            Some(table) if rebuild.contains(&table) => {
                if !placed.contains(&table) {
                    placed.push(table);
                    out.push(Change::RebuildTable {
                        from: Box::new((*old[table]).clone()),
                        to: Box::new((*new[table]).clone()),
                    });
                }
            }
            _ => out.push(change.clone()),
        }
    }
    out
}

/// The table a change alters, when that table exists on both sides.
fn existing_table(change: &Change) -> Option<&QualifiedName> {
    match change {
        Change::AddColumn { table, .. }
        | Change::DropColumn { table, .. }
        | Change::AlterColumn { table, .. }
        | Change::AddPrimaryKey { table, .. }
        | Change::DropPrimaryKey { table, .. }
        | Change::AddUnique { table, .. }
        | Change::DropUnique { table, .. }
        | Change::AddCheck { table, .. }
        | Change::DropCheck { table, .. }
        | Change::CreateIndex { table, .. }
        | Change::DropIndex { table, .. }
        | Change::CreateTrigger { table, .. }
        | Change::DropTrigger { table, .. }
        | Change::SetTableComment { table, .. }
        | Change::SetTableOptions { table } => Some(table),
        Change::AddForeignKey {
            table,
            new_table: false,
            ..
        }
        | Change::DropForeignKey {
            table,
            table_dropped: false,
            ..
        } => Some(table),
        _ => None,
    }
}

/// Whether SQLite can make `change` in place (see "ALTER TABLE" in SQLite's
/// documentation for the rules on ADD COLUMN and DROP COLUMN).
fn alter_table_can(change: &Change, old: &Table, new: &Table) -> bool {
    match change {
        Change::CreateIndex { .. }
        | Change::DropIndex { .. }
        | Change::CreateTrigger { .. }
        | Change::DropTrigger { .. }
        | Change::SetTableComment { .. } => true,
        Change::AddColumn { column, .. } => can_add(column, new),
        Change::DropColumn { column, .. } => can_drop(&column.name, old),
        _ => false,
    }
}

fn can_add(c: &Column, table: &Table) -> bool {
    let in_key = table
        .primary_key
        .as_ref()
        .is_some_and(|k| k.columns.contains(&c.name))
        || table.uniques.iter().any(|u| u.columns.contains(&c.name));
    let constant_default = c.default.as_deref().is_none_or(|d| {
        super::render::bare_default(d) && !d.trim().to_ascii_uppercase().starts_with("CURRENT_")
    });
    let stored = c.generated.is_some() && !c.generated_virtual;
    // A new column with a foreign key arrives as an AddForeignKey change,
    // which rebuilds anyway.
    !in_key && constant_default && !stored && (c.nullable || c.default.is_some())
}

/// SQLite refuses to drop a column that anything else names; rather than
/// mirror its rules exactly, any mention (even a false one) rebuilds.
fn can_drop(name: &str, table: &Table) -> bool {
    let lower = name.to_ascii_lowercase();
    let mentions = |text: &str| text.to_ascii_lowercase().contains(&lower);
    let in_key = table
        .primary_key
        .as_ref()
        .is_some_and(|k| k.columns.iter().any(|c| mentions(c)));
    !in_key
        && !table
            .uniques
            .iter()
            .any(|u| u.columns.iter().any(|c| mentions(c)))
        && !table
            .foreign_keys
            .iter()
            .any(|f| f.columns.iter().any(|c| mentions(c)))
        && !table.checks.iter().any(|c| mentions(&c.expression))
        && !table.indexes.iter().any(|i| {
            i.parts.iter().any(|p| mentions(p)) || i.predicate.as_deref().is_some_and(mentions)
        })
        && !table
            .columns
            .iter()
            .any(|c| c.name != name && c.generated.as_deref().is_some_and(mentions))
        && !table.triggers.iter().any(|t| mentions(&t.definition))
}
