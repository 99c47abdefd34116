//! Executes a plan: each step's statements, its version-table change and its
//! history row, inside the transactions the configuration asks for.
//!
//! The runner writes everything through a [`Sink`]: a live connection
//! ([`LiveSink`]) runs the SQL, a [`ScriptSink`] collects it as the offline
//! `--sql` script, so what `--sql` prints is exactly what an online run sends.
//!
//! Safety rules the live path follows:
//! - every transaction starts by taking the database's write lock (SQLite
//!   `BEGIN IMMEDIATE`; PostgreSQL runs already hold the session advisory
//!   lock) and re-reading the version table: if another runner moved it, the
//!   step is not run and the caller plans again ([`RunOutcome::Stale`]);
//! - a transactional step commits its statements, its version-table change
//!   and its history row together;
//! - a non-transactional step is recorded `in_progress` before its first
//!   statement and after each one (count and hash), so a crash or failure
//!   leaves a record that says where it stopped and lets a rerun resume.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::code::{CodeFn, CodeMigrations};
use crate::dialect::sql::{self, status, HistoryRow, TableRef};
use crate::dialect::{Capabilities, Connection, Dialect, OutsideTransaction};
use crate::error::{DbError, Error, Result, StatementError};
use crate::plan::{Direction, Step};
use crate::project::Project;
use crate::script::{checksum, Script, Statement};

/// Where the runner sends SQL.
pub trait Sink {
    /// The dialect of the SQL.
    fn dialect(&self) -> &'static dyn Dialect;
    /// What the database can do: a live connection's detected engine's
    /// capabilities, or (offline) the dialect's.
    fn capabilities(&self) -> &'static Capabilities {
        self.dialect().capabilities()
    }
    /// Runs (or records) one statement.
    fn run(&mut self, sql: &str) -> Result<(), DbError>;
    /// Runs (or records) statements in order, in one round trip where the
    /// database allows; an error comes with the index of the statement
    /// that failed (the later ones did not run).
    fn run_batch(&mut self, statements: &[&str]) -> Result<(), (usize, DbError)> {
        for (i, statement) in statements.iter().enumerate() {
            self.run(statement).map_err(|db| (i, db))?;
        }
        Ok(())
    }
    /// Starts a transaction holding the write lock, waiting as configured.
    fn begin(&mut self, on_progress: &mut dyn FnMut(Progress<'_>)) -> Result<()>;
    /// The version table's rows now (live), or `None` (offline).
    fn rows(&mut self, table: &TableRef) -> Result<Option<Vec<String>>>;
    /// The user for history rows (`None`: the SQL's `current_user`).
    fn user(&mut self) -> Option<String>;
    /// Records a comment (offline scripts only; live sinks ignore it).
    fn comment(&mut self, _text: &str) {}
    /// The live connection, inside the open transaction (for code
    /// migrations); `None` offline.
    fn connection(&mut self) -> Result<Option<&mut dyn Connection>, DbError> {
        Ok(None)
    }
    /// Whether a failed statement can be rolled back (false offline).
    fn is_live(&self) -> bool;
}

/// A sink that runs SQL on a live connection.
pub struct LiveSink<'a> {
    conn: &'a mut dyn Connection,
    lock_timeout: Option<Duration>,
    /// The version table was seen to exist (it is never dropped by a run).
    table_seen: bool,
    /// A `BEGIN` not yet sent: it goes with the next statement.
    pending_begin: Option<&'static str>,
}

impl<'a> LiveSink<'a> {
    /// Runs on `conn`; `lock_timeout` bounds each wait for the write lock
    /// (`None`: wait as long as it takes).
    pub fn new(conn: &'a mut dyn Connection, lock_timeout: Option<Duration>) -> Self {
        Self {
            conn,
            lock_timeout,
            table_seen: false,
            pending_begin: None,
        }
    }
}

/// `db` with its position (in `prefix` followed by `;\n` and the
/// statement) made relative to the statement again.
fn without_prefix(mut db: DbError, prefix: &str) -> DbError {
    let shift = u32::try_from(prefix.chars().count() + 2).unwrap_or(u32::MAX);
    db.position = db
        .position
        .and_then(|p| p.checked_sub(shift))
        .filter(|p| *p > 0);
    db
}

/// How often a waiting runner tries the lock again.
pub const LOCK_POLL: Duration = Duration::from_millis(50);

impl Sink for LiveSink<'_> {
    fn dialect(&self) -> &'static dyn Dialect {
        self.conn.dialect()
    }
    fn capabilities(&self) -> &'static Capabilities {
        self.conn.capabilities()
    }
    fn run(&mut self, sql: &str) -> Result<(), DbError> {
        match self.pending_begin.take() {
            Some(begin) => self
                .conn
                .execute(&format!("{begin};\n{sql}"))
                .map_err(|db| without_prefix(db, begin)),
            None => self.conn.execute(sql),
        }
    }
    fn run_batch(&mut self, statements: &[&str]) -> Result<(), (usize, DbError)> {
        if statements.is_empty() {
            return Ok(());
        }
        match self.pending_begin.take() {
            Some(begin) => {
                let mut all = Vec::with_capacity(statements.len() + 1);
                all.push(begin);
                all.extend_from_slice(statements);
                // A failing BEGIN counts as the first statement's failure.
                self.conn
                    .execute_batch(&all)
                    .map_err(|(i, db)| (i.saturating_sub(1), db))
            }
            None => self.conn.execute_batch(statements),
        }
    }
    fn begin(&mut self, on_progress: &mut dyn FnMut(Progress<'_>)) -> Result<()> {
        if let Some(begin) = self.conn.deferred_begin() {
            self.pending_begin = Some(begin);
            return Ok(());
        }
        let started = Instant::now();
        let mut announced = false;
        loop {
            if self
                .conn
                .try_begin_write()
                .map_err(|db| Error::db("starting a transaction", db))?
            {
                return Ok(());
            }
            if !announced {
                on_progress(Progress::Waiting { holder: None });
                announced = true;
            }
            if self.lock_timeout.is_some_and(|t| started.elapsed() >= t) {
                return Err(Error::LockTimeout {
                    waited: started.elapsed(),
                    holder: None,
                });
            }
            std::thread::sleep(LOCK_POLL);
        }
    }
    fn rows(&mut self, table: &TableRef) -> Result<Option<Vec<String>>> {
        // Under a session lock nobody else can move the version table.
        if self.conn.holds_session_lock() {
            return Ok(None);
        }
        // The check belongs inside the transaction.
        if let Some(begin) = self.pending_begin.take() {
            self.conn
                .execute(begin)
                .map_err(|db| Error::db("starting a transaction", db))?;
        }
        if !self.table_seen {
            self.table_seen = self
                .conn
                .table_exists(table.schema.as_deref(), &table.name)
                .map_err(|db| Error::db("looking for the version table", db))?;
            if !self.table_seen {
                return Ok(Some(Vec::new()));
            }
        }
        select_versions(self.conn, table).map(Some)
    }
    fn user(&mut self) -> Option<String> {
        self.conn.user()
    }
    fn connection(&mut self) -> Result<Option<&mut dyn Connection>, DbError> {
        // The code runs inside the step's transaction: send a deferred BEGIN.
        if let Some(begin) = self.pending_begin.take() {
            self.conn.execute(begin)?;
        }
        Ok(Some(&mut *self.conn))
    }
    fn is_live(&self) -> bool {
        true
    }
}

/// The version table's rows, sorted (empty when it does not exist).
pub fn read_versions(conn: &mut dyn Connection, table: &TableRef) -> Result<Vec<String>> {
    let exists = conn
        .table_exists(table.schema.as_deref(), &table.name)
        .map_err(|db| Error::db("looking for the version table", db))?;
    if !exists {
        return Ok(Vec::new());
    }
    select_versions(conn, table)
}

/// The version table's rows, sorted, from a table known to exist.
fn select_versions(conn: &mut dyn Connection, table: &TableRef) -> Result<Vec<String>> {
    let rows = conn
        .query_column(&sql::select_versions(table))
        .map_err(|db| Error::db("reading the version table", db))?;
    let mut rows: Vec<String> = rows.into_iter().flatten().collect();
    rows.sort();
    Ok(rows)
}

/// A sink that writes an SQL script (offline mode).
pub struct ScriptSink {
    dialect: &'static dyn Dialect,
    /// The script written so far.
    pub script: String,
}

impl ScriptSink {
    /// An empty script in `dialect`'s SQL.
    pub fn new(dialect: &'static dyn Dialect) -> Self {
        Self {
            dialect,
            script: String::new(),
        }
    }
}

impl Sink for ScriptSink {
    fn dialect(&self) -> &'static dyn Dialect {
        self.dialect
    }
    fn run(&mut self, sql: &str) -> Result<(), DbError> {
        self.script.push_str(sql.trim_end());
        self.script.push_str(";\n\n");
        Ok(())
    }
    fn begin(&mut self, _on_progress: &mut dyn FnMut(Progress<'_>)) -> Result<()> {
        let begin = sql::begin(self.dialect);
        self.run(begin)
            .map_err(|db| Error::db("writing the script", db))
    }
    fn rows(&mut self, _table: &TableRef) -> Result<Option<Vec<String>>> {
        Ok(None)
    }
    fn user(&mut self) -> Option<String> {
        None
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
    /// Another runner holds the lock; this one waits.
    Waiting {
        /// Who holds it, when the database can say.
        holder: Option<String>,
    },
    /// A step is about to run.
    Started {
        /// The step.
        step: &'a Step,
        /// Its revision.
        script: &'a Script,
    },
    /// A half-applied non-transactional step resumes after `done` statements.
    Resuming {
        /// The step.
        step: &'a Step,
        /// Statements already run (verified by hash, not run again).
        done: usize,
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

/// How a run ended without error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every step ran.
    Done(Vec<AppliedStep>),
    /// Another runner changed the version table: these steps ran, the rest
    /// must be planned again from the new state.
    Stale(Vec<AppliedStep>),
}

/// A half-applied non-transactional step to pick up again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    /// Its revision.
    pub revision: String,
    /// Statements already run.
    pub done: usize,
    /// Their hashes, comma-separated, as recorded.
    pub hashes: String,
}

/// How to run a plan.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// One transaction per revision (true) or one for the whole run.
    pub transaction_per_migration: bool,
    /// Emit `CREATE TABLE IF NOT EXISTS` for the version and history tables.
    pub create_tables: bool,
    /// The version table.
    pub version_table: TableRef,
    /// The history table.
    pub history_table: TableRef,
    /// The version table's rows before the first step (live runs check them
    /// before each step; offline scripts trust them).
    pub start: Vec<String>,
    /// The first step continues a half-applied non-transactional step.
    pub resume: Option<Resume>,
    /// The code migrations the caller registered.
    pub code: CodeMigrations,
}

/// A step with everything resolved before anything runs, so that a bad file
/// later in the plan stops the run before its first statement.
struct Prepared<'p> {
    step: &'p Step,
    script: &'p Script,
    statements: Vec<Statement>,
    /// A code migration's function, run instead of statements.
    code: Option<&'p CodeFn>,
}

impl Prepared<'_> {
    /// What the dialect needs run around this step's transaction (SQLite:
    /// foreign keys off for a table rebuild), if anything.
    fn outside_transaction(&self, d: &dyn Dialect) -> Option<OutsideTransaction> {
        let statements: Vec<&str> = self.statements.iter().map(|s| s.sql.as_str()).collect();
        d.outside_transaction(&statements)
    }

    /// Whether the step runs in a transaction with its version-table
    /// change: it allows one (`Transaction: false` does not), and the
    /// database's DDL is transactional or none of its statements commits
    /// implicitly (a data-only revision on MySQL). Otherwise it goes down
    /// the recorded, resumable path.
    fn transactional(&self, d: &dyn Dialect, caps: &Capabilities) -> bool {
        self.script.transactional
            && (caps.transactional_ddl
                || !self.statements.iter().any(|s| d.commits_implicitly(&s.sql)))
    }
}

/// Runs `steps` through `sink`.
pub fn run(
    project: &Project,
    sink: &mut dyn Sink,
    steps: &[Step],
    options: &RunOptions,
    on_progress: &mut dyn FnMut(Progress<'_>),
) -> Result<RunOutcome> {
    let d = sink.dialect();
    let prepared = prepare(project, steps, d, &options.code)?;
    let user = sink.user();
    let mut state = RunState {
        options,
        user: user.as_deref(),
        expected: options.start.clone(),
        whole_run_open: false,
        tables_pending: options.create_tables,
    };
    // A revision that needs something run outside its transaction (SQLite's
    // foreign keys off for a table rebuild) has it done before the
    // transaction starts; with one transaction for the whole run, before that.
    let around_run = if state.whole_run() {
        prepared.iter().find_map(|p| p.outside_transaction(d))
    } else {
        None
    };
    if let Some(around) = around_run {
        run_own(sink, around.before, "preparing the run")?;
    }
    let outcome = run_steps(&mut state, sink, &prepared, on_progress);
    if let Some(around) = around_run {
        let _ = sink.run(around.after);
    }
    outcome
}

fn run_steps(
    state: &mut RunState<'_>,
    sink: &mut dyn Sink,
    prepared: &[Prepared<'_>],
    on_progress: &mut dyn FnMut(Progress<'_>),
) -> Result<RunOutcome> {
    let options = state.options;
    let mut applied = Vec::with_capacity(prepared.len());
    for (i, p) in prepared.iter().enumerate() {
        let resume = options
            .resume
            .as_ref()
            .filter(|r| i == 0 && r.revision == p.step.revision);
        let d = sink.dialect();
        let caps = sink.capabilities();
        let around = p
            .outside_transaction(d)
            .filter(|_| p.transactional(d, caps) && !state.whole_run());
        let ran = if let Some(around) = around {
            run_own(sink, around.before, "preparing the revision")?;
            let ran = state.transactional_step(sink, p, on_progress);
            let _ = sink.run(around.after);
            ran?
        } else if p.transactional(d, caps) {
            state.transactional_step(sink, p, on_progress)?
        } else {
            state.non_transactional_step(sink, p, resume, on_progress)?
        };
        match ran {
            Some(step) => applied.push(step),
            None => {
                state.close_whole_run(sink)?;
                return Ok(RunOutcome::Stale(applied));
            }
        }
    }
    state.close_whole_run(sink)?;
    Ok(RunOutcome::Done(applied))
}

struct RunState<'o> {
    options: &'o RunOptions,
    user: Option<&'o str>,
    /// The rows the version table should hold before the next step.
    expected: Vec<String>,
    /// `transaction_per_migration = false`: the run's transaction is open.
    whole_run_open: bool,
    /// The version and history tables are still to be created (inside the
    /// first locked transaction, so a waiting runner never blocks on DDL).
    tables_pending: bool,
}

impl RunState<'_> {
    fn whole_run(&self) -> bool {
        !self.options.transaction_per_migration
    }

    /// Opens a transaction (or joins the run's), then checks that the version
    /// table is where this runner left it. `false`: another runner moved it.
    fn open(
        &mut self,
        sink: &mut dyn Sink,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<bool> {
        if self.whole_run() && self.whole_run_open {
            return Ok(true);
        }
        sink.begin(on_progress)?;
        self.whole_run_open = self.whole_run();
        if !self.checked_start(sink)? {
            self.whole_run_open = false;
            return Ok(false);
        }
        Ok(true)
    }

    /// Inside a fresh transaction: create retort's tables if needed, then
    /// check the version table is where this runner expects it.
    fn checked_start(&mut self, sink: &mut dyn Sink) -> Result<bool> {
        if self.tables_pending {
            let d = sink.dialect();
            let ddl = [
                (
                    sql::create_version_table(d, &self.options.version_table),
                    "creating the version table",
                ),
                (
                    sql::create_history_table(d, &self.options.history_table),
                    "creating the history table",
                ),
            ];
            let caps = sink.capabilities();
            // Where DDL is not transactional and does not commit by itself
            // (CockroachDB), each CREATE TABLE is a transaction of its own.
            let alone = !caps.transactional_ddl && !caps.ddl_commits_implicitly;
            for (statement, action) in ddl {
                if let Err(db) = sink.run(&statement) {
                    rollback(sink);
                    return Err(Error::db(action, db));
                }
                if alone {
                    run_own(sink, sql::commit(d), action)?;
                }
            }
            if !caps.transactional_ddl {
                // The CREATE TABLEs committed the transaction (MySQL), or
                // were committed alone: start it again, so the step is
                // still atomic.
                run_own(sink, sql::begin(d), "starting a transaction")?;
            }
        }
        if let Some(rows) = sink.rows(&self.options.version_table)? {
            if rows != self.expected {
                rollback(sink);
                return Ok(false);
            }
        }
        self.tables_pending = false;
        Ok(true)
    }

    fn close_whole_run(&mut self, sink: &mut dyn Sink) -> Result<()> {
        if self.whole_run_open {
            self.whole_run_open = false;
            let commit = sql::commit(sink.dialect());
            run_own(sink, commit, "committing the run")?;
        }
        Ok(())
    }

    fn history_for(
        &self,
        d: &dyn Dialect,
        p: &Prepared<'_>,
        status: &str,
        started_at: &str,
        duration: Option<u64>,
    ) -> String {
        let direction = match p.step.direction {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        };
        sql::insert_history(
            d,
            &self.options.history_table,
            &HistoryRow {
                revision: &p.script.id,
                direction,
                status,
                checksum: Some(&p.script.checksum),
                started_at,
                duration_ms: duration,
                applied_by: self.user,
            },
        )
    }

    fn transactional_step(
        &mut self,
        sink: &mut dyn Sink,
        p: &Prepared<'_>,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Option<AppliedStep>> {
        let d = sink.dialect();
        let started = Instant::now();
        let started_at = now_rfc3339();
        let tables_pending = self.tables_pending;
        if !self.open(sink, on_progress)? {
            return Ok(None);
        }
        on_progress(Progress::Started {
            step: p.step,
            script: p.script,
        });
        sink.comment(&describe_step(p.step, p.script));
        if let Err((statement, db)) = run_statements(sink, p, None) {
            let live = sink.is_live();
            let setting = d.rerun_setting(&db).filter(|_| live && !self.whole_run());
            if live {
                rollback(sink);
            }
            let Some(setting) = setting else {
                return Err(statement_error(p, statement, db));
            };
            // The database asked for another mode (Citus's sequential
            // one): the step runs again from its start, in a new
            // transaction, under that setting.
            self.tables_pending = tables_pending;
            if !self.open(sink, on_progress)? {
                return Ok(None);
            }
            if let Err((statement, db)) = run_statements(sink, p, Some(setting)) {
                rollback(sink);
                return Err(statement_error(p, statement, db));
            }
        }
        if let Some(code) = p.code {
            run_code(sink, p, code)?;
        }
        let elapsed = started.elapsed();
        // The version-table change, the history row and the COMMIT go in one
        // round trip: retort's own bookkeeping costs no extra latency.
        let mut bookkeeping =
            sql::version_change(&self.options.version_table, &p.step.version_change);
        bookkeeping.push(self.history_for(
            d,
            p,
            status::APPLIED,
            &started_at,
            Some(millis(elapsed)),
        ));
        if !self.whole_run() {
            bookkeeping.push(sql::commit(d).to_string());
        }
        let batch = bookkeeping.join(";\n");
        if let Err(db) = sink.run(&batch) {
            rollback(sink);
            return Err(Error::db("updating the version and history tables", db));
        }
        self.advance(p);
        on_progress(Progress::Finished {
            step: p.step,
            elapsed,
        });
        Ok(Some(applied(p, elapsed)))
    }

    fn non_transactional_step(
        &mut self,
        sink: &mut dyn Sink,
        p: &Prepared<'_>,
        resume: Option<&Resume>,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Option<AppliedStep>> {
        let d = sink.dialect();
        let started = Instant::now();
        let started_at = now_rfc3339();
        let table = &self.options.history_table;
        // Statements that refuse a transaction (CREATE INDEX CONCURRENTLY,
        // VACUUM) run between the run's transactions.
        self.close_whole_run(sink)?;
        let done = match resume {
            Some(r) => verify_resume(p, r)?,
            None => 0,
        };
        // Claim the step: record it in progress, checking the version table
        // under the write lock first.
        if !self.open_single(sink, on_progress)? {
            return Ok(None);
        }
        let claim = self.history_for(d, p, status::IN_PROGRESS, &started_at, None);
        // Where DDL commits implicitly (MySQL), the claim goes with the first
        // statement: a DDL statement commits it before it starts, a data
        // statement commits with it. Elsewhere (PostgreSQL's CREATE INDEX
        // CONCURRENTLY refuses a transaction) it is committed first.
        let with_first =
            resume.is_none() && !sink.capabilities().transactional_ddl && !p.statements.is_empty();
        let claim_and_commit: &[&str] = match resume {
            _ if with_first => &[],
            None => &[&claim, sql::commit(d)],
            Some(_) => &[sql::commit(d)],
        };
        if let Err((i, db)) = sink.run_batch(claim_and_commit) {
            rollback(sink);
            let action = if i + 1 < claim_and_commit.len() {
                "recording the step as in progress"
            } else {
                "committing the in-progress record"
            };
            return Err(Error::db(action, db));
        }
        if done > 0 {
            on_progress(Progress::Resuming { step: p.step, done });
        } else {
            on_progress(Progress::Started {
                step: p.step,
                script: p.script,
            });
        }
        sink.comment(&format!(
            "{} (not in a transaction)",
            describe_step(p.step, p.script)
        ));
        let mut hashes: Vec<String> = p.statements[..done]
            .iter()
            .map(|s| statement_hash(&s.sql))
            .collect();
        let mut claim = with_first.then_some(claim.as_str());
        // When the last statement commits with its progress record, the
        // version change and the closed record go in that transaction too
        // (under the session lock nobody else moves the version table).
        let last = p.statements.len().checked_sub(1).filter(|&l| l >= done);
        let caps = sink.capabilities();
        let merged = last.is_some_and(|l| commits_with_progress(d, caps, p, &p.statements[l]))
            && sink.rows(&self.options.version_table)?.is_none();
        for (i, statement) in p.statements.iter().enumerate().skip(done) {
            let tail = if merged && Some(i) == last {
                self.closing(p, started)
            } else {
                Vec::new()
            };
            let step = Recorded {
                i,
                statement,
                claim: claim.take(),
                tail: &tail,
            };
            recorded_statement(sink, table, p, step, &mut hashes)?;
        }
        if merged {
            return Ok(Some(self.finished(p, started, on_progress)));
        }
        if !self.open_single(sink, on_progress)? {
            return Err(Error::Usage(format!(
                "another runner changed the version table while revision {} ran outside a transaction; check `retort current` and rerun",
                p.script.id
            )));
        }
        // The version change, the closed history record and the COMMIT go
        // in one round trip where the database allows.
        let mut last = self.closing(p, started);
        let updates = last.len() - 1;
        last.push(sql::commit(d).to_string());
        let last: Vec<&str> = last.iter().map(String::as_str).collect();
        if let Err((i, db)) = sink.run_batch(&last) {
            rollback(sink);
            let action = match i {
                i if i < updates => "updating the version table",
                i if i == updates => "closing the history record",
                _ => "committing the revision",
            };
            return Err(Error::db(action, db));
        }
        Ok(Some(self.finished(p, started, on_progress)))
    }

    /// The statements that end a recorded step: the version-table change
    /// and the history record closed as applied.
    fn closing(&self, p: &Prepared<'_>, started: Instant) -> Vec<String> {
        let mut out = sql::version_change(&self.options.version_table, &p.step.version_change);
        out.push(sql::close_progress(
            &self.options.history_table,
            &p.script.id,
            status::APPLIED,
            Some(millis(started.elapsed())),
        ));
        out
    }

    /// A recorded step is done: the runner moves on and says so.
    fn finished(
        &mut self,
        p: &Prepared<'_>,
        started: Instant,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> AppliedStep {
        let elapsed = started.elapsed();
        self.advance(p);
        if !self.options.transaction_per_migration {
            // Back into the run's single transaction for what follows.
            self.whole_run_open = false;
        }
        on_progress(Progress::Finished {
            step: p.step,
            elapsed,
        });
        applied(p, elapsed)
    }

    /// A short transaction of its own, even in whole-run mode.
    fn open_single(
        &mut self,
        sink: &mut dyn Sink,
        on_progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<bool> {
        sink.begin(on_progress)?;
        self.checked_start(sink)
    }

    fn advance(&mut self, p: &Prepared<'_>) {
        let change = &p.step.version_change;
        self.expected.retain(|r| !change.delete.contains(r));
        self.expected.extend(change.insert.iter().cloned());
        self.expected.sort();
    }
}

/// The revisions among `scripts` whose upgrade holds several statements that
/// commit implicitly on `d` (MySQL's DDL), so they are not atomic there: a
/// failure leaves the earlier ones applied (and resumable). Empty on
/// databases with transactional DDL.
pub fn non_atomic_revisions<'s>(
    d: &dyn Dialect,
    scripts: impl IntoIterator<Item = &'s Script>,
) -> Vec<&'s str> {
    if d.capabilities().transactional_ddl {
        return Vec::new();
    }
    scripts
        .into_iter()
        .filter(|script| {
            let statements = script
                .upgrade()
                .ok()
                .and_then(|s| s.statements(d.kind()).ok())
                .unwrap_or_default();
            statements
                .iter()
                .filter(|s| d.commits_implicitly(&s.sql))
                .count()
                > 1
        })
        .map(|script| script.id.as_str())
        .collect()
}

/// The one-line note `upgrade` prints for [`non_atomic_revisions`] (lint
/// reports them as rule R019) (`None` when there are none).
pub fn non_atomic_note(d: &dyn Dialect, revisions: &[&str]) -> Option<String> {
    if revisions.is_empty() {
        return None;
    }
    let shown: Vec<&str> = revisions.iter().take(5).copied().collect();
    let more = match revisions.len().saturating_sub(shown.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    Some(format!(
        "on {}, DDL commits implicitly: {} revision(s) with several DDL statements ({}{more}) are not atomic; if one fails, the statements before it stay applied, and a rerun after the fix resumes at the failing statement (docs/mysql.md)",
        d.kind().name(),
        revisions.len(),
        shown.join(", ")
    ))
}

/// Runs statement `i` of a recorded (non-transactional) step, then records
/// it (count and hashes). On a database whose DDL commits implicitly, a
/// statement that does not (data) runs in one transaction with its progress
/// record, so a crash never leaves it applied but unrecorded, to be run a
/// second time by the resume. `claim` is the step's in-progress record when
/// it goes with this statement (in the transaction already open).
fn recorded_statement(
    sink: &mut dyn Sink,
    table: &TableRef,
    p: &Prepared<'_>,
    step: Recorded<'_>,
    hashes: &mut Vec<String>,
) -> Result<()> {
    let Recorded {
        i,
        statement,
        claim,
        tail,
    } = step;
    let d = sink.dialect();
    let caps = sink.capabilities();
    let together = commits_with_progress(d, caps, p, statement);
    let mut recorded = hashes.clone();
    recorded.push(statement_hash(&statement.sql));
    let progress = sql::update_progress(table, &p.script.id, i + 1, &recorded.join(","));
    // The statement and its progress record go in one round trip where the
    // database allows (a data statement inside its own transaction).
    let mut batch: Vec<&str> = Vec::with_capacity(5);
    match claim {
        Some(claim) => {
            batch.push(claim);
            // Only DDL commits the claim by itself, and only where DDL
            // commits implicitly (MySQL; not CockroachDB).
            let commits_claim = caps.ddl_commits_implicitly && d.commits_implicitly(&statement.sql);
            if !together && !commits_claim {
                batch.push(sql::commit(d));
            }
        }
        None if together => batch.push(sql::begin(d)),
        None => {}
    }
    let at = batch.len();
    batch.extend([statement.sql.as_str(), &progress]);
    if together {
        batch.extend(tail.iter().map(String::as_str));
        batch.push(sql::commit(d));
    }
    match sink.run_batch(&batch) {
        Ok(()) => {
            *hashes = recorded;
            Ok(())
        }
        Err((failed, db)) if failed == at => {
            if together {
                rollback(sink);
                // The claim went with it: record it again, so the failure
                // is recorded as on every other path.
                if let Some(claim) = claim {
                    let _ = sink.run_batch(&[sql::begin(d), claim, sql::commit(d)]);
                }
            } else if claim.is_some() {
                // A DDL statement refused before it ran committed nothing:
                // keep the claim, so the failure is recorded.
                let _ = sink.run(sql::commit(d));
            }
            Err(failed_statement(sink, table, p, (i, statement), db))
        }
        // The statement committed on its own, its progress record did not:
        // write the record again (never the statement) while the error is
        // one the engine says to retry.
        Err((failed, db)) if !together && failed == at + 1 && caps.is_retryable(&db) => {
            retry_write(sink, caps, &progress, db)
                .map_err(|db| Error::db("recording progress", db))?;
            *hashes = recorded;
            Ok(())
        }
        Err((failed, db)) => {
            rollback(sink);
            let action = match failed {
                0 if claim.is_some() => "recording the step as in progress",
                0 => "starting a transaction",
                f if f < at => "committing the in-progress record",
                f if f == at + 1 => "recording progress",
                f if f < at + 2 + tail.len() => "updating the version and history tables",
                _ => "committing the statement and its progress",
            };
            Err(Error::db(action, db))
        }
    }
}

/// How many times an error the engine says to retry (CockroachDB's and
/// YugabyteDB's `40001`) is retried before it is reported.
pub const RETRY_ATTEMPTS: u32 = 5;

/// The wait before retry number `attempt` (1-based): 50 ms doubling, with
/// up to 50% jitter so that runners that collided do not collide again.
pub fn retry_backoff(attempt: u32) -> Duration {
    let base = 50u64 << attempt.saturating_sub(1).min(6);
    let mut jitter = [0u8; 1];
    let _ = getrandom::fill(&mut jitter);
    Duration::from_millis(base + base * u64::from(jitter[0]) / 512)
}

/// Runs the bookkeeping write `sql` again after it failed with `first`,
/// while the failure is one to retry, at most [`RETRY_ATTEMPTS`] times.
fn retry_write(
    sink: &mut dyn Sink,
    caps: &Capabilities,
    sql: &str,
    first: DbError,
) -> Result<(), DbError> {
    let mut last = first;
    for attempt in 1..=RETRY_ATTEMPTS {
        if !caps.is_retryable(&last) {
            break;
        }
        std::thread::sleep(retry_backoff(attempt));
        match sink.run(sql) {
            Ok(()) => return Ok(()),
            Err(db) => last = db,
        }
    }
    Err(last)
}

/// One statement of a recorded step, as [`recorded_statement`] runs it.
struct Recorded<'a> {
    /// Its index in the step.
    i: usize,
    /// The statement.
    statement: &'a Statement,
    /// The step's in-progress record, when it goes with this statement.
    claim: Option<&'a str>,
    /// The statements that close the step, when they go with this one
    /// (inside its transaction, before the COMMIT).
    tail: &'a [String],
}

/// Whether `statement` of a recorded step runs in one transaction with its
/// progress record: a data statement where DDL commits implicitly.
fn commits_with_progress(
    d: &dyn Dialect,
    caps: &Capabilities,
    p: &Prepared<'_>,
    statement: &Statement,
) -> bool {
    p.script.transactional && !caps.transactional_ddl && !d.commits_implicitly(&statement.sql)
}

/// The error for statement `i` of a recorded step that failed with `db`,
/// after marking the step failed in its history record (best effort).
fn failed_statement(
    sink: &mut dyn Sink,
    table: &TableRef,
    p: &Prepared<'_>,
    (i, statement): (usize, &Statement),
    db: DbError,
) -> Error {
    let error = statement_error(p, statement, db);
    let _ = sink.run(&sql::mark_failed(
        sink.dialect(),
        table,
        &p.script.id,
        &error.to_string(),
    ));
    Error::Unfinished {
        revision: p.script.id.clone(),
        path: p.script.path.clone(),
        done: i,
        total: p.statements.len(),
        cause: Box::new(error),
    }
}

/// The statements already run must be the file's first statements, unchanged:
/// a resumed step never runs them again, so it must not skip different ones.
fn verify_resume(p: &Prepared<'_>, r: &Resume) -> Result<usize> {
    let recorded: Vec<&str> = r.hashes.split(',').filter(|h| !h.is_empty()).collect();
    let done = r.done.min(recorded.len());
    for (i, hash) in recorded.iter().take(done).enumerate() {
        let current = p.statements.get(i).map(|s| statement_hash(&s.sql));
        if current.as_deref() != Some(*hash) {
            return Err(Error::Usage(format!(
                "cannot resume revision {} ({}): statement {} already ran but has been edited since; restore it, or settle the step with `retort resolve {} --applied` or `--rolled-back`",
                p.script.id,
                p.script.path.display(),
                i + 1,
                p.script.id
            )));
        }
    }
    Ok(done)
}

/// Runs a step's statements inside its open transaction, after `setting`
/// when given (reported as the first statement's failure if refused); the
/// statement that failed, and why.
fn run_statements<'p>(
    sink: &mut dyn Sink,
    p: &'p Prepared<'_>,
    setting: Option<&str>,
) -> std::result::Result<(), (&'p Statement, DbError)> {
    if let (Some(setting), Some(first)) = (setting, p.statements.first()) {
        sink.run(setting).map_err(|db| (first, db))?;
    }
    for statement in &p.statements {
        sink.run(&statement.sql).map_err(|db| (statement, db))?;
    }
    Ok(())
}

fn rollback(sink: &mut dyn Sink) {
    if sink.is_live() {
        // Best effort: the error that led here is what the user needs.
        let _ = sink.run(sql::rollback(sink.dialect()));
    }
}

fn applied(p: &Prepared<'_>, elapsed: Duration) -> AppliedStep {
    AppliedStep {
        revision: p.step.revision.clone(),
        direction: p.step.direction,
        statements: p.statements.len(),
        duration_ms: millis(elapsed),
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The hash recorded for a completed statement of a non-transactional step.
pub fn statement_hash(sql: &str) -> String {
    checksum(sql)[..16].to_string()
}

/// Now, as `2026-11-25T03:00:00Z`.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn prepare<'p>(
    project: &'p Project,
    steps: &'p [Step],
    d: &dyn Dialect,
    code: &'p CodeMigrations,
) -> Result<Vec<Prepared<'p>>> {
    steps
        .iter()
        .map(|step| {
            let script = project.require_script(&step.revision)?;
            if let Some(name) = &script.code {
                return prepare_code(step, script, name, code);
            }
            let section = script.section(step.direction == Direction::Upgrade)?;
            let statements = match (section, step.direction) {
                (Some(section), _) => {
                    with_variables(project, script, section.statements(d.kind())?)?
                }
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
                code: None,
            })
        })
        .collect()
}

/// `statements` with `{{ tenant }}` and `{{ x.KEY }}` replaced (see
/// [`crate::script::vars`]); the file, and so its checksum, is untouched.
fn with_variables(
    project: &Project,
    script: &Script,
    mut statements: Vec<Statement>,
) -> Result<Vec<Statement>> {
    let vars = &project.config.variables;
    for s in &mut statements {
        let sql = vars.substitute(&s.sql).map_err(|message| {
            crate::script::ScriptError::at(&script.path, Some(s.line), message)
        })?;
        if let std::borrow::Cow::Owned(sql) = sql {
            s.sql = sql;
        }
    }
    Ok(statements)
}

/// A code migration's step: its registered function for the direction.
fn prepare_code<'p>(
    step: &'p Step,
    script: &'p Script,
    name: &str,
    code: &'p CodeMigrations,
) -> Result<Prepared<'p>> {
    let downgrade = step.direction == Direction::Downgrade;
    if downgrade && !script.is_reversible() {
        return Err(Error::Irreversible {
            revision: script.id.clone(),
            path: script.path.clone(),
        });
    }
    let registered = code.get(name);
    let function = match (registered, downgrade) {
        (Some(m), false) => Some(&m.upgrade),
        (Some(m), true) => m.downgrade.as_ref(),
        (None, _) => None,
    };
    let function = function.ok_or_else(|| Error::CodeNotRegistered {
        revision: script.id.clone(),
        name: name.to_string(),
        path: script.path.clone(),
        downgrade: downgrade && registered.is_some(),
    })?;
    Ok(Prepared {
        step,
        script,
        statements: Vec::new(),
        code: Some(function),
    })
}

/// Runs a code migration's function on the step's open transaction; an
/// error rolls the step back.
fn run_code(sink: &mut dyn Sink, p: &Prepared<'_>, code: &CodeFn) -> Result<()> {
    let fail = |message: String| Error::CodeFailed {
        revision: p.script.id.clone(),
        name: p.script.code.clone().unwrap_or_default(),
        path: p.script.path.clone(),
        direction: match p.step.direction {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        },
        message,
    };
    let outcome = match sink.connection() {
        Ok(Some(conn)) => code(conn).map_err(|e| fail(e.to_string())),
        Ok(None) => Err(fail("it cannot run in an offline script".into())),
        Err(db) => Err(Error::db("starting the code migration's transaction", db)),
    };
    if outcome.is_err() && sink.is_live() {
        rollback(sink);
    }
    outcome
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
