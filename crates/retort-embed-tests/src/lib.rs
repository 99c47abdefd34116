//! Tests of `embed_migrations!` and of the library as a service uses it:
//! the projects below are compiled into this crate, and `tests/` applies
//! them to SQLite, PostgreSQL and MariaDB, and builds small crates that
//! embed migrations to show what the macro refuses and when it rebuilds.

use retort::embed::EmbeddedProject;

/// The README's example project (`examples/resumator`), with its
/// `retort.toml`.
pub static RESUMATOR: EmbeddedProject =
    retort_macros::embed_migrations!("../../examples/resumator/migrations");

/// The same revisions as a Windows checkout leaves them: CRLF line
/// endings and a byte-order mark (`tests/crlf`, kept so by its
/// `.gitattributes`), without a `retort.toml`.
pub static RESUMATOR_CRLF: EmbeddedProject = retort_macros::embed_migrations!("tests/crlf");

/// Three revisions in SQL that SQLite, PostgreSQL and MariaDB all run
/// (`tests/portable`, no `retort.toml`): two tables and seed rows.
pub static PORTABLE: EmbeddedProject = retort_macros::embed_migrations!("tests/portable");
