//! `retort lint`: flags statements in revisions that are dangerous to run on
//! a live database — table rewrites, long locks, data loss, renames that
//! break running code — without connecting to any database.
//!
//! Each statement of a revision's upgrade section (and, on request, its
//! downgrade) is parsed with `sqlparser`; a statement it cannot parse is read
//! by a token scan instead, so lint never fails on SQL it does not
//! understand. Both produce the same small list of operations
//! (`ops::Op`), and the rules look only at those, in statement order,
//! knowing what the revision did before (tables it created, whether it set
//! `lock_timeout`). The rules and their ids are in [`Rule`]; docs/lint.md
//! and docs/lint/ explain each one.

mod allow;
mod ast;
mod engine;
mod mysql;
mod ops;
mod rules;
mod scan;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use allow::{Allowances, MARKER};
pub use rules::Rule;

use crate::dialect::DialectKind;
use crate::error::{Error, Result};
use crate::project::Project;
use crate::script::{Script, ScriptError};

/// The oldest PostgreSQL major version retort supports, assumed when no
/// other target is given.
pub const DEFAULT_POSTGRES_VERSION: u32 = 13;

/// What to lint for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintOptions {
    /// The database the project targets: PostgreSQL-only rules apply only
    /// to PostgreSQL.
    pub dialect: DialectKind,
    /// The oldest PostgreSQL major version the revisions must run on (for
    /// R011, `ALTER TYPE … ADD VALUE` in a transaction before 12).
    pub postgres_version: u32,
    /// Also lint downgrade sections.
    pub downgrade: bool,
    /// The project sets `[database] lock_wait_timeout` (R018 then only
    /// looks for it when it is not set there).
    pub lock_wait_timeout_configured: bool,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self {
            dialect: DialectKind::Postgres,
            postgres_version: DEFAULT_POSTGRES_VERSION,
            downgrade: false,
            lock_wait_timeout_configured: false,
        }
    }
}

/// One problem found in one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule (serialised as its id).
    pub rule: Rule,
    /// The revision id.
    pub revision: String,
    /// The revision file.
    pub file: PathBuf,
    /// 1-based line where the statement starts.
    pub line: usize,
    /// `upgrade` or `downgrade`.
    pub section: &'static str,
    /// The statement as written.
    pub statement: String,
    /// What is wrong here and what to do instead.
    pub message: String,
}

/// An allow comment that could not be read (unknown rule, unknown verb).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintWarning {
    /// The revision file.
    pub file: PathBuf,
    /// 1-based line of the comment.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The result of linting one or more revisions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LintReport {
    /// Revisions linted, in the order they were linted.
    pub revisions: Vec<String>,
    /// Problems not allowed by an allow comment.
    pub findings: Vec<Finding>,
    /// Problems an allow comment allowed.
    pub allowed: Vec<Finding>,
    /// Allow comments that could not be read.
    pub warnings: Vec<LintWarning>,
}

impl LintReport {
    /// Adds another report's results to this one.
    pub fn extend(&mut self, other: LintReport) {
        self.revisions.extend(other.revisions);
        self.findings.extend(other.findings);
        self.allowed.extend(other.allowed);
        self.warnings.extend(other.warnings);
    }
}

/// Lints one revision. `source` is the whole file's text, for the allow
/// comments (those in the header are only visible there); without it, the
/// description and the sections are searched.
pub fn lint_script(
    script: &Script,
    source: Option<&str>,
    options: &LintOptions,
) -> Result<LintReport, ScriptError> {
    lint_with(script, source, options, &HashMap::new())
}

/// [`lint_script`] knowing the `CHECK (col IS NOT NULL)` constraints other
/// revisions add (name → (table, column)).
fn lint_with(
    script: &Script,
    source: Option<&str>,
    options: &LintOptions,
    known_checks: &HashMap<String, (String, String)>,
) -> Result<LintReport, ScriptError> {
    let mut sections = vec![("upgrade", script.upgrade()?)];
    if options.downgrade {
        if let Some(down) = script.downgrade()? {
            sections.push(("downgrade", down));
        }
    }
    let allowances = match source {
        Some(text) => Allowances::parse(text, 1),
        None => {
            let mut a = Allowances::parse(&script.doc, 1);
            for (_, s) in &sections {
                a.add(&s.sql, s.first_line);
            }
            a
        }
    };
    let mut report = LintReport {
        revisions: vec![script.id.clone()],
        ..LintReport::default()
    };
    for (name, section) in sections {
        let statements = section.statements(options.dialect)?;
        let lines: Vec<usize> = statements.iter().map(|s| s.line).collect();
        for raw in engine::check(&statements, script.transactional, options, known_checks) {
            let statement = &statements[raw.statement];
            let finding = Finding {
                rule: raw.rule,
                revision: script.id.clone(),
                file: script.path.clone(),
                line: statement.line,
                section: name,
                statement: statement.sql.clone(),
                message: raw.message,
            };
            if allowances.allows(raw.rule, statement.line, &lines) {
                report.allowed.push(finding);
            } else {
                report.findings.push(finding);
            }
        }
    }
    report.warnings = allowances
        .problems
        .into_iter()
        .map(|(line, message)| LintWarning {
            file: script.path.clone(),
            line,
            message,
        })
        .collect();
    Ok(report)
}

/// The revisions `range` selects, oldest first: every revision without a
/// range; `A:B` as `history -r A:B` reads it; a single identifier (`head`,
/// an id, a prefix, `label@head`) for just those revisions. `current` needs
/// the database, which lint never reads, so it is refused.
pub fn select_revisions(project: &Project, range: Option<&str>) -> Result<Vec<String>> {
    let graph = project.graph();
    if range.is_some_and(|r| r.split(':').any(|side| side.trim() == "current")) {
        return Err(Error::Usage(
            "lint does not connect to the database, so 'current' cannot be used in its range; name revisions instead".into(),
        ));
    }
    let usage = |e: crate::graph::GraphError| Error::Usage(format!("bad lint range: {e}"));
    let mut ids: Vec<String> = match range {
        Some(r) if !r.contains(':') => graph.resolve(r.trim(), &[]).map_err(usage)?,
        _ => graph
            .history(range, &[])
            .map_err(usage)?
            .into_iter()
            .map(str::to_string)
            .collect(),
    };
    if range.is_none_or(|r| r.contains(':')) {
        // history is newest first; lint reads base to head.
        ids.reverse();
    }
    Ok(ids)
}

/// Lints the revisions `range` selects (see [`select_revisions`]), reading
/// each file again for its allow comments.
pub fn lint_project(
    project: &Project,
    range: Option<&str>,
    options: &LintOptions,
) -> Result<LintReport> {
    let ids = select_revisions(project, range)?;
    // NOT NULL checks of every revision, so that validating one added in
    // an earlier revision counts for R009.
    let mut checks = HashMap::new();
    for script in project.scripts() {
        engine::not_null_checks(
            &script.upgrade()?.statements(options.dialect)?,
            options.dialect,
            &mut checks,
        );
    }
    let mut report = LintReport::default();
    for id in ids {
        let script = project.require_script(&id)?;
        let source = read_source(&script.path);
        report.extend(lint_with(script, source.as_deref(), options, &checks)?);
    }
    Ok(report)
}

/// The file's text, when it can be read (projects built in memory have no
/// file; their allow comments are read from the sections).
fn read_source(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}
