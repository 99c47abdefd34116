//! Compact storage for the graph: every id in one string, every relation in
//! one flat list. A 10,000-revision graph then holds a few allocations
//! instead of one per id and per relation of each revision.

use std::ops::Index;

/// The revision ids, in input order, packed into one string.
#[derive(Debug, Clone)]
pub(super) struct Ids {
    text: String,
    /// Where each id ends in `text` (it starts where the previous one ends).
    ends: Vec<usize>,
    /// Indices sorted by id, for prefix look-ups.
    sorted: Vec<usize>,
    /// An open-addressing hash table of indices (`EMPTY` when free), twice
    /// as long as there are ids, for look-ups by full id.
    slots: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;

/// FNV-1a: ids are short, and this table only needs them spread.
fn hash(id: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h as usize
}

impl Ids {
    /// Packs `ids` (input order).
    pub(super) fn new<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let mut out = Ids {
            text: String::new(),
            ends: Vec::with_capacity(ids.len()),
            sorted: Vec::new(),
            slots: Vec::new(),
        };
        for id in ids {
            out.text.push_str(id);
            out.ends.push(out.text.len());
        }
        out.text.shrink_to_fit();
        let mut sorted: Vec<usize> = (0..out.ends.len()).collect();
        sorted.sort_by(|&a, &b| out.get(a).cmp(out.get(b)));
        out.sorted = sorted;
        out.slots = vec![EMPTY; (2 * out.ends.len()).next_power_of_two()];
        for i in 0..out.ends.len() {
            // Graphs beyond u32::MAX revisions are found by binary search.
            let Ok(index) = u32::try_from(i) else { break };
            let mut slot = out.slot_of(out.get(i));
            while out.slots[slot] != EMPTY {
                slot = (slot + 1) & (out.slots.len() - 1);
            }
            out.slots[slot] = index;
        }
        out
    }

    fn slot_of(&self, id: &str) -> usize {
        hash(id) & (self.slots.len() - 1)
    }

    /// The id of revision `i`.
    pub(super) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// Number of ids.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The index of the revision with this full id.
    pub(super) fn find(&self, id: &str) -> Option<usize> {
        if self.ends.len() < EMPTY as usize {
            let mut slot = self.slot_of(id);
            loop {
                let i = self.slots[slot];
                if i == EMPTY {
                    return None;
                }
                if self.get(i as usize) == id {
                    return Some(i as usize);
                }
                slot = (slot + 1) & (self.slots.len() - 1);
            }
        }
        self.sorted
            .binary_search_by(|&i| self.get(i).cmp(id))
            .ok()
            .map(|k| self.sorted[k])
    }

    /// Indices whose id starts with `prefix`, in id order.
    pub(super) fn with_prefix<'s>(
        &'s self,
        prefix: &'s str,
    ) -> impl Iterator<Item = (&'s str, usize)> + 's {
        let start = self.sorted.partition_point(|&i| self.get(i) < prefix);
        self.sorted[start..]
            .iter()
            .map(|&i| (self.get(i), i))
            .take_while(move |(id, _)| id.starts_with(prefix))
    }

    /// The smallest id given more than once, if any.
    pub(super) fn first_duplicate(&self) -> Option<&str> {
        self.sorted
            .windows(2)
            .find(|w| self.get(w[0]) == self.get(w[1]))
            .map(|w| self.get(w[0]))
    }
}

/// One relation of the graph (parents, children, …): the neighbours of
/// each revision, all in one list. `adjacency[i]` is revision `i`'s slice.
#[derive(Debug, Clone, Default)]
pub(super) struct Adjacency {
    /// Where each revision's neighbours end in `targets`.
    ends: Vec<usize>,
    targets: Vec<usize>,
}

impl Adjacency {
    /// Collects one list per revision, in order.
    pub(super) fn from_lists<I, L>(lists: I) -> Self
    where
        I: IntoIterator<Item = L>,
        L: IntoIterator<Item = usize>,
    {
        let mut out = Adjacency::default();
        for list in lists {
            out.targets.extend(list);
            out.ends.push(out.targets.len());
        }
        out.ends.shrink_to_fit();
        out.targets.shrink_to_fit();
        out
    }

    /// The reverse relation over `n` revisions: `j` lists `i` for every `i`
    /// that lists `j`, in increasing `i`.
    pub(super) fn inverted(&self, n: usize) -> Self {
        let mut counts = vec![0usize; n];
        for &j in &self.targets {
            counts[j] += 1;
        }
        let mut ends = Vec::with_capacity(n);
        let mut total = 0;
        for c in &counts {
            total += c;
            ends.push(total);
        }
        // Fill each slice from its start, in increasing source order.
        let mut next: Vec<usize> = ends.iter().zip(&counts).map(|(e, c)| e - c).collect();
        let mut targets = vec![0; total];
        for i in 0..self.ends.len() {
            for &j in &self[i] {
                targets[next[j]] = i;
                next[j] += 1;
            }
        }
        Adjacency { ends, targets }
    }
}

impl Index<usize> for Adjacency {
    type Output = [usize];

    fn index(&self, i: usize) -> &[usize] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.targets[start..self.ends[i]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_by_id_and_prefix() {
        let ids = Ids::new(["b2", "a1", "", "a10"].into_iter());
        assert_eq!(ids.len(), 4);
        assert_eq!(ids.get(0), "b2");
        assert_eq!(ids.get(2), "");
        assert_eq!(ids.find("a10"), Some(3));
        assert_eq!(ids.find("a"), None);
        let a: Vec<_> = ids.with_prefix("a1").collect();
        assert_eq!(a, [("a1", 1), ("a10", 3)]);
        assert_eq!(ids.first_duplicate(), None);
        assert_eq!(
            Ids::new(["x", "y", "x"].into_iter()).first_duplicate(),
            Some("x")
        );
    }

    #[test]
    fn adjacency_inverts_in_source_order() {
        let adj = Adjacency::from_lists([vec![], vec![0], vec![0, 1], vec![]]);
        assert_eq!(&adj[2], &[0, 1]);
        assert!(adj[3].is_empty());
        let inv = adj.inverted(4);
        assert_eq!(&inv[0], &[1, 2]);
        assert_eq!(&inv[1], &[2]);
        assert!(inv[2].is_empty() && inv[3].is_empty());
    }
}
