//! Alembic's identifier grammar: `head`, `heads`, `base`, ids and unique
//! prefixes, branch labels (`label@head`, `label@base`, `label@REV`) and
//! relative moves (`+N`, `-N`, `REV+N`, `REV-N`, `label@+N`, `label@-N`).

use super::{GraphError, Rel, RevisionGraph};

/// Where a walk through the graph stands: below every root, or at a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pos {
    /// Nothing applied.
    Base,
    /// A revision (index).
    Rev(usize),
}

/// A relative identifier: `[label@][symbol](+|-)N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Relative<'a> {
    /// Text before the first `@`, if any.
    pub label: Option<&'a str>,
    /// The revision the move starts from; `None` means "the current state".
    pub symbol: Option<&'a str>,
    /// Signed step count.
    pub steps: i64,
}

/// Parses a relative identifier (the shape of Alembic's
/// `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)`, but anchored at both ends).
pub(super) fn parse_relative(ident: &str) -> Option<Relative<'_>> {
    let digits = ident.len() - ident.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits == ident.len() {
        return None;
    }
    let sign_at = ident.len() - digits - 1;
    let sign = ident.as_bytes()[sign_at];
    if sign != b'+' && sign != b'-' {
        return None;
    }
    let steps: i64 = ident[sign_at..].parse().ok()?;
    let head = &ident[..sign_at];
    let (label, symbol) = match head.split_once('@') {
        Some((l, s)) if !l.is_empty() => (Some(l), s),
        Some(_) => return None,
        None => (None, head),
    };
    if !symbol.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let symbol = (!symbol.is_empty()).then_some(symbol);
    Some(Relative {
        label,
        symbol,
        steps,
    })
}

impl RevisionGraph {
    /// Resolves an identifier to full ids (empty for `base`).
    ///
    /// Absolute forms (`head`, `heads`, `base`, an id or unique prefix, a
    /// branch label, `label@head`, `label@base`, `label@REV`, `REV+N`,
    /// `REV-N`) ignore `current`. `+N` and `label@+N` move up from the
    /// current revisions as `upgrade` does; `-N` and `label@-N` move down as
    /// `downgrade` does.
    pub fn resolve(&self, ident: &str, current: &[String]) -> Result<Vec<String>, GraphError> {
        let rows = self.rows(current)?;
        let found = match parse_relative(ident) {
            Some(rel) if rel.steps > 0 => self.upgrade_targets(&rows, ident)?,
            Some(rel) if rel.symbol.is_none() => {
                let (_, pos) = self.downgrade_target(&rows, ident)?;
                pos_vec(pos)
            }
            _ => self.revisions(ident)?,
        };
        Ok(self.owned_ids(&found))
    }

    /// Alembic's `get_revisions`: absolute forms, `REV±N`, and `[label@]-N`
    /// walked down from the (real) heads.
    pub(super) fn revisions(&self, ident: &str) -> Result<Vec<usize>, GraphError> {
        let Some(rel) = parse_relative(ident) else {
            return self.resolve_number(ident);
        };
        match rel.symbol {
            Some(symbol) => {
                let start = self.revision_in_branch(rel.label, symbol)?;
                let branch = self.branch_of(rel.label)?;
                let end = self.walk(start, rel.steps, branch, ident, false)?;
                Ok(pos_vec(end.ok_or_else(|| too_far(ident, rel.steps))?))
            }
            None if rel.steps < 0 => self.walk_from_heads(rel, ident),
            None => Err(GraphError::UnknownRevision {
                ident: ident.to_string(),
            }),
        }
    }

    /// `[label@]-N` without a symbol: each real head (carrying the label)
    /// walked down N steps.
    fn walk_from_heads(&self, rel: Relative<'_>, ident: &str) -> Result<Vec<usize>, GraphError> {
        let mut out = Vec::new();
        for h in self.real_head_indices() {
            if rel
                .label
                .is_some_and(|l| !self.branch_labels[h].contains(l))
            {
                continue;
            }
            match self.walk(Pos::Rev(h), rel.steps, None, ident, false)? {
                Some(Pos::Rev(i)) => out.push(i),
                Some(Pos::Base) => {}
                None => return Err(too_far(ident, rel.steps)),
            }
        }
        Ok(out)
    }

    fn real_head_indices(&self) -> Vec<usize> {
        self.heads
            .iter()
            .copied()
            .filter(|&i| self.dependents[i].is_empty())
            .collect()
    }

    /// Alembic's `_resolve_revision_number` + `_revision_for_ident` for a
    /// non-relative identifier.
    fn resolve_number(&self, ident: &str) -> Result<Vec<usize>, GraphError> {
        let (label, symbol) = split_label(ident);
        match symbol {
            "heads" => match label {
                Some(l) => self.heads_in_lineage(l),
                None => Ok(self.real_head_indices()),
            },
            "head" => Ok(self.current_head(label)?.into_iter().collect()),
            "base" | "" => Ok(Vec::new()),
            s => Ok(pos_vec(self.revision_in_branch(label, s)?)),
        }
    }

    /// Heads (effective ones included) that share lineage with `label`.
    fn heads_in_lineage(&self, label: &str) -> Result<Vec<usize>, GraphError> {
        let anchors = self.resolve_number(label).map_err(|e| match e {
            GraphError::UnknownRevision { .. } => GraphError::UnknownBranch {
                label: label.to_string(),
            },
            other => other,
        })?;
        Ok(self
            .heads
            .iter()
            .copied()
            .filter(|&h| anchors.is_empty() || anchors.iter().any(|&a| self.shares_lineage(h, a)))
            .collect())
    }

    /// The single head (on `label`'s lineage, when given); `None` for an
    /// empty graph.
    fn current_head(&self, label: Option<&str>) -> Result<Option<usize>, GraphError> {
        let heads = match label {
            Some(l) => self.heads_in_lineage(l)?,
            None => self.heads.clone(),
        };
        if heads.len() > 1 {
            return Err(GraphError::MultipleHeads {
                heads: self.owned_ids(&heads),
                argument: match label {
                    Some(l) => format!("{l}@head"),
                    None => "head".to_string(),
                },
            });
        }
        Ok(heads.first().copied())
    }

    /// A single position for an identifier (Alembic's `get_revision`):
    /// several revisions is a `MultipleHeads` error.
    pub(super) fn position(&self, ident: &str) -> Result<Pos, GraphError> {
        let found = self.revisions(ident)?;
        match found.as_slice() {
            [] => Ok(Pos::Base),
            [one] => Ok(Pos::Rev(*one)),
            _ => Err(GraphError::MultipleHeads {
                heads: self.owned_ids(&found),
                argument: ident.to_string(),
            }),
        }
    }

    /// `symbol` as an id, label or unique prefix, checked to be on `label`'s
    /// lineage when a label is given.
    fn revision_in_branch(&self, label: Option<&str>, symbol: &str) -> Result<Pos, GraphError> {
        if matches!(symbol, "head" | "heads" | "base") {
            let ident = match label {
                Some(l) => format!("{l}@{symbol}"),
                None => symbol.to_string(),
            };
            return self.position(&ident);
        }
        let branch = self.branch_of(label)?;
        let found = match self.exact(symbol) {
            Some(i) => i,
            None => self.prefix_in_branch(symbol, branch)?,
        };
        if let (Some(b), Some(l)) = (branch, label) {
            if !self.shares_lineage(found, b) {
                return Err(GraphError::NotOnBranch {
                    revision: self.ids.get(found).to_string(),
                    label: l.to_string(),
                });
            }
        }
        Ok(Pos::Rev(found))
    }

    /// A full id or declared label.
    fn exact(&self, key: &str) -> Option<usize> {
        self.ids.find(key).or_else(|| self.label(key))
    }

    /// The revision a branch label (or revision used as one) names.
    pub(super) fn branch_of(&self, label: Option<&str>) -> Result<Option<usize>, GraphError> {
        let Some(label) = label else {
            return Ok(None);
        };
        if let Some(i) = self.exact(label) {
            return Ok(Some(i));
        }
        self.lookup_prefix(label)
            .map(Some)
            .map_err(|_| GraphError::UnknownBranch {
                label: label.to_string(),
            })
    }

    /// Resolves a unique prefix of an id or label.
    pub(super) fn lookup_prefix(&self, prefix: &str) -> Result<usize, GraphError> {
        self.prefix_in_branch(prefix, None)
    }

    /// Keys (ids and labels longer than three characters, as in Alembic)
    /// starting with `prefix`, restricted to `branch`'s lineage; exactly one
    /// revision must match.
    fn prefix_in_branch(&self, prefix: &str, branch: Option<usize>) -> Result<usize, GraphError> {
        let mut matches: Vec<(&str, usize)> = self
            .ids
            .with_prefix(prefix)
            .chain(self.labels_with_prefix(prefix))
            .filter(|(k, _)| k.len() > 3)
            .filter(|(_, i)| branch.is_none_or(|b| self.shares_lineage(*i, b)))
            .collect();
        matches.sort_unstable();
        matches.dedup_by_key(|(_, i)| *i);
        match matches.as_slice() {
            [] => Err(GraphError::UnknownRevision {
                ident: prefix.to_string(),
            }),
            [(_, i)] => Ok(*i),
            _ => Err(GraphError::AmbiguousPrefix {
                prefix: prefix.to_string(),
                candidates: matches.iter().map(|(k, _)| k.to_string()).collect(),
            }),
        }
    }

    /// True when `b` is `a`, or above or below it through parents only
    /// (Alembic's `_shares_lineage` without dependencies).
    pub(super) fn shares_lineage(&self, a: usize, b: usize) -> bool {
        a == b || self.reaches(a, b, Rel::Parents) || self.reaches(b, a, Rel::Parents)
    }

    /// True when `to` can be reached from `from` along `rel`.
    pub(super) fn reaches(&self, from: usize, to: usize, rel: Rel) -> bool {
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![from];
        while let Some(i) = stack.pop() {
            if i == to {
                return true;
            }
            if seen.insert(i) {
                stack.extend(self.neighbours(i, rel));
            }
        }
        false
    }

    /// Walks `steps` up (children, restricted to `branch`'s lineage) or down
    /// (parents; below a root is `Base`). `Ok(None)` when the walk leaves the
    /// graph, unless `clamp`, which stops at the last position instead. More
    /// than one way to go is an error.
    pub(super) fn walk(
        &self,
        start: Pos,
        steps: i64,
        branch: Option<usize>,
        ident: &str,
        clamp: bool,
    ) -> Result<Option<Pos>, GraphError> {
        let mut cur = start;
        for _ in 0..steps.unsigned_abs() {
            let next = if steps > 0 {
                self.step_up(cur, branch)
            } else {
                step_down(self, cur)
            };
            match next.as_slice() {
                [] if clamp => return Ok(Some(cur)),
                [] => return Ok(None),
                [one] => cur = *one,
                _ => {
                    return Err(GraphError::AmbiguousWalk {
                        ident: ident.to_string(),
                        steps,
                    })
                }
            }
        }
        Ok(Some(cur))
    }

    fn step_up(&self, cur: Pos, branch: Option<usize>) -> Vec<Pos> {
        let ups: Vec<usize> = match cur {
            Pos::Base => (0..self.ids.len())
                .filter(|&i| self.parents[i].is_empty())
                .collect(),
            Pos::Rev(i) => self.children[i].to_vec(),
        };
        ups.into_iter()
            .filter(|&u| branch.is_none_or(|b| self.shares_lineage(u, b)))
            .map(Pos::Rev)
            .collect()
    }
}

fn step_down(g: &RevisionGraph, cur: Pos) -> Vec<Pos> {
    match cur {
        Pos::Base => Vec::new(),
        Pos::Rev(i) if g.parents[i].is_empty() => vec![Pos::Base],
        Pos::Rev(i) => g.parents[i].iter().map(|&p| Pos::Rev(p)).collect(),
    }
}

/// Splits `label@rest` at the first `@`.
pub(super) fn split_label(ident: &str) -> (Option<&str>, &str) {
    match ident.split_once('@') {
        Some((l, s)) => (Some(l), s),
        None => (None, ident),
    }
}

pub(super) fn pos_vec(pos: Pos) -> Vec<usize> {
    match pos {
        Pos::Base => Vec::new(),
        Pos::Rev(i) => vec![i],
    }
}

pub(super) fn too_far(ident: &str, steps: i64) -> GraphError {
    GraphError::RelativeTooFar {
        ident: ident.to_string(),
        steps,
    }
}
