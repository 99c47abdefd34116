//! Comments on views, functions, sequences, enum types, domains, indexes,
//! constraints (of tables and domains), triggers, policies, schemas and
//! extensions (table and column comments travel with their table). They are compared
//! apart from their objects: a changed comment is one `COMMENT ON`, and an
//! object created or recreated by a diff gets its comment set again.

use std::collections::{HashMap, HashSet};

use super::diff::{Change, CommentTarget};
use super::{QualifiedName, Schema};

/// Whether any object in `schema` carries a comment this module handles.
pub(super) fn any(schema: &Schema) -> bool {
    !schema.schema_comments.is_empty() || any_on_objects(schema)
}

/// Whether any object other than a schema carries a comment this module
/// handles. Schema comments alone need no stripped copy of the model:
/// nothing but this module reads them.
pub(super) fn any_on_objects(schema: &Schema) -> bool {
    schema.views.iter().any(|v| {
        v.comment.is_some()
            || v.indexes.iter().any(|i| i.comment.is_some())
            || v.triggers.iter().any(|t| t.comment.is_some())
            || !v.column_comments.is_empty()
    }) || schema.rules.iter().any(|r| r.comment.is_some())
        || schema.operators.iter().any(|o| o.comment.is_some())
        || schema.functions.iter().any(|f| f.comment.is_some())
        || schema.sequences.iter().any(|s| s.comment.is_some())
        || schema.enums.iter().any(|e| e.comment.is_some())
        || schema.composite_types.iter().any(|e| e.comment.is_some())
        || schema.range_types.iter().any(|e| e.comment.is_some())
        || schema.domains.iter().any(|d| d.comment.is_some())
        || schema
            .domains
            .iter()
            .any(|d| d.checks.iter().any(|c| c.comment.is_some()))
        || schema.extensions.iter().any(|e| e.comment.is_some())
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
        v.triggers.iter_mut().for_each(|t| t.comment = None);
        v.column_comments.clear();
    }
    s.rules.iter_mut().for_each(|r| r.comment = None);
    s.operators.iter_mut().for_each(|o| o.comment = None);
    s.functions.iter_mut().for_each(|f| f.comment = None);
    s.sequences.iter_mut().for_each(|x| x.comment = None);
    s.enums.iter_mut().for_each(|e| e.comment = None);
    s.composite_types.iter_mut().for_each(|e| e.comment = None);
    s.range_types.iter_mut().for_each(|e| e.comment = None);
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

/// Every commentable object of `schema` with its comment; only its
/// schemas unless `everything` (no other object on either side has one).
fn objects(schema: &Schema, everything: bool) -> Vec<(CommentTarget, Option<String>)> {
    if !everything {
        return schema_targets(schema);
    }
    let mut out = Vec::new();
    for v in &schema.views {
        out.push((
            CommentTarget::View {
                name: v.name.clone(),
                materialized: v.materialized,
            },
            v.comment.clone(),
        ));
        for t in &v.triggers {
            out.push((
                CommentTarget::Trigger {
                    table: v.name.clone(),
                    name: t.name.clone(),
                },
                t.comment.clone(),
            ));
        }
        for (column, comment) in &v.column_comments {
            out.push((
                CommentTarget::ViewColumn {
                    view: v.name.clone(),
                    column: column.clone(),
                },
                Some(comment.clone()),
            ));
        }
    }
    out.extend(operator_comments(schema));
    for r in &schema.rules {
        out.push((
            CommentTarget::Rule {
                relation: r.relation.clone(),
                name: r.name.clone(),
            },
            r.comment.clone(),
        ));
    }
    for f in &schema.functions {
        out.push((
            CommentTarget::Function {
                name: f.name.clone(),
                arguments: f.arguments.clone(),
                procedure: f.procedure,
                aggregate: f.aggregate,
            },
            f.comment.clone(),
        ));
    }
    for x in &schema.sequences {
        out.push((CommentTarget::Sequence(x.name.clone()), x.comment.clone()));
    }
    for e in &schema.composite_types {
        out.push((CommentTarget::Type(e.name.clone()), e.comment.clone()));
    }
    for e in &schema.range_types {
        out.push((CommentTarget::Type(e.name.clone()), e.comment.clone()));
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
    out.extend(schema_targets(schema));
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

/// The objects `changes` create anew (so their comments are gone), as the
/// targets `objects` names them. One pass over the changes: on a schema of
/// thousands of tables, pairing every target with every change is slow.
fn created(changes: &[Change]) -> HashSet<CommentTarget> {
    let mut out = HashSet::new();
    let index = |schema: &str, name: &str| {
        CommentTarget::Index(QualifiedName::new(schema.to_string(), name.to_string()))
    };
    let constraint = |table: &QualifiedName, name: &str| CommentTarget::Constraint {
        table: table.clone(),
        name: name.to_string(),
    };
    let domain_constraint = |domain: &QualifiedName, name: &str| CommentTarget::DomainConstraint {
        domain: domain.clone(),
        name: name.to_string(),
    };
    let function = |f: &super::Function| CommentTarget::Function {
        name: f.name.clone(),
        arguments: f.arguments.clone(),
        procedure: f.procedure,
        aggregate: f.aggregate,
    };
    for change in changes {
        match change {
            Change::CreateView(v) => {
                out.insert(CommentTarget::View {
                    name: v.name.clone(),
                    materialized: v.materialized,
                });
                out.extend(v.indexes.iter().map(|i| index(&v.name.schema, &i.name)));
                out.extend(v.triggers.iter().map(|t| CommentTarget::Trigger {
                    table: v.name.clone(),
                    name: t.name.clone(),
                }));
            }
            Change::CreateOperator(o) => {
                out.insert(operator(o));
            }
            Change::CreateRule(r) => {
                out.insert(CommentTarget::Rule {
                    relation: r.relation.clone(),
                    name: r.name.clone(),
                });
            }
            Change::CreateFunction(f) => {
                out.insert(function(f));
            }
            Change::ReplaceFunction { from, to }
                if from.result != to.result
                    || from.procedure != to.procedure
                    || from.aggregate != to.aggregate =>
            {
                out.insert(function(to));
            }
            Change::CreateSequence(x) => {
                out.insert(CommentTarget::Sequence(x.name.clone()));
            }
            Change::CreateCompositeType(e) | Change::ReplaceCompositeType { to: e, .. } => {
                out.insert(CommentTarget::Type(e.name.clone()));
            }
            Change::CreateRangeType(e) => {
                out.insert(CommentTarget::Type(e.name.clone()));
            }
            Change::CreateEnum(e) | Change::ReplaceEnum { to: e, .. } => {
                out.insert(CommentTarget::Type(e.name.clone()));
            }
            Change::CreateDomain(d) => {
                out.insert(CommentTarget::Domain(d.name.clone()));
                out.extend(d.checks.iter().map(|c| domain_constraint(&d.name, &c.name)));
            }
            Change::AlterDomain { from, to } => {
                let retyped = from.data_type != to.data_type;
                if retyped {
                    out.insert(CommentTarget::Domain(to.name.clone()));
                }
                for c in &to.checks {
                    if retyped || from.checks.iter().find(|o| o.name == c.name) != Some(c) {
                        out.insert(domain_constraint(&to.name, &c.name));
                    }
                }
            }
            Change::CreateIndex { table, index: i } => {
                out.insert(index(&table.schema, &i.name));
            }
            Change::RebuildTable { to, .. } => {
                out.extend(to.indexes.iter().map(|i| index(&to.name.schema, &i.name)));
            }
            Change::CreateTable(t) => {
                let names = t.primary_key.iter().map(|k| &k.name);
                let names = names
                    .chain(t.uniques.iter().map(|u| &u.name))
                    .chain(t.checks.iter().map(|c| &c.name))
                    .chain(t.foreign_keys.iter().map(|f| &f.name));
                out.extend(names.map(|n| constraint(&t.name, n)));
            }
            Change::AddPrimaryKey { table, key } => {
                out.insert(constraint(table, &key.name));
            }
            Change::AddUnique { table, unique } => {
                out.insert(constraint(table, &unique.name));
            }
            Change::AddCheck { table, check } => {
                out.insert(constraint(table, &check.name));
            }
            Change::AddForeignKey { table, fk, .. } => {
                out.insert(constraint(table, &fk.name));
            }
            Change::CreateTrigger { table, trigger } => {
                out.insert(CommentTarget::Trigger {
                    table: table.clone(),
                    name: trigger.name.clone(),
                });
            }
            Change::CreatePolicy { table, policy } => {
                out.insert(CommentTarget::Policy {
                    table: table.clone(),
                    name: policy.name.clone(),
                });
            }
            Change::CreateSchema(name) => {
                out.insert(CommentTarget::Schema(name.clone()));
            }
            Change::CreateExtension(e) => {
                out.insert(CommentTarget::Extension(e.name.clone()));
            }
            _ => {}
        }
    }
    out
}

/// The `COMMENT ON` changes that bring `from`'s comments to `to`'s, given
/// the object `changes` already computed. They run last: every object they
/// name exists by then.
pub(super) fn changes(from: &Schema, to: &Schema, changes: &[Change]) -> Vec<Change> {
    let everything = any_on_objects(from) || any_on_objects(to);
    let old: HashMap<CommentTarget, Option<String>> =
        objects(from, everything).into_iter().collect();
    let created = created(changes);
    let mut out = Vec::new();
    // A view column's comment is gone with its view. A view column only
    // `from` had a comment on is listed with `None`, to remove it.
    let view_created = |target: &CommentTarget| match target {
        CommentTarget::ViewColumn { view, .. } => {
            created.contains(&CommentTarget::View {
                name: view.clone(),
                materialized: false,
            }) || created.contains(&CommentTarget::View {
                name: view.clone(),
                materialized: true,
            })
        }
        _ => false,
    };
    let mut targets = objects(to, everything);
    let listed: HashSet<CommentTarget> = targets.iter().map(|(t, _)| t.clone()).collect();
    let kept_views: HashSet<&QualifiedName> = to.views.iter().map(|v| &v.name).collect();
    for (target, _) in objects(from, everything) {
        if let CommentTarget::ViewColumn { view, .. } = &target {
            if kept_views.contains(view) && !listed.contains(&target) {
                targets.push((target, None));
            }
        }
    }
    for (target, comment) in targets {
        let set = match old.get(&target) {
            Some(before) if !created.contains(&target) && !view_created(&target) => {
                *before != comment
            }
            _ => comment.is_some(),
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

/// The schemas of `schema` with their comments.
fn schema_targets(schema: &Schema) -> Vec<(CommentTarget, Option<String>)> {
    // `public` is not in `schemas` but its comment is modelled.
    let public = String::from("public");
    let mut schema_names: Vec<&String> = schema.schemas.iter().collect();
    if !schema.schemas.contains(&public) {
        schema_names.push(&public);
    }
    schema_names
        .into_iter()
        .map(|name| {
            (
                CommentTarget::Schema(name.clone()),
                schema.schema_comments.get(name).cloned(),
            )
        })
        .collect()
}

/// The comments of the operators, by target.
fn operator_comments(schema: &Schema) -> Vec<(CommentTarget, Option<String>)> {
    let targets = schema
        .operators
        .iter()
        .map(|o| (operator(o), o.comment.clone()));
    targets.collect()
}

/// The comment target of an operator.
fn operator(o: &super::Operator) -> CommentTarget {
    CommentTarget::Operator {
        name: o.name.clone(),
        left: o.left.clone(),
        right: o.right.clone(),
    }
}
