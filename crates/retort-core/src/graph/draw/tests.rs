//! Layout and renderer tests. Expected drawings are written out in full.

use crate::graph::{Node, RevisionGraph};

fn n(id: &str, parents: &[&str]) -> Node {
    Node {
        id: id.into(),
        parents: parents.iter().map(|s| s.to_string()).collect(),
        branch_labels: Vec::new(),
        depends_on: Vec::new(),
        source: format!("versions/{id}.sql"),
    }
}

fn graph(nodes: Vec<Node>) -> RevisionGraph {
    RevisionGraph::new(nodes).expect("valid graph")
}

fn msg(id: &str) -> String {
    format!("m{id}")
}

fn text(g: &RevisionGraph, current: &[&str]) -> String {
    let current: Vec<String> = current.iter().map(|s| s.to_string()).collect();
    g.view_all(&current, msg).text()
}

fn labelled(mut node: Node, labels: &[&str]) -> Node {
    node.branch_labels = labels.iter().map(|s| s.to_string()).collect();
    node
}

fn depends(mut node: Node, deps: &[&str]) -> Node {
    node.depends_on = deps.iter().map(|s| s.to_string()).collect();
    node
}

/// The shape of the example project: a base, two labelled branches, a merge
/// and one revision on top.
fn diamond() -> RevisionGraph {
    graph(vec![
        n("a", &[]),
        labelled(n("b", &["a"]), &["accounts"]),
        labelled(n("c", &["a"]), &["templates"]),
        n("d", &["b", "c"]),
        n("e", &["d"]),
    ])
}

#[test]
fn linear_chain() {
    let g = graph(vec![n("a", &[]), n("b", &["a"]), n("c", &["b"])]);
    assert_eq!(
        text(&g, &[]),
        "\
* c (head), mc
* b, mb
* a, ma
"
    );
}

#[test]
fn current_revision_gets_its_own_glyph() {
    let g = graph(vec![n("a", &[]), n("b", &["a"]), n("c", &["b"])]);
    assert_eq!(
        text(&g, &["b"]),
        "\
* c (head), mc
@ b (current), mb
* a, ma
"
    );
}

#[test]
fn branch_point_with_two_heads() {
    let g = graph(vec![n("a", &[]), n("b", &["a"]), n("c", &["a"])]);
    assert_eq!(
        text(&g, &["c"]),
        "\
* b (head), mb
| @ c (head) (current), mc
|/
* a, ma
"
    );
}

#[test]
fn merge_of_labelled_branches() {
    assert_eq!(
        text(&diamond(), &["b", "c"]),
        "\
* e (head), me
*   d, md
|\\
@ | b (accounts) (current), mb
| @ c (templates) (current), mc
|/
* a, ma
"
    );
}

#[test]
fn several_heads_on_several_lanes() {
    let g = graph(vec![
        n("p", &[]),
        n("q", &[]),
        n("h1", &["p"]),
        n("h2", &["q"]),
        n("h3", &["p"]),
    ]);
    assert_eq!(
        text(&g, &["h2"]),
        "\
* h1 (head), mh1
| * h3 (head), mh3
| | @ h2 (head) (current), mh2
| | * q, mq
|/
* p, mp
"
    );
}

#[test]
fn unrelated_roots_are_kept_apart() {
    // Without the blank row, `c` would read as the parent of `a`.
    let g = graph(vec![
        n("a", &[]),
        n("b", &["a"]),
        n("c", &[]),
        n("d", &["c"]),
    ]);
    assert_eq!(
        text(&g, &[]),
        "\
* b (head), mb
* a, ma

* d (head), md
* c, mc
"
    );
}

#[test]
fn root_beside_a_lane_closes_the_gap() {
    // `r` is a root drawn while `a`'s lane waits to its right.
    let g = graph(vec![n("a", &[]), n("r", &[]), n("m", &["r", "a"])]);
    assert_eq!(
        text(&g, &[]),
        "\
*   m (head), mm
|\\
* | r, mr
 /
* a, ma
"
    );
}

#[test]
fn three_parent_merge() {
    let g = graph(vec![
        n("a", &[]),
        n("b", &["a"]),
        n("c", &["a"]),
        n("x", &["a"]),
        n("d", &["b", "c", "x"]),
        n("e", &["d"]),
    ]);
    assert_eq!(
        text(&g, &[]),
        "\
* e (head), me
*-.   d, md
|\\ \\
* | | b, mb
| * | c, mc
| | * x, mx
|/ /
|/
* a, ma
"
    );
}

#[test]
fn three_parent_merge_beside_another_lane_makes_room() {
    let g = graph(vec![
        n("a", &[]),
        n("b", &["a"]),
        n("c", &["a"]),
        n("x", &["a"]),
        n("d", &["b", "c", "x"]),
        n("y", &[]),
        n("t", &["d", "y"]),
    ]);
    assert_eq!(
        text(&g, &[]),
        "\
*   t (head), mt
|\\
|  \\
*-. |   d, md
|\\ \\ \\
* | | | b, mb
| * | | c, mc
| | | * y, my
| | * x, mx
|/ /
|/
* a, ma
"
    );
}

#[test]
fn lane_joining_its_twin_passes_under_another() {
    let g = graph(vec![
        n("a", &[]),
        n("b", &["a"]),
        n("c", &["b"]),
        n("d", &["a"]),
        n("e", &["c", "d"]),
        n("f", &["b"]),
    ]);
    assert_eq!(
        text(&g, &[]),
        "\
*   e (head), me
|\\
* | c, mc
| | * f (head), mf
|_|/
* | b, mb
| * d, md
|/
* a, ma
"
    );
}

#[test]
fn dependencies_are_listed_not_drawn() {
    let g = graph(vec![
        n("a", &[]),
        labelled(n("x", &[]), &["other"]),
        depends(n("b", &["a"]), &["x"]),
    ]);
    assert_eq!(
        text(&g, &[]),
        "\
* b (head) (depends on: x), mb
* a, ma

* x (other) (effective head), mx
"
    );
}

#[test]
fn a_range_leaves_out_edges_to_hidden_revisions() {
    let g = diamond();
    let ids = g.history(Some("b:"), &[]).expect("range");
    assert_eq!(ids, ["e", "d", "b"]);
    assert_eq!(
        g.view(&ids, &[], msg).text(),
        "\
* e (head), me
* d, md
* b (accounts), mb
"
    );
}

#[test]
fn empty_graph_draws_nothing() {
    let g = graph(Vec::new());
    assert_eq!(text(&g, &[]), "");
}

#[test]
fn every_revision_is_drawn_once_on_a_wide_graph() {
    // Twelve heads over one base, merged pairwise: a stress of joins.
    let mut nodes = vec![n("base", &[])];
    for i in 0..12 {
        nodes.push(n(&format!("t{i:02}"), &["base"]));
    }
    for i in 0..6 {
        let l = format!("t{:02}", 2 * i);
        let r = format!("t{:02}", 2 * i + 1);
        nodes.push(n(&format!("m{i}"), &[&l, &r]));
    }
    let g = graph(nodes);
    let drawing = text(&g, &[]);
    for id in g.all_ids() {
        let lines = drawing
            .lines()
            .filter(|l| l.contains(&format!(" {id}")) && l.contains('*'))
            .count();
        assert_eq!(lines, 1, "{id}\n{drawing}");
    }
    assert!(drawing.ends_with("* base, mbase\n"), "{drawing}");
}

#[test]
fn mermaid_marks_current_and_dependencies() {
    let g = graph(vec![
        n("a", &[]),
        labelled(n("b", &["a"]), &["acc\"ounts"]),
        depends(n("c", &["b"]), &["a"]),
    ]);
    let current = vec!["b".to_string()];
    let m = g.view_all(&current, |id| format!("<{id}>")).mermaid();
    assert_eq!(
        m,
        "\
flowchart BT
    n0[\"c<br/>#lt;c#gt;\"]
    n1[\"b (acc#quot;ounts)<br/>#lt;b#gt;\"]
    n2[\"a<br/>#lt;a#gt;\"]
    n1 --> n0
    n2 -. depends on .-> n0
    n2 --> n1
    classDef current fill:#fde68a,stroke:#b45309,stroke-width:3px
    class n1 current
"
    );
}

#[test]
fn dot_marks_current_and_dependencies() {
    let g = graph(vec![
        n("a", &[]),
        n("b", &["a"]),
        depends(n("c", &["b"]), &["a"]),
    ]);
    let current = vec!["b".to_string()];
    let d = g.view_all(&current, |id| format!("say \"{id}\"")).dot();
    assert_eq!(
        d,
        "\
digraph revisions {
    rankdir=BT;
    node [shape=box, fontname=\"monospace\"];
    \"c\" [label=\"c\\nsay \\\"c\\\"\"];
    \"b\" [label=\"b\\nsay \\\"b\\\"\", style=\"filled,bold\", fillcolor=\"#fde68a\", penwidth=2];
    \"a\" [label=\"a\\nsay \\\"a\\\"\"];
    \"b\" -> \"c\";
    \"a\" -> \"c\" [style=dashed, label=\"depends on\"];
    \"a\" -> \"b\";
}
"
    );
}

#[test]
fn json_lists_nodes_edges_and_current() {
    let g = graph(vec![
        n("a", &[]),
        labelled(n("b", &["a"]), &["acc"]),
        depends(n("c", &["b"]), &["a"]),
    ]);
    let current = vec!["b".to_string()];
    let j = g.view_all(&current, msg).json();
    assert_eq!(j.current, ["b"]);
    let ids: Vec<&str> = j.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["c", "b", "a"]);
    let b = &j.nodes[1];
    assert_eq!(
        (b.labels.as_slice(), b.is_current, b.is_head, b.is_base),
        (&["acc".to_string()][..], true, false, false)
    );
    let a = &j.nodes[2];
    assert!(a.is_base && !a.is_current);
    assert_eq!(j.nodes[0].depends_on, ["a"]);
    let edges: Vec<(&str, &str, super::EdgeKind)> = j
        .edges
        .iter()
        .map(|e| (e.parent.as_str(), e.child.as_str(), e.kind))
        .collect();
    assert_eq!(
        edges,
        [
            ("b", "c", super::EdgeKind::Revises),
            ("a", "c", super::EdgeKind::DependsOn),
            ("a", "b", super::EdgeKind::Revises),
        ]
    );
}
