//! Errors from building the graph, resolving identifiers and planning.

/// Errors from building the graph or resolving identifiers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// Two revisions share an id.
    #[error("revision {id} is present more than once: {}", .sources.join(", "))]
    DuplicateId {
        /// The id.
        id: String,
        /// Every file that declares it.
        sources: Vec<String>,
    },
    /// A `Revises` entry names no known revision.
    #[error("revision {parent} referenced from {id} ({source_file}) is not present")]
    MissingParent {
        /// The revision that revises it.
        id: String,
        /// The unknown parent.
        parent: String,
        /// File of `id`.
        source_file: String,
    },
    /// A `Depends On` entry names no known revision or label.
    #[error(
        "dependency {dependency} of {id} ({source_file}) is not a known revision or branch label"
    )]
    MissingDependency {
        /// The revision that depends on it.
        id: String,
        /// The unknown dependency as written.
        dependency: String,
        /// File of `id`.
        source_file: String,
    },
    /// A cycle through `Revises`.
    #[error("cycle detected in revisions {} (files: {})", .ids.join(", "), .sources.join(", "))]
    Cycle {
        /// Revisions on or behind the cycle, sorted.
        ids: Vec<String>,
        /// Their files.
        sources: Vec<String>,
    },
    /// A cycle that goes through `Depends On`.
    #[error("dependency cycle detected in revisions {} (files: {})", .ids.join(", "), .sources.join(", "))]
    DependencyCycle {
        /// Revisions on or behind the cycle, sorted.
        ids: Vec<String>,
        /// Their files.
        sources: Vec<String>,
    },
    /// A branch label declared by two revisions.
    #[error("branch name '{label}' in revision {id} ({source_file}) already used by revision {other} ({other_source})")]
    DuplicateLabel {
        /// The label.
        label: String,
        /// The second revision declaring it.
        id: String,
        /// Its file.
        source_file: String,
        /// The first revision declaring it.
        other: String,
        /// Its file.
        other_source: String,
    },
    /// A branch label that equals a revision id.
    #[error("branch name '{label}' in revision {id} ({source_file}) is the id of revision {label} ({other_source})")]
    LabelIsRevision {
        /// The label (and id).
        label: String,
        /// The revision declaring the label.
        id: String,
        /// Its file.
        source_file: String,
        /// File of the revision with that id.
        other_source: String,
    },
    /// `head` (or `label@head`) when there are several heads.
    #[error("multiple head revisions are present for given argument '{argument}': {}; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads", .heads.join(", "))]
    MultipleHeads {
        /// The heads.
        heads: Vec<String>,
        /// The identifier given.
        argument: String,
    },
    /// No revision or label matches.
    #[error("no such revision or branch '{ident}'{}", if .ident.len() < 4 { "; please ensure at least four characters are present for partial revision identifier matches" } else { "" })]
    UnknownRevision {
        /// The identifier given.
        ident: String,
    },
    /// A prefix that matches several revisions.
    #[error("multiple revisions start with '{prefix}': {}", .candidates.join(", "))]
    AmbiguousPrefix {
        /// The prefix given.
        prefix: String,
        /// The matching ids and labels.
        candidates: Vec<String>,
    },
    /// `label@...` with an unknown label.
    #[error("no such branch: '{label}'")]
    UnknownBranch {
        /// The label.
        label: String,
    },
    /// `label@REV` where REV is not on that branch.
    #[error("revision {revision} is not a member of branch '{label}'")]
    NotOnBranch {
        /// The revision.
        revision: String,
        /// The label.
        label: String,
    },
    /// A relative move that meets a branch point or merge point.
    #[error("ambiguous walk for '{ident}': more than one revision is {} steps away; name the branch (label@{}) or a revision", .steps.abs(), .steps)]
    AmbiguousWalk {
        /// The identifier given.
        ident: String,
        /// The relative step count.
        steps: i64,
    },
    /// A relative move that leaves the graph (`upgrade +5` past the head).
    #[error("relative revision {ident} didn't produce {} migrations", .steps.abs())]
    RelativeTooFar {
        /// The identifier given.
        ident: String,
        /// The relative step count.
        steps: i64,
    },
    /// A relative move from several current revisions.
    #[error("ambiguous {ident} from multiple current revisions ({}); use label@{ident} or a revision", .current.join(", "))]
    AmbiguousCurrent {
        /// The identifier given.
        ident: String,
        /// The current revisions.
        current: Vec<String>,
    },
    /// A version-table row that names no known revision.
    #[error("the version table holds '{id}', which is not a known revision")]
    UnknownCurrent {
        /// The row.
        id: String,
    },
    /// A downgrade target that is not below the current revisions.
    #[error("destination {target} is not a valid downgrade target from current head(s)")]
    NotDowngradeTarget {
        /// The identifier given.
        target: String,
    },
    /// A history range whose start is not below its end.
    #[error("revision {lower} is not an ancestor of revision {upper}")]
    NotAncestor {
        /// The lower end.
        lower: String,
        /// The upper end.
        upper: String,
    },
    /// A history range without `:`.
    #[error("history range '{range}' requires [start]:[end], [start]:, or :[end]")]
    BadRange {
        /// The range given.
        range: String,
    },
    /// Targets of which one is an ancestor of another.
    #[error("requested revision {id} overlaps with other requested revisions {}", .others.join(", "))]
    OverlappingTargets {
        /// The target.
        id: String,
        /// Targets it overlaps.
        others: Vec<String>,
    },
    /// The version table does not hold the row a step must replace.
    #[error("cannot {direction} {id}: the version table ({}) does not hold it", .rows.join(", "))]
    NotInVersionTable {
        /// The revision.
        id: String,
        /// `upgrade` or `downgrade`.
        direction: &'static str,
        /// The rows at that point.
        rows: Vec<String>,
    },
}
