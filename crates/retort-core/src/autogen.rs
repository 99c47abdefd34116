//! Autogenerate: compare two schema states and write the SQL between them.
//!
//! A state is a database URL, a file or folder of SQL (loaded into a scratch
//! database of the same dialect, so the database's own parser normalises
//! it), or `migrations@REV` (the schema the revisions produce, built in a
//! scratch database). retort's own tables are never part of a state.

use std::path::PathBuf;

use crate::db_url::DatabaseUrl;
use crate::dialect::sql::TableRef;
use crate::dialect::{self, introspect, DialectKind};
use crate::error::{Error, Result};
use crate::load;
use crate::project::Project;
use crate::schema::rename::{Rename, Renames};
use crate::schema::{Change, Schema};

/// Where a schema state comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A live database.
    Database(DatabaseUrl),
    /// SQL files or folders of the desired state.
    Sql(Vec<PathBuf>),
    /// The schema the project's revisions produce at a revision.
    Migrations(String),
}

impl Source {
    /// Parses `migrations@REV`, a URL (anything with `://`), or a path
    /// (relative to `base`).
    pub fn parse(text: &str, base: &std::path::Path) -> Result<Self> {
        if let Some(rev) = text.strip_prefix("migrations@") {
            return Ok(Source::Migrations(rev.to_string()));
        }
        if text.contains("://") {
            return Ok(Source::Database(DatabaseUrl::parse(text, base)?));
        }
        Ok(Source::Sql(vec![base.join(text)]))
    }

    /// How the state is named in a generated file's header.
    pub fn describe(&self) -> String {
        match self {
            Source::Database(url) => url.masked(),
            Source::Sql(paths) => paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            Source::Migrations(rev) => format!("migrations@{rev}"),
        }
    }
}

/// What reading a state needs besides the source itself: the filter of
/// what to leave out, retort's own tables (never part of a state), and the
/// project, for `migrations@REV`.
///
/// Inside a project ([`Scope::project`]) these are the project's
/// `[autogenerate]` filter and its version and history tables; outside one
/// ([`Scope::standalone`]) nothing is filtered but retort's default table
/// names, `retort_version`, `retort_history` and Alembic's `alembic_version`.
/// Privileges are left out unless the project's `[autogenerate]
/// privileges` or [`Scope::with_privileges`] asks for them.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    project: Option<&'a Project>,
    privileges: bool,
}

/// The tables a state read outside a project leaves out: retort's default
/// version and history tables, and Alembic's version table.
pub const STANDALONE_EXCLUDED: [&str; 3] = ["retort_version", "retort_history", "alembic_version"];

impl<'a> Scope<'a> {
    /// Reads states as `project` sees them.
    pub fn project(project: &'a Project) -> Self {
        Self {
            project: Some(project),
            privileges: false,
        }
    }

    /// Also compares privileges when `on` (`--with-privileges`), whatever
    /// the project's `[autogenerate] privileges` says.
    pub fn with_privileges(mut self, on: bool) -> Self {
        self.privileges |= on;
        self
    }

    /// Reads states with no project: see [`STANDALONE_EXCLUDED`].
    pub fn standalone() -> Self {
        Self {
            project: None,
            privileges: false,
        }
    }

    fn exclude(&self) -> Vec<TableRef> {
        match self.project {
            Some(p) => vec![p.version_table(), p.history_table()],
            None => STANDALONE_EXCLUDED
                .iter()
                .map(|name| TableRef {
                    schema: None,
                    name: (*name).to_string(),
                })
                .collect(),
        }
    }
}

/// Reads a state, without what the project's `[autogenerate]` filter leaves
/// out. `server` is where scratch databases are made (the target or
/// `dev_url`); it also fixes the dialect.
pub fn read(project: &Project, source: &Source, server: &DatabaseUrl) -> Result<Schema> {
    read_in(Scope::project(project), source, server)
}

/// Reads a state in `scope` (a project's, or none). `server` is where
/// scratch databases are made; it also fixes the dialect.
pub fn read_in(scope: Scope<'_>, source: &Source, server: &DatabaseUrl) -> Result<Schema> {
    let mut schema = read_unfiltered(scope, source, server)?;
    let mut filter = scope
        .project
        .map(|p| p.config.filter.clone())
        .unwrap_or_default();
    filter.privileges |= scope.privileges;
    filter.apply(&mut schema);
    Ok(schema)
}

fn read_unfiltered(scope: Scope<'_>, source: &Source, server: &DatabaseUrl) -> Result<Schema> {
    match source {
        Source::Database(url) => {
            if url.kind != server.kind {
                return Err(Error::Usage(format!(
                    "cannot compare a {} database with {} SQL: both sides must be the same dialect",
                    url.kind, server.kind
                )));
            }
            let mut conn = dialect::connect(url)?;
            introspect(conn.as_mut(), &scope.exclude())
        }
        Source::Sql(paths) => load::from_sql(server, paths),
        Source::Migrations(rev) => match scope.project {
            Some(project) => load::from_migrations(server, project, rev),
            None => Err(Error::Usage(format!(
                "migrations@{rev} needs a project: run retort inside one (a folder with retort.toml, or below it), or pass -c FILE"
            ))),
        },
    }
}

/// Reads two states at once (two connections, two threads): on a large
/// schema the catalog queries dominate, and the server runs them in parallel.
pub fn read_both(
    project: &Project,
    from: &Source,
    to: &Source,
    server: &DatabaseUrl,
) -> Result<(Schema, Schema)> {
    read_both_in(Scope::project(project), from, to, server)
}

/// [`read_both`] in `scope` (a project's, or none).
pub fn read_both_in(
    scope: Scope<'_>,
    from: &Source,
    to: &Source,
    server: &DatabaseUrl,
) -> Result<(Schema, Schema)> {
    std::thread::scope(|threads| {
        let to_side = threads.spawn(|| read_in(scope, to, server));
        let from_schema = read_in(scope, from, server);
        let to_schema = to_side
            .join()
            .map_err(|_| Error::Usage("reading the target schema failed unexpectedly".into()))?;
        Ok((from_schema?, to_schema?))
    })
}

fn rename_change(r: &Rename) -> Change {
    match r {
        Rename::Table { from, to } => Change::RenameTable {
            from: from.clone(),
            to: to.clone(),
        },
        Rename::Column { table, from, to } => Change::RenameColumn {
            table: table.clone(),
            from: from.clone(),
            to: to.clone(),
        },
    }
}

/// The leading drops of views and triggers, and the rest.
fn split_lead(changes: Vec<Change>) -> (Vec<Change>, Vec<Change>) {
    let n = changes
        .iter()
        .take_while(|c| {
            matches!(
                c,
                Change::DropView(_) | Change::DropTrigger { .. } | Change::DropRule(_)
            )
        })
        .count();
    let mut lead = changes;
    let rest = lead.split_off(n);
    (lead, rest)
}

/// A constraint or index rename undone.
fn reverse_name(c: &Change) -> Change {
    match c {
        Change::RenameConstraint { table, from, to } => Change::RenameConstraint {
            table: table.clone(),
            from: to.clone(),
            to: from.clone(),
        },
        Change::RenameIndex { table, from, to } => Change::RenameIndex {
            table: table.clone(),
            from: to.clone(),
            to: from.clone(),
        },
        other => other.clone(),
    }
}

fn reverse(r: &Rename) -> Rename {
    match r {
        Rename::Table { from, to } => Rename::Table {
            from: to.clone(),
            to: from.clone(),
        },
        Rename::Column { table, from, to } => Rename::Column {
            table: table.clone(),
            from: to.clone(),
            to: from.clone(),
        },
    }
}

/// The upgrade and downgrade of a comparison.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Comparison {
    /// Changes from `from` to `to`.
    pub upgrade: Vec<Change>,
    /// Changes from `to` back to `from`.
    pub downgrade: Vec<Change>,
    /// The dialect they are written for.
    pub dialect: DialectKind,
}

impl Comparison {
    /// Compares two models.
    pub fn new(dialect: DialectKind, from: &Schema, to: &Schema) -> Self {
        Self::with_renames(dialect, from, to, &[])
    }

    /// Compares two models, with `renames` made first in the upgrade (and
    /// undone last in the downgrade) instead of drops and adds.
    pub fn with_renames(
        dialect: DialectKind,
        from: &Schema,
        to: &Schema,
        renames: &[Rename],
    ) -> Self {
        // Tables first, so column renames name the table by its new name.
        let mut ordered: Vec<Rename> = renames.to_vec();
        ordered.sort_by_key(|r| matches!(r, Rename::Column { .. }));
        let mut renamed = Renames(&ordered).apply(from);
        let mut forward: Vec<Change> = ordered.iter().map(rename_change).collect();
        // Where constraints and indexes can be renamed, renaming a table
        // carries their names along.
        let names = if dialect::of(dialect).capabilities().rename_constraints && !ordered.is_empty()
        {
            crate::schema::rename::follow_ups(renamed.to_mut(), to, &ordered)
        } else {
            Vec::new()
        };
        forward.extend(names.iter().cloned());
        let backward: Vec<Change> = names
            .iter()
            .rev()
            .map(reverse_name)
            .chain(ordered.iter().rev().map(|r| rename_change(&reverse(r))))
            .collect();
        // Views and triggers read names: drop them before renaming and
        // create them after, in both directions. The upgrade's other changes
        // use the new names, so they follow the renames; the downgrade's use
        // them too, so they come before the renames are undone.
        let (up, down) = dialect::diff_both_ways(dialect::of(dialect), &renamed, to);
        let (lead, rest) = split_lead(up);
        let mut upgrade = lead;
        upgrade.extend(forward);
        upgrade.extend(rest);
        let (lead, rest) = split_lead(down);
        let (late, middle): (Vec<Change>, Vec<Change>) = rest.into_iter().partition(|c| {
            matches!(
                c,
                Change::CreateView(_)
                    | Change::CreateTrigger { .. }
                    | Change::CreateRule(_)
                    | Change::SetComment { .. }
                    | Change::Grant(_)
                    | Change::Revoke { .. }
                    | Change::GrantDefault(_)
                    | Change::RevokeDefault { .. }
            )
        });
        let mut downgrade = lead;
        downgrade.extend(middle);
        downgrade.extend(backward);
        downgrade.extend(late);
        Self {
            upgrade,
            downgrade,
            dialect,
        }
    }

    /// What the upgrade needs that the database has no statement for
    /// ([`Change::CannotApply`]), one line each: to be done by hand.
    pub fn cannot_apply(&self) -> Vec<String> {
        self.upgrade
            .iter()
            .filter(|c| matches!(c, Change::CannotApply { .. }))
            .map(summary)
            .collect()
    }

    /// Asks the server at `server` (the target or the dev database) whether
    /// each column type change has a cast. One that has none (PostgreSQL's
    /// `timestamp` to `integer`) cannot be written as `ALTER COLUMN … TYPE`:
    /// it becomes a [`Change::CannotApply`], reported by
    /// [`Comparison::cannot_apply`], and the column's other changes
    /// (nullability, default) are still made. Connects only when some
    /// column changes type, and only where the dialect can ask.
    pub fn check_casts(&mut self, server: &DatabaseUrl) -> Result<()> {
        let mut pairs: Vec<(String, String)> = self
            .upgrade
            .iter()
            .chain(&self.downgrade)
            .filter_map(retyped)
            .collect();
        pairs.sort();
        pairs.dedup();
        if pairs.is_empty() {
            return Ok(());
        }
        let missing = dialect::of(self.dialect).missing_casts(server, &pairs)?;
        let uncastable: Vec<(String, String)> = pairs
            .into_iter()
            .zip(missing)
            .filter_map(|(pair, missing)| missing.then_some(pair))
            .collect();
        if !uncastable.is_empty() {
            self.upgrade = without_type_changes(std::mem::take(&mut self.upgrade), &uncastable);
            self.downgrade = without_type_changes(std::mem::take(&mut self.downgrade), &uncastable);
        }
        Ok(())
    }

    /// True when the two states are the same.
    pub fn is_empty(&self) -> bool {
        self.upgrade.is_empty()
    }

    /// The upgrade as SQL, each data-losing statement marked with a comment.
    pub fn upgrade_sql(&self) -> Result<String> {
        sql_body(self.dialect, &self.upgrade)
    }

    /// The downgrade as SQL.
    pub fn downgrade_sql(&self) -> Result<String> {
        sql_body(self.dialect, &self.downgrade)
    }
}

/// The `(old type, new type)` of a column type change that needs a cast
/// (not one converted through text).
fn retyped(change: &Change) -> Option<(String, String)> {
    match change {
        Change::AlterColumn {
            from,
            to,
            cast_through_text: false,
            ..
        } if from.data_type != to.data_type => Some((from.data_type.clone(), to.data_type.clone())),
        _ => None,
    }
}

/// `changes` with each type change in `uncastable` replaced by a
/// [`Change::CannotApply`] and, when the column changes in other ways
/// too, the same change with the old type kept.
fn without_type_changes(changes: Vec<Change>, uncastable: &[(String, String)]) -> Vec<Change> {
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::AlterColumn {
                table,
                from,
                mut to,
                cast_through_text: false,
            } if uncastable.contains(&(from.data_type.clone(), to.data_type.clone())) => {
                out.push(cannot_retype(&table, &from, &to));
                to.data_type = from.data_type.clone();
                if to != from {
                    out.push(Change::AlterColumn {
                        table,
                        from,
                        to,
                        cast_through_text: false,
                    });
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The report of a column type change with no cast.
fn cannot_retype(
    table: &crate::schema::QualifiedName,
    from: &crate::schema::Column,
    to: &crate::schema::Column,
) -> Change {
    let column = format!("{}.{}", short_name(table), to.name);
    let (old, new) = (&from.data_type, &to.data_type);
    Change::CannotApply {
        what: format!("change the type of column {column} from {old} to {new}"),
        why: format!(
            "the database has no cast from {old} to {new}; add a new column, fill it with an UPDATE, then drop the old one"
        ),
    }
}

/// Statements ending in `;`, one blank line apart; a data-losing change is
/// preceded by `-- retort: data loss: …`.
fn sql_body(kind: DialectKind, changes: &[Change]) -> Result<String> {
    let mut out = String::new();
    for change in changes {
        if let Change::CannotApply { what, why } = change {
            out.push_str(&format!(
                "-- retort: cannot {what}: {why}; do it by hand\n\n"
            ));
            continue;
        }
        let statements = dialect::of(kind).render(std::slice::from_ref(change))?;
        if change.loses_data() && !statements.is_empty() {
            out.push_str(&format!("-- retort: data loss: {}\n", data_loss(change)));
        }
        for s in statements {
            out.push_str(&s);
            out.push_str(";\n\n");
        }
    }
    Ok(out.trim_end().to_string())
}

fn data_loss(change: &Change) -> String {
    match change {
        Change::DropTable(t) => format!("drops table {} and its rows", t.name.name),
        Change::DropColumn { table, column } => {
            format!("drops column {}.{} and its values", table.name, column.name)
        }
        Change::AlterColumn {
            table, from, to, ..
        } => {
            format!(
                "changes {}.{} from {} to {}; values that do not convert fail or change",
                table.name, to.name, from.data_type, to.data_type
            )
        }
        Change::RebuildTable { from, to } => {
            let lost: Vec<&str> = from
                .columns
                .iter()
                .filter(|c| !to.columns.iter().any(|n| n.name == c.name))
                .map(|c| c.name.as_str())
                .collect();
            if lost.is_empty() {
                format!(
                    "rebuilds table {}; values converted to changed column types",
                    to.name.name
                )
            } else {
                format!(
                    "rebuilds table {} without column(s) {}",
                    to.name.name,
                    lost.join(", ")
                )
            }
        }
        Change::ReplaceCompositeType { to, .. } => format!(
            "drops and creates type {} (its attributes are reordered); fails while columns use it",
            to.name.name
        ),
        _ => "may lose data".to_string(),
    }
}

fn target(on: &crate::schema::diff::CommentTarget) -> String {
    use crate::schema::diff::CommentTarget as T;
    let q = short_name;
    match on {
        T::View { name, .. } => format!("view {}", q(name)),
        T::Function {
            name, arguments, ..
        } => format!("function {}({arguments})", q(name)),
        T::ViewColumn { view, column } => format!("column {}.{column}", q(view)),
        T::Rule { relation, name } => format!("rule {name} on {}", q(relation)),
        T::Operator { name, left, right } => format!(
            "operator {}({}, {})",
            q(name),
            left.as_deref().unwrap_or("none"),
            right.as_deref().unwrap_or("none")
        ),
        T::Sequence(name) => format!("sequence {}", q(name)),
        T::Type(name) => format!("type {}", q(name)),
        T::Domain(name) => format!("domain {}", q(name)),
        T::Index(name) => format!("index {}", q(name)),
        T::Constraint { table, name } => format!("constraint {name} on {}", q(table)),
        T::DomainConstraint { domain, name } => {
            format!("constraint {name} on domain {}", q(domain))
        }
        T::Trigger { table, name } => format!("trigger {name} on {}", q(table)),
        T::Policy { table, name } => format!("policy {name} on {}", q(table)),
        T::Schema(name) => format!("schema {name}"),
        T::Extension(name) => format!("extension {name}"),
    }
}

/// The summary line of a privilege change.
fn privilege_summary(change: &Change) -> String {
    match change {
        Change::Grant(p) => format!(
            "grant {} on {} to {}",
            p.privilege,
            privilege_object(p),
            p.grantee
        ),
        Change::Revoke {
            privilege: p,
            option_only,
        } => format!(
            "revoke {}{} on {} from {}",
            if *option_only {
                "grant option for "
            } else {
                ""
            },
            p.privilege,
            privilege_object(p),
            p.grantee
        ),
        Change::GrantDefault(p) => format!(
            "grant {} on {} to {} by default",
            p.privilege,
            p.on.to_lowercase(),
            p.grantee
        ),
        Change::RevokeDefault { privilege: p, .. } => format!(
            "revoke {} on {} from {} by default",
            p.privilege,
            p.on.to_lowercase(),
            p.grantee
        ),
        _ => String::new(),
    }
}

/// `table t`, `function f(integer)`…, for summaries.
fn privilege_object(p: &crate::schema::Privilege) -> String {
    use crate::schema::PrivilegeObject as O;
    let kind = match p.on {
        O::Table | O::ForeignTable => "table",
        O::View => "view",
        O::MaterializedView => "materialized view",
        O::Sequence => "sequence",
        O::Function => "function",
        O::Procedure => "procedure",
        O::Type => "type",
        O::Domain => "domain",
        O::Schema => return format!("schema {}", p.name.name),
    };
    let name = if p.name.schema == "public" {
        p.name.name.clone()
    } else {
        format!("{}.{}", p.name.schema, p.name.name)
    };
    match p.on {
        O::Function | O::Procedure => format!("{kind} {name}({})", p.arguments),
        _ => format!("{kind} {name}"),
    }
}

fn routine(f: &crate::schema::Function) -> &'static str {
    if f.procedure {
        "procedure"
    } else if f.aggregate {
        "aggregate"
    } else {
        "function"
    }
}

/// A name as messages show it: without the default schema.
fn short_name(n: &crate::schema::QualifiedName) -> String {
    if n.schema.is_empty() || n.schema == "public" {
        n.name.clone()
    } else {
        format!("{}.{}", n.schema, n.name)
    }
}

/// The line of a change to a table's parents (partitions, inheritance).
fn parents_summary(change: &Change, q: impl Fn(&crate::schema::QualifiedName) -> String) -> String {
    match change {
        Change::AttachPartition { table, partition } => format!(
            "attach {} as a partition of {}",
            q(table),
            q(&partition.parent)
        ),
        Change::DetachPartition { table, partition } => {
            format!(
                "detach partition {} from {}",
                q(table),
                q(&partition.parent)
            )
        }
        Change::AddInherit { table, parent } => {
            format!("make {} inherit from {}", q(table), q(parent))
        }
        Change::DropInherit { table, parent } => {
            format!("make {} no longer inherit from {}", q(table), q(parent))
        }
        _ => String::new(),
    }
}

/// How a table is stored or spread over a cluster changes.
fn table_settings_summary(change: &Change, table: &str) -> String {
    match change {
        Change::SetDistribution { .. } => {
            format!("change the Citus distribution of table {table}")
        }
        _ => format!("change the storage of table {table}"),
    }
}

/// One line per change, for `check` and messages.
pub fn summary(change: &Change) -> String {
    let q = short_name;
    match change {
        Change::CreateTable(t) => format!("create table {}", q(&t.name)),
        Change::DropTable(t) => format!("drop table {}", q(&t.name)),
        Change::AddColumn { table, column, .. } => {
            format!("add column {}.{}", q(table), column.name)
        }
        Change::DropColumn { table, column } => format!("drop column {}.{}", q(table), column.name),
        Change::AlterColumn { table, to, .. } => format!("alter column {}.{}", q(table), to.name),
        Change::AddPrimaryKey { table, .. } => format!("add primary key on {}", q(table)),
        Change::DropPrimaryKey { table, .. } => format!("drop primary key of {}", q(table)),
        Change::AddUnique { table, unique } => {
            format!("add unique ({}) on {}", unique.columns.join(", "), q(table))
        }
        Change::DropUnique { table, unique } => format!(
            "drop unique ({}) on {}",
            unique.columns.join(", "),
            q(table)
        ),
        Change::AddCheck { table, check } => {
            format!("add check {} on {}", check.expression, q(table))
        }
        Change::DropCheck { table, check } => {
            format!("drop check {} on {}", check.expression, q(table))
        }
        Change::AddForeignKey { table, fk, .. } => format!(
            "add foreign key ({}) on {}",
            fk.columns.join(", "),
            q(table)
        ),
        Change::DropForeignKey { table, fk, .. } => format!(
            "drop foreign key ({}) on {}",
            fk.columns.join(", "),
            q(table)
        ),
        Change::AddExclusion { table, exclusion } => {
            format!(
                "add exclusion constraint {} on {}",
                exclusion.name,
                q(table)
            )
        }
        Change::DropExclusion { table, exclusion } => {
            format!(
                "drop exclusion constraint {} on {}",
                exclusion.name,
                q(table)
            )
        }
        Change::CannotApply { what, why } => format!("cannot {what}: {why}"),
        Change::AttachPartition { .. }
        | Change::DetachPartition { .. }
        | Change::AddInherit { .. }
        | Change::DropInherit { .. } => parents_summary(change, q),
        Change::SetTableStorage { table, .. } | Change::SetDistribution { table, .. } => {
            table_settings_summary(change, &q(table))
        }
        Change::ValidateConstraint { table, name } => {
            format!("validate constraint {name} on {}", q(table))
        }
        Change::CreateIndex { table, index } => {
            format!("create index {} on {}", index.name, q(table))
        }
        Change::DropIndex { table, index } => format!("drop index {} on {}", index.name, q(table)),
        Change::CreateView(v) => format!("create view {}", q(&v.name)),
        Change::DropView(v) => format!("drop view {}", q(&v.name)),
        Change::CreateVirtualTable(v) => format!("create virtual table {}", q(&v.name)),
        Change::CreateCompositeType(c) => format!("create type {}", q(&c.name)),
        Change::AlterCompositeType { to, .. } => format!("alter type {}", q(&to.name)),
        Change::ReplaceCompositeType { to, .. } => {
            format!("replace type {} (drop and create)", q(&to.name))
        }
        Change::DropCompositeType(c) => format!("drop type {}", q(&c.name)),
        Change::CreateRangeType(r) => format!("create range type {}", q(&r.name)),
        Change::DropRangeType(r) => format!("drop range type {}", q(&r.name)),
        Change::CreateRule(r) => format!("create rule {} on {}", r.name, q(&r.relation)),
        Change::CreateOperator(o) => format!("create operator {}", q(&o.name)),
        Change::DropOperator(o) => format!("drop operator {}", q(&o.name)),
        Change::AlterOperator { to, .. } => format!("alter operator {}", q(&to.name)),
        Change::SetIndexStatistics { table, index, .. } => {
            format!("set statistics of index {index} on {}", q(table))
        }
        Change::DropRule(r) => format!("drop rule {} on {}", r.name, q(&r.relation)),
        Change::Grant(_)
        | Change::Revoke { .. }
        | Change::GrantDefault(_)
        | Change::RevokeDefault { .. } => privilege_summary(change),
        Change::CreateCollation(c) => format!("create collation {}", q(&c.name)),
        Change::DropCollation(c) => format!("drop collation {}", q(&c.name)),
        Change::DropVirtualTable(v) => format!("drop virtual table {}", q(&v.name)),
        Change::CreateEnum(e) => format!("create type {}", q(&e.name)),
        Change::AddEnumValue { name, value } => format!("add value '{value}' to type {}", q(name)),
        Change::ReplaceEnum { to, .. } => format!("change the labels of type {}", q(&to.name)),
        Change::DropEnum(e) => format!("drop type {}", q(&e.name)),
        Change::CreateSequence(s) => format!("create sequence {}", q(&s.name)),
        Change::SetTableComment { table, .. } => format!("set the comment of table {}", q(table)),
        Change::AlterSequence { to, .. } => format!("alter sequence {}", q(&to.name)),
        Change::DropSequence(s) => format!("drop sequence {}", q(&s.name)),
        Change::SetSequenceOwner { sequence, .. } => {
            format!("set the owner of sequence {}", q(sequence))
        }
        Change::CreateTrigger { table, trigger } => {
            format!("create trigger {} on {}", trigger.name, q(table))
        }
        Change::DropTrigger { table, trigger } => {
            format!("drop trigger {} on {}", trigger.name, q(table))
        }
        Change::CreateFunction(f) => {
            format!("create {} {}({})", routine(f), q(&f.name), f.arguments)
        }
        Change::ReplaceFunction { to, .. } => {
            format!("replace {} {}({})", routine(to), q(&to.name), to.arguments)
        }
        Change::DropFunction(f) => format!("drop {} {}({})", routine(f), q(&f.name), f.arguments),
        Change::RebuildTable { to, .. } => format!("rebuild table {}", q(&to.name)),
        Change::RenameTable { from, to } => format!("rename table {} to {}", q(from), to.name),
        Change::CreateSchema(name) => format!("create schema {name}"),
        Change::SetTableOptions { table } => format!("change the table options of {}", q(table)),
        Change::DropSchema(name) => format!("drop schema {name}"),
        Change::CreateExtension(e) => format!("create extension {} {}", e.name, e.version),
        Change::AlterExtension { to, .. } => format!(
            "alter extension {} to {} in {}",
            to.name, to.version, to.schema
        ),
        Change::DropExtension(e) => format!("drop extension {}", e.name),
        Change::CreateDomain(d) => format!("create domain {}", q(&d.name)),
        Change::AlterDomain { to, .. } => format!("alter domain {}", q(&to.name)),
        Change::DropDomain(d) => format!("drop domain {}", q(&d.name)),
        Change::SetRowSecurity { table, .. } => format!("set row level security of {}", q(table)),
        Change::CreatePolicy { table, policy } => {
            format!("create policy {} on {}", policy.name, q(table))
        }
        Change::DropPolicy { table, policy } => {
            format!("drop policy {} on {}", policy.name, q(table))
        }
        Change::SetComment { on, .. } => format!("set the comment of {}", target(on)),
        Change::RenameColumn { table, from, to } => {
            format!("rename column {}.{from} to {to}", q(table))
        }
        Change::RenameConstraint { table, from, to } => {
            format!("rename constraint {from} of {} to {to}", q(table))
        }
        Change::RenameIndex { table, from, to } => {
            format!("rename index {from} on {} to {to}", q(table))
        }
    }
}
