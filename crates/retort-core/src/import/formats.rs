//! Each tool's migrations folder, read as the tool reads it.

use std::path::{Path, PathBuf};

use super::{Migration, Tool};
use crate::error::{Error, Result};

pub(super) fn read(tool: Tool, dir: &Path) -> Result<Vec<Migration>> {
    match tool {
        Tool::Diesel => diesel(dir),
        Tool::Sqlx => up_down_files(tool, dir, ".up.sql", ".down.sql", Some(".sql")),
        Tool::GolangMigrate => up_down_files(tool, dir, ".up.sql", ".down.sql", None),
        Tool::Refinery => prefixed(tool, dir, 'V', None),
        Tool::Flyway => prefixed(tool, dir, 'V', Some('U')),
        Tool::Goose => annotated(tool, dir, "-- +goose up", "-- +goose down"),
        Tool::Dbmate => annotated(tool, dir, "-- migrate:up", "-- migrate:down"),
    }
}

/// The files of `dir`, sorted, with their names.
fn files(dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((path, name));
    }
    out.sort();
    Ok(out)
}

fn read_text(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

fn unsupported(path: &Path, why: &str) -> Error {
    Error::Usage(format!("{}: {why}", path.display()))
}

/// `<version>_<name>` split at the first `_` (the name's `_` are spaces).
fn version_and_name(stem: &str) -> (String, String) {
    match stem.split_once('_') {
        Some((v, n)) => (v.to_string(), n.replace('_', " ")),
        None => (stem.to_string(), String::new()),
    }
}

/// diesel: a folder per migration, `YYYY-MM-DD-HHMMSS_name` (the version
/// is the part before `_` without `-`), with `up.sql`, `down.sql` and an
/// optional `metadata.toml` saying `run_in_transaction = false`.
fn diesel(dir: &Path) -> Result<Vec<Migration>> {
    let mut out = Vec::new();
    for (path, name) in files(dir)? {
        if !path.is_dir() {
            continue;
        }
        let up_file = path.join("up.sql");
        if !up_file.is_file() {
            return Err(unsupported(
                &path,
                "a diesel migration without up.sql (Rust migrations cannot be imported)",
            ));
        }
        let (version, title) = version_and_name(&name);
        let down_file = path.join("down.sql");
        let metadata = path.join("metadata.toml");
        let transactional = !metadata.is_file()
            || !read_text(&metadata)?
                .lines()
                .any(|l| l.replace(' ', "") == "run_in_transaction=false");
        out.push(Migration {
            version: version.replace('-', ""),
            name: title,
            up: read_text(&up_file)?,
            down: if down_file.is_file() {
                Some(read_text(&down_file)?)
            } else {
                None
            },
            transactional,
            source: up_file,
        });
    }
    Ok(out)
}

/// A first line `-- no-transaction` (sqlx) turns the transaction off.
fn sqlx_transactional(up: &str) -> bool {
    up.lines().next().map(str::trim) != Some("-- no-transaction")
}

/// sqlx and golang-migrate: `<version>_<name>.up.sql` with an optional
/// `.down.sql`; sqlx also takes a plain `<version>_<name>.sql`
/// (`simple`, irreversible).
fn up_down_files(
    tool: Tool,
    dir: &Path,
    up_suffix: &str,
    down_suffix: &str,
    simple_suffix: Option<&str>,
) -> Result<Vec<Migration>> {
    let listed = files(dir)?;
    let mut out = Vec::new();
    for (path, name) in &listed {
        let (stem, reversible) = if let Some(stem) = name.strip_suffix(up_suffix) {
            (stem, true)
        } else if name.ends_with(down_suffix) {
            continue;
        } else if let Some(stem) = simple_suffix.and_then(|s| name.strip_suffix(s)) {
            (stem, false)
        } else {
            continue;
        };
        let (version, title) = version_and_name(stem);
        if !version.chars().all(|c| c.is_ascii_digit()) || version.is_empty() {
            return Err(unsupported(
                path,
                &format!(
                    "not a {} migration name (VERSION_NAME{up_suffix})",
                    tool.name()
                ),
            ));
        }
        let up = read_text(path)?;
        let down_path = dir.join(format!("{stem}{down_suffix}"));
        let down = if reversible && down_path.is_file() {
            Some(read_text(&down_path)?)
        } else {
            None
        };
        out.push(Migration {
            version,
            name: title,
            transactional: tool != Tool::Sqlx || sqlx_transactional(&up),
            up,
            down,
            source: path.clone(),
        });
    }
    Ok(out)
}

/// refinery and Flyway: `V<version>__<name>.sql`; Flyway's undo scripts
/// `U<version>__<name>.sql` are the downs. Repeatable (`R__`) and Rust
/// migrations have no retort equivalent.
fn prefixed(tool: Tool, dir: &Path, versioned: char, undo: Option<char>) -> Result<Vec<Migration>> {
    let listed = files(dir)?;
    let mut out = Vec::new();
    for (path, name) in &listed {
        if name.starts_with("R__") {
            return Err(unsupported(
                path,
                "repeatable migrations have no retort equivalent; move it into a revision by hand",
            ));
        }
        if name.ends_with(".rs") {
            return Err(unsupported(path, "Rust migrations cannot be imported; write them as code migrations (docs/embedding.md)"));
        }
        let Some(rest) = name
            .strip_prefix(versioned)
            .and_then(|r| r.strip_suffix(".sql"))
        else {
            continue;
        };
        let Some((version, title)) = rest.split_once("__") else {
            return Err(unsupported(
                path,
                &format!(
                    "not a {} migration name (V<version>__<name>.sql)",
                    tool.name()
                ),
            ));
        };
        let version = if tool == Tool::Flyway {
            version.replace('_', ".")
        } else {
            version.to_string()
        };
        let down = match undo {
            Some(u) => listed
                .iter()
                .find(|(_, n)| {
                    n.strip_prefix(u)
                        .and_then(|r| r.split_once("__"))
                        .is_some_and(|(v, _)| v.replace('_', ".") == version)
                })
                .map(|(p, _)| read_text(p))
                .transpose()?,
            None => None,
        };
        out.push(Migration {
            version,
            name: title.replace('_', " "),
            up: read_text(path)?,
            down,
            transactional: true,
            source: path.clone(),
        });
    }
    Ok(out)
}

/// goose and dbmate: one file per migration with an up and a down
/// annotation; goose's `-- +goose NO TRANSACTION` and dbmate's
/// `transaction:false` turn the transaction off.
fn annotated(tool: Tool, dir: &Path, up_mark: &str, down_mark: &str) -> Result<Vec<Migration>> {
    let mut out = Vec::new();
    for (path, name) in files(dir)? {
        if name.ends_with(".go") {
            return Err(unsupported(&path, "Go migrations cannot be imported; write them as code migrations (docs/embedding.md)"));
        }
        let Some(stem) = name.strip_suffix(".sql") else {
            continue;
        };
        let (version, title) = version_and_name(stem);
        let text = read_text(&path)?;
        let (up, down, transactional) =
            split_annotated(&text, up_mark, down_mark).ok_or_else(|| {
                unsupported(
                    &path,
                    &format!("no '{up_mark}' line (a {} migration has one)", tool.name()),
                )
            })?;
        out.push(Migration {
            version,
            name: title,
            up,
            down,
            transactional,
            source: path,
        });
    }
    Ok(out)
}

/// The up and down parts of an annotated file, and whether it runs in a
/// transaction. Annotations are matched without regard to case.
fn split_annotated(
    text: &str,
    up_mark: &str,
    down_mark: &str,
) -> Option<(String, Option<String>, bool)> {
    let mut up: Option<String> = None;
    let mut down: Option<String> = None;
    let mut in_down = false;
    let mut transactional = true;
    for line in text.split_inclusive('\n') {
        let lower = line.trim().to_ascii_lowercase();
        if lower == "-- +goose no transaction" {
            transactional = false;
            continue;
        }
        if lower.starts_with(up_mark) {
            transactional &= !lower.contains("transaction:false");
            up = Some(String::new());
            in_down = false;
            continue;
        }
        if lower.starts_with(down_mark) {
            down = Some(String::new());
            in_down = true;
            continue;
        }
        let part = if in_down { down.as_mut() } else { up.as_mut() };
        if let Some(part) = part {
            part.push_str(line);
        }
    }
    let down = down.filter(|d| !d.trim().is_empty());
    up.map(|u| (u, down, transactional))
}
