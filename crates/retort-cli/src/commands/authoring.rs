//! `init`, `revision`, `merge`: commands that write files.

use std::collections::BTreeMap;

use retort::authoring::{self, RevisionRequest, WrittenRevision};
use retort::Result;

use crate::cli::{Cli, Format, InitArgs, MergeArgs, RevisionArgs};
use crate::context::load_project;
use crate::output::print_json;
use crate::term::{errln, outln};

pub fn init(cli: &Cli, args: &InitArgs) -> Result<()> {
    if let Some(file) = &args.from_sql {
        return init_from_sql(cli, args, file);
    }
    let report = authoring::init_project(&args.dir)?;
    match cli.format {
        Format::Json => print_json(&report),
        Format::Text => {
            if !cli.quiet {
                print_created(&report.created);
                outln!(
                    "Edit {} to point at your database, then `retort revision -m \"first revision\"`.",
                    args.dir.join("retort.toml").display()
                );
            }
        }
    }
    Ok(())
}

fn print_created(paths: &[std::path::PathBuf]) {
    for path in paths {
        outln!("Creating {} ...  done", path.display());
    }
}

/// `init --from-sql`: the scratch database's dialect (and PostgreSQL
/// server) comes from --url or RETORT_DATABASE_URL; without either, SQLite.
fn init_from_sql(cli: &Cli, args: &InitArgs, file: &std::path::Path) -> Result<()> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let url = retort::config::url_override(cli.single_url()?)
        .map_or_else(|| "sqlite://:memory:".to_string(), |(url, _)| url);
    let server = retort::DatabaseUrl::parse(&url, &cwd)?;
    let report =
        authoring::init_from_sql(&args.dir, file, &server, args.rev_id.clone(), &args.message)?;
    match cli.format {
        Format::Json => print_json(&report),
        Format::Text => {
            if !cli.quiet {
                print_created(&report.created);
                outln!(
                    "Copying {} to {} ...  done",
                    file.display(),
                    report.schema.display()
                );
                outln!("Generating {} ...  done", report.revision.path.display());
                outln!(
                    "Its upgrade is {}; its downgrade drops what it creates ({} changes).",
                    file.display(),
                    report.downgrade_changes
                );
                outln!(
                    "Edit {} to point at your database. A database that already has this schema: `retort stamp {}`; a new one: `retort upgrade head`.",
                    args.dir.join("retort.toml").display(),
                    report.revision.revision
                );
            }
        }
    }
    Ok(())
}

fn x_args(cli: &Cli) -> BTreeMap<String, String> {
    cli.x.iter().cloned().collect()
}

pub fn revision(cli: &Cli, args: &RevisionArgs) -> Result<()> {
    let project = load_project(cli)?;
    let mut req = RevisionRequest {
        message: args.message.clone(),
        head: args.head.clone(),
        splice: args.splice,
        branch_labels: args.branch_label.clone(),
        depends_on: args.depends_on.clone(),
        rev_id: args.rev_id.clone(),
        version_path: args.version_path.clone(),
        x: x_args(cli),
        ..RevisionRequest::default()
    };
    if args.autogenerate {
        let (comparison, lines) = super::autogen::compare_for_revision(
            cli,
            &project,
            args.from_migrations,
            &args.rename,
            true,
        )?;
        if comparison.is_empty() && !cli.quiet {
            errln!("No changes detected: the revision's sections are empty.");
        }
        for line in comparison.cannot_apply() {
            errln!("warning: {line}; the revision says so in a comment: do it by hand");
        }
        req.upgrades = comparison.upgrade_sql()?;
        req.downgrades = comparison.downgrade_sql()?;
        req.comment_lines = lines;
    }
    let written = authoring::create_revision(&project, &req)?;
    report(cli, &written);
    Ok(())
}

pub fn merge(cli: &Cli, args: &MergeArgs) -> Result<()> {
    let project = load_project(cli)?;
    let req = RevisionRequest {
        message: args.message.clone(),
        branch_labels: args.branch_label.clone(),
        rev_id: args.rev_id.clone(),
        x: x_args(cli),
        ..RevisionRequest::default()
    };
    let written = authoring::create_merge(&project, &args.revs, &req)?;
    report(cli, &written);
    Ok(())
}

fn report(cli: &Cli, written: &WrittenRevision) {
    match cli.format {
        Format::Json => print_json(written),
        Format::Text => outln!("Generating {} ...  done", written.path.display()),
    }
}

/// `squash FROM:TO -m MSG`. The target database, when reachable, is read
/// so that squashing away the revision it is at is refused.
pub fn squash(cli: &Cli, args: &crate::cli::SquashArgs) -> Result<()> {
    let project = load_project(cli)?;
    let server = super::autogen::scratch_server(cli, &project)?;
    let current = crate::context::connect(cli, project.clone()).and_then(|mut m| m.current());
    let current = match current {
        Ok(c) => Some(c),
        Err(e) => {
            if !cli.quiet {
                errln!(
                    "{} the database was not read ({e}); make sure no database is at a revision inside the range",
                    crate::term::note_prefix(),
                );
            }
            None
        }
    };
    let report = retort::squash::squash(
        &project,
        &args.range,
        &args.message,
        &server,
        current.as_deref(),
    )?;
    match cli.format {
        Format::Json => print_json(&report),
        Format::Text => {
            if !cli.quiet {
                for path in &report.removed {
                    outln!("Removing {} ...  done", path.display());
                }
                outln!("Generating {} ...  done", report.revision.path.display());
                outln!(
                    "Squashed {} revisions into {} ({} changes); the project builds the same schema at {} (checked in a scratch database).",
                    report.replaced.len(),
                    report.revision.revision,
                    report.changes,
                    report.revision.revision
                );
                outln!(
                    "Databases that applied {} see its checksum change: accept the squash there once with `retort upgrade --allow-changed`.",
                    report.revision.revision
                );
            }
            for id in &report.data_statements_in {
                errln!(
                    "{} {id} had data statements (INSERT/UPDATE/DELETE/COPY/MERGE) that the squashed revision does not carry over; add them to it by hand if new databases need them",
                    crate::term::warning_prefix(),
                );
            }
        }
    }
    Ok(())
}
