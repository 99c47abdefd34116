//! `retort.toml`: discovery, parsing with precise errors, `${VAR}` expansion,
//! and the precedence of database URLs.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The configuration file's name.
pub const CONFIG_FILE: &str = "retort.toml";

/// `[database] lease_ttl` when not set: thirty seconds.
const DEFAULT_LEASE_TTL: u64 = 30;

/// `[database] lock_wait_timeout` when not set: one minute.
pub const DEFAULT_LOCK_WAIT_TIMEOUT: u64 = 60;

/// The environment variable that overrides the configured database URL.
pub const URL_ENV: &str = "RETORT_DATABASE_URL";

/// Where the database URL in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UrlSource {
    /// The `--url` flag (or an explicit API argument).
    Flag,
    /// The `RETORT_DATABASE_URL` environment variable.
    Env,
    /// `[database] url` in the config file.
    File,
}

/// A loaded and validated configuration, paths resolved against the folder
/// holding the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The config file, if one was read.
    pub path: Option<PathBuf>,
    /// The project root: the folder of the config file.
    pub root: PathBuf,
    /// `[database] url`, env-expanded.
    pub database_url: Option<String>,
    /// `[database] session`: statements run on every connection retort
    /// opens (scratch databases too), and printed at the top of `--sql`.
    pub session: Vec<String>,
    /// `[database] lock_wait_timeout` (seconds): how long a migration's
    /// statement waits for a table's metadata lock on MariaDB/MySQL.
    pub lock_wait_timeout: std::time::Duration,
    /// Whether retort.toml sets `[database] lock_wait_timeout` itself (lint
    /// R018 is quiet then).
    pub lock_wait_timeout_set: bool,
    /// `[database] lease_ttl` (seconds, default 30): how long a lease lock
    /// (CockroachDB, YugabyteDB) outlives its last heartbeat; a dead
    /// holder's lease is taken over once it expires (docs/engines.md).
    pub lease_ttl: std::time::Duration,
    /// `[migrations] script_location`: holds `script.sql.j2`.
    pub script_location: PathBuf,
    /// `[migrations] version_locations`: folders of revision files.
    pub version_locations: Vec<PathBuf>,
    /// `[migrations] file_template` for new revision file names.
    pub file_template: String,
    /// `[migrations] version_table`.
    pub version_table: String,
    /// `[migrations] version_table_schema` (PostgreSQL/MySQL); `None` = default.
    pub version_table_schema: Option<String>,
    /// `[migrations] history_table`: applied steps with checksums.
    pub history_table: String,
    /// `[migrations] transaction_per_migration`.
    pub transaction_per_migration: bool,
    /// `[migrations] header_cache`: keep parsed revision headers in
    /// `.retort/cache` (see [`crate::header_cache`]); the `--no-cache` flag
    /// turns it off too.
    pub header_cache: bool,
    /// `[autogenerate] schema`: files or folders of the desired state.
    pub autogenerate_schema: Vec<PathBuf>,
    /// `[autogenerate] dev_url`.
    pub dev_url: Option<String>,
    /// `[autogenerate] include_schemas`, `exclude_schemas`, `include_tables`,
    /// `exclude_tables`, `exclude_kinds`, `privileges`: what autogenerate
    /// compares.
    pub filter: crate::schema::Filter,
    /// `[targets]`: named groups of database URLs (`${VAR}` expanded) that
    /// `upgrade --targets NAME` and `current --targets NAME` run on.
    pub targets: std::collections::BTreeMap<String, Vec<String>>,
    /// What revision SQL reads as `{{ tenant }}` and `{{ x.KEY }}` when it
    /// runs (see [`crate::script::vars`]): not from the file, but from `-x`
    /// and the target. A tenant left `None` is the database's name.
    pub variables: crate::script::vars::Variables,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    database: RawDatabase,
    #[serde(default)]
    migrations: RawMigrations,
    #[serde(default)]
    autogenerate: RawAutogenerate,
    /// `[targets]`: named groups of URLs for fleets.
    #[serde(default)]
    targets: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    url: Option<String>,
    session: Option<Vec<String>>,
    lock_wait_timeout: Option<u64>,
    lease_ttl: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMigrations {
    script_location: Option<String>,
    version_locations: Option<Vec<String>>,
    file_template: Option<String>,
    version_table: Option<String>,
    version_table_schema: Option<String>,
    history_table: Option<String>,
    transaction_per_migration: Option<bool>,
    header_cache: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAutogenerate {
    schema: Option<Vec<String>>,
    dev_url: Option<String>,
    #[serde(default)]
    include_schemas: Vec<String>,
    #[serde(default)]
    exclude_schemas: Vec<String>,
    #[serde(default)]
    include_tables: Vec<String>,
    #[serde(default)]
    exclude_tables: Vec<String>,
    #[serde(default)]
    exclude_kinds: Vec<String>,
    #[serde(default)]
    privileges: bool,
}

impl Config {
    /// The defaults of a project rooted at `root`, as if its config file
    /// were empty.
    pub fn defaults(root: &Path) -> Self {
        Self::from_raw(RawConfig::default(), root, None, &|_| None).expect("the defaults are valid")
    }

    /// Finds `retort.toml` in `start` or its parents.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(CONFIG_FILE))
            .find(|candidate| candidate.is_file())
    }

    /// Loads the config file at `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Config(format!("cannot read config file {}: {e}", path.display()))
        })?;
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        };
        Self::parse(&text, path, &root, &|name| std::env::var(name).ok())
    }

    /// Parses config text; `path` is only used in messages, `env` looks up
    /// environment variables for `${VAR}` expansion.
    pub fn parse(
        text: &str,
        path: &Path,
        root: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let start = e.span().map(|span| span.start.min(text.len()));
            // For an unknown key, toml points at the table; point at the key.
            let start = match (start, unknown_field(e.message())) {
                (Some(start), Some(field)) => Some(key_offset(text, start, field).unwrap_or(start)),
                (start, _) => start,
            };
            let line = start.map(|start| {
                text[..start].lines().count()
                    + usize::from(text[..start].ends_with('\n') || start == 0)
            });
            let message = e.message().trim().replace('`', "'");
            match line {
                Some(line) => Error::Config(format!("{}:{line}: {message}", path.display())),
                None => Error::Config(format!("{}: {message}", path.display())),
            }
        })?;
        Self::from_raw(raw, root, Some((path, text)), env)
    }

    fn from_raw(
        raw: RawConfig,
        root: &Path,
        source: Option<(&Path, &str)>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        let ctx = Expander { source, env };
        let m = raw.migrations;
        let script_location = ctx.expand_opt("migrations", "script_location", m.script_location)?;
        let script_location = script_location.unwrap_or_else(|| "migrations".into());
        let version_locations = match m.version_locations {
            Some(list) => list
                .into_iter()
                .map(|v| ctx.expand("migrations", "version_locations", &v))
                .collect::<Result<Vec<_>>>()?,
            None => vec![format!("{script_location}/versions")],
        };
        if version_locations.is_empty() {
            return Err(ctx.error(
                "migrations",
                "version_locations",
                "must name at least one folder",
            ));
        }
        let version_table = m.version_table.unwrap_or_else(|| "retort_version".into());
        if !is_plain_identifier(&version_table) {
            return Err(ctx.error(
                "migrations",
                "version_table",
                &format!("'{version_table}' is not a plain table name (letters, digits and '_', not starting with a digit)"),
            ));
        }
        let history_table = m.history_table.unwrap_or_else(|| "retort_history".into());
        if !is_plain_identifier(&history_table) || history_table == version_table {
            return Err(ctx.error(
                "migrations",
                "history_table",
                &format!(
                    "'{history_table}' must be a plain table name different from version_table"
                ),
            ));
        }
        let version_table_schema = m.version_table_schema.filter(|s| !s.is_empty());
        if let Some(schema) = &version_table_schema {
            if !is_plain_identifier(schema) {
                return Err(ctx.error(
                    "migrations",
                    "version_table_schema",
                    &format!("'{schema}' is not a plain schema name"),
                ));
            }
        }
        let file_template = m.file_template.unwrap_or_else(|| "{rev}_{slug}".into());
        if !file_template.contains("{rev}") && !file_template.contains("{slug}") {
            return Err(ctx.error(
                "migrations",
                "file_template",
                "must contain {rev} or {slug} so that file names differ",
            ));
        }
        let a = raw.autogenerate;
        let schema = match a.schema {
            Some(list) => list
                .into_iter()
                .map(|v| ctx.expand("autogenerate", "schema", &v))
                .collect::<Result<Vec<_>>>()?,
            None => vec!["schema.sql".into()],
        };
        let mut exclude_kinds = Vec::new();
        for word in &a.exclude_kinds {
            match crate::schema::ObjectKind::parse(word) {
                Some(kind) => exclude_kinds.push(kind),
                None => {
                    let known: Vec<&str> = crate::schema::ObjectKind::ALL
                        .iter()
                        .map(|(w, _)| *w)
                        .collect();
                    return Err(ctx.error(
                        "autogenerate",
                        "exclude_kinds",
                        &format!("unknown kind \"{word}\" (known: {})", known.join(", ")),
                    ));
                }
            }
        }
        let filter = crate::schema::Filter {
            include_schemas: a.include_schemas,
            exclude_schemas: a.exclude_schemas,
            include_tables: a.include_tables,
            exclude_tables: a.exclude_tables,
            exclude_kinds,
            privileges: a.privileges,
        };
        let mut targets = std::collections::BTreeMap::new();
        for (group, urls) in &raw.targets {
            let expanded = urls
                .iter()
                .map(|u| ctx.expand("targets", group, u))
                .collect::<Result<Vec<_>>>()?;
            targets.insert(group.clone(), expanded);
        }
        Ok(Self {
            filter,
            targets,
            variables: crate::script::vars::Variables::default(),
            path: source.map(|(p, _)| p.to_path_buf()),
            root: root.to_path_buf(),
            database_url: ctx.expand_opt("database", "url", raw.database.url)?,
            session: raw
                .database
                .session
                .unwrap_or_default()
                .iter()
                .map(|v| ctx.expand("database", "session", v))
                .collect::<Result<Vec<_>>>()?,
            lock_wait_timeout_set: raw.database.lock_wait_timeout.is_some(),
            lock_wait_timeout: std::time::Duration::from_secs(
                raw.database
                    .lock_wait_timeout
                    .unwrap_or(DEFAULT_LOCK_WAIT_TIMEOUT)
                    .max(1),
            ),
            lease_ttl: std::time::Duration::from_secs(
                raw.database.lease_ttl.unwrap_or(DEFAULT_LEASE_TTL).max(1),
            ),
            script_location: root.join(script_location),
            version_locations: version_locations.iter().map(|v| root.join(v)).collect(),
            file_template,
            version_table,
            version_table_schema,
            history_table,
            transaction_per_migration: m.transaction_per_migration.unwrap_or(true),
            header_cache: m.header_cache.unwrap_or(true),
            autogenerate_schema: schema.iter().map(|s| root.join(s)).collect(),
            dev_url: ctx
                .expand_opt("autogenerate", "dev_url", a.dev_url)?
                .filter(|s| !s.is_empty()),
        })
    }

    /// The database URL to use and where it came from: `flag` first, then
    /// `RETORT_DATABASE_URL`, then the config file.
    pub fn resolve_url(&self, flag: Option<&str>) -> Result<(String, UrlSource)> {
        if let Some(found) = url_override(flag) {
            return Ok(found);
        }
        match &self.database_url {
            Some(url) if !url.is_empty() => Ok((url.clone(), UrlSource::File)),
            _ => Err(Error::Config(format!(
                "no database URL: pass --url, set {URL_ENV}, or set [database] url in {}",
                self.path
                    .as_deref()
                    .map_or_else(|| CONFIG_FILE.to_string(), |p| p.display().to_string())
            ))),
        }
    }
}

/// The URL given outside any config file: `flag` (`--url`), else
/// `RETORT_DATABASE_URL`; empty values count as absent.
pub fn url_override(flag: Option<&str>) -> Option<(String, UrlSource)> {
    if let Some(url) = flag.filter(|u| !u.is_empty()) {
        return Some((url.to_string(), UrlSource::Flag));
    }
    std::env::var(URL_ENV)
        .ok()
        .filter(|u| !u.is_empty())
        .map(|url| (url, UrlSource::Env))
}

/// The key named by toml's "unknown field `x`" message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// The byte offset of the first line at or after `from` that sets `key`.
fn key_offset(text: &str, from: usize, key: &str) -> Option<usize> {
    let mut offset = text[..from].rfind('\n').map_or(0, |i| i + 1);
    for line in text[offset..].split_inclusive('\n') {
        let t = line.trim_start();
        if t.strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with('='))
        {
            return Some(offset + (line.len() - t.len()));
        }
        offset += line.len();
    }
    None
}

/// A name that needs no quoting in any dialect we support.
fn is_plain_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

struct Expander<'a> {
    source: Option<(&'a Path, &'a str)>,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Expander<'_> {
    fn expand_opt(&self, table: &str, key: &str, value: Option<String>) -> Result<Option<String>> {
        value.map(|v| self.expand(table, key, &v)).transpose()
    }

    fn expand(&self, table: &str, key: &str, value: &str) -> Result<String> {
        expand_env(value, self.env).map_err(|msg| self.error(table, key, &msg))
    }

    /// An error naming the file, the line of `key` (best effort) and the key.
    fn error(&self, table: &str, key: &str, msg: &str) -> Error {
        match self.source {
            Some((path, text)) => {
                let line = find_key_line(text, table, key);
                let at = line.map_or(String::new(), |l| format!(":{l}"));
                Error::Config(format!("{}{at}: [{table}] {key}: {msg}", path.display()))
            }
            None => Error::Config(format!("[{table}] {key}: {msg}")),
        }
    }
}

/// The 1-based line where `key` is set inside `[table]`, if it can be found.
fn find_key_line(text: &str, table: &str, key: &str) -> Option<usize> {
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_table = t.trim_start_matches('[').trim_end_matches(']').trim() == table;
        } else if in_table {
            if let Some((k, _)) = t.split_once('=') {
                if k.trim() == key {
                    return Some(i + 1);
                }
            }
        }
    }
    None
}

/// Expands `${VAR}` and `${VAR:-default}`; `$$` is a literal `$`.
pub fn expand_env(value: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| format!("'${{' without a closing '}}' in '{value}'"))?;
            let inner = &body[..end];
            let (name, default) = match inner.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (inner, None),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("'${{{inner}}}' is not a valid variable reference"));
            }
            match ((env)(name).filter(|v| !v.is_empty()), default) {
                (Some(v), _) => out.push_str(&v),
                (None, Some(d)) => out.push_str(d),
                (None, None) => {
                    return Err(format!(
                    "environment variable {name} is not set; set it or write ${{{name}:-default}}"
                ))
                }
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "DATABASE_URL" => Some("postgresql://u:p@db/app".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("proj/retort.toml"), Path::new("proj"), &env)
    }

    #[test]
    fn expansion() {
        assert_eq!(
            expand_env("${DATABASE_URL}", &env).unwrap(),
            "postgresql://u:p@db/app"
        );
        assert_eq!(
            expand_env("${NOPE:-sqlite:///app.db}", &env).unwrap(),
            "sqlite:///app.db"
        );
        assert_eq!(expand_env("${EMPTY:-x}", &env).unwrap(), "x");
        assert_eq!(expand_env("a$$b$c", &env).unwrap(), "a$b$c");
        assert!(expand_env("${NOPE}", &env)
            .unwrap_err()
            .contains("NOPE is not set"));
        assert!(expand_env("${NOPE", &env).is_err());
    }

    #[test]
    fn defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.version_table, "retort_version");
        assert_eq!(
            c.version_locations,
            vec![PathBuf::from("proj/migrations/versions")]
        );
        assert_eq!(c.script_location, PathBuf::from("proj/migrations"));
        assert!(c.transaction_per_migration);
        assert_eq!(c.database_url, None);
    }

    #[test]
    fn full_file() {
        let c = parse(
            r#"
[database]
url = "${DATABASE_URL:-sqlite:///app.db}"

[migrations]
script_location = "db"
version_locations = ["db/versions", "db/more"]
file_template = "{year}{month}{day}_{rev}_{slug}"
version_table = "alembic_version"
version_table_schema = "ops"
transaction_per_migration = false

[autogenerate]
schema = ["schema"]
dev_url = ""
privileges = true
"#,
        )
        .unwrap();
        assert!(c.filter.privileges);
        assert!(!Config::defaults(Path::new("/p")).filter.privileges);
        assert_eq!(c.database_url.as_deref(), Some("postgresql://u:p@db/app"));
        assert_eq!(c.version_locations.len(), 2);
        assert_eq!(c.version_table_schema.as_deref(), Some("ops"));
        assert!(!c.transaction_per_migration);
        assert_eq!(c.dev_url, None);
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let e = parse("[database]\nurl = \"sqlite://\"\n\n[migrations]\nversion_tabel = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("proj/retort.toml:5:"), "{e}");
        assert!(e.contains("version_tabel"), "{e}");
    }

    #[test]
    fn bad_values_name_file_line_and_key() {
        let e = parse("[migrations]\ntransaction_per_migration = \"yes\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("proj/retort.toml:2:"), "{e}");
        let e = parse("[migrations]\n\nversion_table = \"bad name\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("proj/retort.toml:3: [migrations] version_table"),
            "{e}"
        );
        let e = parse("[database]\nurl = \"${MISSING}\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(":2: [database] url: environment variable MISSING"),
            "{e}"
        );
        let e = parse("[database\n").unwrap_err().to_string();
        assert!(e.starts_with("proj/retort.toml:1:"), "{e}");
    }
}
