//! The Graphviz digraph.

use super::GraphView;

impl GraphView<'_> {
    /// A Graphviz digraph, bases at the bottom (`rankdir=BT`): one box per
    /// revision (named by its id, labelled with id, labels and message), an
    /// edge from each parent to its child, a dashed one from each
    /// `Depends On` target to its dependent, and the current revisions
    /// filled and bold.
    pub fn dot(&self) -> String {
        let mut out = String::from("digraph revisions {\n");
        out.push_str("    rankdir=BT;\n");
        out.push_str("    node [shape=box, fontname=\"monospace\"];\n");
        for (p, id) in self.ids.iter().enumerate() {
            let mut label = (*id).to_string();
            let labels = self.labels(p);
            if !labels.is_empty() {
                label.push_str(&format!(" ({})", labels.join(", ")));
            }
            label.push('\n');
            label.push_str(&self.messages[p]);
            let style = if self.current[p] {
                ", style=\"filled,bold\", fillcolor=\"#fde68a\", penwidth=2"
            } else {
                ""
            };
            out.push_str(&format!(
                "    {} [label={}{style}];\n",
                quote(id),
                quote(&label)
            ));
        }
        for (p, id) in self.ids.iter().enumerate() {
            for q in self.parent_positions(p) {
                out.push_str(&format!("    {} -> {};\n", quote(self.ids[q]), quote(id)));
            }
            for dep in self.dependency_ids(p) {
                out.push_str(&format!(
                    "    {} -> {} [style=dashed, label=\"depends on\"];\n",
                    quote(dep),
                    quote(id)
                ));
            }
        }
        out.push_str("}\n");
        out
    }
}

/// A DOT double-quoted string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}
