//! `verify`: the project's CI checks.

use std::process::ExitCode;

use retort::verify::{self, Options, Status};
use retort::Result;

use crate::cli::{Cli, Format, VerifyArgs};
use crate::context::{database_url, load_project};
use crate::output::print_json;

pub fn verify(cli: &Cli, args: &VerifyArgs) -> Result<ExitCode> {
    let project = load_project(cli)?;
    let scratch = super::autogen::scratch_server(cli, &project)?;
    let target = if args.no_database {
        None
    } else {
        Some(database_url(cli, &project)?)
    };
    let report = verify::verify(&project, &Options { scratch, target })?;
    match cli.format {
        Format::Json => print_json(&serde_json::json!({
            "passed": report.passed(),
            "checks": report.checks,
        })),
        Format::Text => {
            for check in &report.checks {
                let status = match check.status {
                    Status::Passed => "ok",
                    Status::Failed => "FAILED",
                    Status::Skipped => "skipped",
                };
                if cli.quiet && check.status != Status::Failed {
                    continue;
                }
                println!("{status:<8}{:<12}{}", check.name, check.summary);
                for p in &check.problems {
                    let file = p
                        .file
                        .as_ref()
                        .map(|f| format!("{}: ", f.display()))
                        .unwrap_or_default();
                    println!("{:20}{file}{}", "", p.message);
                    for line in &p.difference {
                        println!("{:24}{line}", "");
                    }
                }
            }
            let failed = report
                .checks
                .iter()
                .filter(|c| c.status == Status::Failed)
                .count();
            if failed > 0 {
                eprintln!("verify: {failed} of {} checks failed", report.checks.len());
            } else if !cli.quiet {
                eprintln!("verify: all checks passed");
            }
        }
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
