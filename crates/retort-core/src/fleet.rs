//! Many databases migrated together: the same project upgraded on a list
//! of targets, `parallel` at a time, each with every single-database
//! guarantee (its own run lock, its own history), and one outcome per
//! target. A rerun after failures continues where each target stands,
//! since each upgrade starts from the target's own version table.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::db_url::DatabaseUrl;
use crate::error::{Error, Result};
use crate::migrator::Migrator;
use crate::project::Project;

/// One target of a fleet: a database, or (schema per tenant, PostgreSQL) a
/// schema in one, with its own version and history tables in that schema.
#[derive(Debug, Clone)]
pub struct Target {
    /// The database.
    pub url: DatabaseUrl,
    /// The tenant's schema; `None` for the whole database.
    pub schema: Option<String>,
}

impl Target {
    /// A whole database.
    pub fn database(url: DatabaseUrl) -> Self {
        Self { url, schema: None }
    }

    /// The schema `schema` of the PostgreSQL database at `url`.
    pub fn schema(url: DatabaseUrl, schema: impl Into<String>) -> Self {
        Self {
            url,
            schema: Some(schema.into()),
        }
    }

    /// How outcomes name it: the masked URL, and the schema.
    pub fn label(&self) -> String {
        match &self.schema {
            Some(s) => format!("{} schema {s}", self.url.masked()),
            None => self.url.masked(),
        }
    }

    /// A migrator on this target, for work done through [`each`]: for a
    /// schema, the version and history tables are the schema's and the
    /// session's `search_path` is set to it.
    pub fn connect(&self, project: &Project) -> Result<Migrator> {
        self.migrator(project)
    }

    /// A migrator on this target: for a schema, the project's version and
    /// history tables move into it and the session's `search_path` is set
    /// to it (after the project's own session statements).
    fn migrator(&self, project: &Project) -> Result<Migrator> {
        let Some(schema) = &self.schema else {
            return Migrator::connect_url(project.clone(), &self.url);
        };
        let Some(use_schema) = crate::dialect::of(self.url.kind).use_schema_sql(schema) else {
            return Err(Error::Usage(format!(
                "schema per tenant is for PostgreSQL, whose sessions switch schema; {} is not (on MariaDB/MySQL a schema is a database: give one URL each)",
                self.url.masked()
            )));
        };
        let mut project = project.clone();
        project.config.version_table_schema = Some(schema.clone());
        project.config.variables.tenant = Some(schema.clone());
        let mut session = if self.url.session().is_empty() {
            project.config.session.clone()
        } else {
            self.url.session().to_vec()
        };
        session.push(use_schema);
        let url = self.url.clone().with_session(session);
        Migrator::connect_url(project, &url)
    }
}

/// What to do when a target fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Start no further target (those already running finish).
    Stop,
    /// Go on with the other targets.
    Continue,
}

/// How a fleet operation runs.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// How many targets run at once (at least 1).
    pub parallel: usize,
    /// What a failure does to the rest of the fleet.
    pub on_error: OnError,
    /// How long each target waits for another runner's lock.
    pub lock_timeout: Option<Duration>,
    /// Upgrade these many targets first (the canaries); if any of them
    /// fails, start no other. 0: no canary.
    pub canary: usize,
    /// At most this many targets of one server (same host and port) run
    /// at once. `None`: the engine's default — unbounded, except on
    /// YugabyteDB (1 per cluster), found by one connection to each server
    /// before its first target starts.
    pub per_server: Option<usize>,
}

impl Default for FleetOptions {
    fn default() -> Self {
        Self {
            parallel: 1,
            on_error: OnError::Stop,
            lock_timeout: None,
            canary: 0,
            per_server: None,
        }
    }
}

/// What happened on one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetOutcome {
    /// The target's URL, password masked.
    pub target: String,
    /// The revisions applied (or reverted) there, in order.
    pub applied: Vec<String>,
    /// Its version-table rows afterwards (as far as known).
    pub current: Vec<String>,
    /// Why it failed; `None` when it did not.
    pub error: Option<String>,
    /// Not started, because an earlier failure (or a failed canary) stopped
    /// the roll-out.
    pub skipped: bool,
    /// How long it took, in milliseconds.
    pub millis: u64,
    /// What `check` or `verify --database-only` found different there
    /// (schema changes, edited revisions); empty when it matches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<String>,
}

impl TargetOutcome {
    /// True when the target failed.
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// True when `check` or `verify` found it different.
    pub fn differs(&self) -> bool {
        !self.differences.is_empty()
    }
}

/// Upgrades every target to `target_rev`. `on_done` is called as each
/// target finishes (from the worker thread). Outcomes come back in the
/// order of `targets`.
pub fn upgrade(
    project: &Project,
    targets: &[Target],
    target_rev: &str,
    options: &FleetOptions,
    on_done: &(dyn Fn(&TargetOutcome) + Sync),
) -> Vec<TargetOutcome> {
    let work = |target: &Target| {
        let mut m = target.migrator(project)?;
        m.set_lock_timeout(options.lock_timeout);
        let applied = m.upgrade(target_rev, &mut |_| {})?;
        Ok(Found::ran(
            applied.into_iter().map(|s| s.revision).collect(),
            m.current()?,
        ))
    };
    with_canaries(targets, options, on_done, &work)
}

/// [`run`], the canaries first: if one of them fails, the others are
/// skipped.
fn with_canaries(
    targets: &[Target],
    options: &FleetOptions,
    on_done: &(dyn Fn(&TargetOutcome) + Sync),
    work: &Work<'_>,
) -> Vec<TargetOutcome> {
    let canaries = options.canary.min(targets.len());
    if canaries == 0 {
        return run(targets, options, on_done, work);
    }
    let (first, rest) = targets.split_at(canaries);
    let mut outcomes = run(first, options, on_done, work);
    if outcomes.iter().any(TargetOutcome::failed) {
        for url in rest {
            let outcome = skipped(url);
            on_done(&outcome);
            outcomes.push(outcome);
        }
    } else {
        outcomes.extend(run(rest, options, on_done, work));
    }
    outcomes
}

/// Downgrades every target to `target_rev` (`-1`, `base`, a revision…),
/// as [`upgrade`] does the other way.
pub fn downgrade(
    project: &Project,
    targets: &[Target],
    target_rev: &str,
    options: &FleetOptions,
    on_done: &(dyn Fn(&TargetOutcome) + Sync),
) -> Vec<TargetOutcome> {
    with_canaries(targets, options, on_done, &|target: &Target| {
        let mut m = target.migrator(project)?;
        m.set_lock_timeout(options.lock_timeout);
        let reverted = m.downgrade(target_rev, &mut |_| {})?;
        Ok(Found::ran(
            reverted.into_iter().map(|s| s.revision).collect(),
            m.current()?,
        ))
    })
}

/// The version-table rows of every target.
pub fn current(
    project: &Project,
    targets: &[Target],
    options: &FleetOptions,
    on_done: &(dyn Fn(&TargetOutcome) + Sync),
) -> Vec<TargetOutcome> {
    run(targets, options, on_done, &|target: &Target| {
        let mut m = target.migrator(project)?;
        Ok(Found::ran(Vec::new(), m.current()?))
    })
}

/// One target's work: what it ran, where the target is, what differs.
type Work<'a> = dyn Fn(&Target) -> crate::Result<Found> + Sync + 'a;

/// Runs `work` on every target, `parallel` at a time.
fn run(
    targets: &[Target],
    options: &FleetOptions,
    on_done: &(dyn Fn(&TargetOutcome) + Sync),
    work: &Work<'_>,
) -> Vec<TargetOutcome> {
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let outcomes: Mutex<Vec<Option<TargetOutcome>>> = Mutex::new(vec![None; targets.len()]);
    let workers = options.parallel.clamp(1, targets.len().max(1));
    // One worker runs one target at a time anyway: no server needs its
    // engine's bound probed (a connection saved per server).
    let per_server = if workers == 1 {
        Some(1)
    } else {
        options.per_server
    };
    let gate = servers::Gate::new(per_server);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(url) = targets.get(i) else { break };
                let outcome = if stopped.load(Ordering::SeqCst) {
                    skipped(url)
                } else {
                    let _slot = gate.enter(&url.url);
                    one(url, work)
                };
                if outcome.failed() && options.on_error == OnError::Stop {
                    stopped.store(true, Ordering::SeqCst);
                }
                on_done(&outcome);
                if let Ok(mut all) = outcomes.lock() {
                    all[i] = Some(outcome);
                }
            });
        }
    });
    let all = outcomes.into_inner().unwrap_or_else(|p| p.into_inner());
    all.into_iter()
        .zip(targets)
        .map(|(o, url)| o.unwrap_or_else(|| skipped(url)))
        .collect()
}

fn one(url: &Target, work: &Work<'_>) -> TargetOutcome {
    let started = Instant::now();
    let (found, error) = match work(url) {
        Ok(found) => (found, None),
        Err(e) => (Found::default(), Some(e.to_string())),
    };
    TargetOutcome {
        target: url.label(),
        applied: found.applied,
        current: found.current,
        error,
        skipped: false,
        millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        differences: found.differences,
    }
}

fn skipped(url: &Target) -> TargetOutcome {
    TargetOutcome {
        target: url.label(),
        applied: Vec::new(),
        current: Vec::new(),
        error: None,
        skipped: true,
        millis: 0,
        differences: Vec::new(),
    }
}

/// The per-server bound on targets running at once.
mod servers {
    use std::collections::HashMap;
    use std::sync::{Condvar, Mutex};

    use crate::db_url::DatabaseUrl;

    /// What is known of one server's bound.
    #[derive(Clone, Copy)]
    enum Bound {
        /// A worker is connecting to find the engine's default.
        Probing,
        /// Known: `None` unbounded.
        Known(Option<usize>),
    }

    /// Hands out slots, at most the bound per server at once. Without a
    /// bound set, the first worker to reach a server connects once to
    /// learn its engine's default (YugabyteDB: 1), the others waiting
    /// meanwhile; a server that cannot be reached is unbounded (its
    /// targets report the error themselves).
    pub(super) struct Gate {
        fixed: Option<usize>,
        state: Mutex<HashMap<String, (Bound, usize)>>,
        freed: Condvar,
    }

    /// A slot held on a server, given back when dropped.
    pub(super) struct Slot<'g> {
        gate: &'g Gate,
        server: String,
    }

    impl Drop for Slot<'_> {
        fn drop(&mut self) {
            if let Ok(mut state) = self.gate.state.lock() {
                if let Some((_, in_use)) = state.get_mut(&self.server) {
                    *in_use = in_use.saturating_sub(1);
                }
            }
            self.gate.freed.notify_all();
        }
    }

    impl Gate {
        pub(super) fn new(fixed: Option<usize>) -> Self {
            Self {
                fixed: fixed.map(|n| n.max(1)),
                state: Mutex::new(HashMap::new()),
                freed: Condvar::new(),
            }
        }

        /// Waits for a slot on `url`'s server.
        pub(super) fn enter(&self, url: &DatabaseUrl) -> Slot<'_> {
            let server = server_of(url);
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                let entry = state.entry(server.clone()).or_insert_with(|| {
                    (
                        match self.fixed {
                            Some(n) => Bound::Known(Some(n)),
                            None if url.kind.dialect().capabilities().embedded => {
                                Bound::Known(None)
                            }
                            None => Bound::Probing,
                        },
                        usize::MAX,
                    )
                });
                match *entry {
                    // This worker probes (the entry was just made).
                    (Bound::Probing, usize::MAX) => {
                        entry.1 = 0;
                        drop(state);
                        let bound = probe(url);
                        state = self.state.lock().unwrap_or_else(|p| p.into_inner());
                        if let Some(e) = state.get_mut(&server) {
                            *e = (Bound::Known(bound), e.1 + 1);
                        }
                        self.freed.notify_all();
                        return Slot { gate: self, server };
                    }
                    (Bound::Known(bound), in_use)
                        if in_use == usize::MAX || bound.is_none_or(|b| in_use < b) =>
                    {
                        entry.1 = if in_use == usize::MAX { 1 } else { in_use + 1 };
                        return Slot { gate: self, server };
                    }
                    _ => {
                        state = self.freed.wait(state).unwrap_or_else(|p| p.into_inner());
                    }
                }
            }
        }
    }

    /// The engine's default bound, from one connection.
    fn probe(url: &DatabaseUrl) -> Option<usize> {
        crate::dialect::connect(url)
            .ok()
            .and_then(|conn| conn.capabilities().fleet_per_server)
    }

    /// `host:port` of a server URL (the whole URL for a file).
    fn server_of(url: &DatabaseUrl) -> String {
        let text = url.as_str();
        let Some((scheme, rest)) = text.split_once("://") else {
            return text.to_string();
        };
        let authority = rest.split(['/', '?']).next().unwrap_or(rest);
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if host.is_empty() {
            // A socket or the default host: the URL's query names it.
            return text.to_string();
        }
        format!("{scheme}://{host}")
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn targets_share_a_server_by_host_and_port() {
            let base = std::path::Path::new("/");
            let a = DatabaseUrl::parse("postgresql://u:p@db1:5433/a", base).unwrap();
            let b = DatabaseUrl::parse("postgresql://v@db1:5433/b?sslmode=disable", base).unwrap();
            let c = DatabaseUrl::parse("postgresql://u@db2:5433/a", base).unwrap();
            assert_eq!(server_of(&a), server_of(&b));
            assert_ne!(server_of(&a), server_of(&c));
        }

        #[test]
        fn a_fixed_bound_holds_back_the_next_target() {
            let base = std::path::Path::new("/");
            let url = DatabaseUrl::parse("postgresql://u@db1:5433/a", base).unwrap();
            let gate = Gate::new(Some(1));
            let first = gate.enter(&url);
            let state = gate.state.lock().unwrap();
            assert!(matches!(
                state.get(&server_of(&url)),
                Some((Bound::Known(Some(1)), 1))
            ));
            drop(state);
            drop(first);
            let _second = gate.enter(&url);
        }
    }
}

/// Stamps every target with `revs` (as `retort stamp`: the version table
/// moves, nothing runs). `applied` lists the rows each target gained.
pub fn stamp(
    project: &Project,
    targets: &[Target],
    revs: &[String],
    purge: bool,
    options: &FleetOptions,
    on_done: &(dyn Fn(&TargetOutcome) + Sync),
) -> Vec<TargetOutcome> {
    with_canaries(targets, options, on_done, &|target: &Target| {
        let mut m = target.migrator(project)?;
        m.set_lock_timeout(options.lock_timeout);
        let change = m.stamp(revs, purge, &mut |_| {})?;
        Ok(Found::ran(change.insert, m.current()?))
    })
}

/// The applied revisions of every target that were edited since they ran
/// (`verify --database-only`): one difference per edited revision.
pub fn changed_revisions(
    project: &Project,
    targets: &[Target],
    options: &FleetOptions,
    on_done: &(dyn Fn(&TargetOutcome) + Sync),
) -> Vec<TargetOutcome> {
    each(targets, options, on_done, &|target: &Target| {
        let mut m = target.migrator(project)?;
        let current = m.current()?;
        project.check_current(&current)?;
        let differences = m
            .changed_revisions(&current)?
            .iter()
            .map(|c| {
                format!(
                    "{} was edited after it was applied ({})",
                    c.revision,
                    c.path.display()
                )
            })
            .collect();
        Ok(Found {
            current,
            differences,
            ..Found::default()
        })
    })
}

/// What the work on one target found: for [`each`], where it is and what
/// differs; for the operations that change targets, what ran too.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// The revisions applied (or reverted) there, in order.
    pub applied: Vec<String>,
    /// Its version-table rows.
    pub current: Vec<String>,
    /// What differs from what it should be; empty when nothing does.
    pub differences: Vec<String>,
}

impl Found {
    /// A target where `applied` ran and that is now at `current`.
    fn ran(applied: Vec<String>, current: Vec<String>) -> Self {
        Self {
            applied,
            current,
            differences: Vec::new(),
        }
    }
}

/// Runs a read-only `work` on every target, as the other fleet operations
/// do (`parallel` at a time, `on_error`); each outcome carries what `work`
/// found in [`TargetOutcome::differences`].
pub fn each(
    targets: &[Target],
    options: &FleetOptions,
    on_done: &(dyn Fn(&TargetOutcome) + Sync),
    work: &(dyn Fn(&Target) -> Result<Found> + Sync),
) -> Vec<TargetOutcome> {
    run(targets, options, on_done, work)
}
