//! `GRANT`, `REVOKE` and `ALTER DEFAULT PRIVILEGES`.

use super::Postgres;
use crate::dialect::Dialect;
use crate::schema::{Change, DefaultPrivilege, Privilege, PrivilegeObject};

/// Renders `change` if it is of this file's kinds; `false` otherwise.
pub(super) fn render(d: &Postgres, change: &Change, out: &mut Vec<String>) -> bool {
    match change {
        Change::Grant(p) => out.push(grant(
            &p.privilege,
            &object(d, p),
            &grantee(d, &p.grantee),
            p.grantable,
        )),
        Change::Revoke {
            privilege: p,
            option_only,
        } => out.push(revoke(
            &p.privilege,
            &object(d, p),
            &grantee(d, &p.grantee),
            *option_only,
        )),
        Change::GrantDefault(p) => out.push(format!(
            "{} {}",
            alter_default(d, p),
            grant(&p.privilege, &p.on, &grantee(d, &p.grantee), p.grantable)
        )),
        Change::RevokeDefault {
            privilege: p,
            option_only,
        } => out.push(format!(
            "{} {}",
            alter_default(d, p),
            revoke(&p.privilege, &p.on, &grantee(d, &p.grantee), *option_only)
        )),
        _ => return false,
    }
    true
}

/// `GRANT privilege ON on TO grantee [WITH GRANT OPTION]`.
fn grant(privilege: &str, on: &str, grantee: &str, grantable: bool) -> String {
    let option = if grantable { " WITH GRANT OPTION" } else { "" };
    format!("GRANT {privilege} ON {on} TO {grantee}{option}")
}

/// `REVOKE [GRANT OPTION FOR] privilege ON on FROM grantee`.
fn revoke(privilege: &str, on: &str, grantee: &str, option_only: bool) -> String {
    let option = if option_only { "GRANT OPTION FOR " } else { "" };
    format!("REVOKE {option}{privilege} ON {on} FROM {grantee}")
}

/// `PUBLIC`, or the role's name quoted where needed.
fn grantee(d: &Postgres, name: &str) -> String {
    if name == "PUBLIC" {
        name.to_string()
    } else {
        d.ident(name)
    }
}

/// The object as `GRANT … ON` names it.
fn object(d: &Postgres, p: &Privilege) -> String {
    let routine = |word: &str| format!("{word} {}({})", d.qualified(&p.name), p.arguments);
    match p.on {
        PrivilegeObject::Table
        | PrivilegeObject::View
        | PrivilegeObject::MaterializedView
        | PrivilegeObject::ForeignTable => format!("TABLE {}", d.qualified(&p.name)),
        PrivilegeObject::Sequence => format!("SEQUENCE {}", d.qualified(&p.name)),
        PrivilegeObject::Function => routine("FUNCTION"),
        PrivilegeObject::Procedure => routine("PROCEDURE"),
        PrivilegeObject::Type => format!("TYPE {}", d.qualified(&p.name)),
        PrivilegeObject::Domain => format!("DOMAIN {}", d.qualified(&p.name)),
        PrivilegeObject::Schema => format!("SCHEMA {}", d.ident(&p.name.name)),
    }
}

/// `ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s]`.
fn alter_default(d: &Postgres, p: &DefaultPrivilege) -> String {
    let mut text = "ALTER DEFAULT PRIVILEGES".to_string();
    if !p.role.is_empty() {
        text.push_str(&format!(" FOR ROLE {}", d.ident(&p.role)));
    }
    if !p.schema.is_empty() {
        text.push_str(&format!(" IN SCHEMA {}", d.ident(&p.schema)));
    }
    text
}
