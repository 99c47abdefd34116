//! The migrator for async services (tokio): every database call runs on
//! tokio's blocking pool, never on the runtime's worker threads.
//!
//! Each operation opens its own connection (one dedicated session, never a
//! connection from the service's pool), takes the run lock on it, and
//! closes it before the future resolves — after success, after an error,
//! and after a panic (of retort, or of a progress callback) alike. Closing
//! the session is what releases a PostgreSQL advisory lock or a MySQL named
//! lock, so a failed upgrade can never leave the next one waiting.
//!
//! ```no_run
//! # async fn start(project: retort::Project) -> retort::Result<()> {
//! let migrator = retort::nonblocking::AsyncMigrator::new(project, "postgresql://app@db/app")?;
//! let applied = migrator.upgrade("head").await?;
//! println!("{} revisions applied", applied.len());
//! # Ok(())
//! # }
//! ```
//!
//! A future that is dropped before it resolves (a timeout) does not stop
//! the work already handed to the blocking pool: the operation runs to its
//! end (or its error) and then closes its connection.

use std::time::Duration;

use crate::code::CodeMigrations;
use crate::db_url::DatabaseUrl;
use crate::error::{ChangedRevision, Error, Result};
use crate::migrator::Migrator;
use crate::plan::Direction;
use crate::project::Project;
use crate::runner::{AppliedStep, Progress};

/// Upgrades, downgrades and reads the state of one database from async
/// code. Cheap to clone; holds no connection between operations.
#[derive(Debug, Clone)]
pub struct AsyncMigrator {
    project: Project,
    url: DatabaseUrl,
    lock_timeout: Option<Duration>,
    allow_changed: bool,
    code: CodeMigrations,
}

/// What a progress callback sees: [`Progress`] as owned data, so that it
/// can be sent to another task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AsyncProgress {
    /// Another runner holds the lock; this one waits.
    Waiting {
        /// Who holds it, when the database can say.
        holder: Option<String>,
    },
    /// A step is about to run.
    Started {
        /// The revision.
        revision: String,
        /// Which section runs.
        direction: Direction,
    },
    /// A half-applied non-transactional step resumes after `done`
    /// statements.
    Resuming {
        /// The revision.
        revision: String,
        /// Statements already run.
        done: usize,
    },
    /// A step finished and its version-table change is committed.
    Finished {
        /// The revision.
        revision: String,
        /// Which section ran.
        direction: Direction,
        /// How long it took.
        elapsed: Duration,
    },
}

impl AsyncMigrator {
    /// A migrator for `url` (relative SQLite paths resolve against the
    /// project root). Nothing connects until an operation runs.
    pub fn new(project: Project, url: &str) -> Result<Self> {
        let url = DatabaseUrl::parse(url, &project.config.root)?;
        Ok(Self {
            project,
            url,
            lock_timeout: None,
            allow_changed: false,
            code: CodeMigrations::default(),
        })
    }

    /// Bounds how long an operation waits for another runner's lock.
    pub fn set_lock_timeout(&mut self, timeout: Option<Duration>) {
        self.lock_timeout = timeout;
    }

    /// Accept edited applied revisions (see [`Migrator::set_allow_changed`]).
    pub fn set_allow_changed(&mut self, allow: bool) {
        self.allow_changed = allow;
    }

    /// The code migrations to run (see [`crate::code`]).
    pub fn set_code_migrations(&mut self, code: CodeMigrations) {
        self.code = code;
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Upgrades to `target`.
    pub async fn upgrade(&self, target: &str) -> Result<Vec<AppliedStep>> {
        self.upgrade_with_progress(target, |_| {}).await
    }

    /// Upgrades to `target`, calling `progress` (on the blocking thread) as
    /// steps start and finish.
    pub async fn upgrade_with_progress(
        &self,
        target: &str,
        progress: impl FnMut(AsyncProgress) + Send + 'static,
    ) -> Result<Vec<AppliedStep>> {
        let target = target.to_string();
        self.run(move |m| m.upgrade(&target, &mut forward(progress)))
            .await
    }

    /// Downgrades to `target`.
    pub async fn downgrade(&self, target: &str) -> Result<Vec<AppliedStep>> {
        let target = target.to_string();
        self.run(move |m| m.downgrade(&target, &mut |_| {})).await
    }

    /// The version-table rows.
    pub async fn current(&self) -> Result<Vec<String>> {
        self.run(|m| m.current()).await
    }

    /// Applied revisions whose files changed since they ran.
    pub async fn changed_revisions(&self) -> Result<Vec<ChangedRevision>> {
        self.run(|m| {
            let current = m.current()?;
            m.changed_revisions(&current)
        })
        .await
    }

    /// Runs `work` with a [`Migrator`] on a new connection, on tokio's
    /// blocking pool; the connection is closed when `work` returns or
    /// panics. A panic becomes an error.
    pub async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Migrator) -> Result<T> + Send + 'static,
    {
        let project = self.project.clone();
        let url = self.url.clone();
        let (lock_timeout, allow_changed) = (self.lock_timeout, self.allow_changed);
        let code = self.code.clone();
        let task = tokio::task::spawn_blocking(move || {
            let mut migrator = Migrator::connect_url(project, &url)?;
            migrator.set_lock_timeout(lock_timeout);
            migrator.set_allow_changed(allow_changed);
            migrator.set_code_migrations(code);
            // `migrator` (and its connection) is dropped on return and
            // while a panic unwinds.
            work(&mut migrator)
        });
        match task.await {
            Ok(result) => result,
            Err(e) => Err(Error::Usage(format!(
                "the migration stopped: {}; its connection was closed, which released the run lock",
                panic_message(e)
            ))),
        }
    }
}

/// A sync progress callback that hands owned events to `progress`.
fn forward(mut progress: impl FnMut(AsyncProgress)) -> impl FnMut(Progress<'_>) {
    move |event| {
        let owned = match event {
            Progress::Waiting { holder } => AsyncProgress::Waiting { holder },
            Progress::Started { step, .. } => AsyncProgress::Started {
                revision: step.revision.clone(),
                direction: step.direction,
            },
            Progress::Resuming { step, done } => AsyncProgress::Resuming {
                revision: step.revision.clone(),
                done,
            },
            Progress::Finished { step, elapsed } => AsyncProgress::Finished {
                revision: step.revision.clone(),
                direction: step.direction,
                elapsed,
            },
        };
        progress(owned);
    }
}

fn panic_message(e: tokio::task::JoinError) -> String {
    if !e.is_panic() {
        return "the task was cancelled".into();
    }
    let payload = e.into_panic();
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned());
    match text {
        Some(text) => format!("it panicked: {text}"),
        None => "it panicked".into(),
    }
}
