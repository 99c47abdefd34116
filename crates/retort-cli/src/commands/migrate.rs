//! `upgrade`, `downgrade`, `stamp`: commands that change the database (or,
//! with `--sql`, print what they would run).

use retort::plan::Direction;
use retort::runner::{describe_step, AppliedStep, Progress};
use retort::{offline_script, Error, Result};
use serde::Serialize;

use retort::dialect::sql;

use crate::cli::{
    AdoptArgs, Cli, DowngradeArgs, Format, ImportArgs, LockArgs, ResolveArgs, StampArgs,
    UpgradeArgs,
};
use crate::context::{connect, database_url, load_and_connect, load_project};
use crate::output::print_json;
use crate::progress::{self, Work};
use crate::term::{errln, out, outln};

#[derive(Serialize)]
struct RunJson<'a> {
    command: &'a str,
    target: &'a str,
    applied: &'a [AppliedStep],
    current: &'a [String],
}

/// Prints progress lines on standard error, as Alembic logs them.
fn progress_printer(cli: &Cli) -> impl FnMut(Progress<'_>) + '_ {
    move |event| {
        if cli.quiet || cli.format == Format::Json {
            return;
        }
        match event {
            Progress::Waiting { holder } => errln!(
                "Waiting for the migration lock: another runner is migrating this database{}…",
                holder.map(|h| format!(" ({h})")).unwrap_or_default()
            ),
            Progress::Resuming { step, done } => errln!(
                "Resuming revision {} after its first {done} statement(s), which already ran",
                step.revision
            ),
            Progress::Started { step, script } => errln!("{}", describe_step(step, script)),
            Progress::Finished { elapsed, .. } if cli.verbose => {
                errln!("  done in {} ms", elapsed.as_millis())
            }
            Progress::Finished { .. } => {}
        }
    }
}

pub fn upgrade(cli: &Cli, args: &UpgradeArgs) -> Result<()> {
    if args.sql {
        return offline(cli, Direction::Upgrade, &args.target);
    }
    if super::fleet::is_fleet(cli, &args.fleet) {
        return upgrade_fleet(cli, args);
    }
    let mut migrator = load_and_connect(cli)?;
    migrator.set_lock_timeout(lock_timeout(&args.lock)?);
    migrator.set_allow_changed(args.allow_changed);
    let ddl_commits = !migrator.kind().dialect().capabilities().transactional_ddl;
    if ddl_commits && !cli.quiet && cli.format == Format::Text {
        // Said once, before anything runs.
        let steps = migrator.plan_upgrade(&args.target).unwrap_or_default();
        let d = migrator.kind().dialect();
        let scripts = steps
            .iter()
            .filter_map(|s| migrator.project().script(&s.revision));
        let ids = retort::runner::non_atomic_revisions(d, scripts);
        if let Some(note) = retort::runner::non_atomic_note(d, &ids) {
            errln!("{} {note}", crate::term::note_prefix());
        }
    }
    let line = progress::Line::steps(cli);
    migrator.set_progress(line.hook(Work::Migration));
    let applied = migrator.upgrade(&args.target, &mut progress_printer(cli));
    drop(line);
    let applied = applied?;
    finish(cli, "upgrade", &args.target, &applied, &migrator.current()?);
    Ok(())
}

pub fn downgrade(cli: &Cli, args: &DowngradeArgs) -> Result<()> {
    if args.sql {
        return offline(cli, Direction::Downgrade, &args.target);
    }
    if super::fleet::is_fleet(cli, &args.fleet) {
        return downgrade_fleet(cli, args);
    }
    let mut migrator = load_and_connect(cli)?;
    migrator.set_lock_timeout(lock_timeout(&args.lock)?);
    let line = progress::Line::steps(cli);
    migrator.set_progress(line.hook(Work::Migration));
    let applied = migrator.downgrade(&args.target, &mut progress_printer(cli));
    drop(line);
    let applied = applied?;
    finish(
        cli,
        "downgrade",
        &args.target,
        &applied,
        &migrator.current()?,
    );
    Ok(())
}

fn finish(cli: &Cli, command: &str, target: &str, applied: &[AppliedStep], current: &[String]) {
    match cli.format {
        Format::Json => print_json(&RunJson {
            command,
            target,
            applied,
            current,
        }),
        Format::Text => {
            if applied.is_empty() && !cli.quiet {
                errln!(
                    "Nothing to do: the database is already at {target} ({}).",
                    if current.is_empty() {
                        "base".to_string()
                    } else {
                        current.join(", ")
                    }
                );
            }
        }
    }
}

pub fn stamp(cli: &Cli, args: &StampArgs) -> Result<()> {
    if super::fleet::is_fleet(cli, &args.fleet) {
        return super::fleet_commands::stamp(cli, args);
    }
    let project = load_project(cli)?;
    if args.sql {
        let url = database_url(cli, &project)?;
        let change = project.graph().stamp(&[], &args.revs, args.purge)?;
        let table = project.version_table();
        let history = project.history_table();
        let mut statements = project.config.session.clone();
        statements.extend([
            sql::create_version_table(url.kind.dialect(), &table),
            sql::create_history_table(url.kind.dialect(), &history),
            sql::begin(url.kind.dialect()).to_string(),
        ]);
        statements.extend(sql::version_change(&table, &change));
        statements.push(sql::commit(url.kind.dialect()).to_string());
        for statement in statements {
            out!("{statement};\n\n");
        }
        return Ok(());
    }
    let mut migrator = connect(cli, project)?;
    migrator.set_lock_timeout(lock_timeout(&args.lock)?);
    let change = migrator.stamp(&args.revs, args.purge, &mut progress_printer(cli))?;
    let current = migrator.current()?;
    match cli.format {
        Format::Json => print_json(&serde_json::json!({
            "command": "stamp",
            "deleted": change.delete,
            "inserted": change.insert,
            "current": current,
        })),
        Format::Text => {
            if !cli.quiet {
                errln!(
                    "Stamped: the database is now at {}.",
                    if current.is_empty() {
                        "base".to_string()
                    } else {
                        current.join(", ")
                    }
                );
            }
        }
    }
    Ok(())
}

/// `--sql`: the script from FROM (default: base for upgrades) to TO, for the
/// dialect of the configured URL; no connection is made.
fn offline(cli: &Cli, direction: Direction, target: &str) -> Result<()> {
    let project = load_project(cli)?;
    let url = database_url(cli, &project)?;
    let graph = project.graph();
    let (from, to) = match target.split_once(':') {
        Some((from, to)) => (Some(from), to),
        None => (None, target),
    };
    let start: Vec<String> = match (from, direction) {
        (Some(from), _) if from != "base" && !from.is_empty() => graph.resolve(from, &[])?,
        (Some(_), _) | (None, Direction::Upgrade) => Vec::new(),
        (None, Direction::Downgrade) => {
            return Err(Error::Usage(
                "downgrade --sql needs FROM:TO (offline mode has no database to read the start from), e.g. `retort downgrade head:base --sql`".into(),
            ))
        }
    };
    let steps = match direction {
        Direction::Upgrade => graph.upgrade_plan(&start, to)?,
        Direction::Downgrade => graph.downgrade_plan(&start, to)?,
    };
    let create = direction == Direction::Upgrade && start.is_empty();
    let script = offline_script(&project, url.kind, &steps, &start, create)?;
    out!("{script}");
    Ok(())
}

pub(super) fn lock_timeout(args: &LockArgs) -> Result<Option<std::time::Duration>> {
    match args.lock_timeout {
        None => Ok(None),
        Some(s) if s.is_finite() && s >= 0.0 => Ok(Some(std::time::Duration::from_secs_f64(s))),
        Some(s) => Err(Error::Usage(format!(
            "--lock-timeout {s}: give a number of seconds, 0 or more"
        ))),
    }
}

pub fn resolve(cli: &Cli, args: &ResolveArgs) -> Result<()> {
    let project = load_project(cli)?;
    let mut migrator = connect(cli, project)?;
    let stuck = migrator.resolve(&args.rev, args.applied)?;
    let current = migrator.current()?;
    let verdict = if args.applied {
        "applied"
    } else {
        "rolled_back"
    };
    match cli.format {
        Format::Json => print_json(&serde_json::json!({
            "command": "resolve",
            "revision": stuck.revision,
            "direction": stuck.direction,
            "resolved_as": verdict,
            "current": current,
        })),
        Format::Text => {
            if !cli.quiet {
                errln!(
                    "Resolved {} ({}) as {}; the database is at {}.",
                    stuck.revision,
                    stuck.direction,
                    verdict.replace('_', " "),
                    if current.is_empty() {
                        "base".to_string()
                    } else {
                        current.join(", ")
                    }
                );
            }
        }
    }
    Ok(())
}

/// `retort import --from TOOL DIR`: the tool's migrations as a chain of
/// revisions in the project's first version location.
pub fn import(cli: &Cli, args: &ImportArgs) -> Result<()> {
    let tool = retort::import::Tool::parse(&args.from)?;
    let project = load_project(cli)?;
    let versions = project
        .config
        .version_locations
        .first()
        .cloned()
        .ok_or_else(|| retort::Error::Config("no version location to import into".into()))?;
    let migrations = retort::import::read(tool, &args.dir)?;
    let written = retort::import::write(tool, &migrations, &versions)?;
    let irreversible = migrations.iter().filter(|m| m.down.is_none()).count();
    let outside = migrations.iter().filter(|m| !m.transactional).count();
    match cli.format {
        Format::Json => print_json(&serde_json::json!({
            "command": "import",
            "from": tool.name(),
            "revisions": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "irreversible": irreversible,
            "outside_a_transaction": outside,
        })),
        Format::Text => {
            for path in &written {
                outln!("{}", path.display());
            }
            if !cli.quiet {
                errln!(
                    "Imported {} {} migrations ({irreversible} without a down, {outside} outside a transaction). On a database {} already migrated, run `retort adopt --from {}`.",
                    written.len(),
                    tool.name(),
                    tool.name(),
                    tool.name()
                );
            }
        }
    }
    Ok(())
}

/// `retort adopt --from TOOL`: stamps the revision the tool's history
/// table says is applied.
pub fn adopt(cli: &Cli, args: &AdoptArgs) -> Result<()> {
    let tool = retort::import::Tool::parse(&args.from)?;
    let project = load_project(cli)?;
    let mut migrator = connect(cli, project)?;
    migrator.set_lock_timeout(lock_timeout(&args.lock)?);
    let adopted = retort::import::adopt(tool, &mut migrator)?;
    match cli.format {
        Format::Json => print_json(&serde_json::json!({
            "command": "adopt",
            "from": tool.name(),
            "applied": adopted.applied,
            "stamped": adopted.stamped,
        })),
        Format::Text => {
            if !cli.quiet {
                match &adopted.stamped {
                    Some(id) => errln!(
                        "Adopted: {} applied {} migrations; the database is now at {id}. Nothing ran.",
                        tool.name(),
                        adopted.applied.len()
                    ),
                    None => errln!("Adopted: {} applied nothing; the database stays at base.", tool.name()),
                }
            }
        }
    }
    Ok(())
}

/// `upgrade` on several targets (`--url` repeated, `--targets-file`).
fn upgrade_fleet(cli: &Cli, args: &UpgradeArgs) -> Result<()> {
    let project = load_project(cli)?;
    let Some(targets) = super::fleet::targets(cli, &project, &args.fleet)? else {
        return Err(Error::Usage("a fleet needs several targets".into()));
    };
    if args.allow_changed {
        return Err(Error::Usage(
            "--allow-changed works on one database at a time; run it on that target alone".into(),
        ));
    }
    let options = super::fleet::options(&args.fleet, lock_timeout(&args.lock)?);
    super::fleet::run(cli, "upgrade", &args.fleet, targets.len(), |on_done| {
        retort::fleet::upgrade(&project, &targets, &args.target, &options, on_done)
    })
}

/// `downgrade` on several targets.
fn downgrade_fleet(cli: &Cli, args: &DowngradeArgs) -> Result<()> {
    let project = load_project(cli)?;
    let Some(targets) = super::fleet::targets(cli, &project, &args.fleet)? else {
        return Err(Error::Usage("a fleet needs several targets".into()));
    };
    let options = super::fleet::options(&args.fleet, lock_timeout(&args.lock)?);
    super::fleet::run(cli, "downgrade", &args.fleet, targets.len(), |on_done| {
        retort::fleet::downgrade(&project, &targets, &args.target, &options, on_done)
    })
}
