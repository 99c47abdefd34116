//! The MySQL diff hook: the dialect-free changes made into ones MySQL runs
//! as written.
//!
//! - A new table's indexes go inside its `CREATE TABLE` (an
//!   `AUTO_INCREMENT` column's key must, and the statement then reads like
//!   `SHOW CREATE TABLE`).
//! - A new column goes where the desired table has it (`FIRST` or
//!   `AFTER`), since MySQL keeps columns in the order they are placed.

use std::collections::HashMap;

use crate::schema::{Change, ColumnPosition, Index, QualifiedName, Schema};

/// Adapts `changes` (from `from` to `to`) for MySQL.
pub(super) fn adapt(changes: Vec<Change>, _from: &Schema, to: &Schema) -> Vec<Change> {
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
    use crate::schema::{Column, Table};

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
