//! Rendering changes as SQL for a dialect. PostgreSQL gets every change;
//! SQLite gets `ALTER TABLE` where it can and the table-rebuild procedure
//! ([`Change::RebuildTable`], from [`super::diff_for`]) where it cannot.

use crate::dialect::DialectKind;
use crate::error::{Error, Result};

use super::diff::Change;
use super::quote::{ident, list, qualified};
use super::{Column, ForeignKey, Identity, Index, Table};

/// The SQL statements (without `;`) that apply `changes`.
pub fn render(kind: DialectKind, changes: &[Change]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for change in changes {
        render_one(kind, change, &mut out)?;
    }
    Ok(out)
}

fn render_one(kind: DialectKind, change: &Change, out: &mut Vec<String>) -> Result<()> {
    let pg = kind == DialectKind::Postgres;
    let q = |n: &str| ident(kind, n);
    match change {
        Change::CreateTable(t) => out.extend(create_table(kind, t)),
        Change::DropTable(t) => out.push(format!("DROP TABLE {}", qualified(kind, &t.name))),
        Change::CreateVirtualTable(v) => out.push(v.sql.trim().trim_end_matches(';').to_string()),
        Change::DropVirtualTable(v) => {
            out.push(format!("DROP TABLE {}", qualified(kind, &v.name)));
        }
        Change::AddColumn { table, column } => {
            out.push(format!(
                "ALTER TABLE {} ADD COLUMN {}",
                qualified(kind, table),
                column_def(kind, column)
            ));
            if !column.options.is_empty() {
                out.push(set_column_options(kind, table, column));
            }
        }
        Change::DropColumn { table, column } => out.push(format!(
            "ALTER TABLE {} DROP COLUMN {}",
            qualified(kind, table),
            q(&column.name)
        )),
        Change::CreateIndex { table, index } => out.push(create_index(kind, table, index)),
        Change::DropIndex { table, index } => {
            let name = super::QualifiedName::new(table.schema.clone(), index.name.clone());
            out.push(format!("DROP INDEX {}", qualified(kind, &name)));
        }
        Change::CreateView(v) => {
            out.push(format!(
                "CREATE {}VIEW {} AS {}",
                if v.materialized { "MATERIALIZED " } else { "" },
                qualified(kind, &v.name),
                v.definition.trim().trim_end_matches(';')
            ));
            out.extend(v.indexes.iter().map(|i| create_index(kind, &v.name, i)));
        }
        Change::DropView(v) => out.push(format!(
            "DROP {}VIEW {}",
            if v.materialized { "MATERIALIZED " } else { "" },
            qualified(kind, &v.name)
        )),
        Change::AddForeignKey { new_table: true, .. } | Change::DropForeignKey { table_dropped: true, .. }
            if !pg =>
        {
            // SQLite: part of the table's CREATE TABLE / DROP TABLE.
        }
        Change::AlterColumn { table, from, to } if pg => alter_column(kind, table, from, to, out),
        Change::AddPrimaryKey { table, key } if pg => out.push(format!(
            "ALTER TABLE {} ADD {}PRIMARY KEY ({})",
            qualified(kind, table),
            constraint_name(kind, &key.name),
            list(kind, &key.columns)
        )),
        Change::DropPrimaryKey { table, key } if pg => out.push(drop_constraint(kind, table, &key.name)),
        Change::AddUnique { table, unique } if pg => out.push(format!(
            "ALTER TABLE {} ADD {}UNIQUE ({})",
            qualified(kind, table),
            constraint_name(kind, &unique.name),
            list(kind, &unique.columns)
        )),
        Change::DropUnique { table, unique } if pg => out.push(drop_constraint(kind, table, &unique.name)),
        Change::AddCheck { table, check } if pg => out.push(format!(
            "ALTER TABLE {} ADD {}CHECK {}",
            qualified(kind, table),
            constraint_name(kind, &check.name),
            parenthesised(&check.expression)
        )),
        Change::DropCheck { table, check } if pg => out.push(drop_constraint(kind, table, &check.name)),
        Change::AddForeignKey { table, fk, .. } if pg => out.push(format!(
            "ALTER TABLE {} ADD {}",
            qualified(kind, table),
            foreign_key(kind, fk)
        )),
        Change::DropForeignKey { table, fk, .. } if pg => out.push(drop_constraint(kind, table, &fk.name)),
        Change::CreateEnum(e) if pg => out.push(format!(
            "CREATE TYPE {} AS ENUM ({})",
            qualified(kind, &e.name),
            e.values.iter().map(|v| crate::dialect::sql::literal(v)).collect::<Vec<_>>().join(", ")
        )),
        Change::AddEnumValue { name, value } if pg => out.push(format!(
            "ALTER TYPE {} ADD VALUE {}",
            qualified(kind, name),
            crate::dialect::sql::literal(value)
        )),
        Change::ReplaceEnum { from, to, columns } if pg => {
            let name = qualified(kind, &to.name);
            let old = super::QualifiedName::new(from.name.schema.clone(), format!("{}__retort_old", from.name.name));
            out.push(format!("ALTER TYPE {name} RENAME TO {}", ident(kind, &old.name)));
            out.push(format!(
                "CREATE TYPE {name} AS ENUM ({})",
                to.values.iter().map(|v| crate::dialect::sql::literal(v)).collect::<Vec<_>>().join(", ")
            ));
            for (table, column, default) in columns {
                let (t, c) = (qualified(kind, table), ident(kind, column));
                // A default typed with the old enum cannot be cast: set it again after.
                if default.is_some() {
                    out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
                }
                out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {name} USING {c}::text::{name}"));
                if let Some(d) = default {
                    out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {d}"));
                }
            }
            out.push(format!("DROP TYPE {}", qualified(kind, &old)));
        }
        Change::DropEnum(e) if pg => out.push(format!("DROP TYPE {}", qualified(kind, &e.name))),
        Change::SetTableComment { table, comment } if pg => out.push(format!(
            "COMMENT ON TABLE {} IS {}",
            qualified(kind, table),
            comment.as_deref().map_or_else(|| "NULL".to_string(), crate::dialect::sql::literal)
        )),
        Change::CreateSequence(s) if pg => out.push(format!(
            "CREATE SEQUENCE {} AS {} START {} INCREMENT {}",
            qualified(kind, &s.name),
            s.data_type,
            s.start,
            s.increment
        )),
        Change::AlterSequence { to, .. } if pg => out.push(format!(
            "ALTER SEQUENCE {} AS {} START WITH {} INCREMENT BY {}",
            qualified(kind, &to.name),
            to.data_type,
            to.start,
            to.increment
        )),
        Change::DropSequence(s) if pg => out.push(format!("DROP SEQUENCE IF EXISTS {}", qualified(kind, &s.name))),
        Change::SetSequenceOwner { sequence, owner } if pg => out.push(format!(
            "ALTER SEQUENCE {} OWNED BY {}",
            qualified(kind, sequence),
            owner.as_ref().map_or_else(
                || "NONE".to_string(),
                |(table, column)| format!("{}.{}", qualified(kind, table), q(column))
            )
        )),
        Change::RenameTable { from, to } => out.push(format!(
            "ALTER TABLE {} RENAME TO {}",
            qualified(kind, from),
            q(&to.name)
        )),
        Change::RenameColumn { table, from, to } => out.push(format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            qualified(kind, table),
            q(from),
            q(to)
        )),
        Change::RenameConstraint { table, from, to } if pg => out.push(format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            qualified(kind, table),
            q(from),
            q(to)
        )),
        Change::RenameIndex { table, from, to } if pg => {
            let index = super::QualifiedName::new(table.schema.clone(), from.clone());
            out.push(format!("ALTER INDEX {} RENAME TO {}", qualified(kind, &index), q(to)));
        }
        Change::CreateSchema(name) if pg => out.push(format!("CREATE SCHEMA {}", q(name))),
        Change::DropSchema(name) if pg => out.push(format!("DROP SCHEMA {}", q(name))),
        Change::CreateExtension(e) if pg => out.push(format!(
            "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {} VERSION {}",
            q(&e.name),
            q(&e.schema),
            crate::dialect::sql::literal(&e.version)
        )),
        Change::AlterExtension { from, to } if pg => {
            if from.version != to.version {
                out.push(format!(
                    "ALTER EXTENSION {} UPDATE TO {}",
                    q(&to.name),
                    crate::dialect::sql::literal(&to.version)
                ));
            }
            if from.schema != to.schema {
                out.push(format!("ALTER EXTENSION {} SET SCHEMA {}", q(&to.name), q(&to.schema)));
            }
        }
        Change::DropExtension(e) if pg => out.push(format!("DROP EXTENSION {}", q(&e.name))),
        Change::CreateDomain(d) if pg => out.push(create_domain(d)),
        Change::AlterDomain { from, to } if pg => alter_domain(from, to, out),
        Change::DropDomain(d) if pg => out.push(format!("DROP DOMAIN {}", qualified(kind, &d.name))),
        Change::SetRowSecurity { table, enabled, forced } if pg => {
            let t = qualified(kind, table);
            if enabled.0 != enabled.1 {
                let word = if enabled.1 { "ENABLE" } else { "DISABLE" };
                out.push(format!("ALTER TABLE {t} {word} ROW LEVEL SECURITY"));
            }
            if forced.0 != forced.1 {
                let word = if forced.1 { "FORCE" } else { "NO FORCE" };
                out.push(format!("ALTER TABLE {t} {word} ROW LEVEL SECURITY"));
            }
        }
        Change::CreatePolicy { table, policy } if pg => out.push(create_policy(table, policy)),
        Change::DropPolicy { table, policy } if pg => out.push(format!(
            "DROP POLICY {} ON {}",
            q(&policy.name),
            qualified(kind, table)
        )),
        Change::SetComment { on, comment } if pg => out.push(format!(
            "COMMENT ON {} IS {}",
            comment_target(on),
            comment.as_deref().map_or_else(|| "NULL".to_string(), crate::dialect::sql::literal)
        )),
        Change::CreateTrigger { trigger, .. } => out.push(trigger.definition.clone()),
        Change::DropTrigger { table, trigger } => out.push(if pg {
            format!("DROP TRIGGER {} ON {}", q(&trigger.name), qualified(kind, table))
        } else {
            format!("DROP TRIGGER {}", q(&trigger.name))
        }),
        Change::CreateFunction(f) if pg => create_function(f, out),
        Change::ReplaceFunction { from, to } if pg => {
            // CREATE OR REPLACE cannot change a result type or turn a
            // function into a procedure.
            if from.result != to.result || from.procedure != to.procedure {
                out.push(drop_function(kind, from));
            }
            create_function(to, out);
        }
        Change::DropFunction(f) if pg => out.push(drop_function(kind, f)),
        Change::RebuildTable { from, to } if !pg => rebuild_table(from, to, out),
        Change::SetTableComment { .. } if !pg => {
            // SQLite has no comments; the model never holds one there.
        }
        other => {
            return Err(Error::Usage(format!(
                "{kind} cannot render this change ({}); compute changes with `schema::diff_for`, which rebuilds SQLite tables",
                describe(other)
            )))
        }
    }
    Ok(())
}

fn create_domain(d: &super::Domain) -> String {
    let kind = DialectKind::Postgres;
    let mut s = format!(
        "CREATE DOMAIN {} AS {}",
        qualified(kind, &d.name),
        d.data_type
    );
    if let Some(default) = &d.default {
        s.push_str(&format!(" DEFAULT {default}"));
    }
    if d.not_null {
        s.push_str(" NOT NULL");
    }
    for c in &d.checks {
        s.push_str(&format!(
            " {}CHECK {}",
            constraint_name(kind, &c.name),
            parenthesised(&c.expression)
        ));
    }
    s
}

fn alter_domain(from: &super::Domain, to: &super::Domain, out: &mut Vec<String>) {
    let kind = DialectKind::Postgres;
    let name = qualified(kind, &to.name);
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
            ident(kind, &c.name)
        ));
    }
    for c in to.checks.iter().filter(|c| !from.checks.contains(c)) {
        out.push(format!(
            "ALTER DOMAIN {name} ADD {}CHECK {}",
            constraint_name(kind, &c.name),
            parenthesised(&c.expression)
        ));
    }
}

fn create_policy(table: &super::QualifiedName, p: &super::Policy) -> String {
    let kind = DialectKind::Postgres;
    let roles: Vec<String> = p
        .roles
        .iter()
        .map(|r| {
            if r == "public" {
                "PUBLIC".to_string()
            } else {
                ident(kind, r)
            }
        })
        .collect();
    let mut s = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        ident(kind, &p.name),
        qualified(kind, table),
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

fn comment_target(on: &super::diff::CommentTarget) -> String {
    use super::diff::CommentTarget as T;
    let kind = DialectKind::Postgres;
    match on {
        T::View { name, materialized } => format!(
            "{}VIEW {}",
            if *materialized { "MATERIALIZED " } else { "" },
            qualified(kind, name)
        ),
        T::Function {
            name,
            arguments,
            procedure,
        } => format!(
            "{} {}({arguments})",
            if *procedure { "PROCEDURE" } else { "FUNCTION" },
            qualified(kind, name)
        ),
        T::Sequence(name) => format!("SEQUENCE {}", qualified(kind, name)),
        T::Type(name) => format!("TYPE {}", qualified(kind, name)),
        T::Domain(name) => format!("DOMAIN {}", qualified(kind, name)),
        T::Index(name) => format!("INDEX {}", qualified(kind, name)),
        T::Constraint { table, name } => {
            format!(
                "CONSTRAINT {} ON {}",
                ident(kind, name),
                qualified(kind, table)
            )
        }
        T::DomainConstraint { domain, name } => format!(
            "CONSTRAINT {} ON DOMAIN {}",
            ident(kind, name),
            qualified(kind, domain)
        ),
        T::Trigger { table, name } => {
            format!(
                "TRIGGER {} ON {}",
                ident(kind, name),
                qualified(kind, table)
            )
        }
        T::Policy { table, name } => {
            format!("POLICY {} ON {}", ident(kind, name), qualified(kind, table))
        }
        T::Schema(name) => format!("SCHEMA {}", ident(kind, name)),
        T::Extension(name) => format!("EXTENSION {}", ident(kind, name)),
    }
}

fn create_function(f: &super::Function, out: &mut Vec<String>) {
    // Like pg_dump: a SQL-language body may name tables created later in
    // the same migration.
    out.push("SET check_function_bodies = off".to_string());
    out.push(f.definition.clone());
}

fn drop_function(kind: DialectKind, f: &super::Function) -> String {
    format!(
        "DROP {} {}({})",
        if f.procedure { "PROCEDURE" } else { "FUNCTION" },
        qualified(kind, &f.name),
        f.arguments
    )
}

/// SQLite's documented procedure for changes `ALTER TABLE` cannot make
/// ("Making Other Kinds Of Table Schema Changes"), inside the revision's
/// transaction. Foreign-key enforcement must be off: with it on, dropping the
/// old table would run `ON DELETE` actions against the rows that point at it.
/// The pragma cannot change inside a transaction, so the statement that
/// turns it off is also a marker: retort's runner sees it and runs it before
/// the revision's `BEGIN` (and turns enforcement back on after `COMMIT`). A
/// guard stops any other runner that left enforcement on.
fn rebuild_table(from: &Table, to: &Table, out: &mut Vec<String>) {
    let kind = DialectKind::Sqlite;
    let name = qualified(kind, &to.name);
    let temp_name = super::QualifiedName::new(
        to.name.schema.clone(),
        format!("retort_new_{}", to.name.name),
    );
    let temp = qualified(kind, &temp_name);
    let mut shape = to.clone();
    shape.name = temp_name.clone();
    shape.indexes.clear();
    shape.triggers.clear();
    // Columns that carry over: on both sides, and not computed in the new table.
    let copied: Vec<String> = to
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .filter(|c| {
            from.columns
                .iter()
                .any(|o| o.name == c.name && o.generated.is_none())
        })
        .map(|c| ident(kind, &c.name))
        .collect();
    out.push(crate::dialect::sql::SQLITE_FOREIGN_KEYS_OFF.to_string());
    out.push(
        "CREATE TEMP TABLE IF NOT EXISTS retort_rebuild_guard (\n    \
         foreign_keys INTEGER CONSTRAINT \"a table rebuild needs PRAGMA foreign_keys = OFF\" CHECK (foreign_keys = 0),\n    \
         violations INTEGER CONSTRAINT \"the rebuilt table's rows violate its foreign keys\" CHECK (violations = 0)\n)"
            .to_string(),
    );
    out.push("INSERT INTO temp.retort_rebuild_guard (foreign_keys) SELECT foreign_keys FROM pragma_foreign_keys".to_string());
    out.extend(create_table(kind, &shape));
    if !copied.is_empty() {
        let cols = copied.join(", ");
        out.push(format!(
            "INSERT INTO {temp} ({cols}) SELECT {cols} FROM {name}"
        ));
    }
    out.push(format!("DROP TABLE {name}"));
    // Legacy renaming leaves views and triggers that name the table alone
    // (they find the new one by name); the modern rule would refuse to
    // rename while they point at the dropped table.
    out.push("PRAGMA legacy_alter_table = ON".to_string());
    out.push(format!(
        "ALTER TABLE {temp} RENAME TO {}",
        ident(kind, &to.name.name)
    ));
    out.push("PRAGMA legacy_alter_table = OFF".to_string());
    for index in &to.indexes {
        out.push(create_index(kind, &to.name, index));
    }
    out.extend(to.triggers.iter().map(|t| t.definition.clone()));
    out.push(format!(
        "INSERT INTO temp.retort_rebuild_guard (violations) SELECT count(*) FROM pragma_foreign_key_check({})",
        crate::dialect::sql::literal(&to.name.name)
    ));
    out.push("DROP TABLE temp.retort_rebuild_guard".to_string());
}

fn describe(change: &Change) -> String {
    format!("{change:?}")
}

fn constraint_name(kind: DialectKind, name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!("CONSTRAINT {} ", ident(kind, name))
    }
}

fn drop_constraint(kind: DialectKind, table: &super::QualifiedName, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT {}",
        qualified(kind, table),
        ident(kind, name)
    )
}

/// `(expr)` unless the database already wrapped it.
fn parenthesised(expr: &str) -> String {
    let e = expr.trim();
    if e.starts_with('(') && e.ends_with(')') {
        e.to_string()
    } else {
        format!("({e})")
    }
}

fn column_def(kind: DialectKind, c: &Column) -> String {
    let mut def = format!("{} {}", ident(kind, &c.name), c.data_type);
    if let Some(collation) = &c.collation {
        def.push_str(&format!(" COLLATE {}", ident(kind, collation)));
    }
    if let Some(expr) = &c.generated {
        let kind = if c.generated_virtual {
            "VIRTUAL"
        } else {
            "STORED"
        };
        def.push_str(&format!(
            " GENERATED ALWAYS AS {} {kind}",
            parenthesised(expr)
        ));
    }
    match c.identity {
        Some(Identity::Always) => def.push_str(" GENERATED ALWAYS AS IDENTITY"),
        Some(Identity::ByDefault) => def.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
        None => {}
    }
    if !c.nullable {
        def.push_str(" NOT NULL");
    }
    if let Some(default) = &c.default {
        // SQLite gives an expression default back without the parentheses
        // its grammar needs around it.
        if kind == DialectKind::Sqlite && !sqlite_literal(default) {
            def.push_str(&format!(" DEFAULT ({default})"));
        } else {
            def.push_str(&format!(" DEFAULT {default}"));
        }
    }
    def
}

/// A default SQLite takes without parentheses: a number, a string or blob
/// literal, `NULL`, `TRUE`/`FALSE`, `CURRENT_TIME`/`_DATE`/`_TIMESTAMP`.
pub(super) fn sqlite_literal(default: &str) -> bool {
    let d = default.trim();
    let upper = d.to_ascii_uppercase();
    let quoted = |q: char| {
        d.len() >= 2
            && d.starts_with(q)
            && d.ends_with(q)
            && !d[1..d.len() - 1].replace("''", "").contains(q)
    };
    matches!(
        upper.as_str(),
        "NULL" | "TRUE" | "FALSE" | "CURRENT_TIME" | "CURRENT_DATE" | "CURRENT_TIMESTAMP"
    ) || quoted('\'')
        || ((upper.starts_with("X'")) && quoted_blob(d))
        || d.trim_start_matches(['+', '-']).parse::<f64>().is_ok()
}

fn quoted_blob(d: &str) -> bool {
    d.len() >= 3 && d.ends_with('\'') && d[2..d.len() - 1].chars().all(|c| c.is_ascii_hexdigit())
}

fn foreign_key(kind: DialectKind, fk: &ForeignKey) -> String {
    let mut s = format!(
        "{}FOREIGN KEY ({}) REFERENCES {} ({})",
        constraint_name(kind, &fk.name),
        list(kind, &fk.columns),
        qualified(kind, &fk.references),
        list(kind, &fk.referenced_columns)
    );
    if fk.on_delete != super::FkAction::NoAction {
        s.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
    }
    if fk.on_update != super::FkAction::NoAction {
        s.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
    }
    if fk.deferrable {
        s.push_str(" DEFERRABLE");
        if fk.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    s
}

/// `CREATE TABLE`, then (PostgreSQL) the comments on its columns.
fn create_table(kind: DialectKind, t: &Table) -> Vec<String> {
    let mut parts: Vec<String> = t.columns.iter().map(|c| column_def(kind, c)).collect();
    let comments: Vec<String> = t
        .columns
        .iter()
        .filter_map(|c| c.comment.as_ref().map(|text| (c, text)))
        .map(|(c, text)| {
            format!(
                "COMMENT ON COLUMN {}.{} IS {}",
                qualified(kind, &t.name),
                ident(kind, &c.name),
                crate::dialect::sql::literal(text)
            )
        })
        .collect();
    // SQLite's AUTOINCREMENT exists only on a column's own PRIMARY KEY.
    let inline_pk = kind == DialectKind::Sqlite
        && t.autoincrement
        && t.primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.len() == 1);
    if inline_pk {
        if let Some(pk) = &t.primary_key {
            if let Some(i) = t.columns.iter().position(|c| c.name == pk.columns[0]) {
                parts[i].push_str(" PRIMARY KEY AUTOINCREMENT");
            }
        }
    }
    if let Some(pk) = t.primary_key.as_ref().filter(|_| !inline_pk) {
        parts.push(format!(
            "{}PRIMARY KEY ({})",
            constraint_name(kind, &pk.name),
            list(kind, &pk.columns)
        ));
    }
    for u in &t.uniques {
        parts.push(format!(
            "{}UNIQUE ({})",
            constraint_name(kind, &u.name),
            list(kind, &u.columns)
        ));
    }
    for c in &t.checks {
        parts.push(format!(
            "{}CHECK {}",
            constraint_name(kind, &c.name),
            parenthesised(&c.expression)
        ));
    }
    if kind == DialectKind::Sqlite {
        // SQLite cannot add foreign keys later; it does not need their
        // targets to exist yet either.
        parts.extend(t.foreign_keys.iter().map(|fk| foreign_key(kind, fk)));
    }
    let mut options = Vec::new();
    if t.without_rowid {
        options.push("WITHOUT ROWID");
    }
    if t.strict {
        options.push("STRICT");
    }
    let mut statements = vec![format!(
        "CREATE TABLE {} (\n    {}\n){}{}",
        qualified(kind, &t.name),
        parts.join(",\n    "),
        if options.is_empty() { "" } else { " " },
        options.join(", ")
    )];
    if kind == DialectKind::Postgres {
        statements.extend(comments);
        for c in t.columns.iter().filter(|c| !c.options.is_empty()) {
            statements.push(set_column_options(kind, &t.name, c));
        }
    }
    statements
}

/// `ALTER TABLE … ALTER COLUMN … SET (name=value, …)`.
fn set_column_options(kind: DialectKind, table: &super::QualifiedName, c: &Column) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} SET ({})",
        qualified(kind, table),
        ident(kind, &c.name),
        c.options.join(", ")
    )
}

fn create_index(kind: DialectKind, table: &super::QualifiedName, i: &Index) -> String {
    let mut s = format!(
        "CREATE {}INDEX {} ON {}",
        if i.unique { "UNIQUE " } else { "" },
        ident(kind, &i.name),
        qualified(kind, table)
    );
    if let Some(method) = &i.method {
        s.push_str(&format!(" USING {method}"));
    }
    s.push_str(&format!(" ({})", i.parts.join(", ")));
    if !i.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", list(kind, &i.include)));
    }
    if let Some(predicate) = &i.predicate {
        s.push_str(&format!(" WHERE {predicate}"));
    }
    s
}

fn alter_column(
    kind: DialectKind,
    table: &super::QualifiedName,
    from: &Column,
    to: &Column,
    out: &mut Vec<String>,
) {
    let t = qualified(kind, table);
    let c = ident(kind, &to.name);
    if from.generated != to.generated {
        // A generation expression cannot be altered in place (before
        // PostgreSQL 17): the column is dropped and added again; its values
        // are derived, so nothing is lost.
        out.push(format!("ALTER TABLE {t} DROP COLUMN {c}"));
        out.push(format!(
            "ALTER TABLE {t} ADD COLUMN {}",
            column_def(kind, to)
        ));
        return;
    }
    // An identity goes first (NOT NULL cannot be dropped while it exists)
    // and comes back last (it needs NOT NULL).
    if from.identity.is_some() && to.identity.is_none() {
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP IDENTITY"));
    }
    if from.data_type != to.data_type || from.collation != to.collation {
        let collate = to
            .collation
            .as_ref()
            .map(|co| format!(" COLLATE {}", ident(kind, co)))
            .unwrap_or_default();
        // USING makes every cast explicit, so the change applies even when
        // PostgreSQL has no implicit cast (Alembic's autogenerate misses this).
        out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} TYPE {}{collate} USING {c}::{}",
            to.data_type, to.data_type
        ));
    }
    if from.nullable != to.nullable {
        out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} {} NOT NULL",
            if to.nullable { "DROP" } else { "SET" }
        ));
    }
    if from.default != to.default {
        match &to.default {
            Some(d) => out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {d}")),
            None => out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT")),
        }
    }
    if from.comment != to.comment {
        out.push(format!(
            "COMMENT ON COLUMN {t}.{c} IS {}",
            to.comment
                .as_deref()
                .map_or_else(|| "NULL".to_string(), crate::dialect::sql::literal)
        ));
    }
    if from.options != to.options {
        let key = |o: &String| o.split('=').next().unwrap_or_default().to_string();
        let gone: Vec<String> = from
            .options
            .iter()
            .map(key)
            .filter(|k| !to.options.iter().any(|o| key(o) == *k))
            .collect();
        if !gone.is_empty() {
            out.push(format!(
                "ALTER TABLE {t} ALTER COLUMN {c} RESET ({})",
                gone.join(", ")
            ));
        }
        if !to.options.is_empty() {
            out.push(set_column_options(kind, table, to));
        }
    }
    let generated = |i: Identity| match i {
        Identity::Always => "ALWAYS",
        Identity::ByDefault => "BY DEFAULT",
    };
    match (from.identity, to.identity) {
        (None, Some(i)) => out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} ADD GENERATED {} AS IDENTITY",
            generated(i)
        )),
        (Some(a), Some(b)) if a != b => out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} SET GENERATED {}",
            generated(b)
        )),
        _ => {}
    }
}
