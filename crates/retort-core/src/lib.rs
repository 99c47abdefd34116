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
//! The pipeline, one module per arrow:
//!
//! ```text
//! revision files ──script──▶ Script ──graph──▶ RevisionGraph ──plan──▶ Step list ──runner──▶ database
//! ```

pub mod authoring;
pub mod autogen;
pub mod config;
pub mod db_url;
pub mod dialect;
mod error;
pub mod graph;
pub mod lint;
mod migrator;
pub mod plan;
pub mod progress;
pub mod project;
pub mod runner;
pub mod schema;
pub mod script;
pub mod squash;
pub mod verify;

pub use config::Config;
pub use db_url::{mask_url, DatabaseUrl};
pub use error::{ChangedRevision, DbError, Error, Result, StatementError};
pub use migrator::{offline_script, upgrade, Migrator, Unfinished};
pub use project::Project;
