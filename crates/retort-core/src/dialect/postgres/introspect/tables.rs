//! Tables and what hangs off them: columns, constraints, indexes,
//! triggers and row-level security policies.

use std::collections::HashMap;

use super::super::sequence::Effective;
use crate::dialect::catalog::{
    cell, each_row, excluded, list, opt, query, text, truthy, Builder, SEP,
};
use crate::dialect::sql::TableRef;
use crate::dialect::Connection;
use crate::error::Result;
use crate::schema::{
    CheckConstraint, Column, ExclusionConstraint, FkAction, ForeignKey, Identity, Index,
    PartitionOf, Policy, PrimaryKey, QualifiedName, Rule, Trigger, UniqueConstraint,
};

/// Ordinary and partitioned tables of user schemas, with their comments,
/// row-level security flags, partition key, and parents (a partition's
/// with its bound, `pg_inherits` in order otherwise), as an empty builder.
pub(super) fn tables(
    conn: &mut dyn Connection,
    exclude: &[TableRef],
    rel: &str,
) -> Result<(Builder, Oids)> {
    let table_rows: Vec<_> = query(
        conn,
        "tables",
        &format!(
            "SELECT n.nspname, c.relname, (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0), c.relrowsecurity, c.relforcerowsecurity, \
             c.relpersistence = 'u', array_to_string(c.reloptions, E'\\x1f'), \
             pg_get_partkeydef(c.oid), c.relispartition, pg_get_expr(c.relpartbound, c.oid), \
             (SELECT string_agg(pn.nspname || E'\\x1f' || pc.relname, E'\\x1e' ORDER BY i.inhseqno) \
              FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace \
              WHERE i.inhrelid = c.oid), c.oid \
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
    let oids = Oids {
        tables: table_rows
            .iter()
            .enumerate()
            .map(|(i, r)| (number(r, 11), i))
            .collect(),
        attnums: vec![Vec::new(); table_rows.len()],
    };
    for r in &table_rows {
        if let Some(t) = b.table(&QualifiedName::new(text(r, 0), text(r, 1))) {
            t.row_security = truthy(r, 3);
            t.force_row_security = truthy(r, 4);
            t.unlogged = truthy(r, 5);
            t.storage_options = list(&text(r, 6));
            t.storage_options.sort();
            t.partition_by = opt(r, 7);
            let parents: Vec<QualifiedName> = text(r, 10)
                .split('\u{1e}')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (schema, name) = p.split_once(SEP).unwrap_or(("", p));
                    QualifiedName::new(schema, name)
                })
                .collect();
            if truthy(r, 8) {
                t.partition_of = parents.into_iter().next().map(|parent| PartitionOf {
                    parent,
                    bound: text(r, 9),
                });
            } else {
                t.inherits = parents;
            }
        }
    }
    Ok((b, oids))
}

/// The tables read, by oid, with the attribute numbers of each one's
/// columns in column order: keys name their columns by number, and naming
/// them here spares the server a join per key.
pub(super) struct Oids {
    tables: HashMap<u32, usize>,
    attnums: Vec<Vec<i16>>,
}

impl Oids {
    /// The names of table `oid`'s columns numbered `attnums`, when that
    /// table was read and has them all.
    fn names(&self, b: &Builder, oid: u32, attnums: &[i16]) -> Option<Vec<String>> {
        let &i = self.tables.get(&oid)?;
        let numbers = &self.attnums[i];
        attnums
            .iter()
            .map(|n| {
                let at = numbers.iter().position(|m| m == n)?;
                Some(b.tables[i].columns[at].name.clone())
            })
            .collect()
    }
}

/// Column `i` as an unsigned number (an oid), 0 when NULL.
fn number(row: &[Option<String>], i: usize) -> u32 {
    cell(row, i).parse().unwrap_or_default()
}

/// A space-separated list of numbers: oids (`oidvector`), attribute
/// numbers (`int2vector`, or an array through `array_to_string(…, ' ')`).
fn numbers<T: std::str::FromStr>(row: &[Option<String>], i: usize) -> Vec<T> {
    cell(row, i)
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// Sorts catalog rows by their first `n` columns, as `ORDER BY 1, …, n`
/// would in the `C` collation of `name`; cheaper here than in the server,
/// where wide rows spill the sort to disk.
fn sort_rows(rows: &mut [Vec<Option<String>>], n: usize) {
    fn cell(r: &[Option<String>], i: usize) -> Option<&str> {
        r.get(i).and_then(|v| v.as_deref())
    }
    rows.sort_by(|x, y| {
        (0..n)
            .map(|i| cell(x, i).cmp(&cell(y, i)))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

/// Columns: type, nullability, default, identity, generation, collation
/// (as `COLLATE` takes it: quoted where needed, qualified unless in
/// `pg_catalog`), comment and attribute options. Only the options a user can set
/// (`n_distinct`, `n_distinct_inherited`) are read: PostgreSQL 15.20 keeps an
/// internal `pg_attver=<n>` among them on every column.
pub(super) fn columns(
    conn: &mut dyn Connection,
    b: &mut Builder,
    oids: &mut Oids,
    rel: &str,
) -> Result<()> {
    // Each row is built into a column as it comes, from the driver's own
    // buffer (60,000 columns of 20 fields each, at 5,000 tables).
    let mut read: Vec<(usize, u32, Column)> = Vec::new();
    each_row(
        conn,
        "columns",
        &format!(
            "SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, \
             pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, \
             CASE WHEN a.attcollation <> t.typcollation THEN \
                (SELECT CASE WHEN con.nspname = 'pg_catalog' THEN '' ELSE quote_ident(con.nspname) || '.' END || quote_ident(co.collname) \
                 FROM pg_collation co JOIN pg_namespace con ON con.oid = co.collnamespace WHERE co.oid = a.attcollation) END, \
             ds.description, \
             CASE WHEN a.attoptions IS NOT NULL THEN (SELECT string_agg(o, E'\\x1f') FROM unnest(a.attoptions) o \
                WHERE split_part(o, '=', 1) IN ('n_distinct', 'n_distinct_inherited')) END, \
             s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
             nullif(a.attstattarget, -1), CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END, \
             a.attinhcount > 0 AND (NOT a.attislocal OR c.relispartition) \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             LEFT JOIN (SELECT sd.refobjid, sd.refobjsubid, s.* FROM pg_sequence s JOIN pg_depend sd ON sd.classid = 'pg_class'::regclass \
                 AND sd.objid = s.seqrelid AND sd.refclassid = 'pg_class'::regclass AND sd.deptype = 'i') s \
                 ON a.attidentity <> '' AND s.refobjid = a.attrelid AND s.refobjsubid = a.attnum \
             LEFT JOIN (SELECT objoid, objsubid, description FROM pg_description WHERE classoid = 'pg_class'::regclass AND objsubid > 0) ds \
                 ON ds.objoid = a.attrelid AND ds.objsubid = a.attnum \
             WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND {rel}"
        ),
        &mut |r| {
            let cell = |i: usize| r.get(i).copied().flatten().unwrap_or_default();
            let owned = |i: usize| r.get(i).copied().flatten().map(str::to_string);
            let Some(&at) = cell(0).parse().ok().and_then(|oid: u32| oids.tables.get(&oid)) else {
                return;
            };
            // attgenerated: 's' stored, 'v' virtual (PostgreSQL 18).
            let (default, generated) = match cell(7) {
                "s" | "v" => (None, owned(5)),
                _ => (owned(5), None),
            };
            let num = |i: usize| cell(i).parse::<i64>().unwrap_or_default();
            let identity_options = (!cell(11).is_empty())
                .then(|| {
                    Effective {
                        start: num(11),
                        increment: num(12),
                        min: num(13),
                        max: num(14),
                        cache: num(15),
                        cycle: matches!(cell(16), "t" | "true"),
                    }
                    .identity_options(cell(3))
                })
                .flatten();
            let column = Column {
                statistics: cell(17).parse().ok(),
                inherited: cell(19) == "t",
                storage: match cell(18) {
                    "" => None,
                    "p" => Some("plain"),
                    "e" => Some("external"),
                    "m" => Some("main"),
                    _ => Some("extended"),
                }
                .map(str::to_string),
                identity_options,
                identity: match cell(6) {
                    "a" => Some(Identity::Always),
                    "d" => Some(Identity::ByDefault),
                    _ => None,
                },
                generated_virtual: cell(7) == "v",
                nullable: cell(4) == "t",
                options: {
                    let mut o = list(cell(10));
                    o.sort();
                    o
                },
                name: cell(2).to_string(),
                data_type: cell(3).to_string(),
                collation: owned(8),
                comment: owned(9),
                default,
                generated,
                ..Column::default()
            };
            read.push((at, cell(1).parse().unwrap_or_default(), column));
        },
    )?;
    // In column order: unsorted rows spare the server a sort that spills.
    let mut order: Vec<(usize, u32, usize)> = read
        .iter()
        .enumerate()
        .map(|(i, (at, attnum, _))| (*at, *attnum, i))
        .collect();
    order.sort_unstable();
    let mut columns: Vec<Option<Column>> = read.into_iter().map(|(_, _, c)| Some(c)).collect();
    for (at, attnum, i) in order {
        if let Some(column) = columns[i].take() {
            b.tables[at].columns.push(column);
            oids.attnums[at].push(attnum as i16);
        }
    }
    Ok(())
}

/// Primary keys, uniques, checks and foreign keys, other than those a
/// table has from a parent (inherited checks, a partition's copies of its
/// parent's keys).
pub(super) fn constraints(
    conn: &mut dyn Connection,
    b: &mut Builder,
    oids: &Oids,
    rel: &str,
    nulls_not_distinct: &str,
) -> Result<()> {
    let mut rows = query(
        conn,
        "constraints",
        &format!(
            "SELECT n.nspname, c.relname, con.conname, con.contype, array_to_string(con.conkey, ' '), \
             CASE WHEN con.contype IN ('c', 'x') THEN pg_get_constraintdef(con.oid, true) END, \
             fn.nspname, fc.relname, array_to_string(con.confkey, ' '), con.confdeltype, con.confupdtype, con.condeferrable, con.condeferred, \
             (SELECT d.description FROM pg_description d WHERE d.objoid = con.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0), con.convalidated, \
             {nulls_not_distinct}, con.conrelid, con.confrelid \
             FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_index cix ON con.contype = 'u' AND cix.indexrelid = con.conindid \
             LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace \
             WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND con.coninhcount = 0 AND con.conparentid = 0 AND {rel}"
        ),
    )?;
    sort_rows(&mut rows, 3);
    let elsewhere = referenced_elsewhere(conn, oids, &rows)?;
    for r in rows {
        let Some(&at) = oids.tables.get(&number(&r, 16)) else {
            continue;
        };
        let kind = text(&r, 3);
        let columns = match kind.as_str() {
            "p" | "u" | "f" => oids
                .names(b, number(&r, 16), &numbers::<i16>(&r, 4))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let referenced_columns = if kind == "f" {
            let (table, keys) = (number(&r, 17), numbers::<i16>(&r, 8));
            oids.names(b, table, &keys)
                .or_else(|| elsewhere.names(table, &keys))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let t = &mut b.tables[at];
        let name = text(&r, 2);
        let comment = opt(&r, 13);
        let not_valid = !truthy(&r, 14);
        let (deferrable, initially_deferred) = (truthy(&r, 11), truthy(&r, 12));
        match kind.as_str() {
            "p" => {
                t.primary_key = Some(PrimaryKey {
                    name,
                    columns,
                    comment,
                    deferrable,
                    initially_deferred,
                })
            }
            "u" => t.uniques.push(UniqueConstraint {
                name,
                columns,
                comment,
                deferrable,
                initially_deferred,
                nulls_not_distinct: truthy(&r, 15),
            }),
            "x" => t.exclusions.push(ExclusionConstraint {
                name,
                definition: text(&r, 5),
            }),
            "c" => {
                let def = text(&r, 5);
                // `CHECK (expr) [NO INHERIT] [NOT VALID]`.
                let def = def.strip_suffix(" NOT VALID").unwrap_or(&def);
                let bare = def.strip_suffix(" NO INHERIT");
                let def = bare.unwrap_or(def);
                let expression = def.strip_prefix("CHECK ").unwrap_or(def).to_string();
                t.checks.push(CheckConstraint {
                    name,
                    expression,
                    comment,
                    not_valid,
                    no_inherit: bare.is_some(),
                });
            }
            _ => t.foreign_keys.push(ForeignKey {
                name,
                columns,
                references: QualifiedName::new(text(&r, 6), text(&r, 7)),
                referenced_columns,
                on_delete: FkAction::parse(&text(&r, 9)),
                on_update: FkAction::parse(&text(&r, 10)),
                deferrable,
                initially_deferred,
                comment,
                not_valid,
            }),
        }
    }
    Ok(())
}

/// Column names of tables that foreign keys reference but that were not
/// read (an extension's, or one of retort's own), by oid.
struct Elsewhere(HashMap<u32, Vec<(i16, String)>>);

impl Elsewhere {
    fn names(&self, oid: u32, attnums: &[i16]) -> Option<Vec<String>> {
        let columns = self.0.get(&oid)?;
        attnums
            .iter()
            .map(|n| {
                columns
                    .iter()
                    .find(|(m, _)| m == n)
                    .map(|(_, name)| name.clone())
            })
            .collect()
    }
}

/// Reads the columns of the tables foreign keys reference outside the
/// tables read (none, usually: then no query).
fn referenced_elsewhere(
    conn: &mut dyn Connection,
    oids: &Oids,
    rows: &[Vec<Option<String>>],
) -> Result<Elsewhere> {
    let mut missing: Vec<u32> = rows
        .iter()
        .filter(|r| text(r, 3) == "f")
        .map(|r| number(r, 17))
        .filter(|oid| !oids.tables.contains_key(oid))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    let mut columns: HashMap<u32, Vec<(i16, String)>> = HashMap::new();
    if missing.is_empty() {
        return Ok(Elsewhere(columns));
    }
    let list = missing
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    for r in query(
        conn,
        "referenced columns",
        &format!(
            "SELECT attrelid, attnum, attname FROM pg_attribute WHERE attrelid IN ({list}) AND attnum > 0 AND NOT attisdropped"
        ),
    )? {
        columns
            .entry(number(&r, 0))
            .or_default()
            .push((number(&r, 1) as i16, text(&r, 2)));
    }
    Ok(Elsewhere(columns))
}

/// Indexes that back no constraint; those of materialized views are
/// returned by view name. A partition's copies of its parent's indexes
/// (those of its keys too) are only named, in `Table::cloned_indexes`.
pub(super) fn indexes(
    conn: &mut dyn Connection,
    b: &mut Builder,
    oids: &Oids,
    (keywords, opclasses): (&Keywords, &Opclasses),
    rel: &str,
    nulls_not_distinct: &str,
) -> Result<HashMap<QualifiedName, Vec<Index>>> {
    let mut view_indexes: HashMap<QualifiedName, Vec<Index>> = HashMap::new();
    let mut rows = query(
        conn,
        "indexes",
        &format!(
            "SELECT n.nspname, c.relname, i.relname, ix.indisunique, am.amname, pg_get_expr(ix.indpred, ix.indrelid, true), \
             ix.indclass, \
             ix.indnkeyatts, (SELECT d.description FROM pg_description d WHERE d.objoid = ix.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0), \
             {nulls_not_distinct}, pi.relname, \
             st.targets, ix.indrelid, ix.indkey, \
             (SELECT string_agg(k || ' ' || pg_get_indexdef(ix.indexrelid, k, true), E'\\x1e') \
              FROM generate_series(1, ix.indnatts) k WHERE ix.indkey[k - 1] = 0 OR c.relkind = 'm'), \
             ix.indoption \
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid \
             LEFT JOIN pg_inherits ih ON ih.inhrelid = ix.indexrelid LEFT JOIN pg_class pi ON pi.oid = ih.inhparent \
             JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = i.relam \
             LEFT JOIN (SELECT a.attrelid, string_agg(a.attnum || '=' || a.attstattarget, E'\\x1f' ORDER BY a.attnum) AS targets \
                 FROM pg_attribute a WHERE a.attnum > 0 AND coalesce(a.attstattarget, -1) <> -1 GROUP BY a.attrelid) st \
                 ON st.attrelid = ix.indexrelid \
             WHERE c.relkind IN ('r', 'p', 'm') AND {rel} \
             AND (pi.relname IS NOT NULL OR NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x')))"
        ),
    )?;
    sort_rows(&mut rows, 3);
    for r in rows {
        let table = QualifiedName::new(text(&r, 0), text(&r, 1));
        // A partition's copy of its parent's index: only its name is kept.
        if let Some(parent_index) = opt(&r, 10) {
            if let Some(t) = b.table(&table) {
                t.cloned_indexes.insert(parent_index, text(&r, 2));
            }
            continue;
        }
        // Key and included columns, as `pg_get_indexdef` would write them.
        let Some(columns) = index_columns(b, oids, keywords, &r) else {
            // Not a table read (one of retort's own): left out.
            continue;
        };
        let key_count = number(&r, 7) as usize;
        let (keys, included) = columns.split_at(key_count.min(columns.len()));
        let (classes, options) = (numbers::<u32>(&r, 6), numbers::<i16>(&r, 15));
        let method = text(&r, 4);
        let index = Index {
            name: text(&r, 2),
            unique: truthy(&r, 3),
            method: (method != "btree").then_some(method),
            predicate: opt(&r, 5),
            parts: keys
                .iter()
                .enumerate()
                .map(|(k, column)| {
                    let class = classes.get(k).and_then(|c| opclasses.0.get(c));
                    let order = match options.get(k).map_or(0, |o| o & 3) {
                        1 => " DESC NULLS LAST",
                        2 => " NULLS FIRST",
                        3 => " DESC",
                        _ => "",
                    };
                    match class {
                        Some(class) => format!("{column} {class}{order}"),
                        None => format!("{column}{order}"),
                    }
                })
                .collect(),
            include: included.to_vec(),
            comment: opt(&r, 8),
            nulls_not_distinct: truthy(&r, 9),
            // `attstattarget`: -1 before PostgreSQL 17, NULL since, when default.
            statistics: list(&text(&r, 11))
                .iter()
                .filter_map(|item| {
                    let (n, target) = item.split_once('=')?;
                    Some((n.parse().ok()?, target.parse().ok()?))
                })
                .collect(),
        };
        match b.table(&table) {
            Some(t) => t.indexes.push(index),
            // Not a table: a materialized view's index.
            None => view_indexes.entry(table).or_default().push(index),
        }
    }
    Ok(view_indexes)
}

/// An index's columns (keys, then included ones) as `pg_get_indexdef(oid,
/// k, true)` writes each: the quoted column name, or the expression. The
/// server writes the expressions, and every column of a materialized view's
/// index; the names of table columns come from the columns already read
/// (`None` for a table that was not read).
fn index_columns(
    b: &Builder,
    oids: &Oids,
    keywords: &Keywords,
    r: &[Option<String>],
) -> Option<Vec<String>> {
    let written = text(r, 14);
    let written: HashMap<usize, &str> = written
        .split('\u{1e}')
        .filter_map(|item| {
            let (k, text) = item.split_once(' ')?;
            Some((k.parse().ok()?, text))
        })
        .collect();
    let table = number(r, 12);
    numbers::<i16>(r, 13)
        .iter()
        .enumerate()
        .map(|(at, &attnum)| match written.get(&(at + 1)) {
            Some(text) => Some(text.to_string()),
            None => oids
                .names(b, table, &[attnum])
                .and_then(|mut n| n.pop())
                .map(|name| keywords.quote(&name)),
        })
        .collect()
}

/// The operator classes that are not their type's default, by oid, each
/// as an index definition names it (qualified unless in `pg_catalog`).
pub(super) struct Opclasses(pub(super) HashMap<u32, String>);

/// The server's keywords that `quote_ident` quotes (all but the
/// unreserved ones), to quote column names as the server would.
pub(super) struct Keywords(pub(super) std::collections::HashSet<String>);

impl Keywords {
    /// `name` as `quote_ident` returns it: bare when it is lower case
    /// letters, digits and underscores, not starting with a digit, and not
    /// a keyword; double-quoted otherwise.
    fn quote(&self, name: &str) -> String {
        let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if plain && !self.0.contains(name) {
            name.to_string()
        } else {
            format!("\"{}\"", name.replace('"', "\"\""))
        }
    }
}

/// Triggers of views (by view) and rules, which [`triggers`] reads with
/// the tables' triggers.
pub(super) type ViewTriggersAndRules = (HashMap<QualifiedName, Vec<Trigger>>, Vec<Rule>);

/// User triggers (not the internal ones behind foreign keys), and rules
/// (`pg_rewrite` other than views' `_RETURN`) in the same query; the
/// triggers of views are returned by view name.
pub(super) fn triggers(
    conn: &mut dyn Connection,
    b: &mut Builder,
    rel: &str,
) -> Result<ViewTriggersAndRules> {
    let mut view_triggers: HashMap<QualifiedName, Vec<Trigger>> = HashMap::new();
    let mut rules = Vec::new();
    for r in query(
        conn,
        "triggers",
        &format!(
            "SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid, true), (SELECT d.description FROM pg_description d WHERE d.objoid = t.oid AND d.classoid = 'pg_trigger'::regclass AND d.objsubid = 0), false FROM pg_trigger t \
             JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND {rel} \
             UNION ALL SELECT n.nspname, c.relname, rw.rulename, pg_get_ruledef(rw.oid, true), (SELECT d.description FROM pg_description d WHERE d.objoid = rw.oid AND d.classoid = 'pg_rewrite'::regclass AND d.objsubid = 0), true \
             FROM pg_rewrite rw JOIN pg_class c ON c.oid = rw.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE rw.rulename <> '_RETURN' AND {rel}"
        ),
    )? {
        let relation = QualifiedName::new(text(&r, 0), text(&r, 1));
        if truthy(&r, 5) {
            rules.push(Rule {
                relation,
                name: text(&r, 2),
                definition: text(&r, 3).trim().trim_end_matches(';').to_string(),
                comment: opt(&r, 4),
            });
            continue;
        }
        let trigger = Trigger {
            name: text(&r, 2),
            definition: text(&r, 3),
            comment: opt(&r, 4),
        };
        match b.table(&relation) {
            Some(t) => t.triggers.push(trigger),
            None => view_triggers.entry(relation).or_default().push(trigger),
        }
    }
    Ok((view_triggers, rules))
}

/// Row-level security policies.
pub(super) fn policies(conn: &mut dyn Connection, b: &mut Builder, rel: &str) -> Result<()> {
    for r in query(
        conn,
        "policies",
        &format!(
            "SELECT n.nspname, c.relname, p.polname, p.polpermissive, p.polcmd, \
             (SELECT string_agg(CASE WHEN role = 0 THEN 'public' ELSE pg_get_userbyid(role) END, E'\\x1f' ORDER BY 1) \
              FROM unnest(p.polroles) role), \
             pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid), (SELECT d.description FROM pg_description d WHERE d.objoid = p.oid AND d.classoid = 'pg_policy'::regclass AND d.objsubid = 0) \
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
    Ok(())
}
