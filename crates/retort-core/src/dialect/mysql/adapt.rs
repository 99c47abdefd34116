//! The MySQL diff hook: the dialect-free changes made into ones MySQL runs
//! as written.
//!
//! - A new table's indexes go inside its `CREATE TABLE` (an
//!   `AUTO_INCREMENT` column's key must, and the statement then reads like
//!   `SHOW CREATE TABLE`).
//! - A new column goes where the desired table has it (`FIRST` or
//!   `AFTER`), since MySQL keeps columns in the order they are placed.
//! - A column that becomes or stops being generated, or switches between
//!   `VIRTUAL` and `STORED`, is dropped and added again where it was: the
//!   server refuses to `MODIFY` it.
//! - An index whose comment changes is dropped and created again (MySQL
//!   has no `COMMENT ON INDEX`); a new index carries its comment.
//! - Triggers fire in the order they were created (`FOLLOWS`): when any
//!   trigger of a table's timing and event changes, the whole group is
//!   dropped and created again in the desired order.
//! - A routine whose parameters change is one routine replaced (dropped,
//!   then created), not a new one beside the old: MySQL has no overloading.

use std::collections::HashMap;

use super::Mysql;
use crate::dialect::Dialect;
use crate::schema::{
    Change, Column, ColumnPosition, CommentTarget, Function, Index, QualifiedName, Schema, Trigger,
};

/// Adapts `changes` (from `from` to `to`) for MySQL.
pub(super) fn adapt(changes: Vec<Change>, from: &Schema, to: &Schema) -> Vec<Change> {
    let changes = replaced_routines(changes);
    let changes = index_comments(changes, from, to);
    let changes = trigger_groups(changes, from, to);
    let created: Vec<QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable(t) => Some(t.name.clone()),
            _ => None,
        })
        .collect();
    let mut inline: HashMap<QualifiedName, Vec<Index>> = HashMap::new();
    let mut kept = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::CreateIndex { table, index } if created.contains(&table) => {
                inline.entry(table).or_default().push(index);
            }
            Change::AlterColumn {
                table, from, to: c, ..
            } if regenerated(&from, &c) => {
                kept.push(Change::DropColumn {
                    table: table.clone(),
                    column: from,
                });
                let position = position_in(to, &table, &c.name);
                kept.push(Change::AddColumn {
                    table,
                    column: c,
                    position,
                });
            }
            Change::AddColumn {
                table,
                column,
                position: None,
            } => {
                let position = position_in(to, &table, &column.name);
                kept.push(Change::AddColumn {
                    table,
                    column,
                    position,
                });
            }
            other => kept.push(other),
        }
    }
    for change in &mut kept {
        if let Change::CreateTable(t) = change {
            if let Some(indexes) = inline.remove(&t.name) {
                t.indexes = indexes;
            }
        }
    }
    kept
}

/// The index `name` of `table` in `schema`, with its comment.
fn index_in(schema: &Schema, table: &QualifiedName, name: &str) -> Option<Index> {
    let t = schema.table(table)?;
    t.indexes.iter().find(|i| i.name == name).cloned()
}

/// New indexes with their comments; a changed index comment as the index
/// dropped and created again.
fn index_comments(changes: Vec<Change>, from: &Schema, to: &Schema) -> Vec<Change> {
    let mut created: Vec<(QualifiedName, String)> = Vec::new();
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::CreateIndex { table, mut index } => {
                if let Some(desired) = index_in(to, &table, &index.name) {
                    index.comment = desired.comment;
                }
                created.push((table.clone(), index.name.clone()));
                out.push(Change::CreateIndex { table, index });
            }
            Change::DropIndex { table, mut index } => {
                if let Some(old) = index_in(from, &table, &index.name) {
                    index.comment = old.comment;
                }
                out.push(Change::DropIndex { table, index });
            }
            Change::SetComment {
                on: CommentTarget::Index(name),
                comment,
            } => {
                // Index names are per table: the table whose index this is.
                let owner = to.tables.iter().find(|t| {
                    t.name.schema == name.schema
                        && t.indexes
                            .iter()
                            .any(|i| i.name == name.name && i.comment == comment)
                });
                let Some(table) = owner.map(|t| t.name.clone()) else {
                    continue;
                };
                if created.contains(&(table.clone(), name.name.clone())) {
                    continue;
                }
                if let (Some(old), Some(new)) = (
                    index_in(from, &table, &name.name),
                    index_in(to, &table, &name.name),
                ) {
                    out.push(Change::DropIndex {
                        table: table.clone(),
                        index: old,
                    });
                    out.push(Change::CreateIndex { table, index: new });
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `(table, timing and event)` of a trigger, from its `CREATE TRIGGER`
/// text (`… BEFORE INSERT ON t FOR EACH ROW …`).
fn group_of(table: &QualifiedName, t: &Trigger) -> (QualifiedName, String) {
    let head = t
        .definition
        .split(" FOR EACH ROW")
        .next()
        .unwrap_or_default();
    let before_on = head.rsplit_once(" ON ").map_or(head, |(left, _)| left);
    let words: Vec<&str> = before_on.split_whitespace().collect();
    let timing_event = words[words.len().saturating_sub(2)..].join(" ");
    (table.clone(), timing_event)
}

/// The triggers of `table` in `schema` that share `group`, in firing order
/// (each one's definition says which it `FOLLOWS`).
fn group_members(schema: &Schema, group: &(QualifiedName, String)) -> Vec<Trigger> {
    let Some(t) = schema.table(&group.0) else {
        return Vec::new();
    };
    let members: Vec<&Trigger> = t
        .triggers
        .iter()
        .filter(|x| group_of(&group.0, x) == *group)
        .collect();
    let follows = |x: &Trigger, other: &Trigger| {
        x.definition.contains(&format!(
            "FOR EACH ROW FOLLOWS {} ",
            Mysql.ident(&other.name)
        ))
    };
    let mut ordered: Vec<Trigger> = Vec::new();
    let mut rest = members;
    while !rest.is_empty() {
        let next = rest
            .iter()
            .position(|x| match ordered.last() {
                None => !rest.iter().any(|o| follows(x, o)),
                Some(last) => follows(x, last),
            })
            .unwrap_or(0);
        ordered.push(rest.remove(next).clone());
    }
    ordered
}

/// Every trigger group a trigger change touches, dropped and created again
/// whole, in firing order, where its triggers are created.
fn trigger_groups(changes: Vec<Change>, from: &Schema, to: &Schema) -> Vec<Change> {
    let mut touched: Vec<(QualifiedName, String)> = Vec::new();
    for c in &changes {
        if let Change::CreateTrigger { table, trigger } | Change::DropTrigger { table, trigger } = c
        {
            let g = group_of(table, trigger);
            if !touched.contains(&g) {
                touched.push(g);
            }
        }
    }
    if touched.is_empty() {
        return changes;
    }
    let in_group = |table: &QualifiedName, t: &Trigger| touched.contains(&group_of(table, t));
    let dropped: Vec<(QualifiedName, String)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropTrigger { table, trigger } => Some((table.clone(), trigger.name.clone())),
            _ => None,
        })
        .collect();
    let at = changes
        .iter()
        .rposition(|c| matches!(c, Change::CreateTrigger { .. }))
        .map_or(changes.len(), |i| i + 1);
    let mut regrouped = Vec::new();
    for g in &touched {
        let keeps_table = to.table(&g.0).is_some();
        for old in group_members(from, g).into_iter().filter(|_| keeps_table) {
            if !dropped.contains(&(g.0.clone(), old.name.clone())) {
                regrouped.push(Change::DropTrigger {
                    table: g.0.clone(),
                    trigger: old,
                });
            }
        }
        regrouped.extend(
            group_members(to, g)
                .into_iter()
                .map(|t| Change::CreateTrigger {
                    table: g.0.clone(),
                    trigger: t,
                }),
        );
    }
    let mut out: Vec<Change> = Vec::with_capacity(changes.len() + regrouped.len());
    for (i, c) in changes.into_iter().enumerate() {
        if i == at {
            out.append(&mut regrouped);
        }
        match &c {
            Change::CreateTrigger { table, trigger } if in_group(table, trigger) => {}
            _ => out.push(c),
        }
    }
    out.append(&mut regrouped);
    out
}

/// Whether a column changes how it is generated in a way `MODIFY COLUMN`
/// cannot make.
fn regenerated(from: &Column, to: &Column) -> bool {
    (from.generated.is_some() || to.generated.is_some())
        && (from.generated.is_some() != to.generated.is_some()
            || from.generated_virtual != to.generated_virtual)
}

/// A routine dropped and one of the same name and kind created become one
/// [`Change::ReplaceFunction`], where the creation was.
fn replaced_routines(changes: Vec<Change>) -> Vec<Change> {
    let key = |f: &Function| (f.name.clone(), f.procedure);
    let dropped: HashMap<_, Function> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropFunction(f) => Some((key(f), f.clone())),
            _ => None,
        })
        .collect();
    let created: Vec<_> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateFunction(f) => Some(key(f)),
            _ => None,
        })
        .collect();
    changes
        .into_iter()
        .filter_map(|c| match c {
            Change::DropFunction(f) if created.contains(&key(&f)) => None,
            Change::CreateFunction(f) => Some(match dropped.get(&key(&f)) {
                Some(old) => Change::ReplaceFunction {
                    from: old.clone(),
                    to: f,
                },
                None => Change::CreateFunction(f),
            }),
            other => Some(other),
        })
        .collect()
}

/// Where `column` stands in `to`'s table: `None` when it is the last
/// column (where `ADD COLUMN` puts it anyway).
fn position_in(to: &Schema, table: &QualifiedName, column: &str) -> Option<ColumnPosition> {
    let columns = &to.table(table)?.columns;
    let i = columns.iter().position(|c| c.name == column)?;
    if i + 1 == columns.len() {
        None
    } else if i == 0 {
        Some(ColumnPosition::First)
    } else {
        Some(ColumnPosition::After(columns[i - 1].name.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Table;

    fn column(name: &str) -> Column {
        Column {
            name: name.into(),
            data_type: "int".into(),
            ..Column::default()
        }
    }

    #[test]
    fn new_columns_are_placed_and_new_indexes_go_inside_create_table() {
        let t = QualifiedName::new("", "t");
        let to = Schema {
            tables: vec![Table {
                name: t.clone(),
                columns: vec![column("a"), column("b"), column("c")],
                ..Table::default()
            }],
            ..Schema::default()
        };
        let add = |name: &str| Change::AddColumn {
            table: t.clone(),
            column: column(name),
            position: None,
        };
        let n = QualifiedName::new("", "n");
        let index = Index {
            name: "i".into(),
            parts: vec!["`x`".into()],
            ..Index::default()
        };
        let changes = vec![
            Change::CreateTable(Table {
                name: n.clone(),
                ..Table::default()
            }),
            add("a"),
            add("b"),
            add("c"),
            Change::CreateIndex {
                table: n.clone(),
                index: index.clone(),
            },
        ];
        let adapted = adapt(changes, &Schema::default(), &to);
        let positions: Vec<_> = adapted
            .iter()
            .filter_map(|c| match c {
                Change::AddColumn { position, .. } => Some(position.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            positions,
            [
                Some(ColumnPosition::First),
                Some(ColumnPosition::After("a".into())),
                None
            ]
        );
        assert!(matches!(&adapted[0], Change::CreateTable(t) if t.indexes == [index]));
        assert_eq!(adapted.len(), 4);
    }
}
