//! Tables and what hangs off them: columns, constraints, indexes,
//! triggers and row-level security policies.

use std::collections::HashMap;

use super::super::sequence::Effective;
use crate::dialect::catalog::{excluded, list, opt, query, text, truthy, Builder, SEP};
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
) -> Result<Builder> {
    let table_rows: Vec<_> = query(
        conn,
        "tables",
        &format!(
            "SELECT n.nspname, c.relname, (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0), c.relrowsecurity, c.relforcerowsecurity, \
             c.relpersistence = 'u', array_to_string(c.reloptions, E'\\x1f'), \
             pg_get_partkeydef(c.oid), c.relispartition, pg_get_expr(c.relpartbound, c.oid), \
             (SELECT string_agg(pn.nspname || E'\\x1f' || pc.relname, E'\\x1e' ORDER BY i.inhseqno) \
              FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace \
              WHERE i.inhrelid = c.oid) \
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
    Ok(b)
}

/// Columns: type, nullability, default, identity, generation, collation
/// (as `COLLATE` takes it: quoted where needed, qualified unless in
/// `pg_catalog`), comment and attribute options. Only the options a user can set
/// (`n_distinct`, `n_distinct_inherited`) are read: PostgreSQL 15.20 keeps an
/// internal `pg_attver=<n>` among them on every column.
pub(super) fn columns(conn: &mut dyn Connection, b: &mut Builder, rel: &str) -> Result<()> {
    for r in query(
        conn,
        "columns",
        &format!(
            "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, \
             pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, \
             CASE WHEN a.attcollation <> t.typcollation THEN CASE WHEN con.nspname = 'pg_catalog' THEN '' \
                ELSE quote_ident(con.nspname) || '.' END || quote_ident(co.collname) END, ds.description, \
             (SELECT string_agg(o, E'\\x1f') FROM unnest(a.attoptions) o \
                WHERE split_part(o, '=', 1) IN ('n_distinct', 'n_distinct_inherited')), \
             s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
             nullif(a.attstattarget, -1), CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END, \
             a.attinhcount > 0 AND (NOT a.attislocal OR c.relispartition) \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             LEFT JOIN pg_collation co ON co.oid = a.attcollation LEFT JOIN pg_namespace con ON con.oid = co.collnamespace \
             LEFT JOIN pg_depend sd ON a.attidentity <> '' AND sd.refclassid = 'pg_class'::regclass AND sd.refobjid = a.attrelid \
                 AND sd.refobjsubid = a.attnum AND sd.classid = 'pg_class'::regclass AND sd.deptype = 'i' \
             LEFT JOIN pg_sequence s ON s.seqrelid = sd.objid \
             LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum \
             WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND {rel} ORDER BY 1, 2, a.attnum"
        ),
    )? {
        let table = QualifiedName::new(text(&r, 0), text(&r, 1));
        let expr = opt(&r, 5);
        // attgenerated: 's' stored, 'v' virtual (PostgreSQL 18).
        let generated = matches!(text(&r, 7).as_str(), "s" | "v");
        let num = |i: usize| text(&r, i).parse::<i64>().unwrap_or_default();
        let identity_options = opt(&r, 11).and_then(|_| {
            Effective {
                start: num(11),
                increment: num(12),
                min: num(13),
                max: num(14),
                cache: num(15),
                cycle: truthy(&r, 16),
            }
            .identity_options(&text(&r, 3))
        });
        let column = Column {
            statistics: text(&r, 17).parse().ok(),
            inherited: truthy(&r, 19),
            storage: opt(&r, 18).map(|s| {
                match s.as_str() {
                    "p" => "plain",
                    "e" => "external",
                    "m" => "main",
                    _ => "extended",
                }
                .to_string()
            }),
            identity_options,
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
            ..Column::default()
        };
        if let Some(t) = b.table(&table) {
            t.columns.push(column);
        }
    }
    Ok(())
}

/// Primary keys, uniques, checks and foreign keys, other than those a
/// table has from a parent (inherited checks, a partition's copies of its
/// parent's keys).
pub(super) fn constraints(conn: &mut dyn Connection, b: &mut Builder, rel: &str) -> Result<()> {
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
            "SELECT n.nspname, c.relname, con.conname, con.contype, {}, CASE WHEN con.contype IN ('c', 'x') THEN pg_get_constraintdef(con.oid, true) END, \
             fn.nspname, fc.relname, {}, con.confdeltype, con.confupdtype, con.condeferrable, con.condeferred, \
             (SELECT d.description FROM pg_description d WHERE d.objoid = con.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0), con.convalidated, \
             coalesce((to_jsonb(cix) ->> 'indnullsnotdistinct')::boolean, false) \
             FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_index cix ON con.contype = 'u' AND cix.indexrelid = con.conindid \
             LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace \
             WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND con.coninhcount = 0 AND con.conparentid = 0 AND {rel} ORDER BY 1, 2, 3",
            cols("con.conkey", "con.conrelid"),
            cols("con.confkey", "con.confrelid"),
        ),
    )? {
        let table = QualifiedName::new(text(&r, 0), text(&r, 1));
        let Some(t) = b.table(&table) else { continue };
        let name = text(&r, 2);
        let columns = list(&text(&r, 4));
        let comment = opt(&r, 13);
        let not_valid = !truthy(&r, 14);
        let (deferrable, initially_deferred) = (truthy(&r, 11), truthy(&r, 12));
        match text(&r, 3).as_str() {
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
                referenced_columns: list(&text(&r, 8)),
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

/// Indexes that back no constraint; those of materialized views are
/// returned by view name. A partition's copies of its parent's indexes
/// (those of its keys too) are only named, in `Table::cloned_indexes`.
pub(super) fn indexes(
    conn: &mut dyn Connection,
    b: &mut Builder,
    rel: &str,
) -> Result<HashMap<QualifiedName, Vec<Index>>> {
    let mut view_indexes: HashMap<QualifiedName, Vec<Index>> = HashMap::new();
    for r in query(
        conn,
        "indexes",
        &format!(
            "SELECT n.nspname, c.relname, i.relname, ix.indisunique, am.amname, pg_get_expr(ix.indpred, ix.indrelid, true), \
             (SELECT string_agg(pg_get_indexdef(ix.indexrelid, k, true) || \
                 CASE WHEN opc.opcdefault THEN '' WHEN ocn.nspname = 'pg_catalog' THEN ' ' || quote_ident(opc.opcname) \
                      ELSE ' ' || quote_ident(ocn.nspname) || '.' || quote_ident(opc.opcname) END || \
                 CASE ix.indoption[k - 1] & 3 WHEN 1 THEN ' DESC NULLS LAST' WHEN 2 THEN ' NULLS FIRST' WHEN 3 THEN ' DESC' ELSE '' END, \
                 E'\\x1f' ORDER BY k) \
              FROM generate_series(1, ix.indnkeyatts) k JOIN pg_opclass opc ON opc.oid = ix.indclass[k - 1] \
              JOIN pg_namespace ocn ON ocn.oid = opc.opcnamespace), \
             (SELECT string_agg(pg_get_indexdef(ix.indexrelid, k, true), E'\\x1f' ORDER BY k) \
              FROM generate_series(ix.indnkeyatts + 1, ix.indnatts) k), (SELECT d.description FROM pg_description d WHERE d.objoid = ix.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0), \
             coalesce((to_jsonb(ix) ->> 'indnullsnotdistinct')::boolean, false), pi.relname, \
             (SELECT string_agg(a.attnum || '=' || a.attstattarget, E'\\x1f' ORDER BY a.attnum) FROM pg_attribute a \
              WHERE a.attrelid = ix.indexrelid AND a.attnum > 0 AND coalesce(a.attstattarget, -1) <> -1) \
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid \
             LEFT JOIN pg_inherits ih ON ih.inhrelid = ix.indexrelid LEFT JOIN pg_class pi ON pi.oid = ih.inhparent \
             JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = i.relam \
             WHERE c.relkind IN ('r', 'p', 'm') AND {rel} \
             AND (pi.relname IS NOT NULL OR NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x'))) \
             ORDER BY 1, 2, 3"
        ),
    )? {
        let table = QualifiedName::new(text(&r, 0), text(&r, 1));
        // A partition's copy of its parent's index: only its name is kept.
        if let Some(parent_index) = opt(&r, 10) {
            if let Some(t) = b.table(&table) {
                t.cloned_indexes.insert(parent_index, text(&r, 2));
            }
            continue;
        }
        let method = text(&r, 4);
        let index = Index {
            name: text(&r, 2),
            unique: truthy(&r, 3),
            method: (method != "btree").then_some(method),
            predicate: opt(&r, 5),
            parts: list(&text(&r, 6)),
            include: list(&text(&r, 7)),
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
