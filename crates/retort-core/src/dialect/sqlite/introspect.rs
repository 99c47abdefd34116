//! Reading an SQLite database into the model, through the pragma
//! table-valued functions joined to `sqlite_schema`: one query per kind of
//! object for the whole database. Checks, generated columns and index
//! expressions exist only in the stored `CREATE` text, which
//! [`super::table_sql`] reads.

use std::collections::HashMap;

use crate::dialect::catalog::{excluded, opt, query, text, truthy, Builder};
use crate::dialect::sql::TableRef;
use crate::dialect::{Connection, Dialect};
use crate::error::Result;
use crate::schema::{
    Column, FkAction, ForeignKey, Index, PrimaryKey, QualifiedName, Schema, Trigger,
    UniqueConstraint, View, VirtualTable,
};

/// The `sqlite_schema` rows (as `m`) of user tables.
const USER_TABLES: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

/// Reads the whole schema.
pub(super) fn read(conn: &mut dyn Connection, exclude: &[TableRef]) -> Result<Schema> {
    let (mut b, table_sql, virtual_tables) = tables(conn, exclude)?;
    columns(conn, &mut b)?;
    extras_from_sql(&mut b, &table_sql);
    foreign_keys(conn, &mut b)?;
    indexes(conn, &mut b)?;
    triggers(conn, &mut b)?;
    Ok(Schema {
        tables: b.tables,
        views: views(conn)?,
        virtual_tables,
        ..Schema::default()
    })
}

/// A table's `CREATE TABLE` text and its `WITHOUT ROWID` and `STRICT` flags.
struct TableSql {
    name: QualifiedName,
    sql: String,
    without_rowid: bool,
    strict: bool,
}

/// Ordinary tables (as an empty builder, with their SQL) and virtual tables.
fn tables(
    conn: &mut dyn Connection,
    exclude: &[TableRef],
) -> Result<(Builder, Vec<TableSql>, Vec<VirtualTable>)> {
    let rows = query(
        conn,
        "tables",
        &format!(
            "SELECT m.name, m.sql, tl.wr, tl.\"strict\", tl.type FROM sqlite_schema m \
             JOIN pragma_table_list(m.name) tl ON tl.schema = 'main' WHERE {USER_TABLES} ORDER BY m.name"
        ),
    )?;
    // pragma_table_list tells ordinary tables from virtual ones and from the
    // shadow tables SQLite keeps for those (FTS's `*_content`, `*_segdir`…),
    // which come and go with their virtual table and are not modelled.
    let of_type = |kind: &'static str| {
        rows.iter()
            .filter(move |r| text(r, 4) == kind && !excluded(exclude, "", &text(r, 0)))
    };
    let virtual_tables = of_type("virtual")
        .map(|r| VirtualTable {
            name: QualifiedName::new("", text(r, 0)),
            sql: text(r, 1),
        })
        .collect();
    let table_sql: Vec<TableSql> = of_type("table")
        .map(|r| TableSql {
            name: QualifiedName::new("", text(r, 0)),
            sql: text(r, 1),
            without_rowid: truthy(r, 2),
            strict: truthy(r, 3),
        })
        .collect();
    let b = Builder::new(table_sql.iter().map(|t| (t.name.clone(), None)).collect());
    Ok((b, table_sql, virtual_tables))
}

/// Columns, and the primary key from their `pk` positions.
fn columns(conn: &mut dyn Connection, b: &mut Builder) -> Result<()> {
    let mut pk_parts: HashMap<QualifiedName, Vec<(usize, String)>> = HashMap::new();
    for r in query(
        conn,
        "columns",
        &format!(
            "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden \
             FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p WHERE {USER_TABLES} ORDER BY m.name, p.cid"
        ),
    )? {
        let table = QualifiedName::new("", text(&r, 0));
        let pk: usize = text(&r, 5).parse().unwrap_or(0);
        let name = text(&r, 1);
        if pk > 0 {
            pk_parts
                .entry(table.clone())
                .or_default()
                .push((pk, name.clone()));
        }
        if let Some(t) = b.table(&table) {
            t.columns.push(Column {
                name,
                data_type: text(&r, 2),
                nullable: !truthy(&r, 3) && pk == 0,
                default: opt(&r, 4),
                ..Column::default()
            });
        }
    }
    for (table, mut parts) in pk_parts {
        parts.sort();
        if let Some(t) = b.table(&table) {
            t.primary_key = Some(PrimaryKey {
                name: String::new(),
                columns: parts.into_iter().map(|(_, c)| c).collect(),
                comment: None,
                ..Default::default()
            });
        }
    }
    Ok(())
}

/// Checks, generation expressions and table options, which exist only in the
/// `CREATE TABLE` text.
fn extras_from_sql(b: &mut Builder, tables: &[TableSql]) {
    for ts in tables {
        let extras = super::table_sql::table_extras(&ts.sql);
        let Some(t) = b.table(&ts.name) else { continue };
        t.checks = extras.checks;
        t.autoincrement = extras.autoincrement;
        t.without_rowid = ts.without_rowid;
        t.strict = ts.strict;
        for g in extras.generated {
            if let Some(c) = t
                .columns
                .iter_mut()
                .find(|c| c.name.eq_ignore_ascii_case(&g.column))
            {
                c.generated = Some(g.expression);
                c.generated_virtual = g.is_virtual;
            }
        }
    }
}

/// Foreign keys: one row per column, grouped by (table, id).
fn foreign_keys(conn: &mut dyn Connection, b: &mut Builder) -> Result<()> {
    let mut fks: Vec<(QualifiedName, String, ForeignKey)> = Vec::new();
    for r in query(
        conn,
        "foreign keys",
        &format!(
            "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete \
             FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f WHERE {USER_TABLES} ORDER BY m.name, f.id, f.seq"
        ),
    )? {
        let table = QualifiedName::new("", text(&r, 0));
        let id = text(&r, 1);
        match fks.last_mut() {
            Some((t, i, fk)) if *t == table && *i == id => {
                fk.columns.push(text(&r, 3));
                fk.referenced_columns.push(text(&r, 4));
            }
            _ => fks.push((
                table,
                id,
                ForeignKey {
                    columns: vec![text(&r, 3)],
                    references: QualifiedName::new("", text(&r, 2)),
                    referenced_columns: opt(&r, 4).into_iter().collect(),
                    on_update: FkAction::parse(&text(&r, 5)),
                    on_delete: FkAction::parse(&text(&r, 6)),
                    ..ForeignKey::default()
                },
            )),
        }
    }
    for (table, _, fk) in fks {
        if let Some(t) = b.table(&table) {
            t.foreign_keys.push(fk);
        }
    }
    Ok(())
}

/// Indexes with their key parts, and unique constraints (indexes of origin
/// `u`); expressions and predicates come from the index's own `CREATE`.
fn indexes(conn: &mut dyn Connection, b: &mut Builder) -> Result<()> {
    let mut indexes: Vec<(QualifiedName, Index, String)> = Vec::new();
    for r in query(
        conn,
        "indexes",
        &format!(
            "SELECT m.name, il.name, il.\"unique\", il.origin, ix.name, ix.cid, ix.\"desc\", coalesce(s.sql, '') \
             FROM sqlite_schema m JOIN pragma_index_list(m.name) il \
             JOIN pragma_index_xinfo(il.name) ix LEFT JOIN sqlite_schema s ON s.type = 'index' AND s.name = il.name \
             WHERE {USER_TABLES} AND ix.key = 1 ORDER BY m.name, il.name, ix.seqno"
        ),
    )? {
        let table = QualifiedName::new("", text(&r, 0));
        let name = text(&r, 1);
        // Parts are SQL text, like PostgreSQL's: column names quoted as needed.
        let part = match opt(&r, 4) {
            Some(col) => super::Sqlite.ident(&col),
            None => "<expression>".to_string(),
        };
        let part = if truthy(&r, 6) {
            format!("{part} DESC")
        } else {
            part
        };
        match indexes.last_mut() {
            Some((t, idx, _)) if *t == table && idx.name == name => idx.parts.push(part),
            _ => indexes.push((
                table,
                Index {
                    name,
                    unique: truthy(&r, 2),
                    parts: vec![part],
                    ..Index::default()
                },
                text(&r, 3),
            )),
        }
    }
    let sql_of: HashMap<String, String> = query(
        conn,
        "index definitions",
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL",
    )?
    .iter()
    .map(|r| (text(r, 0), text(r, 1)))
    .collect();
    for (table, mut idx, origin) in indexes {
        let Some(t) = b.table(&table) else { continue };
        match origin.as_str() {
            "pk" => {}
            "u" => t.uniques.push(UniqueConstraint {
                name: String::new(),
                columns: idx.parts.iter().map(|p| unquote(p)).collect(),
                comment: None,
                ..Default::default()
            }),
            _ => {
                if let Some(sql) = sql_of.get(&idx.name) {
                    idx.predicate = index_where(sql);
                    if idx.parts.iter().any(|p| p.starts_with("<expression>")) {
                        idx.parts = vec![index_body(sql)];
                    }
                }
                t.indexes.push(idx);
            }
        }
    }
    Ok(())
}

/// Views, by their stored query.
fn views(conn: &mut dyn Connection) -> Result<Vec<View>> {
    Ok(query(
        conn,
        "views",
        "SELECT name, sql FROM sqlite_schema WHERE type = 'view' ORDER BY name",
    )?
    .iter()
    .map(|r| View {
        name: QualifiedName::new("", text(r, 0)),
        definition: view_query(&text(r, 1)),
        materialized: false,
        reads: Vec::new(),
        comment: None,
        indexes: Vec::new(),
        triggers: Vec::new(),
        column_comments: Default::default(),
        options: Vec::new(),
    })
    .collect())
}

/// Triggers, by their stored statement.
fn triggers(conn: &mut dyn Connection, b: &mut Builder) -> Result<()> {
    for r in query(
        conn,
        "triggers",
        "SELECT tbl_name, name, sql FROM sqlite_schema WHERE type = 'trigger' AND sql IS NOT NULL",
    )? {
        if let Some(t) = b.table(&QualifiedName::new("", text(&r, 0))) {
            t.triggers.push(Trigger {
                name: text(&r, 1),
                definition: text(&r, 2).trim().trim_end_matches(';').to_string(),
                comment: None,
            });
        }
    }
    Ok(())
}

/// The query of a `CREATE VIEW name AS query` statement: the text after the
/// first whitespace-delimited `AS` that follows `VIEW`.
fn view_query(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let start = upper.find("VIEW").unwrap_or(0);
    for i in start..bytes.len().saturating_sub(3) {
        if bytes[i].is_ascii_whitespace()
            && &bytes[i + 1..i + 3] == b"AS"
            && bytes[i + 3].is_ascii_whitespace()
        {
            return sql[i + 4..].trim().trim_end_matches(';').trim().to_string();
        }
    }
    sql.to_string()
}

/// A column name back from its quoted SQL form.
fn unquote(part: &str) -> String {
    match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => part.to_string(),
    }
}

/// The text between the outermost parentheses of `CREATE INDEX … ON t (…)`.
fn index_body(sql: &str) -> String {
    let Some(open) = sql.find('(') else {
        return sql.to_string();
    };
    let mut depth = 0usize;
    for (i, c) in sql[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return sql[open + 1..open + i].trim().to_string();
                }
            }
            _ => {}
        }
    }
    sql.to_string()
}

/// The `WHERE` predicate of a partial index's CREATE statement.
fn index_where(sql: &str) -> Option<String> {
    let upper = sql.to_ascii_uppercase();
    upper
        .rfind(" WHERE ")
        .map(|i| sql[i + 7..].trim().to_string())
}
