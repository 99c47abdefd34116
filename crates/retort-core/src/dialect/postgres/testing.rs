//! `retort::testing` on PostgreSQL: the template is a database on the
//! server, and each copy is `CREATE DATABASE … TEMPLATE` of it.

use std::time::{Duration, Instant};

use super::Postgres;
use crate::db_url::DatabaseUrl;
use crate::dialect::scratch::Cleanup;
use crate::dialect::Dialect;
use crate::error::{Error, Result};

/// SQLSTATEs: the database exists; a concurrent `CREATE DATABASE` of the
/// same name (unique index of `pg_database`); the template is in use.
const DUPLICATE_DATABASE: &str = "42P04";
const UNIQUE_VIOLATION: &str = "23505";
const IN_USE: &str = "55006";

pub(super) fn template(server: &DatabaseUrl, name: &str) -> Result<DatabaseUrl> {
    let mut admin = Postgres.connect(server)?;
    let found = admin
        .query_column(&format!(
            "SELECT 1 FROM pg_database WHERE datname = '{name}'"
        ))
        .map_err(|db| Error::db("looking for the template database", db))?;
    if found.is_empty() {
        match admin.execute(&format!("CREATE DATABASE {name}")) {
            Ok(()) => {}
            // Another test process made it first.
            Err(db)
                if matches!(
                    db.code.as_deref(),
                    Some(DUPLICATE_DATABASE | UNIQUE_VIOLATION)
                ) => {}
            Err(db) => {
                return Err(Error::db(
                    format!("creating the template database {name}"),
                    db,
                ))
            }
        }
    }
    Ok(server.with_database(name))
}

pub(super) fn copy(
    server: &DatabaseUrl,
    template: &str,
    name: &str,
) -> Result<(DatabaseUrl, Cleanup)> {
    let mut admin = Postgres.connect(server)?;
    // A session still on the template (another process checking it is at
    // head) makes the copy fail for a moment: try again for a while.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match admin.execute(&format!("CREATE DATABASE {name} TEMPLATE {template}")) {
            Ok(()) => break,
            Err(db) if db.code.as_deref() == Some(IN_USE) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(db) => {
                return Err(Error::db(
                    format!("copying the template database {template} to {name}"),
                    db,
                ))
            }
        }
    }
    drop(admin);
    let admin_url = server.clone();
    let drop_sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    let cleanup: Cleanup =
        Box::new(move || crate::dialect::scratch::drop_database(&Postgres, &admin_url, &drop_sql));
    Ok((server.with_database(name), cleanup))
}
