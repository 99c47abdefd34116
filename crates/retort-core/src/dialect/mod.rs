//! Database dialects: one module per database behind one interface.
//!
//! Everything that differs between databases lives here, behind the
//! [`Dialect`] trait: what the database can do ([`Capabilities`]), how it
//! quotes names and strings, how its statements are split
//! ([`SplitRules`]), the SQL of retort's own tables, connecting, reading the
//! catalogs into the [`Schema`] model, scratch databases, the hooks the diff
//! needs, and rendering a list of [`Change`]s as SQL. [`of`] is the one place
//! that maps a [`DialectKind`] to its implementation; the rest of the library
//! asks the dialect and never names a database.
//!
//! Each database is a folder (`sqlite/`, `postgres/`, `mysql/`) with its
//! connection, introspection, rendering and scratch-database code.
//! [`Connection`] is what the runner needs from a live database; [`sql`]
//! renders the SQL retort runs on its own behalf, so the online runner and
//! the offline `--sql` script share one source of truth.

mod caps;
pub(crate) mod catalog;
mod connection;
pub(crate) mod ddl;
mod engine;
mod kind;
pub mod mysql;
pub mod postgres;
pub(crate) mod quote;
pub mod scratch;
#[doc(hidden)]
pub mod sql;
pub mod sqlite;

pub use caps::{Capabilities, LockKind, SplitRules};
pub use connection::{Connection, LeaseSettings};
pub use engine::Engine;
pub use kind::DialectKind;
pub use scratch::Scratch;

use crate::db_url::DatabaseUrl;
use crate::error::{DbError, Result};
use crate::schema::{Change, QualifiedName, Schema};
use sql::TableRef;

/// A statement a step needs run outside its transaction, before `BEGIN`,
/// and the one that undoes it after `COMMIT` (SQLite's foreign-key pragma
/// around a table rebuild).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutsideTransaction {
    /// Run before the step's transaction starts.
    pub before: &'static str,
    /// Run after it ends, whatever happened.
    pub after: &'static str,
}

/// Everything retort needs to know about one database.
///
/// Implementations are stateless singletons reached through [`of`]; state
/// (sessions, locks) lives in their [`Connection`]s.
pub trait Dialect: Sync {
    /// Which database this is.
    fn kind(&self) -> DialectKind;

    /// What the database can do; the runner and the diff decide by these.
    fn capabilities(&self) -> &'static Capabilities;

    /// How the statement splitter reads this database's SQL.
    fn split_rules(&self) -> &'static SplitRules;

    /// An identifier, quoted only when it must be.
    fn ident(&self, name: &str) -> String;

    /// A string literal.
    fn literal(&self, text: &str) -> String {
        sql::literal(text)
    }

    /// The schema names resolve to when none is given (PostgreSQL:
    /// `public`), left out of qualified names.
    fn default_schema(&self) -> Option<&'static str> {
        None
    }

    /// A possibly schema-qualified name, each part quoted as needed (the
    /// schema left out when empty or the default one).
    fn qualified(&self, name: &QualifiedName) -> String {
        if name.schema.is_empty()
            || !self.capabilities().schemas
            || self.default_schema() == Some(name.schema.as_str())
        {
            self.ident(&name.name)
        } else {
            format!("{}.{}", self.ident(&name.schema), self.ident(&name.name))
        }
    }

    /// Names joined by `, `, each quoted as needed.
    fn ident_list(&self, names: &[String]) -> String {
        names
            .iter()
            .map(|n| self.ident(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The statement that starts a transaction.
    fn begin(&self) -> &'static str {
        "BEGIN"
    }

    /// The history table's key column, as `CREATE TABLE` declares it.
    fn history_id_column(&self) -> &'static str;

    /// The SQL for "the user running this" when the connection cannot tell
    /// (`None`: the history row records NULL).
    fn current_user_sql(&self) -> Option<&'static str> {
        Some("current_user")
    }

    /// The statement that puts a session's settings back to the server's
    /// defaults (`None`: the dialect has none). Run after loading SQL files,
    /// so a `SET search_path` in a dump does not change how the loaded
    /// schema is read back.
    fn reset_session_sql(&self) -> Option<&'static str> {
        None
    }

    /// Opens a connection for `url` (whose kind is this dialect's).
    fn connect(&self, url: &DatabaseUrl) -> Result<Box<dyn Connection>>;

    /// Reads the schema behind `conn` into the model, set-wise, leaving out
    /// `exclude` (retort's own tables). Not yet normalised: use
    /// [`introspect`].
    fn read_schema(&self, conn: &mut dyn Connection, exclude: &[TableRef]) -> Result<Schema>;

    /// A fresh, empty database of this dialect for loading a desired state,
    /// on `server` (or in memory), dropped when the value goes away.
    fn create_scratch(&self, server: &DatabaseUrl) -> Result<Scratch>;

    /// A scratch database for loading SQL that creates the extensions
    /// `created_by_sql` itself: it also gets the other extensions the
    /// database `server` names has (PostgreSQL), so that SQL written for
    /// that database runs there.
    fn create_scratch_for(
        &self,
        server: &DatabaseUrl,
        created_by_sql: &[String],
    ) -> Result<Scratch> {
        let _ = created_by_sql;
        self.create_scratch(server)
    }

    /// Where [`Dialect::create_scratch`] puts its databases, for messages.
    fn describe_scratch(&self, server: &DatabaseUrl) -> String {
        format!("a scratch database on {}", server.masked())
    }

    /// Drops every scratch database this process created and has not yet
    /// dropped (for interrupt handlers, where destructors do not run).
    fn drop_scratch_databases(&self) {}

    /// The session statement that makes `schema` where unqualified names
    /// go (fleets, schema per tenant); `None` where sessions cannot switch
    /// schema that way.
    fn use_schema_sql(&self, _schema: &str) -> Option<String> {
        None
    }

    /// A setting under which a transaction that failed with `error` runs
    /// when tried again from its start, if the database names one (Citus
    /// asks for its sequential mode when a transaction mixes DDL on
    /// distributed tables with access to reference tables).
    fn rerun_setting(&self, _error: &DbError) -> Option<&'static str> {
        None
    }

    /// `retort::testing`: the template database called `name` beside
    /// `server` (a file in the same folder for SQLite, a database on the
    /// same server otherwise), created empty when it does not exist yet.
    fn test_template(&self, server: &DatabaseUrl, name: &str) -> Result<DatabaseUrl>;

    /// `retort::testing`: a new database called `name` beside `server`
    /// holding a copy of the schema and rows of the template called
    /// `template`, and what drops it.
    fn test_copy(
        &self,
        server: &DatabaseUrl,
        template: &str,
        name: &str,
    ) -> Result<(DatabaseUrl, scratch::Cleanup)>;

    /// The diff hook: turns the dialect-free changes into ones this database
    /// can run (SQLite: changes `ALTER TABLE` cannot make become a table
    /// rebuild).
    fn adapt_changes(&self, changes: Vec<Change>, _from: &Schema, _to: &Schema) -> Vec<Change> {
        changes
    }

    /// The SQL statements (without `;`) that apply `changes`.
    fn render(&self, changes: &[Change]) -> Result<Vec<String>>;

    /// For each column type change `(old type, new type)` of `pairs`,
    /// whether the database has no cast from one to the other, so that
    /// `ALTER COLUMN … TYPE` would fail. Asked of the server at `server`
    /// (the target database or the dev database); by default no pair is
    /// known to fail and nothing is asked.
    fn missing_casts(
        &self,
        _server: &DatabaseUrl,
        pairs: &[(String, String)],
    ) -> Result<Vec<bool>> {
        Ok(vec![false; pairs.len()])
    }

    /// Whether `statement` commits the open transaction by itself (MySQL's
    /// DDL), or, on an engine whose DDL is not transactional but does not
    /// commit by itself (CockroachDB, YugabyteDB: see
    /// [`Capabilities::ddl_commits_implicitly`]), whether it is a schema
    /// change that must run alone; either way a revision holding one cannot
    /// run in a transaction with its version-table change. Only asked of
    /// connections without transactional DDL.
    fn commits_implicitly(&self, _statement: &str) -> bool {
        true
    }

    /// The runner hook: statements a step whose statements are `statements`
    /// needs run around its transaction, if any.
    fn outside_transaction(&self, _statements: &[&str]) -> Option<OutsideTransaction> {
        None
    }
}

/// The dialect of `kind`: the one place a [`DialectKind`] becomes an
/// implementation.
pub fn of(kind: DialectKind) -> &'static dyn Dialect {
    match kind {
        DialectKind::Sqlite => &sqlite::Sqlite,
        DialectKind::Postgres => &postgres::Postgres,
        DialectKind::Mysql => &mysql::Mysql,
    }
}

/// Opens a connection for `url`.
pub fn connect(url: &DatabaseUrl) -> Result<Box<dyn Connection>> {
    of(url.kind).connect(url)
}

/// Runs the session statements the URL carries (`[database] session`) on a
/// new connection. Every dialect's `connect` ends with it.
pub fn apply_session(conn: &mut dyn Connection, url: &DatabaseUrl) -> Result<()> {
    for statement in url.session() {
        conn.execute(statement).map_err(|db| {
            crate::error::Error::db(format!("running the session statement `{statement}`"), db)
        })?;
    }
    Ok(())
}

/// Reads the schema of the database behind `conn`, leaving out `exclude`,
/// normalised so that two reads of equal databases compare equal.
pub fn introspect(conn: &mut dyn Connection, exclude: &[TableRef]) -> Result<Schema> {
    let mut schema = conn.dialect().read_schema(conn, exclude)?;
    schema.normalize();
    Ok(schema)
}

/// The changes that turn `from` into `to` on `dialect`'s database: the
/// dialect-free [`crate::schema::diff()`], then the dialect's own adaptation.
pub fn diff(dialect: &dyn Dialect, from: &Schema, to: &Schema) -> Vec<Change> {
    dialect.adapt_changes(crate::schema::diff(from, to), from, to)
}

/// [`diff`] from `from` to `to` and back, sharing the work both directions
/// have in common.
pub fn diff_both_ways(
    dialect: &dyn Dialect,
    from: &Schema,
    to: &Schema,
) -> (Vec<Change>, Vec<Change>) {
    let (up, down) = crate::schema::diff_both_ways(from, to);
    (
        dialect.adapt_changes(up, from, to),
        dialect.adapt_changes(down, to, from),
    )
}

/// Drops every scratch database this process has created and not yet
/// dropped, on every database. For interrupt handlers (Ctrl-C).
pub fn drop_scratch_databases() {
    for kind in DialectKind::ALL {
        of(kind).drop_scratch_databases();
    }
}
