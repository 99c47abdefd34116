//! The two (or one) states a command reads, and where to read them: the
//! project if there is one, the dialect, and the server that scratch
//! databases are made on. Shared by `diff` and `inspect`, which work both
//! inside a project and outside one.

use retort::autogen::{Scope, Source};
use retort::{DatabaseUrl, Error, Project, Result};

use crate::cli::Cli;
use crate::context::{database_url, find_project};

/// The project a command runs in (if any) and the server its states are
/// read with.
pub struct Sides {
    /// The project, when the command runs inside one.
    pub project: Option<Project>,
    /// The scratch server (for SQL and migrations@REV); when every side is
    /// a URL, that URL, for its dialect only.
    pub server: DatabaseUrl,
}

impl Sides {
    /// The scope states are read in: the project's, or none.
    pub fn scope(&self) -> Scope<'_> {
        match &self.project {
            Some(project) => Scope::project(project),
            None => Scope::standalone(),
        }
    }
}

fn cwd() -> std::path::PathBuf {
    std::env::current_dir().unwrap_or_else(|_| ".".into())
}

/// Parses the sources (`--from`/`--to`, or `inspect`'s SRC, with the flag
/// that named each for messages) and decides where they are read.
///
/// The dialect comes from the URL sides; two URLs of different dialects are
/// an error. SQL and `migrations@REV` sides are loaded on `--dev-url`, else
/// `[autogenerate] dev_url`, else the server of a URL side, else the
/// project's database; outside a project with none of these, it is an error
/// that says to pass `--dev-url`.
pub fn resolve(
    cli: &Cli,
    texts: &[(&str, &str)],
    dev_url: Option<&str>,
) -> Result<(Sides, Vec<Source>)> {
    let project = find_project(cli)?;
    let sources = texts
        .iter()
        .map(|(_, text)| Source::parse(text, &cwd()))
        .collect::<Result<Vec<_>>>()?;
    if project.is_none() {
        if let Some(Source::Migrations(rev)) =
            sources.iter().find(|s| matches!(s, Source::Migrations(_)))
        {
            return Err(Error::Usage(format!(
                "migrations@{rev} needs a project: run retort inside one (a folder with retort.toml, or below it), or pass -c FILE"
            )));
        }
    }
    let urls: Vec<(&str, &DatabaseUrl)> = texts
        .iter()
        .zip(&sources)
        .filter_map(|((flag, _), source)| match source {
            Source::Database(url) => Some((*flag, url)),
            _ => None,
        })
        .collect();
    // Reading a state never creates one: a SQLite path that names no file
    // is a typo, not an empty database.
    for (flag, url) in &urls {
        if let Some(retort::db_url::SqliteTarget::File(path)) = &url.sqlite {
            if !path.is_file() {
                return Err(Error::Usage(format!(
                    "{flag} {}: no such SQLite database file ({})",
                    url.masked(),
                    path.display()
                )));
            }
        }
    }
    if let [(flag_a, a), (flag_b, b)] = urls.as_slice() {
        if a.kind != b.kind {
            return Err(Error::Usage(format!(
                "cannot compare a {} database ({flag_a} {}) with a {} database ({flag_b} {}): both sides must be the same dialect",
                a.kind,
                a.masked(),
                b.kind,
                b.masked()
            )));
        }
    }
    let loaded: Vec<(&str, &Source)> = texts
        .iter()
        .zip(&sources)
        .filter(|(_, s)| !matches!(s, Source::Database(_)))
        .map(|((flag, _), s)| (*flag, s))
        .collect();
    let server = match (loaded.first(), urls.first()) {
        (None, Some((_, url))) => (*url).clone(),
        (Some((flag, source)), url_side) => {
            scratch_server(cli, project.as_ref(), dev_url, url_side.map(|(_, u)| *u))?
                .ok_or_else(|| no_server(flag, source))?
        }
        (None, None) => return Err(Error::Usage("nothing to read".into())),
    };
    if let Some((flag, url)) = urls.iter().find(|(_, u)| u.kind != server.kind) {
        return Err(Error::Usage(format!(
            "cannot compare a {} database ({flag} {}) with SQL loaded on {} ({}): both sides must be the same dialect; pass --dev-url with a {} URL",
            url.kind,
            url.masked(),
            server.kind,
            server.masked(),
            url.kind
        )));
    }
    Ok((Sides { project, server }, sources))
}

/// Where SQL and migrations@REV are loaded, in order of precedence; `None`
/// when nothing says.
fn scratch_server(
    cli: &Cli,
    project: Option<&Project>,
    dev_url: Option<&str>,
    url_side: Option<&DatabaseUrl>,
) -> Result<Option<DatabaseUrl>> {
    if let Some(url) = dev_url {
        return DatabaseUrl::parse(url, &cwd())
            .map(Some)
            .map_err(|e| Error::Usage(format!("--dev-url: {e}")));
    }
    if let Some(url) = project.and_then(|p| p.config.dev_url.as_ref()) {
        let root = project.map(|p| p.config.root.clone()).unwrap_or_default();
        let session = project
            .map(|p| p.config.session.clone())
            .unwrap_or_default();
        return DatabaseUrl::parse(url, &root).map(|u| Some(u.with_session(session)));
    }
    if let Some(url) = url_side {
        return Ok(Some(url.clone()));
    }
    match project {
        Some(project) => database_url(cli, project).map(Some),
        None => Ok(None),
    }
}

fn no_server(flag: &str, source: &Source) -> Error {
    let what = match source {
        Source::Migrations(_) => "migrations@REV is built",
        _ => "SQL is loaded",
    };
    Error::Usage(format!(
        "{flag} {} needs a database to be read in ({what} into a scratch database, which also decides the dialect): pass --dev-url URL (for example sqlite://:memory: or postgresql://user@host/postgres), or compare it with a database URL",
        source.describe()
    ))
}
