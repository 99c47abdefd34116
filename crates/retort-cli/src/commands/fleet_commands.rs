//! `check`, `verify --database-only` and `stamp` on a fleet: the same
//! targets as `upgrade` (see [`super::fleet`]), one line per target, a
//! summary, `--report FILE`, and exit 1 when a target failed or differs.

use std::collections::HashMap;
use std::process::ExitCode;

use retort::autogen::{self, Comparison, Source};
use retort::dialect::DialectKind;
use retort::fleet::{self, Found, Target, TargetOutcome};
use retort::schema::Schema;
use retort::{DatabaseUrl, Error, Project, Result};

use crate::cli::{CheckArgs, Cli, FleetArgs, StampArgs, VerifyArgs};
use crate::context::{database_url, load_project};

/// The fleet's targets; an error when the arguments name none.
fn fleet_targets(cli: &Cli, project: &Project, args: &FleetArgs) -> Result<Vec<Target>> {
    super::fleet::targets(cli, project, args)?
        .ok_or_else(|| Error::Usage("a fleet needs several targets".into()))
}

/// [`super::fleet::run`], then exit 1 when a target differs (a failure
/// already is an error).
fn run_and_compare(
    cli: &Cli,
    command: &str,
    args: &FleetArgs,
    total: usize,
    go: impl FnOnce(&(dyn Fn(&TargetOutcome) + Sync)) -> Vec<TargetOutcome>,
) -> Result<ExitCode> {
    let differ = std::cell::Cell::new(0);
    super::fleet::run(cli, command, args, total, |on_done| {
        let outcomes = go(on_done);
        differ.set(outcomes.iter().filter(|o| o.differs()).count());
        outcomes
    })?;
    Ok(if differ.get() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `retort stamp REV… --targets-file …`: every target's version table set,
/// nothing run.
pub fn stamp(cli: &Cli, args: &StampArgs) -> Result<()> {
    if args.sql {
        return Err(Error::Usage(
            "stamp --sql prints one script; it does not run on a fleet".into(),
        ));
    }
    let project = load_project(cli)?;
    let targets = fleet_targets(cli, &project, &args.fleet)?;
    let timeout = super::migrate::lock_timeout(&args.lock)?;
    let options = super::fleet::options(&args.fleet, timeout);
    super::fleet::run(cli, "stamp", &args.fleet, targets.len(), |on_done| {
        fleet::stamp(
            &project, &targets, &args.revs, args.purge, &options, on_done,
        )
    })
}

/// `retort verify --database-only`: on one database, the checksums check
/// alone; on a fleet, every target's applied revisions.
pub fn verify(cli: &Cli, args: &VerifyArgs) -> Result<ExitCode> {
    let project = load_project(cli)?;
    if !super::fleet::is_fleet(cli, &args.fleet) {
        let url = database_url(cli, &project)?;
        let report = retort::verify::database_only(&project, &url);
        return Ok(super::verify::print_report(cli, &report));
    }
    if !args.database_only {
        return Err(Error::Usage(
            "verify on a fleet checks the targets only: pass --database-only (the other checks are about the project; run them once, on one database)".into(),
        ));
    }
    let targets = fleet_targets(cli, &project, &args.fleet)?;
    let options = super::fleet::options(&args.fleet, None);
    run_and_compare(cli, "verify", &args.fleet, targets.len(), |on_done| {
        fleet::changed_revisions(&project, &targets, &options, on_done)
    })
}

/// `retort check` on a fleet: each target (at head) compared with the
/// desired schema, which is read once per dialect.
pub fn check(cli: &Cli, args: &CheckArgs) -> Result<ExitCode> {
    let project = load_project(cli)?;
    let targets = fleet_targets(cli, &project, &args.fleet)?;
    if targets.iter().any(|t| t.schema.is_some()) {
        return Err(Error::Usage(
            "check does not run on tenant schemas yet (a schema's objects are named after it, the desired schema's are not); check one tenant's database with --url, or use verify --database-only".into(),
        ));
    }
    let to = Source::Sql(project.config.autogenerate_schema.clone());
    let desired = desired_schemas(cli, &project, &targets, &to)?;
    let mut heads: Vec<String> = project
        .graph()
        .heads()
        .iter()
        .map(|h| h.to_string())
        .collect();
    heads.sort();
    let options = super::fleet::options(&args.fleet, None);
    let work = |target: &Target| -> Result<Found> {
        let mut m = target.connect(&project)?;
        let mut current = m.current()?;
        current.sort();
        if current != heads {
            return Err(Error::Usage(format!(
                "not up to date (at {}, heads are {}); upgrade it first",
                if current.is_empty() {
                    "base".to_string()
                } else {
                    current.join(", ")
                },
                heads.join(", ")
            )));
        }
        drop(m);
        let new = match desired.get(&target.url.kind) {
            Some(Ok(schema)) => schema,
            Some(Err(e)) => return Err(Error::Usage(e.clone())),
            None => return Err(Error::Usage("no desired schema for this dialect".into())),
        };
        let old = autogen::read(&project, &Source::Database(target.url.clone()), &target.url)?;
        let renames = super::autogen::renames(cli, &args.rename, &to, &old, new, false)?;
        let comparison = Comparison::with_renames(target.url.kind, &old, new, &renames);
        Ok(Found {
            current,
            differences: comparison.upgrade.iter().map(autogen::summary).collect(),
            ..Found::default()
        })
    };
    run_and_compare(cli, "check", &args.fleet, targets.len(), |on_done| {
        fleet::each(&targets, &options, on_done, &work)
    })
}

/// The desired schema once per dialect of the fleet, loaded on `dev_url`
/// when it is of that dialect, else on the first target's server; a
/// dialect whose load failed keeps its error for its targets.
fn desired_schemas(
    cli: &Cli,
    project: &Project,
    targets: &[Target],
    to: &Source,
) -> Result<HashMap<DialectKind, std::result::Result<Schema, String>>> {
    let dev = match &project.config.dev_url {
        Some(url) => Some(
            DatabaseUrl::parse(url, &project.config.root)?
                .with_session(project.config.session.clone()),
        ),
        None => None,
    };
    let mut desired = HashMap::new();
    for target in targets {
        let kind = target.url.kind;
        if desired.contains_key(&kind) {
            continue;
        }
        let server = match &dev {
            Some(dev) if dev.kind == kind => dev.clone(),
            _ => target.url.clone(),
        };
        let line =
            crate::progress::Line::spinner(cli, &format!("reading {} ({kind})", to.describe()));
        let schema = autogen::read(project, to, &server).map_err(|e| {
            format!(
                "the desired schema could not be loaded on {}: {e}",
                server.masked()
            )
        });
        drop(line);
        desired.insert(kind, schema);
    }
    Ok(desired)
}
