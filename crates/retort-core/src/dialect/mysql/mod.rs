//! MySQL 8 / MariaDB 10.6+: lexical rules (splitting, quoting, string
//! literals), capabilities, connecting ([`conn`], behind the `mysql`
//! feature), the named run lock, which statements commit implicitly,
//! introspection from `information_schema`, rendering, and scratch
//! databases (`CREATE DATABASE` on the target's server).

mod adapt;
#[cfg(feature = "mysql")]
pub mod conn;
mod introspect;
mod render;
pub mod server;
mod testing;

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
    // Foreign keys and checks cannot be renamed: dropped and added again.
    rename_constraints: false,
    comments: true,
    ddl_with_dml: false,
    ddl_commits_implicitly: true,
    retry_codes: &[],
    retry_messages: &[],
    fleet_per_server: None,
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

/// Statements after which MySQL commits the open transaction by itself:
/// schema changes, the administration statements that act like them, and
/// transaction control (`LOAD DATA` into InnoDB is transactional).
const IMPLICIT_COMMIT: &[&str] = &[
    "ALTER",
    "CREATE",
    "DROP",
    "RENAME",
    "TRUNCATE",
    "GRANT",
    "REVOKE",
    "LOCK",
    "UNLOCK",
    "ANALYZE",
    "OPTIMIZE",
    "REPAIR",
    "CHECK",
    "INSTALL",
    "UNINSTALL",
    "FLUSH",
    "CACHE",
    // A revision's own transaction control ends retort's transaction too.
    "BEGIN",
    "START",
    "COMMIT",
];

/// The first keywords of a statement (upper case), skipping comments;
/// the code inside `/*! … */` counts, as MySQL runs it.
pub(super) fn leading_words(statement: &str, n: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = statement;
    while words.len() < n {
        rest = rest.trim_start();
        if let Some(r) = rest
            .strip_prefix("/*!")
            .or_else(|| rest.strip_prefix("/*M!"))
        {
            rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("*/") {
            rest = r;
        } else if rest.starts_with('#') || rest.starts_with("-- ") || rest.starts_with("--\n") {
            rest = rest.split_once('\n').map_or("", |(_, after)| after);
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            words.push(rest[..end].to_ascii_uppercase());
            rest = &rest[end..];
        }
    }
    words
}

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

    #[cfg(feature = "mysql")]
    fn connect(&self, url: &DatabaseUrl) -> Result<Box<dyn Connection>> {
        let mut conn: Box<dyn Connection> = Box::new(conn::MysqlConnection::connect(url)?);
        super::apply_session(conn.as_mut(), url)?;
        Ok(conn)
    }

    #[cfg(not(feature = "mysql"))]
    fn connect(&self, _url: &DatabaseUrl) -> Result<Box<dyn Connection>> {
        Err(Error::Unsupported("MariaDB/MySQL"))
    }

    fn commits_implicitly(&self, statement: &str) -> bool {
        let words = leading_words(statement, 2);
        match words.first().map(String::as_str) {
            // Temporary tables do not commit.
            Some("CREATE" | "DROP") if words.get(1).map(String::as_str) == Some("TEMPORARY") => {
                false
            }
            Some(word) => IMPLICIT_COMMIT.contains(&word),
            None => false,
        }
    }

    fn read_schema(&self, conn: &mut dyn Connection, exclude: &[TableRef]) -> Result<Schema> {
        introspect::read(conn, exclude)
    }

    fn create_scratch(&self, server: &DatabaseUrl) -> Result<Scratch> {
        super::scratch::on_server(&Mysql, server, &scratch_statements)
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

    fn describe_scratch(&self, server: &DatabaseUrl) -> String {
        format!(
            "a scratch database (CREATE DATABASE) on {}",
            server.masked()
        )
    }

    fn drop_scratch_databases(&self) {
        super::scratch::drop_all(&Mysql);
    }

    fn adapt_changes(&self, changes: Vec<Change>, from: &Schema, to: &Schema) -> Vec<Change> {
        adapt::adapt(changes, from, to)
    }

    fn render(&self, changes: &[Change]) -> Result<Vec<String>> {
        render::render(changes)
    }
}

/// The statements that make and drop a scratch database named `name`
/// whose defaults are those of the database `admin` is connected to (so
/// that tables without a character set of their own read back alike).
fn scratch_statements(admin: &mut dyn Connection, name: &str) -> Result<(String, String)> {
    let collation = admin
        .query_column("SELECT @@collation_database")
        .map_err(|db| Error::db("reading the database's default collation", db))?
        .into_iter()
        .flatten()
        .next();
    let create = match collation {
        Some(c) => format!("CREATE DATABASE {name} COLLATE {c}"),
        None => format!("CREATE DATABASE {name}"),
    };
    Ok((create, format!("DROP DATABASE IF EXISTS {name}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_statements_commit_implicitly() {
        let d = Mysql;
        for ddl in [
            "CREATE TABLE t (id INT)",
            "alter table t add column x int",
            "  -- note\nDROP INDEX i ON t",
            "# note\nRENAME TABLE a TO b",
            "/* c */ TRUNCATE t",
            "START TRANSACTION",
            "COMMIT",
            "/*!50003 CREATE*/ /*!50017 DEFINER=`u`@`h`*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @x = 1 */",
        ] {
            assert!(d.commits_implicitly(ddl), "{ddl}");
        }
        for dml in [
            "INSERT INTO t VALUES (1)",
            "UPDATE t SET x = 1",
            "delete from t",
            "CREATE TEMPORARY TABLE tmp (id INT)",
            "DROP TEMPORARY TABLE tmp",
            "/*!40101 SET NAMES utf8mb4 */",
            "SELECT 1",
            "LOAD DATA INFILE '/tmp/x' INTO TABLE t",
        ] {
            assert!(!d.commits_implicitly(dml), "{dml}");
        }
    }
}
