//! MySQL 8 / MariaDB 10.6+: the dialect's lexical rules (splitting, quoting,
//! string literals) and capabilities are known, so revision files split and
//! offline scripts quote correctly; connecting, introspection, scratch
//! databases and rendering are not built yet and say so.

use super::sql::TableRef;
use super::{quote, Capabilities, Connection, Dialect, DialectKind, LockKind, Scratch, SplitRules};
use crate::db_url::DatabaseUrl;
use crate::error::{Error, Result};
use crate::schema::{Change, Schema};

/// The MySQL/MariaDB dialect.
#[derive(Debug, Clone, Copy)]
pub struct Mysql;

static CAPABILITIES: Capabilities = Capabilities {
    // DDL commits implicitly.
    transactional_ddl: false,
    lock: LockKind::Named,
    schemas: true,
    embedded: false,
    alter_constraints: true,
    rename_constraints: true,
    comments: true,
};

static SPLIT_RULES: SplitRules = SplitRules {
    dollar_quotes: false,
    escape_strings: false,
    backslash_escapes: true,
    backtick_identifiers: true,
    bracket_identifiers: false,
    hash_comments: true,
    dash_comment_needs_space: true,
    nested_block_comments: false,
    delimiter_lines: true,
    begin_atomic: false,
    body_statements: &["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"],
    compound_statements: true,
};

/// What is not built yet.
const PLANNED: &str = "MySQL/MariaDB (planned)";

impl Dialect for Mysql {
    fn kind(&self) -> DialectKind {
        DialectKind::Mysql
    }

    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    fn split_rules(&self) -> &'static SplitRules {
        &SPLIT_RULES
    }

    fn ident(&self, name: &str) -> String {
        // Unquoted names keep their case (table names may be case-sensitive
        // on disk), so case alone never needs quotes.
        if quote::is_plain(name, false) {
            name.to_string()
        } else {
            quote::quoted(name, '`')
        }
    }

    fn literal(&self, text: &str) -> String {
        // Backslash is an escape character in MySQL strings (unless
        // NO_BACKSLASH_ESCAPES): double it as well as the quote.
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
    }

    fn begin(&self) -> &'static str {
        "START TRANSACTION"
    }

    fn history_id_column(&self) -> &'static str {
        "id BIGINT AUTO_INCREMENT PRIMARY KEY"
    }

    fn current_user_sql(&self) -> Option<&'static str> {
        Some("current_user()")
    }

    fn connect(&self, _url: &DatabaseUrl) -> Result<Box<dyn Connection>> {
        Err(Error::Unsupported(PLANNED))
    }

    fn read_schema(&self, _conn: &mut dyn Connection, _exclude: &[TableRef]) -> Result<Schema> {
        Err(Error::Unsupported("MySQL/MariaDB introspection (planned)"))
    }

    fn create_scratch(&self, _server: &DatabaseUrl) -> Result<Scratch> {
        Err(Error::Unsupported(
            "MySQL/MariaDB scratch databases (planned)",
        ))
    }

    fn render(&self, _changes: &[Change]) -> Result<Vec<String>> {
        Err(Error::Unsupported(PLANNED))
    }
}
