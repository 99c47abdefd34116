//! Revision files: the header, the `-- +upgrade` / `-- +downgrade` sections,
//! the dialect-aware statement splitter, and the template for new revisions.
//!
//! SKELETON — to be implemented (see the helper brief).

use std::path::PathBuf;

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
}

/// One statement of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement's text, trimmed, without the terminating `;`.
    pub sql: String,
    /// 1-based line in the file where the statement starts.
    pub line: usize,
}

/// Placeholder until the parser lands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScriptError(pub String);

impl Section {
    /// Placeholder until the splitter lands.
    pub fn statements(&self, _dialect: crate::dialect::DialectKind) -> Result<Vec<Statement>, ScriptError> {
        Ok(vec![Statement { sql: self.sql.clone(), line: self.first_line }])
    }
}

impl Script {
    /// Placeholder until the parser lands.
    pub fn load(path: &std::path::Path) -> Result<Script, ScriptError> {
        Err(ScriptError(path.display().to_string()))
    }
}

/// Placeholder until the template lands.
pub mod template {
    use std::collections::BTreeMap;
    /// Placeholder.
    pub const DEFAULT_TEMPLATE: &str = "";
    /// Placeholder.
    #[derive(Debug, Clone, serde::Serialize)]
    pub struct TemplateContext {
        /// x
        pub message: String,
        /// x
        pub rev_id: String,
        /// x
        pub down_revisions: Vec<String>,
        /// x
        pub branch_labels: Vec<String>,
        /// x
        pub depends_on: Vec<String>,
        /// x
        pub create_date: String,
        /// x
        pub transactional: bool,
        /// x
        pub upgrades: String,
        /// x
        pub downgrades: String,
        /// x
        pub x: BTreeMap<String, String>,
    }
    /// Placeholder.
    pub fn render(_t: &str, _p: &std::path::Path, _c: &TemplateContext) -> Result<String, super::ScriptError> {
        Ok(String::new())
    }
}

impl Script {
    /// Placeholder.
    pub fn parse(path: &std::path::Path, _text: &str) -> Result<Script, ScriptError> {
        Err(ScriptError(path.display().to_string()))
    }
}
