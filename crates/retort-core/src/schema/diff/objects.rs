//! Objects other than tables: schemas and extensions, views, enums,
//! domains, sequences, functions and virtual tables.

use std::collections::HashMap;

use super::order::Phases;
use super::{matched, recreated, Change};
use crate::schema::{
    CompositeType, EnumType, Extension, Function, Operator, QualifiedName, Schema, View,
};

/// Schemas and extensions come before everything that lives in them and go
/// after it.
pub(super) fn schemas_and_extensions(from: &Schema, to: &Schema, p: &mut Phases) {
    for s in &to.schemas {
        if !from.schemas.contains(s) {
            p.create_schemas.push(Change::CreateSchema(s.clone()));
        }
    }
    let (extensions, gone) = matched(&from.extensions, &to.extensions);
    for (e, old) in extensions {
        match old {
            None => p.create_schemas.push(Change::CreateExtension(e.clone())),
            Some(o) if version_lower(&e.version, &o.version) => {
                // No statement lowers an extension's version: say so, and
                // still move it if its schema changes.
                p.create_schemas.push(Change::CannotApply {
                    what: format!(
                        "downgrade extension {} from {} to {}",
                        e.name, o.version, e.version
                    ),
                    why: "PostgreSQL has no statement to lower an extension's version \
                          (ALTER EXTENSION … UPDATE TO only follows the upgrade scripts the extension ships)"
                        .to_string(),
                });
                if o.schema != e.schema {
                    p.create_schemas.push(Change::AlterExtension {
                        from: o.clone(),
                        to: Extension {
                            version: o.version.clone(),
                            ..e.clone()
                        },
                    });
                }
            }
            Some(o) if o != e => p.create_schemas.push(Change::AlterExtension {
                from: o.clone(),
                to: e.clone(),
            }),
            Some(_) => {}
        }
    }
    for e in gone {
        p.drop_schemas.push(Change::DropExtension(e.clone()));
    }
    for s in &from.schemas {
        if !to.schemas.contains(s) {
            p.drop_schemas.push(Change::DropSchema(s.clone()));
        }
    }
}

/// Whether version `a` is lower than `b`, comparing dot-separated parts as
/// numbers where both are numbers (`1.10` > `1.9`), else as text.
fn version_lower(a: &str, b: &str) -> bool {
    let parts = |v: &str| -> Vec<(u64, String)> {
        v.split(['.', '-'])
            .map(|p| (p.parse().unwrap_or(u64::MAX), p.to_string()))
            .collect()
    };
    parts(a) < parts(b)
}

/// Views depend on tables: every view that changes or goes is dropped
/// first, new and changed ones are created last (with their triggers). A
/// view that stays gets its triggers dropped and created one by one.
pub(super) fn views(from: &Schema, to: &Schema, p: &mut Phases) {
    let bare = |views: &[View]| -> Vec<View> {
        views
            .iter()
            .map(|v| View {
                triggers: Vec::new(),
                indexes: v.indexes.iter().map(|i| i.without_statistics()).collect(),
                ..v.clone()
            })
            .collect()
    };
    let (old, new) = (bare(&from.views), bare(&to.views));
    let (drops, creates) = recreated(&old, &new);
    let full =
        |views: &[View], name: &QualifiedName| views.iter().find(|v| &v.name == name).cloned();
    p.drop_views.extend(
        drops
            .iter()
            .filter_map(|v| full(&from.views, &v.name))
            .map(Change::DropView),
    );
    p.create_views.extend(
        creates
            .iter()
            .filter_map(|v| full(&to.views, &v.name))
            .map(Change::CreateView),
    );
    let (pairs, _) = matched(&from.views, &to.views);
    for (v, o) in pairs {
        let Some(o) = o else { continue };
        if drops.iter().any(|d| d.name == v.name) {
            continue;
        }
        for i in &v.indexes {
            if let Some(old_index) = o.indexes.iter().find(|x| x.name == i.name) {
                p.add_constraints
                    .extend(super::tables::statistics(&v.name, old_index, i));
            }
        }
        for t in o.triggers.iter().filter(|t| !v.triggers.contains(t)) {
            p.drop_views.push(Change::DropTrigger {
                table: v.name.clone(),
                trigger: t.clone(),
            });
        }
        for t in v.triggers.iter().filter(|t| !o.triggers.contains(t)) {
            p.create_triggers.push(Change::CreateTrigger {
                table: v.name.clone(),
                trigger: t.clone(),
            });
        }
    }
}

/// Rules by (relation, name), compared whole: dropped with the triggers
/// (before the tables they are on are dropped), created with them (once
/// every table and view they name exists).
pub(super) fn rules(from: &Schema, to: &Schema, p: &mut Phases) {
    for r in from.rules.iter().filter(|r| !to.rules.contains(r)) {
        p.drop_views.push(Change::DropRule(r.clone()));
    }
    for r in to.rules.iter().filter(|r| !from.rules.contains(r)) {
        p.create_triggers.push(Change::CreateRule(r.clone()));
    }
}

/// Collations come before the domains and tables that use them and go
/// after them. There is no `ALTER` for a collation's locale: a changed one
/// is dropped and created again (which fails, clearly, while columns use
/// it).
pub(super) fn collations(from: &Schema, to: &Schema, p: &mut Phases) {
    let (drops, creates) = recreated(&from.collations, &to.collations);
    for c in drops {
        if to.collations.iter().any(|n| n.name == c.name) {
            p.create_types.push(Change::DropCollation(c.clone()));
        } else {
            p.drop_types.push(Change::DropCollation(c.clone()));
        }
    }
    p.create_types.extend(
        creates
            .into_iter()
            .map(|c| Change::CreateCollation(c.clone())),
    );
}

/// Range types come after the enums and domains their subtype may be, and
/// before the composite types, functions and tables that use them (and go
/// after them); a changed one is dropped and created again.
pub(super) fn range_types(from: &Schema, to: &Schema, p: &mut Phases) {
    let (drops, creates) = recreated(&from.range_types, &to.range_types);
    for r in drops {
        if to.range_types.iter().any(|n| n.name == r.name) {
            p.create_types.push(Change::DropRangeType(r.clone()));
        } else {
            // After the composite types that use it, before the domains
            // its subtype may be.
            p.drop_domains.insert(0, Change::DropRangeType(r.clone()));
        }
    }
    p.create_types.extend(
        creates
            .into_iter()
            .map(|r| Change::CreateRangeType(r.clone())),
    );
}

/// Composite types: created before the functions and tables that use them
/// (each after the composite types its attributes name), altered attribute
/// by attribute where `ALTER TYPE` can, replaced otherwise, dropped once no
/// function or column uses them (each before the ones it names).
pub(super) fn composite_types(from: &Schema, to: &Schema, p: &mut Phases) {
    let (pairs, gone) = matched(&from.composite_types, &to.composite_types);
    let mut new = Vec::new();
    for (c, old) in pairs {
        match old {
            None => new.push(c),
            Some(o) if o == c => {}
            Some(o) if alterable(o, c) => p.create_types.push(Change::AlterCompositeType {
                from: o.clone(),
                to: c.clone(),
            }),
            Some(o) => p.create_types.push(Change::ReplaceCompositeType {
                from: o.clone(),
                to: c.clone(),
            }),
        }
    }
    p.create_types.extend(
        by_dependency(new)
            .into_iter()
            .map(|c| Change::CreateCompositeType(c.clone())),
    );
    let mut drops = by_dependency(gone);
    drops.reverse();
    p.drop_composites.extend(
        drops
            .into_iter()
            .map(|c| Change::DropCompositeType(c.clone())),
    );
}

/// Whether `ALTER TYPE` turns `from` into `to`: the attributes that stay
/// keep their order, and the new ones come last.
fn alterable(from: &CompositeType, to: &CompositeType) -> bool {
    let kept: Vec<&str> = from
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .filter(|n| to.attributes.iter().any(|b| b.name == *n))
        .collect();
    let added = to
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .filter(|n| !from.attributes.iter().any(|b| b.name == *n));
    let order: Vec<&str> = kept.iter().copied().chain(added).collect();
    order
        == to
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
}

/// Composite types, each after the others (of `types`) its attributes name.
fn by_dependency(mut types: Vec<&CompositeType>) -> Vec<&CompositeType> {
    let mut out: Vec<&CompositeType> = Vec::new();
    while !types.is_empty() {
        let ready = |c: &CompositeType, pending: &[&CompositeType]| {
            !c.attributes.iter().any(|a| {
                pending.iter().any(|o| {
                    o.name != c.name && names_type(&o.name, a.data_type.trim_end_matches("[]"))
                })
            })
        };
        let i = (0..types.len())
            .find(|&i| ready(types[i], &types))
            .unwrap_or(0);
        out.push(types.remove(i));
    }
    out
}

/// New labels are appended; removing or reordering labels replaces the
/// type (rename the old away, create the new, convert the columns, drop the
/// old).
pub(super) fn enums(from: &Schema, to: &Schema, p: &mut Phases) {
    let (enums, gone) = matched(&from.enums, &to.enums);
    for (e, old) in enums {
        match old {
            None => p.create_types.push(Change::CreateEnum(e.clone())),
            Some(old) if e.values.starts_with(&old.values) => {
                for value in &e.values[old.values.len()..] {
                    p.create_types.push(Change::AddEnumValue {
                        name: e.name.clone(),
                        value: value.clone(),
                    });
                }
            }
            Some(old) => p.replace_types.push(Change::ReplaceEnum {
                from: old.clone(),
                to: e.clone(),
                columns: enum_columns(to, e),
            }),
        }
    }
    for e in gone {
        p.drop_types.push(Change::DropEnum(e.clone()));
    }
}

/// Domains: created with the types, dropped once no column uses them.
pub(super) fn domains(from: &Schema, to: &Schema, p: &mut Phases) {
    let (domains, gone) = matched(&from.domains, &to.domains);
    for (d, old) in domains {
        match old {
            None => p.create_types.push(Change::CreateDomain(d.clone())),
            Some(o) if o != d => p.create_types.push(Change::AlterDomain {
                from: o.clone(),
                to: d.clone(),
            }),
            Some(_) => {}
        }
    }
    for d in gone {
        p.drop_domains.push(Change::DropDomain(d.clone()));
    }
}

/// A sequence is created before the tables whose defaults call it; its
/// owner is set once the owning table exists.
pub(super) fn sequences(from: &Schema, to: &Schema, p: &mut Phases) {
    let (sequences, gone) = matched(&from.sequences, &to.sequences);
    for (s, old) in sequences {
        match old {
            Some(old) if old == s => {}
            Some(old)
                if (&old.data_type, old.start, old.increment)
                    == (&s.data_type, s.start, s.increment)
                    && (old.min_value, old.max_value, old.cache, old.cycle)
                        == (s.min_value, s.max_value, s.cache, s.cycle) => {}
            Some(old) => p.create_types.push(Change::AlterSequence {
                from: old.clone(),
                to: s.clone(),
            }),
            None => p.create_types.push(Change::CreateSequence(s.clone())),
        }
        let old_owner = old.and_then(|o| o.owned_by.as_ref());
        if old_owner != s.owned_by.as_ref() {
            // Dropping the old owning column would drop the sequence: let
            // go of it first; take the new owner once it exists.
            if old_owner.is_some() {
                p.drop_fks.push(Change::SetSequenceOwner {
                    sequence: s.name.clone(),
                    owner: None,
                });
            }
            if s.owned_by.is_some() {
                p.add_fks.push(Change::SetSequenceOwner {
                    sequence: s.name.clone(),
                    owner: s.owned_by.clone(),
                });
            }
        }
    }
    for s in gone {
        p.drop_types.push(Change::DropSequence(s.clone()));
    }
}

/// A virtual table's arguments are its definition: any change recreates
/// it. Dropped with the views (before the tables an external-content index
/// reads), created once every ordinary table exists.
pub(super) fn virtual_tables(from: &Schema, to: &Schema, p: &mut Phases) {
    let (drops, creates) = recreated(&from.virtual_tables, &to.virtual_tables);
    p.drop_views.extend(
        drops
            .into_iter()
            .map(|v| Change::DropVirtualTable(v.clone())),
    );
    p.add_fks.extend(
        creates
            .into_iter()
            .map(|v| Change::CreateVirtualTable(v.clone())),
    );
}

/// Functions by (name, arguments): created or replaced before the tables
/// (defaults and checks may call them), dropped last.
pub(super) fn functions(from: &Schema, to: &Schema, p: &mut Phases) {
    let key = |f: &Function| (f.name.clone(), f.arguments.clone());
    let old: HashMap<_, &Function> = from.functions.iter().map(|f| (key(f), f)).collect();
    let new: HashMap<_, &Function> = to.functions.iter().map(|f| (key(f), f)).collect();
    // A function whose signature names a table's or view's row type needs
    // that relation to exist, and keeps it from being dropped.
    // Aggregates come after the functions they call, and go before them.
    let creates = to.functions.iter().filter(|f| !f.aggregate);
    for f in creates.chain(to.functions.iter().filter(|f| f.aggregate)) {
        let create = if f.uses_row_type {
            &mut p.create_row_routines
        } else {
            &mut p.create_types
        };
        match old.get(&key(f)) {
            None => create.push(Change::CreateFunction(f.clone())),
            Some(o) if *o != f => create.push(Change::ReplaceFunction {
                from: (*o).clone(),
                to: f.clone(),
            }),
            Some(_) => {}
        }
    }
    let drops = from.functions.iter().filter(|f| f.aggregate);
    for f in drops.chain(from.functions.iter().filter(|f| !f.aggregate)) {
        if !new.contains_key(&key(f)) {
            let drop = if f.uses_row_type {
                &mut p.drop_row_routines
            } else {
                &mut p.drop_routines
            };
            drop.push(Change::DropFunction(f.clone()));
        }
    }
}

/// Operators come after the functions they call (and before the tables
/// whose indexes, checks and defaults may use them), and go after what
/// used them and before their functions. Only the estimators can be
/// changed in place (`ALTER OPERATOR … SET`); any other change drops the
/// operator and creates it again, next to the functions.
pub(super) fn operators(from: &Schema, to: &Schema, p: &mut Phases) {
    let old: HashMap<_, &Operator> = from.operators.iter().map(|o| (o.key(), o)).collect();
    let new: HashMap<_, &Operator> = to.operators.iter().map(|o| (o.key(), o)).collect();
    let gone = from
        .operators
        .iter()
        .filter(|o| !new.contains_key(&o.key()));
    let drops: Vec<Change> = gone.map(|o| Change::DropOperator(o.clone())).collect();
    p.drop_routines.splice(0..0, drops);
    for n in &to.operators {
        match old.get(&n.key()) {
            None => p.create_types.push(Change::CreateOperator(n.clone())),
            Some(o) if *o == n => {}
            Some(o) => {
                let estimators_only = Operator {
                    restrict: n.restrict.clone(),
                    join: n.join.clone(),
                    ..(*o).clone()
                } == *n;
                if estimators_only {
                    p.create_types.push(Change::AlterOperator {
                        from: (*o).clone(),
                        to: n.clone(),
                    });
                } else {
                    p.create_types.push(Change::DropOperator((*o).clone()));
                    p.create_types.push(Change::CreateOperator(n.clone()));
                }
            }
        }
    }
}

/// A column whose old type is an enum (or an array of one) and changes type
/// is converted through text: there is no cast from one enum to another.
pub(super) fn enum_casts(from: &Schema, p: &mut Phases) {
    for c in &mut p.columns {
        if let Change::AlterColumn {
            from: old,
            to: new,
            cast_through_text,
            ..
        } = c
        {
            if old.data_type != new.data_type {
                let base = old.data_type.trim_end_matches("[]");
                *cast_through_text = from.enums.iter().any(|e| names_type(&e.name, base));
            }
        }
    }
}

/// Whether the type spelled `data_type` (as the catalog prints it: bare when
/// visible, else qualified; quoted where needed) is the type `name`.
fn names_type(name: &QualifiedName, data_type: &str) -> bool {
    let unquote = |s: &str| s.trim_matches('"').replace("\"\"", "\"");
    let bare = unquote(data_type);
    if bare == name.name {
        return true;
    }
    match data_type
        .split_once("\".\"")
        .or_else(|| data_type.split_once('.'))
    {
        Some((schema, type_name)) => {
            unquote(schema) == name.schema && unquote(type_name) == name.name
        }
        None => false,
    }
}

/// The columns of `schema` whose type is the enum `e`.
fn enum_columns(schema: &Schema, e: &EnumType) -> Vec<(QualifiedName, String, Option<String>)> {
    let bare = e.name.name.as_str();
    let qualified = format!("{}.{}", e.name.schema, e.name.name);
    schema
        .tables
        .iter()
        .flat_map(|t| t.columns.iter().map(move |c| (t, c)))
        .filter(|(_, c)| c.data_type == bare || c.data_type == qualified)
        .map(|(t, c)| (t.name.clone(), c.name.clone(), c.default.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::diff;
    use super::*;
    use crate::schema::{Index, Table};

    fn op(function: &str, restrict: Option<&str>) -> Operator {
        Operator {
            name: QualifiedName::new("public", "~<<"),
            left: Some("text".into()),
            right: Some("text".into()),
            function: function.into(),
            restrict: restrict.map(str::to_string),
            ..Operator::default()
        }
    }

    fn with_operators(operators: Vec<Operator>) -> Schema {
        Schema {
            operators,
            ..Schema::default()
        }
    }

    #[test]
    fn new_estimators_alter_the_operator_other_changes_recreate_it() {
        let before = with_operators(vec![op("f", None)]);
        let estimators = with_operators(vec![op("f", Some("eqsel"))]);
        assert!(matches!(
            diff(&before, &estimators).as_slice(),
            [Change::AlterOperator { .. }]
        ));
        let function = with_operators(vec![op("g", None)]);
        assert!(matches!(
            diff(&before, &function).as_slice(),
            [Change::DropOperator(_), Change::CreateOperator(o)] if o.function == "g"
        ));
        assert!(matches!(
            diff(&before, &Schema::default()).as_slice(),
            [Change::DropOperator(_)]
        ));
    }

    #[test]
    fn a_changed_statistics_target_alters_the_index() {
        let table = |target: Option<i32>| Schema {
            tables: vec![Table {
                name: QualifiedName::new("public", "posts"),
                indexes: vec![Index {
                    name: "posts_tags".into(),
                    parts: vec!["lower(tags)".into()],
                    statistics: target.map(|t| (1, t)).into_iter().collect(),
                    ..Index::default()
                }],
                ..Table::default()
            }],
            ..Schema::default()
        };
        let changes = diff(&table(Some(3000)), &table(None));
        assert!(matches!(
            changes.as_slice(),
            [Change::SetIndexStatistics {
                column: 1,
                target: None,
                ..
            }]
        ));
        assert!(diff(&table(Some(10)), &table(Some(10))).is_empty());
    }
}
