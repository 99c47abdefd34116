//! Types and sequences: enums, domains, sequences, collations, composite
//! and range types.

use super::Postgres;
use crate::dialect::ddl::{parenthesised, Ddl};
use crate::dialect::Dialect;
use crate::schema::{
    Change, CheckConstraint, Collation, CompositeType, Domain, QualifiedName, RangeType, Sequence,
};

/// Renders `change` if it is of this file's kinds; `false` otherwise.
pub(super) fn render(d: &Postgres, change: &Change, out: &mut Vec<String>) -> bool {
    match change {
        Change::CreateEnum(e) => out.push(format!(
            "CREATE TYPE {} AS ENUM ({})",
            d.qualified(&e.name),
            e.values
                .iter()
                .map(|v| d.literal(v))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Change::AddEnumValue { name, value } => out.push(format!(
            "ALTER TYPE {} ADD VALUE {}",
            d.qualified(name),
            d.literal(value)
        )),
        Change::ReplaceEnum { from, to, columns } => {
            let name = d.qualified(&to.name);
            let old = QualifiedName::new(
                from.name.schema.clone(),
                format!("{}__retort_old", from.name.name),
            );
            out.push(format!(
                "ALTER TYPE {name} RENAME TO {}",
                d.ident(&old.name)
            ));
            out.push(format!(
                "CREATE TYPE {name} AS ENUM ({})",
                to.values
                    .iter()
                    .map(|v| d.literal(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            for (table, column, default) in columns {
                let (t, c) = (d.qualified(table), d.ident(column));
                // A default typed with the old enum cannot be cast: set it again after.
                if default.is_some() {
                    out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
                }
                out.push(format!(
                    "ALTER TABLE {t} ALTER COLUMN {c} TYPE {name} USING {c}::text::{name}"
                ));
                if let Some(d) = default {
                    out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {d}"));
                }
            }
            out.push(format!("DROP TYPE {}", d.qualified(&old)));
        }
        Change::DropEnum(e) => out.push(format!("DROP TYPE {}", d.qualified(&e.name))),
        Change::CreateSequence(s) => out.push(format!(
            "CREATE SEQUENCE {} AS {} START {} INCREMENT {}{}",
            d.qualified(&s.name),
            s.data_type,
            s.start,
            s.increment,
            sequence_options(s, None)
        )),
        Change::AlterSequence { from, to } => out.push(format!(
            "ALTER SEQUENCE {} AS {} START WITH {} INCREMENT BY {}{}",
            d.qualified(&to.name),
            to.data_type,
            to.start,
            to.increment,
            sequence_options(to, Some(from))
        )),
        Change::DropSequence(s) => {
            out.push(format!("DROP SEQUENCE IF EXISTS {}", d.qualified(&s.name)))
        }
        Change::SetSequenceOwner { sequence, owner } => out.push(format!(
            "ALTER SEQUENCE {} OWNED BY {}",
            d.qualified(sequence),
            owner.as_ref().map_or_else(
                || "NONE".to_string(),
                |(table, column)| format!("{}.{}", d.qualified(table), d.ident(column))
            )
        )),
        Change::CreateDomain(domain) => create_domain(domain, out),
        Change::AlterDomain { from, to } => alter_domain(from, to, out),
        Change::DropDomain(domain) => {
            out.push(format!("DROP DOMAIN {}", d.qualified(&domain.name)))
        }
        Change::CreateCompositeType(c) => out.push(create_composite(c)),
        Change::AlterCompositeType { from, to } => alter_composite(from, to, out),
        Change::ReplaceCompositeType { from, to } => {
            out.push(format!("DROP TYPE {}", d.qualified(&from.name)));
            out.push(create_composite(to));
        }
        Change::DropCompositeType(c) => out.push(format!("DROP TYPE {}", d.qualified(&c.name))),
        Change::CreateRangeType(r) => out.push(create_range(r)),
        Change::DropRangeType(r) => out.push(format!("DROP TYPE {}", d.qualified(&r.name))),
        Change::CreateCollation(c) => out.push(create_collation(c)),
        Change::DropCollation(c) => out.push(format!("DROP COLLATION {}", d.qualified(&c.name))),
        _ => return false,
    }
    true
}

/// ` MINVALUE … MAXVALUE … CACHE … CYCLE` where not the defaults; when
/// altering (`from`), only what changed, defaults written back as
/// `NO MINVALUE`, `CACHE 1`, `NO CYCLE`.
fn sequence_options(s: &Sequence, from: Option<&Sequence>) -> String {
    let changed = |f: fn(&Sequence) -> Option<i64>| from.is_none_or(|o| f(o) != f(s));
    let mut words = Vec::new();
    if changed(|q| q.min_value) {
        match s.min_value {
            Some(v) => words.push(format!("MINVALUE {v}")),
            None if from.is_some() => words.push("NO MINVALUE".to_string()),
            None => {}
        }
    }
    if changed(|q| q.max_value) {
        match s.max_value {
            Some(v) => words.push(format!("MAXVALUE {v}")),
            None if from.is_some() => words.push("NO MAXVALUE".to_string()),
            None => {}
        }
    }
    if changed(|q| q.cache) {
        match s.cache {
            Some(v) => words.push(format!("CACHE {v}")),
            None if from.is_some() => words.push("CACHE 1".to_string()),
            None => {}
        }
    }
    if from.is_none_or(|o| o.cycle != s.cycle) && (s.cycle || from.is_some()) {
        words.push(if s.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
    }
    words.iter().map(|w| format!(" {w}")).collect()
}

fn attribute(a: &crate::schema::TypeAttribute) -> String {
    let d = &Postgres;
    let mut s = format!("{} {}", d.ident(&a.name), a.data_type);
    if let Some(c) = &a.collation {
        s.push_str(&format!(" COLLATE {}", d.collation(c)));
    }
    s
}

fn create_composite(c: &CompositeType) -> String {
    let attributes: Vec<String> = c.attributes.iter().map(attribute).collect();
    format!(
        "CREATE TYPE {} AS ({})",
        Postgres.qualified(&c.name),
        attributes.join(", ")
    )
}

/// Attributes dropped, retyped, then added (at the end), in one statement.
fn alter_composite(from: &CompositeType, to: &CompositeType, out: &mut Vec<String>) {
    let d = &Postgres;
    let mut actions = Vec::new();
    for a in &from.attributes {
        match to.attributes.iter().find(|b| b.name == a.name) {
            None => actions.push(format!("DROP ATTRIBUTE {}", d.ident(&a.name))),
            Some(b) if b != a => {
                let collate = b
                    .collation
                    .as_ref()
                    .map(|c| format!(" COLLATE {}", d.collation(c)))
                    .unwrap_or_default();
                actions.push(format!(
                    "ALTER ATTRIBUTE {} TYPE {}{collate}",
                    d.ident(&b.name),
                    b.data_type
                ));
            }
            Some(_) => {}
        }
    }
    for b in &to.attributes {
        if !from.attributes.iter().any(|a| a.name == b.name) {
            actions.push(format!("ADD ATTRIBUTE {}", attribute(b)));
        }
    }
    if !actions.is_empty() {
        out.push(format!(
            "ALTER TYPE {} {}",
            d.qualified(&to.name),
            actions.join(", ")
        ));
    }
}

fn create_range(r: &RangeType) -> String {
    let d = &Postgres;
    let mut options = vec![format!("SUBTYPE = {}", r.subtype)];
    if let Some(opclass) = &r.subtype_opclass {
        options.push(format!("SUBTYPE_OPCLASS = {opclass}"));
    }
    if let Some(collation) = &r.collation {
        options.push(format!("COLLATION = {}", d.collation(collation)));
    }
    if let Some(diff) = &r.subtype_diff {
        options.push(format!("SUBTYPE_DIFF = {diff}"));
    }
    if let Some(multirange) = &r.multirange {
        options.push(format!("MULTIRANGE_TYPE_NAME = {multirange}"));
    }
    format!(
        "CREATE TYPE {} AS RANGE ({})",
        d.qualified(&r.name),
        options.join(", ")
    )
}

fn create_collation(c: &Collation) -> String {
    let d = &Postgres;
    let mut options = vec![format!("provider = {}", c.provider)];
    match (&c.locale, &c.lc_collate, &c.lc_ctype) {
        (Some(locale), _, _) => options.push(format!("locale = {}", d.literal(locale))),
        (None, Some(collate), Some(ctype)) if collate == ctype => {
            options.push(format!("locale = {}", d.literal(collate)))
        }
        (None, collate, ctype) => {
            if let Some(collate) = collate {
                options.push(format!("lc_collate = {}", d.literal(collate)));
            }
            if let Some(ctype) = ctype {
                options.push(format!("lc_ctype = {}", d.literal(ctype)));
            }
        }
    }
    if !c.deterministic {
        options.push("deterministic = false".to_string());
    }
    format!(
        "CREATE COLLATION {} ({})",
        d.qualified(&c.name),
        options.join(", ")
    )
}

/// `CREATE DOMAIN`, then its `NOT VALID` checks (which cannot be declared
/// inside it).
fn create_domain(domain: &Domain, out: &mut Vec<String>) {
    let d = &Postgres;
    let mut s = format!(
        "CREATE DOMAIN {} AS {}",
        d.qualified(&domain.name),
        domain.data_type
    );
    if let Some(default) = &domain.default {
        s.push_str(&format!(" DEFAULT {default}"));
    }
    if domain.not_null {
        s.push_str(" NOT NULL");
    }
    for c in domain.checks.iter().filter(|c| !c.not_valid) {
        s.push_str(&format!(
            " {}CHECK {}",
            d.constraint_name(&c.name),
            parenthesised(&c.expression)
        ));
    }
    out.push(s);
    for c in domain.checks.iter().filter(|c| c.not_valid) {
        out.push(add_domain_check(&domain.name, c));
    }
}

/// `ALTER DOMAIN … ADD CONSTRAINT … CHECK (…) [NOT VALID]`.
fn add_domain_check(domain: &QualifiedName, c: &CheckConstraint) -> String {
    let d = &Postgres;
    format!(
        "ALTER DOMAIN {} ADD {}CHECK {}{}",
        d.qualified(domain),
        d.constraint_name(&c.name),
        parenthesised(&c.expression),
        if c.not_valid { " NOT VALID" } else { "" }
    )
}

fn alter_domain(from: &Domain, to: &Domain, out: &mut Vec<String>) {
    let d = &Postgres;
    let name = d.qualified(&to.name);
    if from.data_type != to.data_type {
        // No ALTER for the base type; fails (clearly) while columns use it.
        out.push(format!("DROP DOMAIN {name}"));
        create_domain(to, out);
        return;
    }
    if from.default != to.default {
        out.push(match &to.default {
            Some(d) => format!("ALTER DOMAIN {name} SET DEFAULT {d}"),
            None => format!("ALTER DOMAIN {name} DROP DEFAULT"),
        });
    }
    if from.not_null != to.not_null {
        let word = if to.not_null { "SET" } else { "DROP" };
        out.push(format!("ALTER DOMAIN {name} {word} NOT NULL"));
    }
    for c in from.checks.iter().filter(|c| !to.checks.contains(c)) {
        out.push(format!(
            "ALTER DOMAIN {name} DROP CONSTRAINT {}",
            d.ident(&c.name)
        ));
    }
    for c in to.checks.iter().filter(|c| !from.checks.contains(c)) {
        out.push(add_domain_check(&to.name, c));
    }
}
