//! The phases changes run in, and the order of views among themselves.

use std::collections::{HashMap, HashSet};

use super::Change;
use crate::schema::{QualifiedName, Schema};

/// Changes grouped by the phase they run in.
#[derive(Default)]
pub(super) struct Phases {
    pub(super) drop_row_routines: Vec<Change>,
    pub(super) drop_views: Vec<Change>,
    /// `DETACH PARTITION` and `NO INHERIT`, before anything the parent
    /// loses would reach the table.
    pub(super) detach: Vec<Change>,
    pub(super) drop_fks: Vec<Change>,
    pub(super) drop_constraints: Vec<Change>,
    pub(super) drop_tables: Vec<Change>,
    pub(super) create_schemas: Vec<Change>,
    pub(super) create_types: Vec<Change>,
    pub(super) create_tables: Vec<Change>,
    pub(super) columns: Vec<Change>,
    /// Partitions and inheriting tables, once their parents have their
    /// new columns.
    pub(super) create_children: Vec<Change>,
    /// `ATTACH PARTITION` and `INHERIT`.
    pub(super) attach: Vec<Change>,
    /// What comes after a new child exists (its own column settings,
    /// comment, row security).
    pub(super) child_columns: Vec<Change>,
    pub(super) drop_routines: Vec<Change>,
    pub(super) drop_composites: Vec<Change>,
    pub(super) drop_domains: Vec<Change>,
    pub(super) replace_types: Vec<Change>,
    pub(super) add_constraints: Vec<Change>,
    /// Citus distribution: once every table and index exists, before
    /// the foreign keys (which Citus checks against the distribution).
    pub(super) distribute: Vec<Change>,
    pub(super) add_fks: Vec<Change>,
    pub(super) create_views: Vec<Change>,
    pub(super) create_row_routines: Vec<Change>,
    pub(super) create_triggers: Vec<Change>,
    pub(super) drop_types: Vec<Change>,
    pub(super) drop_schemas: Vec<Change>,
}

impl Phases {
    pub(super) fn into_changes(mut self) -> Vec<Change> {
        // Only DropView/DropTrigger live in `drop_views`; order the views
        // among themselves, keeping trigger drops where they are.
        let (mut views, triggers): (Vec<Change>, Vec<Change>) = self
            .drop_views
            .into_iter()
            .partition(|c| matches!(c, Change::DropView(_)));
        order_views(&mut views, false);
        self.drop_views = views.into_iter().chain(triggers).collect();
        order_views(&mut self.create_views, true);
        [
            self.drop_row_routines,
            self.drop_views,
            self.detach,
            self.drop_fks,
            self.drop_constraints,
            self.drop_tables,
            self.create_schemas,
            self.create_types,
            self.create_tables,
            self.columns,
            self.create_children,
            self.attach,
            self.child_columns,
            // Once no column, default or trigger uses them: functions, then
            // the domains their signatures may name; then enums that lose
            // labels (no domain of a dropped column holds them any more).
            self.drop_routines,
            // Composite and range types, once no function names them and
            // before the domains and enums their attributes use.
            self.drop_composites,
            self.drop_domains,
            self.replace_types,
            self.add_constraints,
            distribution_order(self.distribute),
            self.add_fks,
            self.create_views,
            self.create_row_routines,
            self.create_triggers,
            self.drop_types,
            self.drop_schemas,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Tables leave Citus first; then reference and local tables, then the
/// first table of each colocation group, then the tables colocated with
/// one: each `colocate_with` names a table already distributed.
fn distribution_order(mut changes: Vec<Change>) -> Vec<Change> {
    use crate::schema::Distribution;
    changes.sort_by_key(|c| match c {
        Change::SetDistribution {
            table,
            distribution: (_, to),
        } => {
            let rank = match to {
                None => 0,
                Some(Distribution::Reference | Distribution::Local) => 1,
                Some(Distribution::Hash {
                    colocate_with: None,
                    ..
                }) => 2,
                Some(Distribution::Hash { .. }) => 3,
            };
            (rank, Some(table.clone()))
        }
        _ => (4, None),
    });
    changes
}

/// PostgreSQL refuses to change the type of, or drop, a column a view reads,
/// and to drop a view another view reads. Views that read (directly or
/// through other views) a table whose columns change that way, or a view
/// that is dropped (gone, changed, or recreated), are dropped first and
/// created again last, even when their text is the same.
pub(super) fn recreate_dependent_views(from: &Schema, to: &Schema, p: &mut Phases) {
    let mut affected: Vec<QualifiedName> = Vec::new();
    for c in p.columns.iter().chain(&p.replace_types) {
        match c {
            Change::AlterColumn {
                table, from, to, ..
            } if from.data_type != to.data_type
                || from.generated != to.generated
                || from.generated_virtual != to.generated_virtual =>
            {
                affected.push(table.clone())
            }
            Change::DropColumn { table, .. } => affected.push(table.clone()),
            Change::ReplaceEnum { columns, .. } => {
                affected.extend(columns.iter().map(|(t, _, _)| t.clone()))
            }
            _ => {}
        }
    }
    // Views dropped already (gone or changed): the views reading them must
    // go first.
    affected.extend(p.drop_views.iter().filter_map(|c| match c {
        Change::DropView(v) => Some(v.name.clone()),
        _ => None,
    }));
    if affected.is_empty() {
        return;
    }
    let mut affected: std::collections::HashSet<QualifiedName> = affected.into_iter().collect();
    // Grow the set through the partitions and children of affected tables
    // (a parent's column change reaches them), and views that read
    // affected views.
    loop {
        let before = affected.len();
        for t in &from.tables {
            if !affected.contains(&t.name) && t.parents().any(|p| affected.contains(p)) {
                affected.insert(t.name.clone());
            }
        }
        for v in &from.views {
            if !affected.contains(&v.name) && v.reads.iter().any(|r| affected.contains(r)) {
                affected.insert(v.name.clone());
            }
        }
        if affected.len() == before {
            break;
        }
    }
    let dropped: std::collections::HashSet<QualifiedName> = p
        .drop_views
        .iter()
        .filter_map(|c| match c {
            Change::DropView(v) => Some(v.name.clone()),
            _ => None,
        })
        .collect();
    let created: std::collections::HashSet<QualifiedName> = p
        .create_views
        .iter()
        .filter_map(|c| match c {
            Change::CreateView(v) => Some(v.name.clone()),
            _ => None,
        })
        .collect();
    // A recreated view brings its triggers back itself; its rules and
    // triggers go with it.
    let recreated: std::collections::HashSet<&QualifiedName> = from
        .views
        .iter()
        .map(|v| &v.name)
        .filter(|n| affected.contains(*n))
        .collect();
    p.drop_views.retain(|c| match c {
        Change::DropTrigger { table, .. } => !recreated.contains(table),
        Change::DropRule(r) => !recreated.contains(&r.relation),
        _ => true,
    });
    p.create_triggers.retain(|c| match c {
        Change::CreateTrigger { table, .. } => !recreated.contains(table),
        Change::CreateRule(r) => !recreated.contains(&r.relation),
        _ => true,
    });
    // A recreated materialized view's indexes come back with their targets.
    p.add_constraints.retain(
        |c| !matches!(c, Change::SetIndexStatistics { table, .. } if recreated.contains(table)),
    );
    // Rules are not part of the view: those of a view created again are
    // created again too.
    p.create_triggers.extend(
        to.rules
            .iter()
            .filter(|r| recreated.contains(&r.relation))
            .map(|r| Change::CreateRule(r.clone())),
    );
    for v in from.views.iter().filter(|v| affected.contains(&v.name)) {
        if !dropped.contains(&v.name) {
            p.drop_views.push(Change::DropView(v.clone()));
        }
        if let Some(new) = to.views.iter().find(|n| n.name == v.name) {
            if !created.contains(&v.name) {
                p.create_views.push(Change::CreateView(new.clone()));
            }
        }
    }
}
/// Views in an order that creates each after the views it reads (`reads`),
/// and drops each before them.
fn order_views(changes: &mut [Change], create: bool) {
    let name = |c: &Change| match c {
        Change::CreateView(v) | Change::DropView(v) => Some(v.name.clone()),
        _ => None,
    };
    let reads = |c: &Change| match c {
        Change::CreateView(v) | Change::DropView(v) => v.reads.clone(),
        _ => Vec::new(),
    };
    // Depth = the longest chain of views read through; stable sort by it.
    let names: std::collections::HashSet<QualifiedName> = changes.iter().filter_map(name).collect();
    let mut depth: HashMap<QualifiedName, usize> = HashMap::new();
    // Relax until stable (a cycle cannot exist among views; the bound is a
    // guard all the same).
    for _ in 0..=changes.len() {
        let mut changed = false;
        for c in changes.iter() {
            let Some(n) = name(c) else { continue };
            let d = reads(c)
                .iter()
                .filter(|r| names.contains(*r))
                .map(|r| depth.get(r).copied().unwrap_or(0) + 1)
                .max()
                .unwrap_or(0);
            if depth.insert(n, d) != Some(d) {
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let key = |c: &Change| name(c).and_then(|n| depth.get(&n).copied()).unwrap_or(0);
    if create {
        changes.sort_by_key(key);
    } else {
        changes.sort_by_key(|c| std::cmp::Reverse(key(c)));
    }
}

/// Dropping a table drops the sequences its columns own (`serial`), which
/// PostgreSQL refuses while another table's default still calls `nextval`
/// on one. Tables being dropped are ordered so that a sequence's owner goes
/// after every other dropped table whose defaults use that sequence (name
/// order otherwise). A cycle, which the database would refuse anyway, keeps
/// name order.
pub(super) fn order_table_drops(from: &Schema, drops: &mut Vec<Change>) {
    let dropped = |c: &Change| match c {
        Change::DropTable(t) => Some(t.name.clone()),
        _ => None,
    };
    let names: HashSet<QualifiedName> = drops.iter().filter_map(dropped).collect();
    // Sequences owned by a dropped table, and the other dropped tables that
    // use each.
    let mut waits_for: HashMap<QualifiedName, HashSet<QualifiedName>> = HashMap::new();
    for seq in &from.sequences {
        let Some((owner, _)) = seq.owned_by.as_ref().filter(|(o, _)| names.contains(o)) else {
            continue;
        };
        for c in drops.iter() {
            if let Change::DropTable(t) = c {
                let uses = t.columns.iter().filter_map(|col| col.default.as_deref());
                if &t.name != owner && uses.into_iter().any(|d| calls_nextval(d, &seq.name)) {
                    waits_for
                        .entry(owner.clone())
                        .or_default()
                        .insert(t.name.clone());
                }
            }
        }
    }
    if waits_for.is_empty() {
        return;
    }
    let mut pending: Vec<Change> = std::mem::take(drops);
    while !pending.is_empty() {
        let (ready, later): (Vec<Change>, Vec<Change>) = pending.into_iter().partition(|c| {
            dropped(c)
                .and_then(|n| waits_for.get(&n))
                .is_none_or(|users| users.is_empty())
        });
        if ready.is_empty() {
            drops.extend(later);
            return;
        }
        for c in &ready {
            if let Some(n) = dropped(c) {
                waits_for.values_mut().for_each(|users| {
                    users.remove(&n);
                });
            }
        }
        drops.extend(ready);
        pending = later;
    }
}

/// Whether the default expression `default` calls `nextval` on `seq`
/// (`nextval('name'::regclass)`, schema-qualified when the sequence is not
/// on the search path, identifiers in double quotes when they need them).
fn calls_nextval(default: &str, seq: &QualifiedName) -> bool {
    default.split("nextval('").skip(1).any(|rest| {
        let target = rest.split('\'').next().unwrap_or_default().replace('"', "");
        match target.rsplit_once('.') {
            Some((schema, name)) => schema == seq.schema && name == seq.name,
            None => target == seq.name,
        }
    })
}
