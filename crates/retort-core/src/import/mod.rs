//! Moving to retort from another migration tool: `retort import` turns the
//! tool's migrations folder into a linear chain of retort revisions, and
//! `retort adopt` stamps a database that tool migrated, after checking that
//! the tool's own history table agrees with the imported revisions. Nothing
//! is ever run again.
//!
//! Each tool's format (file names, up/down, no-transaction markers, order)
//! is read in its own module; see docs/importing.md.

mod adopt;
mod formats;

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

pub use adopt::{adopt, applied_versions, Adopted};

use crate::error::{Error, Result};

/// A migration tool retort imports from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// diesel: `<version>_<name>/up.sql`, `down.sql`, `metadata.toml`.
    Diesel,
    /// sqlx: `<version>_<name>.sql`, or `.up.sql` and `.down.sql`.
    Sqlx,
    /// refinery: `V<n>__<name>.sql`.
    Refinery,
    /// golang-migrate: `<version>_<name>.up.sql` and `.down.sql`.
    GolangMigrate,
    /// goose: `<version>_<name>.sql` with `-- +goose Up` / `Down`.
    Goose,
    /// dbmate: `<version>_<name>.sql` with `-- migrate:up` / `down`.
    Dbmate,
    /// Flyway: `V<version>__<name>.sql`, undo scripts `U<version>__<name>.sql`.
    Flyway,
}

impl Tool {
    /// Every tool, in the order the docs list them.
    pub const ALL: [Tool; 7] = [
        Tool::Diesel,
        Tool::Sqlx,
        Tool::Refinery,
        Tool::GolangMigrate,
        Tool::Goose,
        Tool::Dbmate,
        Tool::Flyway,
    ];

    /// The name `--from` takes.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Diesel => "diesel",
            Tool::Sqlx => "sqlx",
            Tool::Refinery => "refinery",
            Tool::GolangMigrate => "golang-migrate",
            Tool::Goose => "goose",
            Tool::Dbmate => "dbmate",
            Tool::Flyway => "flyway",
        }
    }

    /// The tool called `name`.
    pub fn parse(name: &str) -> Result<Tool> {
        Tool::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Tool::ALL.iter().map(|t| t.name()).collect();
                Error::Usage(format!(
                    "unknown tool '{name}'; retort imports from {}",
                    names.join(", ")
                ))
            })
    }

    /// How the tool orders two versions.
    fn compare(self, a: &str, b: &str) -> Ordering {
        match self {
            Tool::Diesel | Tool::Dbmate => a.cmp(b),
            Tool::Flyway => dotted(a).cmp(&dotted(b)),
            _ => numeric(a).cmp(&numeric(b)).then_with(|| a.cmp(b)),
        }
    }
}

/// A version as a number, for the tools that order numerically.
fn numeric(v: &str) -> u128 {
    v.parse().unwrap_or(u128::MAX)
}

/// A Flyway version (`1.2.10`, `1_2`) as its numeric parts.
fn dotted(v: &str) -> Vec<u128> {
    v.split(['.', '_']).map(numeric).collect()
}

/// One migration of the other tool, as it runs there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The tool's version (what its history table records).
    pub version: String,
    /// Its name or description.
    pub name: String,
    /// The up SQL.
    pub up: String,
    /// The down SQL, when the tool has one for it.
    pub down: Option<String>,
    /// False when the tool runs it outside a transaction.
    pub transactional: bool,
    /// The file it came from (the up file).
    pub source: PathBuf,
}

/// The migrations in `dir`, in the order `tool` applies them.
pub fn read(tool: Tool, dir: &Path) -> Result<Vec<Migration>> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a folder of {} migrations",
            dir.display(),
            tool.name()
        )));
    }
    let mut migrations = formats::read(tool, dir)?;
    if matches!(
        tool,
        Tool::Sqlx | Tool::Refinery | Tool::GolangMigrate | Tool::Goose
    ) {
        // These tools read the version as a number: `000001` is version 1,
        // and so is its history row.
        for m in &mut migrations {
            if let Ok(n) = m.version.parse::<u128>() {
                m.version = n.to_string();
            }
        }
    }
    migrations.sort_by(|a, b| tool.compare(&a.version, &b.version));
    if let Some(w) = migrations.windows(2).find(|w| w[0].version == w[1].version) {
        return Err(Error::Usage(format!(
            "two {} migrations have version {}: {} and {}",
            tool.name(),
            w[0].version,
            w[0].source.display(),
            w[1].source.display()
        )));
    }
    if migrations.is_empty() {
        return Err(Error::Usage(format!(
            "no {} migrations in {}",
            tool.name(),
            dir.display()
        )));
    }
    Ok(migrations)
}

/// The retort revision id of a tool's version: the version itself, with
/// anything but letters, digits, `_` and `-` made `_` (Flyway's `1.2` is
/// `1_2`). Deterministic, so that `adopt` finds each one again.
pub fn revision_id(version: &str) -> String {
    version
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The revision file for `m`, revising `parent`.
pub fn revision_text(tool: Tool, m: &Migration, parent: Option<&str>) -> String {
    let mut text = format!(
        "-- {}\n--\n-- Imported from {} migration {} ({}).\n--\n-- Revision ID: {}\n-- Revises: {}\n",
        if m.name.is_empty() { &m.version } else { &m.name },
        tool.name(),
        m.version,
        m.source.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(),
        revision_id(&m.version),
        parent.unwrap_or("")
    );
    if !m.transactional {
        text.push_str("-- Transaction: false\n");
    }
    text.push_str("\n-- +upgrade\n");
    text.push_str(m.up.trim_end());
    text.push('\n');
    if let Some(down) = &m.down {
        text.push_str("\n-- +downgrade\n");
        text.push_str(down.trim_end());
        text.push('\n');
    }
    text
}

/// Writes the revisions for `migrations` into `versions` (which must hold
/// no revision yet): one file each, a linear chain in the tool's order.
/// Returns the files written.
pub fn write(tool: Tool, migrations: &[Migration], versions: &Path) -> Result<Vec<PathBuf>> {
    let existing = std::fs::read_dir(versions)
        .map_err(|e| Error::io(versions, e))?
        .filter_map(|e| e.ok())
        .any(|e| e.path().extension().is_some_and(|x| x == "sql"));
    if existing {
        return Err(Error::Usage(format!(
            "{} already holds revisions; import into a new project (`retort init`)",
            versions.display()
        )));
    }
    let mut written = Vec::with_capacity(migrations.len());
    let mut parent: Option<String> = None;
    for m in migrations {
        let id = revision_id(&m.version);
        let slug = crate::authoring::slugify(&m.name);
        let file = versions.join(if slug.is_empty() {
            format!("{id}.sql")
        } else {
            format!("{id}_{slug}.sql")
        });
        let text = revision_text(tool, m, parent.as_deref());
        // The importer writes what retort reads: check each file parses.
        crate::script::Script::parse(&file, &text)?;
        std::fs::write(&file, text).map_err(|e| Error::io(&file, e))?;
        written.push(file);
        parent = Some(id);
    }
    Ok(written)
}
