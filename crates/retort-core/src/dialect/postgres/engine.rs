//! The engines that speak PostgreSQL's protocol, told apart at connect
//! time, and what each can really do (docs/engines.md cites each engine's
//! documentation).

use super::{BASE, CAPABILITIES as POSTGRES};
use crate::dialect::{Capabilities, Engine, LockKind};
use crate::error::{Error, Result};

/// The environment variable that makes a PostgreSQL connection behave as
/// another engine (its capabilities), whatever the server is. **For
/// testing only**: it lets the CockroachDB and YugabyteDB paths run on
/// a plain PostgreSQL server.
pub const FORCE_ENGINE_ENV: &str = "RETORT_FORCE_ENGINE";

/// The one query that tells the engines apart: `version()` names
/// CockroachDB and YugabyteDB (`…-YB-…`); Citus is an extension.
pub(super) const DETECT_SQL: &str =
    "SELECT version(), EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')::text";

/// CockroachDB: schema changes are not transactional (one per
/// transaction, outside explicit transactions where possible), advisory
/// locks are accepted but lock nothing, and transactions are serializable,
/// so `40001` asks the client to retry.
static COCKROACHDB: Capabilities = Capabilities {
    transactional_ddl: false,
    lock: LockKind::Lease,
    ddl_with_dml: false,
    ddl_commits_implicitly: false,
    retry_codes: &["40001"],
    retry_messages: &["restart transaction"],
    ..BASE
};

/// YugabyteDB: each DDL statement is its own transaction unless the
/// (early-access) transactional DDL flag is on, advisory locks are not
/// dependable across nodes, and both serialization failures and catalog
/// version mismatches after a concurrent DDL are to be retried. A fleet
/// opens one connection per cluster at a time: concurrent DDL on one
/// cluster is what causes catalog version mismatches.
static YUGABYTEDB: Capabilities = Capabilities {
    transactional_ddl: false,
    lock: LockKind::Lease,
    ddl_with_dml: false,
    ddl_commits_implicitly: false,
    retry_codes: &["40001"],
    retry_messages: &[
        "Catalog Version Mismatch",
        "catalog snapshot used for this transaction has been invalidated",
        "schema version mismatch",
    ],
    fleet_per_server: Some(1),
    ..BASE
};

/// The capabilities of a PostgreSQL-protocol engine. Citus is PostgreSQL
/// with an extension: advisory locks work on the coordinator, DDL is
/// transactional (and propagated to the workers).
pub(super) fn capabilities(engine: Engine) -> &'static Capabilities {
    match engine {
        Engine::CockroachDb => &COCKROACHDB,
        Engine::YugabyteDb => &YUGABYTEDB,
        _ => &POSTGRES,
    }
}

/// The engine a `version()` string and the Citus check describe.
pub(super) fn classify(version: &str, citus: bool) -> Engine {
    if version.contains("CockroachDB") {
        Engine::CockroachDb
    } else if version.contains("-YB-") {
        Engine::YugabyteDb
    } else if citus {
        Engine::Citus
    } else {
        Engine::Postgres
    }
}

/// The engine [`FORCE_ENGINE_ENV`] asks for, if set.
pub(super) fn forced() -> Result<Option<Engine>> {
    let Ok(value) = std::env::var(FORCE_ENGINE_ENV) else {
        return Ok(None);
    };
    if value.trim().is_empty() {
        return Ok(None);
    }
    match Engine::from_name(&value) {
        Some(
            e @ (Engine::Postgres | Engine::Citus | Engine::CockroachDb | Engine::YugabyteDb),
        ) => Ok(Some(e)),
        _ => Err(Error::Usage(format!(
            "{FORCE_ENGINE_ENV}={value}: expected postgresql, citus, cockroachdb or yugabytedb (a test-only override)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_version_strings() {
        let crdb =
            "CockroachDB CCL v24.1.0 (x86_64-pc-linux-gnu, built 2024/05/15 21:28:29, go1.22.2)";
        assert_eq!(classify(crdb, false), Engine::CockroachDb);
        let yb = "PostgreSQL 11.2-YB-2.20.1.0-b0 on x86_64-pc-linux-gnu, compiled by clang";
        assert_eq!(classify(yb, false), Engine::YugabyteDb);
        let pg = "PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu";
        assert_eq!(classify(pg, false), Engine::Postgres);
        assert_eq!(classify(pg, true), Engine::Citus);
    }

    #[test]
    fn engines_differ_where_the_docs_say() {
        assert!(capabilities(Engine::Postgres).transactional_ddl);
        assert_eq!(capabilities(Engine::Citus).lock, LockKind::Session);
        let crdb = capabilities(Engine::CockroachDb);
        assert!(!crdb.transactional_ddl && crdb.lock == LockKind::Lease);
        let yb = capabilities(Engine::YugabyteDb);
        assert_eq!(yb.fleet_per_server, Some(1));
        let mismatch = crate::error::DbError {
            message:
                "Catalog Version Mismatch: A DDL occurred while processing this query. Try again."
                    .into(),
            code: Some("XX000".into()),
            ..Default::default()
        };
        assert!(yb.is_retryable(&mismatch));
        assert!(!crdb.is_retryable(&mismatch));
        assert!(!capabilities(Engine::Postgres).is_retryable(&mismatch));
    }
}
