//! `retort adopt`: stamp a database another tool migrated, at the revision
//! its own history table says, after checking that it agrees with the
//! imported revisions.

use super::{revision_id, Tool};
use crate::dialect::Connection;
use crate::error::{DbError, Error, Result};
use crate::migrator::Migrator;

/// What `adopt` found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adopted {
    /// The tool's applied versions, in its order.
    pub applied: Vec<String>,
    /// The revision stamped (`None`: nothing was applied).
    pub stamped: Option<String>,
}

/// The versions `tool`'s history table says are applied (unordered, as
/// stored), read through `conn`.
pub fn applied_versions(tool: Tool, conn: &mut dyn Connection) -> Result<Vec<String>> {
    let read = |conn: &mut dyn Connection, sql: &str| -> Result<Vec<Vec<Option<String>>>> {
        conn.query_rows(sql).map_err(|db: DbError| {
            Error::db(
                format!("reading {}'s history table ({sql})", tool.name()),
                db,
            )
        })
    };
    let first = |rows: Vec<Vec<Option<String>>>| -> Vec<String> {
        rows.into_iter()
            .filter_map(|r| r.into_iter().next().flatten())
            .collect()
    };
    Ok(match tool {
        Tool::Diesel => first(read(
            conn,
            "SELECT version FROM __diesel_schema_migrations",
        )?),
        Tool::Sqlx => {
            let rows = read(conn, "SELECT version, success FROM _sqlx_migrations")?;
            if let Some(row) = rows.iter().find(|r| !truthy(r.get(1))) {
                return Err(failed(tool, row.first().cloned().flatten()));
            }
            first(rows)
        }
        Tool::Refinery => first(read(conn, "SELECT version FROM refinery_schema_history")?),
        Tool::Dbmate => first(read(conn, "SELECT version FROM schema_migrations")?),
        Tool::GolangMigrate => {
            // One row: the current version, and whether it failed half-way.
            let rows = read(conn, "SELECT version, dirty FROM schema_migrations")?;
            if let Some(row) = rows.iter().find(|r| truthy(r.get(1))) {
                return Err(failed(tool, row.first().cloned().flatten()));
            }
            first(rows)
        }
        Tool::Goose => goose_applied(read(
            conn,
            "SELECT version_id, is_applied FROM goose_db_version ORDER BY id",
        )?),
        Tool::Flyway => {
            let rows = read(
                conn,
                "SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL",
            )?;
            if let Some(row) = rows.iter().find(|r| !truthy(r.get(1))) {
                return Err(failed(tool, row.first().cloned().flatten()));
            }
            first(rows)
        }
    })
}

/// A boolean column as the databases return it as text.
fn truthy(cell: Option<&Option<String>>) -> bool {
    matches!(
        cell.and_then(|c| c.as_deref())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("1" | "t" | "true")
    )
}

fn failed(tool: Tool, version: Option<String>) -> Error {
    Error::Usage(format!(
        "{}'s history says migration {} failed half-way: repair it with {} first; retort adopts only a database the tool left clean",
        tool.name(),
        version.unwrap_or_default(),
        tool.name()
    ))
}

/// goose keeps a log: the last row of each version says whether it is
/// applied; version 0 is goose's own start row.
fn goose_applied(rows: Vec<Vec<Option<String>>>) -> Vec<String> {
    let mut state: Vec<(String, bool)> = Vec::new();
    for row in rows {
        let Some(version) = row.first().cloned().flatten() else {
            continue;
        };
        let applied = truthy(row.get(1));
        match state.iter_mut().find(|(v, _)| *v == version) {
            Some(entry) => entry.1 = applied,
            None => state.push((version, applied)),
        }
    }
    state
        .into_iter()
        .filter(|(v, applied)| *applied && v != "0")
        .map(|(v, _)| v)
        .collect()
}

/// Stamps the database behind `migrator` at the last of the imported
/// revisions `tool`'s history table says are applied. The project's
/// revisions must be `tool`'s, imported in order (`retort import`); the
/// applied versions must be exactly its first ones (no gap), and golang-
/// migrate's single current version stands for itself and all before it.
/// Nothing runs but the stamp.
pub fn adopt(tool: Tool, migrator: &mut Migrator) -> Result<Adopted> {
    if !migrator.current()?.is_empty() {
        return Err(Error::Usage(
            "the database already has a retort version; `retort current` shows it".into(),
        ));
    }
    let mut applied = applied_versions(tool, migrator.connection())?;
    applied.sort_by(|a, b| tool.compare(a, b));
    let chain = chain(migrator)?;
    let position = |version: &str| chain.iter().position(|id| *id == revision_id(version));
    let stamped_index = match tool {
        Tool::GolangMigrate => match applied.last() {
            Some(v) => Some(position(v).ok_or_else(|| unknown(tool, v))?),
            None => None,
        },
        _ => {
            for (i, version) in applied.iter().enumerate() {
                match position(version) {
                    Some(p) if p == i => {}
                    Some(_) => return Err(gap(tool, &chain, &applied, i)),
                    None => return Err(unknown(tool, version)),
                }
            }
            applied.len().checked_sub(1)
        }
    };
    let stamped = stamped_index.map(|i| chain[i].clone());
    if let Some(id) = &stamped {
        migrator.stamp(std::slice::from_ref(id), false, &mut |_| {})?;
    }
    Ok(Adopted { applied, stamped })
}

/// The project's revisions as a chain from its base, in order; an error
/// unless the graph is one line (what `retort import` writes).
fn chain(migrator: &Migrator) -> Result<Vec<String>> {
    let graph = migrator.project().graph();
    let linear = graph.heads().len() == 1
        && graph.bases().len() == 1
        && graph.all_ids().all(|id| graph.parents(id).len() <= 1);
    if !linear {
        return Err(Error::Usage(
            "adopt needs the linear chain `retort import` writes; this project has branches or merges".into(),
        ));
    }
    let mut ids: Vec<String> = graph
        .history(None, &[])?
        .into_iter()
        .map(str::to_string)
        .collect();
    ids.reverse();
    Ok(ids)
}

fn unknown(tool: Tool, version: &str) -> Error {
    Error::Usage(format!(
        "{} applied migration {version}, which the project does not have (no revision {}); import the same folder the database was migrated from",
        tool.name(),
        revision_id(version)
    ))
}

fn gap(tool: Tool, chain: &[String], applied: &[String], i: usize) -> Error {
    Error::Usage(format!(
        "{}'s history skips revision {} but has {} applied after it: the database does not match the imported order; apply the missing migration with {} first",
        tool.name(),
        chain.get(i).map(String::as_str).unwrap_or("?"),
        applied[i],
        tool.name()
    ))
}
