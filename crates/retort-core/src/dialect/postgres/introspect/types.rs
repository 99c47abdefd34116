//! Types and sequences: sequences, enums, domains and collations.

use super::{not_extension, USER_NS};
use crate::dialect::catalog::{list, opt, query, text, truthy};
use crate::dialect::Connection;
use crate::error::Result;
use crate::schema::{CheckConstraint, Collation, Domain, EnumType, QualifiedName, Sequence};

/// Sequences other than identity columns' (serial ones with their owner).
pub(super) fn sequences(conn: &mut dyn Connection, rel: &str) -> Result<Vec<Sequence>> {
    // Identity columns' sequences belong to the column; serial columns'
    // are sequences OWNED BY it (pg_depend 'a').
    Ok(query(
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
    .collect())
}

/// Enum types with their labels in order.
pub(super) fn enums(conn: &mut dyn Connection) -> Result<Vec<EnumType>> {
    Ok(query(
        conn,
        "enums",
        &format!(
            "SELECT n.nspname, t.typname, string_agg(e.enumlabel, E'\\x1f' ORDER BY e.enumsortorder), \
             obj_description(t.oid, 'pg_type') FROM pg_type t \
             JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE {USER_NS} AND {} GROUP BY 1, 2, t.oid ORDER BY 1, 2",
            not_extension("t.oid")
        ),
    )?
    .iter()
    .map(|r| EnumType {
        name: QualifiedName::new(text(r, 0), text(r, 1)),
        values: list(&text(r, 2)),
        comment: opt(r, 3),
    })
    .collect())
}

/// Domains with their checks.
pub(super) fn domains(conn: &mut dyn Connection) -> Result<Vec<Domain>> {
    Ok(query(
        conn,
        "domains",
        &format!(
            "SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod), t.typdefault, t.typnotnull, \
             (SELECT string_agg(c.conname || E'\\x1e' || pg_get_constraintdef(c.oid) || coalesce(E'\\x1e' || obj_description(c.oid, 'pg_constraint'), ''), \
                E'\\x1f' ORDER BY c.conname) \
              FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), obj_description(t.oid, 'pg_type') \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE t.typtype = 'd' AND {USER_NS} AND {} ORDER BY 1, 2",
            not_extension("t.oid")
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
    .collect())
}

/// Collations of user schemas. Where the locale is kept moved between
/// versions (`collcollate` up to 14, `colliculocale` in 15 and 16,
/// `colllocale` from 17): the row is read as JSON so every version answers
/// the same query.
pub(super) fn collations(conn: &mut dyn Connection) -> Result<Vec<Collation>> {
    Ok(query(
        conn,
        "collations",
        &format!(
            "SELECT n.nspname, co.collname, co.collprovider, co.collisdeterministic, j->>'collcollate', j->>'collctype', \
             coalesce(j->>'colllocale', j->>'colliculocale', j->>'collcollate') \
             FROM pg_collation co CROSS JOIN LATERAL to_jsonb(co) j JOIN pg_namespace n ON n.oid = co.collnamespace \
             WHERE {USER_NS} AND {} ORDER BY 1, 2",
            not_extension("co.oid")
        ),
    )?
    .iter()
    .map(|r| {
        let provider = match text(r, 2).as_str() {
            "i" => "icu",
            "b" => "builtin",
            _ => "libc",
        };
        let libc = provider == "libc";
        Collation {
            name: QualifiedName::new(text(r, 0), text(r, 1)),
            provider: provider.to_string(),
            locale: if libc { None } else { opt(r, 6) },
            lc_collate: if libc { opt(r, 4) } else { None },
            lc_ctype: if libc { opt(r, 5) } else { None },
            deterministic: truthy(r, 3),
        }
    })
    .collect())
}
