//! `retort::testing` on MariaDB/MySQL: the template is a database on the
//! server; a copy is a new database into which its dump is replayed in SQL
//! (`SHOW CREATE` of every table, view, trigger and routine, and the rows
//! of every table), with no client program needed.

use super::{scratch_statements, Mysql};
use crate::db_url::DatabaseUrl;
use crate::dialect::scratch::Cleanup;
use crate::dialect::{Connection, Dialect};
use crate::error::{DbError, Error, Result};

pub(super) fn template(server: &DatabaseUrl, name: &str) -> Result<DatabaseUrl> {
    let mut admin = Mysql.connect(server)?;
    let (create, _) = scratch_statements(admin.as_mut(), name)?;
    let create = create.replacen("CREATE DATABASE", "CREATE DATABASE IF NOT EXISTS", 1);
    admin
        .execute(&create)
        .map_err(|db| Error::db(format!("creating the template database {name}"), db))?;
    Ok(server.with_database(name))
}

pub(super) fn copy(
    server: &DatabaseUrl,
    template: &str,
    name: &str,
) -> Result<(DatabaseUrl, Cleanup)> {
    let mut admin = Mysql.connect(server)?;
    let (create, drop_sql) = scratch_statements(admin.as_mut(), name)?;
    admin
        .execute(&create)
        .map_err(|db| Error::db(format!("creating the test database {name}"), db))?;
    drop(admin);
    let admin_url = server.clone();
    let cleanup: Cleanup =
        Box::new(move || crate::dialect::scratch::drop_database(&Mysql, &admin_url, &drop_sql));
    let url = server.with_database(name);
    let replayed = Mysql
        .connect(&url)
        .and_then(|mut conn| replay(conn.as_mut(), template, name));
    match replayed {
        Ok(()) => Ok((url, cleanup)),
        Err(e) => {
            cleanup();
            Err(e)
        }
    }
}

/// Replays `template`'s objects and rows into the database `conn` uses.
fn replay(conn: &mut dyn Connection, template: &str, name: &str) -> Result<()> {
    let fail = |what: String| move |db: DbError| Error::db(what, db);
    conn.execute("SET FOREIGN_KEY_CHECKS = 0")
        .map_err(fail("turning foreign key checks off".into()))?;
    let objects = conn
        .query_rows(&format!(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = '{template}' ORDER BY table_name"
        ))
        .map_err(fail(format!("listing the tables of {template}")))?;
    let mut views = Vec::new();
    for row in objects {
        let (Some(Some(table)), Some(Some(kind))) = (row.first(), row.get(1)) else {
            continue;
        };
        match kind.as_str() {
            "BASE TABLE" => copy_table(conn, template, table)?,
            "VIEW" => views.push(table.clone()),
            other => {
                return Err(Error::Usage(format!(
                    "retort::testing cannot copy {template}.{table} (a {other}) yet"
                )))
            }
        }
    }
    copy_views(conn, template, name, views)?;
    copy_shown(conn, template, "TRIGGER", &format!(
        "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = '{template}' ORDER BY action_order"
    ))?;
    for kind in ["PROCEDURE", "FUNCTION"] {
        copy_shown(conn, template, kind, &format!(
            "SELECT routine_name FROM information_schema.routines WHERE routine_schema = '{template}' AND routine_type = '{kind}'"
        ))?;
    }
    conn.execute("SET FOREIGN_KEY_CHECKS = 1")
        .map_err(fail("turning foreign key checks on".into()))
}

/// The second column of `SHOW CREATE …`'s one row.
fn show_create(conn: &mut dyn Connection, what: &str, column: usize) -> Result<String> {
    conn.query_rows(&format!("SHOW CREATE {what}"))
        .map_err(|db| Error::db(format!("reading SHOW CREATE {what}"), db))?
        .into_iter()
        .next()
        .and_then(|row| row.into_iter().nth(column).flatten())
        .ok_or_else(|| {
            Error::Usage(format!(
                "SHOW CREATE {what} gave no definition (the user may lack the privilege to see it)"
            ))
        })
}

/// The table's definition, then its rows (generated columns are computed
/// again, not copied).
fn copy_table(conn: &mut dyn Connection, template: &str, table: &str) -> Result<()> {
    let create = show_create(conn, &format!("TABLE `{template}`.`{table}`"), 1)?;
    conn.execute(&create)
        .map_err(|db| Error::db(format!("creating the copy of {table}"), db))?;
    let columns: Vec<String> = conn
        .query_column(&format!(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = '{template}' AND table_name = '{table}' AND extra NOT LIKE '%GENERATED%' ORDER BY ordinal_position"
        ))
        .map_err(|db| Error::db(format!("listing the columns of {table}"), db))?
        .into_iter()
        .flatten()
        .map(|c| format!("`{c}`"))
        .collect();
    let list = columns.join(", ");
    conn.execute(&format!(
        "INSERT INTO `{table}` ({list}) SELECT {list} FROM `{template}`.`{table}`"
    ))
    .map_err(|db| Error::db(format!("copying the rows of {table}"), db))
}

/// Views, in an order that works: a view on another view fails until that
/// one exists, so each round creates what it can.
fn copy_views(
    conn: &mut dyn Connection,
    template: &str,
    name: &str,
    mut views: Vec<String>,
) -> Result<()> {
    let qualifier = format!("`{template}`.");
    let ours = format!("`{name}`.");
    while !views.is_empty() {
        let mut left = Vec::new();
        let mut last_error = None;
        for view in views.iter() {
            let create = show_create(conn, &format!("VIEW `{template}`.`{view}`"), 1)?
                .replace(&qualifier, &ours);
            if let Err(db) = conn.execute(&create) {
                left.push(view.clone());
                last_error = Some((view.clone(), db));
            }
        }
        if left.len() == views.len() {
            let (view, db) = last_error.expect("a view failed");
            return Err(Error::db(
                format!("creating the copy of the view {view}"),
                db,
            ));
        }
        views = left;
    }
    Ok(())
}

/// Triggers or routines (`kind`) that `list` names, through `SHOW CREATE`.
fn copy_shown(conn: &mut dyn Connection, template: &str, kind: &str, list: &str) -> Result<()> {
    let names = conn
        .query_column(list)
        .map_err(|db| Error::db(format!("listing the {kind}s of {template}"), db))?;
    for name in names.into_iter().flatten() {
        let create = show_create(conn, &format!("{kind} `{template}`.`{name}`"), 2)?;
        conn.execute(&create)
            .map_err(|db| Error::db(format!("creating the copy of {kind} {name}"), db))?;
    }
    Ok(())
}
