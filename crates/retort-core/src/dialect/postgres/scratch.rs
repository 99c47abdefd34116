//! Scratch databases shaped like their target: the target's extensions
//! (those the loaded SQL does not create itself), and on a Citus
//! coordinator the same cluster: the scratch database is created on every
//! worker too, with the extension, and the workers are added to it, so
//! that `create_distributed_table` and its siblings work there as on the
//! target.

use super::Postgres;
use crate::db_url::DatabaseUrl;
use crate::dialect::catalog::{query, text};
use crate::dialect::scratch::{self, Scratch};
use crate::dialect::{Connection, Dialect};
use crate::error::{Error, Result};

/// What the target has that a scratch database must have too.
struct Shape {
    /// Extensions other than `plpgsql`: (name, schema).
    extensions: Vec<(String, String)>,
    /// Citus's primary nodes (host, port, group; group 0 is the
    /// coordinator), when Citus is installed.
    citus_nodes: Option<Vec<(String, u16, u32)>>,
}

/// A scratch database on `server`, shaped like the database the URL names.
/// `created_by_sql`: the extensions the SQL to be loaded creates itself
/// (`None`: only Citus is copied, nothing else).
pub(super) fn create(server: &DatabaseUrl, created_by_sql: Option<&[String]>) -> Result<Scratch> {
    // Read through the connection that creates the scratch database: no
    // second connection to the target.
    let shape = std::cell::RefCell::new(None);
    let mut scratch = scratch::on_server(&Postgres, server, &|admin, name| {
        *shape.borrow_mut() = Some(read_shape(admin)?);
        Ok((
            format!("CREATE DATABASE {name}"),
            // Ends the sessions still using it.
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        ))
    })?;
    let shape = shape.into_inner().unwrap_or(Shape {
        extensions: Vec::new(),
        citus_nodes: None,
    });
    if let Some(nodes) = &shape.citus_nodes {
        join_cluster(server, &mut scratch, nodes)?;
    }
    let created = created_by_sql.unwrap_or_default();
    for (name, schema) in &shape.extensions {
        let wanted = created_by_sql.is_some() && name != "citus";
        if wanted && !created.iter().any(|c| c.eq_ignore_ascii_case(name)) {
            create_extension(scratch.connection(), name, schema)?;
        }
    }
    Ok(scratch)
}

fn read_shape(conn: &mut dyn Connection) -> Result<Shape> {
    let extensions: Vec<(String, String)> = query(
        conn,
        "the target's extensions",
        "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
         WHERE e.extname <> 'plpgsql' ORDER BY 1",
    )?
    .iter()
    .map(|r| (text(r, 0), text(r, 1)))
    .collect();
    let citus_nodes = if extensions.iter().any(|(name, _)| name == "citus") {
        let rows = query(
            conn,
            "the Citus nodes",
            "SELECT nodename, nodeport, groupid FROM pg_dist_node \
             WHERE noderole = 'primary' AND isactive ORDER BY groupid, nodeid",
        )?;
        Some(
            rows.iter()
                .map(|r| {
                    let number = |i| text(r, i).parse().unwrap_or_default();
                    (text(r, 0), number(1) as u16, number(2))
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(Shape {
        extensions,
        citus_nodes,
    })
}

fn create_extension(conn: &mut dyn Connection, name: &str, schema: &str) -> Result<()> {
    let d = Postgres;
    let sql = format!(
        "CREATE SCHEMA IF NOT EXISTS {schema}; CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {schema}",
        d.ident(name),
        schema = d.ident(schema)
    );
    conn.execute(&sql).map_err(|db| {
        Error::db(
            format!("creating extension {name} in the scratch database, as the target has it"),
            db,
        )
    })
}

/// Makes the scratch database a Citus database of the same cluster: the
/// extension on the coordinator and on every worker (a database of the
/// same name, reached with the target's user and password), and the nodes
/// registered on the coordinator.
fn join_cluster(
    server: &DatabaseUrl,
    scratch: &mut Scratch,
    nodes: &[(String, u16, u32)],
) -> Result<()> {
    let name = scratch
        .connection()
        .query_column("SELECT current_database()")
        .map_err(|db| Error::db("reading the scratch database's name", db))?
        .pop()
        .flatten()
        .unwrap_or_default();
    let mut register = vec!["CREATE EXTENSION IF NOT EXISTS citus".to_string()];
    for (host, port, group) in nodes {
        let literal = Postgres.literal(host);
        if *group == 0 {
            register.push(format!(
                "SELECT citus_set_coordinator_host({literal}, {port})"
            ));
            continue;
        }
        let worker = server.with_host_port(host, *port);
        let drop_sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let mut admin = Postgres.connect(&worker)?;
        admin
            .execute(&format!("CREATE DATABASE {name}"))
            .map_err(|db| {
                Error::db(
                    format!("creating the scratch database on Citus worker {host}:{port}"),
                    db,
                )
            })?;
        drop(admin);
        scratch.add_companion(&Postgres, worker.clone(), name.clone(), drop_sql);
        Postgres
            .connect(&worker.with_database(&name))?
            .execute("CREATE EXTENSION IF NOT EXISTS citus")
            .map_err(|db| {
                Error::db(
                    format!("creating extension citus on worker {host}:{port}"),
                    db,
                )
            })?;
        register.push(format!("SELECT citus_add_node({literal}, {port})"));
    }
    for sql in register {
        scratch
            .connection()
            .execute(&sql)
            .map_err(|db| Error::db("joining the scratch database to the Citus cluster", db))?;
    }
    Ok(())
}
