//! `verify`: the project's CI checks.

use std::process::ExitCode;

use retort::verify::{self, Options, Status};
use retort::Result;

use crate::cli::{Cli, Format, VerifyArgs};
use crate::context::{database_url, load_project};
use crate::output::print_json;
use crate::progress::{self, Work};
use crate::term::{errln, outln, paint, style, Stream};

pub fn verify(cli: &Cli, args: &VerifyArgs) -> Result<ExitCode> {
    if args.database_only || super::fleet::is_fleet(cli, &args.fleet) {
        return super::fleet_commands::verify(cli, args);
    }
    let project = load_project(cli)?;
    let scratch = super::autogen::scratch_server(cli, &project)?;
    let target = if args.no_database {
        None
    } else {
        Some(database_url(cli, &project)?)
    };
    let line = progress::Line::steps(cli);
    let report = verify::verify_with_progress(
        &project,
        &Options { scratch, target },
        &mut *line.hook(Work::Stairway),
    );
    drop(line);
    Ok(print_report(cli, &report?))
}

/// Prints a report (text or JSON); exit 1 when a check failed.
pub(super) fn print_report(cli: &Cli, report: &verify::Report) -> ExitCode {
    match cli.format {
        Format::Json => print_json(&serde_json::json!({
            "passed": report.passed(),
            "checks": report.checks,
        })),
        Format::Text => {
            for check in &report.checks {
                let (status, look) = match check.status {
                    Status::Passed => ("ok", style::GOOD),
                    Status::Failed => ("FAILED", style::ERROR),
                    Status::Skipped => ("skipped", style::CHANGED),
                };
                if cli.quiet && check.status != Status::Failed {
                    continue;
                }
                // Padded first, so the colour codes do not count as width.
                let status = paint(Stream::Out, look, &format!("{status:<7}"));
                outln!("{status} {:<12}{}", check.name, check.summary);
                for p in &check.problems {
                    let file = p
                        .file
                        .as_ref()
                        .map(|f| format!("{}: ", f.display()))
                        .unwrap_or_default();
                    outln!("{:20}{file}{}", "", p.message);
                    for line in &p.difference {
                        outln!("{:24}{line}", "");
                    }
                }
            }
            let failed = report
                .checks
                .iter()
                .filter(|c| c.status == Status::Failed)
                .count();
            if failed > 0 {
                let text = format!("{failed} of {} checks failed", report.checks.len());
                errln!("verify: {}", paint(Stream::Err, style::ERROR, &text));
            } else if !cli.quiet {
                errln!(
                    "verify: {}",
                    paint(Stream::Err, style::GOOD, "all checks passed")
                );
            }
        }
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
