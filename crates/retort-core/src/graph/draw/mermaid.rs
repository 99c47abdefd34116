//! The Mermaid flowchart.

use super::GraphView;

impl GraphView<'_> {
    /// A Mermaid flowchart, bases at the bottom (`flowchart BT`): one node per
    /// revision (`n0`, `n1`, … in view order, labelled with the id, labels
    /// and message), a solid arrow from each parent to its child, a dotted
    /// one from each `Depends On` target to its dependent, and the current
    /// revisions in class `current`.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart BT\n");
        for (p, id) in self.ids.iter().enumerate() {
            let mut label = escape(id);
            let labels = self.labels(p);
            if !labels.is_empty() {
                label.push_str(&format!(" ({})", escape(&labels.join(", "))));
            }
            label.push_str("<br/>");
            label.push_str(&escape(&self.messages[p]));
            out.push_str(&format!("    n{p}[\"{label}\"]\n"));
        }
        for p in 0..self.ids.len() {
            for q in self.parent_positions(p) {
                out.push_str(&format!("    n{q} --> n{p}\n"));
            }
            for dep in self.dependency_ids(p) {
                if let Some(q) = self.pos.get(dep) {
                    out.push_str(&format!("    n{q} -. depends on .-> n{p}\n"));
                }
            }
        }
        let current: Vec<String> = (0..self.ids.len())
            .filter(|&p| self.current[p])
            .map(|p| format!("n{p}"))
            .collect();
        out.push_str("    classDef current fill:#fde68a,stroke:#b45309,stroke-width:3px\n");
        if !current.is_empty() {
            out.push_str(&format!("    class {} current\n", current.join(",")));
        }
        out
    }
}

/// Text safe inside a quoted Mermaid label (entity codes for the characters
/// Mermaid would read as markup).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}
