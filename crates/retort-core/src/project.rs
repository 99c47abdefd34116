//! A project on disk: its configuration, its revision files and the graph
//! they form.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::dialect::sql::TableRef;
use crate::error::{Error, Result};
use crate::graph::{NodeRef, RevisionGraph};
use crate::header_cache::{self, CacheReport, FileStamp};
use crate::script::Script;

/// A loaded project: config, every revision file, and the revision graph.
#[derive(Debug, Clone)]
pub struct Project {
    /// The configuration.
    pub config: Config,
    scripts: Vec<Script>,
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
            let scripts = load_scripts(&paths, false)?;
            return Self::from_scripts(config, scripts.into_iter().map(|(s, _)| s).collect());
        }
        let files = files
            .into_iter()
            .filter_map(|(path, stamp)| stamp.map(|s| (path, s)))
            .collect();
        let parse = |paths: &[PathBuf]| load_scripts(paths, true);
        let (scripts, report) = header_cache::load(&config.root, files, &parse)?;
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
        let nodes: Vec<NodeRef<'_>> = scripts
            .iter()
            .map(|s| NodeRef {
                id: &s.id,
                parents: &s.parents,
                branch_labels: &s.branch_labels,
                depends_on: &s.depends_on,
                source: &s.path,
            })
            .collect();
        let graph = RevisionGraph::from_refs(&nodes)?;
        drop(nodes);
        Ok(Self {
            config,
            scripts,
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
        // The graph's nodes are the scripts, in the same order.
        self.graph.index_of(id).map(|i| &self.scripts[i])
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

/// The `.sql` files of a version folder, sorted by name. A missing folder is
/// an error that says how to create a project.
fn revision_files(dir: &Path, stamped: bool) -> Result<Vec<(PathBuf, Option<FileStamp>)>> {
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
        // The directory entry's type needs no extra stat for regular files;
        // symlinks are followed.
        let is_file = match entry.file_type() {
            Ok(t) if t.is_symlink() => path.is_file(),
            Ok(t) => t.is_file(),
            Err(_) => false,
        };
        if is_file && path.extension().is_some_and(|ext| ext == "sql") {
            let stamp = match stamped {
                true => Some(stamp(&entry, &path)?),
                false => None,
            };
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

/// The stamp (size, times, inode) of a listed file: `stat` relative to the
/// open folder (no walk of the whole path), following a symlink.
fn stamp(entry: &std::fs::DirEntry, path: &Path) -> Result<FileStamp> {
    let meta = match entry.file_type() {
        Ok(t) if !t.is_symlink() => entry.metadata(),
        _ => std::fs::metadata(path),
    };
    meta.map(|m| FileStamp::of(&m))
        .map_err(|e| Error::io(path, e))
}

/// `f` over `items` in order, on a thread per core when there are
/// thousands: with that many files, the system calls dominate.
fn in_parallel<T: Sync, U: Send>(
    items: &[T],
    f: impl Fn(&[T]) -> Result<Vec<U>> + Sync,
) -> Result<Vec<U>> {
    const PER_THREAD_MIN: usize = 512;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len() / PER_THREAD_MIN)
        .max(1);
    if threads == 1 {
        return f(items);
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || f(part)))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for handle in handles {
            let part = handle
                .join()
                .map_err(|_| Error::Usage("a thread reading revision files failed".into()))??;
            out.extend(part);
        }
        Ok(out)
    })
}

/// Reads and parses revision files, in order (with the stamp of each file
/// read when `stamps` is set).
fn load_scripts(paths: &[PathBuf], stamps: bool) -> Result<Vec<(Script, Option<FileStamp>)>> {
    in_parallel(paths, |part| {
        part.iter()
            .map(|path| {
                let (buf, stamp) = header_cache::read_revision_file(path, stamps)
                    .map_err(|e| Error::io(path, e))?;
                let text = std::str::from_utf8(&buf).map_err(|_| {
                    crate::script::ScriptError::at(path, None, "the file is not UTF-8 text")
                })?;
                Ok((Script::parse(path, text)?, stamp))
            })
            .collect()
    })
}
