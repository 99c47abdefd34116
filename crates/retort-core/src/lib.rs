//! retort: database schema migrations with Alembic's model, SQL-first.
//!
//! The library behind the `retort` command. A service can embed it to apply
//! its migrations at start-up with the same locking and checksums the CLI uses.
//!
//! The pipeline, one module per arrow:
//!
//! ```text
//! revision files ──script──▶ Script ──graph──▶ RevisionGraph ──plan──▶ Plan ──runner──▶ database
//! ```

pub mod dialect;
pub mod graph;
pub mod plan;
pub mod script;
