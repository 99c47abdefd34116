//! Comments on views, functions, sequences, enum types, domains, indexes,
//! constraints (of tables and domains), triggers, policies, schemas and
//! extensions (table and column comments travel with their table). They are compared
//! apart from their objects: a changed comment is one `COMMENT ON`, and an
//! object created or recreated by a diff gets its comment set again.

use super::diff::{Change, CommentTarget};
use super::{QualifiedName, Schema};

/// Whether any object in `schema` carries a comment this module handles.
pub(super) fn any(schema: &Schema) -> bool {
    schema
        .views
        .iter()
        .any(|v| v.comment.is_some() || v.indexes.iter().any(|i| i.comment.is_some()))
        || schema.functions.iter().any(|f| f.comment.is_some())
        || schema.sequences.iter().any(|s| s.comment.is_some())
        || schema.enums.iter().any(|e| e.comment.is_some())
        || schema.domains.iter().any(|d| d.comment.is_some())
        || schema
            .domains
            .iter()
            .any(|d| d.checks.iter().any(|c| c.comment.is_some()))
        || schema.extensions.iter().any(|e| e.comment.is_some())
        || !schema.schema_comments.is_empty()
        || schema.tables.iter().any(|t| {
            t.indexes.iter().any(|i| i.comment.is_some())
                || t.primary_key.as_ref().is_some_and(|k| k.comment.is_some())
                || t.uniques.iter().any(|u| u.comment.is_some())
                || t.checks.iter().any(|c| c.comment.is_some())
                || t.foreign_keys.iter().any(|f| f.comment.is_some())
                || t.triggers.iter().any(|x| x.comment.is_some())
                || t.policies.iter().any(|x| x.comment.is_some())
        })
}

/// `schema` without those comments.
pub(super) fn strip(schema: &Schema) -> Schema {
    let mut s = schema.clone();
    for v in &mut s.views {
        v.comment = None;
        v.indexes.iter_mut().for_each(|i| i.comment = None);
    }
    s.functions.iter_mut().for_each(|f| f.comment = None);
    s.sequences.iter_mut().for_each(|x| x.comment = None);
    s.enums.iter_mut().for_each(|e| e.comment = None);
    for d in &mut s.domains {
        d.comment = None;
        d.checks.iter_mut().for_each(|c| c.comment = None);
    }
    s.extensions.iter_mut().for_each(|e| e.comment = None);
    s.schema_comments.clear();
    for t in &mut s.tables {
        t.indexes.iter_mut().for_each(|i| i.comment = None);
        if let Some(k) = &mut t.primary_key {
            k.comment = None;
        }
        t.uniques.iter_mut().for_each(|u| u.comment = None);
        t.checks.iter_mut().for_each(|c| c.comment = None);
        t.foreign_keys.iter_mut().for_each(|f| f.comment = None);
        t.triggers.iter_mut().for_each(|x| x.comment = None);
        t.policies.iter_mut().for_each(|x| x.comment = None);
    }
    s
}

/// Every commentable object of `schema` with its comment.
fn objects(schema: &Schema) -> Vec<(CommentTarget, Option<String>)> {
    let mut out = Vec::new();
    for v in &schema.views {
        out.push((
            CommentTarget::View {
                name: v.name.clone(),
                materialized: v.materialized,
            },
            v.comment.clone(),
        ));
    }
    for f in &schema.functions {
        out.push((
            CommentTarget::Function {
                name: f.name.clone(),
                arguments: f.arguments.clone(),
                procedure: f.procedure,
            },
            f.comment.clone(),
        ));
    }
    for x in &schema.sequences {
        out.push((CommentTarget::Sequence(x.name.clone()), x.comment.clone()));
    }
    for e in &schema.enums {
        out.push((CommentTarget::Type(e.name.clone()), e.comment.clone()));
    }
    for d in &schema.domains {
        out.push((CommentTarget::Domain(d.name.clone()), d.comment.clone()));
    }
    for v in &schema.views {
        for i in &v.indexes {
            out.push((
                CommentTarget::Index(QualifiedName::new(v.name.schema.clone(), i.name.clone())),
                i.comment.clone(),
            ));
        }
    }
    for d in &schema.domains {
        for c in &d.checks {
            out.push((
                CommentTarget::DomainConstraint {
                    domain: d.name.clone(),
                    name: c.name.clone(),
                },
                c.comment.clone(),
            ));
        }
    }
    for e in &schema.extensions {
        out.push((CommentTarget::Extension(e.name.clone()), e.comment.clone()));
    }
    // `public` is not in `schemas` but its comment is modelled.
    let public = String::from("public");
    let mut schema_names: Vec<&String> = schema.schemas.iter().collect();
    if !schema.schemas.contains(&public) {
        schema_names.push(&public);
    }
    for name in schema_names {
        out.push((
            CommentTarget::Schema(name.clone()),
            schema.schema_comments.get(name).cloned(),
        ));
    }
    for t in &schema.tables {
        for i in &t.indexes {
            out.push((
                CommentTarget::Index(QualifiedName::new(t.name.schema.clone(), i.name.clone())),
                i.comment.clone(),
            ));
        }
        let constraint = |name: &String| CommentTarget::Constraint {
            table: t.name.clone(),
            name: name.clone(),
        };
        if let Some(k) = &t.primary_key {
            out.push((constraint(&k.name), k.comment.clone()));
        }
        out.extend(
            t.uniques
                .iter()
                .map(|u| (constraint(&u.name), u.comment.clone())),
        );
        out.extend(
            t.checks
                .iter()
                .map(|c| (constraint(&c.name), c.comment.clone())),
        );
        out.extend(
            t.foreign_keys
                .iter()
                .map(|f| (constraint(&f.name), f.comment.clone())),
        );
        for x in &t.triggers {
            out.push((
                CommentTarget::Trigger {
                    table: t.name.clone(),
                    name: x.name.clone(),
                },
                x.comment.clone(),
            ));
        }
        for x in &t.policies {
            out.push((
                CommentTarget::Policy {
                    table: t.name.clone(),
                    name: x.name.clone(),
                },
                x.comment.clone(),
            ));
        }
    }
    out
}

/// Whether `changes` create `target` anew (so its comment is gone).
fn created(target: &CommentTarget, changes: &[Change]) -> bool {
    changes.iter().any(|c| match (target, c) {
        (CommentTarget::View { name, .. }, Change::CreateView(v)) => &v.name == name,
        (
            CommentTarget::Function {
                name, arguments, ..
            },
            Change::CreateFunction(f),
        ) => &f.name == name && &f.arguments == arguments,
        (
            CommentTarget::Function {
                name, arguments, ..
            },
            Change::ReplaceFunction { from, to },
        ) => {
            &to.name == name
                && &to.arguments == arguments
                && (from.result != to.result || from.procedure != to.procedure)
        }
        (CommentTarget::Sequence(name), Change::CreateSequence(x)) => &x.name == name,
        (CommentTarget::Type(name), Change::CreateEnum(e)) => &e.name == name,
        (CommentTarget::Type(name), Change::ReplaceEnum { to, .. }) => &to.name == name,
        (CommentTarget::Domain(name), Change::CreateDomain(d)) => &d.name == name,
        (CommentTarget::Domain(name), Change::AlterDomain { from, to }) => {
            &to.name == name && from.data_type != to.data_type
        }
        (CommentTarget::Index(name), Change::CreateView(v)) => {
            v.name.schema == name.schema && v.indexes.iter().any(|i| i.name == name.name)
        }
        (CommentTarget::Index(name), Change::CreateIndex { table, index }) => {
            table.schema == name.schema && index.name == name.name
        }
        (CommentTarget::Index(name), Change::RebuildTable { to, .. }) => {
            to.name.schema == name.schema && to.indexes.iter().any(|i| i.name == name.name)
        }
        (CommentTarget::Constraint { table, .. }, Change::CreateTable(t)) => &t.name == table,
        (CommentTarget::Constraint { table, name }, c) => match c {
            Change::AddPrimaryKey { table: t, key } => t == table && &key.name == name,
            Change::AddUnique { table: t, unique } => t == table && &unique.name == name,
            Change::AddCheck { table: t, check } => t == table && &check.name == name,
            Change::AddForeignKey { table: t, fk, .. } => t == table && &fk.name == name,
            _ => false,
        },
        (CommentTarget::DomainConstraint { domain, .. }, Change::CreateDomain(d)) => {
            &d.name == domain
        }
        (CommentTarget::DomainConstraint { domain, name }, Change::AlterDomain { from, to }) => {
            &to.name == domain
                && (from.data_type != to.data_type
                    || to.checks.iter().find(|c| &c.name == name)
                        != from.checks.iter().find(|c| &c.name == name))
        }
        (CommentTarget::Trigger { table, name }, Change::CreateTrigger { table: t, trigger }) => {
            t == table && &trigger.name == name
        }
        (CommentTarget::Policy { table, name }, Change::CreatePolicy { table: t, policy }) => {
            t == table && &policy.name == name
        }
        (CommentTarget::Schema(name), Change::CreateSchema(s)) => s == name,
        (CommentTarget::Extension(name), Change::CreateExtension(e)) => &e.name == name,
        _ => false,
    })
}

/// The `COMMENT ON` changes that bring `from`'s comments to `to`'s, given
/// the object `changes` already computed. They run last: every object they
/// name exists by then.
pub(super) fn changes(from: &Schema, to: &Schema, changes: &[Change]) -> Vec<Change> {
    let old = objects(from);
    let mut out = Vec::new();
    for (target, comment) in objects(to) {
        let before = old
            .iter()
            .find(|(t, _)| *t == target)
            .map(|(_, c)| c.clone());
        let set = if created(&target, changes) || before.is_none() {
            comment.is_some()
        } else {
            before.flatten() != comment
        };
        if set {
            out.push(Change::SetComment {
                on: target,
                comment,
            });
        }
    }
    out
}
