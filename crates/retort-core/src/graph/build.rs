//! Building and validating a [`RevisionGraph`].

use std::collections::{BTreeSet, HashMap, VecDeque};

use super::{GraphError, Node, Rel, RevisionGraph};

/// Builds the graph; see [`RevisionGraph::new`].
pub(super) fn build(nodes: Vec<Node>) -> Result<RevisionGraph, GraphError> {
    let index = index_ids(&nodes)?;
    let labels = index_labels(&nodes, &index)?;
    let keys = sorted_keys(&index, &labels);
    let parents = resolve_parents(&nodes, &index)?;
    let mut g = RevisionGraph {
        children: invert(&parents, nodes.len()),
        parents,
        nodes,
        index,
        labels,
        keys,
        deps: Vec::new(),
        down: Vec::new(),
        dependents: Vec::new(),
        branch_labels: Vec::new(),
        heads: Vec::new(),
    };
    g.deps = resolve_deps(&g)?;
    check_cycles(&g, false)?;
    check_cycles(&g, true)?;
    g.dependents = invert(&g.deps, g.nodes.len());
    g.down = normalized_down(&g);
    g.heads = (0..g.nodes.len())
        .filter(|&i| g.children[i].is_empty())
        .collect();
    g.branch_labels = propagate_labels(&g);
    Ok(g)
}

fn index_ids(nodes: &[Node]) -> Result<HashMap<String, usize>, GraphError> {
    let mut index = HashMap::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        if index.insert(n.id.clone(), i).is_some() {
            let sources = nodes
                .iter()
                .filter(|m| m.id == n.id)
                .map(|m| m.source.clone())
                .collect();
            return Err(GraphError::DuplicateId {
                id: n.id.clone(),
                sources,
            });
        }
    }
    Ok(index)
}

/// Declared labels → revision. A label may not repeat nor equal an id
/// (Alembic keeps both in one namespace).
fn index_labels(
    nodes: &[Node],
    index: &HashMap<String, usize>,
) -> Result<HashMap<String, usize>, GraphError> {
    let mut labels: HashMap<String, usize> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        for label in &n.branch_labels {
            if let Some(&j) = index.get(label) {
                return Err(GraphError::LabelIsRevision {
                    label: label.clone(),
                    id: n.id.clone(),
                    source_file: n.source.clone(),
                    other_source: nodes[j].source.clone(),
                });
            }
            if let Some(&j) = labels.get(label) {
                return Err(GraphError::DuplicateLabel {
                    label: label.clone(),
                    id: n.id.clone(),
                    source_file: n.source.clone(),
                    other: nodes[j].id.clone(),
                    other_source: nodes[j].source.clone(),
                });
            }
            labels.insert(label.clone(), i);
        }
    }
    Ok(labels)
}

fn sorted_keys(
    index: &HashMap<String, usize>,
    labels: &HashMap<String, usize>,
) -> Vec<(String, usize)> {
    let mut keys: Vec<(String, usize)> = index
        .iter()
        .chain(labels.iter())
        .map(|(k, &v)| (k.clone(), v))
        .collect();
    keys.sort();
    keys
}

fn resolve_parents(
    nodes: &[Node],
    index: &HashMap<String, usize>,
) -> Result<Vec<Vec<usize>>, GraphError> {
    let mut out = Vec::with_capacity(nodes.len());
    for n in nodes {
        let mut ps = Vec::with_capacity(n.parents.len());
        for p in &n.parents {
            let &j = index.get(p).ok_or_else(|| GraphError::MissingParent {
                id: n.id.clone(),
                parent: p.clone(),
                source_file: n.source.clone(),
            })?;
            if !ps.contains(&j) {
                ps.push(j);
            }
        }
        out.push(ps);
    }
    Ok(out)
}

/// Resolves `Depends On` entries: a full id, a branch label, or a unique id
/// prefix.
fn resolve_deps(g: &RevisionGraph) -> Result<Vec<Vec<usize>>, GraphError> {
    let mut out = Vec::with_capacity(g.nodes.len());
    for n in &g.nodes {
        let mut ds = Vec::with_capacity(n.depends_on.len());
        for d in &n.depends_on {
            let missing = || GraphError::MissingDependency {
                id: n.id.clone(),
                dependency: d.clone(),
                source_file: n.source.clone(),
            };
            let j = match g.index.get(d).or_else(|| g.labels.get(d)) {
                Some(&j) => j,
                None => g.lookup_prefix(d).map_err(|_| missing())?,
            };
            if !ds.contains(&j) {
                ds.push(j);
            }
        }
        out.push(ds);
    }
    Ok(out)
}

/// Reverses an adjacency list.
fn invert(adj: &[Vec<usize>], n: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); n];
    for (i, list) in adj.iter().enumerate() {
        for &j in list {
            out[j].push(i);
        }
    }
    out
}

/// Kahn's algorithm over parents (and dependencies when `with_deps`); the
/// revisions it cannot order are on, or above, a cycle.
fn check_cycles(g: &RevisionGraph, with_deps: bool) -> Result<(), GraphError> {
    let n = g.nodes.len();
    let edges = |i: usize| {
        let deps: &[usize] = if with_deps { &g.deps[i] } else { &[] };
        g.parents[i].iter().chain(deps.iter()).copied()
    };
    let mut pending: Vec<usize> = (0..n).map(|i| edges(i).count()).collect();
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in edges(i) {
            up[j].push(i);
        }
    }
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
    let mut stuck: Vec<&Node> = (0..n)
        .filter(|&i| pending[i] > 0)
        .map(|i| &g.nodes[i])
        .collect();
    stuck.sort_by(|a, b| a.id.cmp(&b.id));
    let ids = stuck.iter().map(|n| n.id.clone()).collect();
    let sources = stuck.iter().map(|n| n.source.clone()).collect();
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
fn normalized_down(g: &RevisionGraph) -> Vec<Vec<usize>> {
    (0..g.nodes.len())
        .map(|i| {
            let mut down = g.parents[i].clone();
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
        })
        .collect()
}

/// Spreads each declared label to the labelled revision's descendants and
/// down the line below, the way Alembic's `_add_branches` does: from the last
/// descendant its depth-first walk reaches, down through parents until a
/// revision that is a branch point (counting dependents) or a merge point.
fn propagate_labels(g: &RevisionGraph) -> Vec<BTreeSet<String>> {
    let mut out: Vec<BTreeSet<String>> = vec![BTreeSet::new(); g.nodes.len()];
    for (i, n) in g.nodes.iter().enumerate() {
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
