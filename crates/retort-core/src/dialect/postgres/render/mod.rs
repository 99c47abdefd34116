//! Rendering changes as PostgreSQL SQL. Every change of the model has a
//! statement here; a new table's foreign keys follow as `ALTER TABLE … ADD`
//! once every table exists.

mod citus;
mod grants;
mod objects;
mod tables;
mod types;

use super::Postgres;
use crate::dialect::ddl::{cannot_render, Ddl};
use crate::dialect::Dialect;
use crate::error::Result;
use crate::schema::{Change, QualifiedName, Table, Trigger};

impl Ddl for Postgres {
    /// `CREATE TABLE` (`PARTITION OF` a parent, `INHERITS`, `PARTITION
    /// BY`), then the comments and attribute options of its columns. The
    /// columns a table has from its parents are not declared.
    fn create_table(&self, t: &Table) -> Vec<String> {
        let own = t.columns.iter().filter(|c| !c.inherited);
        let mut parts: Vec<String> = own.clone().map(|c| self.column_def(c)).collect();
        parts.extend(self.key_elements(t, false));
        parts.extend(
            t.exclusions
                .iter()
                .map(|x| format!("{}{}", self.constraint_name(&x.name), x.definition)),
        );
        let mut options = Vec::new();
        if !t.inherits.is_empty() {
            let parents: Vec<String> = t.inherits.iter().map(|p| self.qualified(p)).collect();
            options.push(format!("INHERITS ({})", parents.join(", ")));
        }
        if let Some(key) = &t.partition_by {
            options.push(format!("PARTITION BY {key}"));
        }
        if !t.storage_options.is_empty() {
            options.push(format!("WITH ({})", t.storage_options.join(", ")));
        }
        let mut create = match &t.partition_of {
            Some(p) => tables::create_partition(self, t, p, &parts, &options),
            // Clauses follow one another (the standard hook joins with commas).
            // A child with only inherited columns.
            None if parts.is_empty() => format!(
                "CREATE TABLE {} () {}",
                self.qualified(&t.name),
                options.join(" ")
            )
            .trim_end()
            .to_string(),
            None => {
                let clauses = options.join(" ");
                self.create_table_statement(&t.name, &parts, &[clauses.as_str()])
                    .trim_end()
                    .to_string()
            }
        };
        if t.unlogged {
            create = create.replacen("CREATE TABLE", "CREATE UNLOGGED TABLE", 1);
        }
        let mut statements = vec![create];
        statements.extend(t.columns.iter().filter_map(|c| {
            c.comment.as_ref().map(|text| {
                format!(
                    "COMMENT ON COLUMN {}.{} IS {}",
                    self.qualified(&t.name),
                    self.ident(&c.name),
                    self.literal(text)
                )
            })
        }));
        for c in own.clone().filter(|c| !c.options.is_empty()) {
            statements.push(tables::set_column_options(self, &t.name, c));
        }
        for c in own {
            statements.extend(tables::statistics_and_storage(self, &t.name, None, c));
        }
        statements
    }

    /// The model keeps a collation as the SQL `COLLATE` takes (quoted,
    /// qualified unless in `pg_catalog`).
    fn collation(&self, collation: &str) -> String {
        collation.to_string()
    }

    fn drop_trigger(&self, table: &QualifiedName, trigger: &Trigger) -> String {
        format!(
            "DROP TRIGGER {} ON {}",
            self.ident(&trigger.name),
            self.qualified(table)
        )
    }
}

/// The SQL statements (without `;`) that apply `changes`.
pub(super) fn render(changes: &[Change]) -> Result<Vec<String>> {
    let d = &Postgres;
    let mut out = Vec::new();
    for change in changes {
        let done = tables::render(d, change, &mut out)
            || types::render(d, change, &mut out)
            || objects::render(d, change, &mut out)
            || citus::render(d, change, &mut out)
            || grants::render(d, change, &mut out)
            || d.render_standard(change, &mut out);
        if !done {
            return Err(cannot_render(d, change));
        }
    }
    Ok(out)
}
