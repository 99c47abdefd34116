//! Writing projects and revision files: `init`, `revision`, `merge`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::project::Project;
use crate::script::template::{self, TemplateContext, DEFAULT_TEMPLATE};

/// The `retort.toml` that `init` writes.
pub const DEFAULT_CONFIG: &str = r#"# retort configuration (see docs/reference/config.md)

[database]
# ${VAR} and ${VAR:-default} are expanded from the environment.
# --url and RETORT_DATABASE_URL take precedence over this value.
url = "${DATABASE_URL:-sqlite:///app.db}"

[migrations]
script_location = "migrations"
version_locations = ["migrations/versions"]
# {rev} {slug} {year} {month} {day} {hour} {minute} {second}
file_template = "{rev}_{slug}"
# "alembic_version" takes over a database that Alembic manages.
version_table = "retort_version"
transaction_per_migration = true

[autogenerate]
schema = ["schema.sql"]
"#;

/// What `init` wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InitReport {
    /// Files and folders created, in order.
    pub created: Vec<PathBuf>,
}

/// Creates a project in `dir`: `retort.toml`, `migrations/script.sql.j2` and
/// `migrations/versions/`. Refuses to overwrite an existing `retort.toml`.
pub fn init_project(dir: &Path) -> Result<InitReport> {
    let config = dir.join(CONFIG_FILE);
    if config.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; retort init does not overwrite a project",
            config.display()
        )));
    }
    let versions = dir.join("migrations").join("versions");
    std::fs::create_dir_all(&versions).map_err(|e| Error::io(&versions, e))?;
    let template = dir.join("migrations").join("script.sql.j2");
    let mut created = vec![dir.join("migrations"), versions];
    write_new(&config, DEFAULT_CONFIG)?;
    created.insert(0, config);
    if !template.exists() {
        write_new(&template, DEFAULT_TEMPLATE)?;
        created.push(template);
    }
    Ok(InitReport { created })
}

/// What to write for `revision` or `merge`.
#[derive(Debug, Clone, Default)]
pub struct RevisionRequest {
    /// `-m`: the message.
    pub message: String,
    /// `--head`: the revision to build on (default: the single head);
    /// `"base"` starts a new root.
    pub head: Option<String>,
    /// `--splice`: allow a `--head` that is not a head (a new branch).
    pub splice: bool,
    /// `--branch-label`.
    pub branch_labels: Vec<String>,
    /// `--depends-on`.
    pub depends_on: Vec<String>,
    /// `--rev-id`.
    pub rev_id: Option<String>,
    /// `--version-path`.
    pub version_path: Option<PathBuf>,
    /// Bodies of the sections (autogenerate fills these).
    pub upgrades: String,
    /// Bodies of the sections (autogenerate fills these).
    pub downgrades: String,
    /// `-x KEY=VALUE` arguments, readable from the template as `x.KEY`.
    pub x: BTreeMap<String, String>,
    /// Extra description lines under the message.
    pub comment_lines: Vec<String>,
}

/// A revision file that was written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WrittenRevision {
    /// Its id.
    pub revision: String,
    /// Its parents.
    pub revises: Vec<String>,
    /// The file.
    pub path: PathBuf,
}

/// Writes a new revision on top of the chosen head (Alembic's `revision`).
pub fn create_revision(project: &Project, req: &RevisionRequest) -> Result<WrittenRevision> {
    let graph = project.graph();
    let parents = match req.head.as_deref() {
        Some("base") => Vec::new(),
        Some(head) => {
            let resolved = graph.resolve(head, &[])?;
            for id in &resolved {
                if !req.splice && !graph.heads().contains(&id.as_str()) {
                    return Err(Error::Usage(format!(
                        "revision {id} is not a head; pass --splice to start a new branch from it"
                    )));
                }
            }
            resolved
        }
        None => {
            let heads = graph.heads();
            if heads.len() > 1 {
                return Err(Error::Usage(format!(
                    "several heads are present ({}); pass --head REV (or --head LABEL@head) to choose one, or `retort merge` them first",
                    heads.join(", ")
                )));
            }
            heads.iter().map(|h| h.to_string()).collect()
        }
    };
    let depends_on = resolve_depends_on(project, &req.depends_on)?;
    write_revision(project, req, parents, depends_on)
}

/// Writes a merge revision whose parents are `revisions` (resolved; `heads`
/// allowed).
pub fn create_merge(
    project: &Project,
    revisions: &[String],
    req: &RevisionRequest,
) -> Result<WrittenRevision> {
    let mut parents: Vec<String> = Vec::new();
    for rev in revisions {
        for id in project.graph().resolve(rev, &[])? {
            if !parents.contains(&id) {
                parents.push(id);
            }
        }
    }
    if parents.len() < 2 {
        return Err(Error::Usage(format!(
            "a merge needs at least two revisions; {} resolved to {}",
            revisions.join(" "),
            if parents.is_empty() {
                "nothing".to_string()
            } else {
                parents.join(", ")
            }
        )));
    }
    write_revision(project, req, parents, Vec::new())
}

/// `--depends-on` values: branch labels stay as written, ids and prefixes
/// become full ids (as Alembic stores them).
fn resolve_depends_on(project: &Project, deps: &[String]) -> Result<Vec<String>> {
    let graph = project.graph();
    let mut out = Vec::new();
    for dep in deps {
        let is_label = project
            .scripts()
            .iter()
            .any(|s| s.branch_labels.iter().any(|l| l == dep));
        if is_label {
            out.push(dep.clone());
        } else {
            out.extend(graph.resolve(dep, &[])?);
        }
    }
    Ok(out)
}

fn write_revision(
    project: &Project,
    req: &RevisionRequest,
    parents: Vec<String>,
    depends_on: Vec<String>,
) -> Result<WrittenRevision> {
    let rev_id = match &req.rev_id {
        Some(id) => {
            validate_rev_id(id)?;
            id.clone()
        }
        None => new_rev_id(),
    };
    if project.script(&rev_id).is_some() {
        return Err(Error::Usage(format!("revision id {rev_id} already exists")));
    }
    for label in &req.branch_labels {
        if project
            .scripts()
            .iter()
            .any(|s| s.branch_labels.contains(label))
        {
            return Err(Error::Usage(format!(
                "branch label '{label}' is already used"
            )));
        }
    }
    let now = time::OffsetDateTime::now_utc();
    let dir = version_dir(project, req, &parents)?;
    let name = file_name(&project.config.file_template, &rev_id, &req.message, now);
    let path = dir.join(format!("{name}.sql"));
    let template_path = project.config.script_location.join("script.sql.j2");
    let template_text = match std::fs::read_to_string(&template_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DEFAULT_TEMPLATE.to_string(),
        Err(e) => return Err(Error::io(&template_path, e)),
    };
    let ctx = TemplateContext {
        message: req.message.clone(),
        rev_id: rev_id.clone(),
        down_revisions: parents.clone(),
        branch_labels: req.branch_labels.clone(),
        depends_on,
        create_date: format_date(now),
        transactional: true,
        upgrades: req.upgrades.clone(),
        downgrades: req.downgrades.clone(),
        x: req.x.clone(),
        comment_lines: req.comment_lines.clone(),
    };
    let text = template::render(&template_text, &template_path, &ctx)?;
    // The file must parse back: a broken template is caught here, not later.
    crate::script::Script::parse(&path, &text)?;
    write_new(&path, &text)?;
    Ok(WrittenRevision {
        revision: rev_id,
        revises: parents,
        path,
    })
}

fn version_dir(project: &Project, req: &RevisionRequest, parents: &[String]) -> Result<PathBuf> {
    let locations = &project.config.version_locations;
    if let Some(dir) = &req.version_path {
        let dir = if dir.is_absolute() {
            dir.clone()
        } else {
            std::env::current_dir()
                .map_err(|e| Error::io(".", e))?
                .join(dir)
        };
        let known = locations.iter().any(|l| same_dir(l, &dir));
        if !known {
            return Err(Error::Usage(format!(
                "--version-path {} is not one of [migrations] version_locations ({})",
                dir.display(),
                project.locations_display()
            )));
        }
        return Ok(dir);
    }
    // A revision goes beside its parent, so a branch kept in its own folder
    // stays there.
    let parent_dir = parents
        .first()
        .and_then(|p| project.script(p))
        .and_then(|s| s.path.parent().map(Path::to_path_buf));
    parent_dir
        .or_else(|| locations.first().cloned())
        .ok_or_else(|| Error::Config("no version location configured".into()))
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Revision ids may be any word without spaces, commas or `@` (they appear
/// in identifiers such as `label@rev` and in comma-separated headers).
fn validate_rev_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 32
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(id, "head" | "heads" | "base" | "current");
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "'{id}' is not a valid revision id: use up to 32 letters, digits, '_' or '-' (and not head, heads, base or current)"
        )))
    }
}

/// 12 random lowercase hex characters, as Alembic makes them.
pub fn new_rev_id() -> String {
    let mut bytes = [0u8; 6];
    // The OS random source failing is not something a user can fix; fall back
    // to the clock rather than refuse to write a revision.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes.copy_from_slice(&nanos.to_le_bytes()[..6]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `2026-11-23 23:40:00+00:00`.
fn format_date(t: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The file name from `file_template` (without `.sql`).
fn file_name(template: &str, rev: &str, message: &str, t: time::OffsetDateTime) -> String {
    template
        .replace("{rev}", rev)
        .replace("{slug}", &slugify(message))
        .replace("{year}", &format!("{:04}", t.year()))
        .replace("{month}", &format!("{:02}", u8::from(t.month())))
        .replace("{day}", &format!("{:02}", t.day()))
        .replace("{hour}", &format!("{:02}", t.hour()))
        .replace("{minute}", &format!("{:02}", t.minute()))
        .replace("{second}", &format!("{:02}", t.second()))
}

/// Lowercase words joined by `_`, at most 40 characters, cut at a word
/// boundary (Alembic's `truncate_slug_length`).
pub fn slugify(message: &str) -> String {
    let words: Vec<String> = message
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut slug = String::new();
    for word in words {
        let extra = if slug.is_empty() {
            word.len()
        } else {
            word.len() + 1
        };
        if slug.len() + extra > 40 {
            if slug.is_empty() {
                slug = word.chars().take(40).collect();
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('_');
        }
        slug.push_str(&word);
    }
    slug
}

fn write_new(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Add user roles table"), "add_user_roles_table");
        assert_eq!(slugify("  Ünïcode & stuff!! "), "ünïcode_stuff");
        let long = slugify("one two three four five six seven eight nine ten eleven");
        assert!(long.len() <= 40, "{long}");
        assert!(long.starts_with("one_two"));
    }

    #[test]
    fn rev_ids() {
        let id = new_rev_id();
        assert_eq!(id.len(), 12);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(id, new_rev_id());
        assert!(validate_rev_id("abc123").is_ok());
        assert!(validate_rev_id("a b").is_err());
        assert!(validate_rev_id("head").is_err());
        assert!(validate_rev_id("x@y").is_err());
    }
}
