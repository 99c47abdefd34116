//! Rendering changes as SQLite SQL: `ALTER TABLE` where SQLite has it, the
//! documented table rebuild ([`Change::RebuildTable`], from
//! [`super::rebuild::collapse`]) where it does not. Foreign keys are part of
//! `CREATE TABLE`; SQLite has no comments.

use super::{Sqlite, FOREIGN_KEYS_OFF};
use crate::dialect::ddl::{cannot_render, Ddl};
use crate::dialect::Dialect;
use crate::error::Result;
use crate::schema::{Change, QualifiedName, Table, Trigger};

impl Ddl for Sqlite {
    fn create_table(&self, t: &Table) -> Vec<String> {
        let mut parts: Vec<String> = t.columns.iter().map(|c| self.column_def(c)).collect();
        // AUTOINCREMENT exists only on a column's own PRIMARY KEY.
        let inline_pk = t.autoincrement
            && t.primary_key
                .as_ref()
                .is_some_and(|pk| pk.columns.len() == 1);
        if inline_pk {
            if let Some(pk) = &t.primary_key {
                if let Some(i) = t.columns.iter().position(|c| c.name == pk.columns[0]) {
                    parts[i].push_str(" PRIMARY KEY AUTOINCREMENT");
                }
            }
        }
        parts.extend(self.key_elements(t, inline_pk));
        // SQLite cannot add foreign keys later; it does not need their
        // targets to exist yet either.
        parts.extend(t.foreign_keys.iter().map(|fk| self.foreign_key(fk)));
        let mut options = Vec::new();
        if t.without_rowid {
            options.push("WITHOUT ROWID");
        }
        if t.strict {
            options.push("STRICT");
        }
        vec![self.create_table_statement(&t.name, &parts, &options)]
    }

    fn drop_trigger(&self, _table: &QualifiedName, trigger: &Trigger) -> String {
        format!("DROP TRIGGER {}", self.ident(&trigger.name))
    }

    fn default_clause(&self, default: &str) -> String {
        // SQLite gives an expression default back without the parentheses
        // its grammar needs around it.
        if bare_default(default) {
            format!(" DEFAULT {default}")
        } else {
            format!(" DEFAULT ({default})")
        }
    }
}

/// The SQL statements (without `;`) that apply `changes`.
pub(super) fn render(changes: &[Change]) -> Result<Vec<String>> {
    let d = &Sqlite;
    let mut out = Vec::new();
    for change in changes {
        match change {
            Change::CreateVirtualTable(v) => {
                out.push(v.sql.trim().trim_end_matches(';').to_string())
            }
            Change::DropVirtualTable(v) => out.push(format!("DROP TABLE {}", d.qualified(&v.name))),
            Change::AddColumn { table, column, .. } => out.push(d.add_column(table, column)),
            // Part of the table's CREATE TABLE / DROP TABLE.
            Change::AddForeignKey {
                new_table: true, ..
            }
            | Change::DropForeignKey {
                table_dropped: true,
                ..
            } => {}
            // SQLite has no comments; the model never holds one there.
            Change::SetTableComment { .. } => {}
            Change::RebuildTable { from, to } => rebuild_table(from, to, &mut out),
            other => {
                if !d.render_standard(other, &mut out) {
                    return Err(cannot_render(d, other));
                }
            }
        }
    }
    Ok(out)
}

/// SQLite's documented procedure for changes `ALTER TABLE` cannot make
/// ("Making Other Kinds Of Table Schema Changes"), inside the revision's
/// transaction. Foreign-key enforcement must be off: with it on, dropping the
/// old table would run `ON DELETE` actions against the rows that point at it.
/// The pragma cannot change inside a transaction, so the statement that
/// turns it off is also a marker: retort's runner sees it and runs it before
/// the revision's `BEGIN` (and turns enforcement back on after `COMMIT`). A
/// guard stops any other runner that left enforcement on.
fn rebuild_table(from: &Table, to: &Table, out: &mut Vec<String>) {
    let d = &Sqlite;
    let name = d.qualified(&to.name);
    let temp_name = QualifiedName::new(
        to.name.schema.clone(),
        format!("retort_new_{}", to.name.name),
    );
    let temp = d.qualified(&temp_name);
    let mut shape = to.clone();
    shape.name = temp_name.clone();
    shape.indexes.clear();
    shape.triggers.clear();
    // Columns that carry over: on both sides, and not computed in the new table.
    let copied: Vec<String> = to
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .filter(|c| {
            from.columns
                .iter()
                .any(|o| o.name == c.name && o.generated.is_none())
        })
        .map(|c| d.ident(&c.name))
        .collect();
    out.push(FOREIGN_KEYS_OFF.to_string());
    out.push(
        "CREATE TEMP TABLE IF NOT EXISTS retort_rebuild_guard (\n    \
         foreign_keys INTEGER CONSTRAINT \"a table rebuild needs PRAGMA foreign_keys = OFF\" CHECK (foreign_keys = 0),\n    \
         violations INTEGER CONSTRAINT \"the rebuilt table's rows violate its foreign keys\" CHECK (violations = 0)\n)"
            .to_string(),
    );
    out.push("INSERT INTO temp.retort_rebuild_guard (foreign_keys) SELECT foreign_keys FROM pragma_foreign_keys".to_string());
    out.extend(d.create_table(&shape));
    if !copied.is_empty() {
        let cols = copied.join(", ");
        out.push(format!(
            "INSERT INTO {temp} ({cols}) SELECT {cols} FROM {name}"
        ));
    }
    out.push(format!("DROP TABLE {name}"));
    // Legacy renaming leaves views and triggers that name the table alone
    // (they find the new one by name); the modern rule would refuse to
    // rename while they point at the dropped table.
    out.push("PRAGMA legacy_alter_table = ON".to_string());
    out.push(format!(
        "ALTER TABLE {temp} RENAME TO {}",
        d.ident(&to.name.name)
    ));
    out.push("PRAGMA legacy_alter_table = OFF".to_string());
    for index in &to.indexes {
        out.push(d.create_index(&to.name, index));
    }
    out.extend(to.triggers.iter().map(|t| t.definition.clone()));
    out.push(format!(
        "INSERT INTO temp.retort_rebuild_guard (violations) SELECT count(*) FROM pragma_foreign_key_check({})",
        d.literal(&to.name.name)
    ));
    out.push("DROP TABLE temp.retort_rebuild_guard".to_string());
}

/// A default SQLite takes without parentheses: a number, a string or blob
/// literal, `NULL`, `TRUE`/`FALSE`, `CURRENT_TIME`/`_DATE`/`_TIMESTAMP`.
pub(super) fn bare_default(default: &str) -> bool {
    let d = default.trim();
    let upper = d.to_ascii_uppercase();
    let quoted = |q: char| {
        d.len() >= 2
            && d.starts_with(q)
            && d.ends_with(q)
            && !d[1..d.len() - 1].replace("''", "").contains(q)
    };
    matches!(
        upper.as_str(),
        "NULL" | "TRUE" | "FALSE" | "CURRENT_TIME" | "CURRENT_DATE" | "CURRENT_TIMESTAMP"
    ) || quoted('\'')
        || ((upper.starts_with("X'")) && quoted_blob(d))
        || d.trim_start_matches(['+', '-']).parse::<f64>().is_ok()
}

fn quoted_blob(d: &str) -> bool {
    d.len() >= 3 && d.ends_with('\'') && d[2..d.len() - 1].chars().all(|c| c.is_ascii_hexdigit())
}
