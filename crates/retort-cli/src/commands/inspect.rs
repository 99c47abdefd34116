//! `current`, `history`, `heads`, `branches`, `show`: commands that report.

use retort::{Project, Result};
use serde::Serialize;

use crate::cli::{Cli, Format, HeadsArgs, HistoryArgs, ShowArgs};
use crate::context::{connect, load_and_connect, load_project};
use crate::output::{line, print_json, revision_json, verbose_entry, LineOptions};
use crate::term::{errln, out, outln};

/// Reads the current revisions, returning the project back with them.
fn with_current(cli: &Cli, project: Project) -> Result<(Project, Vec<String>)> {
    let mut migrator = connect(cli, project)?;
    let current = migrator.current()?;
    let project = migrator.into_project();
    Ok((project, current))
}

pub fn current(cli: &Cli, args: &crate::cli::CurrentArgs) -> Result<()> {
    if super::fleet::is_fleet(cli, &args.fleet) {
        let project = load_project(cli)?;
        let Some(targets) = super::fleet::targets(cli, &project, &args.fleet)? else {
            return Err(retort::Error::Usage("a fleet needs several targets".into()));
        };
        let options = super::fleet::options(&args.fleet, None);
        return super::fleet::run(cli, "current", &args.fleet, targets.len(), |on_done| {
            retort::fleet::current(&project, &targets, &options, on_done)
        });
    }
    let mut migrator = load_and_connect(cli)?;
    let rows = migrator.current()?;
    migrator.project().check_current(&rows)?;
    let changed = migrator.changed_revisions(&rows)?;
    let unfinished = migrator.unfinished()?;
    let project = migrator.into_project();
    let graph = project.graph();
    // As Alembic: the rows, plus the revisions they depend on, which show as
    // `(effective head)`.
    let current: Vec<String> = graph
        .all_current(&rows)?
        .into_iter()
        .map(str::to_string)
        .collect();
    match cli.format {
        Format::Json => {
            #[derive(Serialize)]
            struct CurrentJson<'a> {
                current: Vec<crate::output::RevisionJson<'a>>,
                at_head: bool,
                changed: &'a [retort::ChangedRevision],
                unfinished: &'a [retort::Unfinished],
            }
            let heads = graph.heads();
            let at_head =
                !current.is_empty() && current.iter().all(|c| heads.contains(&c.as_str()));
            let revisions = current
                .iter()
                .filter_map(|id| project.script(id))
                .map(|s| revision_json(graph, s, &current))
                .collect();
            print_json(&CurrentJson {
                current: revisions,
                at_head,
                changed: &changed,
                unfinished: &unfinished,
            });
        }
        Format::Text => {
            if current.is_empty() && !cli.quiet {
                errln!("The database has no revision applied (at base).");
            }
            for id in &current {
                let Some(script) = project.script(id) else {
                    continue;
                };
                if cli.verbose {
                    outln!("{}", verbose_entry(graph, script, &[]));
                } else {
                    let o = LineOptions {
                        heads: true,
                        tree: true,
                        ..LineOptions::default()
                    };
                    outln!("{}", line(graph, script, &[], o));
                }
            }
            if cli.verbose {
                for c in &changed {
                    outln!(
                        "Changed since applied: {} ({})\n  checksum when applied: {}\n  checksum of the file:  {}",
                        c.revision,
                        c.path.display(),
                        c.applied,
                        c.current
                    );
                }
            } else if !changed.is_empty() && !cli.quiet {
                errln!(
                    "{} {} applied revision(s) changed since they ran ({}); see `retort current --verbose`",
                    crate::term::warning_prefix(),
                    changed.len(),
                    changed.iter().map(|c| c.revision.as_str()).collect::<Vec<_>>().join(", ")
                );
            }
            for u in &unfinished {
                errln!(
                    "{} revision {} ({}) is half-applied: {} statement(s) completed{}; rerun the command after fixing it, or `retort resolve {} --applied|--rolled-back`",
                    crate::term::warning_prefix(),
                    u.revision,
                    u.direction,
                    u.statements_done,
                    if u.error.is_empty() { String::new() } else { format!(", then: {}", u.error.lines().next().unwrap_or("")) },
                    u.revision
                );
            }
        }
    }
    Ok(())
}

pub fn history(cli: &Cli, args: &HistoryArgs) -> Result<()> {
    let project = load_project(cli)?;
    let needs_db = args.indicate_current
        || args
            .rev_range
            .as_deref()
            .is_some_and(|r| r.contains("current"));
    let (project, current) = if needs_db {
        with_current(cli, project)?
    } else {
        (project, Vec::new())
    };
    let graph = project.graph();
    let revisions = graph.history(args.rev_range.as_deref(), &current)?;
    let marks: &[String] = if args.indicate_current { &current } else { &[] };
    match cli.format {
        Format::Json => {
            let list: Vec<_> = revisions
                .iter()
                .filter_map(|id| project.script(id))
                .map(|s| revision_json(graph, s, &current))
                .collect();
            print_json(&list);
        }
        Format::Text if args.graph => {
            out!(
                "{}",
                super::graph::view(&project, args.rev_range.as_deref(), &current, marks)?.text()
            );
        }
        Format::Text => {
            let o = LineOptions {
                parents: true,
                branches: true,
                doc: true,
                tree: true,
                heads: true,
            };
            let mut out = String::new();
            for id in revisions {
                let Some(script) = project.script(id) else {
                    continue;
                };
                if cli.verbose {
                    out.push_str(&verbose_entry(graph, script, marks));
                    out.push('\n');
                } else {
                    out.push_str(&line(graph, script, marks, o));
                    out.push('\n');
                }
            }
            out!("{out}");
        }
    }
    Ok(())
}

pub fn heads(cli: &Cli, args: &HeadsArgs) -> Result<()> {
    let project = load_project(cli)?;
    let graph = project.graph();
    // As Alembic: plain `heads` includes revisions that only a `Depends On`
    // points at (effective heads); `--resolve-dependencies` leaves those out.
    let heads: Vec<&str> = if args.resolve_dependencies {
        graph.real_heads()
    } else {
        graph.heads()
    };
    match cli.format {
        Format::Json => {
            let list: Vec<_> = heads
                .iter()
                .filter_map(|h| project.script(h))
                .map(|s| revision_json(graph, s, &[]))
                .collect();
            print_json(&list);
        }
        Format::Text => {
            for h in heads {
                let Some(script) = project.script(h) else {
                    continue;
                };
                if cli.verbose {
                    outln!("{}", verbose_entry(graph, script, &[]));
                } else {
                    let o = LineOptions {
                        branches: true,
                        heads: true,
                        ..LineOptions::default()
                    };
                    outln!("{}", line(graph, script, &[], o));
                }
            }
        }
    }
    Ok(())
}

pub fn branches(cli: &Cli) -> Result<()> {
    let project = load_project(cli)?;
    let graph = project.graph();
    let points: Vec<&str> = graph
        .history(None, &[])?
        .into_iter()
        .filter(|id| graph.is_branch_point(id))
        .collect();
    match cli.format {
        Format::Json => {
            let list: Vec<_> = points
                .iter()
                .filter_map(|id| project.script(id))
                .map(|s| {
                    serde_json::json!({
                        "branch_point": revision_json(graph, s, &[]),
                        "branches": graph.children(&s.id),
                    })
                })
                .collect();
            print_json(&list);
        }
        Format::Text => {
            for id in points {
                let Some(script) = project.script(id) else {
                    continue;
                };
                let o = LineOptions {
                    branches: true,
                    heads: true,
                    tree: true,
                    ..LineOptions::default()
                };
                if cli.verbose {
                    outln!("{}", verbose_entry(graph, script, &[]));
                } else {
                    outln!("{}", line(graph, script, &[], o));
                }
                let pad = " ".repeat(id.len());
                for child in graph.children(id) {
                    if let Some(c) = project.script(child) {
                        let co = LineOptions {
                            branches: true,
                            heads: true,
                            tree: true,
                            doc: cli.verbose,
                            ..LineOptions::default()
                        };
                        outln!("{pad} -> {}", line(graph, c, &[], co));
                    }
                }
                outln!();
            }
        }
    }
    Ok(())
}

pub fn show(cli: &Cli, args: &ShowArgs) -> Result<()> {
    let project = load_project(cli)?;
    let graph = project.graph();
    let ids = graph.resolve(&args.rev, &[])?;
    match cli.format {
        Format::Json => {
            let list: Vec<_> = ids
                .iter()
                .filter_map(|id| project.script(id))
                .map(|s| revision_json(graph, s, &[]))
                .collect();
            print_json(&list);
        }
        Format::Text => {
            for id in &ids {
                if let Some(script) = project.script(id) {
                    outln!("{}", verbose_entry(graph, script, &[]));
                }
            }
        }
    }
    Ok(())
}
