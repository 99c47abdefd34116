//! The revision graph: a DAG of revisions built from their `Revises`,
//! `Branch Labels` and `Depends On` headers, with Alembic's identifier grammar
//! and the upgrade/downgrade/stamp plans computed over it. No I/O here.
//!
//! The semantics follow Alembic 1.x (`alembic/script/revision.py` and the
//! version-table bookkeeping of `alembic/runtime/migration.py`):
//!
//! * a revision's *parents* are its `Revises` ids; its *dependencies* are the
//!   `Depends On` entries resolved to ids. A dependency that an ancestor
//!   already depends on is dropped ("normalized"), and the remaining ones act
//!   like extra parents for ordering and for the version table.
//! * a *head* is a revision that no other revision revises (a revision only
//!   depended upon is still a head — Alembic's "effective head"); a *real
//!   head* is not depended upon either.
//! * branch labels spread to every descendant of the labelled revision and
//!   down its ancestors until a branch point or merge point.
//!
//! All traversals are iterative and work on integer indices, so a
//! 10,000-deep chain neither overflows the stack nor goes quadratic.

mod build;
pub mod draw;
mod error;
mod history;
mod ident;
mod plan;
mod store;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::path::Path;

use store::{Adjacency, Ids};

pub use error::GraphError;

/// One revision as the graph sees it: the input of [`RevisionGraph::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Full revision id.
    pub id: String,
    /// `Revises`: empty for a root, several for a merge.
    pub parents: Vec<String>,
    /// `Branch Labels`.
    pub branch_labels: Vec<String>,
    /// `Depends On` (ids, id prefixes or branch labels, as written).
    pub depends_on: Vec<String>,
    /// Where the revision came from (a file path), for error messages.
    pub source: String,
}

/// A revision's headers, borrowed: how a project builds its graph without
/// copying every header (see [`RevisionGraph::from_refs`]).
#[derive(Debug, Clone, Copy)]
pub struct NodeRef<'a> {
    /// Full revision id.
    pub id: &'a str,
    /// `Revises`.
    pub parents: &'a [String],
    /// `Branch Labels`.
    pub branch_labels: &'a [String],
    /// `Depends On`, as written.
    pub depends_on: &'a [String],
    /// Where the revision came from, for error messages.
    pub source: &'a Path,
}

impl<'a> From<&'a Node> for NodeRef<'a> {
    fn from(n: &'a Node) -> Self {
        NodeRef {
            id: &n.id,
            parents: &n.parents,
            branch_labels: &n.branch_labels,
            depends_on: &n.depends_on,
            source: Path::new(&n.source),
        }
    }
}

/// The revision graph.
///
/// Built once by [`RevisionGraph::new`] (or [`RevisionGraph::from_refs`]),
/// which validates it; every query after that is read-only. It keeps the
/// ids and the relations between revisions, not the headers themselves.
#[derive(Debug, Clone)]
pub struct RevisionGraph {
    /// The revision ids, in the order given to `new` (that order breaks ties
    /// wherever Alembic's output depends on file order).
    ids: Ids,
    /// Declared branch labels: (revision, label), in input order.
    declared: Vec<(usize, String)>,
    /// Indices into `declared`, sorted by label.
    label_order: Vec<usize>,
    /// `Revises`, as indices.
    parents: Adjacency,
    /// `Depends On`, resolved to indices.
    deps: Adjacency,
    /// Parents followed by the normalized dependencies: the revisions that
    /// must be applied right before this one, and whose version rows it
    /// replaces (Alembic's `_normalized_down_revisions`).
    down: Adjacency,
    /// Revisions whose parents include this one.
    children: Adjacency,
    /// Revisions whose dependencies include this one.
    dependents: Adjacency,
    /// Effective branch labels after propagation.
    branch_labels: Vec<BTreeSet<String>>,
    /// Heads (no children), in input order.
    heads: Vec<usize>,
}

impl RevisionGraph {
    /// Builds and validates the graph.
    ///
    /// Fails on duplicate ids, a missing parent or `Depends On` target, a
    /// cycle (through parents or dependencies), a branch label declared
    /// twice, or a branch label equal to a revision id. Each error names the
    /// revisions and their source files.
    pub fn new(nodes: Vec<Node>) -> Result<Self, GraphError> {
        build::build(&nodes.iter().map(NodeRef::from).collect::<Vec<_>>())
    }

    /// [`RevisionGraph::new`] over borrowed headers.
    pub fn from_refs(nodes: &[NodeRef<'_>]) -> Result<Self, GraphError> {
        build::build(nodes)
    }

    /// Where the revision with this full id is in the order given to
    /// [`RevisionGraph::new`].
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.ids.find(id)
    }

    /// True when a revision has this full id.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.find(id).is_some()
    }

    /// Every revision id, in the order given to [`RevisionGraph::new`].
    pub fn all_ids(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.ids.len()).map(|i| self.ids.get(i))
    }

    /// Number of revisions.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the graph holds no revision.
    pub fn is_empty(&self) -> bool {
        self.ids.len() == 0
    }

    /// The branch labels `id` itself declares, in the order written.
    pub fn declared_labels(&self, id: &str) -> Vec<&str> {
        match self.ids.find(id) {
            Some(i) => {
                let start = self.declared.partition_point(|(n, _)| *n < i);
                self.declared[start..]
                    .iter()
                    .take_while(|(n, _)| *n == i)
                    .map(|(_, l)| l.as_str())
                    .collect()
            }
            None => Vec::new(),
        }
    }

    /// Alembic's heads: revisions that no revision revises, including the
    /// "effective heads" that only `Depends On` points at. Input order.
    pub fn heads(&self) -> Vec<&str> {
        self.ids(&self.heads)
    }

    /// Alembic's real heads: revisions that nothing revises or depends on
    /// (what the identifier `heads` resolves to). Input order.
    pub fn real_heads(&self) -> Vec<&str> {
        let real: Vec<usize> = self
            .heads
            .iter()
            .copied()
            .filter(|&i| self.dependents[i].is_empty())
            .collect();
        self.ids(&real)
    }

    /// Bases: revisions without parents (they may still have dependencies).
    /// Input order.
    pub fn bases(&self) -> Vec<&str> {
        let bases: Vec<usize> = (0..self.ids.len())
            .filter(|&i| self.parents[i].is_empty())
            .collect();
        self.ids(&bases)
    }

    /// Revisions whose parents include `id` (Alembic's `nextrev`).
    pub fn children(&self, id: &str) -> Vec<&str> {
        self.rel_ids(id, |g, i| &g.children[i])
    }

    /// Revisions whose `Depends On` includes `id`.
    pub fn dependents(&self, id: &str) -> Vec<&str> {
        self.rel_ids(id, |g, i| &g.dependents[i])
    }

    /// The revisions `id` revises (full ids).
    pub fn parents(&self, id: &str) -> Vec<&str> {
        self.rel_ids(id, |g, i| &g.parents[i])
    }

    /// The resolved `Depends On` of `id` (full ids, as written, resolved).
    pub fn dependencies(&self, id: &str) -> Vec<&str> {
        self.rel_ids(id, |g, i| &g.deps[i])
    }

    /// The effective branch labels of `id`: its own and those it inherits
    /// from labelled revisions on its branch. Sorted.
    pub fn branch_labels(&self, id: &str) -> Vec<&str> {
        match self.ids.find(id) {
            Some(i) => self.branch_labels[i].iter().map(String::as_str).collect(),
            None => Vec::new(),
        }
    }

    /// True when no revision revises `id` (Alembic prints `(head)` for it in
    /// `history`; `heads` lists it).
    pub fn is_head(&self, id: &str) -> bool {
        self.ids
            .find(id)
            .is_some_and(|i| self.children[i].is_empty())
    }

    /// True when no revision revises or depends on `id`. A head that is not a
    /// real head is what Alembic prints as `(effective head)`.
    pub fn is_real_head(&self, id: &str) -> bool {
        self.ids
            .find(id)
            .is_some_and(|i| self.children[i].is_empty() && self.dependents[i].is_empty())
    }

    /// True when `id` has no parents (Alembic's `is_base`).
    pub fn is_base(&self, id: &str) -> bool {
        self.ids
            .find(id)
            .is_some_and(|i| self.parents[i].is_empty())
    }

    /// True when more than one revision revises `id`.
    pub fn is_branch_point(&self, id: &str) -> bool {
        self.ids
            .find(id)
            .is_some_and(|i| self.children[i].len() > 1)
    }

    /// True when `id` revises more than one revision.
    pub fn is_merge_point(&self, id: &str) -> bool {
        self.ids.find(id).is_some_and(|i| self.parents[i].len() > 1)
    }

    /// All branch points, in input order (for `branches`).
    pub fn branch_points(&self) -> Vec<&str> {
        let points: Vec<usize> = (0..self.ids.len())
            .filter(|&i| self.children[i].len() > 1)
            .collect();
        self.ids(&points)
    }

    /// `id` and every revision below it, through parents and dependencies,
    /// in depth-first order starting at `id`. Empty when `id` is unknown.
    pub fn ancestors(&self, id: &str) -> Vec<&str> {
        match self.ids.find(id) {
            Some(i) => self.ids(&self.closure(&[i], Rel::Down)),
            None => Vec::new(),
        }
    }

    /// `id` and every revision above it, through children and dependents,
    /// in depth-first order starting at `id`. Empty when `id` is unknown.
    pub fn descendants(&self, id: &str) -> Vec<&str> {
        match self.ids.find(id) {
            Some(i) => self.ids(&self.closure(&[i], Rel::Up)),
            None => Vec::new(),
        }
    }

    /// What `current` shows: the version-table rows plus the revisions they
    /// imply that are not below another implied revision on the same branch
    /// (Alembic's `get_all_current`; the extra ones are dependencies, printed
    /// as `(effective head)`). Input order. Unknown rows are an error.
    pub fn all_current(&self, current: &[String]) -> Result<Vec<&str>, GraphError> {
        let rows = self.rows(current)?;
        let set = self.marks(&self.closure(&rows, Rel::Down));
        let tops: Vec<usize> = (0..self.ids.len())
            .filter(|&i| set[i] && !self.children[i].iter().any(|&c| set[c]))
            .collect();
        Ok(self.ids(&tops))
    }

    // ----- small internal helpers shared by the submodules -----

    /// The revision that declares branch label `label`.
    fn label(&self, label: &str) -> Option<usize> {
        self.label_order
            .binary_search_by(|&k| self.declared[k].1.as_str().cmp(label))
            .ok()
            .map(|k| self.declared[self.label_order[k]].0)
    }

    /// Declared labels starting with `prefix`, with their revisions.
    fn labels_with_prefix<'s>(
        &'s self,
        prefix: &'s str,
    ) -> impl Iterator<Item = (&'s str, usize)> + 's {
        let start = self
            .label_order
            .partition_point(|&k| self.declared[k].1.as_str() < prefix);
        self.label_order[start..]
            .iter()
            .map(|&k| (self.declared[k].1.as_str(), self.declared[k].0))
            .take_while(move |(label, _)| label.starts_with(prefix))
    }

    fn ids(&self, idx: &[usize]) -> Vec<&str> {
        idx.iter().map(|&i| self.ids.get(i)).collect()
    }

    fn owned_ids(&self, idx: &[usize]) -> Vec<String> {
        idx.iter().map(|&i| self.ids.get(i).to_string()).collect()
    }

    fn rel_ids(&self, id: &str, rel: impl Fn(&Self, usize) -> &[usize]) -> Vec<&str> {
        match self.ids.find(id) {
            Some(i) => self.ids(rel(self, i)),
            None => Vec::new(),
        }
    }

    /// Maps version-table rows to indices, failing on unknown ids, dropping
    /// duplicates.
    fn rows(&self, current: &[String]) -> Result<Vec<usize>, GraphError> {
        let mut out = Vec::with_capacity(current.len());
        for row in current {
            let i = self
                .ids
                .find(row)
                .ok_or_else(|| GraphError::UnknownCurrent { id: row.clone() })?;
            if !out.contains(&i) {
                out.push(i);
            }
        }
        Ok(out)
    }

    /// Neighbours of `i` along one relation.
    fn neighbours(&self, i: usize, rel: Rel) -> impl Iterator<Item = usize> + '_ {
        let (a, b): (&[usize], &[usize]) = match rel {
            Rel::Down => (&self.down[i], &[]),
            Rel::Parents => (&self.parents[i], &[]),
            Rel::Children => (&self.children[i], &[]),
            Rel::Up => (&self.children[i], &self.dependents[i]),
        };
        a.iter().chain(b.iter()).copied()
    }

    /// Iterative depth-first closure from `starts` (included), in visit order.
    fn closure(&self, starts: &[usize], rel: Rel) -> Vec<usize> {
        let mut seen = vec![false; self.ids.len()];
        let mut out = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        for &s in starts {
            stack.push(s);
            while let Some(i) = stack.pop() {
                if std::mem::replace(&mut seen[i], true) {
                    continue;
                }
                out.push(i);
                stack.extend(self.neighbours(i, rel));
            }
        }
        out
    }

    /// A membership vector for a list of indices.
    fn marks(&self, idx: &[usize]) -> Vec<bool> {
        let mut m = vec![false; self.ids.len()];
        for &i in idx {
            m[i] = true;
        }
        m
    }
}

/// A relation to traverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rel {
    /// Parents and normalized dependencies (ancestors "with dependencies").
    Down,
    /// Parents only.
    Parents,
    /// Children only.
    Children,
    /// Children and dependents (descendants "with dependencies").
    Up,
}
