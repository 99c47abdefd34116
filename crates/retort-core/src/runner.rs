//! Executes a plan: each step's statements and its version-table change,
//! inside the transactions the configuration asks for.
//!
//! The runner writes everything through a [`Sink`]: a live connection
//! ([`LiveSink`]) runs the SQL, a [`ScriptSink`] collects it as the offline
//! `--sql` script, so what `--sql` prints is exactly what an online run sends.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::dialect::sql::{self, TableRef};
use crate::dialect::{Connection, DialectKind};
use crate::error::{DbError, Error, Result, StatementError};
use crate::plan::{Direction, Step};
use crate::project::Project;
use crate::script::{Script, Statement};

/// Where the runner sends SQL.
pub trait Sink {
    /// The dialect of the SQL.
    fn kind(&self) -> DialectKind;
    /// Runs (or records) one statement.
    fn run(&mut self, sql: &str) -> Result<(), DbError>;
    /// Records a comment (offline scripts only; live sinks ignore it).
    fn comment(&mut self, _text: &str) {}
    /// Whether a failed statement can be rolled back (false offline).
    fn is_live(&self) -> bool;
}

/// A sink that runs SQL on a live connection.
pub struct LiveSink<'a>(pub &'a mut dyn Connection);

impl Sink for LiveSink<'_> {
    fn kind(&self) -> DialectKind {
        self.0.kind()
    }
    fn run(&mut self, sql: &str) -> Result<(), DbError> {
        self.0.execute(sql)
    }
    fn is_live(&self) -> bool {
        true
    }
}

/// A sink that writes an SQL script (offline mode).
pub struct ScriptSink {
    kind: DialectKind,
    /// The script written so far.
    pub script: String,
}

impl ScriptSink {
    /// An empty script for `kind`.
    pub fn new(kind: DialectKind) -> Self {
        Self {
            kind,
            script: String::new(),
        }
    }
}

impl Sink for ScriptSink {
    fn kind(&self) -> DialectKind {
        self.kind
    }
    fn run(&mut self, sql: &str) -> Result<(), DbError> {
        self.script.push_str(sql.trim_end());
        self.script.push_str(";\n\n");
        Ok(())
    }
    fn comment(&mut self, text: &str) {
        for line in text.lines() {
            self.script.push_str("-- ");
            self.script.push_str(line);
            self.script.push('\n');
        }
        self.script.push('\n');
    }
    fn is_live(&self) -> bool {
        false
    }
}

/// What the runner reports as it goes.
#[derive(Debug, Clone)]
pub enum Progress<'a> {
    /// A step is about to run.
    Started {
        /// The step.
        step: &'a Step,
        /// Its revision.
        script: &'a Script,
    },
    /// A step finished and its version-table change is committed (or
    /// written, offline).
    Finished {
        /// The step.
        step: &'a Step,
        /// How long it took.
        elapsed: Duration,
    },
}

/// One step that ran.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedStep {
    /// The revision.
    pub revision: String,
    /// Which section ran.
    pub direction: Direction,
    /// Statements executed.
    pub statements: usize,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

/// How to run a plan.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// One transaction per revision (true) or one for the whole run.
    pub transaction_per_migration: bool,
    /// Emit the version table's `CREATE TABLE IF NOT EXISTS` first.
    pub create_version_table: bool,
    /// The version table.
    pub version_table: TableRef,
}

/// A step with everything resolved before anything runs, so that a bad file
/// later in the plan stops the run before its first statement.
struct Prepared<'p> {
    step: &'p Step,
    script: &'p Script,
    statements: Vec<Statement>,
}

/// Runs `steps` through `sink`.
pub fn run(
    project: &Project,
    sink: &mut dyn Sink,
    steps: &[Step],
    options: &RunOptions,
    on_progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Vec<AppliedStep>> {
    let kind = sink.kind();
    let prepared = prepare(project, steps, kind)?;
    let table = &options.version_table;
    if options.create_version_table {
        run_own(
            sink,
            &sql::create_version_table(kind, table),
            "creating the version table",
        )?;
    }
    let whole_run = !options.transaction_per_migration;
    if whole_run && !prepared.is_empty() {
        run_own(sink, sql::begin(kind), "starting the transaction")?;
    }
    let mut applied = Vec::with_capacity(prepared.len());
    for p in &prepared {
        let started = Instant::now();
        on_progress(Progress::Started {
            step: p.step,
            script: p.script,
        });
        sink.comment(&describe_step(p.step, p.script));
        let own_txn = p.script.transactional && !whole_run;
        if !p.script.transactional && whole_run {
            // Statements that refuse a transaction (CREATE INDEX CONCURRENTLY,
            // VACUUM) run between the run's transactions.
            run_own(
                sink,
                sql::commit(kind),
                "committing before a non-transactional revision",
            )?;
        }
        if own_txn {
            run_own(
                sink,
                sql::begin(kind),
                "starting the revision's transaction",
            )?;
        }
        let in_txn = own_txn || (whole_run && p.script.transactional);
        for statement in &p.statements {
            if let Err(db) = sink.run(&statement.sql) {
                if in_txn && sink.is_live() {
                    // Best effort: the statement's own error is what matters.
                    let _ = sink.run(sql::rollback(kind));
                }
                return Err(statement_error(p, statement, db));
            }
        }
        for update in sql::version_change(table, &p.step.version_change) {
            if let Err(db) = sink.run(&update) {
                if in_txn && sink.is_live() {
                    let _ = sink.run(sql::rollback(kind));
                }
                return Err(Error::db("updating the version table", db));
            }
        }
        if own_txn {
            run_own(sink, sql::commit(kind), "committing the revision")?;
        }
        if !p.script.transactional && whole_run {
            run_own(sink, sql::begin(kind), "starting the transaction")?;
        }
        let elapsed = started.elapsed();
        on_progress(Progress::Finished {
            step: p.step,
            elapsed,
        });
        applied.push(AppliedStep {
            revision: p.step.revision.clone(),
            direction: p.step.direction,
            statements: p.statements.len(),
            duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        });
    }
    if whole_run && !prepared.is_empty() {
        run_own(sink, sql::commit(kind), "committing the run")?;
    }
    Ok(applied)
}

fn prepare<'p>(
    project: &'p Project,
    steps: &'p [Step],
    kind: DialectKind,
) -> Result<Vec<Prepared<'p>>> {
    steps
        .iter()
        .map(|step| {
            let script = project.require_script(&step.revision)?;
            let section = match step.direction {
                Direction::Upgrade => script.upgrade.as_ref(),
                Direction::Downgrade => script.downgrade.as_ref(),
            };
            let statements = match (section, step.direction) {
                (Some(section), _) => section.statements(kind)?,
                (None, Direction::Downgrade) => {
                    return Err(Error::Irreversible {
                        revision: script.id.clone(),
                        path: script.path.clone(),
                    })
                }
                (None, Direction::Upgrade) => Vec::new(),
            };
            Ok(Prepared {
                step,
                script,
                statements,
            })
        })
        .collect()
}

fn run_own(sink: &mut dyn Sink, sql: &str, action: &str) -> Result<()> {
    sink.run(sql).map_err(|db| Error::db(action, db))
}

/// Alembic's log line: `Running upgrade a -> b, message`.
pub fn describe_step(step: &Step, script: &Script) -> String {
    let parents = script.parents.join(", ");
    match step.direction {
        Direction::Upgrade => format!(
            "Running upgrade {parents} -> {}, {}",
            script.id, script.message
        ),
        Direction::Downgrade => format!(
            "Running downgrade {} -> {parents}, {}",
            script.id, script.message
        ),
    }
}

fn statement_error(p: &Prepared<'_>, statement: &Statement, db: DbError) -> Error {
    Error::Statement(Box::new(StatementError {
        revision: p.script.id.clone(),
        path: PathBuf::from(&p.script.path),
        line: statement.line,
        direction: match p.step.direction {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        },
        statement: shorten(&statement.sql, 400),
        db,
    }))
}

/// The statement as shown in messages: whole when short, else cut with `…`.
fn shorten(sql: &str, max: usize) -> String {
    if sql.chars().count() <= max {
        return sql.to_string();
    }
    let cut: String = sql.chars().take(max).collect();
    format!("{cut} …")
}
