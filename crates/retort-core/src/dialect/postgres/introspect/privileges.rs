//! Privileges: the access control lists of relations, routines, types and
//! schemas, and `pg_default_acl`, in one query. What an object has without
//! any `GRANT` (the owner's own privileges, and the built-in defaults: a
//! NULL list, `acldefault`, or the initial privileges `pg_init_privs`
//! records) is left out; a built-in default that was revoked is kept as
//! `revoked`.

use std::collections::BTreeMap;

use super::{ExtensionOwned, USER_NS};
use crate::dialect::catalog::{excluded, query, text, truthy};
use crate::dialect::sql::TableRef;
use crate::dialect::Connection;
use crate::error::Result;
use crate::schema::{DefaultPrivilege, Privilege, PrivilegeObject, QualifiedName};

/// Every object with a non-NULL list: kind, schema, name, arguments, list,
/// owner, the `acldefault` kind and the baseline (initial privileges, else
/// the built-in defaults).
fn objects_sql(rel: &str, owned: &ExtensionOwned) -> String {
    let base = |kind: &str, owner: &str, oid: &str, class: &str| {
        format!(
            "coalesce((SELECT ip.initprivs FROM pg_init_privs ip WHERE ip.objoid = {oid} \
             AND ip.classoid = '{class}'::regclass AND ip.objsubid = 0), acldefault({kind}, {owner}))"
        )
    };
    format!(
        "SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized_view' \
           WHEN 'f' THEN 'foreign_table' ELSE 'table' END AS kind, n.nspname AS sch, c.relname AS name, '' AS args, \
           c.relacl AS acl, c.relowner AS owner, {} AS base \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND c.relacl IS NOT NULL AND {rel} \
         UNION ALL \
         SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname, p.proname, \
           pg_get_function_identity_arguments(p.oid), p.proacl, p.proowner, {} \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE p.proacl IS NOT NULL AND {USER_NS} AND {} \
         UNION ALL \
         SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, n.nspname, t.typname, '', t.typacl, t.typowner, {} \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         WHERE t.typacl IS NOT NULL AND t.typtype IN ('e', 'd', 'c', 'r') \
           AND (t.typrelid = 0 OR (SELECT tc.relkind FROM pg_class tc WHERE tc.oid = t.typrelid) = 'c') \
           AND {USER_NS} AND {} \
         UNION ALL \
         SELECT 'schema', '', n.nspname, '', n.nspacl, n.nspowner, {} \
         FROM pg_namespace n WHERE n.nspacl IS NOT NULL AND {USER_NS} AND {}",
        base(
            "CASE c.relkind WHEN 'S' THEN 's'::\"char\" ELSE 'r'::\"char\" END",
            "c.relowner",
            "c.oid",
            "pg_class"
        ),
        base("'f'::\"char\"", "p.proowner", "p.oid", "pg_proc"),
        owned.not_owned("p.oid"),
        base("'T'::\"char\"", "t.typowner", "t.oid", "pg_type"),
        owned.not_owned("t.oid"),
        base("'n'::\"char\"", "n.nspowner", "n.oid", "pg_namespace"),
        owned.not_owned("n.oid"),
    )
}

/// `pg_default_acl` with the built-in defaults of its object type (only a
/// global entry replaces them; one `IN SCHEMA` adds to them).
const DEFAULTS_SQL: &str = "SELECT CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' \
       WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END AS kind, \
       coalesce(dn.nspname, '') AS sch, CASE WHEN r.rolname = current_user THEN '' ELSE r.rolname END AS name, '' AS args, \
       d.defaclacl AS acl, d.defaclrole AS owner, \
       CASE WHEN d.defaclnamespace = 0 THEN acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's' \
         WHEN 'T' THEN 'T' ELSE d.defaclobjtype END::\"char\", d.defaclrole) ELSE NULL END AS base \
     FROM pg_default_acl d JOIN pg_roles r ON r.oid = d.defaclrole \
     LEFT JOIN pg_namespace dn ON dn.oid = d.defaclnamespace";

/// The query: for each object (and default entry), the entries its list
/// has beyond the baseline, and the baseline's entries it lacks
/// (`revoked`); never the owner's.
fn privileges_sql(rel: &str, owned: &ExtensionOwned) -> String {
    format!(
        "WITH o AS ({}), d AS ({DEFAULTS_SQL}), a AS (SELECT 'object' AS what, * FROM o UNION ALL SELECT 'default', * FROM d) \
         SELECT a.what, a.kind, a.sch, a.name, a.args, CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE g.rolname END, x.privilege_type, x.is_grantable, false \
         FROM a CROSS JOIN LATERAL aclexplode(nullif(a.acl, '{{}}')) x LEFT JOIN pg_roles g ON g.oid = x.grantee \
         WHERE x.grantee <> a.owner AND NOT EXISTS (SELECT 1 FROM aclexplode(nullif(a.base, '{{}}')) b \
           WHERE b.grantee = x.grantee AND b.privilege_type = x.privilege_type AND b.is_grantable = x.is_grantable) \
         UNION ALL \
         SELECT a.what, a.kind, a.sch, a.name, a.args, CASE WHEN b.grantee = 0 THEN 'PUBLIC' ELSE g.rolname END, b.privilege_type, b.is_grantable, true \
         FROM a CROSS JOIN LATERAL aclexplode(nullif(a.base, '{{}}')) b LEFT JOIN pg_roles g ON g.oid = b.grantee \
         WHERE b.grantee <> a.owner AND NOT EXISTS (SELECT 1 FROM aclexplode(nullif(a.acl, '{{}}')) x \
           WHERE x.grantee = b.grantee AND x.privilege_type = b.privilege_type)",
        objects_sql(rel, owned)
    )
}

fn object_kind(word: &str) -> PrivilegeObject {
    match word {
        "view" => PrivilegeObject::View,
        "materialized_view" => PrivilegeObject::MaterializedView,
        "foreign_table" => PrivilegeObject::ForeignTable,
        "sequence" => PrivilegeObject::Sequence,
        "function" => PrivilegeObject::Function,
        "procedure" => PrivilegeObject::Procedure,
        "type" => PrivilegeObject::Type,
        "domain" => PrivilegeObject::Domain,
        "schema" => PrivilegeObject::Schema,
        _ => PrivilegeObject::Table,
    }
}

/// Reads the privileges of every user object (leaving out the `exclude`d
/// tables) and the default privileges. The same privilege granted by two
/// grantors is one, with the grant option if either gave it.
pub(super) fn privileges(
    conn: &mut dyn Connection,
    exclude: &[TableRef],
    rel: &str,
    owned: &ExtensionOwned,
) -> Result<(Vec<Privilege>, Vec<DefaultPrivilege>)> {
    let rows = query(conn, "privileges", &privileges_sql(rel, owned))?;
    let mut objects: BTreeMap<Privilege, bool> = BTreeMap::new();
    let mut defaults: BTreeMap<DefaultPrivilege, bool> = BTreeMap::new();
    for r in &rows {
        let grantable = truthy(r, 7);
        if text(r, 0) == "default" {
            let key = DefaultPrivilege {
                role: text(r, 3),
                schema: text(r, 2),
                on: text(r, 1),
                grantee: text(r, 5),
                privilege: text(r, 6),
                grantable: false,
                revoked: truthy(r, 8),
            };
            *defaults.entry(key).or_default() |= grantable;
            continue;
        }
        let on = object_kind(&text(r, 1));
        let relation = matches!(
            on,
            PrivilegeObject::Table | PrivilegeObject::View | PrivilegeObject::MaterializedView
        );
        if relation && excluded(exclude, &text(r, 2), &text(r, 3)) {
            continue;
        }
        let key = Privilege {
            on,
            name: QualifiedName::new(text(r, 2), text(r, 3)),
            arguments: text(r, 4),
            grantee: text(r, 5),
            privilege: text(r, 6),
            grantable: false,
            revoked: truthy(r, 8),
        };
        *objects.entry(key).or_default() |= grantable;
    }
    let privileges = objects
        .into_iter()
        .map(|(p, grantable)| Privilege {
            grantable: grantable && !p.revoked,
            ..p
        })
        .collect();
    let defaults = defaults
        .into_iter()
        .map(|(p, grantable)| DefaultPrivilege {
            grantable: grantable && !p.revoked,
            ..p
        })
        .collect();
    Ok((privileges, defaults))
}
