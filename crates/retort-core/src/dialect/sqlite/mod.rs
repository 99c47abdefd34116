//! SQLite: the embedded default. The connection goes through rusqlite
//! (bundled, so no system library matters); everything else is plain SQL
//! over [`Connection`], so quoting, rendering and splitting work without the
//! `sqlite` feature too.

#[cfg(feature = "sqlite")]
mod conn;
mod introspect;
mod rebuild;
mod render;
mod table_sql;
mod testing;

#[cfg(feature = "sqlite")]
pub use conn::SqliteConnection;

use super::sql::TableRef;
use super::{
    quote, Capabilities, Connection, Dialect, DialectKind, LockKind, OutsideTransaction, Scratch,
    SplitRules,
};
use crate::db_url::DatabaseUrl;
use crate::error::Result;
use crate::schema::{Change, Schema};

/// The SQLite dialect.
#[derive(Debug, Clone, Copy)]
pub struct Sqlite;

static CAPABILITIES: Capabilities = Capabilities {
    transactional_ddl: true,
    lock: LockKind::WriteTransaction,
    schemas: false,
    embedded: true,
    alter_constraints: false,
    rename_constraints: false,
    comments: false,
    ddl_with_dml: true,
    ddl_commits_implicitly: false,
    retry_codes: &[],
    retry_messages: &[],
    fleet_per_server: None,
};

static SPLIT_RULES: SplitRules = SplitRules {
    dollar_quotes: false,
    escape_strings: false,
    backslash_escapes: false,
    backtick_identifiers: true,
    bracket_identifiers: true,
    hash_comments: false,
    dash_comment_needs_space: false,
    nested_block_comments: false,
    delimiter_lines: false,
    begin_atomic: false,
    body_statements: &["TRIGGER"],
    compound_statements: false,
};

/// Turns SQLite's foreign-key enforcement off. In a revision it is also a
/// request to the runner: a pragma that has no effect inside a transaction
/// is run before the revision's `BEGIN` instead (see [`Dialect::outside_transaction`]).
pub const FOREIGN_KEYS_OFF: &str = "PRAGMA foreign_keys = OFF";

/// Turns SQLite's foreign-key enforcement back on (retort's connections have
/// it on).
pub const FOREIGN_KEYS_ON: &str = "PRAGMA foreign_keys = ON";

/// Whether `statement` turns SQLite's foreign-key enforcement off
/// (`PRAGMA foreign_keys = OFF`, `=0`, `= false`, `= no`, any case or spacing).
pub(crate) fn wants_foreign_keys_off(statement: &str) -> bool {
    let compact: String = statement
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ';')
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        compact.as_str(),
        "pragmaforeign_keys=off"
            | "pragmaforeign_keys=0"
            | "pragmaforeign_keys=false"
            | "pragmaforeign_keys=no"
            | "pragmamain.foreign_keys=off"
    )
}

impl Dialect for Sqlite {
    fn kind(&self) -> DialectKind {
        DialectKind::Sqlite
    }

    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    fn split_rules(&self) -> &'static SplitRules {
        &SPLIT_RULES
    }

    fn ident(&self, name: &str) -> String {
        // SQLite folds nothing but compares names case-insensitively, so
        // case alone never needs quotes.
        if quote::is_plain(name, false) {
            name.to_string()
        } else {
            quote::quoted(name, '"')
        }
    }

    fn history_id_column(&self) -> &'static str {
        "id INTEGER PRIMARY KEY"
    }

    fn current_user_sql(&self) -> Option<&'static str> {
        None
    }

    #[cfg(feature = "sqlite")]
    fn connect(&self, url: &DatabaseUrl) -> Result<Box<dyn Connection>> {
        let mut conn: Box<dyn Connection> = Box::new(SqliteConnection::open(url)?);
        super::apply_session(conn.as_mut(), url)?;
        Ok(conn)
    }

    #[cfg(not(feature = "sqlite"))]
    fn connect(&self, _url: &DatabaseUrl) -> Result<Box<dyn Connection>> {
        Err(crate::error::Error::Unsupported("SQLite"))
    }

    fn read_schema(&self, conn: &mut dyn Connection, exclude: &[TableRef]) -> Result<Schema> {
        introspect::read(conn, exclude)
    }

    fn create_scratch(&self, server: &DatabaseUrl) -> Result<Scratch> {
        let memory = DatabaseUrl::parse("sqlite://:memory:", std::path::Path::new("."))?
            .with_session(server.session().to_vec());
        Ok(Scratch::new(self.connect(&memory)?, None))
    }

    fn test_template(&self, server: &DatabaseUrl, name: &str) -> Result<DatabaseUrl> {
        testing::template(server, name)
    }

    fn test_copy(
        &self,
        server: &DatabaseUrl,
        template: &str,
        name: &str,
    ) -> Result<(DatabaseUrl, super::scratch::Cleanup)> {
        testing::copy(server, template, name)
    }

    fn describe_scratch(&self, _server: &DatabaseUrl) -> String {
        "an in-memory SQLite database".to_string()
    }

    fn adapt_changes(&self, changes: Vec<Change>, from: &Schema, to: &Schema) -> Vec<Change> {
        rebuild::collapse(changes, from, to)
    }

    fn render(&self, changes: &[Change]) -> Result<Vec<String>> {
        render::render(changes)
    }

    fn outside_transaction(&self, statements: &[&str]) -> Option<OutsideTransaction> {
        // A table rebuild turns foreign keys off, which SQLite ignores
        // inside a transaction: it is done before the step's BEGIN instead.
        statements
            .iter()
            .any(|s| wants_foreign_keys_off(s))
            .then_some(OutsideTransaction {
                before: FOREIGN_KEYS_OFF,
                after: FOREIGN_KEYS_ON,
            })
    }
}
