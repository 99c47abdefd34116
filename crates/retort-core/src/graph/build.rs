//! Building and validating a [`RevisionGraph`].

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use super::store::{Adjacency, Ids};
use super::{GraphError, NodeRef, Rel, RevisionGraph};

/// Builds the graph; see [`RevisionGraph::new`].
pub(super) fn build(nodes: &[NodeRef<'_>]) -> Result<RevisionGraph, GraphError> {
    let ids = Ids::new(nodes.iter().map(|n| n.id));
    check_unique(nodes, &ids)?;
    let (declared, label_order) = index_labels(nodes, &ids)?;
    let parents = resolve_parents(nodes, &ids)?;
    let mut g = RevisionGraph {
        children: parents.inverted(nodes.len()),
        parents,
        ids,
        declared,
        label_order,
        deps: Adjacency::default(),
        down: Adjacency::default(),
        dependents: Adjacency::default(),
        branch_labels: Vec::new(),
        heads: Vec::new(),
    };
    g.deps = resolve_deps(&g, nodes)?;
    check_cycles(&g, nodes, false)?;
    check_cycles(&g, nodes, true)?;
    g.dependents = g.deps.inverted(nodes.len());
    g.down = normalized_down(&g);
    g.heads = (0..nodes.len())
        .filter(|&i| g.children[i].is_empty())
        .collect();
    g.branch_labels = propagate_labels(&g, nodes);
    Ok(g)
}

fn source(n: &NodeRef<'_>) -> String {
    n.source.display().to_string()
}

fn check_unique(nodes: &[NodeRef<'_>], ids: &Ids) -> Result<(), GraphError> {
    if ids.first_duplicate().is_none() {
        return Ok(());
    }
    // Name the first id that repeats in input order.
    let mut seen = HashSet::with_capacity(nodes.len());
    let Some(dup) = nodes.iter().find(|n| !seen.insert(n.id)) else {
        return Ok(());
    };
    Err(GraphError::DuplicateId {
        id: dup.id.to_string(),
        sources: nodes
            .iter()
            .filter(|m| m.id == dup.id)
            .map(source)
            .collect(),
    })
}

/// Declared labels as (revision, label) in input order, and their order by
/// label. A label may not repeat nor equal an id (Alembic keeps both in one
/// namespace).
#[allow(clippy::type_complexity)]
fn index_labels(
    nodes: &[NodeRef<'_>],
    ids: &Ids,
) -> Result<(Vec<(usize, String)>, Vec<usize>), GraphError> {
    let mut declared = Vec::new();
    let mut by_label: HashMap<&str, usize> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        for label in n.branch_labels {
            if let Some(j) = ids.find(label) {
                return Err(GraphError::LabelIsRevision {
                    label: label.clone(),
                    id: n.id.to_string(),
                    source_file: source(n),
                    other_source: source(&nodes[j]),
                });
            }
            if let Some(&j) = by_label.get(label.as_str()) {
                return Err(GraphError::DuplicateLabel {
                    label: label.clone(),
                    id: n.id.to_string(),
                    source_file: source(n),
                    other: nodes[j].id.to_string(),
                    other_source: source(&nodes[j]),
                });
            }
            by_label.insert(label, i);
            declared.push((i, label.clone()));
        }
    }
    let mut order: Vec<usize> = (0..declared.len()).collect();
    order.sort_by(|&a, &b| declared[a].1.cmp(&declared[b].1));
    Ok((declared, order))
}

fn resolve_parents(nodes: &[NodeRef<'_>], ids: &Ids) -> Result<Adjacency, GraphError> {
    let mut lists = Vec::with_capacity(nodes.len());
    for n in nodes {
        let mut ps = Vec::with_capacity(n.parents.len());
        for p in n.parents {
            let j = ids.find(p).ok_or_else(|| GraphError::MissingParent {
                id: n.id.to_string(),
                parent: p.clone(),
                source_file: source(n),
            })?;
            if !ps.contains(&j) {
                ps.push(j);
            }
        }
        lists.push(ps);
    }
    Ok(Adjacency::from_lists(lists))
}

/// Resolves `Depends On` entries: a full id, a branch label, or a unique id
/// prefix.
fn resolve_deps(g: &RevisionGraph, nodes: &[NodeRef<'_>]) -> Result<Adjacency, GraphError> {
    let mut lists = Vec::with_capacity(nodes.len());
    for n in nodes {
        let mut ds = Vec::with_capacity(n.depends_on.len());
        for d in n.depends_on {
            let missing = || GraphError::MissingDependency {
                id: n.id.to_string(),
                dependency: d.clone(),
                source_file: source(n),
            };
            let j = match g.ids.find(d).or_else(|| g.label(d)) {
                Some(j) => j,
                None => g.lookup_prefix(d).map_err(|_| missing())?,
            };
            if !ds.contains(&j) {
                ds.push(j);
            }
        }
        lists.push(ds);
    }
    Ok(Adjacency::from_lists(lists))
}

/// Kahn's algorithm over parents (and dependencies when `with_deps`); the
/// revisions it cannot order are on, or above, a cycle.
fn check_cycles(
    g: &RevisionGraph,
    nodes: &[NodeRef<'_>],
    with_deps: bool,
) -> Result<(), GraphError> {
    let n = nodes.len();
    let edges = |i: usize| {
        let deps: &[usize] = if with_deps { &g.deps[i] } else { &[] };
        g.parents[i].iter().chain(deps.iter()).copied()
    };
    let mut pending: Vec<usize> = (0..n).map(|i| edges(i).count()).collect();
    let up = Adjacency::from_lists((0..n).map(edges)).inverted(n);
    let mut queue: VecDeque<usize> = (0..n).filter(|&i| pending[i] == 0).collect();
    let mut done = 0;
    while let Some(i) = queue.pop_front() {
        done += 1;
        for &k in &up[i] {
            pending[k] -= 1;
            if pending[k] == 0 {
                queue.push_back(k);
            }
        }
    }
    if done == n {
        return Ok(());
    }
    let mut stuck: Vec<&NodeRef<'_>> = (0..n)
        .filter(|&i| pending[i] > 0)
        .map(|i| &nodes[i])
        .collect();
    stuck.sort_by(|a, b| a.id.cmp(b.id));
    let ids = stuck.iter().map(|n| n.id.to_string()).collect();
    let sources = stuck.iter().map(|n| source(n)).collect();
    Err(if with_deps {
        GraphError::DependencyCycle { ids, sources }
    } else {
        GraphError::Cycle { ids, sources }
    })
}

/// Parents followed by the dependencies that no parent-ancestor already
/// declares (Alembic's `_normalized_down_revisions`).
///
/// Only revisions with dependencies pay for an ancestor walk, so a plain
/// chain stays linear.
fn normalized_down(g: &RevisionGraph) -> Adjacency {
    Adjacency::from_lists((0..g.ids.len()).map(|i| {
        let mut down = g.parents[i].to_vec();
        if g.deps[i].is_empty() {
            return down;
        }
        let inherited: BTreeSet<usize> = g
            .closure(&g.parents[i], Rel::Parents)
            .into_iter()
            .flat_map(|a| g.deps[a].iter().copied())
            .collect();
        for &d in &g.deps[i] {
            if !inherited.contains(&d) && !down.contains(&d) {
                down.push(d);
            }
        }
        down
    }))
}

/// Spreads each declared label to the labelled revision's descendants and
/// down the line below, the way Alembic's `_add_branches` does: from the last
/// descendant its depth-first walk reaches, down through parents until a
/// revision that is a branch point (counting dependents) or a merge point.
fn propagate_labels(g: &RevisionGraph, nodes: &[NodeRef<'_>]) -> Vec<BTreeSet<String>> {
    let mut out: Vec<BTreeSet<String>> = vec![BTreeSet::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        if n.branch_labels.is_empty() {
            continue;
        }
        let above = g.closure(&[i], Rel::Children);
        for &j in &above {
            out[j].extend(n.branch_labels.iter().cloned());
        }
        let mut cur = above.last().copied();
        while let Some(j) = cur {
            let real_branch_point = g.children[j].len() + g.dependents[j].len() > 1;
            if real_branch_point || g.parents[j].len() > 1 {
                break;
            }
            out[j].extend(n.branch_labels.iter().cloned());
            cur = g.parents[j].first().copied();
        }
    }
    out
}
