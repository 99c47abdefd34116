//! Text and JSON renderings of revisions, in Alembic's formats where Alembic
//! has one (so scripts that parse `alembic history` keep working).

use crate::term::{errln, outln, paint, style, Stream};
use retort::graph::RevisionGraph;
use retort::script::Script;
use serde::Serialize;

/// Which parts of Alembic's one-line format to include.
#[derive(Debug, Clone, Copy, Default)]
pub struct LineOptions {
    /// `parent -> rev`.
    pub parents: bool,
    /// `(label)` after the id.
    pub branches: bool,
    /// `, message` at the end.
    pub doc: bool,
    /// `(branchpoint)` / `(mergepoint)`.
    pub tree: bool,
    /// `(head)` / `(effective head)` / `(current)`.
    pub heads: bool,
}

/// `<base>` for a root, else the parents joined by `, `.
pub fn format_parents(script: &Script) -> String {
    if script.parents.is_empty() {
        "<base>".to_string()
    } else {
        script.parents.join(", ")
    }
}

/// Alembic's one-line form, e.g. `9b1e0c44aa21 -> 3f2a9c1b7d10 (head), Add roles`.
pub fn line(graph: &RevisionGraph, script: &Script, current: &[String], o: LineOptions) -> String {
    let id = script.id.as_str();
    let shown_id = paint(Stream::Out, style::ID, id);
    let mut text = shown_id.clone();
    if o.parents {
        text = if script.depends_on.is_empty() {
            format!("{} -> {shown_id}", format_parents(script))
        } else {
            format!(
                "{} ({}) -> {shown_id}",
                format_parents(script),
                script.depends_on.join(", ")
            )
        };
    }
    if o.branches && !script.branch_labels.is_empty() {
        text.push_str(&format!(" ({})", script.branch_labels.join(", ")));
    }
    if o.heads || o.tree {
        if graph.is_real_head(id) {
            mark(&mut text, style::HEAD, "(head)");
        } else if graph.is_head(id) {
            mark(&mut text, style::HEAD, "(effective head)");
        }
        if current.iter().any(|c| c == id) {
            mark(&mut text, style::GOOD, "(current)");
        }
    }
    if o.tree {
        if graph.is_branch_point(id) {
            mark(&mut text, style::POINT, "(branchpoint)");
        }
        if graph.is_merge_point(id) {
            mark(&mut text, style::POINT, "(mergepoint)");
        }
    }
    if script.code.is_some() {
        mark(&mut text, style::POINT, "(code)");
    }
    if o.doc {
        text.push_str(", ");
        text.push_str(&script.message);
    }
    text
}

/// Appends ` (word)` to a line of standard output, coloured when it is.
fn mark(text: &mut String, style: anstyle::Style, word: &str) {
    text.push(' ');
    text.push_str(&paint(Stream::Out, style, word));
}

/// Alembic's verbose entry (`Rev:`, `Parent:`/`Merges:`, `Path:`, the doc).
pub fn verbose_entry(graph: &RevisionGraph, script: &Script, current: &[String]) -> String {
    let id = script.id.as_str();
    let mut out = format!("Rev: {}", paint(Stream::Out, style::ID, id));
    if graph.is_head(id) {
        mark(&mut out, style::HEAD, "(head)");
    }
    if graph.is_branch_point(id) {
        mark(&mut out, style::POINT, "(branchpoint)");
    }
    if graph.is_merge_point(id) {
        mark(&mut out, style::POINT, "(mergepoint)");
    }
    if current.iter().any(|c| c == id) {
        mark(&mut out, style::GOOD, "(current)");
    }
    out.push('\n');
    if graph.is_merge_point(id) {
        out.push_str(&format!("Merges: {}\n", format_parents(script)));
    } else {
        out.push_str(&format!("Parent: {}\n", format_parents(script)));
    }
    if !script.depends_on.is_empty() {
        out.push_str(&format!(
            "Also depends on: {}\n",
            script.depends_on.join(", ")
        ));
    }
    if graph.is_branch_point(id) {
        out.push_str(&format!(
            "Branches into: {}\n",
            graph.children(id).join(", ")
        ));
    }
    if !script.branch_labels.is_empty() {
        out.push_str(&format!(
            "Branch names: {}\n",
            script.branch_labels.join(", ")
        ));
    }
    if let Some(code) = &script.code {
        out.push_str(&format!(
            "Code: {code} (a code migration: the service that registers it runs it)\n"
        ));
    }
    out.push_str(&format!("Path: {}\n\n", script.path.display()));
    for para in script.doc.lines() {
        out.push_str(&format!("    {para}\n"));
    }
    out
}

/// A revision as JSON.
#[derive(Debug, Serialize)]
pub struct RevisionJson<'a> {
    pub revision: &'a str,
    pub revises: &'a [String],
    pub branch_labels: &'a [String],
    pub depends_on: &'a [String],
    pub message: &'a str,
    pub path: String,
    pub create_date: Option<&'a str>,
    pub transactional: bool,
    pub reversible: bool,
    pub is_head: bool,
    pub is_branch_point: bool,
    pub is_merge_point: bool,
    pub is_current: bool,
    /// The upgrade section's checksum, as the history table records it.
    pub checksum: &'a str,
    /// `Code:`: the Rust migration that runs instead of SQL, if any.
    pub code: Option<&'a str>,
}

/// The JSON form of one revision.
pub fn revision_json<'a>(
    graph: &RevisionGraph,
    script: &'a Script,
    current: &[String],
) -> RevisionJson<'a> {
    let id = script.id.as_str();
    RevisionJson {
        revision: id,
        revises: &script.parents,
        branch_labels: &script.branch_labels,
        depends_on: &script.depends_on,
        message: &script.message,
        path: script.path.display().to_string(),
        create_date: script.create_date.as_deref(),
        transactional: script.transactional,
        reversible: script.is_reversible(),
        is_head: graph.is_head(id),
        is_branch_point: graph.is_branch_point(id),
        is_merge_point: graph.is_merge_point(id),
        is_current: current.iter().any(|c| c == id),
        checksum: &script.checksum,
        code: script.code.as_deref(),
    }
}

/// Prints a JSON document on standard output.
pub fn print_json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => outln!("{text}"),
        Err(e) => errln!("{} cannot render JSON: {e}", crate::term::error_prefix()),
    }
}
