//! The revision graph: a DAG of revisions built from their `Revises`,
//! `Branch Labels` and `Depends On` headers, with Alembic's identifier grammar
//! and the upgrade/downgrade/stamp plans computed over it. No I/O here.
//!
//! SKELETON — to be implemented (see the helper brief). The public API below is
//! the contract the rest of the crate codes against.

use crate::plan::{Step, VersionChange};

/// One revision as the graph sees it.
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

/// Errors from building the graph or resolving identifiers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// Placeholder until the graph is implemented.
    #[error("not implemented")]
    Todo,
}

/// The revision graph.
#[derive(Debug, Clone)]
pub struct RevisionGraph {
    _nodes: Vec<Node>,
}

impl RevisionGraph {
    /// Builds and validates the graph.
    pub fn new(nodes: Vec<Node>) -> Result<Self, GraphError> {
        Ok(Self { _nodes: nodes })
    }
    /// Looks a revision up by full id.
    pub fn get(&self, _id: &str) -> Option<&Node> {
        None
    }
    /// Heads, in a stable order.
    pub fn heads(&self) -> Vec<&str> {
        Vec::new()
    }
    /// Resolves an identifier to full ids.
    pub fn resolve(&self, _ident: &str, _current: &[String]) -> Result<Vec<String>, GraphError> {
        Err(GraphError::Todo)
    }
    /// Plans an upgrade from `current` to `target`.
    pub fn upgrade_plan(&self, _current: &[String], _target: &str) -> Result<Vec<Step>, GraphError> {
        Err(GraphError::Todo)
    }
    /// Plans a downgrade from `current` to `target`.
    pub fn downgrade_plan(&self, _current: &[String], _target: &str) -> Result<Vec<Step>, GraphError> {
        Err(GraphError::Todo)
    }
    /// Computes the version-table change of `stamp`.
    pub fn stamp(&self, _current: &[String], _targets: &[String], _purge: bool) -> Result<VersionChange, GraphError> {
        Err(GraphError::Todo)
    }
}
