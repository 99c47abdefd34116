//! `retort graph` and `retort history --graph` against real databases, with
//! some revisions applied.

mod common;

use common::{project_for, retort, Backend, Db, TestProject};

/// A base, two labelled branches merged back, one revision on top; the
/// database at both branch tips.
fn diamond(db: &Db) -> TestProject {
    let p = project_for(db);
    p.table_revision("aaa", "", "");
    p.table_revision("bbb", "aaa", "Branch Labels: accounts\n");
    p.table_revision("ccc", "aaa", "Branch Labels: templates\n");
    p.table_revision("ddd", "bbb, ccc", "");
    p.table_revision("eee", "ddd", "");
    retort(p.path(), &["upgrade", "bbb"]).ok();
    retort(p.path(), &["upgrade", "ccc"]).ok();
    p
}

const DRAWING: &str = "\
* eee (head), revision eee
*   ddd, revision ddd
|\\
@ | bbb (accounts) (current), revision bbb
| @ ccc (templates) (current), revision ccc
|/
* aaa, revision aaa
";

on_all_backends!(
    text_marks_the_current_revisions,
    history_graph_uses_the_same_drawing,
    mermaid_styles_the_current_revisions,
    dot_fills_the_current_revisions,
    json_lists_nodes_edges_and_current,
);

fn text_marks_the_current_revisions(backend: Backend) {
    let db = Db::new(backend);
    let p = diamond(&db);
    let run = retort(p.path(), &["graph"]).ok();
    assert_eq!(run.stdout, DRAWING);
    assert_eq!(run.stderr, "");
    // The default format is text.
    let run = retort(p.path(), &["graph", "--format", "text"]).ok();
    assert_eq!(run.stdout, DRAWING);
}

fn history_graph_uses_the_same_drawing(backend: Backend) {
    let db = Db::new(backend);
    let p = diamond(&db);
    let run = retort(p.path(), &["history", "--graph", "--indicate-current"]).ok();
    assert_eq!(run.stdout, DRAWING);
    // Without -i nothing is marked (and the database is not needed).
    let run = retort(p.path(), &["history", "--graph"]).ok();
    assert_eq!(
        run.stdout,
        DRAWING.replace('@', "*").replace(" (current)", "")
    );
    // A range: edges to revisions outside it are left out.
    let run = retort(p.path(), &["history", "--graph", "-r", "ddd:"]).ok();
    assert_eq!(
        run.stdout,
        "* eee (head), revision eee\n* ddd, revision ddd\n"
    );
    let run = retort(p.path(), &["history", "-g", "-i", "-r", "current:"]).ok();
    assert_eq!(
        run.stdout,
        "\
* eee (head), revision eee
*   ddd, revision ddd
|\\
@ | bbb (accounts) (current), revision bbb
 /
@ ccc (templates) (current), revision ccc
"
    );
}

fn mermaid_styles_the_current_revisions(backend: Backend) {
    let db = Db::new(backend);
    let p = diamond(&db);
    let run = retort(p.path(), &["graph", "--format", "mermaid"]).ok();
    assert_eq!(
        run.stdout,
        "\
flowchart BT
    n0[\"eee<br/>revision eee\"]
    n1[\"ddd<br/>revision ddd\"]
    n2[\"bbb (accounts)<br/>revision bbb\"]
    n3[\"ccc (templates)<br/>revision ccc\"]
    n4[\"aaa<br/>revision aaa\"]
    n1 --> n0
    n2 --> n1
    n3 --> n1
    n4 --> n2
    n4 --> n3
    classDef current fill:#fde68a,stroke:#b45309,stroke-width:3px
    class n2,n3 current
"
    );
}

fn dot_fills_the_current_revisions(backend: Backend) {
    let db = Db::new(backend);
    let p = diamond(&db);
    let run = retort(p.path(), &["graph", "--format", "dot"]).ok();
    let dot = run.stdout;
    assert!(dot.starts_with("digraph revisions {\n"), "{dot}");
    assert!(dot.ends_with("}\n"), "{dot}");
    assert_eq!(dot.matches('{').count(), dot.matches('}').count(), "{dot}");
    let nodes: Vec<&str> = dot.lines().filter(|l| l.contains("[label=")).collect();
    assert_eq!(nodes.len(), 5, "{dot}");
    for line in nodes {
        let current = line.starts_with("    \"bbb\"") || line.starts_with("    \"ccc\"");
        assert_eq!(line.contains("style=\"filled,bold\""), current, "{line}");
    }
    let mut edges: Vec<&str> = dot.lines().filter(|l| l.contains(" -> ")).collect();
    edges.sort_unstable();
    assert_eq!(
        edges,
        [
            "    \"aaa\" -> \"bbb\";",
            "    \"aaa\" -> \"ccc\";",
            "    \"bbb\" -> \"ddd\";",
            "    \"ccc\" -> \"ddd\";",
            "    \"ddd\" -> \"eee\";",
        ]
    );
    validate_with_graphviz(&dot);
}

/// Runs `dot -Tsvg` on the output when Graphviz is installed (the suite does
/// not require it).
fn validate_with_graphviz(dot: &str) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let Ok(mut child) = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        return;
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(dot.as_bytes()).expect("write to dot");
    }
    let out = child.wait_with_output().expect("dot ran");
    assert!(
        out.status.success(),
        "dot rejected the output: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json_lists_nodes_edges_and_current(backend: Backend) {
    let db = Db::new(backend);
    let p = diamond(&db);
    let run = retort(p.path(), &["--format", "json", "graph"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["current"], serde_json::json!(["bbb", "ccc"]));
    let ids: Vec<&str> = doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["eee", "ddd", "bbb", "ccc", "aaa"]);
    assert_eq!(
        doc["nodes"][2],
        serde_json::json!({
            "id": "bbb",
            "message": "revision bbb",
            "labels": ["accounts"],
            "parents": ["aaa"],
            "depends_on": [],
            "is_head": false,
            "is_base": false,
            "is_current": true,
        })
    );
    assert_eq!(doc["nodes"][0]["is_head"], true);
    assert_eq!(doc["nodes"][4]["is_base"], true);
    assert_eq!(doc["edges"].as_array().expect("edges").len(), 5);
    assert_eq!(
        doc["edges"][0],
        serde_json::json!({"parent": "ddd", "child": "eee", "kind": "revises"})
    );
    // The global option works after the subcommand too.
    let again = retort(p.path(), &["graph", "--format", "json"]).ok();
    assert_eq!(again.stdout, run.stdout);
}

#[test]
fn without_a_database_file_draws_unmarked_and_creates_nothing() {
    let p = TestProject::new();
    p.table_revision("aaa", "", "");
    p.table_revision("bbb", "aaa", "");
    let run = retort(p.path(), &["graph"]).ok();
    assert_eq!(
        run.stdout,
        "* bbb (head), revision bbb\n* aaa, revision aaa\n"
    );
    assert!(
        run.stderr
            .contains("does not exist; no revision is marked current"),
        "{}",
        run.stderr
    );
    assert!(!p.path().join("test.db").exists());
    // --quiet drops the note.
    let run = retort(p.path(), &["graph", "-q"]).ok();
    assert_eq!(run.stderr, "");
}

#[test]
fn unreachable_server_draws_unmarked() {
    let p = TestProject::new();
    p.table_revision("aaa", "", "");
    let url = "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=5";
    let run = retort(p.path(), &["--url", url, "graph"]).ok();
    assert_eq!(run.stdout, "* aaa (head), revision aaa\n");
    assert!(
        run.stderr.contains("cannot read the database"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_version_table_draws_unmarked() {
    let db = Db::new(Backend::Sqlite);
    let p = project_for(&db);
    p.table_revision("aaa", "", "");
    db.exec("CREATE TABLE unrelated (id integer);");
    let run = retort(p.path(), &["graph"]).ok();
    assert_eq!(run.stdout, "* aaa (head), revision aaa\n");
    assert!(run.stderr.contains("no revision applied"), "{}", run.stderr);
}

#[test]
fn dependencies_are_listed_in_text_and_dashed_in_dot() {
    let p = TestProject::new();
    p.table_revision("aaa", "", "");
    p.table_revision("xxx", "", "Branch Labels: other\n");
    p.table_revision("bbb", "aaa", "Depends On: xxx\n");
    let run = retort(p.path(), &["graph", "-q"]).ok();
    assert_eq!(
        run.stdout,
        "\
* bbb (head) (depends on: xxx), revision bbb
* aaa, revision aaa

* xxx (other) (effective head), revision xxx
"
    );
    let dot = retort(p.path(), &["graph", "-q", "--format", "dot"])
        .ok()
        .stdout;
    assert!(
        dot.contains("    \"xxx\" -> \"bbb\" [style=dashed, label=\"depends on\"];\n"),
        "{dot}"
    );
    validate_with_graphviz(&dot);
}

#[test]
fn drawing_formats_are_for_graph_only() {
    let p = TestProject::new();
    p.table_revision("aaa", "", "");
    for format in ["mermaid", "dot"] {
        let run = retort(p.path(), &["history", "--format", format]).fails(2);
        assert!(
            run.stderr.contains("are for `retort graph`"),
            "{}",
            run.stderr
        );
    }
}
