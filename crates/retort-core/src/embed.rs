//! Projects compiled into a binary by `retort_macros::embed_migrations!`.
//!
//! The macro reads the revision files (and `retort.toml`, when the project
//! has one) at compile time with the code the CLI uses, turns any error of
//! the files or of the revision graph into a compile error, and expands to
//! an [`EmbeddedProject`]: the files' text (through `include_str!`, so that
//! editing one rebuilds the crate) with each revision's id and checksum.
//! At run time [`EmbeddedProject::project`] parses the same text again into
//! a [`Project`] for a [`crate::Migrator`] (Rust, shown as text: the macro
//! lives in the `retort-macros` crate, which this one cannot depend on):
//!
//! ```text
//! static MIGRATIONS: retort::embed::EmbeddedProject =
//!     retort_macros::embed_migrations!("migrations");
//!
//! fn migrate(url: &str) -> retort::Result<()> {
//!     let mut migrator = retort::Migrator::connect(MIGRATIONS.project()?, url)?;
//!     migrator.upgrade("head", &mut |_| {})?;
//!     Ok(())
//! }
//! ```
//!
//! See docs/embedding.md for the build script that makes adding or removing
//! a revision file rebuild the crate.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::project::Project;
use crate::script::Script;

/// A project compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedProject {
    /// `retort.toml`, when the project has one (its `${VAR}` references are
    /// expanded from the environment at run time).
    pub config: Option<EmbeddedFile>,
    /// The revision files, in the order the CLI reads them.
    pub revisions: &'static [EmbeddedRevision],
}

/// A file compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedFile {
    /// Its path relative to the crate's manifest, for messages.
    pub path: &'static str,
    /// Its text.
    pub text: &'static str,
}

/// A revision file compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedRevision {
    /// The file.
    pub file: EmbeddedFile,
    /// Its `Revision ID`, read at compile time.
    pub id: &'static str,
    /// Its checksum, computed at compile time.
    pub checksum: &'static str,
}

impl EmbeddedProject {
    /// The project: its configuration (the defaults when it has no
    /// `retort.toml`) and every revision, parsed from the embedded text.
    /// Fails only if this library parses a file differently from the
    /// `retort_macros` that embedded it (two versions of retort in one
    /// build), or if the configuration refers to an unset variable.
    pub fn project(&self) -> Result<Project> {
        let config = match &self.config {
            Some(file) => {
                let path = Path::new(file.path);
                let root = path.parent().unwrap_or(Path::new("."));
                Config::parse(file.text, path, root, &|name| std::env::var(name).ok())?
            }
            None => Config::defaults(Path::new(".")),
        };
        let scripts = self
            .revisions
            .iter()
            .map(EmbeddedRevision::script)
            .collect::<Result<Vec<_>>>()?;
        Project::from_scripts(config, scripts)
    }

    /// The revision ids, in file order.
    pub fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.revisions.iter().map(|r| r.id)
    }
}

impl EmbeddedRevision {
    /// The revision parsed again, checked against what was read at compile
    /// time.
    fn script(&self) -> Result<Script> {
        let path = PathBuf::from(self.file.path);
        let script = Script::parse(&path, self.file.text)?;
        if script.id != self.id || script.checksum != self.checksum {
            return Err(Error::Config(format!(
                "{}: embedded as revision {} with checksum {}, but this version of retort reads revision {} with checksum {}; build with the same version of retort-core and retort-macros",
                self.file.path, self.id, self.checksum, script.id, script.checksum
            )));
        }
        Ok(script)
    }
}
