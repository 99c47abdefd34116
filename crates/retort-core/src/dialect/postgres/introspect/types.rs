//! Types and sequences: sequences, enums, composite and range types,
//! domains and collations.

use super::super::sequence::default_bounds;
use super::{ExtensionOwned, USER_NS};
use crate::dialect::catalog::{list, opt, query, text, truthy};
use crate::dialect::Connection;
use crate::error::Result;
use crate::schema::{
    CheckConstraint, Collation, CompositeType, Domain, EnumType, QualifiedName, RangeType,
    Sequence, TypeAttribute,
};

/// Sequences other than identity columns' (serial ones with their owner).
pub(super) fn sequences(conn: &mut dyn Connection, rel: &str) -> Result<Vec<Sequence>> {
    // Identity columns' sequences belong to the column; serial columns'
    // are sequences OWNED BY it (pg_depend 'a').
    Ok(query(
        conn,
        "sequences",
        &format!(
            "SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, \
             tn.nspname, t.relname, a.attname, (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0), \
             s.seqmin, s.seqmax, s.seqcache, s.seqcycle FROM pg_sequence s \
             JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass \
                 AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' \
             LEFT JOIN pg_class t ON t.oid = d.refobjid LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace \
             LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
             WHERE {rel} AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.objid = c.oid AND i.deptype = 'i') ORDER BY 1, 2"
        ),
    )?
    .iter()
    .map(|r| {
        let increment = text(r, 4).parse().unwrap_or(1);
        let data_type = text(r, 2);
        let (lo, hi) = default_bounds(&data_type, increment);
        let num = |i: usize| text(r, i).parse::<i64>().ok();
        Sequence {
            name: QualifiedName::new(text(r, 0), text(r, 1)),
            start: text(r, 3).parse().unwrap_or(1),
            increment,
            min_value: num(9).filter(|v| *v != lo),
            max_value: num(10).filter(|v| *v != hi),
            cache: num(11).filter(|v| *v != 1),
            cycle: truthy(r, 12),
            owned_by: opt(r, 6).map(|t| (QualifiedName::new(text(r, 5), t), text(r, 7))),
            comment: opt(r, 8),
            data_type,
        }
    })
    .collect())
}

/// Enum, composite and range types, read together from `pg_type`.
#[derive(Default)]
pub(super) struct Types {
    /// Enums with their labels in order.
    pub(super) enums: Vec<EnumType>,
    /// Composite types (not tables' row types) with their attributes.
    pub(super) composites: Vec<CompositeType>,
    /// Range types.
    pub(super) ranges: Vec<RangeType>,
}

/// A collation as `COLLATE` takes it (quoted, qualified unless in
/// `pg_catalog`), from `co` and its namespace `con`.
const COLLATE_SQL: &str = "CASE WHEN con.nspname = 'pg_catalog' THEN '' ELSE quote_ident(con.nspname) || '.' END || quote_ident(co.collname)";

/// Enum, composite and range types: one query for the three kinds.
pub(super) fn types(conn: &mut dyn Connection, owned: &ExtensionOwned) -> Result<Types> {
    let mut types = Types::default();
    for r in query(
        conn,
        "types",
        &format!(
            "SELECT n.nspname, t.typname, t.typtype, (SELECT d.description FROM pg_description d WHERE d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0), \
             CASE t.typtype WHEN 'e' THEN (SELECT string_agg(e.enumlabel, E'\\x1f' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) \
             WHEN 'c' THEN (SELECT string_agg(a.attname || E'\\x1e' || format_type(a.atttypid, a.atttypmod) \
                 || coalesce(E'\\x1e' || CASE WHEN a.attcollation <> at.typcollation THEN {COLLATE_SQL} END, ''), E'\\x1f' ORDER BY a.attnum) \
               FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid LEFT JOIN pg_collation co ON co.oid = a.attcollation \
               LEFT JOIN pg_namespace con ON con.oid = co.collnamespace \
               WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END, \
             format_type(rg.rngsubtype, NULL), \
             (SELECT quote_ident(ocn.nspname) || '.' || quote_ident(opc.opcname) FROM pg_opclass opc \
               JOIN pg_namespace ocn ON ocn.oid = opc.opcnamespace WHERE opc.oid = rg.rngsubopc AND NOT opc.opcdefault), \
             (SELECT {COLLATE_SQL} FROM pg_collation co JOIN pg_namespace con ON con.oid = co.collnamespace \
               WHERE co.oid = rg.rngcollation AND rg.rngcollation <> st.typcollation), \
             CASE WHEN rg.rngsubdiff::oid <> 0 THEN rg.rngsubdiff::regproc::text END, \
             (SELECT quote_ident(mn.nspname) || '.' || quote_ident(mt.typname) FROM pg_type mt \
               JOIN pg_namespace mn ON mn.oid = mt.typnamespace WHERE mt.oid = (to_jsonb(rg)->>'rngmultitypid')::oid) \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_class c ON c.oid = t.typrelid \
             LEFT JOIN pg_range rg ON rg.rngtypid = t.oid LEFT JOIN pg_type st ON st.oid = rg.rngsubtype \
             WHERE (t.typtype IN ('e', 'r') OR (t.typtype = 'c' AND c.relkind = 'c')) AND {USER_NS} AND {} ORDER BY 1, 2",
            owned.not_owned("t.oid")
        ),
    )? {
        let name = QualifiedName::new(text(&r, 0), text(&r, 1));
        let comment = opt(&r, 3);
        match text(&r, 2).as_str() {
            "e" => types.enums.push(EnumType {
                name,
                values: list(&text(&r, 4)),
                comment,
            }),
            "c" => types.composites.push(CompositeType {
                name,
                attributes: list(&text(&r, 4))
                    .iter()
                    .filter_map(|item| {
                        let mut parts = item.split('\u{1e}');
                        Some(TypeAttribute {
                            name: parts.next()?.to_string(),
                            data_type: parts.next()?.to_string(),
                            collation: parts.next().map(str::to_string),
                        })
                    })
                    .collect(),
                comment,
            }),
            _ => types.ranges.push(RangeType {
                name,
                subtype: text(&r, 5),
                subtype_opclass: opt(&r, 6),
                collation: opt(&r, 7),
                subtype_diff: opt(&r, 8),
                multirange: opt(&r, 9),
                comment,
            }),
        }
    }
    Ok(types)
}

/// Domains with their checks.
pub(super) fn domains(conn: &mut dyn Connection, owned: &ExtensionOwned) -> Result<Vec<Domain>> {
    Ok(query(
        conn,
        "domains",
        &format!(
            "SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod), t.typdefault, t.typnotnull, \
             (SELECT string_agg(c.conname || E'\\x1e' || pg_get_constraintdef(c.oid) || coalesce(E'\\x1e' || (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0), ''), \
                E'\\x1f' ORDER BY c.conname) \
              FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), (SELECT d.description FROM pg_description d WHERE d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0) \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE t.typtype = 'd' AND {USER_NS} AND {} ORDER BY 1, 2",
            owned.not_owned("t.oid")
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
                let valid = def.strip_suffix(" NOT VALID");
                let def = valid.unwrap_or(def);
                Some(CheckConstraint {
                    name: name.to_string(),
                    expression: def.strip_prefix("CHECK ").unwrap_or(def).to_string(),
                    comment: parts.next().map(str::to_string),
                    not_valid: valid.is_some(),
                    no_inherit: false,
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
pub(super) fn collations(
    conn: &mut dyn Connection,
    owned: &ExtensionOwned,
) -> Result<Vec<Collation>> {
    Ok(query(
        conn,
        "collations",
        &format!(
            "SELECT n.nspname, co.collname, co.collprovider, co.collisdeterministic, j->>'collcollate', j->>'collctype', \
             coalesce(j->>'colllocale', j->>'colliculocale', j->>'collcollate') \
             FROM pg_collation co CROSS JOIN LATERAL to_jsonb(co) j JOIN pg_namespace n ON n.oid = co.collnamespace \
             WHERE {USER_NS} AND {} ORDER BY 1, 2",
            owned.not_owned("co.oid")
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
