//! Upgrade, downgrade and stamp plans, with Alembic's version-table
//! bookkeeping (one row per current head).

use std::collections::HashSet;

use super::ident::{parse_relative, pos_vec, too_far, Pos};
use super::{GraphError, Rel, RevisionGraph};
use crate::plan::{Direction, Step, VersionChange};

impl RevisionGraph {
    /// Plans an upgrade from `current` (the version-table rows) to `target`.
    ///
    /// Steps come parents first, both sides of a merge before the merge, and
    /// dependencies before their dependents. A target already applied gives
    /// an empty plan; a relative target past a head is an error.
    pub fn upgrade_plan(&self, current: &[String], target: &str) -> Result<Vec<Step>, GraphError> {
        let rows = self.rows(current)?;
        let targets = self.upgrade_targets(&rows, target)?;
        self.check_overlap(&targets)?;
        let required = self.marks(&self.closure(&targets, Rel::Down));
        let have = self.marks(&self.closure(&rows, Rel::Down));
        let needs: Vec<bool> = required.iter().zip(&have).map(|(r, h)| *r && !h).collect();
        let mut order = self.topo_newest_first(needs, &targets);
        order.reverse();
        let mut table = VersionRows::new(self, &rows);
        order
            .into_iter()
            .map(|r| {
                table
                    .upgrade(r)
                    .map(|vc| self.step(r, Direction::Upgrade, vc))
            })
            .collect()
    }

    /// Plans a downgrade from `current` (the version-table rows) to `target`.
    ///
    /// Steps come children first. `-N` at a merge point is ambiguous;
    /// `label@base` takes down the label's root and everything above it that
    /// is applied.
    pub fn downgrade_plan(
        &self,
        current: &[String],
        target: &str,
    ) -> Result<Vec<Step>, GraphError> {
        let rows = self.rows(current)?;
        let (label, pos) = self.downgrade_target(&rows, target)?;
        let roots = self.downgrade_roots(pos, label.as_deref(), target)?;
        let above = self.marks(&self.closure(&roots, Rel::Up));
        let active = self.marks(&self.closure(&rows, Rel::Down));
        let drop: Vec<bool> = above.iter().zip(&active).map(|(a, b)| *a && *b).collect();
        if let Pos::Rev(t) = pos {
            if !drop.contains(&true) && !rows.contains(&t) {
                return Err(GraphError::NotDowngradeTarget {
                    target: target.to_string(),
                });
            }
        }
        let order = self.topo_newest_first(drop, &rows);
        let mut table = VersionRows::new(self, &rows);
        order
            .into_iter()
            .map(|r| {
                table
                    .downgrade(r)
                    .map(|vc| self.step(r, Direction::Downgrade, vc))
            })
            .collect()
    }

    /// Plans taking down exactly `revision`, which must be one of the
    /// version-table rows `current` (nothing applied builds on it). `verify`
    /// uses it to step down one revision at a time, even at merge points and
    /// roots where a relative target would be ambiguous.
    pub fn downgrade_one_plan(
        &self,
        current: &[String],
        revision: &str,
    ) -> Result<Vec<Step>, GraphError> {
        let rows = self.rows(current)?;
        let r = self.rows(&[revision.to_string()])?[0];
        let mut table = VersionRows::new(self, &rows);
        let change = table.downgrade(r)?;
        Ok(vec![self.step(r, Direction::Downgrade, change)])
    }

    /// Computes the version-table change of `stamp`: the rows end up at
    /// `targets` (identifiers). Rows on a target's lineage (ancestors or
    /// descendants, dependencies included) are replaced by it; rows of
    /// unrelated branches stay; `base` removes rows. With `purge`, every
    /// existing row is deleted first (unknown rows are then allowed).
    pub fn stamp(
        &self,
        current: &[String],
        targets: &[String],
        purge: bool,
    ) -> Result<VersionChange, GraphError> {
        let rows = if purge {
            Vec::new()
        } else {
            self.rows(current)?
        };
        let filtered = self.stamp_lineage(&rows, targets)?;
        let mut dests: Vec<usize> = Vec::new();
        for t in targets {
            for d in self.revisions(t)? {
                if !dests.contains(&d) {
                    dests.push(d);
                }
            }
        }
        let mut heads = rows.clone();
        if dests.is_empty() {
            heads.retain(|h| !filtered.contains(h));
        }
        for &d in &dests {
            self.stamp_one(&mut heads, &filtered, d);
        }
        Ok(self.stamp_change(current, &rows, &heads, purge))
    }

    /// Rows sharing lineage (dependencies included) with any target; all rows
    /// for `base`.
    fn stamp_lineage(&self, rows: &[usize], targets: &[String]) -> Result<Vec<usize>, GraphError> {
        let mut filtered = Vec::new();
        for t in targets {
            let (label, _) = super::ident::split_label(t);
            let mut anchors = self.revisions(t)?;
            anchors.extend(self.branch_of(label)?);
            for &r in rows {
                let related = anchors.is_empty()
                    || anchors.iter().any(|&a| {
                        a == r || self.reaches(a, r, Rel::Down) || self.reaches(r, a, Rel::Down)
                    });
                if related && !filtered.contains(&r) {
                    filtered.push(r);
                }
            }
        }
        Ok(filtered)
    }

    /// Applies one stamp destination to the simulated rows (Alembic's
    /// `StampStep` through `HeadMaintainer`).
    fn stamp_one(&self, heads: &mut Vec<usize>, filtered: &[usize], d: usize) {
        if filtered.contains(&d) {
            return;
        }
        let above = self.marks(&self.closure(&[d], Rel::Up));
        let below = self.marks(&self.closure(&[d], Rel::Down));
        let present = |h: &Vec<usize>| filtered.iter().all(|f| h.contains(f));
        if filtered.iter().any(|&f| above[f]) {
            heads.retain(|h| !filtered.contains(h));
        } else if filtered.iter().any(|&f| below[f]) {
            // A second destination above rows already replaced becomes a
            // new row, as Alembic's "create branch" check does.
            if present(heads) {
                heads.retain(|h| !filtered.contains(h));
            }
        }
        if !heads.contains(&d) {
            heads.push(d);
        }
    }

    fn stamp_change(
        &self,
        current: &[String],
        rows: &[usize],
        heads: &[usize],
        purge: bool,
    ) -> VersionChange {
        let mut delete: Vec<String> = Vec::new();
        if purge {
            for c in current {
                if !delete.contains(c) {
                    delete.push(c.clone());
                }
            }
        } else {
            delete = rows
                .iter()
                .filter(|r| !heads.contains(r))
                .map(|&r| self.ids.get(r).to_string())
                .collect();
        }
        let insert = heads
            .iter()
            .filter(|h| purge || !rows.contains(h))
            .map(|&h| self.ids.get(h).to_string())
            .collect();
        VersionChange { delete, insert }
    }

    fn step(&self, r: usize, direction: Direction, version_change: VersionChange) -> Step {
        Step {
            revision: self.ids.get(r).to_string(),
            direction,
            version_change,
        }
    }

    /// Targets of an upgrade (Alembic's `_parse_upgrade_target`).
    pub(super) fn upgrade_targets(
        &self,
        rows: &[usize],
        target: &str,
    ) -> Result<Vec<usize>, GraphError> {
        let Some(rel) = parse_relative(target) else {
            return self.revisions(target);
        };
        let branch = self.branch_of(rel.label)?;
        let start = match (rel.symbol, rel.steps > 0) {
            (None, false) => return Err(too_far(target, rel.steps)),
            (None, true) => self.relative_start(rows, branch, target)?,
            (Some(sym), true) => self.position(sym)?,
            (Some(sym), false) => self.position(&with_label(rel.label, sym))?,
        };
        let walk_branch = if rel.steps > 0 { branch } else { None };
        match self.walk(start, rel.steps, walk_branch, target, false)? {
            Some(end) => Ok(pos_vec(end)),
            None => Err(too_far(target, rel.steps)),
        }
    }

    /// Where `+N` / `label@+N` starts: the single current revision (on the
    /// label's lineage), or the newest applied revision on that lineage, or
    /// base.
    fn relative_start(
        &self,
        rows: &[usize],
        branch: Option<usize>,
        ident: &str,
    ) -> Result<Pos, GraphError> {
        let starts: Vec<usize> = match branch {
            None => rows.to_vec(),
            Some(b) => self.rows_on_lineage(rows, b),
        };
        match starts.as_slice() {
            [] => Ok(Pos::Base),
            [one] => Ok(Pos::Rev(*one)),
            _ => Err(GraphError::AmbiguousCurrent {
                ident: ident.to_string(),
                current: self.owned_ids(&starts),
            }),
        }
    }

    /// Current rows on `b`'s lineage; failing that, the tips of the applied
    /// revisions on it (the branch has not been started past a branch point).
    fn rows_on_lineage(&self, rows: &[usize], b: usize) -> Vec<usize> {
        let direct: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&r| self.shares_lineage(r, b))
            .collect();
        if !direct.is_empty() {
            return direct;
        }
        let active: Vec<usize> = self
            .closure(rows, Rel::Down)
            .into_iter()
            .filter(|&a| self.shares_lineage(a, b))
            .collect();
        let below: HashSet<usize> = active
            .iter()
            .flat_map(|&a| self.down[a].iter().copied())
            .collect();
        active.into_iter().filter(|a| !below.contains(a)).collect()
    }

    /// Target of a downgrade and the branch label that restricts it (Alembic's
    /// `_parse_downgrade_target`).
    pub(super) fn downgrade_target(
        &self,
        rows: &[usize],
        target: &str,
    ) -> Result<(Option<String>, Pos), GraphError> {
        let Some(rel) = parse_relative(target) else {
            let (label, symbol) = match target.rsplit_once('@') {
                Some((l, s)) => (Some(l.to_string()), s),
                None => (None, target),
            };
            let pos = match symbol {
                "head" | "heads" => self.position(target)?,
                _ => self.position(symbol)?,
            };
            return Ok((label, pos));
        };
        if rel.steps >= 0 {
            let Some(sym) = rel.symbol else {
                return Err(too_far(target, rel.steps));
            };
            let branch = self.branch_of(rel.label)?;
            let end = self.walk(self.position(sym)?, rel.steps, branch, target, false)?;
            return Ok((
                rel.label.map(str::to_string),
                end.ok_or_else(|| too_far(target, rel.steps))?,
            ));
        }
        let (label, symbol) = match rel.symbol {
            Some(sym) => (rel.label.map(str::to_string), sym.to_string()),
            None => self.downgrade_symbol(rows, rel.label, target)?,
        };
        let start = self.position(&with_label(label.as_deref(), &symbol))?;
        match self.walk(start, rel.steps, None, target, false)? {
            Some(end) => Ok((label, end)),
            None => Err(too_far(target, rel.steps)),
        }
    }

    /// The revision `-N` / `label@-N` counts from: the current row (on the
    /// label's lineage). Several rows are refused as ambiguous.
    fn downgrade_symbol(
        &self,
        rows: &[usize],
        label: Option<&str>,
        target: &str,
    ) -> Result<(Option<String>, String), GraphError> {
        let candidates = match self.branch_of(label)? {
            Some(b) => self.rows_on_lineage(rows, b),
            None => rows.to_vec(),
        };
        match candidates.as_slice() {
            [] => Err(too_far(
                target,
                parse_relative(target).map_or(0, |r| r.steps),
            )),
            [one] => {
                let id = self.ids.get(*one).to_string();
                // Without a label Alembic restricts the walk to the branch of
                // the row it starts from.
                Ok((Some(label.map_or_else(|| id.clone(), str::to_string)), id))
            }
            _ => Err(GraphError::AmbiguousCurrent {
                ident: target.to_string(),
                current: self.owned_ids(&candidates),
            }),
        }
    }

    /// First revisions to take down: the target's children (every root for
    /// base), narrowed to the label's ancestry when there are several.
    fn downgrade_roots(
        &self,
        pos: Pos,
        label: Option<&str>,
        target: &str,
    ) -> Result<Vec<usize>, GraphError> {
        let mut roots: Vec<usize> = match pos {
            Pos::Base => (0..self.ids.len())
                .filter(|&i| self.parents[i].is_empty())
                .collect(),
            Pos::Rev(t) => self.children[t].to_vec(),
        };
        if let (Some(l), true) = (label, roots.len() > 1) {
            let b = self.branch_of(Some(l))?.into_iter().collect::<Vec<_>>();
            let below = self.marks(&self.closure(&b, Rel::Parents));
            roots.retain(|&r| below[r]);
            if roots.is_empty() {
                return Err(GraphError::NotDowngradeTarget {
                    target: target.to_string(),
                });
            }
        }
        Ok(roots)
    }

    /// Errors when one target is below another (Alembic's overlap check).
    fn check_overlap(&self, targets: &[usize]) -> Result<(), GraphError> {
        if targets.len() < 2 {
            return Ok(());
        }
        for &t in targets {
            let below = self.marks(&self.closure(&[t], Rel::Down));
            let others: Vec<usize> = targets
                .iter()
                .copied()
                .filter(|&o| o != t && below[o])
                .collect();
            if !others.is_empty() {
                return Err(GraphError::OverlappingTargets {
                    id: self.ids.get(t).to_string(),
                    others: self.owned_ids(&others),
                });
            }
        }
        Ok(())
    }

    /// Orders the marked revisions newest first the way Alembic's
    /// `_topological_sort` does: follow one head down its line until the
    /// next revision is still needed by an unvisited revision above it, then
    /// switch to the first head that leads to it.
    pub(super) fn topo_newest_first(&self, mut todo: Vec<bool>, heads: &[usize]) -> Vec<usize> {
        // How many unvisited marked revisions sit directly on top of each one.
        let mut blockers = vec![0u32; self.ids.len()];
        for (y, _) in todo.iter().enumerate().filter(|(_, t)| **t) {
            for &d in &self.down[y] {
                if todo[d] {
                    blockers[d] += 1;
                }
            }
        }
        let mut current: Vec<usize> = heads.iter().copied().filter(|&h| todo[h]).collect();
        current.sort_unstable();
        current.dedup();
        let mut in_heads = self.marks(&current);
        let mut out = Vec::new();
        let mut idx = 0;
        while let Some(&cand) = current.get(idx) {
            if blockers[cand] > 0 {
                let other = (0..current.len())
                    .find(|&j| j != idx && self.reaches_marked(current[j], cand, &todo));
                if let Some(j) = other {
                    idx = j;
                    continue;
                }
            }
            if std::mem::replace(&mut todo[cand], false) {
                out.push(cand);
                for &d in &self.down[cand] {
                    if todo[d] {
                        blockers[d] -= 1;
                    }
                }
            }
            in_heads[cand] = false;
            let add: Vec<usize> = self.down[cand]
                .iter()
                .copied()
                .filter(|&r| todo[r] && !in_heads[r])
                .collect();
            if let Some((&first, rest)) = add.split_first() {
                current[idx] = first;
                current.extend_from_slice(rest);
                for &a in &add {
                    in_heads[a] = true;
                }
            } else {
                current.remove(idx);
                idx = idx.saturating_sub(1);
            }
        }
        out
    }

    /// True when `to` is below `from` through marked revisions.
    fn reaches_marked(&self, from: usize, to: usize, marked: &[bool]) -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![from];
        while let Some(i) = stack.pop() {
            if i == to {
                return true;
            }
            if seen.insert(i) {
                stack.extend(self.down[i].iter().copied().filter(|&d| marked[d]));
            }
        }
        false
    }
}

fn with_label(label: Option<&str>, symbol: &str) -> String {
    match label {
        Some(l) => format!("{l}@{symbol}"),
        None => symbol.to_string(),
    }
}

/// The version table as a plan runs, updated step by step with Alembic's
/// `HeadMaintainer` rules.
struct VersionRows<'g> {
    graph: &'g RevisionGraph,
    /// Rows in insertion order.
    rows: Vec<usize>,
    /// Last ancestor set computed for "the other rows", reused while they
    /// stay the same (a long linear downgrade next to another branch).
    cache: Option<(Vec<usize>, Vec<bool>)>,
}

impl<'g> VersionRows<'g> {
    fn new(graph: &'g RevisionGraph, rows: &[usize]) -> Self {
        Self {
            graph,
            rows: rows.to_vec(),
            cache: None,
        }
    }

    /// Upgrading `r` replaces whichever of its parents and dependencies hold
    /// a row (none: a new row; one: an update; several: a merge).
    fn upgrade(&mut self, r: usize) -> Result<VersionChange, GraphError> {
        let delete: Vec<usize> = self.graph.down[r]
            .iter()
            .copied()
            .filter(|d| self.rows.contains(d))
            .collect();
        Ok(self.apply(&delete, &[r]))
    }

    /// Downgrading `r` removes its row and restores those of its parents and
    /// dependencies that no other row already implies (none: the row is
    /// deleted, e.g. below a root or next to a sibling branch).
    fn downgrade(&mut self, r: usize) -> Result<VersionChange, GraphError> {
        if !self.rows.contains(&r) {
            return Err(GraphError::NotInVersionTable {
                id: self.graph.ids.get(r).to_string(),
                direction: "downgrade",
                rows: self.graph.owned_ids(&self.rows),
            });
        }
        let restore = self.unmerge_to(r);
        Ok(self.apply(&[r], &restore))
    }

    fn unmerge_to(&mut self, r: usize) -> Vec<usize> {
        let down = &self.graph.down[r];
        let mut others: Vec<usize> = self.rows.iter().copied().filter(|&o| o != r).collect();
        if others.is_empty() {
            if down.len() < 2 {
                return down.to_vec();
            }
            // Keep only those not below another restored revision.
            return down
                .iter()
                .copied()
                .filter(|&d| {
                    !down
                        .iter()
                        .any(|&e| e != d && self.graph.reaches(e, d, Rel::Down))
                })
                .collect();
        }
        others.sort_unstable();
        let implied = self.implied_by(others);
        down.iter().copied().filter(|&d| !implied[d]).collect()
    }

    fn implied_by(&mut self, others: Vec<usize>) -> &Vec<bool> {
        if self.cache.as_ref().is_some_and(|(k, _)| *k != others) {
            self.cache = None;
        }
        let graph = self.graph;
        let (_, marks) = self.cache.get_or_insert_with(|| {
            let marks = graph.marks(&graph.closure(&others, Rel::Down));
            (others, marks)
        });
        marks
    }

    fn apply(&mut self, delete: &[usize], insert: &[usize]) -> VersionChange {
        self.rows.retain(|x| !delete.contains(x));
        for &i in insert {
            if !self.rows.contains(&i) {
                self.rows.push(i);
            }
        }
        VersionChange {
            delete: self.graph.owned_ids(delete),
            insert: self.graph.owned_ids(insert),
        }
    }
}
