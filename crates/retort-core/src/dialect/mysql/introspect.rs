//! Reading a MySQL or MariaDB database into the model, set-wise: one
//! `information_schema` query per kind of object for the whole database
//! (tables, columns, index parts, foreign-key parts, checks, views,
//! triggers, routines, routine parameters), whatever its size. Only
//! MariaDB's sequences are read from the sequences themselves (one
//! `UNION ALL` query), as `information_schema` has no table of them before
//! MariaDB 11.5, and each view's query from `SHOW CREATE VIEW`, as
//! `information_schema.VIEWS` drops the character sets of its literals.
//!
//! Everything is read from the connection's current database
//! (`DATABASE()`), whose objects get an empty schema; a foreign key to
//! another database keeps that database's name.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::server::{Flavor, ServerVersion};
use crate::dialect::catalog::{excluded, opt, query, text, Builder, Rows};
use crate::dialect::sql::TableRef;
use crate::dialect::{Connection, Dialect};
use crate::error::{Error, Result};
use crate::schema::{
    CheckConstraint, Column, FkAction, ForeignKey, Function, Index, PrimaryKey, QualifiedName,
    Schema, Sequence, Trigger, View,
};

/// What every query filters on.
const HERE: &str = "= DATABASE()";

/// Reads the whole schema of the current database.
pub(super) fn read(conn: &mut dyn Connection, exclude: &[TableRef]) -> Result<Schema> {
    let (server, database) = server_and_database(conn)?;
    let (mut b, views, sequence_names) = tables(conn, exclude)?;
    columns(conn, &mut b, &server, &database)?;
    let check_rows = check_rows(conn, &server)?;
    let json = if server.features().native_json {
        HashSet::new()
    } else {
        mark_json(&mut b, &check_rows)
    };
    indexes(conn, &mut b, &server)?;
    foreign_keys(conn, &mut b)?;
    checks(&mut b, &check_rows, &json);
    triggers(conn, &mut b)?;
    let names: HashSet<String> = b
        .tables
        .iter()
        .map(|t| t.name.name.clone())
        .chain(views.iter().cloned())
        .collect();
    Ok(Schema {
        views: read_views(conn, &views, &names, (&server, &database))?,
        functions: routines(conn, &database)?,
        sequences: sequences(conn, &sequence_names)?,
        tables: b.tables,
        ..Schema::default()
    })
}

/// The server's version and the current database's name.
fn server_and_database(conn: &mut dyn Connection) -> Result<(ServerVersion, String)> {
    let rows = query(conn, "the server version", "SELECT VERSION(), DATABASE()")?;
    let row = rows.first().cloned().unwrap_or_default();
    let version = text(&row, 0);
    let server = ServerVersion::parse(&version).ok_or_else(|| {
        Error::Usage(format!("cannot read the server's version from `{version}`"))
    })?;
    let database = opt(&row, 1).ok_or_else(|| {
        Error::Usage("the database URL names no database: add one (mysql://host/DB)".into())
    })?;
    Ok((server, database))
}

/// Base tables (as a builder with their options and comment), the names of
/// views, and the names of MariaDB sequences.
fn tables(
    conn: &mut dyn Connection,
    exclude: &[TableRef],
) -> Result<(Builder, Vec<String>, Vec<String>)> {
    let rows = query(
        conn,
        "tables",
        &format!(
            "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, TABLE_COMMENT, CREATE_OPTIONS \
             FROM information_schema.TABLES WHERE TABLE_SCHEMA {HERE} ORDER BY TABLE_NAME"
        ),
    )?;
    let mut names = Vec::new();
    let (mut views, mut sequences) = (Vec::new(), Vec::new());
    let mut details = Vec::new();
    for r in rows.iter().filter(|r| !excluded(exclude, "", &text(r, 0))) {
        let name = text(r, 0);
        match text(r, 1).as_str() {
            "VIEW" => views.push(name),
            "SEQUENCE" => sequences.push(name),
            kind => {
                let comment = opt(r, 4).filter(|c| !c.is_empty());
                names.push((QualifiedName::new("", name), comment));
                details.push((kind.to_string(), r.clone()));
            }
        }
    }
    let mut b = Builder::new(names);
    for (t, (kind, r)) in b.tables.iter_mut().zip(details) {
        t.storage_options = table_options(&r);
        t.unsupported = unsupported_table(&kind, &text(&r, 5));
    }
    Ok((b, views, sequences))
}

/// `ENGINE=…`, `COLLATE=…` and the options given when the table was made
/// (`ROW_FORMAT=…`, `KEY_BLOCK_SIZE=…`, `STATS_PERSISTENT=…`…), sorted.
fn table_options(r: &[Option<String>]) -> Vec<String> {
    let mut options = Vec::new();
    if let Some(engine) = opt(r, 2) {
        options.push(format!("ENGINE={engine}"));
    }
    if let Some(collation) = opt(r, 3) {
        options.push(format!("COLLATE={collation}"));
    }
    for option in text(r, 5).split_whitespace() {
        if let Some((name, value)) = option.split_once('=') {
            let name = name.to_ascii_uppercase();
            // Written back as the table's `ENCRYPTED=` etc. by the server;
            // these two are listed in other columns already.
            if !matches!(name.as_str(), "PARTITIONED") {
                options.push(format!("{name}={value}"));
            }
        }
    }
    options.sort();
    options
}

/// Why a base table cannot be modelled exactly, if it cannot.
fn unsupported_table(kind: &str, create_options: &str) -> Option<String> {
    if kind == "SYSTEM VERSIONED" {
        return Some("a system-versioned table".into());
    }
    let partitioned = create_options
        .split_whitespace()
        .any(|o| o.eq_ignore_ascii_case("partitioned"));
    partitioned.then(|| "a partitioned table".into())
}

/// Columns in table order.
fn columns(
    conn: &mut dyn Connection,
    b: &mut Builder,
    server: &ServerVersion,
    database: &str,
) -> Result<()> {
    let rows = query(
        conn,
        "columns",
        &format!(
            "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, \
             COLLATION_NAME, COLUMN_COMMENT, GENERATION_EXPRESSION, DATA_TYPE \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA {HERE} \
             ORDER BY TABLE_NAME, ORDINAL_POSITION"
        ),
    )?;
    for r in rows {
        let table = QualifiedName::new("", text(&r, 0));
        let Some(t) = b.table(&table) else { continue };
        let mut column = column(&r, server);
        // MariaDB names the sequence of a `nextval` default with its database.
        column.default = column.default.map(|d| unqualified(&d, database));
        t.columns.push(column);
    }
    Ok(())
}

/// Marks MariaDB's `JSON` columns as `json` (see [`json_columns`]) and
/// returns them, (table, column), so that their checks are left out.
fn mark_json(b: &mut Builder, checks: &Rows) -> HashSet<(String, String)> {
    let json = json_columns(b, checks);
    for (table, column) in &json {
        let c = b
            .table(&QualifiedName::new("", table.clone()))
            .and_then(|t| t.columns.iter_mut().find(|c| &c.name == column));
        if let Some(c) = c {
            c.data_type = "json".into();
            c.collation = None;
        }
    }
    json
}

/// One column from its `information_schema.COLUMNS` row.
fn column(r: &[Option<String>], server: &ServerVersion) -> Column {
    let extra = text(r, 5);
    let lower = extra.to_ascii_lowercase();
    let generated = opt(r, 8).filter(|g| !g.is_empty());
    let default = if generated.is_some() {
        None
    } else {
        default(opt(r, 4), &lower, &text(r, 9), server)
    };
    Column {
        name: text(r, 1),
        data_type: text(r, 2),
        nullable: text(r, 3) == "YES",
        default,
        generated_virtual: generated.is_some() && lower.contains("virtual"),
        generated,
        collation: opt(r, 6),
        comment: opt(r, 7).filter(|c| !c.is_empty()),
        on_update: on_update(&extra),
        auto_increment: lower.contains("auto_increment"),
        invisible: lower.contains("invisible"),
        ..Column::default()
    }
}

/// The default as SQL. MariaDB gives it as SQL already (`'text'`, `0`,
/// `current_timestamp()`, and `NULL` for none); MySQL gives literals bare
/// and marks expressions `DEFAULT_GENERATED`.
fn default(
    raw: Option<String>,
    extra: &str,
    data_type: &str,
    server: &ServerVersion,
) -> Option<String> {
    let raw = raw?;
    if server.flavor == Flavor::Mariadb {
        return (raw != "NULL").then_some(raw);
    }
    if extra.contains("default_generated") {
        let current = raw.to_ascii_lowercase().starts_with("current_timestamp");
        return Some(if current { raw } else { format!("({raw})") });
    }
    const BARE: &[&str] = &[
        "tinyint",
        "smallint",
        "mediumint",
        "int",
        "bigint",
        "decimal",
        "float",
        "double",
        "bit",
    ];
    if BARE.contains(&data_type) {
        Some(raw)
    } else {
        Some(super::Mysql.literal(&raw))
    }
}

/// The `on update …` part of a column's `EXTRA`.
fn on_update(extra: &str) -> Option<String> {
    let at = extra.to_ascii_lowercase().find("on update ")?;
    let rest = &extra[at + "on update ".len()..];
    rest.split_whitespace().next().map(str::to_string)
}

/// MariaDB's `JSON` columns: `LONGTEXT` with a check named after the column
/// that is exactly `json_valid(column)`, found among the checks `rows` (as
/// [`check_rows`] reads them). The join is made here: MariaDB joins two
/// `information_schema` views many times slower than it reads each.
fn json_columns(b: &Builder, rows: &Rows) -> HashSet<(String, String)> {
    let longtext: HashSet<(&str, &str)> = b
        .tables
        .iter()
        .flat_map(|t| {
            t.columns
                .iter()
                .filter(|c| c.data_type == "longtext")
                .map(|c| (t.name.name.as_str(), c.name.as_str()))
        })
        .collect();
    rows.iter()
        .filter(|r| text(r, 3) == "Column")
        .filter(|r| {
            let (table, column) = (text(r, 0), text(r, 1));
            let clause = format!("json_valid({})", super::quote::quoted(&column, '`'));
            text(r, 2) == clause && longtext.contains(&(table.as_str(), column.as_str()))
        })
        .map(|r| (text(r, 0), text(r, 1)))
        .collect()
}

/// The primary key and every index (unique keys among them), from their
/// parts in order.
fn indexes(conn: &mut dyn Connection, b: &mut Builder, server: &ServerVersion) -> Result<()> {
    let expression = if server.features().functional_indexes {
        "EXPRESSION"
    } else {
        "NULL"
    };
    let rows = query(
        conn,
        "indexes",
        &format!(
            "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION, \
             INDEX_TYPE, {expression}, INDEX_COMMENT FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA {HERE} ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
        ),
    )?;
    let mut built: BTreeMap<(String, String), Index> = BTreeMap::new();
    for r in &rows {
        let (table, name) = (text(r, 0), text(r, 1));
        let part = index_part(r);
        if name == "PRIMARY" {
            if let Some(t) = b.table(&QualifiedName::new("", table.clone())) {
                let key = t.primary_key.get_or_insert_with(PrimaryKey::default);
                key.columns.push(text(r, 3));
            }
            continue;
        }
        let index = built.entry((table, name.clone())).or_insert_with(|| Index {
            name,
            unique: text(r, 2) == "0",
            method: match text(r, 6).as_str() {
                "BTREE" | "" => None,
                other => Some(other.to_string()),
            },
            comment: opt(r, 8).filter(|c| !c.is_empty()),
            ..Index::default()
        });
        index.parts.push(part);
    }
    for ((table, _), index) in built {
        if let Some(t) = b.table(&QualifiedName::new("", table)) {
            t.indexes.push(index);
        }
    }
    Ok(())
}

/// One part of an index: `` `col` ``, `` `col`(10) ``, `` `col` DESC ``, or
/// an expression.
fn index_part(r: &[Option<String>]) -> String {
    let mut part = match opt(r, 3) {
        Some(column) => super::Mysql.ident(&column),
        None => format!(
            "({})",
            text(r, 7).trim_start_matches('(').trim_end_matches(')')
        ),
    };
    // MariaDB reports a length of 32 for each part of a spatial index,
    // which cannot be written back.
    if let Some(length) = opt(r, 4).filter(|_| text(r, 6) != "SPATIAL") {
        part.push_str(&format!("({length})"));
    }
    if text(r, 5) == "D" {
        part.push_str(" DESC");
    }
    part
}

/// Foreign keys with their actions, columns in order. Two queries joined
/// here (see [`json_columns`] for why).
fn foreign_keys(conn: &mut dyn Connection, b: &mut Builder) -> Result<()> {
    let rules: HashMap<(String, String), (String, String)> = query(
        conn,
        "foreign-key actions",
        &format!(
            "SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE \
             FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA {HERE}"
        ),
    )?
    .into_iter()
    .map(|r| ((text(&r, 0), text(&r, 1)), (text(&r, 2), text(&r, 3))))
    .collect();
    let rows = query(
        conn,
        "foreign keys",
        &format!(
            "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, \
             REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME, TABLE_SCHEMA \
             FROM information_schema.KEY_COLUMN_USAGE \
             WHERE TABLE_SCHEMA {HERE} AND REFERENCED_TABLE_NAME IS NOT NULL \
             ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION"
        ),
    )?;
    for r in rows {
        let (table, name) = (text(&r, 0), text(&r, 1));
        let Some((on_update, on_delete)) = rules.get(&(table.clone(), name.clone())) else {
            continue;
        };
        let Some(t) = b.table(&QualifiedName::new("", table)) else {
            continue;
        };
        if t.foreign_keys.last().is_none_or(|fk| fk.name != name) {
            // The current database's tables have no schema in the model.
            let schema = if text(&r, 3) == text(&r, 6) {
                String::new()
            } else {
                text(&r, 3)
            };
            t.foreign_keys.push(ForeignKey {
                name,
                references: QualifiedName::new(schema, text(&r, 4)),
                on_update: FkAction::parse(on_update),
                on_delete: FkAction::parse(on_delete),
                ..ForeignKey::default()
            });
        }
        if let Some(fk) = t.foreign_keys.last_mut() {
            fk.columns.push(text(&r, 2));
            fk.referenced_columns.push(text(&r, 5));
        }
    }
    Ok(())
}

/// The check constraints (MySQL 8.0.16+, MariaDB): table, name, clause
/// and level (`Column` for a MariaDB column's own check).
fn check_rows(conn: &mut dyn Connection, server: &ServerVersion) -> Result<Rows> {
    if !server.features().check_constraints {
        return Ok(Rows::new());
    }
    // MariaDB names checks per table (and lists the table); MySQL per
    // database, reaching the table through TABLE_CONSTRAINTS.
    let sql = match server.flavor {
        Flavor::Mariadb => format!(
            "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL \
             FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA {HERE}"
        ),
        Flavor::Mysql => format!(
            "SELECT t.TABLE_NAME, c.CONSTRAINT_NAME, c.CHECK_CLAUSE, 'Table' \
             FROM information_schema.CHECK_CONSTRAINTS c JOIN information_schema.TABLE_CONSTRAINTS t \
             ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME \
             AND t.CONSTRAINT_TYPE = 'CHECK' WHERE c.CONSTRAINT_SCHEMA {HERE}"
        ),
    };
    query(conn, "check constraints", &sql)
}

/// Check constraints into their tables (a MariaDB column's own check into
/// its column), but for the ones that make a MariaDB column `JSON`.
fn checks(b: &mut Builder, rows: &Rows, json_checks: &HashSet<(String, String)>) {
    for r in rows {
        let (table, name) = (text(r, 0), text(r, 1));
        if json_checks.contains(&(table.clone(), name.clone())) {
            continue;
        }
        let Some(t) = b.table(&QualifiedName::new("", table)) else {
            continue;
        };
        // A MariaDB column's own check is named after the column.
        if text(r, 3) == "Column" {
            if let Some(c) = t.columns.iter_mut().find(|c| c.name == name) {
                c.check = Some(text(r, 2));
                continue;
            }
        }
        t.checks.push(CheckConstraint {
            name,
            expression: text(r, 2),
            ..CheckConstraint::default()
        });
    }
}

/// Triggers, each as the `CREATE TRIGGER` statement that makes it.
fn triggers(conn: &mut dyn Connection, b: &mut Builder) -> Result<()> {
    let rows = query(
        conn,
        "triggers",
        &format!(
            "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, \
             ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA {HERE} \
             ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER"
        ),
    )?;
    // The trigger before each one on the same table, timing and event
    // (rows come in firing order).
    let mut previous: HashMap<(String, String, String), String> = HashMap::new();
    for r in rows {
        let table = text(&r, 0);
        let Some(t) = b.table(&QualifiedName::new("", table.clone())) else {
            continue;
        };
        let name = text(&r, 1);
        let group = (table.clone(), text(&r, 2), text(&r, 3));
        let follows = previous
            .insert(group, name.clone())
            .map(|p| format!("FOLLOWS {} ", super::Mysql.ident(&p)))
            .unwrap_or_default();
        t.triggers.push(Trigger {
            definition: format!(
                "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {follows}{}",
                super::Mysql.ident(&name),
                text(&r, 2),
                text(&r, 3),
                super::Mysql.ident(&table),
                text(&r, 4).trim()
            ),
            name,
            comment: None,
        });
    }
    Ok(())
}

/// Views, with the tables and views they read (the names their text
/// quotes), so that they are created in order.
fn read_views(
    conn: &mut dyn Connection,
    wanted: &[String],
    names: &HashSet<String>,
    (server, database): (&ServerVersion, &str),
) -> Result<Vec<View>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    // Only MariaDB lists the algorithm.
    let algorithm = match server.flavor {
        Flavor::Mariadb => "ALGORITHM",
        Flavor::Mysql => "'UNDEFINED'",
    };
    let rows = query(
        conn,
        "views",
        &format!(
            "SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, {algorithm} \
             FROM information_schema.VIEWS WHERE TABLE_SCHEMA {HERE} ORDER BY TABLE_NAME"
        ),
    )?;
    let shown = shown_view_queries(conn, wanted)?;
    let wanted: HashSet<&String> = wanted.iter().collect();
    Ok(rows
        .iter()
        .filter(|r| wanted.contains(&text(r, 0)))
        .map(|r| {
            // `SHOW CREATE VIEW` ends with the check option already.
            let definition = match shown.get(&text(r, 0)) {
                Some(query) => unqualified(query, database),
                None => {
                    let mut query = unqualified(&text(r, 1), database);
                    match text(r, 2).as_str() {
                        "CASCADED" => query.push_str(" WITH CASCADED CHECK OPTION"),
                        "LOCAL" => query.push_str(" WITH LOCAL CHECK OPTION"),
                        _ => {}
                    }
                    query
                }
            };
            let name = text(r, 0);
            let mut options = Vec::new();
            if !matches!(text(r, 4).as_str(), "UNDEFINED" | "") {
                options.push(format!("ALGORITHM={}", text(r, 4)));
            }
            if text(r, 3) == "INVOKER" {
                options.push("SQL SECURITY INVOKER".to_string());
            }
            View {
                options,
                reads: quoted_names(&definition)
                    .into_iter()
                    .filter(|n| names.contains(n) && *n != name)
                    .map(|n| QualifiedName::new("", n))
                    .collect(),
                name: QualifiedName::new("", name),
                definition,
                ..View::default()
            }
        })
        .collect())
}

/// Each view's query as `SHOW CREATE VIEW` gives it: unlike
/// `information_schema.VIEWS` (which drops them), it keeps the character
/// set introducers of literals (`_latin1'x'`, `_binary'…'`), so one query
/// per view.
fn shown_view_queries(
    conn: &mut dyn Connection,
    views: &[String],
) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for view in views {
        let rows = query(
            conn,
            "a view's definition",
            &format!("SHOW CREATE VIEW {}", super::Mysql.ident(view)),
        )?;
        let create = rows.first().map(|r| text(r, 1)).unwrap_or_default();
        let marker = format!(" VIEW {} AS ", super::quote::quoted(view, '`'));
        if let Some((_, query)) = create.split_once(&marker) {
            out.insert(view.clone(), query.to_string());
        }
    }
    Ok(out)
}

/// SQL the server wrote with the current database's name in front of its
/// objects (`` `app`.`t`.`id` ``), without it, so that equal schemas in two
/// databases read alike.
fn unqualified(sql: &str, database: &str) -> String {
    sql.replace(&format!("{}.", super::Mysql.ident(database)), "")
        .replace(&format!("`{}`.", database.replace('`', "``")), "")
}

/// The names written in backticks in `sql`, once each.
fn quoted_names(sql: &str) -> Vec<String> {
    let mut out: Vec<String> = sql
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Procedures and functions, each as the `CREATE` statement that makes it.
fn routines(conn: &mut dyn Connection, database: &str) -> Result<Vec<Function>> {
    let rows = query(
        conn,
        "routines",
        &format!(
            "SELECT ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, ROUTINE_DEFINITION, \
             IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE, ROUTINE_COMMENT \
             FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA {HERE} ORDER BY ROUTINE_NAME"
        ),
    )?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let parameters = parameters(conn)?;
    Ok(rows
        .iter()
        .map(|r| routine(r, &parameters, database))
        .collect())
}

/// Each routine's parameter list as written in its `CREATE` statement, by
/// (type, name).
fn parameters(conn: &mut dyn Connection) -> Result<HashMap<(String, String), String>> {
    let rows = query(
        conn,
        "routine parameters",
        &format!(
            "SELECT ROUTINE_TYPE, SPECIFIC_NAME, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER \
             FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA {HERE} \
             AND ORDINAL_POSITION > 0 ORDER BY SPECIFIC_NAME, ORDINAL_POSITION"
        ),
    )?;
    let mut out: HashMap<(String, String), Vec<String>> = HashMap::new();
    for r in rows {
        let mode = match text(&r, 0).as_str() {
            "PROCEDURE" => format!("{} ", text(&r, 2)),
            _ => String::new(),
        };
        out.entry((text(&r, 0), text(&r, 1)))
            .or_default()
            .push(format!(
                "{mode}{} {}",
                super::Mysql.ident(&text(&r, 3)),
                text(&r, 4)
            ));
    }
    Ok(out.into_iter().map(|(k, v)| (k, v.join(", "))).collect())
}

/// One routine from its `information_schema.ROUTINES` row.
fn routine(
    r: &[Option<String>],
    parameters: &HashMap<(String, String), String>,
    database: &str,
) -> Function {
    let (name, kind) = (text(r, 0), text(r, 1));
    let procedure = kind == "PROCEDURE";
    let arguments = parameters
        .get(&(kind.clone(), name.clone()))
        .cloned()
        .unwrap_or_default();
    let result = if procedure { String::new() } else { text(r, 2) };
    let mut definition = format!("CREATE {kind} {}({arguments})", super::Mysql.ident(&name));
    if !procedure {
        definition.push_str(&format!(" RETURNS {result}"));
    }
    if let Some(comment) = opt(r, 7).filter(|c| !c.is_empty()) {
        definition.push_str(&format!(" COMMENT {}", super::Mysql.literal(&comment)));
    }
    if text(r, 4) == "YES" {
        definition.push_str(" DETERMINISTIC");
    }
    if text(r, 5) != "CONTAINS SQL" {
        definition.push_str(&format!(" {}", text(r, 5)));
    }
    if text(r, 6) == "INVOKER" {
        definition.push_str(" SQL SECURITY INVOKER");
    }
    definition.push_str(&format!(" {}", unqualified(text(r, 3).trim(), database)));
    Function {
        name: QualifiedName::new("", name),
        arguments,
        procedure,
        result,
        definition,
        ..Function::default()
    }
}

/// MariaDB sequences, read from the sequences themselves (one `UNION ALL`).
fn sequences(conn: &mut dyn Connection, names: &[String]) -> Result<Vec<Sequence>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let sql = names
        .iter()
        .map(|n| {
            format!(
                "SELECT {}, start_value, increment, minimum_value, maximum_value, cache_size, \
                 cycle_option FROM {}",
                super::Mysql.literal(n),
                super::Mysql.ident(n)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let number = |r: &[Option<String>], i| text(r, i).parse::<i64>().unwrap_or_default();
    Ok(query(conn, "sequences", &sql)?
        .iter()
        .map(|r| Sequence {
            name: QualifiedName::new("", text(r, 0)),
            data_type: "bigint".into(),
            start: number(r, 1),
            increment: number(r, 2),
            min_value: Some(number(r, 3)),
            max_value: Some(number(r, 4)),
            cache: Some(number(r, 5)),
            cycle: text(r, 6) == "1",
            ..Sequence::default()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_update_and_options_are_read_from_their_text() {
        assert_eq!(
            on_update("on update current_timestamp(6) INVISIBLE").as_deref(),
            Some("current_timestamp(6)")
        );
        assert_eq!(on_update("auto_increment"), None);
        assert_eq!(
            unsupported_table("BASE TABLE", "partitioned").as_deref(),
            Some("a partitioned table")
        );
        assert_eq!(unsupported_table("BASE TABLE", "row_format=DYNAMIC"), None);
        assert_eq!(
            unqualified("select `app`.`t`.`id` AS `id` from `app`.`t`", "app"),
            "select `t`.`id` AS `id` from `t`"
        );
        assert_eq!(quoted_names("select `t`.`id` from `t`"), ["id", "t"]);
    }
}
