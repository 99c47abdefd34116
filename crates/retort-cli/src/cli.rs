//! The command line: global options and one subcommand per Alembic command.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

/// Database schema migrations with Alembic's model, SQL-first.
///
/// A project is a retort.toml and a folder of .sql revision files, each with an
/// upgrade and a downgrade section, linked into a graph by their headers.
#[derive(Debug, Parser)]
#[command(name = "retort", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Start with `retort init`, then `retort revision -m \"create users\"`, edit the file, and `retort upgrade`.\nDocs: docs/guide.md and docs/reference/ in the project repository."
)]
pub struct Cli {
    /// The config file (default: retort.toml in this folder or a parent).
    #[arg(
        short = 'c',
        long = "config",
        global = true,
        help_heading = "Global options",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,

    /// Database URL; overrides RETORT_DATABASE_URL and the config file
    /// (`upgrade`, `downgrade`, `current`, `check`, `verify --database-only`
    /// and `stamp` take several: a fleet).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "URL"
    )]
    pub url: Vec<String>,

    /// Extra KEY=VALUE arguments, readable from templates as `x.KEY`.
    #[arg(short = 'x', global = true, help_heading = "Global options", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub x: Vec<(String, String)>,

    /// Output format of commands that report something (`graph` and
    /// `inspect` also take mermaid and dot; `inspect`, sql).
    #[arg(long = "format", id = "format", global = true, help_heading = "Global options", value_enum, default_value_t = FormatChoice::Text, hide_possible_values = true, value_name = "text|json")]
    pub format_choice: FormatChoice,

    /// `--format` as every command but `graph` sees it: text or json (set by
    /// [`Cli::parse_checked`]).
    #[arg(skip)]
    pub format: Format,

    /// Print only errors.
    #[arg(
        short,
        long,
        global = true,
        help_heading = "Global options",
        conflicts_with = "verbose"
    )]
    pub quiet: bool,

    /// Print more detail.
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub verbose: bool,

    /// Read every revision file instead of the header cache (.retort/cache).
    #[arg(long = "no-cache", global = true, help_heading = "Global options")]
    pub no_cache: bool,

    /// Colour: auto (on a terminal, unless NO_COLOR is set or TERM=dumb),
    /// always (even into a pipe), or never.
    #[arg(long = "color", global = true, help_heading = "Global options", value_enum, default_value_t = ColorWhen::Auto, hide_possible_values = true, hide_default_value = true, value_name = "auto|always|never")]
    pub color: ColorWhen,

    #[command(subcommand)]
    pub command: Command,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "lower")]
pub enum Format {
    /// Human-readable, Alembic's layout where Alembic has one.
    #[default]
    Text,
    /// One JSON document on standard output.
    Json,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "lower")]
pub enum ColorWhen {
    /// When the stream is a terminal, NO_COLOR is unset or empty and TERM is
    /// not dumb.
    #[default]
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

/// What `--format` accepts: [`Format`]'s values, plus the drawings only
/// `graph` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "lower")]
pub enum FormatChoice {
    /// Human-readable.
    Text,
    /// One JSON document on standard output.
    Json,
    /// `graph` and `inspect` only: a Mermaid flowchart or ER diagram.
    Mermaid,
    /// `graph` and `inspect` only: a Graphviz digraph.
    Dot,
    /// `inspect` only: the schema as SQL (what `text` means there).
    Sql,
}

impl Cli {
    /// The one `--url` of a command that works on one database; several
    /// are an error.
    pub fn single_url(&self) -> retort::Result<Option<&str>> {
        match self.url.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            _ => Err(retort::Error::Usage(
                "several --url: only `upgrade`, `downgrade`, `current`, `check`, `verify --database-only` and `stamp` run on a fleet; give this command one URL".into(),
            )),
        }
    }

    /// Parses the command line, exiting with a usage error when `--format
    /// mermaid|dot` is given to a command other than `graph`.
    pub fn parse_checked() -> Self {
        // clap prints help and usage errors itself, before `--color` is
        // parsed: give it the choice read from the raw arguments.
        let color = color_in_args(std::env::args_os());
        let command = || <Self as CommandFactory>::command().color(clap_color(color));
        let matches = command().get_matches();
        let mut cli = match <Self as FromArgMatches>::from_arg_matches(&matches) {
            Ok(cli) => cli,
            Err(e) => e.format(&mut command()).exit(),
        };
        cli.format = match cli.format_choice {
            FormatChoice::Json => Format::Json,
            FormatChoice::Text => Format::Text,
            FormatChoice::Mermaid | FormatChoice::Dot => {
                if !matches!(cli.command, Command::Graph(_) | Command::Inspect(_)) {
                    command()
                        .error(
                            clap::error::ErrorKind::InvalidValue,
                            "--format mermaid and --format dot are for `retort graph` and `retort inspect`; other commands take text or json",
                        )
                        .exit();
                }
                Format::Text
            }
            FormatChoice::Sql => {
                if !matches!(cli.command, Command::Inspect(_)) {
                    command()
                        .error(
                            clap::error::ErrorKind::InvalidValue,
                            "--format sql is for `retort inspect`; other commands take text or json",
                        )
                        .exit();
                }
                Format::Text
            }
        };
        cli
    }
}

/// The last `--color WHEN` / `--color=WHEN` before `--` (`auto` when there
/// is none, or it is not a valid value, which clap then reports).
fn color_in_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> ColorWhen {
    let mut when = ColorWhen::Auto;
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        let Some(arg) = arg.to_str() else { continue };
        let value = match arg {
            "--" => break,
            "--color" => args.next().and_then(|v| v.into_string().ok()),
            _ => arg.strip_prefix("--color=").map(str::to_string),
        };
        if let Some(v) = value.and_then(|v| ColorWhen::from_str(&v, false).ok()) {
            when = v;
        }
    }
    when
}

fn clap_color(when: ColorWhen) -> clap::ColorChoice {
    match when {
        ColorWhen::Auto => clap::ColorChoice::Auto,
        ColorWhen::Always => clap::ColorChoice::Always,
        ColorWhen::Never => clap::ColorChoice::Never,
    }
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("'{s}' is not KEY=VALUE")),
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a project: retort.toml, migrations/script.sql.j2, migrations/versions/.
    Init(InitArgs),
    /// Write a new revision file on top of the current head.
    Revision(RevisionArgs),
    /// Upgrade the database to a later revision (default: head).
    Upgrade(UpgradeArgs),
    /// Revert the database to an earlier revision.
    Downgrade(DowngradeArgs),
    /// Show the revisions the database is at.
    Current(CurrentArgs),
    /// List revisions, newest first.
    History(HistoryArgs),
    /// Show the heads: revisions nothing builds on.
    Heads(HeadsArgs),
    /// Show branch points and the revisions that leave them.
    Branches(BranchesArgs),
    /// Draw the revision graph, current revisions marked
    /// (--format text|mermaid|dot|json).
    Graph(GraphArgs),
    /// Show one revision.
    Show(ShowArgs),
    /// Set the version table to revisions without running any migration.
    Stamp(StampArgs),
    /// Write a revision that merges several heads into one.
    Merge(MergeArgs),
    /// Settle a non-transactional revision that an earlier run left half-applied.
    Resolve(ResolveArgs),
    /// Show who holds the migration lock; with --force, delete a dead
    /// holder's lease (CockroachDB, YugabyteDB: docs/engines.md).
    Unlock(UnlockArgs),
    /// Write revisions from another tool's migrations folder (diesel, sqlx,
    /// refinery, golang-migrate, goose, dbmate, flyway).
    Import(ImportArgs),
    /// Stamp a database another tool migrated, at the revision its own
    /// history table says (after `retort import`); runs nothing.
    Adopt(AdoptArgs),
    /// Print the SQL that turns one schema state into another (works outside
    /// a project too).
    Diff(DiffArgs),
    /// Print a schema state: as SQL, as JSON (the model), or as an
    /// entity-relationship diagram (--format sql|json|mermaid|dot).
    Inspect(InspectArgs),
    /// Exit 1 with a summary when the database differs from the desired schema.
    Check(CheckArgs),
    /// CI checks: one head, unchanged applied revisions, reversible
    /// revisions, the upgrade/downgrade stairway, head equals the desired schema.
    Verify(VerifyArgs),
    /// Replace a chain of revisions FROM:TO with one (TO's id) that produces the same schema.
    Squash(SquashArgs),
    /// Flag dangerous statements in revisions (exit 1 when any remain).
    Lint(LintArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Write the manual pages: retort(1) and one per subcommand.
    #[command(hide = true)]
    Man(ManArgs),
}

/// `retort completions`.
#[derive(Debug, Args)]
#[command(
    after_help = "Load it in the running shell, e.g.:\n  bash: source <(retort completions bash)\n  zsh:  retort completions zsh > \"${fpath[1]}/_retort\"\n  fish: retort completions fish > ~/.config/fish/completions/retort.fish"
)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `retort man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write retort.1 and retort-COMMAND.1 for every subcommand into this
    /// folder (created if missing) instead of printing retort.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `retort squash`.
#[derive(Debug, Args)]
pub struct SquashArgs {
    /// The chain to replace, both ends included: `FROM:TO`, or `base:TO`.
    #[arg(value_name = "FROM:TO")]
    pub range: String,
    /// The message of the squashed revision.
    #[arg(short, long)]
    pub message: String,
}

/// `retort verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Do not connect to the target database (skips the checksum check;
    /// scratch databases are still made on dev_url or the target's server).
    #[arg(long, conflicts_with = "database_only")]
    pub no_database: bool,
    /// Only the database check: the revisions the database (or each target
    /// of a fleet) has applied are unchanged since. No scratch database.
    #[arg(long = "database-only")]
    pub database_only: bool,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `--rename`, for the commands that compare schemas.
#[derive(Debug, Args, Default)]
pub struct RenameArgs {
    /// A table or column renamed rather than dropped and added:
    /// `old_table=new_table`, `table.old_column=table.new_column` (repeatable).
    /// The desired schema can say the same with `-- retort: renamed from OLD`.
    #[arg(long = "rename", value_name = "OLD=NEW")]
    pub renames: Vec<String>,
}

/// `retort check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub rename: RenameArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `retort diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The starting state: a database URL, an SQL file or folder, or migrations@REV.
    #[arg(long, value_name = "SRC")]
    pub from: String,
    /// The target state, in the same forms.
    #[arg(long, value_name = "SRC")]
    pub to: String,
    #[command(flatten)]
    pub dev: DevUrlArgs,
    /// Exit 1 when there are differences, 0 when there are none (as `git
    /// diff --exit-code`); without it, 0 whenever the diff ran.
    #[arg(long = "exit-code")]
    pub exit_code: bool,
    #[command(flatten)]
    pub privileges: PrivilegesArgs,
    #[command(flatten)]
    pub rename: RenameArgs,
}

/// `--with-privileges`, for `diff` and `inspect`.
#[derive(Debug, Args, Default)]
pub struct PrivilegesArgs {
    /// Compare GRANTs and default privileges too (PostgreSQL); default:
    /// `[autogenerate] privileges`, else off.
    #[arg(long = "with-privileges")]
    pub with_privileges: bool,
}

/// `--dev-url`, for the commands that load SQL into a scratch database.
#[derive(Debug, Args, Default)]
pub struct DevUrlArgs {
    /// Where SQL files and migrations@REV are loaded to be read: a scratch
    /// database is made on this server (SQLite: in memory) and dropped
    /// after. Default: `[autogenerate] dev_url`, else the server of a URL
    /// side, else the project's database.
    #[arg(long = "dev-url", value_name = "URL")]
    pub dev_url: Option<String>,
}

/// `retort inspect`.
#[derive(Debug, Args)]
#[command(
    after_help = "Formats (--format): sql (the default; text means the same) is the schema as the DDL that creates it, json the model, mermaid an erDiagram, dot a Graphviz digraph."
)]
pub struct InspectArgs {
    /// The state: a database URL, an SQL file or folder, or migrations@REV.
    #[arg(value_name = "SRC")]
    pub src: String,
    #[command(flatten)]
    pub dev: DevUrlArgs,
    #[command(flatten)]
    pub privileges: PrivilegesArgs,
}

/// Options of the commands that take the migration lock.
#[derive(Debug, Args)]
pub struct LockArgs {
    /// Give up after waiting this many seconds for another runner's lock
    /// (default: wait as long as it takes).
    #[arg(long = "lock-timeout", value_name = "SECONDS")]
    pub lock_timeout: Option<f64>,
}

/// `retort init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the project in.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Adopt an existing schema: the first revision's upgrade is this file,
    /// its downgrade is generated, and schema.sql becomes a copy of it. The
    /// file is loaded in a scratch database of --url's dialect (SQLite
    /// when no URL is given).
    #[arg(long, value_name = "FILE")]
    pub from_sql: Option<PathBuf>,
    /// Id of that first revision (for example the Alembic revision a
    /// database is at, when taking it over).
    #[arg(long = "rev-id", value_name = "ID", requires = "from_sql")]
    pub rev_id: Option<String>,
    /// Message of that first revision.
    #[arg(short, long, requires = "from_sql", default_value = "initial schema")]
    pub message: String,
}

/// `retort revision`.
#[derive(Debug, Args)]
pub struct RevisionArgs {
    /// The message: the first line of the file and its slug.
    #[arg(short, long)]
    pub message: String,
    /// Revision to build on (default: the single head; `base` for a new root).
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// Allow --head to name a revision that is not a head (start a branch).
    #[arg(long)]
    pub splice: bool,
    /// Branch label for the new revision (repeatable).
    #[arg(long = "branch-label", value_name = "LABEL")]
    pub branch_label: Vec<String>,
    /// A revision the new one depends on, beyond its parent (repeatable).
    #[arg(long = "depends-on", value_name = "REV")]
    pub depends_on: Vec<String>,
    /// Use this id instead of a random one.
    #[arg(long = "rev-id", value_name = "ID")]
    pub rev_id: Option<String>,
    /// Folder (one of version_locations) to write the file in.
    #[arg(long = "version-path", value_name = "DIR")]
    pub version_path: Option<PathBuf>,
    /// Write the upgrade and downgrade by comparing the database (at head)
    /// with the desired schema (`[autogenerate] schema`).
    #[arg(long)]
    pub autogenerate: bool,
    /// With --autogenerate: compare with what the revisions produce
    /// (migrations@head, built in a scratch database) instead of the database.
    #[arg(long = "from-migrations", requires = "autogenerate")]
    pub from_migrations: bool,
    #[command(flatten)]
    pub rename: RenameArgs,
}

/// `retort upgrade`.
#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// Target: head, REV, +N, LABEL@head; with --sql also FROM:TO.
    #[arg(default_value = "head", allow_hyphen_values = true)]
    pub target: String,
    /// Print the SQL instead of running it (offline mode; no database).
    #[arg(long)]
    pub sql: bool,
    /// Run even though applied revisions were edited, and record their new
    /// checksums.
    #[arg(long = "allow-changed")]
    pub allow_changed: bool,
    #[command(flatten)]
    pub lock: LockArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// Several targets at once (`upgrade`, `downgrade`, `current`, `check`,
/// `verify --database-only`, `stamp`).
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// A file of target URLs, one a line (blank lines and `#` comments
    /// skipped); with it, or with several --url, the command runs on a fleet.
    #[arg(long = "targets-file", value_name = "FILE")]
    pub targets_file: Option<PathBuf>,
    /// The fleet is the named group of `[targets]` in retort.toml.
    #[arg(long = "targets", value_name = "GROUP")]
    pub targets: Option<String>,
    /// Schema per tenant (PostgreSQL): these schemas of the one database,
    /// comma-separated; each gets its own version and history tables.
    #[arg(
        long,
        value_name = "S1,S2,…",
        value_delimiter = ',',
        conflicts_with = "schemas_query"
    )]
    pub schemas: Vec<String>,
    /// Schema per tenant: the schemas this query lists (first column), in
    /// the one database.
    #[arg(long = "schemas-query", value_name = "SQL")]
    pub schemas_query: Option<String>,
    /// On a fleet (upgrade, downgrade, stamp): do the first K targets first,
    /// and start no other if one of them fails.
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub canary: usize,
    /// On a fleet: how many targets run at once.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub parallel: u16,
    /// On a fleet: at most N targets of one server (host:port) at once
    /// (default: unbounded, 1 on YugabyteDB).
    #[arg(long = "per-server", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub per_server: Option<u16>,
    /// On a fleet: after a target fails, start no other (stop) or go on (continue).
    #[arg(long = "on-error", value_enum, default_value_t = OnErrorChoice::Stop, value_name = "stop|continue", hide_possible_values = true)]
    pub on_error: OnErrorChoice,
    /// On a fleet: write a JSON report (per target: revisions applied,
    /// current, error, time).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// `--on-error`: start no other target (`stop`) or go on (`continue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnErrorChoice {
    Stop,
    Continue,
}

/// `retort downgrade`.
#[derive(Debug, Args)]
pub struct DowngradeArgs {
    /// Target: -1, base, REV, LABEL@-1; with --sql FROM:TO.
    #[arg(allow_hyphen_values = true)]
    pub target: String,
    /// Print the SQL instead of running it (offline mode; no database).
    #[arg(long)]
    pub sql: bool,
    #[command(flatten)]
    pub lock: LockArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `retort current`.
#[derive(Debug, Args)]
pub struct CurrentArgs {
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `retort history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Range START:END (either side may be empty, `current` allowed).
    #[arg(
        short = 'r',
        long = "rev-range",
        value_name = "RANGE",
        allow_hyphen_values = true
    )]
    pub rev_range: Option<String>,
    /// Mark the revisions the database is at (needs a database).
    #[arg(short = 'i', long = "indicate-current")]
    pub indicate_current: bool,
    /// Draw the revisions as a graph, as `retort graph` does (text output).
    #[arg(short = 'g', long = "graph")]
    pub graph: bool,
}

/// `retort graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {}

/// `retort heads`.
#[derive(Debug, Args)]
pub struct HeadsArgs {
    /// Leave out revisions that are heads only because others depend on them.
    #[arg(long = "resolve-dependencies")]
    pub resolve_dependencies: bool,
}

/// `retort branches`.
#[derive(Debug, Args)]
pub struct BranchesArgs {}

/// `retort show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The revision (id, prefix, head, LABEL@head, …).
    #[arg(allow_hyphen_values = true)]
    pub rev: String,
}

/// `retort import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The tool the migrations were written for.
    #[arg(long = "from", value_name = "TOOL", value_parser = ["diesel", "sqlx", "refinery", "golang-migrate", "goose", "dbmate", "flyway"])]
    pub from: String,
    /// Its migrations folder.
    pub dir: std::path::PathBuf,
}

/// `retort adopt`.
#[derive(Debug, Args)]
pub struct AdoptArgs {
    /// The tool that migrated the database.
    #[arg(long = "from", value_name = "TOOL", value_parser = ["diesel", "sqlx", "refinery", "golang-migrate", "goose", "dbmate", "flyway"])]
    pub from: String,
    #[command(flatten)]
    pub lock: LockArgs,
}

/// `retort stamp`.
#[derive(Debug, Args)]
pub struct StampArgs {
    /// Revisions to stamp (head, base, ids, LABEL@head, …).
    #[arg(required = true)]
    pub revs: Vec<String>,
    /// Delete every row of the version table first.
    #[arg(long)]
    pub purge: bool,
    /// Print the SQL instead of running it (offline mode; no database).
    #[arg(long)]
    pub sql: bool,
    #[command(flatten)]
    pub lock: LockArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `retort resolve`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("verdict").required(true).args(["applied", "rolled_back"]))]
pub struct ResolveArgs {
    /// The half-applied revision.
    pub rev: String,
    /// Its effects are complete (finished by hand): move the version table past it.
    #[arg(long)]
    pub applied: bool,
    /// Its effects were undone by hand: leave the version table where it is.
    #[arg(long = "rolled-back")]
    pub rolled_back: bool,
}

/// `retort unlock`.
#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// Delete the lease whoever holds it (a dead runner's, before it
    /// expires); without it, only show the holder.
    #[arg(long)]
    pub force: bool,
}

/// `retort merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Revisions to merge (`heads` for all of them).
    #[arg(required = true)]
    pub revs: Vec<String>,
    /// The message.
    #[arg(short, long)]
    pub message: String,
    /// Use this id instead of a random one.
    #[arg(long = "rev-id", value_name = "ID")]
    pub rev_id: Option<String>,
    /// Branch label for the merge revision.
    #[arg(long = "branch-label", value_name = "LABEL")]
    pub branch_label: Vec<String>,
}

/// `retort lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Revisions to lint: a range A:B as for `history -r` (either side may be
    /// empty), or one revision (id, prefix, head, LABEL@head). Default: all.
    #[arg(allow_hyphen_values = true, value_name = "RANGE")]
    pub range: Option<String>,
    /// The database's dialect, which decides the rules (default: from the
    /// database URL's scheme; PostgreSQL when there is no URL). Lint never
    /// connects.
    #[arg(long, value_enum, value_name = "postgresql|sqlite|mysql")]
    pub dialect: Option<LintDialect>,
    /// The oldest PostgreSQL major version the revisions must run on.
    #[arg(long = "postgres-version", value_name = "MAJOR", default_value_t = 13, value_parser = clap::value_parser!(u32).range(9..=99))]
    pub postgres_version: u32,
    /// Lint the downgrade sections too.
    #[arg(long)]
    pub downgrade: bool,
}

/// `--dialect` of `retort lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintDialect {
    /// PostgreSQL: every rule.
    #[value(name = "postgresql", alias = "postgres")]
    Postgresql,
    /// SQLite: the rules that are not about PostgreSQL's locks and syntax.
    Sqlite,
    /// MySQL/MariaDB: as SQLite.
    Mysql,
}
