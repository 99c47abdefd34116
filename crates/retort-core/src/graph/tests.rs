//! Tests for the revision graph. Scenarios mirror Alembic's
//! `tests/test_revision.py`; comments name the Alembic behaviour matched, and
//! "(checked)" marks those run against real Alembic 1.x with a SQLite project.

use std::collections::BTreeSet;

use super::*;
use crate::plan::{Direction, Step};

fn n(id: &str, parents: &[&str]) -> Node {
    Node {
        id: id.into(),
        parents: parents.iter().map(|s| s.to_string()).collect(),
        branch_labels: Vec::new(),
        depends_on: Vec::new(),
        source: format!("versions/{id}.sql"),
    }
}

fn labelled(mut node: Node, labels: &[&str]) -> Node {
    node.branch_labels = labels.iter().map(|s| s.to_string()).collect();
    node
}

fn depends(mut node: Node, deps: &[&str]) -> Node {
    node.depends_on = deps.iter().map(|s| s.to_string()).collect();
    node
}

fn graph(nodes: Vec<Node>) -> RevisionGraph {
    RevisionGraph::new(nodes).expect("valid graph")
}

fn s(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|x| x.to_string()).collect()
}

fn res(g: &RevisionGraph, ident: &str, current: &[&str]) -> Vec<String> {
    g.resolve(ident, &s(current)).expect(ident)
}

fn res_err(g: &RevisionGraph, ident: &str, current: &[&str]) -> GraphError {
    g.resolve(ident, &s(current)).expect_err(ident)
}

/// Applies each step's version change to a set, returning the revisions run
/// and the rows after each step.
fn run(start: &[&str], steps: &[Step]) -> (Vec<String>, Vec<BTreeSet<String>>) {
    let mut rows: BTreeSet<String> = start.iter().map(|x| x.to_string()).collect();
    let mut after = Vec::new();
    for st in steps {
        for d in &st.version_change.delete {
            assert!(rows.remove(d), "{} deletes absent row {d}", st.revision);
        }
        for i in &st.version_change.insert {
            assert!(
                rows.insert(i.clone()),
                "{} inserts present row {i}",
                st.revision
            );
        }
        after.push(rows.clone());
    }
    (steps.iter().map(|s| s.revision.clone()).collect(), after)
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|x| x.to_string()).collect()
}

/// a -> b -> c (linear).
fn linear() -> RevisionGraph {
    graph(vec![
        n("a1a1", &[]),
        n("b2b2", &["a1a1"]),
        n("c3c3", &["b2b2"]),
    ])
}

/// aaaa -> {bbbb, cccc} -> dddd (branch then merge).
fn diamond() -> RevisionGraph {
    graph(vec![
        n("aaaa", &[]),
        n("bbbb", &["aaaa"]),
        n("cccc", &["aaaa"]),
        n("dddd", &["bbbb", "cccc"]),
    ])
}

/// Two branches off a root, labelled: base1 -> {b1 (label "one") -> b2,
/// c1 (label "two") -> c2}.
fn labelled_branches() -> RevisionGraph {
    graph(vec![
        n("base1", &[]),
        labelled(n("b1b1", &["base1"]), &["one"]),
        n("b2b2", &["b1b1"]),
        labelled(n("c1c1", &["base1"]), &["two"]),
        n("c2c2", &["c1c1"]),
    ])
}

/// aaaa, xxxx (label "other") roots; bbbb revises aaaa and depends on xxxx;
/// cccc revises bbbb.
fn with_dependency() -> RevisionGraph {
    graph(vec![
        n("aaaa", &[]),
        labelled(n("xxxx", &[]), &["other"]),
        depends(n("bbbb", &["aaaa"]), &["xxxx"]),
        n("cccc", &["bbbb"]),
    ])
}

// ----- validation -----

#[test]
fn duplicate_id_names_both_files() {
    let mut second = n("a1a1", &[]);
    second.source = "other/a1a1.sql".into();
    let err = RevisionGraph::new(vec![n("a1a1", &[]), second]).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("a1a1") && msg.contains("versions/a1a1.sql") && msg.contains("other/a1a1.sql"),
        "{msg}"
    );
}

#[test]
fn missing_parent_names_revision_and_file() {
    let err = RevisionGraph::new(vec![n("a1a1", &["zzzz"])]).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, GraphError::MissingParent { .. }));
    assert!(
        msg.contains("zzzz") && msg.contains("a1a1") && msg.contains("versions/a1a1.sql"),
        "{msg}"
    );
}

#[test]
fn missing_dependency_is_an_error() {
    let err = RevisionGraph::new(vec![depends(n("a1a1", &[]), &["nope"])]).unwrap_err();
    assert!(matches!(err, GraphError::MissingDependency { .. }), "{err}");
    assert!(err.to_string().contains("versions/a1a1.sql"));
}

#[test]
fn cycle_names_ids_and_files() {
    let err = RevisionGraph::new(vec![
        n("root", &[]),
        n("a1a1", &["b2b2"]),
        n("b2b2", &["a1a1"]),
    ])
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, GraphError::Cycle { .. }));
    assert!(
        msg.contains("a1a1, b2b2") && msg.contains("versions/b2b2.sql"),
        "{msg}"
    );
    assert!(!msg.contains("root"));
}

#[test]
fn self_parent_is_a_cycle() {
    let err = RevisionGraph::new(vec![n("a1a1", &["a1a1"])]).unwrap_err();
    assert!(matches!(err, GraphError::Cycle { .. }));
}

#[test]
fn dependency_cycle_is_detected() {
    let err = RevisionGraph::new(vec![
        depends(n("a1a1", &[]), &["b2b2"]),
        n("b2b2", &["a1a1"]),
    ])
    .unwrap_err();
    assert!(matches!(err, GraphError::DependencyCycle { .. }), "{err}");
}

#[test]
fn duplicate_label_names_both_revisions() {
    // Alembic: "Branch name 'x' in revision b already used by revision a".
    let err = RevisionGraph::new(vec![
        labelled(n("a1a1", &[]), &["x"]),
        labelled(n("b2b2", &[]), &["x"]),
    ])
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("'x'") && msg.contains("a1a1") && msg.contains("b2b2"),
        "{msg}"
    );
    assert!(
        msg.contains("versions/a1a1.sql") && msg.contains("versions/b2b2.sql"),
        "{msg}"
    );
}

#[test]
fn label_equal_to_an_id_is_refused() {
    let err = RevisionGraph::new(vec![
        n("a1a1", &[]),
        labelled(n("b2b2", &["a1a1"]), &["a1a1"]),
    ])
    .unwrap_err();
    assert!(matches!(err, GraphError::LabelIsRevision { .. }), "{err}");
}

#[test]
fn empty_graph() {
    let g = graph(vec![]);
    assert!(g.heads().is_empty());
    assert!(res(&g, "head", &[]).is_empty());
    assert!(g.upgrade_plan(&[], "heads").unwrap().is_empty());
}

// ----- structure -----

#[test]
fn structure_queries() {
    let g = diamond();
    assert_eq!(g.heads(), vec!["dddd"]);
    assert_eq!(g.bases(), vec!["aaaa"]);
    assert_eq!(g.children("aaaa"), vec!["bbbb", "cccc"]);
    assert!(g.is_branch_point("aaaa") && !g.is_branch_point("bbbb"));
    assert!(g.is_merge_point("dddd") && !g.is_merge_point("bbbb"));
    assert_eq!(g.branch_points(), vec!["aaaa"]);
    assert!(g.is_head("dddd") && g.is_real_head("dddd") && !g.is_head("bbbb"));
    assert_eq!(g.parents("dddd"), vec!["bbbb", "cccc"]);
    let mut anc = g.ancestors("bbbb");
    anc.sort();
    assert_eq!(anc, vec!["aaaa", "bbbb"]);
    let mut desc = g.descendants("cccc");
    desc.sort();
    assert_eq!(desc, vec!["cccc", "dddd"]);
}

#[test]
fn dependency_target_is_an_effective_head() {
    // Alembic `heads`: "cccc (head)" and "xxxx (other) (effective head)" (checked).
    let g = with_dependency();
    assert_eq!(g.heads(), vec!["xxxx", "cccc"]);
    assert_eq!(g.real_heads(), vec!["cccc"]);
    assert!(g.is_head("xxxx") && !g.is_real_head("xxxx"));
    assert_eq!(g.dependents("xxxx"), vec!["bbbb"]);
    assert_eq!(g.dependencies("bbbb"), vec!["xxxx"]);
    // `heads` resolves to real heads only, as Alembic's get_revisions does.
    assert_eq!(res(&g, "heads", &[]), s(&["cccc"]));
}

#[test]
fn all_current_adds_dependencies() {
    // Alembic `current` with row bbbb prints "xxxx (effective head)" and "bbbb" (checked).
    let g = with_dependency();
    assert_eq!(g.all_current(&s(&["bbbb"])).unwrap(), vec!["xxxx", "bbbb"]);
    assert!(g.all_current(&s(&["nope"])).is_err());
}

#[test]
fn labels_spread_along_branch() {
    // Alembic's _add_branches: a label covers the labelled revision, its
    // descendants, and the line below it down to a branch point.
    let g = labelled_branches();
    assert_eq!(g.branch_labels("b2b2"), vec!["one"]);
    assert_eq!(g.branch_labels("b1b1"), vec!["one"]);
    assert!(
        g.branch_labels("base1").is_empty(),
        "base1 is a branch point"
    );
    let chain = graph(vec![
        n("a1a1", &[]),
        labelled(n("b2b2", &["a1a1"]), &["x"]),
        n("c3c3", &["b2b2"]),
    ]);
    assert_eq!(chain.branch_labels("a1a1"), vec!["x"]);
    assert_eq!(chain.branch_labels("c3c3"), vec!["x"]);
}

#[test]
fn depends_on_by_label_and_prefix() {
    let g = graph(vec![
        labelled(n("aaaa1111", &[]), &["lib"]),
        n("bbbb2222", &[]),
        depends(n("cccc3333", &["bbbb2222"]), &["lib"]),
        depends(n("dddd4444", &["cccc3333"]), &["aaaa"]),
    ]);
    assert_eq!(g.dependencies("cccc3333"), vec!["aaaa1111"]);
    assert_eq!(g.dependencies("dddd4444"), vec!["aaaa1111"]);
}

// ----- identifiers -----

#[test]
fn ident_head_heads_base_full_and_prefix() {
    let g = linear();
    assert_eq!(res(&g, "head", &[]), s(&["c3c3"]));
    assert_eq!(res(&g, "heads", &[]), s(&["c3c3"]));
    assert!(res(&g, "base", &[]).is_empty());
    assert_eq!(res(&g, "b2b2", &[]), s(&["b2b2"]));
    assert_eq!(res(&g, "b2b", &[]), s(&["b2b2"]));
}

#[test]
fn ident_unknown_and_ambiguous_prefix() {
    let g = graph(vec![n("ab12", &[]), n("ab34", &["ab12"])]);
    match res_err(&g, "ab", &[]) {
        GraphError::AmbiguousPrefix { candidates, .. } => {
            assert_eq!(candidates, s(&["ab12", "ab34"]))
        }
        e => panic!("{e}"),
    }
    let err = res_err(&g, "zz", &[]);
    assert!(matches!(err, GraphError::UnknownRevision { .. }));
    assert!(err.to_string().contains("at least four characters"));
}

#[test]
fn ident_head_with_several_heads_lists_them() {
    // Alembic: MultipleHeads suggesting '<branchname>@head' or 'heads'.
    let g = labelled_branches();
    let err = res_err(&g, "head", &[]);
    let msg = err.to_string();
    assert!(
        msg.contains("b2b2")
            && msg.contains("c2c2")
            && msg.contains("'heads'")
            && msg.contains("@head"),
        "{msg}"
    );
    assert_eq!(res(&g, "heads", &[]), s(&["b2b2", "c2c2"]));
}

#[test]
fn ident_label_forms() {
    let g = labelled_branches();
    assert_eq!(res(&g, "one@head", &[]), s(&["b2b2"]));
    assert_eq!(res(&g, "two@head", &[]), s(&["c2c2"]));
    assert_eq!(res(&g, "two@heads", &[]), s(&["c2c2"]));
    assert!(res(&g, "one@base", &[]).is_empty());
    assert_eq!(res(&g, "one", &[]), s(&["b1b1"]));
    assert_eq!(res(&g, "one@b2b2", &[]), s(&["b2b2"]));
    assert_eq!(res(&g, "one@b2b", &[]), s(&["b2b2"]));
    assert!(matches!(
        res_err(&g, "one@c2c2", &[]),
        GraphError::NotOnBranch { .. }
    ));
    assert!(matches!(
        res_err(&g, "nope@head", &[]),
        GraphError::UnknownBranch { .. }
    ));
}

#[test]
fn ident_relative_forms() {
    let g = linear();
    assert_eq!(res(&g, "+1", &[]), s(&["a1a1"]));
    assert_eq!(res(&g, "+2", &["a1a1"]), s(&["c3c3"]));
    assert_eq!(res(&g, "-1", &["c3c3"]), s(&["b2b2"]));
    assert!(
        res(&g, "-1", &["a1a1"]).is_empty(),
        "-1 from the root is base"
    );
    assert_eq!(res(&g, "a1a1+2", &[]), s(&["c3c3"]));
    assert_eq!(res(&g, "c3c3-2", &[]), s(&["a1a1"]));
    assert_eq!(res(&g, "c3c3@-1", &["c3c3"]), s(&["b2b2"]));
    assert!(matches!(
        res_err(&g, "+4", &[]),
        GraphError::RelativeTooFar { .. }
    ));
    assert!(matches!(
        res_err(&g, "-2", &["a1a1"]),
        GraphError::RelativeTooFar { .. }
    ));
    assert!(matches!(
        res_err(&g, "-1", &[]),
        GraphError::RelativeTooFar { .. }
    ));
}

#[test]
fn ident_relative_on_labels() {
    let g = labelled_branches();
    // Alembic `label@+N` from a state where the branch is not started walks
    // up from the applied revision below it.
    assert_eq!(res(&g, "one@+1", &["base1"]), s(&["b1b1"]));
    assert_eq!(res(&g, "two@+2", &["base1"]), s(&["c2c2"]));
    assert_eq!(res(&g, "two@+1", &["b2b2", "c1c1"]), s(&["c2c2"]));
    assert_eq!(res(&g, "one@-1", &["b2b2", "c2c2"]), s(&["b1b1"]));
    assert!(matches!(
        res_err(&g, "+1", &["b2b2", "c2c2"]),
        GraphError::AmbiguousCurrent { .. }
    ));
    assert!(matches!(
        res_err(&g, "base1+1", &[]),
        GraphError::AmbiguousWalk { .. }
    ));
}

#[test]
fn relative_parser() {
    use super::ident::parse_relative;
    let r = parse_relative("lbl@abc-2").unwrap();
    assert_eq!((r.label, r.symbol, r.steps), (Some("lbl"), Some("abc"), -2));
    assert_eq!(parse_relative("+3").unwrap().symbol, None);
    assert!(parse_relative("1234").is_none());
    assert!(parse_relative("head").is_none());
    assert!(parse_relative("a+b").is_none());
}

// ----- upgrade -----

#[test]
fn upgrade_linear_rows() {
    // Alembic: first revision INSERTs, later ones UPDATE the row (checked).
    let g = linear();
    let plan = g.upgrade_plan(&[], "head").unwrap();
    let (revs, rows) = run(&[], &plan);
    assert_eq!(revs, s(&["a1a1", "b2b2", "c3c3"]));
    assert_eq!(rows, vec![set(&["a1a1"]), set(&["b2b2"]), set(&["c3c3"])]);
    assert!(plan.iter().all(|st| st.direction == Direction::Upgrade));
    assert_eq!(plan[1].version_change.delete, s(&["a1a1"]));
    assert_eq!(plan[1].version_change.insert, s(&["b2b2"]));
    assert!(g.upgrade_plan(&s(&["c3c3"]), "head").unwrap().is_empty());
    assert!(
        g.upgrade_plan(&s(&["c3c3"]), "a1a1").unwrap().is_empty(),
        "target below current"
    );
}

#[test]
fn upgrade_past_head_fails() {
    // Alembic: `upgrade +5` past the head fails and changes nothing (checked).
    let g = linear();
    assert!(matches!(
        g.upgrade_plan(&s(&["a1a1"]), "+5"),
        Err(GraphError::RelativeTooFar { .. })
    ));
    let (revs, _) = run(&["a1a1"], &g.upgrade_plan(&s(&["a1a1"]), "+1").unwrap());
    assert_eq!(revs, s(&["b2b2"]));
}

#[test]
fn upgrade_through_branch_and_merge() {
    // Alembic `upgrade dddd` from empty runs aaaa, cccc, bbbb, dddd; the
    // first branch revision UPDATEs aaaa, the second INSERTs, the merge
    // deletes one parent row and updates the other (checked).
    let g = diamond();
    let plan = g.upgrade_plan(&[], "dddd").unwrap();
    let (revs, rows) = run(&[], &plan);
    assert_eq!(revs, s(&["aaaa", "cccc", "bbbb", "dddd"]));
    assert_eq!(
        rows,
        vec![
            set(&["aaaa"]),
            set(&["cccc"]),
            set(&["bbbb", "cccc"]),
            set(&["dddd"])
        ]
    );
    assert_eq!(plan[3].version_change.delete, s(&["bbbb", "cccc"]));
}

#[test]
fn upgrade_heads_from_one_branch() {
    // Alembic: with row bbbb, `upgrade heads` runs cccc (new row) then dddd (checked).
    let g = diamond();
    let (revs, rows) = run(&["bbbb"], &g.upgrade_plan(&s(&["bbbb"]), "heads").unwrap());
    assert_eq!(revs, s(&["cccc", "dddd"]));
    assert_eq!(rows, vec![set(&["bbbb", "cccc"]), set(&["dddd"])]);
}

#[test]
fn upgrade_head_refused_with_several_heads() {
    let g = labelled_branches();
    assert!(matches!(
        g.upgrade_plan(&[], "head"),
        Err(GraphError::MultipleHeads { .. })
    ));
    let (revs, rows) = run(&[], &g.upgrade_plan(&[], "heads").unwrap());
    assert_eq!(revs.len(), 5);
    assert_eq!(rows.last().unwrap(), &set(&["b2b2", "c2c2"]));
}

#[test]
fn upgrade_one_branch_by_label() {
    let g = labelled_branches();
    let (revs, rows) = run(
        &["base1"],
        &g.upgrade_plan(&s(&["base1"]), "two@head").unwrap(),
    );
    assert_eq!(revs, s(&["c1c1", "c2c2"]));
    assert_eq!(rows.last().unwrap(), &set(&["c2c2"]));
    // The other branch then starts as a new row.
    let (revs, rows) = run(
        &["c2c2"],
        &g.upgrade_plan(&s(&["c2c2"]), "one@head").unwrap(),
    );
    assert_eq!(revs, s(&["b1b1", "b2b2"]));
    assert_eq!(rows, vec![set(&["b1b1", "c2c2"]), set(&["b2b2", "c2c2"])]);
}

#[test]
fn upgrade_with_dependency_removes_its_row() {
    // Alembic (checked): from empty, `upgrade cccc` inserts xxxx, inserts
    // aaaa, then bbbb deletes aaaa and updates xxxx -> bbbb; cccc updates.
    let g = with_dependency();
    let (revs, rows) = run(&[], &g.upgrade_plan(&[], "cccc").unwrap());
    assert_eq!(revs, s(&["xxxx", "aaaa", "bbbb", "cccc"]));
    assert_eq!(
        rows,
        vec![
            set(&["xxxx"]),
            set(&["aaaa", "xxxx"]),
            set(&["bbbb"]),
            set(&["cccc"])
        ]
    );
    // Alembic (checked): with row xxxx, `upgrade bbbb` runs aaaa then bbbb; rows: bbbb.
    let (revs, rows) = run(&["xxxx"], &g.upgrade_plan(&s(&["xxxx"]), "bbbb").unwrap());
    assert_eq!(revs, s(&["aaaa", "bbbb"]));
    assert_eq!(rows.last().unwrap(), &set(&["bbbb"]));
}

#[test]
fn upgrade_three_roots() {
    let g = graph(vec![
        n("r1r1", &[]),
        n("r2r2", &[]),
        n("r3r3", &[]),
        n("m1m1", &["r1r1", "r2r2", "r3r3"]),
    ]);
    assert_eq!(g.bases(), vec!["r1r1", "r2r2", "r3r3"]);
    let (revs, rows) = run(&["r2r2"], &g.upgrade_plan(&s(&["r2r2"]), "head").unwrap());
    assert_eq!(revs.len(), 3);
    assert_eq!(revs.last().unwrap(), "m1m1");
    assert_eq!(rows[1], set(&["r1r1", "r2r2", "r3r3"]));
    assert_eq!(rows[2], set(&["m1m1"]));
}

// ----- downgrade -----

#[test]
fn downgrade_linear_rows() {
    let g = linear();
    let plan = g.downgrade_plan(&s(&["c3c3"]), "base").unwrap();
    let (revs, rows) = run(&["c3c3"], &plan);
    assert_eq!(revs, s(&["c3c3", "b2b2", "a1a1"]));
    assert_eq!(rows, vec![set(&["b2b2"]), set(&["a1a1"]), set(&[])]);
    assert!(plan.iter().all(|st| st.direction == Direction::Downgrade));
    let (revs, _) = run(&["c3c3"], &g.downgrade_plan(&s(&["c3c3"]), "-1").unwrap());
    assert_eq!(revs, s(&["c3c3"]));
    assert!(g.downgrade_plan(&s(&["a1a1"]), "a1a1").unwrap().is_empty());
    assert!(matches!(
        g.downgrade_plan(&s(&["a1a1"]), "c3c3"),
        Err(GraphError::NotDowngradeTarget { .. })
    ));
}

#[test]
fn downgrade_minus_one_at_merge_is_ambiguous() {
    // Alembic: `downgrade -1` with row dddd fails with "Ambiguous walk" (checked).
    let g = diamond();
    assert!(matches!(
        g.downgrade_plan(&s(&["dddd"]), "-1"),
        Err(GraphError::AmbiguousWalk { .. })
    ));
}

#[test]
fn downgrade_unmerge_and_branches() {
    // Alembic (checked): `downgrade cccc` from dddd runs dddd -> rows bbbb, cccc;
    // `downgrade base` then runs bbbb (row deleted, aaaa still implied by
    // cccc), cccc (-> aaaa), aaaa (row deleted).
    let g = diamond();
    let (revs, rows) = run(&["dddd"], &g.downgrade_plan(&s(&["dddd"]), "cccc").unwrap());
    assert_eq!(revs, s(&["dddd"]));
    assert_eq!(rows, vec![set(&["bbbb", "cccc"])]);
    let (revs, rows) = run(
        &["bbbb", "cccc"],
        &g.downgrade_plan(&s(&["bbbb", "cccc"]), "base").unwrap(),
    );
    assert_eq!(revs, s(&["bbbb", "cccc", "aaaa"]));
    assert_eq!(rows, vec![set(&["cccc"]), set(&["aaaa"]), set(&[])]);
}

#[test]
fn downgrade_label_minus_one_and_label_base() {
    let g = labelled_branches();
    let cur = ["b2b2", "c2c2"];
    let (revs, rows) = run(&cur, &g.downgrade_plan(&s(&cur), "one@-1").unwrap());
    assert_eq!(revs, s(&["b2b2"]));
    assert_eq!(rows, vec![set(&["b1b1", "c2c2"])]);
    // Alembic: `LABEL@base` with a single (shared) root takes the root and
    // everything applied above it down.
    let (revs, rows) = run(&cur, &g.downgrade_plan(&s(&cur), "one@base").unwrap());
    assert_eq!(revs.len(), 5);
    assert_eq!(revs.last().unwrap(), "base1");
    assert!(rows.last().unwrap().is_empty());
    assert!(matches!(
        g.downgrade_plan(&s(&cur), "-1"),
        Err(GraphError::AmbiguousCurrent { .. })
    ));
}

#[test]
fn downgrade_separate_root_by_label() {
    // Alembic (checked): rows aaaa, xxxx; `downgrade other@base` runs xxxx only.
    let g = with_dependency();
    let (revs, rows) = run(
        &["aaaa", "xxxx"],
        &g.downgrade_plan(&s(&["aaaa", "xxxx"]), "other@base")
            .unwrap(),
    );
    assert_eq!(revs, s(&["xxxx"]));
    assert_eq!(rows, vec![set(&["aaaa"])]);
}

#[test]
fn downgrade_dependency_restores_rows() {
    // Alembic (checked): from cccc, `downgrade -1` gives bbbb; another `-1`
    // runs bbbb and leaves rows aaaa and xxxx.
    let g = with_dependency();
    let (_, rows) = run(&["cccc"], &g.downgrade_plan(&s(&["cccc"]), "-1").unwrap());
    assert_eq!(rows, vec![set(&["bbbb"])]);
    let (revs, rows) = run(&["bbbb"], &g.downgrade_plan(&s(&["bbbb"]), "-1").unwrap());
    assert_eq!(revs, s(&["bbbb"]));
    assert_eq!(rows, vec![set(&["aaaa", "xxxx"])]);
    // Going below xxxx takes its dependents down first.
    let (revs, rows) = run(
        &["cccc"],
        &g.downgrade_plan(&s(&["cccc"]), "other@base").unwrap(),
    );
    assert_eq!(revs, s(&["cccc", "bbbb", "xxxx"]));
    assert_eq!(rows.last().unwrap(), &set(&["aaaa"]));
}

// ----- stamp -----

#[test]
fn stamp_moves_rows() {
    let g = diamond();
    let vc = g.stamp(&[], &s(&["bbbb"]), false).unwrap();
    assert_eq!((vc.delete, vc.insert), (s(&[]), s(&["bbbb"])));
    let vc = g.stamp(&s(&["bbbb"]), &s(&["dddd"]), false).unwrap();
    assert_eq!((vc.delete, vc.insert), (s(&["bbbb"]), s(&["dddd"])));
    let vc = g.stamp(&s(&["dddd"]), &s(&["aaaa"]), false).unwrap();
    assert_eq!((vc.delete, vc.insert), (s(&["dddd"]), s(&["aaaa"])));
    let vc = g
        .stamp(&s(&["bbbb", "cccc"]), &s(&["base"]), false)
        .unwrap();
    assert_eq!((vc.delete, vc.insert), (s(&["bbbb", "cccc"]), s(&[])));
    assert!(g
        .stamp(&s(&["dddd"]), &s(&["dddd"]), false)
        .unwrap()
        .is_empty());
    // Two targets above one row: the second becomes a new row.
    let vc = g
        .stamp(&s(&["aaaa"]), &s(&["bbbb", "cccc"]), false)
        .unwrap();
    assert_eq!((vc.delete, vc.insert), (s(&["aaaa"]), s(&["bbbb", "cccc"])));
}

#[test]
fn stamp_keeps_unrelated_rows_and_purges() {
    let g = with_dependency();
    let vc = g.stamp(&s(&["aaaa"]), &s(&["other@head"]), false).unwrap();
    assert_eq!((vc.delete, vc.insert), (s(&[]), s(&["xxxx"])));
    let vc = g.stamp(&s(&["garbage"]), &s(&["cccc"]), true).unwrap();
    assert_eq!((vc.delete, vc.insert), (s(&["garbage"]), s(&["cccc"])));
    assert!(g.stamp(&s(&["garbage"]), &s(&["cccc"]), false).is_err());
}

// ----- history -----

fn hist(g: &RevisionGraph, range: Option<&str>, current: &[&str]) -> Vec<String> {
    g.history(range, &s(current))
        .expect("history")
        .iter()
        .map(|id| id.to_string())
        .collect()
}

#[test]
fn history_order_and_ranges() {
    // Alembic `history` with a dependency prints cccc, bbbb, aaaa, xxxx (checked).
    let g = with_dependency();
    assert_eq!(hist(&g, None, &[]), s(&["cccc", "bbbb", "aaaa", "xxxx"]));
    let g = diamond();
    assert_eq!(hist(&g, None, &[]), s(&["dddd", "bbbb", "cccc", "aaaa"]));
    assert_eq!(hist(&g, Some("bbbb:"), &[]), s(&["dddd", "bbbb"]));
    assert_eq!(hist(&g, Some(":bbbb"), &[]), s(&["bbbb", "aaaa"]));
    assert_eq!(hist(&g, Some("aaaa:cccc"), &[]), s(&["cccc", "aaaa"]));
    assert_eq!(hist(&g, Some("current:"), &["cccc"]), s(&["dddd", "cccc"]));
    assert_eq!(hist(&g, Some(":current"), &["cccc"]), s(&["cccc", "aaaa"]));
    let l = linear();
    assert_eq!(hist(&l, Some("-1:"), &[]), s(&["c3c3", "b2b2"]));
    assert_eq!(hist(&l, Some("-9:"), &[]), s(&["c3c3", "b2b2", "a1a1"]));
    assert_eq!(hist(&l, Some("a1a1:+1"), &[]), s(&["b2b2", "a1a1"]));
    assert!(matches!(
        g.history(Some("bbbb"), &[]),
        Err(GraphError::BadRange { .. })
    ));
    assert!(matches!(
        g.history(Some("bbbb:cccc"), &[]),
        Err(GraphError::NotAncestor { .. })
    ));
}

// ----- scale -----

fn chain(len: usize) -> Vec<Node> {
    (0..len)
        .map(|i| {
            let id = format!("{i:012x}");
            let parents = if i == 0 {
                Vec::new()
            } else {
                vec![format!("{:012x}", i - 1)]
            };
            Node {
                id,
                parents,
                branch_labels: Vec::new(),
                depends_on: Vec::new(),
                source: format!("{i}.sql"),
            }
        })
        .collect()
}

#[test]
fn ten_thousand_revision_chain() {
    let g = graph(chain(10_000));
    let head = format!("{:012x}", 9_999);
    assert_eq!(g.heads(), vec![head.as_str()]);
    let plan = g.upgrade_plan(&[], "heads").unwrap();
    assert_eq!(plan.len(), 10_000);
    assert_eq!(plan[0].version_change.insert, s(&["000000000000"]));
    assert_eq!(plan[9_999].revision, head);
    assert_eq!(g.history(None, &[]).unwrap().len(), 10_000);
    let down = g
        .downgrade_plan(std::slice::from_ref(&head), "base")
        .unwrap();
    assert_eq!(down.len(), 10_000);
    assert_eq!(
        g.all_current(std::slice::from_ref(&head)).unwrap(),
        vec![head.as_str()]
    );
    assert_eq!(res(&g, "head-9999", &[]), s(&["000000000000"]));
    assert_eq!(res(&g, "-9999", &[head.as_str()]), s(&["000000000000"]));
}

#[test]
fn labelled_branches_match_alembic_session() {
    // Alembic (checked): base1; `upgrade two@+2` -> c2c2; `upgrade one@head`
    // runs b1b1 (new row), b2b2; `downgrade one@-1` runs b2b2; history is
    // b2b2, b1b1, c2c2, c1c1, base1; `downgrade one@base` runs b1b1, c2c2,
    // c1c1, base1 and empties the table.
    let g = labelled_branches();
    let (revs, rows) = run(
        &["base1"],
        &g.upgrade_plan(&s(&["base1"]), "two@+2").unwrap(),
    );
    assert_eq!(
        (revs, rows.last().unwrap().clone()),
        (s(&["c1c1", "c2c2"]), set(&["c2c2"]))
    );
    let (revs, rows) = run(
        &["c2c2"],
        &g.upgrade_plan(&s(&["c2c2"]), "one@head").unwrap(),
    );
    assert_eq!(
        (revs, rows.last().unwrap().clone()),
        (s(&["b1b1", "b2b2"]), set(&["b2b2", "c2c2"]))
    );
    let (revs, rows) = run(
        &["c2c2", "b2b2"],
        &g.downgrade_plan(&s(&["c2c2", "b2b2"]), "one@-1").unwrap(),
    );
    assert_eq!((revs, rows), (s(&["b2b2"]), vec![set(&["b1b1", "c2c2"])]));
    assert_eq!(
        hist(&g, None, &[]),
        s(&["b2b2", "b1b1", "c2c2", "c1c1", "base1"])
    );
    let cur = ["c2c2", "b1b1"];
    let (revs, rows) = run(&cur, &g.downgrade_plan(&s(&cur), "one@base").unwrap());
    assert_eq!(revs, s(&["b1b1", "c2c2", "c1c1", "base1"]));
    assert_eq!(
        rows,
        vec![set(&["c2c2"]), set(&["c1c1"]), set(&["base1"]), set(&[])]
    );
}
