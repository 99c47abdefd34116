//! Privileges: `GRANT` and `REVOKE` after every other change, default
//! privileges last (so they do not reach the objects the migration
//! creates). An object the changes create (or drop and create again)
//! starts with what the default privileges in force give it, so every
//! privilege it should have is given again; one they drop takes its
//! privileges with it.

use std::collections::{BTreeMap, HashSet};

use super::Change;
use crate::schema::{DefaultPrivilege, Privilege, PrivilegeObject, QualifiedName, Schema};

/// What tells objects apart for privileges: relations share one namespace
/// (a table may become a view), routines are told apart by their
/// arguments, types and domains share one.
type ObjectKey = (u8, QualifiedName, String);

fn class(on: PrivilegeObject) -> u8 {
    match on {
        PrivilegeObject::Table
        | PrivilegeObject::View
        | PrivilegeObject::MaterializedView
        | PrivilegeObject::ForeignTable
        | PrivilegeObject::Sequence => 0,
        PrivilegeObject::Function | PrivilegeObject::Procedure => 1,
        PrivilegeObject::Type | PrivilegeObject::Domain => 2,
        PrivilegeObject::Schema => 3,
    }
}

fn key_of(p: &Privilege) -> ObjectKey {
    (class(p.on), p.name.clone(), p.arguments.clone())
}

fn relation(name: &QualifiedName) -> ObjectKey {
    (0, name.clone(), String::new())
}

fn type_key(name: &QualifiedName) -> ObjectKey {
    (2, name.clone(), String::new())
}

fn routine(f: &crate::schema::Function) -> ObjectKey {
    (1, f.name.clone(), f.arguments.clone())
}

/// The objects `changes` create (each with the kind `GRANT` names it by)
/// and drop; an object dropped and created again is in both.
fn created_and_dropped(
    changes: &[Change],
) -> (BTreeMap<ObjectKey, PrivilegeObject>, HashSet<ObjectKey>) {
    use PrivilegeObject as O;
    let mut created = BTreeMap::new();
    let mut dropped = HashSet::new();
    let mut create = |key: ObjectKey, on: O| {
        created.insert(key, on);
    };
    for c in changes {
        match c {
            Change::CreateTable(t) => create(relation(&t.name), O::Table),
            Change::CreateView(v) if v.materialized => {
                create(relation(&v.name), O::MaterializedView)
            }
            Change::CreateView(v) => create(relation(&v.name), O::View),
            Change::CreateSequence(s) => create(relation(&s.name), O::Sequence),
            Change::CreateFunction(f) if f.procedure => create(routine(f), O::Procedure),
            Change::CreateFunction(f) => create(routine(f), O::Function),
            Change::ReplaceFunction { from, to }
                if from.result != to.result
                    || from.procedure != to.procedure
                    || from.aggregate != to.aggregate =>
            {
                let on = if to.procedure {
                    O::Procedure
                } else {
                    O::Function
                };
                create(routine(to), on)
            }
            Change::CreateEnum(e) => create(type_key(&e.name), O::Type),
            Change::ReplaceEnum { to, .. } => create(type_key(&to.name), O::Type),
            Change::CreateDomain(d) => create(type_key(&d.name), O::Domain),
            // A new base type is DROP and CREATE.
            Change::AlterDomain { from, to } if from.data_type != to.data_type => {
                create(type_key(&to.name), O::Domain)
            }
            Change::CreateCompositeType(t) => create(type_key(&t.name), O::Type),
            Change::ReplaceCompositeType { to, .. } => create(type_key(&to.name), O::Type),
            Change::CreateRangeType(r) => create(type_key(&r.name), O::Type),
            Change::CreateSchema(s) => {
                create((3, QualifiedName::new("", s), String::new()), O::Schema)
            }
            _ => {
                if let Some(key) = dropped_key(c) {
                    dropped.insert(key);
                }
            }
        }
    }
    (created, dropped)
}

/// The object a `Drop…` change drops.
fn dropped_key(c: &Change) -> Option<ObjectKey> {
    Some(match c {
        Change::DropTable(t) => relation(&t.name),
        Change::DropView(v) => relation(&v.name),
        Change::DropSequence(s) => relation(&s.name),
        Change::DropFunction(f) => routine(f),
        Change::DropEnum(e) => type_key(&e.name),
        Change::DropDomain(d) => type_key(&d.name),
        Change::DropCompositeType(t) => type_key(&t.name),
        Change::DropRangeType(r) => type_key(&r.name),
        Change::DropSchema(s) => (3, QualifiedName::new("", s), String::new()),
        _ => return None,
    })
}

/// Whether a privilege is on the sequence of an identity column that
/// `changes` drop (with its table or column). Those sequences are not in
/// the model: they are known by PostgreSQL's name for them,
/// `<table>_<column>_seq`.
fn identity_sequences_gone<'a>(
    from: &'a Schema,
    changes: &'a [Change],
) -> impl Fn(&Privilege) -> bool + 'a {
    move |p: &Privilege| {
        if p.on != PrivilegeObject::Sequence || from.sequences.iter().any(|s| s.name == p.name) {
            return false;
        }
        let named = |table: &QualifiedName, column: &str| {
            table.schema == p.name.schema && p.name.name == format!("{}_{column}_seq", table.name)
        };
        changes.iter().any(|c| match c {
            Change::DropTable(t) => t
                .columns
                .iter()
                .any(|col| col.identity.is_some() && named(&t.name, &col.name)),
            Change::DropColumn { table, column } => {
                column.identity.is_some() && named(table, &column.name)
            }
            _ => false,
        })
    }
}

/// What an object created now gets from the default privileges in force
/// (`defaults`, those of the role that runs the migration): entries of
/// every schema and of its own, for its kind of object.
fn implied(defaults: &[DefaultPrivilege], key: &ObjectKey, on: PrivilegeObject) -> Vec<Privilege> {
    use PrivilegeObject as O;
    let kind = match on {
        O::Table | O::View | O::MaterializedView | O::ForeignTable => "TABLES",
        O::Sequence => "SEQUENCES",
        O::Function | O::Procedure => "FUNCTIONS",
        O::Type | O::Domain => "TYPES",
        O::Schema => "SCHEMAS",
    };
    let (_, name, arguments) = key;
    defaults
        .iter()
        .filter(|d| d.role.is_empty() && d.on == kind)
        .filter(|d| on == O::Schema || d.schema.is_empty() || d.schema == name.schema)
        .map(|d| Privilege {
            on,
            name: name.clone(),
            arguments: arguments.clone(),
            grantee: d.grantee.clone(),
            privilege: d.privilege.clone(),
            grantable: d.grantable,
            revoked: d.revoked,
        })
        .collect()
}

/// A privilege's identity: who gets what (the grant option and `revoked`
/// are its state).
type Entry<T> = BTreeMap<(String, String), T>;

/// How one entry goes from `old` to `new` (either may be absent: the
/// built-in default). `grant` and `revoke` build the two kinds of change.
fn step<T: Clone>(
    old: Option<(&T, bool, bool)>,
    new: Option<(&T, bool, bool)>,
    grant: &dyn Fn(&T, bool) -> Change,
    revoke: &dyn Fn(&T, bool) -> Change,
    out: &mut Vec<Change>,
) {
    // (privilege, grantable, revoked)
    match (old, new) {
        (None, Some((p, _, true))) => out.push(revoke(p, false)),
        (None, Some((p, g, false))) => out.push(grant(p, g)),
        (Some((p, _, true)), None) => out.push(grant(p, false)),
        (Some((p, _, false)), None) => out.push(revoke(p, false)),
        (Some((_, _, true)), Some((p, g, false))) => out.push(grant(p, g)),
        (Some((_, _, false)), Some((p, _, true))) => out.push(revoke(p, false)),
        (Some((_, og, false)), Some((p, g, false))) if og != g => {
            if g {
                out.push(grant(p, true));
            } else {
                out.push(revoke(p, true));
            }
        }
        _ => {}
    }
}

/// The `GRANT`s and `REVOKE`s that follow `changes` (the other changes
/// from `from` to `to`).
pub(super) fn changes(from: &Schema, to: &Schema, changes: &[Change]) -> Vec<Change> {
    let (created, dropped) = created_and_dropped(changes);
    // A created object starts with what the default privileges give it.
    let implied: Vec<Privilege> = created
        .iter()
        .flat_map(|(key, on)| implied(&from.default_privileges, key, *on))
        .collect();
    let mut by_object: BTreeMap<ObjectKey, (Entry<&Privilege>, Entry<&Privilege>)> =
        BTreeMap::new();
    let identity_gone = identity_sequences_gone(from, changes);
    for p in &from.privileges {
        let key = key_of(p);
        if created.contains_key(&key) || dropped.contains(&key) || identity_gone(p) {
            continue;
        }
        let entry = by_object.entry(key).or_default();
        entry.0.insert((p.grantee.clone(), p.privilege.clone()), p);
    }
    for p in &implied {
        let entry = by_object.entry(key_of(p)).or_default();
        entry.0.insert((p.grantee.clone(), p.privilege.clone()), p);
    }
    for p in &to.privileges {
        let entry = by_object.entry(key_of(p)).or_default();
        entry.1.insert((p.grantee.clone(), p.privilege.clone()), p);
    }
    let grant = |p: &&Privilege, grantable: bool| {
        Change::Grant(Privilege {
            grantable,
            revoked: false,
            ..(*p).clone()
        })
    };
    let revoke = |p: &&Privilege, option_only: bool| Change::Revoke {
        privilege: Privilege {
            grantable: false,
            ..(*p).clone()
        },
        option_only,
    };
    let mut out = Vec::new();
    for (old, new) in by_object.values() {
        let keys: std::collections::BTreeSet<&(String, String)> =
            old.keys().chain(new.keys()).collect();
        for k in keys {
            let o = old.get(k).map(|p| (p, p.grantable, p.revoked));
            let n = new.get(k).map(|p| (p, p.grantable, p.revoked));
            step(o, n, &grant, &revoke, &mut out);
        }
    }
    out.extend(defaults(&from.default_privileges, &to.default_privileges));
    out
}

/// `ALTER DEFAULT PRIVILEGES`, entry by entry.
fn defaults(from: &[DefaultPrivilege], to: &[DefaultPrivilege]) -> Vec<Change> {
    type Key = (String, String, String, String, String);
    let key = |d: &DefaultPrivilege| -> Key {
        (
            d.role.clone(),
            d.schema.clone(),
            d.on.clone(),
            d.grantee.clone(),
            d.privilege.clone(),
        )
    };
    let old: BTreeMap<Key, &DefaultPrivilege> = from.iter().map(|d| (key(d), d)).collect();
    let new: BTreeMap<Key, &DefaultPrivilege> = to.iter().map(|d| (key(d), d)).collect();
    let keys: std::collections::BTreeSet<&Key> = old.keys().chain(new.keys()).collect();
    let grant = |d: &&DefaultPrivilege, grantable: bool| {
        Change::GrantDefault(DefaultPrivilege {
            grantable,
            revoked: false,
            ..(*d).clone()
        })
    };
    let revoke = |d: &&DefaultPrivilege, option_only: bool| Change::RevokeDefault {
        privilege: DefaultPrivilege {
            grantable: false,
            ..(*d).clone()
        },
        option_only,
    };
    let mut out = Vec::new();
    for k in keys {
        let o = old.get(k).map(|d| (d, d.grantable, d.revoked));
        let n = new.get(k).map(|d| (d, d.grantable, d.revoked));
        step(o, n, &grant, &revoke, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, Identity, Table, View};

    fn grant(name: &str, grantee: &str, privilege: &str, grantable: bool) -> Privilege {
        Privilege {
            on: PrivilegeObject::View,
            name: QualifiedName::new("public", name),
            grantee: grantee.into(),
            privilege: privilege.into(),
            grantable,
            ..Privilege::default()
        }
    }

    #[test]
    fn grants_revokes_and_the_grant_option() {
        let from = Schema {
            privileges: vec![
                grant("v", "a", "SELECT", false),
                grant("v", "b", "SELECT", true),
                grant("v", "c", "UPDATE", false),
            ],
            ..Schema::default()
        };
        let to = Schema {
            privileges: vec![
                grant("v", "a", "SELECT", true),
                grant("v", "b", "SELECT", false),
                grant("v", "d", "SELECT", false),
            ],
            ..Schema::default()
        };
        let c = changes(&from, &to, &[]);
        assert_eq!(
            c,
            vec![
                Change::Grant(grant("v", "a", "SELECT", true)),
                Change::Revoke {
                    privilege: grant("v", "b", "SELECT", false),
                    option_only: true
                },
                Change::Revoke {
                    privilege: grant("v", "c", "UPDATE", false),
                    option_only: false
                },
                Change::Grant(grant("v", "d", "SELECT", false)),
            ]
        );
    }

    #[test]
    fn a_recreated_object_gets_every_grant_again_and_a_dropped_one_none() {
        let from = Schema {
            privileges: vec![
                grant("v", "a", "SELECT", false),
                grant("w", "a", "SELECT", false),
            ],
            ..Schema::default()
        };
        let to = Schema {
            privileges: vec![grant("v", "a", "SELECT", false)],
            ..Schema::default()
        };
        let view = |name: &str| View {
            name: QualifiedName::new("public", name),
            ..View::default()
        };
        let recreate = [
            Change::DropView(view("v")),
            Change::DropView(view("w")),
            Change::CreateView(view("v")),
        ];
        assert_eq!(
            changes(&from, &to, &recreate),
            vec![Change::Grant(grant("v", "a", "SELECT", false))]
        );
        assert!(changes(&from, &to, &[Change::DropView(view("w"))]).is_empty());
    }

    #[test]
    fn a_revoked_default_is_revoked_and_given_back() {
        let revoked = Privilege {
            on: PrivilegeObject::Function,
            arguments: "integer".into(),
            revoked: true,
            ..grant("f", "PUBLIC", "EXECUTE", false)
        };
        let with = Schema {
            privileges: vec![revoked.clone()],
            ..Schema::default()
        };
        let plain = Privilege {
            revoked: false,
            ..revoked.clone()
        };
        assert_eq!(
            changes(&Schema::default(), &with, &[]),
            vec![Change::Revoke {
                privilege: revoked,
                option_only: false
            }]
        );
        assert_eq!(
            changes(&with, &Schema::default(), &[]),
            vec![Change::Grant(plain)]
        );
    }

    #[test]
    fn an_identity_sequence_goes_with_its_table() {
        let seq = Privilege {
            on: PrivilegeObject::Sequence,
            ..grant("t_id_seq", "a", "USAGE", false)
        };
        let from = Schema {
            privileges: vec![seq.clone()],
            ..Schema::default()
        };
        let table = Table {
            name: QualifiedName::new("public", "t"),
            columns: vec![Column {
                name: "id".into(),
                identity: Some(Identity::Always),
                ..Column::default()
            }],
            ..Table::default()
        };
        let to = Schema::default();
        assert!(changes(&from, &to, &[Change::DropTable(table)]).is_empty());
        // The table stays: the grant is revoked.
        assert_eq!(
            changes(&from, &to, &[]),
            vec![Change::Revoke {
                privilege: seq,
                option_only: false
            }]
        );
    }

    #[test]
    fn a_created_object_starts_with_the_default_privileges() {
        let defaults = vec![
            DefaultPrivilege {
                schema: "public".into(),
                on: "TABLES".into(),
                grantee: "a".into(),
                privilege: "SELECT".into(),
                ..DefaultPrivilege::default()
            },
            DefaultPrivilege {
                role: "someone_else".into(),
                on: "TABLES".into(),
                grantee: "b".into(),
                privilege: "SELECT".into(),
                ..DefaultPrivilege::default()
            },
        ];
        let from = Schema {
            default_privileges: defaults.clone(),
            ..Schema::default()
        };
        let to = Schema {
            default_privileges: defaults,
            privileges: vec![grant("v", "c", "SELECT", false)],
            ..Schema::default()
        };
        let view = View {
            name: QualifiedName::new("public", "v"),
            ..View::default()
        };
        assert_eq!(
            changes(&from, &to, &[Change::CreateView(view)]),
            vec![
                Change::Revoke {
                    privilege: grant("v", "a", "SELECT", false),
                    option_only: false
                },
                Change::Grant(grant("v", "c", "SELECT", false)),
            ]
        );
    }
}
