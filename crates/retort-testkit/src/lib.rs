//! Test harness for retort's integration tests.
//!
//! [`pg::database`] gives each test its own database on a throwaway
//! PostgreSQL cluster that the harness starts itself (`initdb` + `pg_ctl` on
//! a temp dir and a free port, as the `postgres` user when running as root).
//! One cluster serves the whole test run, including nextest's one process per
//! test: processes of one run share it through a lock file, and a watchdog
//! stops it and removes its files when the test runner exits.
//!
//! [`pg::database_on`] does the same on another [`pg::Version`]: PostgreSQL
//! 13, the newest Debian 15 package and 18 are installed on first use into
//! `target/test-tools/` ([`pgtools`]), one cluster per version per run.
//! [`dump::schema`] is the second judge of schema equality: a normalised
//! `pg_dump --schema-only`.
//!
//! [`pg::private_server`] starts a cluster of one test's own, which the test
//! may stop as a crash would (`pg_ctl stop -m immediate`) and start again.
//!
//! A test that needs PostgreSQL never skips: if the server cannot be started,
//! the test fails with a message saying why and how to fix it.
//!
//! [`mariadb::database`] does the same with a throwaway MariaDB (`mariadbd`
//! on a temp datadir, a socket and a free port), for the MySQL dialect.
//!
//! [`citus::database`] gives a database on a real Citus cluster (a
//! coordinator and two workers) when `scripts/build-citus.sh` has built one.
//!
//! [`ledgersmb`] brings LedgerSMB's schema from Debian's package at test
//! time (its GPL licence keeps it out of the repository).

pub mod alembic;
pub mod citus;
pub mod dump;
pub mod ledgersmb;
pub mod mariadb;
pub mod pg;
pub mod pgtools;
pub mod project;
mod sys;
