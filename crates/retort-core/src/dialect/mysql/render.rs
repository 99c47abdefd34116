//! Rendering changes as MySQL/MariaDB SQL. A changed column is
//! `MODIFY COLUMN` with its whole definition (type, collation, generation,
//! nullability, default, `ON UPDATE`, `AUTO_INCREMENT`, `INVISIBLE`,
//! comment), since MySQL resets whatever the definition leaves out; keys
//! and indexes are `ALTER TABLE … ADD/DROP …`; table options are
//! `ALTER TABLE … ENGINE=… COLLATE=…`; a changed routine is dropped and
//! created again.

use super::Mysql;
use crate::dialect::ddl::{cannot_render, parenthesised, Ddl};
use crate::dialect::Dialect;
use crate::error::Result;
use crate::schema::{
    Change, Column, ColumnPosition, FkAction, ForeignKey, Index, QualifiedName, Sequence, Table,
    Trigger,
};

impl Ddl for Mysql {
    fn create_table(&self, t: &Table) -> Vec<String> {
        let mut parts: Vec<String> = t.columns.iter().map(|c| self.column_def(c)).collect();
        if let Some(pk) = &t.primary_key {
            parts.push(format!("PRIMARY KEY ({})", self.ident_list(&pk.columns)));
        }
        // Indexes come with the table (an AUTO_INCREMENT column's key must):
        // the dialect's `adapt_changes` moved them into it.
        parts.extend(t.indexes.iter().map(|i| self.index_element(i)));
        parts.extend(t.checks.iter().map(|c| {
            format!(
                "{}CHECK {}",
                self.constraint_name(&c.name),
                parenthesised(&c.expression)
            )
        }));
        let options: Vec<&str> = t.storage_options.iter().map(String::as_str).collect();
        vec![self.create_table_statement(&t.name, &parts, &options)]
    }

    fn drop_trigger(&self, _table: &QualifiedName, trigger: &Trigger) -> String {
        format!("DROP TRIGGER {}", self.ident(&trigger.name))
    }

    fn collation(&self, collation: &str) -> String {
        collation.to_string()
    }

    fn column_def(&self, c: &Column) -> String {
        let mut def = format!("{} {}", self.ident(&c.name), c.data_type);
        if let Some(collation) = &c.collation {
            def.push_str(&format!(" COLLATE {collation}"));
        }
        if let Some(expr) = &c.generated {
            let kind = if c.generated_virtual {
                "VIRTUAL"
            } else {
                "STORED"
            };
            def.push_str(&format!(
                " GENERATED ALWAYS AS {} {kind}",
                parenthesised(expr)
            ));
        } else {
            def.push_str(if c.nullable { " NULL" } else { " NOT NULL" });
        }
        if let Some(default) = &c.default {
            def.push_str(&format!(" DEFAULT {default}"));
        }
        if let Some(on_update) = &c.on_update {
            def.push_str(&format!(" ON UPDATE {on_update}"));
        }
        if c.auto_increment {
            def.push_str(" AUTO_INCREMENT");
        }
        if c.invisible {
            def.push_str(" INVISIBLE");
        }
        if let Some(comment) = &c.comment {
            def.push_str(&format!(" COMMENT {}", self.literal(comment)));
        }
        def
    }

    fn foreign_key(&self, fk: &ForeignKey) -> String {
        // Every action is written out: left out, InnoDB reads it back as
        // RESTRICT, not NO ACTION.
        let action = |a: FkAction| a.sql();
        format!(
            "{}FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
            self.constraint_name(&fk.name),
            self.ident_list(&fk.columns),
            self.qualified(&fk.references),
            self.ident_list(&fk.referenced_columns),
            action(fk.on_delete),
            action(fk.on_update)
        )
    }

    fn create_index(&self, table: &QualifiedName, i: &Index) -> String {
        format!(
            "ALTER TABLE {} ADD {}",
            self.qualified(table),
            self.index_element(i)
        )
    }
}

impl Mysql {
    /// An index as a table element: `[UNIQUE|FULLTEXT|SPATIAL] INDEX name
    /// (parts) [USING HASH]`.
    fn index_element(&self, i: &Index) -> String {
        let (kind, using) = match i.method.as_deref() {
            Some(m @ ("FULLTEXT" | "SPATIAL")) => (format!("{m} "), String::new()),
            Some(m) => (String::new(), format!(" USING {m}")),
            None => (String::new(), String::new()),
        };
        format!(
            "{}{kind}INDEX {} ({}){using}",
            if i.unique { "UNIQUE " } else { "" },
            self.ident(&i.name),
            i.parts.join(", ")
        )
    }

    /// `ALTER TABLE t` followed by one clause.
    fn alter(&self, table: &QualifiedName, clause: String) -> String {
        format!("ALTER TABLE {} {clause}", self.qualified(table))
    }

    /// The options of a sequence, all written out.
    fn sequence_options(&self, s: &Sequence) -> String {
        let mut words = vec![
            format!("START WITH {}", s.start),
            format!("INCREMENT BY {}", s.increment),
        ];
        if let Some(v) = s.min_value {
            words.push(format!("MINVALUE {v}"));
        }
        if let Some(v) = s.max_value {
            words.push(format!("MAXVALUE {v}"));
        }
        match s.cache {
            Some(v) if v > 0 => words.push(format!("CACHE {v}")),
            _ => words.push("NOCACHE".into()),
        }
        words.push(if s.cycle { "CYCLE" } else { "NOCYCLE" }.into());
        words.join(" ")
    }

    /// The table options that change, with the ones that go set back to
    /// their defaults.
    fn table_options(&self, before: &[String], after: &[String]) -> Vec<String> {
        let mut clauses: Vec<String> = after
            .iter()
            .filter(|o| !before.contains(o))
            .cloned()
            .collect();
        for gone in before.iter().filter(|o| !after.contains(o)) {
            let name = gone.split('=').next().unwrap_or_default();
            if after.iter().any(|o| o.starts_with(&format!("{name}="))) {
                continue;
            }
            clauses.push(match name {
                "KEY_BLOCK_SIZE" => "KEY_BLOCK_SIZE=0".into(),
                "ROW_FORMAT" | "STATS_PERSISTENT" | "STATS_AUTO_RECALC" | "PACK_KEYS" => {
                    format!("{name}=DEFAULT")
                }
                "STATS_SAMPLE_PAGES" => "STATS_SAMPLE_PAGES=DEFAULT".into(),
                _ => continue,
            });
        }
        clauses
    }
}

/// The SQL statements (without `;`) that apply `changes`.
pub(super) fn render(changes: &[Change]) -> Result<Vec<String>> {
    let d = &Mysql;
    let mut out = Vec::new();
    for change in changes {
        let rendered = render_table_change(change, &mut out)
            || render_object(change, &mut out)
            || d.render_standard(change, &mut out);
        if !rendered {
            return Err(cannot_render(d, change));
        }
    }
    Ok(out)
}

/// Changes of a table's columns, keys, indexes and options; `false` when
/// `change` is not one of them.
fn render_table_change(change: &Change, out: &mut Vec<String>) -> bool {
    let d = &Mysql;
    let statement = match change {
        Change::AddColumn {
            table,
            column,
            position,
        } => {
            let place = match position {
                Some(ColumnPosition::First) => " FIRST".to_string(),
                Some(ColumnPosition::After(c)) => format!(" AFTER {}", d.ident(c)),
                None => String::new(),
            };
            d.alter(table, format!("ADD COLUMN {}{place}", d.column_def(column)))
        }
        Change::AlterColumn { table, to, .. } => {
            d.alter(table, format!("MODIFY COLUMN {}", d.column_def(to)))
        }
        Change::AddPrimaryKey { table, key } => d.alter(
            table,
            format!("ADD PRIMARY KEY ({})", d.ident_list(&key.columns)),
        ),
        Change::DropPrimaryKey { table, .. } => d.alter(table, "DROP PRIMARY KEY".into()),
        Change::AddUnique { table, unique } => {
            d.alter(table, format!("ADD {}", d.unique_element(unique)))
        }
        Change::DropUnique { table, unique } => {
            d.alter(table, format!("DROP INDEX {}", d.ident(&unique.name)))
        }
        Change::AddCheck { table, check } => d.alter(
            table,
            format!(
                "ADD {}CHECK {}",
                d.constraint_name(&check.name),
                parenthesised(&check.expression)
            ),
        ),
        Change::DropCheck { table, check } => {
            d.alter(table, format!("DROP CONSTRAINT {}", d.ident(&check.name)))
        }
        Change::AddForeignKey { table, fk, .. } => {
            d.alter(table, format!("ADD {}", d.foreign_key(fk)))
        }
        Change::DropForeignKey { table, fk, .. } => {
            d.alter(table, format!("DROP FOREIGN KEY {}", d.ident(&fk.name)))
        }
        Change::DropIndex { table, index } => {
            d.alter(table, format!("DROP INDEX {}", d.ident(&index.name)))
        }
        Change::RenameIndex { table, from, to } => d.alter(
            table,
            format!("RENAME INDEX {} TO {}", d.ident(from), d.ident(to)),
        ),
        Change::SetTableComment { table, comment } => d.alter(
            table,
            format!(
                "COMMENT = {}",
                d.literal(comment.as_deref().unwrap_or_default())
            ),
        ),
        Change::SetTableStorage { table, options, .. } => {
            let clauses = d.table_options(&options.0, &options.1);
            if clauses.is_empty() {
                return true;
            }
            d.alter(table, clauses.join(" "))
        }
        _ => return false,
    };
    out.push(statement);
    true
}

/// Routines and sequences; `false` when `change` is neither.
fn render_object(change: &Change, out: &mut Vec<String>) -> bool {
    let d = &Mysql;
    let drop_routine = |f: &crate::schema::Function| {
        format!(
            "DROP {} {}",
            if f.procedure { "PROCEDURE" } else { "FUNCTION" },
            d.qualified(&f.name)
        )
    };
    match change {
        Change::CreateFunction(f) => out.push(f.definition.clone()),
        Change::ReplaceFunction { from, to } => {
            out.push(drop_routine(from));
            out.push(to.definition.clone());
        }
        Change::DropFunction(f) => out.push(drop_routine(f)),
        Change::CreateSequence(s) => out.push(format!(
            "CREATE SEQUENCE {} {}",
            d.qualified(&s.name),
            d.sequence_options(s)
        )),
        Change::AlterSequence { to, .. } => out.push(format!(
            "ALTER SEQUENCE {} {}",
            d.qualified(&to.name),
            d.sequence_options(to)
        )),
        Change::DropSequence(s) => {
            out.push(format!("DROP SEQUENCE IF EXISTS {}", d.qualified(&s.name)))
        }
        _ => return false,
    }
    true
}
