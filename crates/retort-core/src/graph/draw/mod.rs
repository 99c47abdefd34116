//! Drawing the revision graph: as text in the manner of `git log --graph`
//! (heads on top, bases at the bottom), as a Mermaid flowchart, as a
//! Graphviz digraph, and as a JSON document of nodes and edges.
//!
//! Build a [`GraphView`] with [`RevisionGraph::view`], then render it. The
//! view holds the revisions to show, their messages and which of them are
//! current; edges to revisions outside the view are left out.

mod dot;
mod json;
mod lanes;
mod mermaid;
#[cfg(test)]
mod tests;
mod text;

use std::collections::HashMap;

pub use json::{EdgeJson, EdgeKind, GraphJson, NodeJson};

use super::RevisionGraph;

/// The node glyph of a revision the database is at.
pub const CURRENT_GLYPH: char = '@';
/// The node glyph of any other revision.
pub const NODE_GLYPH: char = '*';

/// The revisions to draw, newest first, with what the renderers print
/// about each.
#[derive(Debug, Clone)]
pub struct GraphView<'g> {
    graph: &'g RevisionGraph,
    /// Full ids, newest first (children before their parents).
    ids: Vec<&'g str>,
    /// Messages, by position in `ids`.
    messages: Vec<String>,
    /// Whether the database is at the revision, by position in `ids`.
    current: Vec<bool>,
    /// Full id → position in `ids`.
    pos: HashMap<&'g str, usize>,
}

impl RevisionGraph {
    /// A view of the revisions `ids` (full ids, newest first, as
    /// [`RevisionGraph::history`] returns them), marking `current` (the
    /// version-table rows) and taking each revision's message from
    /// `message`. Ids the graph does not know are skipped.
    pub fn view<'g>(
        &'g self,
        ids: &[&str],
        current: &[String],
        message: impl Fn(&str) -> String,
    ) -> GraphView<'g> {
        let ids: Vec<&'g str> = ids
            .iter()
            .filter_map(|id| self.index_of(id).map(|i| self.ids.get(i)))
            .collect();
        let mut pos = HashMap::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            pos.entry(*id).or_insert(i);
        }
        GraphView {
            graph: self,
            messages: ids.iter().map(|id| message(id)).collect(),
            current: ids
                .iter()
                .map(|id| current.iter().any(|c| c == id))
                .collect(),
            ids,
            pos,
        }
    }

    /// A view of every revision, newest first.
    pub fn view_all(&self, current: &[String], message: impl Fn(&str) -> String) -> GraphView<'_> {
        let order = self.full_order();
        self.view(&order, current, message)
    }

    /// Every revision newest first, children before parents (the order of
    /// `history` without a range).
    fn full_order(&self) -> Vec<&str> {
        let all = vec![true; self.ids.len()];
        let heads = self.heads.clone();
        self.topo_newest_first(all, &heads)
            .into_iter()
            .map(|i| self.ids.get(i))
            .collect()
    }
}

impl<'g> GraphView<'g> {
    /// The revisions shown, newest first.
    pub fn ids(&self) -> &[&'g str] {
        &self.ids
    }

    /// The parents of the revision at `p` that the view shows, as positions.
    fn parent_positions(&self, p: usize) -> Vec<usize> {
        self.graph
            .parents(self.ids[p])
            .into_iter()
            .filter_map(|id| self.pos.get(id).copied())
            .filter(|&q| q > p)
            .collect()
    }

    /// The `Depends On` targets of the revision at `p` that the view shows.
    fn dependency_ids(&self, p: usize) -> Vec<&'g str> {
        self.graph
            .dependencies(self.ids[p])
            .into_iter()
            .filter(|id| self.pos.contains_key(id))
            .collect()
    }

    /// The labels the revision at `p` declares.
    fn labels(&self, p: usize) -> Vec<&'g str> {
        self.graph.declared_labels(self.ids[p])
    }
}
