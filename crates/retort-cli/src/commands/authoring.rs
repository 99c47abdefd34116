//! `init`, `revision`, `merge`: commands that write files.

use std::collections::BTreeMap;

use retort::authoring::{self, RevisionRequest, WrittenRevision};
use retort::Result;

use crate::cli::{Cli, Format, InitArgs, MergeArgs, RevisionArgs};
use crate::context::load_project;
use crate::output::print_json;

pub fn init(cli: &Cli, args: &InitArgs) -> Result<()> {
    let report = authoring::init_project(&args.dir)?;
    match cli.format {
        Format::Json => print_json(&report),
        Format::Text => {
            if !cli.quiet {
                for path in &report.created {
                    println!("Creating {} ...  done", path.display());
                }
                println!(
                    "Edit {} to point at your database, then `retort revision -m \"first revision\"`.",
                    args.dir.join("retort.toml").display()
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
            eprintln!("No changes detected: the revision's sections are empty.");
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
        Format::Text => println!("Generating {} ...  done", written.path.display()),
    }
}
