//! `lint`: dangerous statements in revisions, without touching a database.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use retort::dialect::DialectKind;
use retort::lint::{lint_project, Finding, LintOptions, LintReport};
use retort::{Project, Result};
use serde::Serialize;

use crate::cli::{Cli, Format, LintArgs, LintDialect};
use crate::context::{database_url, load_project};
use crate::output::print_json;
use crate::term::{errln, out, outln, paint, style, Stream};

pub fn lint(cli: &Cli, args: &LintArgs) -> Result<ExitCode> {
    let project = load_project(cli)?;
    let dialect = dialect(cli, args, &project)?;
    let options = LintOptions {
        dialect,
        postgres_version: args.postgres_version,
        downgrade: args.downgrade,
        lock_wait_timeout_configured: project.config.lock_wait_timeout_set,
    };
    let report = lint_project(&project, args.range.as_deref(), &options)?;
    // Several DDL statements in one MySQL revision are rule R019 here (the
    // note `upgrade` prints says the same).
    let root = project.config.root.as_path();
    match cli.format {
        Format::Json => print_json(&json(&report, &options, root)),
        Format::Text => print_text(cli, &report, &options, root),
    }
    Ok(if report.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--dialect`, else the URL's scheme, else PostgreSQL (the strictest).
fn dialect(cli: &Cli, args: &LintArgs, project: &Project) -> Result<DialectKind> {
    if let Some(d) = args.dialect {
        return Ok(match d {
            LintDialect::Postgresql => DialectKind::Postgres,
            LintDialect::Sqlite => DialectKind::Sqlite,
            LintDialect::Mysql => DialectKind::Mysql,
        });
    }
    match project.config.resolve_url(cli.single_url()?) {
        // Only the scheme is read; nothing connects.
        Ok(_) => Ok(database_url(cli, project)?.kind),
        Err(_) => {
            if !cli.quiet {
                errln!(
                    "{} no database URL; linting with the PostgreSQL rules (pass --dialect to choose)",
                    crate::term::note_prefix(),
                );
            }
            Ok(DialectKind::Postgres)
        }
    }
}

/// A path as users typed it: relative to the project root when inside it.
fn shown(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A statement on one line, cut to `max` characters.
fn snippet(sql: &str, max: usize) -> String {
    let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        let cut: String = line.chars().take(max).collect();
        format!("{cut}…")
    }
}

fn print_text(cli: &Cli, report: &LintReport, options: &LintOptions, root: &Path) {
    for w in &report.warnings {
        errln!(
            "{} {}:{}: {}",
            crate::term::warning_prefix(),
            shown(&w.file, root),
            w.line,
            w.message
        );
    }
    let mut out = String::new();
    for f in &report.findings {
        let place = format!("{}:{}:", shown(&f.file, root), f.line);
        let rule = format!("{} {}:", f.rule.id(), f.rule.name());
        out.push_str(&format!(
            "{} {} {}\n    {}\n",
            paint(Stream::Out, style::EMPHASIS, &place),
            paint(Stream::Out, style::WARNING, &rule),
            f.message,
            snippet(&f.statement, 100)
        ));
        if f.section == "downgrade" {
            out.push_str("    (in the downgrade section)\n");
        }
    }
    out!("{out}");
    if cli.quiet {
        return;
    }
    let revisions = report.revisions.len();
    let rules = format!("{} rules", options.dialect.name());
    let allowed = match report.allowed.len() {
        0 => String::new(),
        n => format!("; {n} allowed by comments"),
    };
    if report.findings.is_empty() {
        let verdict = paint(Stream::Out, style::GOOD, "No problems");
        outln!("{verdict} in {revisions} revision(s) ({rules}){allowed}.");
    } else {
        let mut with: Vec<&str> = report
            .findings
            .iter()
            .map(|f| f.revision.as_str())
            .collect();
        with.sort_unstable();
        with.dedup();
        let verdict = format!("Found {} problem(s)", report.findings.len());
        outln!(
            "{} in {} of {revisions} revision(s) ({rules}){allowed}. Each rule is explained in docs/lint/; allow one with `-- retort-lint: allow RULE`.",
            paint(Stream::Out, style::ERROR, &verdict),
            with.len()
        );
    }
}

#[derive(Serialize)]
struct FindingJson<'a> {
    rule: &'static str,
    name: &'static str,
    revision: &'a str,
    file: String,
    line: usize,
    section: &'static str,
    statement: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct WarningJson<'a> {
    file: String,
    line: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct Counts {
    revisions: usize,
    findings: usize,
    allowed: usize,
    by_rule: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    dialect: &'static str,
    postgres_version: u32,
    revisions: &'a [String],
    findings: Vec<FindingJson<'a>>,
    allowed: Vec<FindingJson<'a>>,
    warnings: Vec<WarningJson<'a>>,
    counts: Counts,
}

fn finding_json<'a>(f: &'a Finding, root: &Path) -> FindingJson<'a> {
    FindingJson {
        rule: f.rule.id(),
        name: f.rule.name(),
        revision: &f.revision,
        file: shown(&f.file, root),
        line: f.line,
        section: f.section,
        statement: &f.statement,
        message: &f.message,
    }
}

fn json<'a>(report: &'a LintReport, options: &LintOptions, root: &Path) -> ReportJson<'a> {
    let mut by_rule = BTreeMap::new();
    for f in &report.findings {
        *by_rule.entry(f.rule.id()).or_insert(0) += 1;
    }
    ReportJson {
        dialect: options.dialect.name(),
        postgres_version: options.postgres_version,
        revisions: &report.revisions,
        findings: report
            .findings
            .iter()
            .map(|f| finding_json(f, root))
            .collect(),
        allowed: report
            .allowed
            .iter()
            .map(|f| finding_json(f, root))
            .collect(),
        warnings: report
            .warnings
            .iter()
            .map(|w| WarningJson {
                file: shown(&w.file, root),
                line: w.line,
                message: &w.message,
            })
            .collect(),
        counts: Counts {
            revisions: report.revisions.len(),
            findings: report.findings.len(),
            allowed: report.allowed.len(),
            by_rule,
        },
    }
}
