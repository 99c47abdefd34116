//! Types and sequences: enums, domains, sequences, collations.

use super::Postgres;
use crate::dialect::ddl::{parenthesised, Ddl};
use crate::dialect::Dialect;
use crate::schema::{Change, Collation, Domain, QualifiedName};

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
            "CREATE SEQUENCE {} AS {} START {} INCREMENT {}",
            d.qualified(&s.name),
            s.data_type,
            s.start,
            s.increment
        )),
        Change::AlterSequence { to, .. } => out.push(format!(
            "ALTER SEQUENCE {} AS {} START WITH {} INCREMENT BY {}",
            d.qualified(&to.name),
            to.data_type,
            to.start,
            to.increment
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
        Change::CreateDomain(domain) => out.push(create_domain(domain)),
        Change::AlterDomain { from, to } => alter_domain(from, to, out),
        Change::DropDomain(domain) => {
            out.push(format!("DROP DOMAIN {}", d.qualified(&domain.name)))
        }
        Change::CreateCollation(c) => out.push(create_collation(c)),
        Change::DropCollation(c) => out.push(format!("DROP COLLATION {}", d.qualified(&c.name))),
        _ => return false,
    }
    true
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

fn create_domain(domain: &Domain) -> String {
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
    for c in &domain.checks {
        s.push_str(&format!(
            " {}CHECK {}",
            d.constraint_name(&c.name),
            parenthesised(&c.expression)
        ));
    }
    s
}

fn alter_domain(from: &Domain, to: &Domain, out: &mut Vec<String>) {
    let d = &Postgres;
    let name = d.qualified(&to.name);
    if from.data_type != to.data_type {
        // No ALTER for the base type; fails (clearly) while columns use it.
        out.push(format!("DROP DOMAIN {name}"));
        out.push(create_domain(to));
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
        out.push(format!(
            "ALTER DOMAIN {name} ADD {}CHECK {}",
            d.constraint_name(&c.name),
            parenthesised(&c.expression)
        ));
    }
}
