//! The API a service or the CLI uses against a live database: read the
//! current revisions, upgrade, downgrade, stamp.

use std::path::Path;

use crate::db_url::DatabaseUrl;
use crate::dialect::{self, sql, Connection, DialectKind};
use crate::error::{Error, Result};
use crate::plan::{Step, VersionChange};
use crate::project::Project;
use crate::runner::{self, AppliedStep, LiveSink, Progress, RunOptions, ScriptSink};

/// A project bound to a live database connection.
pub struct Migrator {
    project: Project,
    conn: Box<dyn Connection>,
}

impl Migrator {
    /// Connects to `url` (relative SQLite paths resolve against the project
    /// root).
    pub fn connect(project: Project, url: &str) -> Result<Self> {
        let url = DatabaseUrl::parse(url, &project.config.root)?;
        Self::connect_url(project, &url)
    }

    /// Connects to an already parsed URL.
    pub fn connect_url(project: Project, url: &DatabaseUrl) -> Result<Self> {
        let conn = dialect::connect(url)?;
        Ok(Self { project, conn })
    }

    /// Uses a connection the caller opened.
    pub fn with_connection(project: Project, conn: Box<dyn Connection>) -> Self {
        Self { project, conn }
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

    /// The connection, for callers that need to run their own queries.
    pub fn connection(&mut self) -> &mut dyn Connection {
        self.conn.as_mut()
    }

    /// The rows of the version table (empty when it does not exist yet).
    pub fn current(&mut self) -> Result<Vec<String>> {
        let table = self.project.version_table();
        let exists = self
            .conn
            .table_exists(table.schema.as_deref(), &table.name)
            .map_err(|db| Error::db("looking for the version table", db))?;
        if !exists {
            return Ok(Vec::new());
        }
        let rows = self
            .conn
            .query_column(&sql::select_versions(&table))
            .map_err(|db| Error::db("reading the version table", db))?;
        let mut rows: Vec<String> = rows.into_iter().flatten().collect();
        rows.sort();
        Ok(rows)
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
        let steps = self.plan_upgrade(target)?;
        self.run(&steps, on_progress)
    }

    /// Downgrades to `target` (`-1`, `base`, a revision, `label@-1`…).
    pub fn downgrade(
        &mut self,
        target: &str,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Vec<AppliedStep>> {
        let steps = self.plan_downgrade(target)?;
        self.run(&steps, on_progress)
    }

    /// Moves the version table to `targets` without running migrations.
    pub fn stamp(&mut self, targets: &[String], purge: bool) -> Result<VersionChange> {
        let current = self.current()?;
        if !purge {
            self.project.check_current(&current)?;
        }
        let change = self.project.graph().stamp(&current, targets, purge)?;
        let kind = self.conn.kind();
        let table = self.project.version_table();
        let mut statements = vec![sql::create_version_table(kind, &table)];
        statements.push(sql::begin(kind).to_string());
        statements.extend(sql::version_change(&table, &change));
        statements.push(sql::commit(kind).to_string());
        for statement in &statements {
            if let Err(db) = self.conn.execute(statement) {
                let _ = self.conn.execute(sql::rollback(kind));
                return Err(Error::db("stamping the version table", db));
            }
        }
        Ok(change)
    }

    fn run(
        &mut self,
        steps: &[Step],
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Vec<AppliedStep>> {
        if steps.is_empty() {
            return Ok(Vec::new());
        }
        let options = RunOptions {
            transaction_per_migration: self.project.config.transaction_per_migration,
            create_version_table: true,
            version_table: self.project.version_table(),
        };
        let mut sink = LiveSink(self.conn.as_mut());
        runner::run(&self.project, &mut sink, steps, &options, on_progress)
    }
}

/// Offline mode: the SQL script that running `steps` from `current` would
/// send, version-table statements and transaction boundaries included.
pub fn offline_script(
    project: &Project,
    kind: DialectKind,
    steps: &[Step],
    create_version_table: bool,
) -> Result<String> {
    let options = RunOptions {
        transaction_per_migration: project.config.transaction_per_migration,
        create_version_table,
        version_table: project.version_table(),
    };
    let mut sink = ScriptSink::new(kind);
    runner::run(project, &mut sink, steps, &options, &mut |_| {})?;
    Ok(sink.script)
}

/// Applies a project's migrations at start-up: loads the project whose
/// `retort.toml` is in `project_dir` (or its parents), connects to `url`, and
/// upgrades to `target` (usually `"head"`).
pub fn upgrade(project_dir: &Path, url: &str, target: &str) -> Result<Vec<AppliedStep>> {
    let project = Project::discover(project_dir)?;
    let mut migrator = Migrator::connect(project, url)?;
    migrator.upgrade(target, &mut |_| {})
}
