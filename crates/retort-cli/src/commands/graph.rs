//! `graph`, and the drawing `history --graph` shares with it.

use retort::db_url::SqliteTarget;
use retort::graph::draw::GraphView;
use retort::{Migrator, Project, Result};

use crate::cli::{Cli, FormatChoice};
use crate::context::{database_url, load_project};
use crate::output::print_json;
use crate::term::{errln, out};

/// `retort graph`: every revision, the current ones marked when the database
/// can be read.
pub fn graph(cli: &Cli) -> Result<()> {
    let project = load_project(cli)?;
    let (project, current) = current_if_reachable(cli, project);
    let view = view(&project, None, &current, &current)?;
    match cli.format_choice {
        // `--format sql` is refused for graph when the command line is parsed.
        FormatChoice::Text | FormatChoice::Sql => out!("{}", view.text()),
        FormatChoice::Mermaid => out!("{}", view.mermaid()),
        FormatChoice::Dot => out!("{}", view.dot()),
        FormatChoice::Json => print_json(&view.json()),
    }
    Ok(())
}

/// The revisions of `range` (all when `None`; `current` in it means the
/// version-table rows `current`) as a drawable view with `marks` marked
/// current and messages from the revision files.
pub fn view<'p>(
    project: &'p Project,
    range: Option<&str>,
    current: &[String],
    marks: &[String],
) -> Result<GraphView<'p>> {
    let graph = project.graph();
    let ids: Vec<&str> = graph.history(range, current)?;
    Ok(graph.view(&ids, marks, |id| {
        project
            .script(id)
            .map(|s| s.message.clone())
            .unwrap_or_default()
    }))
}

/// The version-table rows, or none (with a note on stderr) when there is no
/// database to read: no URL, an SQLite file that does not exist (it is not
/// created), a server that cannot be reached, or no version table.
fn current_if_reachable(cli: &Cli, project: Project) -> (Project, Vec<String>) {
    let note = |why: &str| {
        if !cli.quiet {
            errln!(
                "{} {why}; no revision is marked current",
                crate::term::note_prefix()
            );
        }
    };
    let url = match database_url(cli, &project) {
        Ok(url) => url,
        Err(e) => {
            note(&format!("no database to read ({e})"));
            return (project, Vec::new());
        }
    };
    if let Some(SqliteTarget::File(path)) = &url.sqlite {
        if !path.exists() {
            note(&format!("database file {} does not exist", path.display()));
            return (project, Vec::new());
        }
    }
    // Connecting consumes the project; keep a copy to draw without a database.
    let mut migrator = match Migrator::connect_url(project.clone(), &url) {
        Ok(m) => m,
        Err(e) => {
            note(&format!("cannot read the database ({e})"));
            return (project, Vec::new());
        }
    };
    match migrator.current() {
        Ok(rows) if rows.is_empty() => {
            note("the database has no revision applied (no version table, or it is empty)");
            (migrator.into_project(), rows)
        }
        Ok(rows) => {
            let project = migrator.into_project();
            let (known, unknown): (Vec<String>, Vec<String>) =
                rows.into_iter().partition(|r| project.graph().contains(r));
            if !unknown.is_empty() && !cli.quiet {
                errln!(
                    "{} the database is at revision(s) this project lacks: {}",
                    crate::term::warning_prefix(),
                    unknown.join(", ")
                );
            }
            (project, known)
        }
        Err(e) => {
            note(&format!("cannot read the version table ({e})"));
            (project, Vec::new())
        }
    }
}
