//! `retort squash FROM:TO -m MSG`: replaces a chain of revisions with one
//! whose SQL is generated from the schema difference the chain makes, and
//! proves it by building both projects in scratch databases and comparing
//! the introspected schemas.
//!
//! The new revision takes TO's id, so revisions built on TO and databases
//! at TO stay valid; it revises FROM's parent and keeps the range's branch
//! labels and outside dependencies. Databases at a revision inside the range
//! must be upgraded to TO (or later) first: their ids go away.

use std::path::PathBuf;

use serde::Serialize;

use crate::authoring::{self, RevisionRequest, WrittenRevision};
use crate::autogen::{self, Comparison};
use crate::db_url::DatabaseUrl;
use crate::error::{Error, Result};
use crate::load::from_migrations;
use crate::project::Project;

/// What `squash` did.
#[derive(Debug, Clone, Serialize)]
pub struct SquashReport {
    /// The revisions replaced, oldest first.
    pub replaced: Vec<String>,
    /// Their files, now deleted.
    pub removed: Vec<PathBuf>,
    /// The new revision (TO's id).
    pub revision: WrittenRevision,
    /// Revisions in the range with data statements (INSERT, UPDATE,
    /// DELETE, COPY, MERGE) whose effect is not carried over.
    pub data_statements_in: Vec<String>,
    /// How many changes the generated upgrade makes.
    pub changes: usize,
}

/// The revisions from `from` to `to` (both included), oldest first, checked
/// to be a chain nothing outside branches off or depends on.
fn chain(project: &Project, from: &str, to: &str) -> Result<Vec<String>> {
    let graph = project.graph();
    let mut out = vec![to.to_string()];
    let mut at = to.to_string();
    while at != from {
        let parents = graph.parents(&at);
        match parents.as_slice() {
            [one] => {
                at = one.to_string();
                out.push(at.clone());
            }
            [] => {
                return Err(Error::Usage(format!(
                    "{from} is not an ancestor of {to} on a straight line: squash takes a chain FROM:TO"
                )))
            }
            _ => {
                return Err(Error::Usage(format!(
                    "{at} is a merge point: squash takes a chain without merges (squash up to {at}'s parents, or from {at} on)"
                )))
            }
        }
    }
    out.reverse();
    let inner = &out[..out.len() - 1];
    for id in inner {
        for child in graph.children(id) {
            if !out.iter().any(|o| o.as_str() == child) {
                return Err(Error::Usage(format!(
                    "{child} is built on {id}, inside the range: squash cannot remove {id} (squash a range that ends at {id}, or merge first)"
                )));
            }
        }
        for dependent in graph.dependents(id) {
            if !out.iter().any(|o| o.as_str() == dependent) {
                return Err(Error::Usage(format!(
                    "{dependent} depends on {id}, inside the range; point its Depends On at {to} first"
                )));
            }
        }
    }
    if graph.parents(&out[0]).len() > 1 {
        return Err(Error::Usage(format!(
            "{} is a merge point: start the range after it",
            out[0]
        )));
    }
    Ok(out)
}

/// A data statement (not schema) at the start of a statement.
fn has_data_statements(project: &Project, id: &str, kind: crate::dialect::DialectKind) -> bool {
    let Some(section) = project.script(id).and_then(|s| s.upgrade().ok()) else {
        return false;
    };
    crate::script::split(&section.sql, section.first_line, kind)
        .map(|statements| {
            statements.iter().any(|st| {
                let first = st
                    .sql
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                matches!(
                    first.as_str(),
                    "INSERT" | "UPDATE" | "DELETE" | "COPY" | "MERGE"
                )
            })
        })
        .unwrap_or(false)
}

/// Squashes `range` (`FROM:TO`, `base:TO` from the root) into one revision
/// with message `message`, building the schemas in scratch databases on
/// `server`. `current` are the target database's revisions, when known: a
/// database inside the range is refused.
pub fn squash(
    project: &Project,
    range: &str,
    message: &str,
    server: &DatabaseUrl,
    current: Option<&[String]>,
) -> Result<SquashReport> {
    let Some((from, to)) = range.split_once(':') else {
        return Err(Error::Usage(format!("'{range}' is not a range FROM:TO")));
    };
    let graph = project.graph();
    let one = |ident: &str| -> Result<String> {
        let ids = graph.resolve(ident, &[])?;
        match ids.as_slice() {
            [id] => Ok(id.clone()),
            _ => Err(Error::Usage(format!(
                "'{ident}' names {} revisions; squash needs exactly one at each end",
                ids.len()
            ))),
        }
    };
    let to = one(to)?;
    let from = if from == "base" || from.is_empty() {
        let mut at = to.clone();
        while let [one] = graph.parents(&at).as_slice() {
            at = one.to_string();
        }
        at
    } else {
        one(from)?
    };
    let ids = chain(project, &from, &to)?;
    if ids.len() < 2 {
        return Err(Error::Usage(format!(
            "{range} holds one revision: nothing to squash"
        )));
    }
    if let Some(current) = current {
        if let Some(inside) = current.iter().find(|c| ids[..ids.len() - 1].contains(c)) {
            return Err(Error::Usage(format!(
                "the database is at {inside}, inside the range: upgrade it to {to} (or later) before squashing, or its revision would disappear"
            )));
        }
    }

    let parents: Vec<String> = graph.parents(&from).iter().map(|p| p.to_string()).collect();
    let start = parents.first().map_or("base".to_string(), |p| p.clone());
    let before = from_migrations(server, project, &start)?;
    let after = from_migrations(server, project, &to)?;
    let comparison = Comparison::new(server.kind, &before, &after);

    let scripts: Vec<_> = ids
        .iter()
        .map(|id| project.require_script(id).cloned())
        .collect::<Result<_>>()?;
    let labels: Vec<String> = scripts
        .iter()
        .flat_map(|s| s.branch_labels.clone())
        .collect();
    let mut depends_on: Vec<String> = scripts
        .iter()
        .flat_map(|s| s.depends_on.clone())
        .filter(|d| !ids.contains(d))
        .collect();
    depends_on.sort();
    depends_on.dedup();
    let data_statements_in: Vec<String> = ids
        .iter()
        .filter(|id| has_data_statements(project, id, server.kind))
        .cloned()
        .collect();

    // Keep the old files' text to put them back if the proof fails.
    let mut saved = Vec::new();
    for s in &scripts {
        let text = std::fs::read_to_string(&s.path).map_err(|e| Error::io(&s.path, e))?;
        saved.push((s.path.clone(), text));
    }
    let restore = |written: Option<&PathBuf>| {
        if let Some(path) = written {
            let _ = std::fs::remove_file(path);
        }
        for (path, text) in &saved {
            let _ = std::fs::write(path, text);
        }
    };
    for (path, _) in &saved {
        std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
    }
    let req = RevisionRequest {
        message: message.to_string(),
        rev_id: Some(to.clone()),
        branch_labels: labels,
        upgrades: comparison.upgrade_sql()?,
        downgrades: comparison.downgrade_sql()?,
        comment_lines: vec![format!(
            "Squashed from {} by `retort squash`; the SQL is generated from the schema they produce.",
            ids.join(", ")
        )],
        ..RevisionRequest::default()
    };
    let written =
        match authoring::write_revision_replacing(project, &req, parents, depends_on, &ids) {
            Ok(w) => w,
            Err(e) => {
                restore(None);
                return Err(e);
            }
        };
    // The proof: the new project builds the same schema at TO.
    let proof =
        Project::load(project.config.clone()).and_then(|new| from_migrations(server, &new, &to));
    match proof {
        Ok(schema) if schema == after => {}
        Ok(schema) => {
            restore(Some(&written.path));
            let diff: Vec<String> = Comparison::new(server.kind, &schema, &after)
                .upgrade
                .iter()
                .map(autogen::summary)
                .collect();
            return Err(Error::Usage(format!(
                "the squashed revision does not reproduce the schema at {to} ({}); the original files are back",
                diff.join("; ")
            )));
        }
        Err(e) => {
            restore(Some(&written.path));
            return Err(Error::Usage(format!(
                "the squashed project does not build ({e}); the original files are back"
            )));
        }
    }
    Ok(SquashReport {
        replaced: ids,
        removed: saved.into_iter().map(|(p, _)| p).collect(),
        revision: written,
        data_statements_in,
        changes: comparison.upgrade.len(),
    })
}
