//! The template for new revision files (`migrations/script.sql.j2`), rendered
//! with minijinja (Jinja2 syntax).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::ScriptError;

/// The `script.sql.j2` that `retort init` writes.
pub const DEFAULT_TEMPLATE: &str = r#"-- {{ message }}
{%- for line in comment_lines %}
-- {{ line }}
{%- endfor %}
--
-- Revision ID: {{ rev_id }}
-- Revises: {{ down_revisions | join(", ") }}
{%- if branch_labels %}
-- Branch Labels: {{ branch_labels | join(", ") }}
{%- endif %}
{%- if depends_on %}
-- Depends On: {{ depends_on | join(", ") }}
{%- endif %}
-- Create Date: {{ create_date }}
{%- if not transactional %}
-- Transaction: false
{%- endif %}

-- +upgrade
{{ upgrades }}

-- +downgrade
{{ downgrades }}
"#;

/// The variables a template can use.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TemplateContext {
    /// `-m`: the message.
    pub message: String,
    /// The new revision's id.
    pub rev_id: String,
    /// Its parents (empty for a root).
    pub down_revisions: Vec<String>,
    /// `--branch-label`s.
    pub branch_labels: Vec<String>,
    /// `--depends-on`s, resolved.
    pub depends_on: Vec<String>,
    /// `2026-11-23 23:40:00+00:00`.
    pub create_date: String,
    /// False writes `Transaction: false`.
    pub transactional: bool,
    /// Body of the upgrade section.
    pub upgrades: String,
    /// Body of the downgrade section.
    pub downgrades: String,
    /// `-x KEY=VALUE` arguments.
    pub x: BTreeMap<String, String>,
    /// Extra description lines under the message (autogenerate says what
    /// it compared).
    pub comment_lines: Vec<String>,
}

/// Renders `template` (read from `path`, used in messages) with `ctx`.
pub fn render(template: &str, path: &Path, ctx: &TemplateContext) -> Result<String, ScriptError> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| ScriptError::at(path, None, format!("template error: {e}")))?;
    env.set_syntax(syntax);
    let error =
        |e: minijinja::Error| ScriptError::at(path, e.line(), format!("template error: {e}"));
    env.add_template("revision", template).map_err(error)?;
    let tmpl = env.get_template("revision").map_err(error)?;
    tmpl.render(minijinja::value::Serde(ctx)).map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::Script;

    fn ctx() -> TemplateContext {
        TemplateContext {
            message: "Add roles".into(),
            rev_id: "abc123".into(),
            create_date: "2026-11-23 23:40:00+00:00".into(),
            transactional: true,
            ..TemplateContext::default()
        }
    }

    fn round_trip(c: &TemplateContext) -> Script {
        let text = render(DEFAULT_TEMPLATE, Path::new("t.j2"), c).unwrap();
        Script::parse(Path::new("x.sql"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    #[test]
    fn root_revision_parses_back() {
        let s = round_trip(&ctx());
        assert_eq!(s.id, "abc123");
        assert!(s.parents.is_empty());
        assert_eq!(s.message, "Add roles");
        assert!(s.transactional);
        assert!(s.is_reversible());
    }

    #[test]
    fn merge_labels_depends_and_no_transaction_parse_back() {
        let c = TemplateContext {
            down_revisions: vec!["a1".into(), "b2".into()],
            branch_labels: vec!["l".into()],
            depends_on: vec!["d4".into()],
            transactional: false,
            upgrades: "CREATE TABLE t (id int);".into(),
            downgrades: "DROP TABLE t;".into(),
            ..ctx()
        };
        let s = round_trip(&c);
        assert_eq!(s.parents, ["a1", "b2"]);
        assert_eq!(s.branch_labels, ["l"]);
        assert_eq!(s.depends_on, ["d4"]);
        assert!(!s.transactional);
        assert!(s.upgrade().unwrap().sql.contains("CREATE TABLE t"));
    }

    #[test]
    fn x_arguments_and_errors() {
        let mut c = ctx();
        c.x.insert("team".into(), "billing".into());
        let out = render("-- owner: {{ x.team }}", Path::new("t.j2"), &c).unwrap();
        assert_eq!(out, "-- owner: billing");
        let e = render("{{ nope.deeper }}", Path::new("m/script.sql.j2"), &c).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("m/script.sql.j2:1: template error"),
            "{e}"
        );
    }
}
