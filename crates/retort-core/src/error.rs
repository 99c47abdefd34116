//! One error type with the context a user needs to act: the file and line, the
//! statement, the database's own message, code and hint. Passwords never
//! appear in it (URLs are masked before they get here).

use std::fmt;
use std::path::PathBuf;

use crate::graph::GraphError;
use crate::script::ScriptError;

/// A database's report of a failed statement or connection.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct DbError {
    /// The database's message.
    pub message: String,
    /// SQLSTATE (PostgreSQL, MySQL) or result-code name (SQLite).
    pub code: Option<String>,
    /// DETAIL, when the database gave one.
    pub detail: Option<String>,
    /// HINT, when the database gave one.
    pub hint: Option<String>,
    /// 1-based character position in the statement, when given.
    pub position: Option<u32>,
}

impl DbError {
    /// A report with just a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Self::default()
        }
    }
}

/// So that `?` turns it into any boxed error (a code migration's, for one).
impl std::error::Error for DbError {}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, "\n  detail: {detail}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        if let Some(position) = self.position {
            write!(f, "\n  at character {position} of the statement")?;
        }
        Ok(())
    }
}

/// A statement of a revision that the database rejected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatementError {
    /// The revision being run.
    pub revision: String,
    /// Its file.
    pub path: PathBuf,
    /// 1-based line in the file where the statement starts.
    pub line: usize,
    /// `upgrade` or `downgrade`.
    pub direction: &'static str,
    /// The statement (possibly shortened for display by the caller).
    pub statement: String,
    /// What the database said.
    pub db: DbError,
}

/// An applied revision whose file no longer matches what ran.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangedRevision {
    /// The revision.
    pub revision: String,
    /// Its file.
    pub path: PathBuf,
    /// Checksum recorded when it was applied.
    pub applied: String,
    /// Checksum of the file now.
    pub current: String,
}

/// Everything that can go wrong, each variant with the context to fix it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A problem in `retort.toml` (or its absence).
    #[error("{0}")]
    Config(String),
    /// A database URL that cannot be used.
    #[error("{0}")]
    Url(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A revision file is malformed.
    #[error(transparent)]
    Script(#[from] ScriptError),
    /// The revision graph is invalid, or an identifier does not resolve.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// Connecting to the database failed.
    #[error("cannot connect to {target}: {cause}")]
    Connect {
        /// The masked URL or host:port.
        target: String,
        /// The cause (refused, timeout, authentication…).
        cause: String,
    },
    /// A statement of a revision failed; nothing after it ran and the
    /// revision's transaction (if any) was rolled back.
    #[error("{}", statement_message(.0))]
    Statement(Box<StatementError>),
    /// A database operation of retort's own (version table, transaction
    /// control) failed.
    #[error("database error while {action}: {db}")]
    Database {
        /// What retort was doing.
        action: String,
        /// What the database said.
        db: Box<DbError>,
    },
    /// A downgrade would have to pass a revision without a downgrade section.
    #[error("revision {revision} ({}) has no '-- +downgrade' section, so it cannot be downgraded; add one or pick a target above it", path.display())]
    Irreversible {
        /// The irreversible revision.
        revision: String,
        /// Its file.
        path: PathBuf,
    },
    /// A code migration in the plan has no function registered (the
    /// `retort` command never has one).
    #[error("revision {revision} ({}) is a code migration (Code: {name}): it runs Rust that only the service registering '{name}' with Migrator::register_code has{}; run the upgrade from that service, or, if it already ran there, record it with `retort stamp`", path.display(), if *downgrade { " for its downgrade" } else { "" })]
    CodeNotRegistered {
        /// The revision.
        revision: String,
        /// Its `Code:` name.
        name: String,
        /// Its file.
        path: PathBuf,
        /// Whether the missing function is the downgrade.
        downgrade: bool,
    },
    /// A code migration's function failed; its step was rolled back.
    #[error("code migration {revision} (Code: {name}, {}) failed during {direction}: {message}; the step was rolled back", path.display())]
    CodeFailed {
        /// The revision.
        revision: String,
        /// Its `Code:` name.
        name: String,
        /// Its file.
        path: PathBuf,
        /// `upgrade` or `downgrade`.
        direction: &'static str,
        /// The function's error.
        message: String,
    },
    /// Targets of a fleet failed (each one's error is in its outcome).
    #[error("{failed} of {total} targets failed; the others are done. Fix them and run the same command again: each target continues where it stands")]
    FleetFailed {
        /// How many failed.
        failed: usize,
        /// How many targets there were.
        total: usize,
    },
    /// Another runner held the lock for longer than `--lock-timeout`.
    #[error("gave up waiting for the migration lock after {:.1} s{}: another runner is migrating this database; wait for it or raise --lock-timeout", waited.as_secs_f64(), holder.as_deref().map(|h| format!(" (held by {h})")).unwrap_or_default())]
    LockTimeout {
        /// How long this runner waited.
        waited: std::time::Duration,
        /// Who holds the lock, when known.
        holder: Option<String>,
    },
    /// A non-transactional step stopped part-way: the statements before the
    /// failing one stay applied.
    #[error("{cause}\nrevision {revision} runs outside a transaction, so it is now half-applied: {done} of {total} statements ran.\nTo recover, fix {} and run the same command again: it resumes at statement {} (statements that ran are not run again). Or settle it by hand with `retort resolve {revision} --applied` or `--rolled-back`.", path.display(), done + 1)]
    Unfinished {
        /// The revision.
        revision: String,
        /// Its file.
        path: PathBuf,
        /// Statements that completed.
        done: usize,
        /// Statements in the section.
        total: usize,
        /// The failing statement's error.
        cause: Box<Error>,
    },
    /// A half-applied non-transactional step blocks further runs.
    #[error("revision {revision} ({direction}) was left half-applied by an earlier run: {done} statement(s) completed, then {}. Nothing was run now.\nTo recover, fix {} and run `retort {direction}` to a target that includes it: it resumes at statement {}. Or settle it by hand with `retort resolve {revision} --applied` or `--rolled-back`.", if last_error.is_empty() { "the process stopped".to_string() } else { format!("it failed: {}", last_error.lines().next().unwrap_or_default()) }, path.display(), done + 1)]
    HalfApplied {
        /// The revision.
        revision: String,
        /// `upgrade` or `downgrade`.
        direction: String,
        /// Its file.
        path: PathBuf,
        /// Statements that completed.
        done: usize,
        /// The error recorded when it stopped (empty if the process died).
        last_error: String,
    },
    /// Applied revisions whose upgrade section changed since they ran.
    #[error("{} applied revision(s) changed since they ran: {}. Restore the files, or pass --allow-changed to accept the edits (recorded in the history table)", changed.len(), changed.iter().map(|c| format!("{} ({})", c.revision, c.path.display())).collect::<Vec<_>>().join(", "))]
    Changed {
        /// The changed revisions.
        changed: Vec<ChangedRevision>,
    },
    /// The database's version table names a revision the project does not have.
    #[error("the database is at revision '{revision}', which is not in the project's revision files ({locations}); check you are on the right branch of your code, or `retort stamp` the database")]
    UnknownCurrent {
        /// The unknown id.
        revision: String,
        /// Where revisions were looked for.
        locations: String,
    },
    /// Another runner changed the database in a way this run cannot absorb.
    #[error("{0}")]
    Interrupted(String),
    /// The feature for this database was not compiled in.
    #[error("this build of retort has no {0} support (enable the cargo feature)")]
    Unsupported(&'static str),
    /// Wrong use of the command line or API.
    #[error("{0}")]
    Usage(String),
}

fn statement_message(e: &StatementError) -> String {
    format!(
        "{}:{}: {} of revision {} failed: {}\n  statement: {}",
        e.path.display(),
        e.line,
        e.direction,
        e.revision,
        e.db,
        e.statement
    )
}

impl Error {
    /// The process exit code this error maps to: 2 for bad usage or
    /// configuration, 1 when the operation failed.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_) | Error::Url(_) | Error::Usage(_) | Error::Unsupported(_) => 2,
            _ => 1,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn db(action: impl Into<String>, db: DbError) -> Self {
        Error::Database {
            action: action.into(),
            db: Box::new(db),
        }
    }
}

/// Result with retort's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
