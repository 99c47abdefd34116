//! Functions and procedures, and the schemas and extensions they live in.

use std::collections::BTreeMap;

use super::{ExtensionOwned, USER_NS};
use crate::dialect::catalog::{opt, query, text, truthy};
use crate::dialect::Connection;
use crate::error::Result;
use crate::schema::{Extension, Function, Operator, QualifiedName};

/// An aggregate's `CREATE OR REPLACE AGGREGATE` statement, built from its
/// `pg_aggregate` row (`ag`) and `pg_proc` row (`p`, namespace `n`): no
/// catalog function prints one. Options at their defaults are left out.
const AGGREGATE_SQL: &str = "'CREATE OR REPLACE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname) \
    || '(' || coalesce(nullif(pg_get_function_arguments(p.oid), ''), '*') || ') (' || concat_ws(', ', \
    'SFUNC = ' || ag.aggtransfn::regproc::text, 'STYPE = ' || format_type(ag.aggtranstype, NULL), \
    CASE WHEN ag.aggtransspace <> 0 THEN 'SSPACE = ' || ag.aggtransspace END, \
    CASE WHEN ag.aggfinalfn::oid <> 0 THEN 'FINALFUNC = ' || ag.aggfinalfn::regproc::text END, \
    CASE WHEN ag.aggfinalextra THEN 'FINALFUNC_EXTRA' END, \
    CASE WHEN ag.aggfinalfn::oid <> 0 THEN 'FINALFUNC_MODIFY = ' || CASE ag.aggfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END, \
    CASE WHEN ag.aggcombinefn::oid <> 0 THEN 'COMBINEFUNC = ' || ag.aggcombinefn::regproc::text END, \
    CASE WHEN ag.aggserialfn::oid <> 0 THEN 'SERIALFUNC = ' || ag.aggserialfn::regproc::text END, \
    CASE WHEN ag.aggdeserialfn::oid <> 0 THEN 'DESERIALFUNC = ' || ag.aggdeserialfn::regproc::text END, \
    'INITCOND = ' || quote_literal(ag.agginitval), \
    CASE WHEN ag.aggmtransfn::oid <> 0 THEN 'MSFUNC = ' || ag.aggmtransfn::regproc::text || ', MINVFUNC = ' \
        || ag.aggminvtransfn::regproc::text || ', MSTYPE = ' || format_type(ag.aggmtranstype, NULL) END, \
    CASE WHEN ag.aggmtransspace <> 0 THEN 'MSSPACE = ' || ag.aggmtransspace END, \
    CASE WHEN ag.aggmfinalfn::oid <> 0 THEN 'MFINALFUNC = ' || ag.aggmfinalfn::regproc::text END, \
    CASE WHEN ag.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END, \
    CASE WHEN ag.aggmfinalfn::oid <> 0 THEN 'MFINALFUNC_MODIFY = ' || CASE ag.aggmfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END, \
    'MINITCOND = ' || quote_literal(ag.aggminitval), \
    (SELECT 'SORTOP = OPERATOR(' || quote_ident(opn.nspname) || '.' || o.oprname || ')' FROM pg_operator o \
       JOIN pg_namespace opn ON opn.oid = o.oprnamespace WHERE o.oid = ag.aggsortop), \
    CASE WHEN ag.aggkind = 'h' THEN 'HYPOTHETICAL' END, \
    CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED' END) || ')'";

/// Functions, procedures and aggregates of user schemas (not an
/// extension's).
pub(super) fn functions(
    conn: &mut dyn Connection,
    owned: &ExtensionOwned,
) -> Result<Vec<Function>> {
    // Window functions (prokind 'w') are left out, and so are the
    // constructors a range type makes for itself (an internal dependency).
    Ok(query(
        conn,
        "functions",
        &format!(
            "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), p.prokind = 'p', \
             coalesce(pg_get_function_result(p.oid), ''), \
             CASE WHEN p.prokind = 'a' THEN {AGGREGATE_SQL} ELSE pg_get_functiondef(p.oid) END, (SELECT d.description FROM pg_description d WHERE d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0), \
             EXISTS (SELECT 1 FROM pg_type rt JOIN pg_class rc ON rc.oid = rt.typrelid WHERE rc.relkind IN ('r', 'p', 'v', 'm') \
               AND (rt.oid = p.prorettype OR rt.typarray = p.prorettype \
               OR rt.oid = ANY(coalesce(p.proallargtypes, p.proargtypes::oid[])) \
               OR rt.typarray = ANY(coalesce(p.proallargtypes, p.proargtypes::oid[])))), p.prokind = 'a' FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid \
             WHERE p.prokind IN ('f', 'p', 'a') AND {USER_NS} AND {} \
             AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i') \
             ORDER BY 1, 2, 3",
            owned.not_owned("p.oid")
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
        aggregate: truthy(r, 8),
    })
    .collect())
}

/// Schemas other than `public`, and the comments of all (`public` included).
pub(super) fn schemas(
    conn: &mut dyn Connection,
    owned: &ExtensionOwned,
) -> Result<(Vec<String>, BTreeMap<String, String>)> {
    let mut schemas = Vec::new();
    let mut schema_comments = BTreeMap::new();
    for r in query(
        conn,
        "schemas",
        &format!(
            "SELECT n.nspname, (SELECT d.description FROM pg_description d WHERE d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0) FROM pg_namespace n \
             WHERE {USER_NS} AND {} ORDER BY 1",
            owned.not_owned("n.oid")
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
        "SELECT e.extname, n.nspname, e.extversion, (SELECT d.description FROM pg_description d WHERE d.objoid = e.oid AND d.classoid = 'pg_extension'::regclass AND d.objsubid = 0) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
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

/// User-defined operators (not those of extensions), with their comments.
/// Operand types and functions are spelled as the catalog prints them
/// (qualified unless visible); commutator and negator are qualified.
pub(super) fn operators(
    conn: &mut dyn Connection,
    owned: &ExtensionOwned,
) -> Result<Vec<Operator>> {
    let other = |column: &str| {
        format!(
            "(SELECT quote_ident(xn.nspname) || '.' || x.oprname FROM pg_operator x \
             JOIN pg_namespace xn ON xn.oid = x.oprnamespace WHERE x.oid = o.{column})"
        )
    };
    let rows = query(
        conn,
        "operators",
        &format!(
            "SELECT n.nspname, o.oprname, CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END, \
             CASE WHEN o.oprright <> 0 THEN format_type(o.oprright, NULL) END, o.oprcode::regproc::text, \
             {}, {}, CASE WHEN o.oprrest::oid <> 0 THEN o.oprrest::regproc::text END, \
             CASE WHEN o.oprjoin::oid <> 0 THEN o.oprjoin::regproc::text END, o.oprcanhash, o.oprcanmerge, \
             (SELECT d.description FROM pg_description d WHERE d.objoid = o.oid AND d.classoid = 'pg_operator'::regclass AND d.objsubid = 0) \
             FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace \
             WHERE {USER_NS} AND {} ORDER BY 1, 2, 3, 4",
            other("oprcom"),
            other("oprnegate"),
            owned.not_owned("o.oid")
        ),
    )?;
    Ok(rows
        .iter()
        .map(|r| Operator {
            name: QualifiedName::new(text(r, 0), text(r, 1)),
            left: opt(r, 2),
            right: opt(r, 3),
            function: text(r, 4),
            commutator: opt(r, 5),
            negator: opt(r, 6),
            restrict: opt(r, 7),
            join: opt(r, 8),
            hashes: truthy(r, 9),
            merges: truthy(r, 10),
            comment: opt(r, 11),
        })
        .collect())
}
