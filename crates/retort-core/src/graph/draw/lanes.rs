//! The lane layout behind the text drawing, in the manner of
//! `git log --graph`: one revision per row, newest first, each pending edge
//! a vertical lane, with connector rows where lanes fork, join or shift.
//!
//! Every connector row moves a lane by at most one column (`/` left, `\`
//! right), except where a lane must pass other lanes to join its twin: it
//! then runs under them with `_` (`|_|/`). Lanes never cross otherwise, so
//! the drawing stays unambiguous for any DAG.

/// One row of the drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Row {
    /// A revision's row: the lane glyphs up to and including the node, and
    /// the position (in the view's order) of the revision drawn.
    Node {
        /// The graph part of the row, without trailing spaces.
        prefix: String,
        /// Width the prefix is padded to before the text, so the text of a
        /// fork lines up with the lanes below it.
        width: usize,
        /// Position of the revision in the view's order.
        pos: usize,
    },
    /// A row of lane glyphs only.
    Edges(String),
}

/// A row being drawn: characters at fixed positions (`2 * column` for lanes,
/// the odd positions between them for diagonals and horizontals).
struct Canvas(Vec<char>);

impl Canvas {
    fn new() -> Self {
        Canvas(Vec::new())
    }

    fn put(&mut self, at: usize, c: char) {
        if self.0.len() <= at {
            self.0.resize(at + 1, ' ');
        }
        self.0[at] = c;
    }

    fn finish(self) -> String {
        let s: String = self.0.into_iter().collect();
        s.trim_end().to_string()
    }
}

/// Lays out revisions given newest first. `parents[p]` lists the positions
/// (in the same order) of the parents of the revision at position `p`; every
/// parent must come after its child. `marker[p]` is the node glyph.
pub(super) fn layout(parents: &[Vec<usize>], marker: &[char]) -> Vec<Row> {
    let mut rows = Vec::new();
    // Each lane is the position of the revision it leads down to.
    let mut lanes: Vec<usize> = Vec::new();
    // The column of the previous revision, when it was a root (nothing below).
    let mut last_root: Option<usize> = None;
    for (pos, ps) in parents.iter().enumerate() {
        collapse(&mut lanes, pos, &mut rows);
        let col = match lanes.iter().position(|&l| l == pos) {
            Some(c) => c,
            None => {
                lanes.push(pos);
                let c = lanes.len() - 1;
                if last_root == Some(c) {
                    // Keep a new head from reading as the parent of the root
                    // drawn right above it.
                    rows.push(Row::Edges(straight(lanes.len(), Some(c))));
                }
                c
            }
        };
        let extra = ps.len().saturating_sub(2);
        if col + 1 < lanes.len() {
            for _ in 0..extra {
                shift_right_of(&lanes, col, &mut rows);
            }
        }
        let gap = extra; // empty columns opened right of `col`
        rows.push(node_row(&lanes, col, gap, ps.len(), marker[pos], pos));
        last_root = None;
        match ps.as_slice() {
            [] => {
                lanes.remove(col);
                if col < lanes.len() {
                    rows.push(Row::Edges(close_gap(lanes.len() + 1, col)));
                }
                last_root = Some(col);
            }
            [one] => lanes[col] = *one,
            [first, rest @ ..] => {
                rows.push(Row::Edges(fork_row(lanes.len(), col, gap, rest.len())));
                lanes[col] = *first;
                for (i, &p) in rest.iter().enumerate() {
                    lanes.insert(col + 1 + i, p);
                }
            }
        }
    }
    rows
}

/// Joins every lane leading to `pos` into the leftmost one, one join per row.
fn collapse(lanes: &mut Vec<usize>, pos: usize, rows: &mut Vec<Row>) {
    loop {
        let mut found = lanes.iter().enumerate().filter(|(_, &l)| l == pos);
        let (Some((keep, _)), Some((join, _))) = (found.next(), found.next()) else {
            return;
        };
        let mut row = Canvas::new();
        for c in 0..join {
            row.put(2 * c, '|');
        }
        for at in (2 * keep + 1..2 * join - 1).step_by(2) {
            row.put(at, '_');
        }
        row.put(2 * join - 1, '/');
        for c in join + 1..lanes.len() {
            row.put(2 * c - 1, '/');
        }
        rows.push(Row::Edges(row.finish()));
        lanes.remove(join);
    }
}

/// Moves the lanes right of `col` one column right (making room for an
/// octopus merge's horizontal).
fn shift_right_of(lanes: &[usize], col: usize, rows: &mut Vec<Row>) {
    let mut row = Canvas::new();
    for c in 0..=col {
        row.put(2 * c, '|');
    }
    for c in col + 1..lanes.len() {
        row.put(2 * c + 1, '\\');
    }
    rows.push(Row::Edges(row.finish()));
}

/// The revision's own row. The lanes right of `col` sit `gap` columns
/// further right (see [`shift_right_of`]); a revision with more than two
/// parents reaches into that gap with `-.`.
fn node_row(
    lanes: &[usize],
    col: usize,
    gap: usize,
    nparents: usize,
    mark: char,
    pos: usize,
) -> Row {
    let mut row = Canvas::new();
    for c in 0..lanes.len() {
        let at = if c > col { c + gap } else { c };
        row.put(2 * at, if c == col { mark } else { '|' });
    }
    for g in 1..=gap {
        row.put(2 * (col + g) - 1, '-');
        row.put(2 * (col + g), '.');
    }
    // After the row the lanes number len - 1 + nparents (as columns).
    let after = (lanes.len() + nparents)
        .saturating_sub(1)
        .max(lanes.len() + gap);
    Row::Node {
        prefix: row.finish(),
        width: 2 * after - 1,
        pos,
    }
}

/// The row below a merge: the first parent straight down, the others `\`
/// into new columns, the lanes right of them one column further right.
fn fork_row(nlanes: usize, col: usize, gap: usize, new: usize) -> String {
    let mut row = Canvas::new();
    for c in 0..=col {
        row.put(2 * c, '|');
    }
    // The merge's own edges: from its column and from each `.` of its row.
    for i in 0..new {
        row.put(2 * (col + i) + 1, '\\');
    }
    for c in col + 1..nlanes {
        row.put(2 * (c + gap) + 1, '\\');
    }
    row.finish()
}

/// The row below a root at `col`: lanes right of it move one column left.
fn close_gap(nlanes: usize, col: usize) -> String {
    let mut row = Canvas::new();
    for c in 0..col {
        row.put(2 * c, '|');
    }
    for c in col + 1..nlanes {
        row.put(2 * c - 1, '/');
    }
    row.finish()
}

/// Every lane straight down, leaving column `skip` empty.
fn straight(nlanes: usize, skip: Option<usize>) -> String {
    let mut row = Canvas::new();
    for c in 0..nlanes {
        if Some(c) != skip {
            row.put(2 * c, '|');
        }
    }
    row.finish()
}
