//! The difference between two schema models, as an ordered list of changes.
//!
//! Order (so every statement finds what it needs): drop views and triggers;
//! drop foreign keys and policies, then other constraints and indexes that
//! go or change, detach partitions and end inheritance; drop tables
//! (children first); create schemas and extensions; create enums,
//! domains, sequences and functions; create tables (without their foreign
//! keys); add, alter and drop columns; create partitions and inheriting
//! tables (parents first), attach them; drop functions, then domains; replace
//! enums that lose labels; add constraints and indexes; add foreign keys
//! (every table they point at now exists); create views (each after the
//! views it reads); create triggers and policies; drop enums and sequences;
//! drop extensions and schemas last. Comments follow their objects;
//! privileges come after everything, default privileges last. The
//! downgrade is simply `diff(to, from)`.

mod inherit;
mod objects;
mod order;
mod privileges;
mod tables;

use std::collections::HashMap;
use std::hash::Hash;

pub use super::change::{Change, ColumnPosition, CommentTarget};
use super::{
    Collation, CompositeType, Domain, EnumType, Extension, QualifiedName, RangeType, Schema,
    Sequence, Table, View, VirtualTable,
};
use order::Phases;

/// The changes that turn `from` into `to`, in an order that applies.
pub fn diff(from: &Schema, to: &Schema) -> Vec<Change> {
    let stripped = Stripped::of(from, to);
    finish(from, to, diff_objects(stripped.from(from), stripped.to(to)))
}

/// [`diff`] from `from` to `to` and back (an upgrade and its downgrade),
/// stripping the comments of each side once for both.
pub fn diff_both_ways(from: &Schema, to: &Schema) -> (Vec<Change>, Vec<Change>) {
    let stripped = Stripped::of(from, to);
    let (a, b) = (stripped.from(from), stripped.to(to));
    let up = finish(from, to, diff_objects(a, b));
    let down = finish(to, from, diff_objects(b, a));
    (up, down)
}

/// Both sides without the comments compared apart from their objects
/// (views, functions, indexes…: a changed comment must not recreate the
/// object), when either side has any; `None` when neither has.
struct Stripped(Option<(Schema, Schema)>);

impl Stripped {
    fn of(from: &Schema, to: &Schema) -> Self {
        let any = super::comments::any_on_objects(from) || super::comments::any_on_objects(to);
        Self(any.then(|| (super::comments::strip(from), super::comments::strip(to))))
    }

    fn from<'a>(&'a self, from: &'a Schema) -> &'a Schema {
        self.0.as_ref().map_or(from, |(f, _)| f)
    }

    fn to<'a>(&'a self, to: &'a Schema) -> &'a Schema {
        self.0.as_ref().map_or(to, |(_, t)| t)
    }
}

/// The object changes with the comment and privilege changes after them.
fn finish(from: &Schema, to: &Schema, mut changes: Vec<Change>) -> Vec<Change> {
    if super::comments::any(from) || super::comments::any(to) {
        let comments = super::comments::changes(from, to, &changes);
        changes.extend(comments);
    }
    if !(from.privileges.is_empty()
        && to.privileges.is_empty()
        && from.default_privileges.is_empty()
        && to.default_privileges.is_empty())
    {
        let grants = privileges::changes(from, to, &changes);
        changes.extend(grants);
    }
    changes
}

fn diff_objects(from: &Schema, to: &Schema) -> Vec<Change> {
    let mut p = Phases::default();
    // The order of these calls is the order of changes within a phase.
    objects::schemas_and_extensions(from, to, &mut p);
    objects::views(from, to, &mut p);
    objects::collations(from, to, &mut p);
    objects::enums(from, to, &mut p);
    objects::domains(from, to, &mut p);
    objects::range_types(from, to, &mut p);
    objects::composite_types(from, to, &mut p);
    objects::sequences(from, to, &mut p);
    objects::functions(from, to, &mut p);
    objects::operators(from, to, &mut p);
    objects::virtual_tables(from, to, &mut p);
    tables::tables(from, to, &mut p);
    objects::enum_casts(from, &mut p);
    objects::rules(from, to, &mut p);
    order::recreate_dependent_views(from, to, &mut p);
    order::order_table_drops(from, &mut p.drop_tables);
    p.into_changes()
}

/// An object matched between the two sides by its name.
trait Named {
    /// The name's type.
    type Key: Eq + Hash;
    /// The name.
    fn key(&self) -> &Self::Key;
}

macro_rules! named_by_qualified_name {
    ($($t:ty),*) => {$(
        impl Named for $t {
            type Key = QualifiedName;
            fn key(&self) -> &QualifiedName {
                &self.name
            }
        }
    )*};
}
named_by_qualified_name!(
    View,
    EnumType,
    Domain,
    Sequence,
    VirtualTable,
    Table,
    Collation,
    CompositeType,
    RangeType
);

impl Named for Extension {
    type Key = String;
    fn key(&self) -> &String {
        &self.name
    }
}

/// Each object of `to` with the object of the same name in `from` (if any),
/// in `to`'s order; and the objects of `from` that `to` has no longer, in
/// `from`'s order. Lookups go through a map: schemas with thousands of
/// objects are never compared pairwise.
fn matched<'a, T: Named>(from: &'a [T], to: &'a [T]) -> (Vec<(&'a T, Option<&'a T>)>, Vec<&'a T>) {
    let old: HashMap<&T::Key, &T> = from.iter().map(|o| (o.key(), o)).collect();
    let new: HashMap<&T::Key, &T> = to.iter().map(|n| (n.key(), n)).collect();
    let pairs = to.iter().map(|n| (n, old.get(n.key()).copied())).collect();
    let gone = from.iter().filter(|o| !new.contains_key(o.key())).collect();
    (pairs, gone)
}

/// Objects compared whole and recreated on any change: those of `from` that
/// are gone or differ (to drop), and those of `to` that are new or differ
/// (to create).
fn recreated<'a, T: Named + PartialEq>(from: &'a [T], to: &'a [T]) -> (Vec<&'a T>, Vec<&'a T>) {
    let old: HashMap<&T::Key, &T> = from.iter().map(|o| (o.key(), o)).collect();
    let new: HashMap<&T::Key, &T> = to.iter().map(|n| (n.key(), n)).collect();
    let drops = from
        .iter()
        .filter(|o| new.get(o.key()) != Some(o))
        .collect();
    let creates = to.iter().filter(|n| old.get(n.key()) != Some(n)).collect();
    (drops, creates)
}
