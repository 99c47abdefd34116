//! Reading a PostgreSQL database into the model from `pg_catalog`,
//! set-wise: one query per kind of object for the whole database, never one
//! per table, so thousands of tables are read in a handful of round trips.
//! Objects that belong to an extension are left to it.

mod citus;
mod privileges;
mod routines;
mod tables;
mod types;
mod views;

use crate::dialect::sql::TableRef;
use crate::dialect::Connection;
use crate::error::Result;
use crate::schema::Schema;

/// Objects of user schemas (as `n`, a `pg_namespace`).
const USER_NS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

/// What every catalog query of one read depends on, read in one query
/// first: the server's version, the objects extensions own, the keywords
/// `quote_ident` quotes, and the operator classes that are not defaults.
struct Facts {
    /// `server_version_num` (`150004` for 15.4).
    version: u32,
    owned: ExtensionOwned,
    keywords: tables::Keywords,
    opclasses: tables::Opclasses,
    /// Citus is installed: tables may be distributed. Read here, not taken
    /// from the connection's engine: a scratch database gets the extension
    /// after its connection is made, and a revision may create it.
    citus: bool,
}

impl Facts {
    fn read(conn: &mut dyn Connection) -> Result<Self> {
        let rows = crate::dialect::catalog::query(
            conn,
            "the server version, extension members and keywords",
            "SELECT 'v', current_setting('server_version_num') \
             UNION ALL SELECT 'e', objid::text FROM pg_depend WHERE deptype = 'e' \
             UNION ALL SELECT 'k', word FROM pg_get_keywords() WHERE catcode <> 'U' \
             UNION ALL SELECT 'o', opc.oid || ' ' || CASE WHEN ocn.nspname = 'pg_catalog' THEN '' \
                 ELSE quote_ident(ocn.nspname) || '.' END || quote_ident(opc.opcname) \
             FROM pg_opclass opc JOIN pg_namespace ocn ON ocn.oid = opc.opcnamespace WHERE NOT opc.opcdefault \
             UNION ALL SELECT 'c', '' WHERE to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL",
        )?;
        let (mut version, mut citus) = (0, false);
        let (mut owned, mut keywords) = (Vec::new(), std::collections::HashSet::new());
        let mut opclasses = std::collections::HashMap::new();
        for row in rows {
            let mut cells = row.into_iter().flatten();
            let (Some(kind), Some(value)) = (cells.next(), cells.next()) else {
                continue;
            };
            match kind.as_str() {
                "v" => version = value.parse().unwrap_or_default(),
                "e" => owned.push(value),
                "c" => citus = true,
                "o" => {
                    if let Some((oid, name)) = value.split_once(' ') {
                        opclasses.insert(oid.parse().unwrap_or_default(), name.to_string());
                    }
                }
                _ => {
                    keywords.insert(value);
                }
            }
        }
        owned.sort();
        Ok(Self {
            version,
            owned: ExtensionOwned(owned.join(", ")),
            keywords: tables::Keywords(keywords),
            opclasses: tables::Opclasses(opclasses),
            citus,
        })
    }
}

/// The objects extensions own (`pg_depend` entries of type `e`), as read
/// once per schema read: a filter on them in every catalog query would scan
/// `pg_depend` again each time.
pub(super) struct ExtensionOwned(String);

impl ExtensionOwned {
    /// SQL: the object whose oid is `oid` is not owned by an extension.
    pub(super) fn not_owned(&self, oid: &str) -> String {
        if self.0.is_empty() {
            "true".to_string()
        } else {
            format!("{oid} NOT IN ({})", self.0)
        }
    }
}

/// Reads the whole schema.
pub(super) fn read(conn: &mut dyn Connection, exclude: &[TableRef]) -> Result<Schema> {
    let Facts {
        version,
        owned,
        keywords,
        opclasses,
        citus,
    } = Facts::read(conn)?;
    let rel = format!("{USER_NS} AND {}", owned.not_owned("c.oid"));
    // `indnullsnotdistinct` is new in PostgreSQL 15.
    let nnd = |index: &str| match version >= 150_000 {
        true => format!("coalesce({index}.indnullsnotdistinct, false)"),
        false => "false".to_string(),
    };
    let (constraint_nnd, index_nnd) = (nnd("cix"), nnd("ix"));
    let (mut b, mut oids) = tables::tables(conn, exclude, &rel)?;
    tables::columns(conn, &mut b, &mut oids, &rel)?;
    tables::constraints(conn, &mut b, &oids, &rel, &constraint_nnd)?;
    let view_indexes = tables::indexes(
        conn,
        &mut b,
        &oids,
        (&keywords, &opclasses),
        &rel,
        &index_nnd,
    )?;
    let mut views = views::views(conn, &rel, view_indexes)?;
    let sequences = types::sequences(conn, &rel)?;
    let types = types::types(conn, &owned)?;
    let (mut view_triggers, rules) = tables::triggers(conn, &mut b, &rel)?;
    for v in &mut views {
        v.triggers = view_triggers.remove(&v.name).unwrap_or_default();
    }
    let functions = routines::functions(conn, &owned)?;
    let operators = routines::operators(conn, &owned)?;
    let (schemas, schema_comments) = routines::schemas(conn, &owned)?;
    let extensions = routines::extensions(conn)?;
    let domains = types::domains(conn, &owned)?;
    tables::policies(conn, &mut b, &rel)?;
    if citus {
        citus::distribution(conn, &mut b)?;
    }
    // Its own query: nothing else reads pg_collation whole.
    let collations = types::collations(conn, &owned)?;
    // One query for every access control list (compared only when asked:
    // autogenerate drops them otherwise).
    let (privileges, default_privileges) = privileges::privileges(conn, exclude, &rel, &owned)?;
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
