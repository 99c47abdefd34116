//! Loading what a command needs: the project and, when asked, a connection.

use std::path::Path;

use retort::config::{Config, UrlSource};
use retort::{DatabaseUrl, Error, Migrator, Project, Result};

use crate::cli::Cli;
use crate::term::errln;

/// Loads the project from `-c FILE` or by searching upward from the current
/// folder. With `-v`, says what the header cache did.
pub fn load_project(cli: &Cli) -> Result<Project> {
    let config = load_config(cli)?;
    let project = Project::load(config)?;
    report_cache(cli, &project);
    Ok(project)
}

/// With `-v`, says what the header cache did.
fn report_cache(cli: &Cli, project: &Project) {
    if cli.verbose {
        if let Some(report) = project.header_cache() {
            errln!("{} {report}", crate::term::note_prefix());
        }
    }
}

/// Loads the config from `-c FILE` or by searching upward; `--no-cache`
/// turns the header cache off.
pub fn load_config(cli: &Cli) -> Result<Config> {
    let mut config = read_config(cli)?;
    if cli.no_cache {
        config.header_cache = false;
    }
    // `-x KEY=VALUE`: `{{ x.KEY }}` in revisions (and `x.KEY` in script.sql.j2).
    config.variables.x = cli.x.iter().cloned().collect();
    Ok(config)
}

fn read_config(cli: &Cli) -> Result<Config> {
    match &cli.config {
        Some(path) => {
            if !path.is_file() {
                return Err(Error::Config(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            Config::load(path)
        }
        None => {
            let cwd = std::env::current_dir().map_err(|e| Error::Io {
                path: ".".into(),
                source: e,
            })?;
            let path = Config::discover(&cwd).ok_or_else(|| {
                Error::Config(format!(
                    "no retort.toml in {} or its parents; run `retort init` to create a project, or pass -c FILE",
                    cwd.display()
                ))
            })?;
            Config::load(&path)
        }
    }
}

/// The project, when there is one: `-c FILE` (which must exist), or a
/// retort.toml in the current folder or a parent; `None` outside a project.
/// A project that is found but does not load is an error.
pub fn find_project(cli: &Cli) -> Result<Option<Project>> {
    if cli.config.is_none() {
        let cwd = std::env::current_dir().map_err(|e| Error::Io {
            path: ".".into(),
            source: e,
        })?;
        if Config::discover(&cwd).is_none() {
            return Ok(None);
        }
    }
    load_project(cli).map(Some)
}

/// The database URL in use, parsed. URLs from the config file resolve
/// relative SQLite paths against the project root; from `--url` or the
/// environment, against the current folder.
pub fn database_url(cli: &Cli, project: &Project) -> Result<DatabaseUrl> {
    config_database_url(cli, &project.config)
}

/// [`database_url`] from the config alone.
fn config_database_url(cli: &Cli, config: &Config) -> Result<DatabaseUrl> {
    let (url, source) = config.resolve_url(cli.single_url()?)?;
    let base = match source {
        UrlSource::File => config.root.clone(),
        UrlSource::Flag | UrlSource::Env => {
            std::env::current_dir().unwrap_or_else(|_| Path::new(".").to_path_buf())
        }
    };
    Ok(DatabaseUrl::parse(&url, &base)?.with_session(config.session.clone()))
}

/// Loads the project and connects to its database at the same time, one on
/// each core: on a large SQLite database, opening it (SQLite parses the
/// whole schema before the first statement runs) takes as long as loading
/// thousands of revisions. A project that does not load is reported before
/// a database that cannot be reached, as [`load_project`] then [`connect`]
/// would.
pub fn load_and_connect(cli: &Cli) -> Result<Migrator> {
    let config = load_config(cli)?;
    let url = config_database_url(cli, &config)?;
    let version = (
        config.version_table_schema.clone(),
        config.version_table.clone(),
    );
    std::thread::scope(|threads| {
        let loading = threads.spawn(move || Project::load(config));
        let conn = retort::dialect::connect(&url).map(|mut conn| {
            // The first statement is what makes SQLite read its schema;
            // errors are left to the command's own queries.
            let _ = conn.table_exists(version.0.as_deref(), &version.1);
            conn
        });
        let project = loading
            .join()
            .map_err(|_| Error::Usage("loading the project failed unexpectedly".into()))??;
        report_cache(cli, &project);
        Ok(Migrator::with_connection(project, conn?))
    })
}

/// Connects the project to its database.
pub fn connect(cli: &Cli, project: Project) -> Result<Migrator> {
    let url = database_url(cli, &project)?;
    Migrator::connect_url(project, &url)
}
