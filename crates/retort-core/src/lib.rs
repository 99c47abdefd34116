//! retort: database schema migrations with Alembic's model, SQL-first.
//!
//! The library behind the `retort` command. A service can embed it to apply
//! its migrations at start-up:
//!
//! ```no_run
//! # fn main() -> retort::Result<()> {
//! retort::upgrade(std::path::Path::new("."), "sqlite:///app.db", "head")?;
//! # Ok(())
//! # }
//! ```
//!
//! Or carry the revisions in the binary, checked at compile time, with
//! `retort_macros::embed_migrations!` (see [`embed`]).
//!
//! The pipeline, one module per arrow:
//!
//! ```text
//! revision files ──script──▶ Script ──graph──▶ RevisionGraph ──plan──▶ Step list ──runner──▶ database
//! ```

#![warn(missing_docs)]

// The stable API: the modules a service or tool builds on.
pub mod autogen;
pub mod code;
pub mod config;
pub mod db_url;
pub mod dialect;
pub mod embed;
pub mod graph;
pub mod header_cache;
pub mod import;
pub mod lint;
#[cfg(feature = "tokio")]
pub mod nonblocking;
pub mod plan;
pub mod progress;
pub mod project;
pub mod schema;
pub mod script;
pub mod testing;
pub mod verify;

// Building blocks of the `retort` command (and of this crate's tests):
// public so that the CLI can reach them, not part of the stable API.
#[doc(hidden)]
pub mod authoring;
#[doc(hidden)]
pub mod load;
#[doc(hidden)]
pub mod runner;
#[doc(hidden)]
pub mod squash;

mod error;
mod migrator;

pub use autogen::Comparison;
pub use config::Config;
pub use db_url::{mask_url, DatabaseUrl};
pub use dialect::{Connection, Dialect, DialectKind};
pub use error::{ChangedRevision, DbError, Error, Result, StatementError};
pub use migrator::{downgrade, offline_script, upgrade, Migrator, Unfinished};
pub use project::Project;
pub use runner::{AppliedStep, Progress};
pub use schema::{Change, Schema};

/// The changes that turn schema `from` into schema `to` on `kind`'s
/// database, both ways: `upgrade` and `downgrade` lists, which
/// [`Comparison::upgrade_sql`] and [`Comparison::downgrade_sql`] render.
///
/// ```
/// use retort::{diff, DialectKind, Schema};
/// let same = diff(DialectKind::Sqlite, &Schema::default(), &Schema::default());
/// assert!(same.is_empty());
/// ```
pub fn diff(kind: DialectKind, from: &Schema, to: &Schema) -> Comparison {
    Comparison::new(kind, from, to)
}
