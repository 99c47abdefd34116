//! Code migrations: revisions whose upgrade (and downgrade) is a Rust
//! function, for data changes SQL cannot express.
//!
//! A code migration is a revision file like any other — it has its place in
//! the graph through its `Revises` header — whose header names the function
//! with `Code: NAME` and whose sections hold no SQL:
//!
//! ```sql
//! -- Split full names into first and last
//! --
//! -- Revision ID: 7c1f0a2b9d33
//! -- Revises: 5e1a7c3d9f40
//! -- Code: split_names
//!
//! -- +upgrade
//! -- +downgrade
//! ```
//!
//! The service registers the function with [`crate::Migrator::register_code`]
//! before upgrading. It runs on the migrator's connection inside the step's
//! transaction, under the run lock, with the same version-table change and
//! history row as a SQL revision; an error rolls the step back. The `retort`
//! command lists and shows code migrations and refuses to run them, since
//! only the service has the code.

use std::collections::HashMap;
use std::sync::Arc;

use crate::dialect::Connection;

/// What a code migration returns: any error, reported with the revision.
pub type CodeResult = std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A code migration's upgrade or downgrade: runs on the migrator's
/// connection, inside the step's transaction.
pub type CodeFn = Arc<dyn Fn(&mut dyn Connection) -> CodeResult + Send + Sync>;

/// The functions registered for one `Code:` name.
#[derive(Clone)]
pub struct CodeMigration {
    /// Runs for the upgrade.
    pub upgrade: CodeFn,
    /// Runs for the downgrade; `None` when there is none (the revision file
    /// must then have no `-- +downgrade` marker).
    pub downgrade: Option<CodeFn>,
}

/// The code migrations a service registered, by `Code:` name.
#[derive(Clone, Default)]
pub struct CodeMigrations {
    by_name: HashMap<String, CodeMigration>,
}

impl CodeMigrations {
    /// Registers `migration` under `name` (replacing an earlier one).
    pub fn insert(&mut self, name: impl Into<String>, migration: CodeMigration) {
        self.by_name.insert(name.into(), migration);
    }

    /// The migration registered under `name`.
    pub fn get(&self, name: &str) -> Option<&CodeMigration> {
        self.by_name.get(name)
    }

    /// True when nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

impl std::fmt::Debug for CodeMigrations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.by_name.keys().collect();
        names.sort();
        f.debug_struct("CodeMigrations")
            .field("names", &names)
            .finish()
    }
}
