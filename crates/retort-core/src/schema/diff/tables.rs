//! Tables: created whole (their indexes, foreign keys, triggers and
//! policies in later phases), dropped whole, or changed part by part.

use std::borrow::Cow;
use std::collections::HashMap;

use super::inherit;
use super::order::Phases;
use super::Change;
use crate::schema::{CheckConstraint, Column, ForeignKey, Index, QualifiedName, Schema, Table};

/// Tables that go, come or change.
pub(super) fn tables(from: &Schema, to: &Schema, p: &mut Phases) {
    // Tables by name: schemas with thousands of tables must not be compared
    // pairwise.
    let old_tables: HashMap<&QualifiedName, &Table> =
        from.tables.iter().map(|t| (&t.name, t)).collect();
    let new_tables: HashMap<&QualifiedName, &Table> =
        to.tables.iter().map(|t| (&t.name, t)).collect();
    for t in &from.tables {
        if !new_tables.contains_key(&t.name) {
            for fk in &t.foreign_keys {
                p.drop_fks.push(Change::DropForeignKey {
                    table: t.name.clone(),
                    fk: fk.clone(),
                    table_dropped: true,
                });
            }
            p.drop_tables.push(Change::DropTable(t.clone()));
        }
    }
    inherit::order_tables(&mut p.drop_tables, from, true);
    for t in &to.tables {
        let old = old_tables.get(&t.name).copied();
        if let Some(why) = unsupported(old, t) {
            p.columns.push(Change::CannotApply {
                what: format!(
                    "{} table {}",
                    if old.is_some() { "change" } else { "create" },
                    describe(&t.name)
                ),
                why: format!("autogenerate does not support this table ({why})"),
            });
            continue;
        }
        match old {
            None => new_table(t, to, p),
            Some(old) => table_changes(old, t, (from, to), p),
        }
    }
    inherit::order_tables(&mut p.create_children, to, false);
    inherit::order_tables(&mut p.child_columns, to, false);
}

/// Why a table that is created or changes cannot be diffed (one side is
/// a table retort cannot model exactly); `None` when it can, or when it
/// does not change.
fn unsupported<'a>(old: Option<&'a Table>, new: &'a Table) -> Option<&'a str> {
    let why = new
        .unsupported
        .as_deref()
        .or_else(|| old.and_then(|o| o.unsupported.as_deref()))?;
    (old != Some(new)).then_some(why)
}

/// `schema.name`, or `name` when it has no schema.
fn describe(name: &QualifiedName) -> String {
    if name.schema.is_empty() {
        name.name.clone()
    } else {
        format!("{}.{}", name.schema, name.name)
    }
}

/// A new table: `CREATE TABLE` with its columns and keys, then the rest in
/// the phases that need every table to exist.
fn new_table(t: &Table, to: &Schema, p: &mut Phases) {
    let name = &t.name;
    let mut bare = t.clone();
    bare.indexes.clear();
    // A `NOT VALID` check cannot be declared inside `CREATE TABLE`.
    bare.checks.retain(|c| !c.not_valid);
    // A partition or inheriting table comes after its parents (and their
    // new columns); what follows its creation comes after it.
    let child = t.parents().next().is_some();
    if child {
        p.create_children.push(Change::CreateTable(bare));
        inherit::new_child_columns(t, to, p);
    } else {
        p.create_tables.push(Change::CreateTable(bare));
    }
    let after_create = if child {
        &mut p.child_columns
    } else {
        &mut p.columns
    };
    p.add_constraints
        .extend(
            t.checks
                .iter()
                .filter(|c| c.not_valid)
                .map(|check| Change::AddCheck {
                    table: name.clone(),
                    check: check.clone(),
                }),
        );
    if t.comment.is_some() {
        after_create.push(Change::SetTableComment {
            table: name.clone(),
            comment: t.comment.clone(),
        });
    }
    p.add_constraints
        .extend(t.indexes.iter().map(|index| Change::CreateIndex {
            table: name.clone(),
            index: index.clone(),
        }));
    if t.distribution.is_some() {
        p.distribute.push(Change::SetDistribution {
            table: name.clone(),
            distribution: (None, t.distribution.clone()),
        });
    }
    p.add_fks
        .extend(t.foreign_keys.iter().map(|fk| Change::AddForeignKey {
            table: name.clone(),
            fk: fk.clone(),
            new_table: true,
        }));
    p.create_triggers
        .extend(t.triggers.iter().map(|trigger| Change::CreateTrigger {
            table: name.clone(),
            trigger: trigger.clone(),
        }));
    if t.row_security || t.force_row_security {
        after_create.push(Change::SetRowSecurity {
            table: name.clone(),
            enabled: (false, t.row_security),
            forced: (false, t.force_row_security),
        });
    }
    p.create_triggers
        .extend(t.policies.iter().map(|policy| Change::CreatePolicy {
            table: name.clone(),
            policy: policy.clone(),
        }));
}

/// Changes of one table that exists on both sides.
fn table_changes(old: &Table, new: &Table, schemas: (&Schema, &Schema), p: &mut Phases) {
    let name = &new.name;
    // A detached partition keeps what it had from its parent; a table
    // attached to a parent needs the parent's checks first.
    let mut left = inherit::as_left(old, new, schemas.0);
    let mut right = std::borrow::Cow::Borrowed(new);
    for check in inherit::required_checks(old, new, schemas.1) {
        if !left.checks.contains(&check) {
            p.attach.push(Change::AddCheck {
                table: name.clone(),
                check: check.clone(),
            });
            left.to_mut().checks.push(check.clone());
        }
        right.to_mut().checks.push(check);
    }
    let (old, new) = (left.as_ref(), right.as_ref());
    inherit::relations(old, new, p);
    if (old.autoincrement, old.without_rowid, old.strict)
        != (new.autoincrement, new.without_rowid, new.strict)
    {
        p.columns.push(Change::SetTableOptions {
            table: name.clone(),
        });
    }
    if (old.unlogged, &old.storage_options) != (new.unlogged, &new.storage_options) {
        p.columns.push(Change::SetTableStorage {
            table: name.clone(),
            unlogged: (old.unlogged, new.unlogged),
            options: (old.storage_options.clone(), new.storage_options.clone()),
        });
    }
    if old.distribution != new.distribution {
        p.distribute.push(Change::SetDistribution {
            table: name.clone(),
            distribution: (old.distribution.clone(), new.distribution.clone()),
        });
    }
    if old.comment != new.comment {
        p.columns.push(Change::SetTableComment {
            table: name.clone(),
            comment: new.comment.clone(),
        });
    }
    columns(old, new, schemas, p);
    keys_and_indexes(old, new, p);
    let (old_fks, new_fks) = validated(
        name,
        &old.foreign_keys,
        &new.foreign_keys,
        |fk| fk.not_valid,
        |fk| ForeignKey {
            not_valid: false,
            ..fk.clone()
        },
        |fk| &fk.name,
        &mut p.add_fks,
    );
    pair(
        &old_fks,
        &new_fks,
        (&mut p.drop_fks, &mut p.add_fks),
        |fk| Change::DropForeignKey {
            table: name.clone(),
            fk: fk.clone(),
            table_dropped: false,
        },
        |fk| Change::AddForeignKey {
            table: name.clone(),
            fk: fk.clone(),
            new_table: false,
        },
    );
    pair(
        &old.triggers,
        &new.triggers,
        (&mut p.drop_views, &mut p.create_triggers),
        |t| Change::DropTrigger {
            table: name.clone(),
            trigger: t.clone(),
        },
        |t| Change::CreateTrigger {
            table: name.clone(),
            trigger: t.clone(),
        },
    );
    if (old.row_security, old.force_row_security) != (new.row_security, new.force_row_security) {
        p.columns.push(Change::SetRowSecurity {
            table: name.clone(),
            enabled: (old.row_security, new.row_security),
            forced: (old.force_row_security, new.force_row_security),
        });
    }
    pair(
        &old.policies,
        &new.policies,
        (&mut p.drop_fks, &mut p.create_triggers),
        |x| Change::DropPolicy {
            table: name.clone(),
            policy: x.clone(),
        },
        |x| Change::CreatePolicy {
            table: name.clone(),
            policy: x.clone(),
        },
    );
}

/// Columns added, altered or dropped (matched by name). A column a table
/// inherits from the same parent before and after changes with that
/// parent: only what differs from what the parent passes on is written.
fn columns(old: &Table, new: &Table, (from, to): (&Schema, &Schema), p: &mut Phases) {
    // The common case, without a map per table: nothing changed, and no
    // column comes from a parent whose changes could reach it.
    if old.columns == new.columns && !new.columns.iter().any(|c| c.inherited) {
        return;
    }
    let name = &new.name;
    let before: HashMap<&str, _> = old.columns.iter().map(|c| (c.name.as_str(), c)).collect();
    let after: HashMap<&str, _> = new.columns.iter().map(|c| (c.name.as_str(), c)).collect();
    let from_parent = |c: &Column| c.inherited && inherit::shares_parent(old, new);
    for c in &new.columns {
        // What the column is once the parents' changes have reached it.
        let reached: Cow<'_, Column> = match before.get(c.name.as_str()) {
            None if from_parent(c) => match inherit::parent_column(to, new, &c.name) {
                Some(parent) => Cow::Owned(inherit::as_copied(parent, c, None)),
                None => continue,
            },
            None => {
                p.columns.push(Change::AddColumn {
                    table: name.clone(),
                    column: c.clone(),
                    position: None,
                });
                continue;
            }
            Some(o) if from_parent(c) => Cow::Owned(inherit::propagated(
                o,
                &inherit::ancestry((from, to), (old, new), &c.name),
            )),
            Some(o) => Cow::Borrowed(*o),
        };
        if !inherit::same_column(&reached, c) {
            // After the parent's own change, which would undo it.
            let phase = if from_parent(c) {
                &mut p.child_columns
            } else {
                &mut p.columns
            };
            phase.push(Change::AlterColumn {
                table: name.clone(),
                from: reached.into_owned(),
                to: c.clone(),
                cast_through_text: false,
            });
        }
    }
    for c in old
        .columns
        .iter()
        .filter(|c| !after.contains_key(c.name.as_str()))
        // A parent's dropped column goes from its children with it.
        .filter(|c| !(c.inherited && inherit::shares_parent(old, new)))
    {
        p.columns.push(Change::DropColumn {
            table: name.clone(),
            column: c.clone(),
        });
    }
}

/// The primary key, uniques, checks and indexes.
fn keys_and_indexes(old: &Table, new: &Table, p: &mut Phases) {
    let name = &new.name;
    if old.primary_key != new.primary_key {
        if let Some(key) = &old.primary_key {
            p.drop_constraints.push(Change::DropPrimaryKey {
                table: name.clone(),
                key: key.clone(),
            });
        }
        if let Some(key) = &new.primary_key {
            p.add_constraints.push(Change::AddPrimaryKey {
                table: name.clone(),
                key: key.clone(),
            });
        }
    }
    pair(
        &old.uniques,
        &new.uniques,
        (&mut p.drop_constraints, &mut p.add_constraints),
        |u| Change::DropUnique {
            table: name.clone(),
            unique: u.clone(),
        },
        |u| Change::AddUnique {
            table: name.clone(),
            unique: u.clone(),
        },
    );
    let (old_checks, new_checks) = validated(
        name,
        &old.checks,
        &new.checks,
        |c| c.not_valid,
        |c| CheckConstraint {
            not_valid: false,
            ..c.clone()
        },
        |c| &c.name,
        &mut p.add_constraints,
    );
    pair(
        &old_checks,
        &new_checks,
        (&mut p.drop_constraints, &mut p.add_constraints),
        |c| Change::DropCheck {
            table: name.clone(),
            check: c.clone(),
        },
        |c| Change::AddCheck {
            table: name.clone(),
            check: c.clone(),
        },
    );
    pair(
        &old.exclusions,
        &new.exclusions,
        (&mut p.drop_constraints, &mut p.add_constraints),
        |x| Change::DropExclusion {
            table: name.clone(),
            exclusion: x.clone(),
        },
        |x| Change::AddExclusion {
            table: name.clone(),
            exclusion: x.clone(),
        },
    );
    indexes(name, &old.indexes, &new.indexes, p);
}

/// Indexes compared whole, but for their statistics targets: an index
/// whose only change is a target keeps it and gets `SET STATISTICS`.
fn indexes(name: &QualifiedName, old: &[Index], new: &[Index], p: &mut Phases) {
    let same = |a: &Index, b: &Index| a.same_but_statistics(b);
    for o in old.iter().filter(|o| !new.iter().any(|n| same(o, n))) {
        p.drop_constraints.push(Change::DropIndex {
            table: name.clone(),
            index: o.clone(),
        });
    }
    for n in new {
        let Some(o) = old.iter().find(|o| same(o, n)) else {
            p.add_constraints.push(Change::CreateIndex {
                table: name.clone(),
                index: n.clone(),
            });
            continue;
        };
        p.add_constraints.extend(statistics(name, o, n));
    }
}

/// `SET STATISTICS` for each column whose target differs from `o` to `n`
/// (the same index on `table`, or a materialized view).
pub(super) fn statistics(table: &QualifiedName, o: &Index, n: &Index) -> Vec<Change> {
    let target = |i: &Index, column: i32| {
        i.statistics
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, t)| *t)
    };
    let mut columns: Vec<i32> = o
        .statistics
        .iter()
        .chain(&n.statistics)
        .map(|(c, _)| *c)
        .collect();
    columns.sort_unstable();
    columns.dedup();
    columns
        .into_iter()
        .filter(|c| target(o, *c) != target(n, *c))
        .map(|column| Change::SetIndexStatistics {
            table: table.clone(),
            index: n.name.clone(),
            column,
            target: target(n, column),
        })
        .collect()
}

/// Constraints that were `NOT VALID` and are now valid, otherwise the
/// same: `VALIDATE CONSTRAINT` (pushed to `validations`) rather than a drop
/// and an add. Returns the old and new lists without them, for [`pair`].
fn validated<T: PartialEq + Clone>(
    table: &QualifiedName,
    old: &[T],
    new: &[T],
    not_valid: impl Fn(&T) -> bool,
    as_valid: impl Fn(&T) -> T,
    name: impl Fn(&T) -> &String,
    validations: &mut Vec<Change>,
) -> (Vec<T>, Vec<T>) {
    let is_validated = |n: &T| {
        !not_valid(n) && !old.contains(n) && old.iter().any(|o| not_valid(o) && as_valid(o) == *n)
    };
    let mut kept_new = Vec::new();
    let mut gone = Vec::new();
    for n in new {
        if is_validated(n) {
            validations.push(Change::ValidateConstraint {
                table: table.clone(),
                name: name(n).clone(),
            });
            gone.push(n.clone());
        } else {
            kept_new.push(n.clone());
        }
    }
    let kept_old = old
        .iter()
        .filter(|o| !(not_valid(o) && gone.contains(&as_valid(o))))
        .cloned()
        .collect();
    (kept_old, kept_new)
}

/// Constraints and indexes are compared whole (SQLite leaves many of them
/// unnamed): what is only in `old` is dropped, what is only in `new` is
/// added, so a changed one is dropped and added again.
fn pair<T: PartialEq>(
    old: &[T],
    new: &[T],
    (drops, adds): (&mut Vec<Change>, &mut Vec<Change>),
    drop: impl Fn(&T) -> Change,
    add: impl Fn(&T) -> Change,
) {
    drops.extend(old.iter().filter(|o| !new.contains(o)).map(&drop));
    adds.extend(new.iter().filter(|n| !old.contains(n)).map(&add));
}
