//! `diff`, `check`, and the comparison behind `revision --autogenerate`.

use std::process::ExitCode;

use std::io::{BufRead, IsTerminal, Write};

use retort::autogen::{self, Comparison, Source};
use retort::schema::rename::{self, Rename, RenameRequest};
use retort::schema::Schema;
use retort::{DatabaseUrl, Error, Migrator, Project, Result};

use crate::cli::{CheckArgs, Cli, DiffArgs, Format, RenameArgs};
use crate::context::{database_url, load_project};
use crate::output::print_json;
use crate::progress;
use crate::term::{errln, outln, paint, style, Stream};

/// Where scratch databases are made: `[autogenerate] dev_url`, else the
/// target database's server.
pub(super) fn scratch_server(cli: &Cli, project: &Project) -> Result<DatabaseUrl> {
    match &project.config.dev_url {
        Some(url) => Ok(DatabaseUrl::parse(url, &project.config.root)?
            .with_session(project.config.session.clone())),
        None => database_url(cli, project),
    }
}

/// `retort diff`: inside a project or outside one (see [`super::sides`]).
/// Exit 0 when the diff ran; with `--exit-code`, 1 when it found
/// differences.
pub fn diff(cli: &Cli, args: &DiffArgs) -> Result<ExitCode> {
    let (sides, sources) = super::sides::resolve(
        cli,
        &[("--from", &args.from), ("--to", &args.to)],
        args.dev.dev_url.as_deref(),
    )?;
    let [from, to] = <[Source; 2]>::try_from(sources)
        .map_err(|_| Error::Usage("expected --from and --to".into()))?;
    let line = progress::Line::spinner(
        cli,
        &format!("reading {} and {}", from.describe(), to.describe()),
    );
    let scope = sides
        .scope()
        .with_privileges(args.privileges.with_privileges);
    let read = autogen::read_both_in(scope, &from, &to, &sides.server);
    drop(line);
    let (old, new) = read?;
    let renames = renames(cli, &args.rename, &to, &old, &new, false)?;
    let mut comparison = Comparison::with_renames(sides.server.kind, &old, &new, &renames);
    comparison.check_casts(&sides.server)?;
    let upgrade = comparison.upgrade_sql()?;
    match cli.format {
        Format::Json => print_json(&serde_json::json!({
            "equal": comparison.is_empty(),
            "dialect": sides.server.kind.to_string(),
            "changes": comparison.upgrade.iter().map(autogen::summary).collect::<Vec<_>>(),
            "cannot_apply": comparison.cannot_apply(),
            "upgrade": upgrade,
            "downgrade": comparison.downgrade_sql()?,
        })),
        Format::Text => {
            if comparison.is_empty() {
                if !cli.quiet {
                    errln!("No differences.");
                }
            } else {
                outln!("{upgrade}");
                for line in comparison.cannot_apply() {
                    errln!("warning: {line}; the migration says so in a comment: do it by hand");
                }
            }
        }
    }
    Ok(if args.exit_code && !comparison.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads both states, with a spinner on a terminal (loading SQL into a
/// scratch database, building migrations@REV and introspecting a large
/// schema take a while).
fn read_both(
    cli: &Cli,
    project: &Project,
    from: &Source,
    to: &Source,
    server: &DatabaseUrl,
) -> Result<(Schema, Schema)> {
    let line = progress::Line::spinner(
        cli,
        &format!("reading {} and {}", from.describe(), to.describe()),
    );
    let read = autogen::read_both(project, from, to, server);
    drop(line);
    read
}

/// The comparison `revision --autogenerate` writes: the database (which must
/// be at head, as Alembic requires) or migrations@head, against the desired
/// schema. Returns it with the header lines that say what was compared.
pub fn compare_for_revision(
    cli: &Cli,
    project: &Project,
    from_migrations: bool,
    rename_args: &RenameArgs,
    may_ask: bool,
) -> Result<(Comparison, Vec<String>)> {
    let target = database_url(cli, project)?;
    let server = scratch_server(cli, project)?;
    let from = if from_migrations {
        Source::Migrations("heads".into())
    } else {
        let mut migrator = Migrator::connect_url(project.clone(), &target)?;
        let current = migrator.current()?;
        let heads: Vec<String> = project
            .graph()
            .heads()
            .iter()
            .map(|h| h.to_string())
            .collect();
        let mut sorted_heads = heads.clone();
        sorted_heads.sort();
        if current != sorted_heads {
            return Err(Error::Usage(format!(
                "the database is not up to date (at {}, heads are {}); run `retort upgrade heads` first, or pass --from-migrations",
                if current.is_empty() { "base".to_string() } else { current.join(", ") },
                heads.join(", ")
            )));
        }
        Source::Database(target)
    };
    let to = Source::Sql(project.config.autogenerate_schema.clone());
    let (old, new) = read_both(cli, project, &from, &to, &server)?;
    let renames = renames(cli, rename_args, &to, &old, &new, may_ask)?;
    let mut comparison = Comparison::with_renames(server.kind, &old, &new, &renames);
    comparison.check_casts(&server)?;
    let lines = vec![
        format!("Autogenerated by retort {}.", env!("CARGO_PKG_VERSION")),
        format!(
            "Compared {} (current) with {} (desired).",
            from.describe(),
            to.describe()
        ),
    ];
    Ok((comparison, lines))
}

pub fn check(cli: &Cli, args: &CheckArgs) -> Result<ExitCode> {
    if super::fleet::is_fleet(cli, &args.fleet) {
        return super::fleet_commands::check(cli, args);
    }
    let project = load_project(cli)?;
    let (comparison, _) = compare_for_revision(cli, &project, false, &args.rename, false)?;
    let changes: Vec<String> = comparison.upgrade.iter().map(autogen::summary).collect();
    match cli.format {
        Format::Json => print_json(&serde_json::json!({
            "up_to_date": changes.is_empty(),
            "changes": changes,
            "cannot_apply": comparison.cannot_apply(),
        })),
        Format::Text => {
            if changes.is_empty() {
                if !cli.quiet {
                    errln!("No changes: the database matches the desired schema.");
                }
            } else {
                outln!("New upgrade operations detected ({}):", changes.len());
                for c in &changes {
                    outln!("  {}", paint(Stream::Out, change_style(c), c));
                }
                outln!("Run `retort revision --autogenerate -m MESSAGE` to write them.");
            }
        }
    }
    Ok(if changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A change summary's colour, from its first word (`create`, `drop`, …):
/// what adds, what removes, what alters.
fn change_style(summary: &str) -> anstyle::Style {
    match summary.split(' ').next() {
        Some("create" | "add") => style::ADDED,
        Some("drop") => style::REMOVED,
        _ => style::CHANGED,
    }
}

/// The renames to make: `--rename` flags and `-- retort: renamed from` hints
/// in the desired SQL, then — at a terminal, when `may_ask` — answers to a
/// question per remaining drop/add pair that looks like a rename. Pairs left
/// unasked are reported on stderr with how to say they are renames: never
/// guessed.
pub(super) fn renames(
    cli: &Cli,
    args: &RenameArgs,
    to: &Source,
    old: &Schema,
    new: &Schema,
    may_ask: bool,
) -> Result<Vec<Rename>> {
    let mut hints = Vec::new();
    if let Source::Sql(paths) = to {
        for file in retort::load::sql_files(paths)? {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Error::Usage(format!("cannot read {}: {e}", file.display())))?;
            hints.extend(rename::hints(&text));
        }
    }
    let from_hints = rename::resolve(&hints, old, new);
    let mut requests = hints;
    for flag in &args.renames {
        let request = RenameRequest::parse(flag).ok_or_else(|| {
            Error::Usage(format!(
                "--rename {flag}: expected OLD=NEW (a table: old=new; a column: table.old=table.new)"
            ))
        })?;
        // A flag must name a rename the two states allow (or one a hint
        // already gave): a typo must not pass as a drop and an add.
        let mut with_flag = requests.clone();
        with_flag.push(request.clone());
        let adds = rename::resolve(&with_flag, old, new).len()
            > rename::resolve(&requests, old, new).len();
        if !adds
            && !from_hints
                .iter()
                .any(|r| r.describe().eq_ignore_ascii_case(flag))
        {
            return Err(Error::Usage(format!(
                "--rename {flag}: no such rename between the two states (the old name must exist only before, the new one only after)"
            )));
        }
        requests.push(request);
    }
    let mut chosen = rename::resolve(&requests, old, new);
    let renamed = rename::Renames(&chosen).apply(old);
    let open: Vec<Rename> = rename::candidates(&renamed, new);
    let interactive = may_ask && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    for candidate in open {
        if interactive && ask(&candidate) {
            chosen.push(candidate);
        } else if !cli.quiet {
            errln!(
                "{} {} looks like a rename; it is written as a drop and an add (data loss). If it is one, pass --rename {} or add `-- retort: renamed from {}` to it in the desired schema.",
                crate::term::note_prefix(),
                what(&candidate),
                candidate.describe(),
                old_name(&candidate)
            );
        }
    }
    Ok(chosen)
}

fn what(r: &Rename) -> String {
    match r {
        Rename::Table { from, to } => format!("table {} -> {}", from.name, to.name),
        Rename::Column { table, from, to } => format!("column {}.{from} -> {to}", table.name),
    }
}

fn old_name(r: &Rename) -> String {
    match r {
        Rename::Table { from, .. } => from.name.clone(),
        Rename::Column { from, .. } => from.clone(),
    }
}

/// Asks at the terminal; anything but yes is no.
fn ask(r: &Rename) -> bool {
    let mut err = std::io::stderr();
    let _ = write!(err, "Was {} renamed? [y/N] ", what(r));
    let _ = err.flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}
