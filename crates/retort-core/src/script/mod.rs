//! Revision files: the header, the `-- +upgrade` / `-- +downgrade` sections,
//! the dialect-aware statement splitter, and the template for new revisions.
//!
//! A revision file is valid SQL: the header is a block of `--` comments and
//! the section markers are comments too.

mod fuzz;
mod header;
mod split;
pub mod template;
pub mod vars;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::dialect::DialectKind;
use crate::header_cache::FileStamp;

#[doc(hidden)]
pub use fuzz::{fuzz_check_revision, fuzz_check_split};
pub use split::split;

/// One parsed revision file.
///
/// The header fields are plain data. The sections (the SQL bodies) are read
/// from the file on first use when the header came from the header cache
/// (see [`crate::header_cache`]): use [`Script::upgrade`],
/// [`Script::downgrade`] and [`Script::section`], which say so when the file
/// changed since its header was read.
#[derive(Debug, Clone)]
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
    /// `Code`: the name of the Rust migration that runs instead of SQL
    /// (registered with [`crate::Migrator::register_code`]); `None` for a
    /// SQL revision.
    pub code: Option<String>,
    /// The first line of the description.
    pub message: String,
    /// The whole description (all comment lines before the first header key).
    pub doc: String,
    /// SHA-256 (lowercase hex) of the upgrade section's text as written.
    pub checksum: String,
    sections: Sections,
}

/// Where a script's sections start, and their text once read.
#[derive(Debug, Clone)]
struct Sections {
    /// 1-based line of the upgrade section's first line of text.
    upgrade_line: usize,
    /// The same for the downgrade section; `None`: no `-- +downgrade` marker.
    downgrade_line: Option<usize>,
    /// The file as it was when the header was read; `None` when the text was
    /// parsed from memory (the sections are then always filled).
    stamp: Option<FileStamp>,
    /// The sections' text, filled by the parse or on first use (boxed:
    /// most scripts of a large project never read theirs, and a project
    /// holds thousands of scripts).
    text: OnceLock<Box<SectionTexts>>,
}

#[derive(Debug, Clone)]
struct SectionTexts {
    upgrade: Section,
    downgrade: Option<Section>,
}

/// Scripts are equal when their files say the same: path, header and
/// checksum; the downgrade text is compared when both are in memory.
impl PartialEq for Script {
    fn eq(&self, other: &Self) -> bool {
        let downgrades_equal = match (self.sections.text.get(), other.sections.text.get()) {
            (Some(a), Some(b)) => a.downgrade == b.downgrade,
            _ => true,
        };
        self.path == other.path
            && self.same_header(other)
            && self.sections.upgrade_line == other.sections.upgrade_line
            && self.sections.downgrade_line == other.sections.downgrade_line
            && downgrades_equal
    }
}

impl Eq for Script {}

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

    /// Parses revision-file text; `path` is used in messages. The sections
    /// are kept in memory.
    pub fn parse(path: &Path, text: &str) -> Result<Script, ScriptError> {
        header::parse(path, text)
    }

    /// A script whose header came from the header cache: its sections are
    /// read from `path` on first use, and only if the file still has
    /// `stamp`.
    pub(crate) fn from_cached(header: CachedHeader, path: PathBuf, stamp: FileStamp) -> Script {
        let message = first_line(&header.doc);
        Script {
            path,
            id: header.id,
            parents: header.parents,
            branch_labels: header.branch_labels,
            depends_on: header.depends_on,
            create_date: header.create_date,
            transactional: header.transactional,
            code: header.code,
            message,
            doc: header.doc,
            checksum: header.checksum,
            sections: Sections {
                upgrade_line: header.upgrade_line,
                downgrade_line: header.downgrade_line,
                stamp: Some(stamp),
                text: OnceLock::new(),
            },
        }
    }

    /// What the header cache keeps of this script.
    pub(crate) fn cached_header(&self) -> CachedHeader {
        CachedHeader {
            id: self.id.clone(),
            parents: self.parents.clone(),
            branch_labels: self.branch_labels.clone(),
            depends_on: self.depends_on.clone(),
            create_date: self.create_date.clone(),
            transactional: self.transactional,
            code: self.code.clone(),
            doc: self.doc.clone(),
            checksum: self.checksum.clone(),
            upgrade_line: self.sections.upgrade_line,
            downgrade_line: self.sections.downgrade_line,
        }
    }

    /// The `-- +upgrade` section (every revision file has one). Reads the
    /// file if the header came from the cache; an error if the file cannot
    /// be read or changed since its header was read.
    pub fn upgrade(&self) -> Result<&Section, ScriptError> {
        Ok(&self.texts()?.upgrade)
    }

    /// The `-- +downgrade` section; `None` means irreversible. Reads the
    /// file like [`Script::upgrade`] when there is a section.
    pub fn downgrade(&self) -> Result<Option<&Section>, ScriptError> {
        if self.sections.downgrade_line.is_none() {
            return Ok(None);
        }
        Ok(self.texts()?.downgrade.as_ref())
    }

    /// The section that runs in `direction`'s place: `upgrade` or
    /// `downgrade` (`None`: an irreversible revision's downgrade).
    pub fn section(&self, upgrade: bool) -> Result<Option<&Section>, ScriptError> {
        if upgrade {
            self.upgrade().map(Some)
        } else {
            self.downgrade()
        }
    }

    /// Whether the file has a `-- +downgrade` section (known without reading
    /// the sections).
    pub fn is_reversible(&self) -> bool {
        self.sections.downgrade_line.is_some()
    }

    /// 1-based line of the upgrade section's first line of text (known
    /// without reading the sections).
    pub fn upgrade_line(&self) -> usize {
        self.sections.upgrade_line
    }

    /// Whether the sections' text is in memory (parsed with the header, or
    /// read since). For tests of the header cache.
    #[doc(hidden)]
    pub fn sections_loaded(&self) -> bool {
        self.sections.text.get().is_some()
    }

    /// Whether `recorded`, the checksum a database holds for this
    /// revision, is this revision's upgrade section: its [`checksum`], or
    /// what retort 0.1 recorded (it hashed the text as written) for this
    /// section checked out with LF or with CRLF line endings. The section is
    /// read only when the first comparison fails.
    pub fn matches_recorded(&self, recorded: &str) -> Result<bool, ScriptError> {
        if self.checksum == recorded {
            return Ok(true);
        }
        let sql = &self.upgrade()?.sql;
        let crlf = sql.replace("\r\n", "\n").replace('\n', "\r\n");
        Ok(checksum_as_written(sql) == recorded || checksum_as_written(&crlf) == recorded)
    }

    /// Whether two scripts have the same header fields and checksum.
    fn same_header(&self, other: &Script) -> bool {
        self.id == other.id
            && self.parents == other.parents
            && self.branch_labels == other.branch_labels
            && self.depends_on == other.depends_on
            && self.create_date == other.create_date
            && self.transactional == other.transactional
            && self.code == other.code
            && self.doc == other.doc
            && self.checksum == other.checksum
    }

    /// The sections, read from the file on first use.
    fn texts(&self) -> Result<&SectionTexts, ScriptError> {
        if let Some(texts) = self.sections.text.get() {
            return Ok(texts);
        }
        let texts = self.read_sections()?;
        Ok(self.sections.text.get_or_init(|| texts))
    }

    /// Reads the file again for its sections, checking that it is the file
    /// whose header was read: same size, times and inode, and the same
    /// header and upgrade checksum once parsed.
    fn read_sections(&self) -> Result<Box<SectionTexts>, ScriptError> {
        let changed = |what: &str| {
            ScriptError::at(
                &self.path,
                None,
                format!(
                    "the file changed while retort was running ({what} since its header was read); run the command again"
                ),
            )
        };
        let (text, stamp) =
            crate::header_cache::read_revision_file(&self.path, true).map_err(|e| {
                ScriptError::at(&self.path, None, format!("cannot read revision file: {e}"))
            })?;
        if self.sections.stamp.is_some() && self.sections.stamp != stamp {
            return Err(changed("its size, times or inode changed"));
        }
        let text = std::str::from_utf8(&text).map_err(|_| changed("it is no longer UTF-8 text"))?;
        let fresh = header::parse(&self.path, text)
            .map_err(|e| changed(&format!("it no longer parses: {}", e.message)))?;
        if !self.same_header(&fresh)
            || fresh.sections.upgrade_line != self.sections.upgrade_line
            || fresh.sections.downgrade_line != self.sections.downgrade_line
        {
            return Err(changed("its header or upgrade section differs"));
        }
        fresh
            .sections
            .text
            .into_inner()
            .ok_or_else(|| changed("its sections could not be read"))
    }
}

/// What the header cache stores of one revision file: everything but the
/// sections' text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CachedHeader {
    pub id: String,
    pub parents: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    pub create_date: Option<String>,
    pub transactional: bool,
    pub code: Option<String>,
    pub doc: String,
    pub checksum: String,
    pub upgrade_line: usize,
    pub downgrade_line: Option<usize>,
}

/// The first line of a description, trimmed: the revision's message.
fn first_line(doc: &str) -> String {
    doc.lines().next().unwrap_or("").trim().to_string()
}

impl Section {
    /// Splits the section into statements for `dialect`.
    pub fn statements(&self, dialect: DialectKind) -> Result<Vec<Statement>, ScriptError> {
        split(&self.sql, self.first_line, dialect)
            .map_err(|e| ScriptError::at(&self.path, Some(e.line), e.message))
    }
}

/// The checksum of a section or statement: SHA-256 (lowercase hex) of
/// `text` with its line endings normalised, so that a checkout with CRLF
/// line endings (`core.autocrlf`) has the checksums of the LF one. Text
/// without a carriage return hashes exactly as written, so every checksum
/// recorded before the normalisation of an LF file still matches.
pub fn checksum(text: &str) -> String {
    let mut hasher = Sha256::new();
    let mut lines = text.split("\r\n");
    if let Some(first) = lines.next() {
        hasher.update(first.as_bytes());
    }
    for line in lines {
        hasher.update(b"\n");
        hasher.update(line.as_bytes());
    }
    hex(&hasher.finalize())
}

/// SHA-256 of `text` exactly as written, lowercase hex: the checksum
/// retort 0.1 recorded, which differs from [`checksum`] only for text with
/// CRLF line endings.
pub fn checksum_as_written(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * digest.len());
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}
