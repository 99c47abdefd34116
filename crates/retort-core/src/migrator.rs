//! The API a service or the CLI uses against a live database: read the
//! current revisions, upgrade, downgrade, stamp, resolve.
//!
//! Every command that changes the database holds the migration lock for the
//! whole run (PostgreSQL: a session advisory lock, polled with a try-lock
//! outside any transaction; SQLite: the write lock of each transaction), and
//! reads the state again once it has the lock, so a runner that waited finds
//! the work done and succeeds. On engines whose lock is a lease
//! (CockroachDB, YugabyteDB) it is a row in `retort_lock`, renewed by a
//! heartbeat (docs/engines.md), and errors the engine says to retry
//! (`40001`) are retried a bounded number of times: the run plans again and
//! resumes where the failed attempt stopped, so no statement that
//! committed runs twice.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::code::{CodeMigration, CodeMigrations, CodeResult};
use crate::db_url::DatabaseUrl;
use crate::dialect::sql::{self, status, HistoryRow};
use crate::dialect::{self, Connection, DialectKind, Engine, LeaseSettings};
use crate::error::{ChangedRevision, Error, Result};
use crate::plan::{Direction, Step, VersionChange};
use crate::project::Project;
use crate::runner::{
    self, now_rfc3339, read_versions, AppliedStep, LiveSink, Progress, Resume, RunOptions,
    RunOutcome, ScriptSink, Sink, LOCK_POLL,
};

/// A step an earlier run left half-applied (a non-transactional revision
/// that failed or whose process died).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unfinished {
    /// The revision.
    pub revision: String,
    /// `upgrade` or `downgrade`.
    pub direction: String,
    /// `in_progress` (the process stopped) or `failed`.
    pub status: String,
    /// Statements that completed.
    pub statements_done: usize,
    /// Their hashes, comma-separated.
    pub statement_hashes: String,
    /// The error, when it failed.
    pub error: String,
}

/// A project bound to a live database connection.
pub struct Migrator {
    project: Project,
    conn: Box<dyn Connection>,
    lock_timeout: Option<Duration>,
    allow_changed: bool,
    /// Told of each step of `upgrade`/`downgrade` (see [`Self::set_progress`]).
    progress: Option<Box<crate::progress::ProgressFn>>,
    /// Code migrations registered by the service.
    code: CodeMigrations,
}

impl Migrator {
    /// Connects to `url` (relative SQLite paths resolve against the project
    /// root).
    pub fn connect(project: Project, url: &str) -> Result<Self> {
        let url = DatabaseUrl::parse(url, &project.config.root)?;
        Self::connect_url(project, &url)
    }

    /// Connects to an already parsed URL.
    pub fn connect_url(mut project: Project, url: &DatabaseUrl) -> Result<Self> {
        // `{{ tenant }}`: a fleet's tenant schema, else the database's name.
        if project.config.variables.tenant.is_none() {
            project.config.variables.tenant = url.database_name();
        }
        // The project's session settings, unless the URL carries its own.
        let url = if url.session().is_empty() {
            url.clone().with_session(project.config.session.clone())
        } else {
            url.clone()
        };
        let conn = dialect::connect(&url)?;
        Ok(Self::with_connection(project, conn))
    }

    /// Uses a connection the caller opened.
    pub fn with_connection(project: Project, conn: Box<dyn Connection>) -> Self {
        Self {
            project,
            conn,
            lock_timeout: None,
            allow_changed: false,
            progress: None,
            code: CodeMigrations::default(),
        }
    }

    /// Registers the Rust functions of the code migration whose header
    /// says `Code: NAME` (see [`crate::code`]). `downgrade` is needed only
    /// if a downgrade passes the revision.
    pub fn register_code<U, D>(&mut self, name: &str, upgrade: U, downgrade: Option<D>)
    where
        U: Fn(&mut dyn Connection) -> CodeResult + Send + Sync + 'static,
        D: Fn(&mut dyn Connection) -> CodeResult + Send + Sync + 'static,
    {
        let downgrade: Option<crate::code::CodeFn> = match downgrade {
            Some(d) => Some(std::sync::Arc::new(d)),
            None => None,
        };
        self.code.insert(
            name,
            CodeMigration {
                upgrade: std::sync::Arc::new(upgrade),
                downgrade,
            },
        );
    }

    /// Registers every code migration of `code` at once.
    pub fn set_code_migrations(&mut self, code: CodeMigrations) {
        self.code = code;
    }

    /// Bounds how long a run waits for another runner's lock (`None`:
    /// as long as it takes).
    pub fn set_lock_timeout(&mut self, timeout: Option<Duration>) {
        self.lock_timeout = timeout;
    }

    /// Accept edited applied revisions (recording their new checksums)
    /// instead of refusing to upgrade.
    pub fn set_allow_changed(&mut self, allow: bool) {
        self.allow_changed = allow;
    }

    /// Reports numbered steps (`[3/40]`) of every later `upgrade`,
    /// `downgrade` and `downgrade_revision` to `progress`, besides the
    /// callback each of those takes. See [`crate::progress`].
    pub fn set_progress(&mut self, progress: Box<crate::progress::ProgressFn>) {
        self.progress = Some(progress);
    }

    /// Gives the project back, closing the connection.
    pub fn into_project(self) -> Project {
        self.project
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The dialect of the connection.
    pub fn kind(&self) -> DialectKind {
        self.conn.kind()
    }

    /// The engine behind the connection, as detected at connect time.
    pub fn engine(&self) -> Engine {
        self.conn.engine()
    }

    /// The lease lock's holder right now, where the engine's lock is a
    /// lease (`None`: not a lease engine, or nobody holds it).
    pub fn lease_holder(&mut self) -> Result<Option<String>> {
        let settings = self.lease_settings();
        self.conn.configure_lease(&settings);
        self.conn
            .lease_holder()
            .map_err(|db| Error::db("reading the lock table", db))
    }

    /// Deletes the lease lock whoever holds it (`retort unlock --force`: a
    /// dead holder's lease, before it expires), returning who held it.
    pub fn break_lease(&mut self) -> Result<Option<String>> {
        let settings = self.lease_settings();
        self.conn.configure_lease(&settings);
        self.conn
            .break_lease()
            .map_err(|db| Error::db("deleting the lease", db))
    }

    /// Where the lease lock lives (`retort_lock` in the version table's
    /// schema) and its TTL (`RETORT_LEASE_TTL` seconds, else `[database]
    /// lease_ttl`).
    fn lease_settings(&self) -> LeaseSettings {
        let version_table = self.project.version_table();
        let ttl = std::env::var(LEASE_TTL_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(self.project.config.lease_ttl, Duration::from_secs_f64);
        LeaseSettings {
            table: sql::TableRef {
                schema: version_table.schema.clone(),
                name: LEASE_TABLE.to_string(),
            },
            name: version_table.qualified(),
            ttl,
        }
    }

    /// The connection, for callers that need to run their own queries.
    pub fn connection(&mut self) -> &mut dyn Connection {
        self.conn.as_mut()
    }

    /// The rows of the version table (empty when it does not exist yet).
    pub fn current(&mut self) -> Result<Vec<String>> {
        read_versions(self.conn.as_mut(), &self.project.version_table())
    }

    fn history_exists(&mut self) -> Result<bool> {
        let table = self.project.history_table();
        self.conn
            .table_exists(table.schema.as_deref(), &table.name)
            .map_err(|db| Error::db("looking for the history table", db))
    }

    /// Applied revisions (the current rows and everything below them) whose
    /// upgrade section differs from the checksum recorded when it ran.
    /// Revisions applied before the history table existed (a database taken
    /// over from Alembic) have no checksum and are not reported.
    pub fn changed_revisions(&mut self, current: &[String]) -> Result<Vec<ChangedRevision>> {
        if current.is_empty() || !self.history_exists()? {
            return Ok(Vec::new());
        }
        let rows = self
            .conn
            .query_rows(&sql::select_checksums(&self.project.history_table()))
            .map_err(|db| Error::db("reading the history table", db))?;
        let mut recorded: HashMap<String, String> = HashMap::with_capacity(rows.len());
        for row in rows {
            if let [Some(revision), Some(checksum)] = row.as_slice() {
                recorded.insert(revision.clone(), checksum.clone());
            }
        }
        let graph = self.project.graph();
        let mut applied: Vec<&str> = Vec::new();
        for row in current {
            applied.extend(graph.ancestors(row));
        }
        applied.sort_unstable();
        applied.dedup();
        let mut changed = Vec::new();
        for id in applied {
            let (Some(script), Some(then)) = (self.project.script(id), recorded.get(id)) else {
                continue;
            };
            if !script.matches_recorded(then)? {
                changed.push(ChangedRevision {
                    revision: id.to_string(),
                    path: script.path.clone(),
                    applied: then.clone(),
                    current: script.checksum.clone(),
                });
            }
        }
        Ok(changed)
    }

    /// Steps left half-applied by earlier runs.
    pub fn unfinished(&mut self) -> Result<Vec<Unfinished>> {
        if !self.history_exists()? {
            return Ok(Vec::new());
        }
        let rows = self
            .conn
            .query_rows(&sql::select_unfinished(&self.project.history_table()))
            .map_err(|db| Error::db("reading the history table", db))?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
                Unfinished {
                    revision: field(0),
                    direction: field(1),
                    status: field(2),
                    statements_done: field(3).parse().unwrap_or(0),
                    statement_hashes: field(4),
                    error: field(5),
                }
            })
            .collect())
    }

    /// The steps `upgrade target` would run.
    pub fn plan_upgrade(&mut self, target: &str) -> Result<Vec<Step>> {
        let current = self.current()?;
        self.project.check_current(&current)?;
        Ok(self.project.graph().upgrade_plan(&current, target)?)
    }

    /// The steps `downgrade target` would run.
    pub fn plan_downgrade(&mut self, target: &str) -> Result<Vec<Step>> {
        let current = self.current()?;
        self.project.check_current(&current)?;
        Ok(self.project.graph().downgrade_plan(&current, target)?)
    }

    /// Upgrades to `target` (`head`, a revision, `+2`, `label@head`…).
    pub fn upgrade(
        &mut self,
        target: &str,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Vec<AppliedStep>> {
        self.migrate(Direction::Upgrade, target, on_progress)
    }

    /// Downgrades to `target` (`-1`, `base`, a revision, `label@-1`…).
    pub fn downgrade(
        &mut self,
        target: &str,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Vec<AppliedStep>> {
        self.migrate(Direction::Downgrade, target, on_progress)
    }

    /// Takes down exactly `revision`, which must be a current revision
    /// (one of the version-table rows): its downgrade runs and the version
    /// table moves to its parents.
    pub fn downgrade_revision(
        &mut self,
        revision: &str,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Vec<AppliedStep>> {
        self.locked(on_progress, |m, on_progress| {
            m.migrate_locked(Goal::DowngradeOne, revision, on_progress)
        })
    }

    fn migrate(
        &mut self,
        direction: Direction,
        target: &str,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Vec<AppliedStep>> {
        let goal = match direction {
            Direction::Upgrade => Goal::Upgrade,
            Direction::Downgrade => Goal::Downgrade,
        };
        self.locked(on_progress, |m, on_progress| {
            m.migrate_locked(goal, target, on_progress)
        })
    }

    fn migrate_locked(
        &mut self,
        goal: Goal,
        target: &str,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Vec<AppliedStep>> {
        let mut all = Vec::new();
        let mut attempts = 0;
        let relative = goal != Goal::DowngradeOne && is_relative(target);
        let direction = match goal {
            Goal::Upgrade => Direction::Upgrade,
            Goal::Downgrade | Goal::DowngradeOne => Direction::Downgrade,
        };
        loop {
            let current = self.current()?;
            self.project.check_current(&current)?;
            let graph = self.project.graph();
            let steps = match goal {
                Goal::Upgrade => graph.upgrade_plan(&current, target)?,
                Goal::Downgrade => graph.downgrade_plan(&current, target)?,
                // Once taken down (by us or another runner), it is done.
                Goal::DowngradeOne if !current.iter().any(|c| c == target) => Vec::new(),
                Goal::DowngradeOne => graph.downgrade_one_plan(&current, target)?,
            };
            let resume = self.resume_for(steps.first())?;
            if direction == Direction::Upgrade {
                self.check_checksums(&current)?;
            }
            if steps.is_empty() {
                return Ok(all);
            }
            let options = RunOptions {
                transaction_per_migration: self.project.config.transaction_per_migration,
                create_tables: true,
                version_table: self.project.version_table(),
                history_table: self.project.history_table(),
                start: current,
                resume,
                code: self.code.clone(),
            };
            let mut sink = LiveSink::new(self.conn.as_mut(), self.lock_timeout);
            let total = all.len() + steps.len();
            let hook = self.progress.as_deref_mut();
            let on_progress =
                &mut crate::progress::numbered(&self.project, hook, all.len(), total, on_progress);
            let caps = sink.capabilities();
            let outcome = runner::run(&self.project, &mut sink, &steps, &options, on_progress);
            let outcome = match outcome {
                Err(e)
                    if !relative && attempts < runner::RETRY_ATTEMPTS && is_retryable(&e, caps) =>
                {
                    // Nothing of the failed statement committed: plan again
                    // and resume where this attempt stopped.
                    attempts += 1;
                    std::thread::sleep(runner::retry_backoff(attempts));
                    continue;
                }
                outcome => outcome?,
            };
            match outcome {
                RunOutcome::Done(applied) => {
                    all.extend(applied);
                    return Ok(all);
                }
                // Another runner moved the version table: plan again. A
                // relative target (`+1`, `label@-1`) meant "from where the
                // database was", which no longer holds: stop and say so.
                RunOutcome::Stale(applied) if relative => {
                    return Err(Error::Interrupted(format!(
                        "another runner changed the database during this run ({} step(s) of this run were applied); '{target}' is relative, so check `retort current` and run again",
                        applied.len()
                    )));
                }
                RunOutcome::Stale(applied) => all.extend(applied),
            }
        }
    }

    /// A half-applied step blocks everything, unless the plan starts by
    /// finishing it (the user fixed the file and reran).
    fn resume_for(&mut self, first: Option<&Step>) -> Result<Option<Resume>> {
        let Some(stuck) = self.unfinished()?.into_iter().next() else {
            return Ok(None);
        };
        let direction = |d: Direction| match d {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        };
        match first {
            Some(step)
                if step.revision == stuck.revision
                    && direction(step.direction) == stuck.direction =>
            {
                Ok(Some(Resume {
                    revision: stuck.revision,
                    done: stuck.statements_done,
                    hashes: stuck.statement_hashes,
                }))
            }
            _ => Err(Error::HalfApplied {
                path: self
                    .project
                    .script(&stuck.revision)
                    .map(|s| s.path.clone())
                    .unwrap_or_default(),
                revision: stuck.revision,
                direction: stuck.direction,
                done: stuck.statements_done,
                last_error: stuck.error,
            }),
        }
    }

    fn check_checksums(&mut self, current: &[String]) -> Result<()> {
        let changed = self.changed_revisions(current)?;
        if changed.is_empty() {
            return Ok(());
        }
        if !self.allow_changed {
            return Err(Error::Changed { changed });
        }
        // Accepted: the new checksums become the reference, with a record.
        let d = self.conn.dialect();
        let table = self.project.history_table();
        let user = self.conn.user();
        let started_at = now_rfc3339();
        let mut statements = Vec::new();
        for c in &changed {
            statements.push(sql::insert_history(
                d,
                &table,
                &HistoryRow {
                    revision: &c.revision,
                    direction: "upgrade",
                    status: status::ACCEPTED,
                    checksum: Some(&c.current),
                    started_at: &started_at,
                    duration_ms: None,
                    applied_by: user.as_deref(),
                },
            ));
        }
        self.transaction(&statements, "recording accepted checksums", &mut |_| {})
    }

    /// Moves the version table to `targets` without running migrations.
    pub fn stamp(
        &mut self,
        targets: &[String],
        purge: bool,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<VersionChange> {
        self.locked(on_progress, |m, on_progress| {
            m.stamp_locked(targets, purge, on_progress)
        })
    }

    fn stamp_locked(
        &mut self,
        targets: &[String],
        purge: bool,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<VersionChange> {
        let current = self.current()?;
        if !purge {
            self.project.check_current(&current)?;
        }
        let change = self.project.graph().stamp(&current, targets, purge)?;
        let d = self.conn.dialect();
        let table = self.project.version_table();
        let history = self.project.history_table();
        let user = self.conn.user();
        let started_at = now_rfc3339();
        let mut statements = vec![
            sql::create_version_table(d, &table),
            sql::create_history_table(d, &history),
        ];
        statements.extend(sql::version_change(&table, &change));
        for id in &change.insert {
            statements.push(sql::insert_history(
                d,
                &history,
                &HistoryRow {
                    revision: id,
                    direction: "stamp",
                    status: status::APPLIED,
                    checksum: self.project.script(id).map(|s| s.checksum.as_str()),
                    started_at: &started_at,
                    duration_ms: Some(0),
                    applied_by: user.as_deref(),
                },
            ));
        }
        self.transaction(&statements, "stamping the version table", on_progress)?;
        Ok(change)
    }

    /// Settles a half-applied non-transactional step by hand: `applied`
    /// records it as done (the version table moves past it), otherwise it is
    /// recorded as rolled back (the version table stays).
    pub fn resolve(&mut self, revision: &str, applied: bool) -> Result<Unfinished> {
        self.locked(&mut |_| {}, |m, _| m.resolve_locked(revision, applied))
    }

    fn resolve_locked(&mut self, revision: &str, applied: bool) -> Result<Unfinished> {
        let ids = self.project.graph().resolve(revision, &[])?;
        let id = ids.first().cloned().unwrap_or_default();
        let stuck = self
            .unfinished()?
            .into_iter()
            .find(|u| u.revision == id)
            .ok_or_else(|| {
                Error::Usage(format!("revision {id} has no half-applied step to resolve"))
            })?;
        let current = self.current()?;
        let mut statements = Vec::new();
        if applied {
            let graph = self.project.graph();
            let steps = if stuck.direction == "upgrade" {
                graph.upgrade_plan(&current, &id)?
            } else {
                let parents = self.project.require_script(&id)?.parents.clone();
                let target = parents.first().cloned().unwrap_or_else(|| "base".into());
                graph.downgrade_plan(&current, &target)?
            };
            let step = steps.iter().find(|s| s.revision == id).ok_or_else(|| {
                Error::Usage(format!("revision {id} is not the next step from the current revisions; resolve the steps before it first"))
            })?;
            statements.extend(sql::version_change(
                &self.project.version_table(),
                &step.version_change,
            ));
        }
        let verdict = if applied {
            "resolved as applied"
        } else {
            "resolved as rolled back"
        };
        let table = self.project.history_table();
        statements.push(sql::close_progress(&table, &id, status::RESOLVED, None));
        statements.push(format!(
            "UPDATE {} SET error = {} WHERE id = (SELECT max(id) FROM {} WHERE revision = {} AND status = '{}')",
            table.qualified(),
            sql::literal(verdict),
            table.qualified(),
            sql::literal(&id),
            status::RESOLVED
        ));
        self.transaction(&statements, "resolving the half-applied step", &mut |_| {})?;
        Ok(stuck)
    }

    /// Runs `work` holding the migration lock, releasing it however `work` ends.
    fn locked<T>(
        &mut self,
        on_progress: &mut dyn FnMut(Progress<'_>),
        work: impl FnOnce(&mut Self, &mut dyn FnMut(Progress<'_>)) -> Result<T>,
    ) -> Result<T> {
        let key = self.lock(on_progress)?;
        let result = self
            .conn
            .set_lock_wait_timeout(self.project.config.lock_wait_timeout)
            .map_err(|db| Error::db("setting lock_wait_timeout", db))
            .and_then(|()| work(self, on_progress));
        let released = self.unlock(key);
        match (result, released) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(db)) => Err(Error::db("releasing the migration lock", db)),
            (Err(e), _) => Err(e),
        }
    }

    /// Takes the run-long lock, polling with a try-lock (never blocking
    /// inside the database) and saying once that it waits.
    fn lock(&mut self, on_progress: &mut dyn FnMut(Progress<'_>)) -> Result<i64> {
        let key = sql::lock_key(&self.project.version_table());
        let settings = self.lease_settings();
        self.conn.configure_lease(&settings);
        let started = Instant::now();
        let mut announced = false;
        loop {
            if self
                .conn
                .try_lock_session(key)
                .map_err(|db| Error::db("taking the migration lock", db))?
            {
                return Ok(key);
            }
            if !announced {
                let holder = self.conn.lock_holder(key);
                on_progress(Progress::Waiting { holder });
                announced = true;
            }
            if self.lock_timeout.is_some_and(|t| started.elapsed() >= t) {
                return Err(Error::LockTimeout {
                    waited: started.elapsed(),
                    holder: self.conn.lock_holder(key),
                });
            }
            std::thread::sleep(LOCK_POLL);
        }
    }

    /// Releases the run lock; checked, though the lock also dies with the
    /// session.
    fn unlock(&mut self, key: i64) -> std::result::Result<(), crate::error::DbError> {
        self.conn.unlock_session(key)
    }

    /// Runs `statements` in one transaction that holds the write lock.
    fn transaction(
        &mut self,
        statements: &[String],
        action: &str,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<()> {
        let d = self.conn.dialect();
        let mut sink = LiveSink::new(self.conn.as_mut(), self.lock_timeout);
        sink.begin(on_progress)?;
        for statement in statements {
            if let Err(db) = self.conn.execute(statement) {
                let _ = self.conn.execute(sql::rollback(d));
                return Err(Error::db(action, db));
            }
        }
        self.conn
            .execute(sql::commit(d))
            .map_err(|db| Error::db(action, db))
    }
}

/// Whether an identifier is relative to the current state (`+1`, `-2`,
/// `label@-1`, `rev+2`).
/// What a run is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goal {
    Upgrade,
    Downgrade,
    /// Take down exactly one current revision (`verify`'s stairway).
    DowngradeOne,
}

/// The lease lock's table, in the version table's schema.
pub const LEASE_TABLE: &str = "retort_lock";

/// The environment variable that overrides `[database] lease_ttl`
/// (seconds, fractions allowed).
pub const LEASE_TTL_ENV: &str = "RETORT_LEASE_TTL";

/// Whether `e` comes from a database error the engine says to retry
/// (a statement rolled back, or a bookkeeping write that did not commit).
fn is_retryable(e: &Error, caps: &dialect::Capabilities) -> bool {
    match e {
        Error::Statement(s) => caps.is_retryable(&s.db),
        Error::Database { db, .. } => caps.is_retryable(db),
        Error::Unfinished { cause, .. } => is_retryable(cause, caps),
        _ => false,
    }
}

fn is_relative(target: &str) -> bool {
    target.starts_with(['+', '-'])
        || target.contains("@+")
        || target.contains("@-")
        || target.rsplit_once(['+', '-']).is_some_and(|(rev, n)| {
            !rev.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
        })
}

/// Offline mode: the SQL script that running `steps` from `start` would
/// send, version-table and history statements and transaction boundaries
/// included.
pub fn offline_script(
    project: &Project,
    kind: DialectKind,
    steps: &[Step],
    start: &[String],
    create_tables: bool,
) -> Result<String> {
    let options = RunOptions {
        transaction_per_migration: project.config.transaction_per_migration,
        create_tables,
        version_table: project.version_table(),
        history_table: project.history_table(),
        start: start.to_vec(),
        resume: None,
        code: CodeMigrations::default(),
    };
    let mut sink = ScriptSink::new(crate::dialect::of(kind));
    if !project.config.session.is_empty() {
        sink.comment("Session settings ([database] session in retort.toml)");
        for statement in &project.config.session {
            sink.run(statement)
                .map_err(|db| Error::db("writing the script", db))?;
        }
    }
    runner::run(project, &mut sink, steps, &options, &mut |_| {})?;
    Ok(sink.script)
}

/// Applies a project's migrations at start-up: loads the project whose
/// `retort.toml` is in `project_dir` (or its parents), connects to `url`, and
/// upgrades to `target` (usually `"head"`), with the same locking and
/// checksum checks as the CLI.
pub fn upgrade(project_dir: &Path, url: &str, target: &str) -> Result<Vec<AppliedStep>> {
    let project = Project::discover(project_dir)?;
    let mut migrator = Migrator::connect(project, url)?;
    migrator.upgrade(target, &mut |_| {})
}

/// Takes a project's database down to `target` (`"-1"`, `"base"`, a
/// revision), like [`upgrade`]: loads the project whose `retort.toml` is in
/// `project_dir` (or its parents) and connects to `url`.
pub fn downgrade(project_dir: &Path, url: &str, target: &str) -> Result<Vec<AppliedStep>> {
    let project = Project::discover(project_dir)?;
    let mut migrator = Migrator::connect(project, url)?;
    migrator.downgrade(target, &mut |_| {})
}
