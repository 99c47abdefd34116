//! Reading a PostgreSQL database into the model from `pg_catalog`,
//! set-wise: one query per kind of object for the whole database, never one
//! per table, so thousands of tables are read in a handful of round trips.
//! Objects that belong to an extension are left to it.

mod privileges;
mod routines;
mod tables;
mod types;
mod views;

use crate::dialect::catalog::Builder;
use crate::dialect::sql::TableRef;
use crate::dialect::Connection;
use crate::error::Result;
use crate::schema::Schema;

/// Objects of user schemas (as `n`, a `pg_namespace`).
const USER_NS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

/// The object whose oid is `oid` is not owned by an extension.
fn not_extension(oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.objid = {oid} AND dep.deptype = 'e')"
    )
}

/// Reads the whole schema.
pub(super) fn read(conn: &mut dyn Connection, exclude: &[TableRef]) -> Result<Schema> {
    let rel = format!("{USER_NS} AND {}", not_extension("c.oid"));
    let mut b: Builder = tables::tables(conn, exclude, &rel)?;
    tables::columns(conn, &mut b, &rel)?;
    tables::constraints(conn, &mut b, &rel)?;
    let view_indexes = tables::indexes(conn, &mut b, &rel)?;
    let mut views = views::views(conn, &rel, view_indexes)?;
    let sequences = types::sequences(conn, &rel)?;
    let types = types::types(conn)?;
    let (mut view_triggers, rules) = tables::triggers(conn, &mut b, &rel)?;
    for v in &mut views {
        v.triggers = view_triggers.remove(&v.name).unwrap_or_default();
    }
    let functions = routines::functions(conn)?;
    let operators = routines::operators(conn)?;
    let (schemas, schema_comments) = routines::schemas(conn)?;
    let extensions = routines::extensions(conn)?;
    let domains = types::domains(conn)?;
    tables::policies(conn, &mut b, &rel)?;
    // Its own query: nothing else reads pg_collation whole.
    let collations = types::collations(conn)?;
    // One query for every access control list (compared only when asked:
    // autogenerate drops them otherwise).
    let (privileges, default_privileges) = privileges::privileges(conn, exclude, &rel)?;
    Ok(Schema {
        tables: b.tables,
        views,
        sequences,
        enums: types.enums,
        functions,
        schemas,
        schema_comments,
        extensions,
        domains,
        virtual_tables: Vec::new(),
        collations,
        composite_types: types.composites,
        range_types: types.ranges,
        rules,
        operators,
        privileges,
        default_privileges,
    })
}
