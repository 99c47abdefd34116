//! Functions and procedures, and the schemas and extensions they live in.

use std::collections::BTreeMap;

use super::{not_extension, USER_NS};
use crate::dialect::catalog::{opt, query, text, truthy};
use crate::dialect::Connection;
use crate::error::Result;
use crate::schema::{Extension, Function, QualifiedName};

/// Functions and procedures of user schemas (not an extension's).
pub(super) fn functions(conn: &mut dyn Connection) -> Result<Vec<Function>> {
    // Aggregates and window functions (prokind 'a', 'w') are left out.
    Ok(query(
        conn,
        "functions",
        &format!(
            "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), p.prokind = 'p', \
             coalesce(pg_get_function_result(p.oid), ''), pg_get_functiondef(p.oid), obj_description(p.oid, 'pg_proc'), \
             EXISTS (SELECT 1 FROM pg_type rt JOIN pg_class rc ON rc.oid = rt.typrelid WHERE rc.relkind IN ('r', 'p', 'v', 'm') \
               AND (rt.oid = p.prorettype OR rt.typarray = p.prorettype \
               OR rt.oid = ANY(coalesce(p.proallargtypes, p.proargtypes::oid[])) \
               OR rt.typarray = ANY(coalesce(p.proallargtypes, p.proargtypes::oid[])))) FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prokind IN ('f', 'p') AND {USER_NS} AND {} \
             ORDER BY 1, 2, 3",
            not_extension("p.oid")
        ),
    )?
    .iter()
    .map(|r| Function {
        name: QualifiedName::new(text(r, 0), text(r, 1)),
        arguments: text(r, 2),
        procedure: truthy(r, 3),
        result: text(r, 4),
        definition: text(r, 5).trim().to_string(),
        comment: opt(r, 6),
        uses_row_type: truthy(r, 7),
    })
    .collect())
}

/// Schemas other than `public`, and the comments of all (`public` included).
pub(super) fn schemas(
    conn: &mut dyn Connection,
) -> Result<(Vec<String>, BTreeMap<String, String>)> {
    let mut schemas = Vec::new();
    let mut schema_comments = BTreeMap::new();
    for r in query(
        conn,
        "schemas",
        &format!(
            "SELECT n.nspname, obj_description(n.oid, 'pg_namespace') FROM pg_namespace n \
             WHERE {USER_NS} AND {} ORDER BY 1",
            not_extension("n.oid")
        ),
    )? {
        let name = text(&r, 0);
        // `public` is always there; only its comment is modelled (a fresh
        // database's `public` carries "standard public schema").
        if let Some(comment) = opt(&r, 1) {
            schema_comments.insert(name.clone(), comment);
        }
        if name != "public" {
            schemas.push(name);
        }
    }
    Ok((schemas, schema_comments))
}

/// Extensions other than `plpgsql`.
pub(super) fn extensions(conn: &mut dyn Connection) -> Result<Vec<Extension>> {
    Ok(query(
        conn,
        "extensions",
        "SELECT e.extname, n.nspname, e.extversion, obj_description(e.oid, 'pg_extension') FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
         WHERE e.extname <> 'plpgsql' ORDER BY 1",
    )?
    .iter()
    .map(|r| Extension {
        name: text(r, 0),
        schema: text(r, 1),
        version: text(r, 2),
        comment: opt(r, 3),
    })
    .collect())
}
