//! A project on disk: its configuration, its revision files and the graph
//! they form.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::dialect::sql::TableRef;
use crate::error::{Error, Result};
use crate::graph::{Node, RevisionGraph};
use crate::header_cache::{self, CacheReport, FileStamp};
use crate::script::Script;

/// A loaded project: config, every revision file, and the revision graph.
#[derive(Debug, Clone)]
pub struct Project {
    /// The configuration.
    pub config: Config,
    scripts: Vec<Script>,
    by_id: HashMap<String, usize>,
    graph: RevisionGraph,
    cache: Option<CacheReport>,
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

    /// Reads the revision files of the configured version locations. With
    /// [`Config::header_cache`] on (the default), headers come from the
    /// header cache where the files have not changed, and sections are read
    /// when first used (see [`crate::header_cache`]); otherwise every file
    /// is read and parsed.
    pub fn load(config: Config) -> Result<Self> {
        let cached = config.header_cache && header_cache::SUPPORTED;
        let mut files = Vec::new();
        for dir in &config.version_locations {
            files.extend(revision_files(dir, cached)?);
        }
        if !cached {
            let paths: Vec<PathBuf> = files.into_iter().map(|(path, _)| path).collect();
            let scripts = load_scripts(&paths)?.into_iter().map(|(s, _)| s).collect();
            return Self::from_scripts(config, scripts);
        }
        let files = files
            .into_iter()
            .map(|(path, stamp)| match stamp {
                Some(stamp) => Ok((path, stamp)),
                None => std::fs::metadata(&path)
                    .map(|meta| (path.clone(), FileStamp::of(&meta)))
                    .map_err(|e| Error::io(&path, e)),
            })
            .collect::<Result<Vec<_>>>()?;
        let (scripts, report) = header_cache::load(&config.root, files, &load_scripts)?;
        let mut project = Self::from_scripts(config, scripts)?;
        project.cache = Some(report);
        Ok(project)
    }

    /// What the header cache did when the project loaded; `None` when it
    /// was off or the project was built in memory.
    pub fn header_cache(&self) -> Option<&CacheReport> {
        self.cache.as_ref()
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
            cache: None,
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

    /// The history table this project uses (in the version table's schema).
    pub fn history_table(&self) -> TableRef {
        TableRef {
            schema: self.config.version_table_schema.clone(),
            name: self.config.history_table.clone(),
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

/// The `.sql` files of a version folder, sorted by name, with their stamps
/// when `stamps` is set. A missing folder is an error that says how to
/// create a project.
fn revision_files(dir: &Path, stamps: bool) -> Result<Vec<(PathBuf, Option<FileStamp>)>> {
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
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "sql") {
            continue;
        }
        // The directory entry's type needs no extra stat for regular files;
        // symlinks are followed.
        let (is_file, stamp) = match entry.file_type() {
            Ok(t) if t.is_symlink() => match std::fs::metadata(&path) {
                Ok(meta) => (meta.is_file(), stamps.then(|| FileStamp::of(&meta))),
                Err(_) => (false, None),
            },
            // A regular file's stamp comes from the folder's entry: one
            // `stat` relative to the open folder, no open of the file.
            Ok(t) if t.is_file() && stamps => match entry.metadata() {
                Ok(meta) => (true, Some(FileStamp::of(&meta))),
                Err(e) => return Err(Error::io(&path, e)),
            },
            Ok(t) => (t.is_file(), None),
            Err(_) => (false, None),
        };
        if is_file {
            files.push((path, stamp));
        }
    }
    // Names in one folder: comparing bytes is enough (and much cheaper than
    // comparing path components).
    files.sort_by(|(a, _), (b, _)| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    Ok(files)
}

/// Reads and parses revision files, in order, with the stamp of each file
/// read. Large projects are read on every core: with thousands of files,
/// the system calls dominate.
fn load_scripts(paths: &[PathBuf]) -> Result<Vec<(Script, FileStamp)>> {
    const PER_THREAD_MIN: usize = 512;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(paths.len() / PER_THREAD_MIN)
        .max(1);
    if threads == 1 {
        return load_chunk(paths);
    }
    let chunk = paths.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| scope.spawn(move || load_chunk(part)))
            .collect();
        let mut scripts = Vec::with_capacity(paths.len());
        for handle in handles {
            let part = handle
                .join()
                .map_err(|_| Error::Usage("a thread reading revision files failed".into()))??;
            scripts.extend(part);
        }
        Ok(scripts)
    })
}

fn load_chunk(paths: &[PathBuf]) -> Result<Vec<(Script, FileStamp)>> {
    paths
        .iter()
        .map(|path| {
            let (buf, stamp) =
                header_cache::read_revision_file(path).map_err(|e| Error::io(path, e))?;
            let text = std::str::from_utf8(&buf).map_err(|_| {
                crate::script::ScriptError::at(path, None, "the file is not UTF-8 text")
            })?;
            Ok((Script::parse(path, text)?, stamp))
        })
        .collect()
}
