//! The SQL retort runs on its own behalf, per dialect: the version table and
//! transaction control.

use crate::dialect::Dialect;
use crate::plan::VersionChange;

/// A table that retort owns (the version table), possibly schema-qualified.
/// Names are validated as plain identifiers when the config is loaded, so they
/// never need quoting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRef {
    /// The schema (PostgreSQL/MySQL); `None` for the default.
    pub schema: Option<String>,
    /// The table name.
    pub name: String,
}

impl TableRef {
    /// `schema.name` or `name`.
    pub fn qualified(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{schema}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// The statement that starts a transaction.
pub fn begin(d: &dyn Dialect) -> &'static str {
    d.begin()
}

/// The statement that commits a transaction.
pub fn commit(_d: &dyn Dialect) -> &'static str {
    "COMMIT"
}

/// The statement that rolls a transaction back.
pub fn rollback(_d: &dyn Dialect) -> &'static str {
    "ROLLBACK"
}

/// DDL for the version table: Alembic's layout, so that a database Alembic
/// created (`alembic_version`) is read and written the same way.
pub fn create_version_table(_d: &dyn Dialect, table: &TableRef) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {} (\n    version_num VARCHAR(32) NOT NULL,\n    CONSTRAINT {}_pkc PRIMARY KEY (version_num)\n)",
        table.qualified(),
        table.name
    )
}

/// The query that reads the version table's rows.
pub fn select_versions(table: &TableRef) -> String {
    format!("SELECT version_num FROM {}", table.qualified())
}

/// The statements that apply a version-table change. One row replaced by
/// another is an `UPDATE`, as Alembic writes it.
pub fn version_change(table: &TableRef, change: &VersionChange) -> Vec<String> {
    let t = table.qualified();
    if let ([old], [new]) = (change.delete.as_slice(), change.insert.as_slice()) {
        return vec![format!(
            "UPDATE {t} SET version_num = {} WHERE version_num = {}",
            literal(new),
            literal(old)
        )];
    }
    let deletes = change
        .delete
        .iter()
        .map(|old| format!("DELETE FROM {t} WHERE version_num = {}", literal(old)));
    let inserts = change
        .insert
        .iter()
        .map(|new| format!("INSERT INTO {t} (version_num) VALUES ({})", literal(new)));
    deletes.chain(inserts).collect()
}

/// A string literal, quotes doubled: right for every dialect as long as the
/// text holds no backslash (ids, hashes, statuses). Text that may hold one
/// goes through [`Dialect::literal`].
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_change_forms() {
        let t = TableRef {
            schema: Some("ops".into()),
            name: "retort_version".into(),
        };
        let update = VersionChange {
            delete: vec!["a".into()],
            insert: vec!["b".into()],
        };
        assert_eq!(
            version_change(&t, &update),
            vec!["UPDATE ops.retort_version SET version_num = 'b' WHERE version_num = 'a'"]
        );
        let merge = VersionChange {
            delete: vec!["a".into(), "b".into()],
            insert: vec!["c".into()],
        };
        assert_eq!(
            version_change(&t, &merge),
            vec![
                "DELETE FROM ops.retort_version WHERE version_num = 'a'",
                "DELETE FROM ops.retort_version WHERE version_num = 'b'",
                "INSERT INTO ops.retort_version (version_num) VALUES ('c')",
            ]
        );
        assert!(version_change(&t, &VersionChange::default()).is_empty());
        assert_eq!(literal("it's"), "'it''s'");
    }
}

/// The state a history row records.
pub mod status {
    /// The step completed (its version-table change is committed).
    pub const APPLIED: &str = "applied";
    /// A non-transactional step started and has not finished.
    pub const IN_PROGRESS: &str = "in_progress";
    /// A non-transactional step stopped at a failing statement.
    pub const FAILED: &str = "failed";
    /// `--allow-changed` accepted an edited revision's new checksum.
    pub const ACCEPTED: &str = "accepted";
    /// `retort resolve` closed a half-applied step by hand.
    pub const RESOLVED: &str = "resolved";
}

/// DDL for the history table: one row per applied, reverted, stamped or
/// accepted step, with the checksum of the upgrade section as it ran.
pub fn create_history_table(d: &dyn Dialect, table: &TableRef) -> String {
    let id = d.history_id_column();
    format!(
        "CREATE TABLE IF NOT EXISTS {} (\n    {id},\n    revision VARCHAR(32) NOT NULL,\n    direction VARCHAR(16) NOT NULL,\n    status VARCHAR(16) NOT NULL,\n    checksum VARCHAR(64),\n    statements_done INTEGER NOT NULL DEFAULT 0,\n    statement_hashes TEXT,\n    error TEXT,\n    started_at VARCHAR(40) NOT NULL,\n    duration_ms BIGINT,\n    applied_by VARCHAR(128),\n    retort_version VARCHAR(32) NOT NULL\n)",
        table.qualified()
    )
}

/// One history row to insert.
#[derive(Debug, Clone)]
pub struct HistoryRow<'a> {
    /// The revision.
    pub revision: &'a str,
    /// `upgrade`, `downgrade`, `stamp`, `accept`.
    pub direction: &'a str,
    /// One of [`status`].
    pub status: &'a str,
    /// Checksum of the upgrade section.
    pub checksum: Option<&'a str>,
    /// When the step started (RFC 3339, UTC).
    pub started_at: &'a str,
    /// How long it took; `None` while in progress.
    pub duration_ms: Option<u64>,
    /// The database user, or `None` to let the database say (`current_user`).
    pub applied_by: Option<&'a str>,
}

/// The `INSERT` of a history row.
pub fn insert_history(d: &dyn Dialect, table: &TableRef, row: &HistoryRow<'_>) -> String {
    let literal = |s: &str| d.literal(s);
    let applied_by = match row.applied_by {
        Some(user) => literal(user),
        None => d.current_user_sql().unwrap_or("NULL").to_string(),
    };
    format!(
        "INSERT INTO {} (revision, direction, status, checksum, started_at, duration_ms, applied_by, retort_version) VALUES ({}, {}, {}, {}, {}, {}, {applied_by}, {})",
        table.qualified(),
        literal(row.revision),
        literal(row.direction),
        literal(row.status),
        row.checksum.map_or_else(|| "NULL".into(), literal),
        literal(row.started_at),
        row.duration_ms.map_or_else(|| "NULL".into(), |d| d.to_string()),
        literal(env!("CARGO_PKG_VERSION")),
    )
}

/// Records progress of a non-transactional step: `done` statements ran,
/// with these hashes.
pub fn update_progress(table: &TableRef, revision: &str, done: usize, hashes: &str) -> String {
    format!(
        "UPDATE {} SET statements_done = {done}, statement_hashes = {} WHERE revision = {} AND status IN ('{}', '{}')",
        table.qualified(),
        literal(hashes),
        literal(revision),
        status::IN_PROGRESS,
        status::FAILED
    )
}

/// Marks a non-transactional step failed at a statement, with the error.
pub fn mark_failed(d: &dyn Dialect, table: &TableRef, revision: &str, error: &str) -> String {
    let literal = |s: &str| d.literal(s);
    format!(
        "UPDATE {} SET status = '{}', error = {} WHERE revision = {} AND status IN ('{}', '{}')",
        table.qualified(),
        status::FAILED,
        literal(error),
        literal(revision),
        status::IN_PROGRESS,
        status::FAILED
    )
}

/// Closes a non-transactional step's row: `applied` (with its duration) or
/// `resolved`.
pub fn close_progress(
    table: &TableRef,
    revision: &str,
    new_status: &str,
    duration_ms: Option<u64>,
) -> String {
    format!(
        "UPDATE {} SET status = {}, duration_ms = {}, error = NULL WHERE revision = {} AND status IN ('{}', '{}')",
        table.qualified(),
        literal(new_status),
        duration_ms.map_or_else(|| "NULL".into(), |d| d.to_string()),
        literal(revision),
        status::IN_PROGRESS,
        status::FAILED
    )
}

/// The latest checksum recorded for each revision's upgrade.
pub fn select_checksums(table: &TableRef) -> String {
    format!(
        "SELECT revision, checksum FROM {} WHERE direction = 'upgrade' AND status IN ('{}', '{}') AND checksum IS NOT NULL ORDER BY id",
        table.qualified(),
        status::APPLIED,
        status::ACCEPTED
    )
}

/// Steps left half-done.
pub fn select_unfinished(table: &TableRef) -> String {
    format!(
        "SELECT revision, direction, status, statements_done, coalesce(statement_hashes, ''), coalesce(error, '') FROM {} WHERE status IN ('{}', '{}') ORDER BY id",
        table.qualified(),
        status::IN_PROGRESS,
        status::FAILED
    )
}

/// The advisory-lock key for a version table: stable across runs and
/// machines, different per table, so projects sharing a server do not block
/// each other.
pub fn lock_key(table: &TableRef) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("retort:{}", table.qualified()).as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}
