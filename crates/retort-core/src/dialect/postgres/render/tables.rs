//! Tables: columns, constraints, renames of constraints and indexes, row
//! security and policies, partitions and inheritance.

use super::super::sequence::Effective;
use super::Postgres;
use crate::dialect::ddl::{deferrable, identity_options, parenthesised, Ddl};
use crate::dialect::Dialect;
use crate::schema::{Change, Column, Identity, PartitionOf, Policy, QualifiedName, Table};

/// Renders `change` if it is of this file's kinds; `false` otherwise.
pub(super) fn render(d: &Postgres, change: &Change, out: &mut Vec<String>) -> bool {
    if render_index_statistics(d, change, out) {
        return true;
    }
    match change {
        Change::AddColumn { table, column, .. } => {
            out.push(d.add_column(table, column));
            if !column.options.is_empty() {
                out.push(set_column_options(d, table, column));
            }
            out.extend(statistics_and_storage(d, table, None, column));
        }
        Change::AlterColumn {
            table,
            from,
            to,
            cast_through_text,
        } => alter_column(d, table, (from, to), *cast_through_text, out),
        Change::AddPrimaryKey { table, key } => out.push(format!(
            "ALTER TABLE {} ADD {}PRIMARY KEY ({}){}",
            d.qualified(table),
            d.constraint_name(&key.name),
            d.ident_list(&key.columns),
            deferrable(key.deferrable, key.initially_deferred)
        )),
        Change::DropPrimaryKey { table, key } => out.push(d.drop_constraint(table, &key.name)),
        Change::AddUnique { table, unique } => out.push(format!(
            "ALTER TABLE {} ADD {}",
            d.qualified(table),
            d.unique_element(unique)
        )),
        Change::DropUnique { table, unique } => out.push(d.drop_constraint(table, &unique.name)),
        Change::AddCheck { table, check } => out.push(format!(
            "ALTER TABLE {} ADD {}CHECK {}{}{}",
            d.qualified(table),
            d.constraint_name(&check.name),
            parenthesised(&check.expression),
            if check.no_inherit { " NO INHERIT" } else { "" },
            if check.not_valid { " NOT VALID" } else { "" }
        )),
        Change::DropCheck { table, check } => out.push(d.drop_constraint(table, &check.name)),
        Change::AddForeignKey { table, fk, .. } => out.push(format!(
            "ALTER TABLE {} ADD {}{}",
            d.qualified(table),
            d.foreign_key(fk),
            if fk.not_valid { " NOT VALID" } else { "" }
        )),
        Change::SetTableStorage {
            table,
            unlogged,
            options,
        } => table_storage(d, table, *unlogged, options, out),
        Change::AddExclusion { table, exclusion } => out.push(format!(
            "ALTER TABLE {} ADD {}{}",
            d.qualified(table),
            d.constraint_name(&exclusion.name),
            exclusion.definition
        )),
        Change::DropExclusion { table, exclusion } => {
            out.push(d.drop_constraint(table, &exclusion.name))
        }
        Change::ValidateConstraint { table, name } => out.push(format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {}",
            d.qualified(table),
            d.ident(name)
        )),
        Change::DropForeignKey { table, fk, .. } => out.push(d.drop_constraint(table, &fk.name)),
        Change::SetTableComment { table, comment } => out.push(format!(
            "COMMENT ON TABLE {} IS {}",
            d.qualified(table),
            comment
                .as_deref()
                .map_or_else(|| "NULL".to_string(), |c| d.literal(c))
        )),
        Change::RenameConstraint { table, from, to } => out.push(format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            d.qualified(table),
            d.ident(from),
            d.ident(to)
        )),
        Change::RenameIndex { table, from, to } => {
            let index = QualifiedName::new(table.schema.clone(), from.clone());
            out.push(format!(
                "ALTER INDEX {} RENAME TO {}",
                d.qualified(&index),
                d.ident(to)
            ));
        }
        Change::SetRowSecurity {
            table,
            enabled,
            forced,
        } => {
            let t = d.qualified(table);
            if enabled.0 != enabled.1 {
                let word = if enabled.1 { "ENABLE" } else { "DISABLE" };
                out.push(format!("ALTER TABLE {t} {word} ROW LEVEL SECURITY"));
            }
            if forced.0 != forced.1 {
                let word = if forced.1 { "FORCE" } else { "NO FORCE" };
                out.push(format!("ALTER TABLE {t} {word} ROW LEVEL SECURITY"));
            }
        }
        Change::CreatePolicy { table, policy } => out.push(create_policy(table, policy)),
        Change::AttachPartition { table, partition } => out.push(format!(
            "ALTER TABLE {} ATTACH PARTITION {} {}",
            d.qualified(&partition.parent),
            d.qualified(table),
            partition.bound
        )),
        Change::DetachPartition { table, partition } => out.push(format!(
            "ALTER TABLE {} DETACH PARTITION {}",
            d.qualified(&partition.parent),
            d.qualified(table)
        )),
        Change::AddInherit { table, parent } => out.push(format!(
            "ALTER TABLE {} INHERIT {}",
            d.qualified(table),
            d.qualified(parent)
        )),
        Change::DropInherit { table, parent } => out.push(format!(
            "ALTER TABLE {} NO INHERIT {}",
            d.qualified(table),
            d.qualified(parent)
        )),
        Change::DropPolicy { table, policy } => out.push(format!(
            "DROP POLICY {} ON {}",
            d.ident(&policy.name),
            d.qualified(table)
        )),
        _ => return false,
    }
    true
}

/// `CREATE TABLE … PARTITION OF parent [(keys…)] FOR VALUES … [PARTITION
/// BY …] [WITH (…)]`: a partition declares no columns.
pub(super) fn create_partition(
    d: &Postgres,
    t: &Table,
    p: &PartitionOf,
    elements: &[String],
    clauses: &[String],
) -> String {
    let mut s = format!(
        "CREATE TABLE {} PARTITION OF {}",
        d.qualified(&t.name),
        d.qualified(&p.parent)
    );
    if !elements.is_empty() {
        s.push_str(&format!(" (\n    {}\n)", elements.join(",\n    ")));
    }
    s.push(' ');
    s.push_str(&p.bound);
    for clause in clauses {
        s.push(' ');
        s.push_str(clause);
    }
    s
}

fn create_policy(table: &QualifiedName, p: &Policy) -> String {
    let d = &Postgres;
    let roles: Vec<String> = p
        .roles
        .iter()
        .map(|r| {
            if r == "public" {
                "PUBLIC".to_string()
            } else {
                d.ident(r)
            }
        })
        .collect();
    let mut s = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        d.ident(&p.name),
        d.qualified(table),
        if p.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        p.command,
        if roles.is_empty() {
            "PUBLIC".to_string()
        } else {
            roles.join(", ")
        }
    );
    if let Some(using) = &p.using {
        s.push_str(&format!(" USING ({using})"));
    }
    if let Some(check) = &p.with_check {
        s.push_str(&format!(" WITH CHECK ({check})"));
    }
    s
}
/// `SET LOGGED | UNLOGGED`, `RESET (…)` of the parameters that go,
/// `SET (…)` of the new ones.
fn table_storage(
    d: &Postgres,
    table: &QualifiedName,
    unlogged: (bool, bool),
    (from, to): &(Vec<String>, Vec<String>),
    out: &mut Vec<String>,
) {
    let t = d.qualified(table);
    if unlogged.0 != unlogged.1 {
        let word = if unlogged.1 { "UNLOGGED" } else { "LOGGED" };
        out.push(format!("ALTER TABLE {t} SET {word}"));
    }
    let gone = gone_keys(from, to);
    if !gone.is_empty() {
        out.push(format!("ALTER TABLE {t} RESET ({})", gone.join(", ")));
    }
    if from != to && !to.is_empty() {
        out.push(format!("ALTER TABLE {t} SET ({})", to.join(", ")));
    }
}

/// The keys of `name=value` options in `from` that `to` has not.
fn gone_keys(from: &[String], to: &[String]) -> Vec<String> {
    let key = |o: &String| o.split('=').next().unwrap_or_default().to_string();
    from.iter()
        .map(key)
        .filter(|k| !to.iter().any(|o| key(o) == *k))
        .collect()
}

/// A column's `SET STATISTICS` and `SET STORAGE` where they differ from
/// `from` (or, for a new column, from the defaults).
pub(super) fn statistics_and_storage(
    d: &Postgres,
    table: &QualifiedName,
    from: Option<&Column>,
    to: &Column,
) -> Vec<String> {
    let (t, c) = (d.qualified(table), d.ident(&to.name));
    let mut out = Vec::new();
    if from.map_or(to.statistics.is_some(), |f| f.statistics != to.statistics) {
        out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} SET STATISTICS {}",
            to.statistics.unwrap_or(-1)
        ));
    }
    // A type change resets the storage to the new type's default.
    let before = from
        .filter(|f| f.data_type == to.data_type)
        .and_then(|f| f.storage.as_deref());
    if before != to.storage.as_deref() {
        let mode = to
            .storage
            .clone()
            .unwrap_or_else(|| default_storage(&to.data_type).to_string());
        out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} SET STORAGE {}",
            mode.to_uppercase()
        ));
    }
    out
}

/// The storage of a variable-length type by default (`pg_type.typstorage`):
/// `main` for numeric and network addresses, `extended` for the others
/// (fixed-length types are `plain` and can be nothing else).
fn default_storage(data_type: &str) -> &'static str {
    let base = data_type.split('(').next().unwrap_or_default().trim();
    if !data_type.ends_with("[]") && matches!(base, "numeric" | "inet" | "cidr") {
        "main"
    } else {
        "extended"
    }
}

/// `ALTER TABLE … ALTER COLUMN … SET (name=value, …)`.
pub(super) fn set_column_options(d: &Postgres, table: &QualifiedName, c: &Column) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} SET ({})",
        d.qualified(table),
        d.ident(&c.name),
        c.options.join(", ")
    )
}
fn alter_column(
    d: &Postgres,
    table: &QualifiedName,
    (from, to): (&Column, &Column),
    through_text: bool,
    out: &mut Vec<String>,
) {
    let t = d.qualified(table);
    let c = d.ident(&to.name);
    if from.generated != to.generated || from.generated_virtual != to.generated_virtual {
        // A generation expression cannot be altered in place (before
        // PostgreSQL 17), nor a column turned from STORED to VIRTUAL (18):
        // the column is dropped and added again; its values are derived, so
        // nothing is lost.
        out.push(format!("ALTER TABLE {t} DROP COLUMN {c}"));
        out.push(format!("ALTER TABLE {t} ADD COLUMN {}", d.column_def(to)));
        out.extend(statistics_and_storage(d, table, None, to));
        return;
    }
    // An identity goes first (NOT NULL cannot be dropped while it exists)
    // and comes back last (it needs NOT NULL).
    if from.identity.is_some() && to.identity.is_none() {
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP IDENTITY"));
    }
    let retype = from.data_type != to.data_type || from.collation != to.collation;
    // The old default may not cast to the new type (an enum's label, a
    // text literal becoming an integer): it goes before and is set again
    // after.
    let default_dropped = from.data_type != to.data_type && from.default.is_some();
    if default_dropped {
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
    }
    if retype {
        let collate = to
            .collation
            .as_ref()
            .map(|co| format!(" COLLATE {}", d.collation(co)))
            .unwrap_or_default();
        // USING makes every cast explicit, so the change applies even when
        // PostgreSQL has no implicit cast (Alembic's autogenerate misses this);
        // an enum's values go through text (no enum casts to another).
        let via = if !through_text || to.data_type.trim_end_matches("[]") == "text" {
            ""
        } else if from.data_type.ends_with("[]") {
            "::text[]"
        } else {
            "::text"
        };
        out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} TYPE {}{collate} USING {c}{via}::{}",
            to.data_type, to.data_type
        ));
    }
    if from.nullable != to.nullable {
        out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} {} NOT NULL",
            if to.nullable { "DROP" } else { "SET" }
        ));
    }
    if from.default != to.default || default_dropped {
        match &to.default {
            Some(d) => out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {d}")),
            None if !default_dropped => {
                out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"))
            }
            None => {}
        }
    }
    if from.comment != to.comment {
        out.push(format!(
            "COMMENT ON COLUMN {t}.{c} IS {}",
            to.comment
                .as_deref()
                .map_or_else(|| "NULL".to_string(), |c| d.literal(c))
        ));
    }
    out.extend(statistics_and_storage(d, table, Some(from), to));
    if from.options != to.options {
        let gone = gone_keys(&from.options, &to.options);
        if !gone.is_empty() {
            out.push(format!(
                "ALTER TABLE {t} ALTER COLUMN {c} RESET ({})",
                gone.join(", ")
            ));
        }
        if !to.options.is_empty() {
            out.push(set_column_options(d, table, to));
        }
    }
    let generated = |i: Identity| match i {
        Identity::Always => "ALWAYS",
        Identity::ByDefault => "BY DEFAULT",
    };
    match (from.identity, to.identity) {
        (None, Some(i)) => out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} ADD GENERATED {} AS IDENTITY{}",
            generated(i),
            to.identity_options
                .as_ref()
                .map(|o| format!(" ({})", identity_options(o).join(" ")))
                .unwrap_or_default()
        )),
        (Some(a), Some(b)) => {
            if a != b {
                out.push(format!(
                    "ALTER TABLE {t} ALTER COLUMN {c} SET GENERATED {}",
                    generated(b)
                ));
            }
            let before = Effective::of_identity(&from.data_type, from.identity_options.as_ref());
            let after = Effective::of_identity(&to.data_type, to.identity_options.as_ref());
            let set = after.alter_clauses(before);
            if !set.is_empty() {
                out.push(format!(
                    "ALTER TABLE {t} ALTER COLUMN {c} {}",
                    set.join(" ")
                ));
            }
        }
        _ => {}
    }
}

/// Indexes with statistics targets (created, or a materialized view with
/// them), and changed targets; `false` for any other change.
fn render_index_statistics(d: &Postgres, change: &Change, out: &mut Vec<String>) -> bool {
    match change {
        Change::CreateIndex { table, index } if !index.statistics.is_empty() => {
            out.push(d.create_index(table, index));
            for (column, target) in &index.statistics {
                out.push(index_statistics(
                    d,
                    table,
                    &index.name,
                    *column,
                    Some(*target),
                ));
            }
        }
        // A materialized view's indexes come with it, and so do their targets.
        Change::CreateView(v) if v.indexes.iter().any(|i| !i.statistics.is_empty()) => {
            d.render_standard(change, out);
            for i in &v.indexes {
                for (column, target) in &i.statistics {
                    out.push(index_statistics(
                        d,
                        &v.name,
                        &i.name,
                        *column,
                        Some(*target),
                    ));
                }
            }
        }
        Change::SetIndexStatistics {
            table,
            index,
            column,
            target,
        } => out.push(index_statistics(d, table, index, *column, *target)),
        _ => return false,
    }
    true
}

/// `ALTER INDEX … ALTER COLUMN n SET STATISTICS m` (-1: the default).
fn index_statistics(
    d: &Postgres,
    table: &QualifiedName,
    index: &str,
    column: i32,
    target: Option<i32>,
) -> String {
    format!(
        "ALTER INDEX {} ALTER COLUMN {column} SET STATISTICS {}",
        d.qualified(&QualifiedName::new(table.schema.clone(), index.to_string())),
        target.unwrap_or(-1)
    )
}
