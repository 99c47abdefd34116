//! Helpers the dialects share for reading catalogs into the model:
//! set-wise queries whose rows come back as text, and a table builder that
//! each kind of object fills by name.

use std::collections::HashMap;

use super::sql::TableRef;
use super::Connection;
use crate::error::{Error, Result};
use crate::schema::{QualifiedName, Table};

/// Separator for lists aggregated in SQL (ASCII unit separator: never part of
/// an identifier anyone types).
pub(crate) const SEP: char = '\u{1f}';

pub(crate) type Rows = Vec<Vec<Option<String>>>;

/// Runs one catalog query; `what` names it in the error.
pub(crate) fn query(conn: &mut dyn Connection, what: &str, sql: &str) -> Result<Rows> {
    conn.query_rows(sql)
        .map_err(|db| Error::db(format!("reading {what} from the catalog"), db))
}

/// Runs one catalog query, handing each row to `row` as text borrowed from
/// the driver (NULL as `None`); `what` names it in the error.
pub(crate) fn each_row(
    conn: &mut dyn Connection,
    what: &str,
    sql: &str,
    row: &mut dyn FnMut(&[Option<&str>]),
) -> Result<()> {
    conn.for_each_row(sql, row)
        .map_err(|db| Error::db(format!("reading {what} from the catalog"), db))
}

/// Column `i` of a row as text ("" for NULL).
pub(crate) fn text(row: &[Option<String>], i: usize) -> String {
    row.get(i).cloned().flatten().unwrap_or_default()
}

/// Column `i` of a row, `None` for NULL.
pub(crate) fn opt(row: &[Option<String>], i: usize) -> Option<String> {
    row.get(i).cloned().flatten()
}

/// Column `i` of a row, borrowed ("" for NULL).
pub(crate) fn cell(row: &[Option<String>], i: usize) -> &str {
    row.get(i).and_then(|v| v.as_deref()).unwrap_or_default()
}

/// Column `i` read as a boolean (`1`, `t`, `true`).
pub(crate) fn truthy(row: &[Option<String>], i: usize) -> bool {
    matches!(cell(row, i), "1" | "t" | "true")
}

/// A list aggregated with [`SEP`] back into its items.
pub(crate) fn list(s: &str) -> Vec<String> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(SEP).map(str::to_string).collect()
    }
}

/// Tables by name, filled kind by kind.
pub(crate) struct Builder {
    pub(crate) tables: Vec<Table>,
    index: HashMap<QualifiedName, usize>,
}

impl Builder {
    pub(crate) fn new(names: Vec<(QualifiedName, Option<String>)>) -> Self {
        let mut tables = Vec::with_capacity(names.len());
        let mut index = HashMap::with_capacity(names.len());
        for (name, comment) in names {
            index.insert(name.clone(), tables.len());
            tables.push(Table {
                name,
                comment,
                ..Table::default()
            });
        }
        Self { tables, index }
    }

    pub(crate) fn table(&mut self, name: &QualifiedName) -> Option<&mut Table> {
        self.index.get(name).map(|&i| &mut self.tables[i])
    }
}

/// Whether `schema.name` is one of `exclude` (retort's own tables).
pub(crate) fn excluded(exclude: &[TableRef], schema: &str, name: &str) -> bool {
    exclude.iter().any(|t| {
        t.name == name
            && t.schema
                .as_deref()
                .is_none_or(|s| s == schema || schema.is_empty())
    })
}

// ---------------------------------------------------------------- SQLite --
