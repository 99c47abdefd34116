//! Revision files: the header, the `-- +upgrade` / `-- +downgrade` sections,
//! the dialect-aware statement splitter, and the template for new revisions.
//!
//! A revision file is valid SQL: the header is a block of `--` comments and
//! the section markers are comments too.

mod fuzz;
mod header;
mod split;
pub mod template;

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::dialect::DialectKind;

#[doc(hidden)]
pub use fuzz::{fuzz_check_revision, fuzz_check_split};
pub use split::split;

/// One parsed revision file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The file it was read from.
    pub path: PathBuf,
    /// `Revision ID`.
    pub id: String,
    /// `Revises`.
    pub parents: Vec<String>,
    /// `Branch Labels`.
    pub branch_labels: Vec<String>,
    /// `Depends On`.
    pub depends_on: Vec<String>,
    /// `Create Date`, as written.
    pub create_date: Option<String>,
    /// False when the header says `Transaction: false`.
    pub transactional: bool,
    /// The first line of the description.
    pub message: String,
    /// The whole description (all comment lines before the first header key).
    pub doc: String,
    /// The `-- +upgrade` section.
    pub upgrade: Option<Section>,
    /// The `-- +downgrade` section; `None` means irreversible.
    pub downgrade: Option<Section>,
    /// SHA-256 (lowercase hex) of the upgrade section's text as written.
    pub checksum: String,
}

/// The SQL text of one section and where it starts in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The text between the marker and the next marker (or the end).
    pub sql: String,
    /// 1-based line number of the section's first line of text.
    pub first_line: usize,
    /// The file, for error messages.
    pub path: PathBuf,
}

/// One statement of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement's text, trimmed, without the terminating `;`.
    pub sql: String,
    /// 1-based line in the file where the statement starts.
    pub line: usize,
}

/// A revision file (or template) that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScriptError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl ScriptError {
    /// An error at `path` (and `line`, when known).
    pub fn at(path: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

impl Script {
    /// Reads and parses a revision file.
    pub fn load(path: &Path) -> Result<Script, ScriptError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ScriptError::at(path, None, format!("cannot read revision file: {e}")))?;
        Self::parse(path, &text)
    }

    /// Parses revision-file text; `path` is used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Script, ScriptError> {
        header::parse(path, text)
    }

    /// The section that runs in `direction`'s place: `upgrade` or `downgrade`.
    pub fn section(&self, upgrade: bool) -> Option<&Section> {
        if upgrade {
            self.upgrade.as_ref()
        } else {
            self.downgrade.as_ref()
        }
    }
}

impl Section {
    /// Splits the section into statements for `dialect`.
    pub fn statements(&self, dialect: DialectKind) -> Result<Vec<Statement>, ScriptError> {
        split(&self.sql, self.first_line, dialect)
            .map_err(|e| ScriptError::at(&self.path, Some(e.line), e.message))
    }
}

/// SHA-256 of `text`, lowercase hex.
pub fn checksum(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}
