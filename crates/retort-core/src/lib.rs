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
//! A project can also be built in memory, for example in a test. This one
//! is applied to an in-memory SQLite database, and then one revision is
//! taken down again:
//!
//! ```
//! # #[cfg(feature = "sqlite")]
//! # fn main() -> retort::Result<()> {
//! use std::path::Path;
//! use retort::{script::Script, Config, Migrator, Project};
//!
//! let revision = |id: &str, parent: &str, up: &str, down: &str| {
//!     let text = format!(
//!         "-- {id}\n--\n-- Revision ID: {id}\n-- Revises: {parent}\n\n-- +upgrade\n{up}\n-- +downgrade\n{down}\n"
//!     );
//!     Script::parse(Path::new(&format!("{id}.sql")), &text)
//! };
//! let scripts = vec![
//!     revision("a1", "", "CREATE TABLE users (id integer PRIMARY KEY);", "DROP TABLE users;")?,
//!     revision("b2", "a1", "ALTER TABLE users ADD COLUMN email text;", "ALTER TABLE users DROP COLUMN email;")?,
//! ];
//! let project = Project::from_scripts(Config::defaults(Path::new(".")), scripts)?;
//! assert_eq!(project.graph().heads(), ["b2"]);
//!
//! let mut migrator = Migrator::connect(project, "sqlite://:memory:")?;
//! let applied = migrator.upgrade("head", &mut |_| {})?;
//! assert_eq!(applied.len(), 2);
//! assert_eq!(migrator.current()?, ["b2"]);
//!
//! migrator.downgrade("-1", &mut |_| {})?;
//! assert_eq!(migrator.current()?, ["a1"]);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "sqlite"))]
//! # fn main() {}
//! ```
//!
//! Tests of a service get a fresh database at head from a template migrated
//! once (see [`testing`]):
//!
//! ```
//! # #[cfg(feature = "sqlite")]
//! # fn main() -> retort::Result<()> {
//! # use std::path::Path;
//! # use retort::{script::Script, Config, Project};
//! # let text = "-- a\n--\n-- Revision ID: a\n-- Revises:\n\n-- +upgrade\nCREATE TABLE t (id integer);\n";
//! # let project = Project::from_scripts(
//! #     Config::defaults(Path::new(".")),
//! #     vec![Script::parse(Path::new("a.sql"), text)?],
//! # )?;
//! let folder = std::env::temp_dir().join(format!("retort-doc-{}", std::process::id()));
//! let server = format!("sqlite:///{}", folder.join("any.db").display());
//! let db = retort::testing::database(&project, &server)?;
//! let mut m = retort::Migrator::connect(project.clone(), db.url())?;
//! assert_eq!(m.current()?, ["a"]);
//! # drop(m);
//! # drop(db);
//! # let _ = std::fs::remove_dir_all(&folder);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "sqlite"))]
//! # fn main() {}
//! ```
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
pub mod fleet;
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
