//! What an upgrade, downgrade or stamp will do: an ordered list of steps, each
//! naming the revision to run and how the version table changes after it.
//!
//! Plans are plain data computed by [`crate::graph::RevisionGraph`] without any
//! database; the runner executes them.

use serde::Serialize;

/// Which section of a revision a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Run the `-- +upgrade` section.
    Upgrade,
    /// Run the `-- +downgrade` section.
    Downgrade,
}

/// How the rows of the version table change once a step has run.
///
/// The version table holds one row per current head (Alembic's semantics). A
/// linear step replaces one row with another (`delete = [old]`, `insert =
/// [new]`, rendered as an `UPDATE`); a step out of a branch point inserts a
/// new row; a merge deletes all but one of its parents' rows and updates the
/// last; leaving the base deletes the last row.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct VersionChange {
    /// Rows (revision ids) removed from the version table.
    pub delete: Vec<String>,
    /// Rows (revision ids) added to the version table.
    pub insert: Vec<String>,
}

impl VersionChange {
    /// True when the step leaves the version table as it was.
    pub fn is_empty(&self) -> bool {
        self.delete.is_empty() && self.insert.is_empty()
    }
}

/// One revision to run in one direction, with its version-table change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Full id of the revision whose section runs.
    pub revision: String,
    /// Which section runs.
    pub direction: Direction,
    /// What happens to the version table after the section ran.
    pub version_change: VersionChange,
}
