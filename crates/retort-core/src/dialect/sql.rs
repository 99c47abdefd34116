//! The SQL retort runs on its own behalf, per dialect: the version table and
//! transaction control.

use crate::dialect::DialectKind;
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
pub fn begin(kind: DialectKind) -> &'static str {
    match kind {
        DialectKind::Mysql => "START TRANSACTION",
        DialectKind::Sqlite | DialectKind::Postgres => "BEGIN",
    }
}

/// The statement that commits a transaction.
pub fn commit(_kind: DialectKind) -> &'static str {
    "COMMIT"
}

/// The statement that rolls a transaction back.
pub fn rollback(_kind: DialectKind) -> &'static str {
    "ROLLBACK"
}

/// DDL for the version table: Alembic's layout, so that a database Alembic
/// created (`alembic_version`) is read and written the same way.
pub fn create_version_table(_kind: DialectKind, table: &TableRef) -> String {
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

/// A string literal, quotes doubled.
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
