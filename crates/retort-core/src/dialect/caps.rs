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
    /// A lease: a row in a lock table naming its holder and an expiry,
    /// renewed by a heartbeat while the run lasts, and taken over once it
    /// expires (engines whose advisory locks are missing or cannot be
    /// trusted: CockroachDB, YugabyteDB). See docs/engines.md.
    Lease,
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
    /// A DDL statement may share a transaction with data statements (the
    /// step's own version-table and history writes). Without it (and
    /// without transactional DDL), each DDL statement runs alone, outside
    /// any transaction, and its progress is recorded right after
    /// (CockroachDB: one schema change per transaction).
    pub ddl_with_dml: bool,
    /// A DDL statement commits the open transaction by itself (MySQL), so
    /// the runner need not commit before it.
    pub ddl_commits_implicitly: bool,
    /// Errors worth retrying: a statement (or a bookkeeping write) that
    /// failed with one of these SQLSTATEs, or whose message holds one of
    /// [`Capabilities::retry_messages`], committed nothing and is run again
    /// a bounded number of times, with backoff.
    pub retry_codes: &'static [&'static str],
    /// Message fragments that also mark an error as worth retrying
    /// (YugabyteDB's catalog version mismatch).
    pub retry_messages: &'static [&'static str],
    /// How many connections a fleet opens at once on one server of this
    /// engine by default (`None`: as many as `--parallel` allows).
    pub fleet_per_server: Option<usize>,
}

impl Capabilities {
    /// Whether `error` is one that [`Capabilities::retry_codes`] or
    /// [`Capabilities::retry_messages`] says to retry.
    pub fn is_retryable(&self, error: &crate::error::DbError) -> bool {
        error
            .code
            .as_deref()
            .is_some_and(|code| self.retry_codes.contains(&code))
            || self
                .retry_messages
                .iter()
                .any(|m| error.message.contains(m))
    }
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
