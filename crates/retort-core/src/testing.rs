//! Fast database tests for services: the project is migrated once per
//! test run into a template database, and each test gets a fresh copy of
//! it instead of replaying every revision.
//!
//! ```no_run
//! # fn t(project: &retort::Project) -> retort::Result<()> {
//! // In a test: a database at head, dropped when `db` goes away.
//! let db = retort::testing::database(project, "postgresql://postgres@127.0.0.1/postgres")?;
//! let url = db.url(); // connect the code under test here
//! # Ok(())
//! # }
//! ```
//!
//! - **The template** is keyed by the project: a hash of every revision's
//!   id and checksum and of the version and history table names, so a
//!   changed revision gets a new template and an old template is never
//!   used for a changed project. It is migrated with the same
//!   [`Migrator`] as production (lock, history rows, checksums), once per
//!   process: test processes that share a server wait for each other on
//!   the run lock, and the later ones find it at head.
//! - **The copy**: SQLite copies the file (the URL names a file in the
//!   folder for the template and the copies); PostgreSQL runs `CREATE
//!   DATABASE … TEMPLATE` on the URL's server (the URL names any database
//!   to connect to, such as `postgres`); MariaDB/MySQL replays the
//!   template's dump in SQL: `SHOW CREATE` of each table, view, trigger
//!   and routine, then each table's rows.
//! - Templates stay on the server (or in the folder) for the next run; a
//!   copy is dropped when its [`TestDatabase`] is.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::db_url::DatabaseUrl;
use crate::dialect::{self, scratch::Cleanup};
use crate::error::Result;
use crate::migrator::Migrator;
use crate::project::Project;

/// A database for one test: a copy of the project's template at head.
/// Dropped (the file removed, the database dropped) with this value.
pub struct TestDatabase {
    url: DatabaseUrl,
    cleanup: Option<Cleanup>,
}

impl TestDatabase {
    /// Its URL, to connect the code under test.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// Its URL, parsed.
    pub fn database_url(&self) -> &DatabaseUrl {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(cleanup) = self.cleanup.take() {
            cleanup();
        }
    }
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("url", &self.url.masked())
            .finish()
    }
}

/// A fresh database at the project's head beside `server` (see the module
/// documentation for what `server` names on each database).
pub fn database(project: &Project, server: &str) -> Result<TestDatabase> {
    let server = DatabaseUrl::parse(server, &project.config.root)?;
    let template = template_name(project);
    ensure_template(project, &server, &template)?;
    let (url, cleanup) = dialect::of(server.kind).test_copy(&server, &template, &copy_name())?;
    Ok(TestDatabase {
        url,
        cleanup: Some(cleanup),
    })
}

/// The template's name: `retort_tpl_` and 16 hex digits of the project's
/// revisions and tables.
pub fn template_name(project: &Project) -> String {
    let mut hash = Sha256::new();
    for table in [project.version_table(), project.history_table()] {
        hash.update(table.qualified().as_bytes());
        hash.update([0]);
    }
    for script in project.scripts() {
        hash.update(script.id.as_bytes());
        hash.update([0]);
        hash.update(script.checksum.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("retort_tpl_{hex}")
}

/// Creates the template if needed and brings it to head, once per process
/// for each server and template.
fn ensure_template(project: &Project, server: &DatabaseUrl, template: &str) -> Result<()> {
    static READY: Mutex<Option<HashSet<(String, String)>>> = Mutex::new(None);
    let key = (server.as_str().to_string(), template.to_string());
    let ready =
        |set: &Option<HashSet<(String, String)>>| set.as_ref().is_some_and(|s| s.contains(&key));
    if READY.lock().map(|set| ready(&set)).unwrap_or(false) {
        return Ok(());
    }
    let url = dialect::of(server.kind).test_template(server, template)?;
    let mut migrator = Migrator::connect_url(project.clone(), &url)?;
    migrator.upgrade("head", &mut |_| {})?;
    drop(migrator);
    if let Ok(mut set) = READY.lock() {
        set.get_or_insert_with(HashSet::new).insert(key);
    }
    Ok(())
}

/// `retort_test_<pid>_<n>_<nanos>`: unique across the processes of a run.
fn copy_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("retort_test_{}_{n}_{nanos}", std::process::id())
}
