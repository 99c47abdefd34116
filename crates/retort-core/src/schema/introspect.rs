//! Reading a live database into the [`Schema`] model. Set-wise: one catalog
//! query per kind of object for the whole database, never one per table, so
//! thousands of tables are read in a handful of round trips.
//!
//! retort's own tables (version and history) are never part of the model.

use std::collections::HashMap;

use crate::dialect::sql::TableRef;
use crate::dialect::{Connection, DialectKind};
use crate::error::{Error, Result};

use super::{
    CheckConstraint, Column, Domain, EnumType, Extension, FkAction, ForeignKey, Function, Identity,
    Index, Policy, PrimaryKey, QualifiedName, Schema, Sequence, Table, Trigger, UniqueConstraint,
    View, VirtualTable,
};

/// Separator for lists aggregated in SQL (ASCII unit separator: never part of
/// an identifier anyone types).
const SEP: char = '\u{1f}';

/// Reads the schema of the database behind `conn`, leaving out `exclude`.
pub fn introspect(conn: &mut dyn Connection, exclude: &[TableRef]) -> Result<Schema> {
    let mut schema = match conn.kind() {
        DialectKind::Sqlite => sqlite(conn, exclude)?,
        DialectKind::Postgres => postgres(conn, exclude)?,
        DialectKind::Mysql => {
            return Err(Error::Unsupported("MySQL/MariaDB introspection (planned)"))
        }
    };
    schema.normalize();
    Ok(schema)
}

type Rows = Vec<Vec<Option<String>>>;

fn query(conn: &mut dyn Connection, what: &str, sql: &str) -> Result<Rows> {
    conn.query_rows(sql)
        .map_err(|db| Error::db(format!("reading {what} from the catalog"), db))
}

/// Column `i` of a row as text ("" for NULL).
fn text(row: &[Option<String>], i: usize) -> String {
    row.get(i).cloned().flatten().unwrap_or_default()
}

fn opt(row: &[Option<String>], i: usize) -> Option<String> {
    row.get(i).cloned().flatten()
}

fn truthy(row: &[Option<String>], i: usize) -> bool {
    matches!(text(row, i).as_str(), "1" | "t" | "true")
}

fn list(s: &str) -> Vec<String> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(SEP).map(str::to_string).collect()
    }
}

/// Tables by name, filled kind by kind.
struct Builder {
    tables: Vec<Table>,
    index: HashMap<QualifiedName, usize>,
}

impl Builder {
    fn new(names: Vec<(QualifiedName, Option<String>)>) -> Self {
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

    fn table(&mut self, name: &QualifiedName) -> Option<&mut Table> {
        self.index.get(name).map(|&i| &mut self.tables[i])
    }
}

fn excluded(exclude: &[TableRef], schema: &str, name: &str) -> bool {
    exclude.iter().any(|t| {
        t.name == name
            && t.schema
                .as_deref()
                .is_none_or(|s| s == schema || schema.is_empty())
    })
}

// ---------------------------------------------------------------- SQLite --

fn sqlite(conn: &mut dyn Connection, exclude: &[TableRef]) -> Result<Schema> {
    let user_tables = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
    let table_rows = query(
        conn,
        "tables",
        &format!(
            "SELECT m.name, m.sql, tl.wr, tl.\"strict\", tl.type FROM sqlite_schema m \
             JOIN pragma_table_list(m.name) tl ON tl.schema = 'main' WHERE {user_tables} ORDER BY m.name"
        ),
    )?;
    // pragma_table_list tells ordinary tables from virtual ones and from the
    // shadow tables SQLite keeps for those (FTS's `*_content`, `*_segdir`…),
    // which come and go with their virtual table and are not modelled.
    let virtual_tables: Vec<VirtualTable> = table_rows
        .iter()
        .filter(|r| text(r, 4) == "virtual" && !excluded(exclude, "", &text(r, 0)))
        .map(|r| VirtualTable {
            name: QualifiedName::new("", text(r, 0)),
            sql: text(r, 1),
        })
        .collect();
    let table_rows: Vec<_> = table_rows
        .iter()
        .filter(|r| text(r, 4) == "table" && !excluded(exclude, "", &text(r, 0)))
        .collect();
    let names = table_rows
        .iter()
        .map(|r| (QualifiedName::new("", text(r, 0)), None))
        .collect();
    let mut b = Builder::new(names);

    let mut pk_parts: HashMap<QualifiedName, Vec<(usize, String)>> = HashMap::new();
    for r in query(
        conn,
        "columns",
        &format!(
            "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden \
             FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p WHERE {user_tables} ORDER BY m.name, p.cid"
        ),
    )? {
        let table = QualifiedName::new("", text(&r, 0));
        let pk: usize = text(&r, 5).parse().unwrap_or(0);
        let name = text(&r, 1);
        if pk > 0 {
            pk_parts.entry(table.clone()).or_default().push((pk, name.clone()));
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
    // Checks and generation expressions exist only in the CREATE TABLE text.
    for r in &table_rows {
        let table = QualifiedName::new("", text(r, 0));
        let extras = super::sqlite_ddl::table_extras(&text(r, 1));
        if let Some(t) = b.table(&table) {
            t.checks = extras.checks;
            t.autoincrement = extras.autoincrement;
            t.without_rowid = truthy(r, 2);
            t.strict = truthy(r, 3);
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
    for (table, mut parts) in pk_parts {
        parts.sort();
        if let Some(t) = b.table(&table) {
            t.primary_key = Some(PrimaryKey {
                name: String::new(),
                columns: parts.into_iter().map(|(_, c)| c).collect(),
                comment: None,
            });
        }
    }

    // Foreign keys: one row per column, grouped by (table, id).
    let mut fks: Vec<(QualifiedName, String, ForeignKey)> = Vec::new();
    for r in query(
        conn,
        "foreign keys",
        &format!(
            "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete \
             FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f WHERE {user_tables} ORDER BY m.name, f.id, f.seq"
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

    // Indexes with their key parts; expressions and predicates come from the
    // index's own CREATE statement.
    let mut indexes: Vec<(QualifiedName, String, Index, String)> = Vec::new();
    for r in query(
        conn,
        "indexes",
        &format!(
            "SELECT m.name, il.name, il.\"unique\", il.origin, ix.name, ix.cid, ix.\"desc\", coalesce(s.sql, '') \
             FROM sqlite_schema m JOIN pragma_index_list(m.name) il \
             JOIN pragma_index_xinfo(il.name) ix LEFT JOIN sqlite_schema s ON s.type = 'index' AND s.name = il.name \
             WHERE {user_tables} AND ix.key = 1 ORDER BY m.name, il.name, ix.seqno"
        ),
    )? {
        let table = QualifiedName::new("", text(&r, 0));
        let name = text(&r, 1);
        // Parts are SQL text, like PostgreSQL's: column names quoted as needed.
        let part = match opt(&r, 4) {
            Some(col) => super::quote::ident(DialectKind::Sqlite, &col),
            None => "<expression>".to_string(),
        };
        let part = if truthy(&r, 6) { format!("{part} DESC") } else { part };
        match indexes.last_mut() {
            Some((t, n, idx, _)) if *t == table && *n == name => idx.parts.push(part),
            _ => indexes.push((
                table,
                name.clone(),
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
    for (table, _, mut idx, origin) in indexes {
        let Some(t) = b.table(&table) else { continue };
        match origin.as_str() {
            "pk" => {}
            "u" => t.uniques.push(UniqueConstraint {
                name: String::new(),
                columns: idx.parts.iter().map(|p| unquote(p)).collect(),
                comment: None,
            }),
            _ => {
                if let Some(sql) = sql_of.get(&idx.name) {
                    idx.predicate = sqlite_where(sql);
                    if idx.parts.iter().any(|p| p.starts_with("<expression>")) {
                        idx.parts = vec![sqlite_index_body(sql)];
                    }
                }
                t.indexes.push(idx);
            }
        }
    }

    let views = query(
        conn,
        "views",
        "SELECT name, sql FROM sqlite_schema WHERE type = 'view' ORDER BY name",
    )?
    .iter()
    .map(|r| View {
        name: QualifiedName::new("", text(r, 0)),
        definition: sqlite_view_query(&text(r, 1)),
        materialized: false,
        reads: Vec::new(),
        comment: None,
        indexes: Vec::new(),
    })
    .collect();
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
    Ok(Schema {
        tables: b.tables,
        views,
        virtual_tables,
        ..Schema::default()
    })
}

/// The query of a `CREATE VIEW name AS query` statement: the text after the
/// first whitespace-delimited `AS` that follows `VIEW`.
fn sqlite_view_query(sql: &str) -> String {
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
fn sqlite_index_body(sql: &str) -> String {
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
fn sqlite_where(sql: &str) -> Option<String> {
    let upper = sql.to_ascii_uppercase();
    upper
        .rfind(" WHERE ")
        .map(|i| sql[i + 7..].trim().to_string())
}

// ------------------------------------------------------------ PostgreSQL --

/// Objects of user schemas, not owned by an extension.
const PG_USER_NS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

fn pg_not_extension(oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.objid = {oid} AND dep.deptype = 'e')"
    )
}

fn postgres(conn: &mut dyn Connection, exclude: &[TableRef]) -> Result<Schema> {
    let rel = format!("{PG_USER_NS} AND {}", pg_not_extension("c.oid"));
    let table_rows: Vec<_> = query(
        conn,
        "tables",
        &format!(
            "SELECT n.nspname, c.relname, obj_description(c.oid, 'pg_class'), c.relrowsecurity, c.relforcerowsecurity \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND {rel} ORDER BY 1, 2"
        ),
    )?
    .into_iter()
    .filter(|r| !excluded(exclude, &text(r, 0), &text(r, 1)))
    .collect();
    let names = table_rows
        .iter()
        .map(|r| (QualifiedName::new(text(r, 0), text(r, 1)), opt(r, 2)))
        .collect();
    let mut b = Builder::new(names);
    for r in &table_rows {
        if let Some(t) = b.table(&QualifiedName::new(text(r, 0), text(r, 1))) {
            t.row_security = truthy(r, 3);
            t.force_row_security = truthy(r, 4);
        }
    }

    for r in query(
        conn,
        "columns",
        &format!(
            "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, \
             pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, \
             CASE WHEN a.attcollation <> t.typcollation THEN co.collname END, ds.description, \
             array_to_string(a.attoptions, E'\\x1f') \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             LEFT JOIN pg_collation co ON co.oid = a.attcollation \
             LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum \
             WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND {rel} ORDER BY 1, 2, a.attnum"
        ),
    )? {
        let table = QualifiedName::new(text(&r, 0), text(&r, 1));
        let expr = opt(&r, 5);
        // attgenerated: 's' stored, 'v' virtual (PostgreSQL 18).
        let generated = matches!(text(&r, 7).as_str(), "s" | "v");
        let column = Column {
            name: text(&r, 2),
            data_type: text(&r, 3),
            nullable: truthy(&r, 4),
            default: if generated { None } else { expr.clone() },
            identity: match text(&r, 6).as_str() {
                "a" => Some(Identity::Always),
                "d" => Some(Identity::ByDefault),
                _ => None,
            },
            generated: if generated { expr } else { None },
            generated_virtual: text(&r, 7) == "v",
            collation: opt(&r, 8),
            comment: opt(&r, 9),
            options: {
                let mut o = list(&text(&r, 10));
                o.sort();
                o
            },
        };
        if let Some(t) = b.table(&table) {
            t.columns.push(column);
        }
    }

    let cols = |arr: &str, rel: &str| {
        format!(
            "(SELECT string_agg(a.attname, E'\\x1f' ORDER BY k.ord) FROM unnest({arr}) WITH ORDINALITY k(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum)"
        )
    };
    for r in query(
        conn,
        "constraints",
        &format!(
            "SELECT n.nspname, c.relname, con.conname, con.contype, {}, CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid, true) END, \
             fn.nspname, fc.relname, {}, con.confdeltype, con.confupdtype, con.condeferrable, con.condeferred, \
             obj_description(con.oid, 'pg_constraint') \
             FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace \
             WHERE con.contype IN ('p', 'u', 'c', 'f') AND {rel} ORDER BY 1, 2, 3",
            cols("con.conkey", "con.conrelid"),
            cols("con.confkey", "con.confrelid"),
        ),
    )? {
        let table = QualifiedName::new(text(&r, 0), text(&r, 1));
        let Some(t) = b.table(&table) else { continue };
        let name = text(&r, 2);
        let columns = list(&text(&r, 4));
        let comment = opt(&r, 13);
        match text(&r, 3).as_str() {
            "p" => {
                t.primary_key = Some(PrimaryKey {
                    name,
                    columns,
                    comment,
                })
            }
            "u" => t.uniques.push(UniqueConstraint {
                name,
                columns,
                comment,
            }),
            "c" => {
                let def = text(&r, 5);
                let expression = def.strip_prefix("CHECK ").unwrap_or(&def).to_string();
                t.checks.push(CheckConstraint {
                    name,
                    expression,
                    comment,
                });
            }
            _ => t.foreign_keys.push(ForeignKey {
                name,
                columns,
                references: QualifiedName::new(text(&r, 6), text(&r, 7)),
                referenced_columns: list(&text(&r, 8)),
                on_delete: FkAction::parse(&text(&r, 9)),
                on_update: FkAction::parse(&text(&r, 10)),
                deferrable: truthy(&r, 11),
                initially_deferred: truthy(&r, 12),
                comment,
            }),
        }
    }

    let mut view_indexes: HashMap<QualifiedName, Vec<Index>> = HashMap::new();
    for r in query(
        conn,
        "indexes",
        &format!(
            "SELECT n.nspname, c.relname, i.relname, ix.indisunique, am.amname, pg_get_expr(ix.indpred, ix.indrelid, true), \
             (SELECT string_agg(pg_get_indexdef(ix.indexrelid, k, true) || \
                 CASE WHEN opc.opcdefault THEN '' WHEN ocn.nspname = 'pg_catalog' THEN ' ' || quote_ident(opc.opcname) \
                      ELSE ' ' || quote_ident(ocn.nspname) || '.' || quote_ident(opc.opcname) END || \
                 CASE WHEN ix.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END, E'\\x1f' ORDER BY k) \
              FROM generate_series(1, ix.indnkeyatts) k JOIN pg_opclass opc ON opc.oid = ix.indclass[k - 1] \
              JOIN pg_namespace ocn ON ocn.oid = opc.opcnamespace), \
             (SELECT string_agg(pg_get_indexdef(ix.indexrelid, k, true), E'\\x1f' ORDER BY k) \
              FROM generate_series(ix.indnkeyatts + 1, ix.indnatts) k), obj_description(ix.indexrelid, 'pg_class') \
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = i.relam \
             WHERE c.relkind IN ('r', 'p', 'm') AND {rel} \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x')) \
             ORDER BY 1, 2, 3"
        ),
    )? {
        let table = QualifiedName::new(text(&r, 0), text(&r, 1));
        let method = text(&r, 4);
        let index = Index {
            name: text(&r, 2),
            unique: truthy(&r, 3),
            method: (method != "btree").then_some(method),
            predicate: opt(&r, 5),
            parts: list(&text(&r, 6)),
            include: list(&text(&r, 7)),
            comment: opt(&r, 8),
        };
        match b.table(&table) {
            Some(t) => t.indexes.push(index),
            // Not a table: a materialized view's index.
            None => view_indexes.entry(table).or_default().push(index),
        }
    }

    let mut views: Vec<View> = query(
        conn,
        "views",
        &format!(
            // What a view reads comes from its rewrite rule's dependencies,
            // as `schema RS name` items joined by US.
            "SELECT n.nspname, c.relname, pg_get_viewdef(c.oid, true), c.relkind = 'm', \
             (SELECT string_agg(DISTINCT tn.nspname || E'\\x1e' || t.relname, E'\\x1f') FROM pg_rewrite rw \
                JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid AND d.refclassid = 'pg_class'::regclass \
                JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace \
                WHERE rw.ev_class = c.oid AND t.oid <> c.oid), obj_description(c.oid, 'pg_class') \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND {rel} ORDER BY 1, 2"
        ),
    )?
    .iter()
    .map(|r| {
        let mut reads: Vec<QualifiedName> = list(&text(r, 4))
            .iter()
            .filter_map(|item| item.split_once('\u{1e}'))
            .map(|(schema, name)| QualifiedName::new(schema, name))
            .collect();
        reads.sort();
        View {
            name: QualifiedName::new(text(r, 0), text(r, 1)),
            definition: text(r, 2).trim().to_string(),
            materialized: truthy(r, 3),
            reads,
            comment: opt(r, 5),
            indexes: Vec::new(),
        }
    })
    .collect();
    for v in &mut views {
        if let Some(mut indexes) = view_indexes.remove(&v.name) {
            indexes.sort_by(|a, b| a.name.cmp(&b.name));
            v.indexes = indexes;
        }
    }

    // Identity columns' sequences belong to the column; serial columns'
    // are sequences OWNED BY it (pg_depend 'a').
    let sequences = query(
        conn,
        "sequences",
        &format!(
            "SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, \
             tn.nspname, t.relname, a.attname, obj_description(c.oid, 'pg_class') FROM pg_sequence s \
             JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass \
                 AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' \
             LEFT JOIN pg_class t ON t.oid = d.refobjid LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace \
             LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
             WHERE {rel} AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.objid = c.oid AND i.deptype = 'i') ORDER BY 1, 2"
        ),
    )?
    .iter()
    .map(|r| Sequence {
        name: QualifiedName::new(text(r, 0), text(r, 1)),
        data_type: text(r, 2),
        start: text(r, 3).parse().unwrap_or(1),
        increment: text(r, 4).parse().unwrap_or(1),
        owned_by: opt(r, 6).map(|t| (QualifiedName::new(text(r, 5), t), text(r, 7))),
        comment: opt(r, 8),
    })
    .collect();

    let enums = query(
        conn,
        "enums",
        &format!(
            "SELECT n.nspname, t.typname, string_agg(e.enumlabel, E'\\x1f' ORDER BY e.enumsortorder), \
             obj_description(t.oid, 'pg_type') FROM pg_type t \
             JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE {PG_USER_NS} AND {} GROUP BY 1, 2, t.oid ORDER BY 1, 2",
            pg_not_extension("t.oid")
        ),
    )?
    .iter()
    .map(|r| EnumType {
        name: QualifiedName::new(text(r, 0), text(r, 1)),
        values: list(&text(r, 2)),
        comment: opt(r, 3),
    })
    .collect();

    for r in query(
        conn,
        "triggers",
        &format!(
            "SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid, true), obj_description(t.oid, 'pg_trigger') FROM pg_trigger t \
             JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE NOT t.tgisinternal AND {rel}"
        ),
    )? {
        if let Some(t) = b.table(&QualifiedName::new(text(&r, 0), text(&r, 1))) {
            t.triggers.push(Trigger {
                name: text(&r, 2),
                definition: text(&r, 3),
                comment: opt(&r, 4),
            });
        }
    }

    // Aggregates and window functions (prokind 'a', 'w') are left out.
    let functions = query(
        conn,
        "functions",
        &format!(
            "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), p.prokind = 'p', \
             coalesce(pg_get_function_result(p.oid), ''), pg_get_functiondef(p.oid), obj_description(p.oid, 'pg_proc'), \
             EXISTS (SELECT 1 FROM pg_type rt JOIN pg_class rc ON rc.oid = rt.typrelid WHERE rc.relkind IN ('r', 'p', 'v', 'm') \
               AND (rt.oid = p.prorettype OR rt.typarray = p.prorettype \
               OR rt.oid = ANY(coalesce(p.proallargtypes, p.proargtypes::oid[])) \
               OR rt.typarray = ANY(coalesce(p.proallargtypes, p.proargtypes::oid[])))) FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prokind IN ('f', 'p') AND {PG_USER_NS} AND {} \
             ORDER BY 1, 2, 3",
            pg_not_extension("p.oid")
        ),
    )?
    .iter()
    .map(|r| Function {
        name: QualifiedName::new(text(r, 0), text(r, 1)),
        arguments: text(r, 2),
        procedure: truthy(r, 3),
        result: text(r, 4),
        definition: text(r, 5).trim().to_string(),
        comment: opt(r, 6),
        uses_row_type: truthy(r, 7),
    })
    .collect();

    let mut schemas = Vec::new();
    let mut schema_comments = std::collections::BTreeMap::new();
    for r in query(
        conn,
        "schemas",
        &format!(
            "SELECT n.nspname, obj_description(n.oid, 'pg_namespace') FROM pg_namespace n \
             WHERE {PG_USER_NS} AND {} ORDER BY 1",
            pg_not_extension("n.oid")
        ),
    )? {
        let name = text(&r, 0);
        // `public` is always there; only its comment is modelled (a fresh
        // database's `public` carries "standard public schema").
        if let Some(comment) = opt(&r, 1) {
            schema_comments.insert(name.clone(), comment);
        }
        if name != "public" {
            schemas.push(name);
        }
    }

    let extensions = query(
        conn,
        "extensions",
        "SELECT e.extname, n.nspname, e.extversion, obj_description(e.oid, 'pg_extension') FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
         WHERE e.extname <> 'plpgsql' ORDER BY 1",
    )?
    .iter()
    .map(|r| Extension {
        name: text(r, 0),
        schema: text(r, 1),
        version: text(r, 2),
        comment: opt(r, 3),
    })
    .collect();

    let domains = query(
        conn,
        "domains",
        &format!(
            "SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod), t.typdefault, t.typnotnull, \
             (SELECT string_agg(c.conname || E'\\x1e' || pg_get_constraintdef(c.oid) || coalesce(E'\\x1e' || obj_description(c.oid, 'pg_constraint'), ''), \
                E'\\x1f' ORDER BY c.conname) \
              FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), obj_description(t.oid, 'pg_type') \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE t.typtype = 'd' AND {PG_USER_NS} AND {} ORDER BY 1, 2",
            pg_not_extension("t.oid")
        ),
    )?
    .iter()
    .map(|r| Domain {
        name: QualifiedName::new(text(r, 0), text(r, 1)),
        data_type: text(r, 2),
        default: opt(r, 3),
        not_null: truthy(r, 4),
        checks: list(&text(r, 5))
            .iter()
            .filter_map(|item| {
                let mut parts = item.split('\u{1e}');
                let name = parts.next()?;
                let def = parts.next()?;
                Some(CheckConstraint {
                    name: name.to_string(),
                    expression: def.strip_prefix("CHECK ").unwrap_or(def).to_string(),
                    comment: parts.next().map(str::to_string),
                })
            })
            .collect(),
        comment: opt(r, 6),
    })
    .collect();

    for r in query(
        conn,
        "policies",
        &format!(
            "SELECT n.nspname, c.relname, p.polname, p.polpermissive, p.polcmd, \
             (SELECT string_agg(CASE WHEN role = 0 THEN 'public' ELSE pg_get_userbyid(role) END, E'\\x1f' ORDER BY 1) \
              FROM unnest(p.polroles) role), \
             pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid), obj_description(p.oid, 'pg_policy') \
             FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {rel}"
        ),
    )? {
        if let Some(t) = b.table(&QualifiedName::new(text(&r, 0), text(&r, 1))) {
            let mut roles = list(&text(&r, 5));
            roles.sort();
            t.policies.push(Policy {
                name: text(&r, 2),
                permissive: truthy(&r, 3),
                command: match text(&r, 4).as_str() {
                    "r" => "SELECT",
                    "a" => "INSERT",
                    "w" => "UPDATE",
                    "d" => "DELETE",
                    _ => "ALL",
                }
                .to_string(),
                roles,
                using: opt(&r, 6),
                with_check: opt(&r, 7),
                comment: opt(&r, 8),
            });
        }
    }

    Ok(Schema {
        tables: b.tables,
        views,
        sequences,
        enums,
        functions,
        schemas,
        schema_comments,
        extensions,
        domains,
        virtual_tables: Vec::new(),
    })
}
