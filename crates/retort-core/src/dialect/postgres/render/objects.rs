//! Schemas, extensions, comments, functions and procedures.

use super::Postgres;
use crate::dialect::Dialect;
use crate::schema::{Change, CommentTarget, Function, Operator, QualifiedName};

/// Renders `change` if it is of this file's kinds; `false` otherwise.
pub(super) fn render(d: &Postgres, change: &Change, out: &mut Vec<String>) -> bool {
    match change {
        Change::CreateSchema(name) => out.push(format!("CREATE SCHEMA {}", d.ident(name))),
        Change::DropSchema(name) => out.push(format!("DROP SCHEMA {}", d.ident(name))),
        Change::CreateExtension(e) => out.push(format!(
            "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {} VERSION {}",
            d.ident(&e.name),
            d.ident(&e.schema),
            d.literal(&e.version)
        )),
        Change::AlterExtension { from, to } => {
            if from.version != to.version {
                out.push(format!(
                    "ALTER EXTENSION {} UPDATE TO {}",
                    d.ident(&to.name),
                    d.literal(&to.version)
                ));
            }
            if from.schema != to.schema {
                out.push(format!(
                    "ALTER EXTENSION {} SET SCHEMA {}",
                    d.ident(&to.name),
                    d.ident(&to.schema)
                ));
            }
        }
        Change::DropExtension(e) => out.push(format!("DROP EXTENSION {}", d.ident(&e.name))),
        Change::SetComment { on, comment } => out.push(format!(
            "COMMENT ON {} IS {}",
            comment_target(on),
            comment
                .as_deref()
                .map_or_else(|| "NULL".to_string(), |c| d.literal(c))
        )),
        Change::CreateFunction(f) => create_function(f, out),
        Change::ReplaceFunction { from, to } => {
            // CREATE OR REPLACE cannot change a result type or turn a
            // function into a procedure.
            if from.result != to.result
                || from.procedure != to.procedure
                || from.aggregate != to.aggregate
            {
                out.push(drop_function(d, from));
            }
            create_function(to, out);
        }
        Change::DropFunction(f) => out.push(drop_function(d, f)),
        Change::CreateOperator(o) => out.push(create_operator(o)),
        Change::DropOperator(o) => out.push(format!(
            "DROP OPERATOR {}",
            operator_signature(&o.name, &o.left, &o.right)
        )),
        Change::AlterOperator { to, .. } => out.push(format!(
            "ALTER OPERATOR {} SET (RESTRICT = {}, JOIN = {})",
            operator_signature(&to.name, &to.left, &to.right),
            to.restrict.as_deref().unwrap_or("NONE"),
            to.join.as_deref().unwrap_or("NONE")
        )),
        Change::CreateRule(r) => out.push(r.definition.clone()),
        Change::DropRule(r) => out.push(format!(
            "DROP RULE {} ON {}",
            d.ident(&r.name),
            d.qualified(&r.relation)
        )),
        _ => return false,
    }
    true
}

fn comment_target(on: &CommentTarget) -> String {
    use CommentTarget as T;
    let d = &Postgres;
    match on {
        T::View { name, materialized } => format!(
            "{}VIEW {}",
            if *materialized { "MATERIALIZED " } else { "" },
            d.qualified(name)
        ),
        T::Function {
            name,
            arguments,
            procedure,
            aggregate,
        } => format!(
            "{} {}({})",
            routine_word(*procedure, *aggregate),
            d.qualified(name),
            routine_arguments(arguments, *aggregate)
        ),
        T::ViewColumn { view, column } => {
            format!("COLUMN {}.{}", d.qualified(view), d.ident(column))
        }
        T::Rule { relation, name } => {
            format!("RULE {} ON {}", d.ident(name), d.qualified(relation))
        }
        T::Operator { name, left, right } => {
            format!("OPERATOR {}", operator_signature(name, left, right))
        }
        T::Sequence(name) => format!("SEQUENCE {}", d.qualified(name)),
        T::Type(name) => format!("TYPE {}", d.qualified(name)),
        T::Domain(name) => format!("DOMAIN {}", d.qualified(name)),
        T::Index(name) => format!("INDEX {}", d.qualified(name)),
        T::Constraint { table, name } => {
            format!("CONSTRAINT {} ON {}", d.ident(name), d.qualified(table))
        }
        T::DomainConstraint { domain, name } => format!(
            "CONSTRAINT {} ON DOMAIN {}",
            d.ident(name),
            d.qualified(domain)
        ),
        T::Trigger { table, name } => {
            format!("TRIGGER {} ON {}", d.ident(name), d.qualified(table))
        }
        T::Policy { table, name } => {
            format!("POLICY {} ON {}", d.ident(name), d.qualified(table))
        }
        T::Schema(name) => format!("SCHEMA {}", d.ident(name)),
        T::Extension(name) => format!("EXTENSION {}", d.ident(name)),
    }
}

fn create_function(f: &Function, out: &mut Vec<String>) {
    // Like pg_dump: a SQL-language body may name tables created later in
    // the same migration. An aggregate has no body.
    if !f.aggregate {
        out.push("SET check_function_bodies = off".to_string());
    }
    out.push(f.definition.clone());
}

fn drop_function(d: &Postgres, f: &Function) -> String {
    format!(
        "DROP {} {}({})",
        routine_word(f.procedure, f.aggregate),
        d.qualified(&f.name),
        routine_arguments(&f.arguments, f.aggregate)
    )
}

fn routine_word(procedure: bool, aggregate: bool) -> &'static str {
    match (procedure, aggregate) {
        (true, _) => "PROCEDURE",
        (_, true) => "AGGREGATE",
        _ => "FUNCTION",
    }
}

/// An aggregate of no arguments is `name(*)`.
fn routine_arguments(arguments: &str, aggregate: bool) -> &str {
    if aggregate && arguments.is_empty() {
        "*"
    } else {
        arguments
    }
}

/// An operator's name as SQL spells it: the schema quoted as an
/// identifier, the symbol as it is.
fn operator_name(name: &QualifiedName) -> String {
    format!("{}.{}", Postgres.ident(&name.schema), name.name)
}

/// `schema.op (left, right)`, `NONE` for a missing operand.
fn operator_signature(
    name: &QualifiedName,
    left: &Option<String>,
    right: &Option<String>,
) -> String {
    format!(
        "{} ({}, {})",
        operator_name(name),
        left.as_deref().unwrap_or("NONE"),
        right.as_deref().unwrap_or("NONE")
    )
}

/// `CREATE OPERATOR` with every option the operator has.
fn create_operator(o: &Operator) -> String {
    let mut options = vec![format!("FUNCTION = {}", o.function)];
    if let Some(left) = &o.left {
        options.push(format!("LEFTARG = {left}"));
    }
    if let Some(right) = &o.right {
        options.push(format!("RIGHTARG = {right}"));
    }
    if let Some(c) = &o.commutator {
        options.push(format!("COMMUTATOR = OPERATOR({c})"));
    }
    if let Some(n) = &o.negator {
        options.push(format!("NEGATOR = OPERATOR({n})"));
    }
    if let Some(r) = &o.restrict {
        options.push(format!("RESTRICT = {r}"));
    }
    if let Some(j) = &o.join {
        options.push(format!("JOIN = {j}"));
    }
    if o.hashes {
        options.push("HASHES".to_string());
    }
    if o.merges {
        options.push("MERGES".to_string());
    }
    format!(
        "CREATE OPERATOR {} ({})",
        operator_name(&o.name),
        options.join(", ")
    )
}
