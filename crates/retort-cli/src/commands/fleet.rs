//! Fleets: several `--url`, `--targets-file`, `--targets GROUP` or tenant
//! schemas. One line per target, a summary, `--report FILE`, and exit 1
//! when a target failed; on a terminal, a live display too
//! ([`crate::fleet_live`]).

use std::path::Path;

use retort::fleet::{FleetOptions, OnError, Target, TargetOutcome};
use retort::{DatabaseUrl, Error, Project, Result};

use crate::cli::{Cli, FleetArgs, Format, OnErrorChoice};
use crate::output::print_json;
use crate::term::{errln, outln};

/// The fleet's targets, when the command runs on one: every `--url` and
/// every line of `--targets-file`. `None` for a single database.
pub fn targets(cli: &Cli, project: &Project, args: &FleetArgs) -> Result<Option<Vec<Target>>> {
    let targets = if !args.schemas.is_empty() || args.schemas_query.is_some() {
        Some(tenant_schemas(cli, project, args)?)
    } else {
        database_targets(cli, project, args)?
    };
    if let Some(targets) = &targets {
        crate::fleet_live::set_labels(targets.iter().map(Target::label).collect());
    }
    Ok(targets)
}

/// Whether the command runs on a fleet (several targets, a targets file, a
/// group, or tenant schemas).
pub fn is_fleet(cli: &Cli, args: &FleetArgs) -> bool {
    cli.url.len() > 1
        || args.targets_file.is_some()
        || args.targets.is_some()
        || !args.schemas.is_empty()
        || args.schemas_query.is_some()
}

/// Schema per tenant: the schemas of the one database (`--url` or the
/// config's), listed or queried.
fn tenant_schemas(cli: &Cli, project: &Project, args: &FleetArgs) -> Result<Vec<Target>> {
    let url = crate::context::database_url(cli, project)?;
    let schemas: Vec<String> = match &args.schemas_query {
        Some(sql) => retort::dialect::connect(&url)?
            .query_column(sql)
            .map_err(|db| Error::Config(format!("--schemas-query failed: {db}")))?
            .into_iter()
            .flatten()
            .collect(),
        None => args
            .schemas
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    };
    if schemas.is_empty() {
        return Err(Error::Config(
            "no tenant schema: --schemas and --schemas-query listed none".into(),
        ));
    }
    Ok(schemas
        .into_iter()
        .map(|s| Target::schema(url.clone(), s))
        .collect())
}

/// The fleet's targets: every `--url`, group and targets-file line. A line
/// is a URL, optionally followed by `schema=NAME` for one tenant schema of
/// that database, so that one fleet mixes databases and schemas.
fn database_targets(cli: &Cli, project: &Project, args: &FleetArgs) -> Result<Option<Vec<Target>>> {
    let mut urls: Vec<String> = cli.url.clone();
    // A group's URLs are relative to the project, as the config file's are.
    let mut from_config: Vec<String> = Vec::new();
    if let Some(group) = &args.targets {
        let Some(list) = project.config.targets.get(group) else {
            let known: Vec<&str> = project.config.targets.keys().map(String::as_str).collect();
            return Err(Error::Config(format!(
                "no target group '{group}' in [targets] of retort.toml (groups: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        };
        from_config.clone_from(list);
    }
    if let Some(file) = &args.targets_file {
        let text = std::fs::read_to_string(file).map_err(|e| {
            Error::Config(format!("cannot read targets file {}: {e}", file.display()))
        })?;
        urls.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string),
        );
        if urls.is_empty() {
            return Err(Error::Config(format!(
                "targets file {} lists no URL",
                file.display()
            )));
        }
    } else if urls.len() < 2 && args.targets.is_none() {
        return Ok(None);
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| Path::new(".").to_path_buf());
    let session = &project.config.session;
    let parse = |line: &String, base: &Path| -> Result<Target> {
        let mut words = line.split_whitespace();
        let url = DatabaseUrl::parse(words.next().unwrap_or_default(), base)?
            .with_session(session.clone());
        match words.next() {
            None => Ok(Target::database(url)),
            Some(word) => match (word.strip_prefix("schema="), words.next()) {
                (Some(schema), None) if !schema.is_empty() => {
                    Ok(Target::schema(url, schema.to_string()))
                }
                _ => Err(Error::Config(format!(
                    "target `{}`: after the URL only `schema=NAME` may follow",
                    retort::mask_url(line)
                ))),
            },
        }
    };
    let mut parsed = from_config
        .iter()
        .map(|u| parse(u, &project.config.root))
        .collect::<Result<Vec<_>>>()?;
    for u in &urls {
        parsed.push(parse(u, &cwd)?);
    }
    if parsed.is_empty() {
        return Err(Error::Config("the fleet has no target".into()));
    }
    Ok(Some(parsed))
}

pub fn options(args: &FleetArgs, lock_timeout: Option<std::time::Duration>) -> FleetOptions {
    FleetOptions {
        parallel: usize::from(args.parallel),
        on_error: match args.on_error {
            OnErrorChoice::Stop => OnError::Stop,
            OnErrorChoice::Continue => OnError::Continue,
        },
        lock_timeout,
        canary: args.canary,
        per_server: args.per_server.map(usize::from),
    }
}

/// One target's line: `ok`, `FAILED` or `skipped`, the URL, what happened.
fn line(o: &TargetOutcome, command: &str) -> String {
    if o.skipped {
        return format!(
            "skipped  {}  not started: an earlier target or a canary failed",
            o.target
        );
    }
    if let Some(e) = &o.error {
        return format!("FAILED   {}  {e}", o.target);
    }
    if o.differs() {
        return format!("DIFFERS  {}  {}", o.target, o.differences.join("; "));
    }
    let at = if o.current.is_empty() {
        "base".to_string()
    } else {
        o.current.join(", ")
    };
    let sign = match command {
        "upgrade" => "+",
        "downgrade" => "-",
        "check" => return format!("ok       {}  matches the desired schema", o.target),
        "verify" => {
            return format!(
                "ok       {}  applied revisions unchanged (at {at})",
                o.target
            )
        }
        "stamp" => return format!("ok       {}  stamped (now at {at})", o.target),
        _ => return format!("ok       {}  {at}", o.target),
    };
    if o.applied.is_empty() {
        return format!(
            "ok       {}  nothing to do (at {at}), {} ms",
            o.target, o.millis
        );
    }
    format!(
        "ok       {}  {sign}{} (now at {at}), {} ms",
        o.target,
        o.applied.len(),
        o.millis
    )
}

/// Prints each outcome as it comes (text), then the summary, the report and
/// the exit status.
pub fn run(
    cli: &Cli,
    command: &str,
    args: &FleetArgs,
    total: usize,
    go: impl FnOnce(&(dyn Fn(&TargetOutcome) + Sync)) -> Vec<TargetOutcome>,
) -> Result<()> {
    let text = cli.format == Format::Text;
    // Targets finish on several threads: one whole line at a time.
    let printing = std::sync::Mutex::new(());
    // On a terminal, a line per running target and a bar for the fleet.
    let live = crate::fleet_live::Live::start(cli, command, total, usize::from(args.parallel));
    let outcomes = go(&|o: &TargetOutcome| {
        let _one_at_a_time = printing.lock();
        live.finished(&o.target, || {
            if text {
                outln!("{}", line(o, command));
            }
        });
    });
    drop(live);
    let failed = outcomes.iter().filter(|o| o.failed()).count();
    let skipped = outcomes.iter().filter(|o| o.skipped).count();
    let changed = outcomes.iter().filter(|o| !o.applied.is_empty()).count();
    if let Some(path) = &args.report {
        let report = serde_json::json!({ "command": command, "targets": outcomes });
        let body = serde_json::to_string_pretty(&report).unwrap_or_default();
        std::fs::write(path, body).map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?;
    }
    match cli.format {
        Format::Json => print_json(&serde_json::json!({
            "command": command,
            "targets": outcomes,
            "failed": failed,
            "skipped": skipped,
        })),
        Format::Text => {
            if !cli.quiet {
                let done = total - failed - skipped;
                let differ = outcomes.iter().filter(|o| o.differs()).count();
                let detail = match command {
                    "current" => format!("{done} read"),
                    "stamp" => format!("{done} stamped"),
                    "check" | "verify" => format!("{} match, {differ} differ", done - differ),
                    verb => format!("{changed} {verb}d, {} already there", done - changed),
                };
                errln!("{total} targets: {detail}, {failed} failed, {skipped} not started.");
            }
        }
    }
    if failed > 0 {
        return Err(Error::FleetFailed { failed, total });
    }
    Ok(())
}
