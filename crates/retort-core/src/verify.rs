//! `retort verify`: the checks a team would otherwise write by hand for CI
//! (pytest-alembic's), run against the project and a scratch database.
//!
//! 1. **heads**: one head, unless every head is on its own labelled branch.
//! 2. **checksums**: every revision the target database has applied is
//!    unchanged since (skipped when no database is given).
//! 3. **downgrades**: every revision has a downgrade with statements in it,
//!    or is marked irreversible (no `-- +downgrade` section).
//! 4. **stairway**: in a scratch database, every revision is applied in
//!    order, then taken down and applied again; the schema after the
//!    downgrade must equal the schema before the revision, and the schema
//!    after the second upgrade the one after the first.
//! 5. **schema**: the schema at head equals the desired schema
//!    (`[autogenerate] schema`), so autogenerate would find nothing.
//!
//! Every failure names the revision and shows the schema difference.

use std::path::PathBuf;

use serde::Serialize;

use crate::autogen::{self, Comparison, Source};
use crate::db_url::DatabaseUrl;
use crate::dialect::introspect;
use crate::dialect::DialectKind;
use crate::error::{Error, Result};
use crate::migrator::Migrator;
use crate::plan::Direction;
use crate::progress::{ProgressEvent, ProgressFn, StepProgress};
use crate::project::Project;
use crate::schema::Schema;

/// Where `verify` works.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the scratch database for the stairway is made (`dev_url`, or
    /// the target database's server).
    pub scratch: DatabaseUrl,
    /// The database whose applied checksums are checked; `None` skips that
    /// check.
    pub target: Option<DatabaseUrl>,
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nothing wrong.
    Passed,
    /// At least one problem.
    Failed,
    /// Not run (the summary says why).
    Skipped,
}

/// One problem a check found.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// The revision it is about, if any.
    pub revision: Option<String>,
    /// That revision's file.
    pub file: Option<PathBuf>,
    /// What is wrong and what to do.
    pub message: String,
    /// The schema difference, one change per line (`expected → found`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub difference: Vec<String>,
}

/// One check and its result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `heads`, `checksums`, `downgrades`, `stairway` or `schema`.
    pub name: &'static str,
    /// Its outcome.
    pub status: Status,
    /// One line about what was checked.
    pub summary: String,
    /// What failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

impl Check {
    fn new(name: &'static str, summary: String, problems: Vec<Problem>) -> Self {
        let status = if problems.is_empty() {
            Status::Passed
        } else {
            Status::Failed
        };
        Self {
            name,
            status,
            summary,
            problems,
        }
    }

    fn skipped(name: &'static str, why: String) -> Self {
        Self {
            name,
            status: Status::Skipped,
            summary: why,
            problems: Vec::new(),
        }
    }
}

/// Everything `verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The checks, in the order they ran.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Failed)
    }
}

/// Runs every check. Errors are returned only when verification itself
/// cannot run (the scratch server is unreachable, a file does not parse);
/// what is wrong with the project is in the report.
pub fn verify(project: &Project, options: &Options) -> Result<Report> {
    verify_with_progress(project, options, &mut |_| {})
}

/// [`verify`], telling `progress` as each check starts
/// ([`ProgressEvent::Stage`] with the check's name) and as each revision of
/// the stairway starts and finishes (numbered steps).
pub fn verify_with_progress(
    project: &Project,
    options: &Options,
    progress: &mut ProgressFn,
) -> Result<Report> {
    progress(&ProgressEvent::Stage { name: "heads" });
    let mut checks = vec![check_heads(project)];
    progress(&ProgressEvent::Stage { name: "checksums" });
    checks.push(checksums(project, options.target.as_ref()));
    progress(&ProgressEvent::Stage { name: "downgrades" });
    checks.push(downgrades(project, options.scratch.kind)?);
    progress(&ProgressEvent::Stage { name: "stairway" });
    let (stairway, head) = stairway(project, &options.scratch, progress)?;
    checks.push(stairway);
    progress(&ProgressEvent::Stage { name: "schema" });
    checks.push(desired(project, &options.scratch, head.as_ref())?);
    Ok(Report { checks })
}

/// `verify --database-only`: only the checksums check, on `target` (no
/// scratch database).
pub fn database_only(project: &Project, target: &DatabaseUrl) -> Report {
    Report {
        checks: vec![checksums(project, Some(target))],
    }
}

fn problem(project: &Project, revision: &str, message: String, difference: Vec<String>) -> Problem {
    Problem {
        revision: Some(revision.to_string()),
        file: project.script(revision).map(|s| s.path.clone()),
        message,
        difference,
    }
}

/// `verify`'s first check: one head, or several that each sit on their own
/// labelled branch (`embed_migrations!` applies it at compile time).
pub fn check_heads(project: &Project) -> Check {
    let graph = project.graph();
    let heads = graph.heads();
    match heads.len() {
        0 => Check::new("heads", "no revisions yet".into(), Vec::new()),
        1 => Check::new("heads", format!("one head ({})", heads[0]), Vec::new()),
        n => {
            // Labels spread to descendants, so heads share their trunk's
            // label; a declared branch is a label only one head carries.
            let labels: Vec<Vec<&str>> = heads.iter().map(|h| graph.branch_labels(h)).collect();
            let mut problems = Vec::new();
            for (i, head) in heads.iter().enumerate() {
                let own = labels[i].iter().any(|l| {
                    labels
                        .iter()
                        .enumerate()
                        .all(|(j, other)| j == i || !other.contains(l))
                });
                if !own {
                    problems.push(problem(
                        project,
                        head,
                        format!(
                            "{head} is one of {n} heads and is on no branch of its own; merge the heads (`retort merge -m MSG heads`) or declare the branch with a `Branch Labels:` header on its first revision"
                        ),
                        Vec::new(),
                    ));
                }
            }
            Check::new(
                "heads",
                format!("{n} heads ({})", heads.join(", ")),
                problems,
            )
        }
    }
}

/// Applied revisions unchanged since they ran.
fn checksums(project: &Project, target: Option<&DatabaseUrl>) -> Check {
    let Some(url) = target else {
        return Check::skipped("checksums", "no database to compare with".into());
    };
    if let Some(crate::db_url::SqliteTarget::File(path)) = &url.sqlite {
        if !path.exists() {
            return Check::skipped(
                "checksums",
                format!("{} does not exist yet: nothing is applied", path.display()),
            );
        }
    }
    let failed = |message: String| {
        Check::new(
            "checksums",
            format!("database {}", url.masked()),
            vec![Problem {
                revision: None,
                file: None,
                message,
                difference: Vec::new(),
            }],
        )
    };
    let mut migrator = match Migrator::connect_url(project.clone(), url) {
        Ok(m) => m,
        Err(e) => return failed(format!("{e}; pass --no-database to skip this check")),
    };
    let current = match migrator.current() {
        Ok(c) => c,
        Err(e) => return failed(e.to_string()),
    };
    if let Err(e) = project.check_current(&current) {
        return failed(e.to_string());
    }
    match migrator.changed_revisions(&current) {
        Err(e) => failed(e.to_string()),
        Ok(changed) => {
            let problems = changed
                .iter()
                .map(|c| Problem {
                    revision: Some(c.revision.clone()),
                    file: Some(c.path.clone()),
                    message: format!(
                        "{} was edited after it was applied to {} (checksum then {}, now {}); put the change in a new revision, or accept it with `retort upgrade --allow-changed`",
                        c.revision,
                        url.masked(),
                        short(&c.applied),
                        short(&c.current)
                    ),
                    difference: Vec::new(),
                })
                .collect();
            let applied: usize = {
                let graph = project.graph();
                let mut all: Vec<&str> = current.iter().flat_map(|c| graph.ancestors(c)).collect();
                all.sort_unstable();
                all.dedup();
                all.len()
            };
            Check::new(
                "checksums",
                format!("{applied} applied revision(s) in {}", url.masked()),
                problems,
            )
        }
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Every revision that changes something has a downgrade with statements,
/// or is marked irreversible.
fn downgrades(project: &Project, dialect: DialectKind) -> Result<Check> {
    let mut irreversible = Vec::new();
    let mut problems = Vec::new();
    for script in project.scripts() {
        match script.downgrade()? {
            None => irreversible.push(script.id.clone()),
            Some(section) => {
                let empty = |section: &crate::script::Section| {
                    crate::script::split(&section.sql, section.first_line, dialect)
                        .map(|statements| statements.is_empty())
                        .unwrap_or(false)
                };
                // A merge point or a no-op revision may be empty both ways.
                let upgrade_does_something = !empty(script.upgrade()?);
                if upgrade_does_something && empty(section) {
                    problems.push(problem(
                        project,
                        &script.id,
                        format!(
                            "{} has an empty downgrade section; write the downgrade, or delete the `-- +downgrade` line to mark the revision irreversible",
                            script.id
                        ),
                        Vec::new(),
                    ));
                }
            }
        }
    }
    irreversible.sort();
    let summary = if irreversible.is_empty() {
        format!(
            "{} revision(s), every one reversible",
            project.scripts().len()
        )
    } else {
        format!(
            "{} revision(s); marked irreversible: {}",
            project.scripts().len(),
            irreversible.join(", ")
        )
    };
    Ok(Check::new("downgrades", summary, problems))
}

/// The changes that turn `found` into `expected`, one line each.
fn difference(dialect: DialectKind, found: &Schema, expected: &Schema) -> Vec<String> {
    Comparison::new(dialect, found, expected)
        .upgrade
        .iter()
        .map(autogen::summary)
        .collect()
}

/// Upgrade, downgrade, upgrade each revision in a scratch database. Returns
/// the check and, when every step ran, the schema at head.
fn stairway(
    project: &Project,
    server: &DatabaseUrl,
    progress: &mut ProgressFn,
) -> Result<(Check, Option<Schema>)> {
    let order: Vec<String> = project
        .graph()
        .upgrade_plan(&[], "heads")
        .map_err(Error::from)?
        .into_iter()
        .map(|step| step.revision)
        .collect();
    let mut scratch = crate::load::scratch_for_revisions(server, project)?;
    let mut migrator = Migrator::with_connection(project.clone(), scratch.take());
    let exclude = [project.version_table(), project.history_table()];
    // Privileges take part only when the project asks for them.
    let privileges = crate::schema::Filter {
        privileges: project.config.filter.privileges,
        ..Default::default()
    };
    let look = |m: &mut Migrator| {
        introspect(m.connection(), &exclude).map(|mut s| {
            privileges.apply(&mut s);
            s
        })
    };
    let mut before = look(&mut migrator)?;
    let mut round_trips = 0;
    // A failed step leaves the scratch database somewhere in between: the
    // stairway stops there and head is not reached.
    let mut stopped = false;
    let mut problems = Vec::new();
    let dialect = server.kind;
    let where_ = crate::dialect::of(dialect).describe_scratch(server);
    for (i, id) in order.iter().enumerate() {
        let step = StepProgress {
            index: i + 1,
            total: order.len(),
            revision: id,
            message: project.script(id).map_or("", |s| s.message.as_str()),
            direction: Direction::Upgrade,
        };
        let started = std::time::Instant::now();
        progress(&ProgressEvent::StepStarted(step));
        let fail = |what: &str, e: Error| {
            problem(
                project,
                id,
                format!("{what} of {id} failed: {e}"),
                Vec::new(),
            )
        };
        if let Err(e) = migrator.upgrade(id, &mut |_| {}) {
            problems.push(fail("the upgrade", e));
            stopped = true;
            break;
        }
        let after = look(&mut migrator)?;
        if project.script(id).is_some_and(|s| !s.is_reversible()) {
            before = after;
            progress(&ProgressEvent::StepFinished {
                step,
                elapsed: started.elapsed(),
            });
            continue;
        }
        if let Err(e) = migrator.downgrade_revision(id, &mut |_| {}) {
            problems.push(fail("the downgrade", e));
            stopped = true;
            break;
        }
        let down = look(&mut migrator)?;
        if down != before {
            problems.push(problem(
                project,
                id,
                format!("the downgrade of {id} does not restore the schema it started from; what it leaves to undo:"),
                difference(dialect, &down, &before),
            ));
        }
        if let Err(e) = migrator.upgrade(id, &mut |_| {}) {
            problems.push(fail("upgrading again after the downgrade", e));
            stopped = true;
            break;
        }
        let again = look(&mut migrator)?;
        if again != after {
            problems.push(problem(
                project,
                id,
                format!("{id} gives a different schema when applied again after its downgrade; the difference:"),
                difference(dialect, &again, &after),
            ));
        }
        round_trips += 1;
        before = again;
        progress(&ProgressEvent::StepFinished {
            step,
            elapsed: started.elapsed(),
        });
    }
    let summary = format!(
        "{round_trips} upgrade/downgrade/upgrade round trip(s) of {} revision(s) in {where_}",
        order.len()
    );
    let head = (!stopped).then(|| {
        let mut schema = before;
        project.config.filter.apply(&mut schema);
        schema
    });
    Ok((Check::new("stairway", summary, problems), head))
}

/// The schema at head equals the desired schema.
fn desired(project: &Project, server: &DatabaseUrl, head: Option<&Schema>) -> Result<Check> {
    let paths = &project.config.autogenerate_schema;
    let missing: Vec<&PathBuf> = paths.iter().filter(|p| !p.exists()).collect();
    if paths.is_empty() || missing.len() == paths.len() {
        return Ok(Check::skipped(
            "schema",
            "no desired schema ([autogenerate] schema) to compare with".into(),
        ));
    }
    let Some(head) = head else {
        return Ok(Check::skipped(
            "schema",
            "the stairway did not reach head".into(),
        ));
    };
    let source = Source::Sql(paths.clone());
    let wanted = autogen::read(project, &source, server)?;
    let changes = difference(server.kind, head, &wanted);
    let summary = format!("head compared with {}", source.describe());
    if changes.is_empty() {
        return Ok(Check::new("schema", summary, Vec::new()));
    }
    Ok(Check::new(
        "schema",
        summary,
        vec![Problem {
            revision: None,
            file: None,
            message: "the revisions do not produce the desired schema; `retort revision --autogenerate -m MSG` writes the missing revision:".into(),
            difference: changes,
        }],
    ))
}
