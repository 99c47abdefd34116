//! What a database can do, and how its SQL is lexed: plain data each
//! dialect fills once, so that the runner, the diff and the splitter decide
//! by a capability rather than by the database's name.

/// How a run keeps other runners out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    /// A session-level lock held for the whole run and released with the
    /// session (PostgreSQL's advisory locks).
    Session,
    /// The database's write lock, taken by each transaction (SQLite's
    /// `BEGIN IMMEDIATE`); the version table is re-checked before each step.
    WriteTransaction,
    /// A named lock tied to the session (MySQL's `GET_LOCK`).
    Named,
}

/// What a database can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// DDL runs inside a transaction and rolls back with it. Without it,
    /// every step goes down the recorded, resumable non-transactional path.
    pub transactional_ddl: bool,
    /// How a run is locked.
    pub lock: LockKind,
    /// Objects live in named schemas (`schema.table`).
    pub schemas: bool,
    /// The database is a file or memory, not a server (no host, no port,
    /// scratch databases in memory).
    pub embedded: bool,
    /// `ALTER TABLE` can add, drop and alter constraints and columns in
    /// place; without it such changes rebuild the table.
    pub alter_constraints: bool,
    /// Constraints and indexes can be renamed (`RENAME CONSTRAINT`,
    /// `ALTER INDEX … RENAME`), so renaming a table can carry their names.
    pub rename_constraints: bool,
    /// `COMMENT ON` and comments on columns.
    pub comments: bool,
}

/// How the statement splitter reads a dialect's SQL: where a `;` does not
/// end a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitRules {
    /// `$tag$ … $tag$` bodies (PostgreSQL).
    pub dollar_quotes: bool,
    /// `E'…'` strings with backslash escapes (PostgreSQL).
    pub escape_strings: bool,
    /// Backslash escapes in every string (MySQL).
    pub backslash_escapes: bool,
    /// `` `name` `` identifiers.
    pub backtick_identifiers: bool,
    /// `[name]` identifiers (SQLite).
    pub bracket_identifiers: bool,
    /// `#` line comments and `/*! … */` conditional comments (MySQL).
    pub hash_comments: bool,
    /// `--` starts a comment only when whitespace follows (MySQL).
    pub dash_comment_needs_space: bool,
    /// `/* /* */ */` nests (PostgreSQL).
    pub nested_block_comments: bool,
    /// `DELIMITER` lines change the statement terminator (MySQL clients).
    pub delimiter_lines: bool,
    /// `BEGIN ATOMIC … END` bodies (PostgreSQL 14+).
    pub begin_atomic: bool,
    /// `CREATE` statements whose `BEGIN … END` is a body, not a transaction.
    pub body_statements: &'static [&'static str],
    /// Blocks nest inside bodies, and `END IF`/`END LOOP`… close constructs
    /// that open without `BEGIN` (MySQL's compound statements).
    pub compound_statements: bool,
}
