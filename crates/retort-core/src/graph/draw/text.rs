//! The text drawing: lanes on the left, one line of text per revision.

use super::lanes::{layout, Row};
use super::{GraphView, CURRENT_GLYPH, NODE_GLYPH};

impl GraphView<'_> {
    /// The drawing, one line per row, each ending in `\n`:
    ///
    /// ```text
    /// * 5e1a7c3d9f40 (head), Add resumes
    /// *   4d8f6b1a2c39, Merge roles and templates
    /// |\
    /// ```
    ///
    /// A revision's line is its lanes, then `id (labels) (head) (current)
    /// (depends on: ids), message`. Current revisions are drawn with
    /// [`CURRENT_GLYPH`] instead of [`NODE_GLYPH`].
    pub fn text(&self) -> String {
        let parents: Vec<Vec<usize>> = (0..self.ids.len())
            .map(|p| self.parent_positions(p))
            .collect();
        let glyphs: Vec<char> = self
            .current
            .iter()
            .map(|&c| if c { CURRENT_GLYPH } else { NODE_GLYPH })
            .collect();
        let mut out = String::new();
        for row in layout(&parents, &glyphs) {
            match row {
                Row::Edges(prefix) => out.push_str(&prefix),
                Row::Node { prefix, width, pos } => {
                    out.push_str(&format!("{prefix:<width$} {}", self.describe(pos)));
                }
            }
            out.push('\n');
        }
        out
    }

    /// `id (labels) (head) (current) (depends on: ids), message`.
    fn describe(&self, p: usize) -> String {
        let id = self.ids[p];
        let mut text = id.to_string();
        let labels = self.labels(p);
        if !labels.is_empty() {
            text.push_str(&format!(" ({})", labels.join(", ")));
        }
        if self.graph.is_real_head(id) {
            text.push_str(" (head)");
        } else if self.graph.is_head(id) {
            text.push_str(" (effective head)");
        }
        if self.current[p] {
            text.push_str(" (current)");
        }
        let deps = self.graph.dependencies(id);
        if !deps.is_empty() {
            text.push_str(&format!(" (depends on: {})", deps.join(", ")));
        }
        text.push_str(", ");
        text.push_str(&self.messages[p]);
        text
    }
}
