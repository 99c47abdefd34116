//! A project on disk: its configuration, its revision files and the graph
//! they form.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::dialect::sql::TableRef;
use crate::error::{Error, Result};
use crate::graph::{Node, RevisionGraph};
use crate::script::Script;

/// A loaded project: config, every revision file, and the revision graph.
#[derive(Debug, Clone)]
pub struct Project {
    /// The configuration.
    pub config: Config,
    scripts: Vec<Script>,
    by_id: HashMap<String, usize>,
    graph: RevisionGraph,
}

impl Project {
    /// Finds `retort.toml` in `start` or its parents and loads the project.
    pub fn discover(start: &Path) -> Result<Self> {
        let path = Config::discover(start).ok_or_else(|| {
            Error::Config(format!(
                "no retort.toml in {} or its parents; run `retort init` to create a project, or pass -c FILE",
                start.display()
            ))
        })?;
        Self::load(Config::load(&path)?)
    }

    /// Reads every revision file of the configured version locations.
    pub fn load(config: Config) -> Result<Self> {
        let mut scripts = Vec::new();
        for dir in &config.version_locations {
            for path in revision_files(dir)? {
                scripts.push(Script::load(&path)?);
            }
        }
        Self::from_scripts(config, scripts)
    }

    /// Builds a project from revisions already in memory (for example
    /// embedded in a binary).
    pub fn from_scripts(config: Config, scripts: Vec<Script>) -> Result<Self> {
        let nodes = scripts
            .iter()
            .map(|s| Node {
                id: s.id.clone(),
                parents: s.parents.clone(),
                branch_labels: s.branch_labels.clone(),
                depends_on: s.depends_on.clone(),
                source: s.path.display().to_string(),
            })
            .collect();
        let graph = RevisionGraph::new(nodes)?;
        let by_id = scripts
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        Ok(Self {
            config,
            scripts,
            by_id,
            graph,
        })
    }

    /// The revision graph.
    pub fn graph(&self) -> &RevisionGraph {
        &self.graph
    }

    /// Every revision, in file order.
    pub fn scripts(&self) -> &[Script] {
        &self.scripts
    }

    /// The revision with this full id.
    pub fn script(&self, id: &str) -> Option<&Script> {
        self.by_id.get(id).map(|&i| &self.scripts[i])
    }

    /// The revision with this full id, or an error saying the project lacks it.
    pub fn require_script(&self, id: &str) -> Result<&Script> {
        self.script(id).ok_or_else(|| Error::UnknownCurrent {
            revision: id.to_string(),
            locations: self.locations_display(),
        })
    }

    /// The version table this project uses.
    pub fn version_table(&self) -> TableRef {
        TableRef {
            schema: self.config.version_table_schema.clone(),
            name: self.config.version_table.clone(),
        }
    }

    /// The version locations, for messages.
    pub fn locations_display(&self) -> String {
        self.config
            .version_locations
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Checks that every revision the database names exists in the project.
    pub fn check_current(&self, current: &[String]) -> Result<()> {
        match current.iter().find(|id| self.script(id).is_none()) {
            Some(id) => Err(Error::UnknownCurrent {
                revision: id.clone(),
                locations: self.locations_display(),
            }),
            None => Ok(()),
        }
    }
}

/// The `.sql` files of a version folder, sorted by name. A missing folder is
/// an error that says how to create a project.
fn revision_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Config(format!(
                "version location {} does not exist; run `retort init` or fix [migrations] version_locations",
                dir.display()
            ))
        } else {
            Error::io(dir, e)
        }
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|ext| ext == "sql") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
