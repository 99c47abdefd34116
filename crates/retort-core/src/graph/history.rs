//! `history`: revisions newest first in Alembic's `walk_revisions` order,
//! optionally limited to a range `A:B`.

use super::ident::{parse_relative, pos_vec, split_label, Pos};
use super::{GraphError, Rel, RevisionGraph};

impl RevisionGraph {
    /// Revision ids newest first, in the order Alembic's `history` prints them.
    ///
    /// `range` is `A:B`, `A:` or `:B` (default `base:heads`); each end takes
    /// any identifier, plus `current` (the version-table rows). A relative
    /// lower end `-N` counts down from the heads; a relative upper end `+N`
    /// counts up from the lower end. The lower end is included and must be
    /// below the upper end.
    pub fn history(
        &self,
        range: Option<&str>,
        current: &[String],
    ) -> Result<Vec<&str>, GraphError> {
        let (lower, upper) = match range {
            None => ("base", "heads"),
            Some(r) => {
                let (a, b) = r
                    .trim()
                    .split_once(':')
                    .ok_or_else(|| GraphError::BadRange {
                        range: r.to_string(),
                    })?;
                (nonempty(a, "base"), nonempty(b, "heads"))
            }
        };
        let lower_revs = self.history_lower(lower, current)?;
        let targets = self.history_upper(upper, lower, &lower_revs, current)?;
        let required = self.marks(&self.closure(&targets, Rel::Down));
        if let Some(&bad) = lower_revs.iter().find(|&&l| !required[l]) {
            return Err(GraphError::NotAncestor {
                lower: self.ids.get(bad).to_string(),
                upper: upper.to_string(),
            });
        }
        let mut wanted = required;
        if !lower_revs.is_empty() {
            let below = self.marks(&self.closure(&lower_revs, Rel::Down));
            let above = self.marks(&self.closure(&lower_revs, Rel::Children));
            for i in 0..wanted.len() {
                wanted[i] = wanted[i] && above[i] && (!below[i] || lower_revs.contains(&i));
            }
        }
        let order = self.topo_newest_first(wanted, &targets);
        Ok(order.into_iter().map(|i| self.ids.get(i)).collect())
    }

    /// The lower end: `current`, `[label@]-N` from the heads (stopping at
    /// base), or any identifier.
    fn history_lower(&self, lower: &str, current: &[String]) -> Result<Vec<usize>, GraphError> {
        if lower == "current" {
            return self.rows(current);
        }
        match parse_relative(lower) {
            Some(rel) if rel.symbol.is_none() && rel.steps < 0 => {
                let branch = self.branch_of(rel.label)?;
                let mut out = Vec::new();
                for h in self.heads.clone() {
                    if branch.is_some_and(|b| !self.shares_lineage(h, b)) {
                        continue;
                    }
                    if let Some(Pos::Rev(i)) =
                        self.walk(Pos::Rev(h), rel.steps, None, lower, true)?
                    {
                        out.push(i);
                    }
                }
                Ok(out)
            }
            _ => self.revisions(lower),
        }
    }

    /// The upper end: `current`, `+N` from the lower end, or any identifier;
    /// with `label@...` as lower end, only heads carrying that label.
    fn history_upper(
        &self,
        upper: &str,
        lower: &str,
        lower_revs: &[usize],
        current: &[String],
    ) -> Result<Vec<usize>, GraphError> {
        let mut targets = if upper == "current" {
            self.rows(current)?
        } else {
            match parse_relative(upper) {
                Some(rel) if rel.symbol.is_none() && rel.steps > 0 => {
                    let start = match lower_revs {
                        [] => Pos::Base,
                        [one] => Pos::Rev(*one),
                        _ => {
                            return Err(GraphError::AmbiguousCurrent {
                                ident: upper.to_string(),
                                current: self.owned_ids(lower_revs),
                            })
                        }
                    };
                    let branch = self.branch_of(rel.label)?;
                    let end = self.walk(start, rel.steps, branch, upper, true)?;
                    end.map(pos_vec).unwrap_or_default()
                }
                _ => self.revisions(upper)?,
            }
        };
        if let (Some(label), _) = split_label(lower) {
            let label = self.label_name(label);
            targets.retain(|&t| self.branch_labels[t].contains(&label));
        }
        Ok(targets)
    }

    /// A label as written, or, for a revision id used as a label, its single
    /// effective label.
    fn label_name(&self, label: &str) -> String {
        match self.ids.find(label) {
            Some(i) if self.branch_labels[i].len() == 1 => self.branch_labels[i]
                .iter()
                .next()
                .cloned()
                .unwrap_or_default(),
            _ => label.to_string(),
        }
    }
}

fn nonempty<'a>(s: &'a str, default: &'a str) -> &'a str {
    if s.is_empty() {
        default
    } else {
        s
    }
}
