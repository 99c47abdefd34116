//! PostgreSQL scratch databases: `retort_scratch_<pid>_<nanos>` on the
//! target's server (or `dev_url`), dropped `WITH (FORCE)` when done. The ones
//! alive in this process are listed so that an interrupt handler, where
//! destructors do not run, can drop them too.

use std::sync::Mutex;

use crate::db_url::DatabaseUrl;
use crate::dialect::{Dialect, Scratch};
use crate::error::{Error, Result};

/// Scratch databases alive in this process: `(admin URL, database name)`.
static LIVE: Mutex<Vec<(DatabaseUrl, String)>> = Mutex::new(Vec::new());

/// Creates a scratch database on `server`.
pub(super) fn create(dialect: &'static dyn Dialect, server: &DatabaseUrl) -> Result<Scratch> {
    let name = scratch_name();
    let mut admin = dialect.connect(server)?;
    admin
        .execute(&format!("CREATE DATABASE {name}"))
        .map_err(|db| Error::db(format!("creating the scratch database {name}"), db))?;
    drop(admin);
    if let Ok(mut live) = LIVE.lock() {
        live.push((server.clone(), name.clone()));
    }
    let admin_url = server.clone();
    let dropped_name = name.clone();
    let cleanup = Box::new(move || {
        drop_database(dialect, &admin_url, &dropped_name);
        if let Ok(mut live) = LIVE.lock() {
            live.retain(|(_, n)| n != &dropped_name);
        }
    });
    match dialect.connect(&server.with_database(&name)) {
        Ok(conn) => Ok(Scratch::new(conn, Some(cleanup))),
        Err(e) => {
            cleanup();
            Err(e)
        }
    }
}

/// Drops every scratch database this process created and has not dropped.
pub(super) fn drop_all(dialect: &'static dyn Dialect) {
    let live = match LIVE.lock() {
        Ok(mut live) => std::mem::take(&mut *live),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    };
    for (admin_url, name) in live {
        drop_database(dialect, &admin_url, &name);
    }
}

/// `DROP DATABASE … WITH (FORCE)`: ends the sessions still using it.
fn drop_database(dialect: &dyn Dialect, admin_url: &DatabaseUrl, name: &str) {
    if let Ok(mut admin) = dialect.connect(admin_url) {
        let _ = admin.execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

/// `retort_scratch_<pid>_<nanos>`: unique, and recognisable if one is ever
/// left behind by a killed process.
fn scratch_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("retort_scratch_{}_{nanos}", std::process::id())
}
