//! Loading a desired state into a scratch database and reading it back, so
//! the database's own parser normalises it: SQL files or folders (the
//! project's `schema.sql`), or `migrations@REV` (the schema the revisions
//! produce). The scratch databases are the dialect's
//! ([`crate::dialect::Scratch`]): SQLite's live in memory, PostgreSQL's are
//! temporary databases on the target's server (or `dev_url`), dropped
//! afterwards even when loading fails.

use std::path::{Path, PathBuf};

use crate::db_url::DatabaseUrl;
use crate::dialect::{introspect, Scratch};
use crate::error::{Error, Result, StatementError};
use crate::migrator::Migrator;
use crate::project::Project;
use crate::schema::Schema;
use crate::script::split;

/// The `.sql` files of `sources` in load order: files as given, folders'
/// files (recursively) sorted by path.
pub fn sql_files(sources: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for source in sources {
        if source.is_dir() {
            let mut found = Vec::new();
            collect(source, &mut found)?;
            found.sort();
            out.extend(found);
        } else if source.is_file() {
            out.push(source.clone());
        } else {
            return Err(Error::Config(format!(
                "desired schema {} does not exist (see [autogenerate] schema in retort.toml)",
                source.display()
            )));
        }
    }
    Ok(out)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
    Ok(())
}

/// Runs SQL files in `scratch`, statement by statement; a failing statement
/// is reported with its file and line. Afterwards the session's settings go
/// back to the server's defaults (a dump's `SET search_path` would otherwise
/// change how the schema reads back), then the `[database] session`
/// statements run again.
pub fn run_files(scratch: &mut Scratch, files: &[PathBuf]) -> Result<()> {
    let session = scratch.session().to_vec();
    let conn = scratch.connection();
    let kind = conn.kind();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
        let statements = split(&text, 1, kind)
            .map_err(|e| crate::script::ScriptError::at(file, Some(e.line), e.message))?;
        for statement in statements {
            conn.execute(&statement.sql).map_err(|db| {
                Error::Statement(Box::new(StatementError {
                    revision: "desired schema".into(),
                    path: file.clone(),
                    line: statement.line,
                    direction: "loading",
                    statement: statement.sql.clone(),
                    db,
                }))
            })?;
        }
    }
    if let Some(reset) = conn.dialect().reset_session_sql() {
        conn.execute(reset)
            .map_err(|db| Error::db("resetting the session after loading", db))?;
        // The project's own session settings hold again, as on the target.
        for statement in &session {
            conn.execute(statement).map_err(|db| {
                Error::db(format!("running the session statement `{statement}`"), db)
            })?;
        }
    }
    Ok(())
}

/// The schema that SQL files produce, normalised by a scratch database of
/// `server`'s dialect.
pub fn from_sql(server: &DatabaseUrl, sources: &[PathBuf]) -> Result<Schema> {
    let files = sql_files(sources)?;
    let mut texts = Vec::with_capacity(files.len());
    for file in &files {
        texts.push(std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?);
    }
    let created = extensions_created(texts.iter().map(String::as_str));
    let mut scratch = Scratch::create_for(server, &created)?;
    run_files(&mut scratch, &files)?;
    introspect(scratch.connection(), &[])
}

/// The schema the project's revisions produce at `rev` (`migrations@REV`),
/// built in a scratch database of `server`'s dialect. retort's own tables are
/// left out.
pub fn from_migrations(server: &DatabaseUrl, project: &Project, rev: &str) -> Result<Schema> {
    let mut scratch = scratch_for_revisions(server, project)?;
    let mut migrator = Migrator::with_connection(project.clone(), scratch.take());
    migrator.upgrade(rev, &mut |_| {})?;
    let exclude = [project.version_table(), project.history_table()];
    introspect(migrator.connection(), &exclude)
}

/// A scratch database for running the project's revisions: it has the
/// target's extensions that no revision creates itself.
pub(crate) fn scratch_for_revisions(server: &DatabaseUrl, project: &Project) -> Result<Scratch> {
    let sections = project.scripts().iter().flat_map(|s| {
        [true, false].into_iter().filter_map(|up| {
            s.section(up)
                .ok()
                .flatten()
                .map(|section| section.sql.as_str())
        })
    });
    Scratch::create_for(server, &extensions_created(sections))
}

/// The extensions that `CREATE EXTENSION` statements in `texts` name (a
/// plain scan of the words: enough to know which ones the SQL brings
/// itself).
pub(crate) fn extensions_created<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    for text in texts {
        let words: Vec<String> = text
            .split(|c: char| c.is_whitespace() || c == ';' || c == '(')
            .filter(|w| !w.is_empty())
            .map(|w| w.trim_matches('"').to_ascii_lowercase())
            .collect();
        for (i, pair) in words.windows(2).enumerate() {
            if pair[0] != "create" || pair[1] != "extension" {
                continue;
            }
            let mut rest = words[i + 2..].iter();
            let mut name = rest.next();
            if name.is_some_and(|w| w == "if") {
                // IF NOT EXISTS
                name = rest.nth(2);
            }
            if let Some(name) = name {
                out.push(name.clone());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::extensions_created;

    #[test]
    fn finds_the_extensions_sql_creates() {
        let sql = "create extension if not exists \"uuid-ossp\";\nCREATE EXTENSION hstore WITH SCHEMA public;\n-- CREATE EXTENSION IF NOT EXISTS citus";
        assert_eq!(
            extensions_created([sql].into_iter()),
            ["citus", "hstore", "uuid-ossp"]
        );
        assert!(extensions_created(["CREATE TABLE extension (id int)"].into_iter()).is_empty());
    }
}
