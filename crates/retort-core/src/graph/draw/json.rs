//! The JSON document of nodes and edges.

use serde::Serialize;

use super::GraphView;

/// The whole graph as one JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphJson {
    /// The revisions, newest first.
    pub nodes: Vec<NodeJson>,
    /// Every edge between two shown revisions.
    pub edges: Vec<EdgeJson>,
    /// The shown revisions the database is at.
    pub current: Vec<String>,
}

/// One revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeJson {
    /// Full id.
    pub id: String,
    /// The message (first line of the file).
    pub message: String,
    /// The branch labels the revision declares.
    pub labels: Vec<String>,
    /// `Revises`.
    pub parents: Vec<String>,
    /// `Depends On`, resolved to ids.
    pub depends_on: Vec<String>,
    /// Nothing revises it.
    pub is_head: bool,
    /// It revises nothing.
    pub is_base: bool,
    /// The database is at it (a version-table row).
    pub is_current: bool,
}

/// What an edge stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// The child's `Revises` names the parent.
    Revises,
    /// The child's `Depends On` names the parent.
    DependsOn,
}

/// One edge, from the older revision to the newer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeJson {
    /// The revision revised or depended on.
    pub parent: String,
    /// The revision that revises or depends on it.
    pub child: String,
    /// Which header makes the edge.
    pub kind: EdgeKind,
}

impl GraphView<'_> {
    /// The view as a serialisable document.
    pub fn json(&self) -> GraphJson {
        let g = self.graph;
        let mut nodes = Vec::with_capacity(self.ids.len());
        let mut edges = Vec::new();
        for (p, &id) in self.ids.iter().enumerate() {
            nodes.push(NodeJson {
                id: id.to_string(),
                message: self.messages[p].clone(),
                labels: self.labels(p).into_iter().map(str::to_string).collect(),
                parents: g.parents(id).into_iter().map(str::to_string).collect(),
                depends_on: g.dependencies(id).into_iter().map(str::to_string).collect(),
                is_head: g.is_head(id),
                is_base: g.is_base(id),
                is_current: self.current[p],
            });
            for q in self.parent_positions(p) {
                edges.push(EdgeJson {
                    parent: self.ids[q].to_string(),
                    child: id.to_string(),
                    kind: EdgeKind::Revises,
                });
            }
            for dep in self.dependency_ids(p) {
                edges.push(EdgeJson {
                    parent: dep.to_string(),
                    child: id.to_string(),
                    kind: EdgeKind::DependsOn,
                });
            }
        }
        let current = (0..self.ids.len())
            .filter(|&p| self.current[p])
            .map(|p| self.ids[p].to_string())
            .collect();
        GraphJson {
            nodes,
            edges,
            current,
        }
    }
}
