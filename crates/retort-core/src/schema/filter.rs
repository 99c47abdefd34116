//! Which objects autogenerate looks at: Alembic's `include_name` and
//! `include_object` hooks done as configuration (`[autogenerate]` in
//! `retort.toml`). A filter is applied to both sides of every comparison, so
//! an excluded object is neither created nor dropped.

use serde::Serialize;

use super::{QualifiedName, Schema};

/// A kind of object that can be left out as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// Tables (and with them everything on them).
    Tables,
    /// Views and materialized views.
    Views,
    /// Free-standing sequences.
    Sequences,
    /// Enum types.
    Enums,
    /// Functions and procedures.
    Functions,
    /// Triggers.
    Triggers,
    /// Indexes that no constraint owns.
    Indexes,
    /// Check constraints.
    Checks,
    /// Foreign keys.
    ForeignKeys,
    /// Comments.
    Comments,
    /// Schemas (creating and dropping them; their objects are filtered by
    /// `include_schemas`/`exclude_schemas`).
    Schemas,
    /// Extensions.
    Extensions,
    /// Domains.
    Domains,
    /// Row-level security settings and policies.
    Policies,
}

impl ObjectKind {
    /// Every kind, with the word `retort.toml` uses for it.
    pub const ALL: [(&'static str, ObjectKind); 14] = [
        ("tables", ObjectKind::Tables),
        ("views", ObjectKind::Views),
        ("sequences", ObjectKind::Sequences),
        ("enums", ObjectKind::Enums),
        ("functions", ObjectKind::Functions),
        ("triggers", ObjectKind::Triggers),
        ("indexes", ObjectKind::Indexes),
        ("checks", ObjectKind::Checks),
        ("foreign_keys", ObjectKind::ForeignKeys),
        ("comments", ObjectKind::Comments),
        ("schemas", ObjectKind::Schemas),
        ("extensions", ObjectKind::Extensions),
        ("domains", ObjectKind::Domains),
        ("policies", ObjectKind::Policies),
    ];

    /// The kind named `word` in `retort.toml`.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.iter().find(|(w, _)| *w == word).map(|(_, k)| *k)
    }
}

/// What to compare. The default compares everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only these schemas (empty: all).
    pub include_schemas: Vec<String>,
    /// Never these schemas.
    pub exclude_schemas: Vec<String>,
    /// Only tables and views matching one of these patterns (empty: all).
    pub include_tables: Vec<String>,
    /// Never tables and views matching one of these patterns.
    pub exclude_tables: Vec<String>,
    /// Kinds of objects left out entirely.
    pub exclude_kinds: Vec<ObjectKind>,
    /// Compare privileges (`GRANT`s and default privileges): off unless
    /// asked for (`[autogenerate] privileges = true`, `--with-privileges`).
    pub privileges: bool,
}

impl Filter {
    /// Whether this is the default filter: it keeps everything but
    /// privileges (which only `privileges` keeps).
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether the schema `name` is compared (SQLite's objects have no
    /// schema and always are).
    pub fn schema(&self, name: &str) -> bool {
        name.is_empty()
            || ((self.include_schemas.is_empty() || self.include_schemas.iter().any(|s| s == name))
                && !self.exclude_schemas.iter().any(|s| s == name))
    }

    /// Whether the table or view `name` is compared. Patterns use `*` and `?`
    /// and match the bare name (`audit_*`) or, when they contain a dot, the
    /// schema-qualified one (`billing.*`).
    pub fn relation(&self, name: &QualifiedName) -> bool {
        let matches = |pattern: &String| {
            if pattern.contains('.') {
                wildcard(pattern, &format!("{}.{}", name.schema, name.name))
            } else {
                wildcard(pattern, &name.name)
            }
        };
        self.schema(&name.schema)
            && (self.include_tables.is_empty() || self.include_tables.iter().any(matches))
            && !self.exclude_tables.iter().any(matches)
    }

    fn kind(&self, kind: ObjectKind) -> bool {
        !self.exclude_kinds.contains(&kind)
    }

    /// `schema` without what this filter leaves out.
    pub fn apply(&self, schema: &mut Schema) {
        if !self.privileges {
            schema.privileges.clear();
            schema.default_privileges.clear();
        }
        if self.is_empty() {
            return;
        }
        let keep_tables = self.kind(ObjectKind::Tables);
        schema
            .tables
            .retain(|t| keep_tables && self.relation(&t.name));
        schema
            .virtual_tables
            .retain(|t| keep_tables && self.relation(&t.name));
        for t in &mut schema.tables {
            if !self.kind(ObjectKind::Triggers) {
                t.triggers.clear();
            }
            if !self.kind(ObjectKind::Indexes) {
                t.indexes.clear();
            }
            if !self.kind(ObjectKind::Checks) {
                t.checks.clear();
            }
            if !self.kind(ObjectKind::ForeignKeys) {
                t.foreign_keys.clear();
            }
            if !self.kind(ObjectKind::Comments) {
                t.comment = None;
                for c in &mut t.columns {
                    c.comment = None;
                }
            }
            if !self.kind(ObjectKind::Policies) {
                t.policies.clear();
                t.row_security = false;
                t.force_row_security = false;
            }
        }
        if !self.kind(ObjectKind::Comments) {
            // Every comment that is not a table's or a column's.
            *schema = super::comments::strip(schema);
        }
        let keep_views = self.kind(ObjectKind::Views);
        schema
            .views
            .retain(|v| keep_views && self.relation(&v.name));
        if !self.kind(ObjectKind::Triggers) {
            schema.views.iter_mut().for_each(|v| v.triggers.clear());
        }
        // Rules go with their tables and views.
        let relations: std::collections::HashSet<QualifiedName> = schema
            .tables
            .iter()
            .map(|t| t.name.clone())
            .chain(schema.views.iter().map(|v| v.name.clone()))
            .collect();
        schema.rules.retain(|r| relations.contains(&r.relation));
        let keep = |kind, name: &QualifiedName| self.kind(kind) && self.schema(&name.schema);
        schema
            .sequences
            .retain(|s| keep(ObjectKind::Sequences, &s.name));
        schema.enums.retain(|e| keep(ObjectKind::Enums, &e.name));
        schema
            .functions
            .retain(|f| keep(ObjectKind::Functions, &f.name));
        // Operators go with the functions.
        schema
            .operators
            .retain(|o| keep(ObjectKind::Functions, &o.name));
        self.apply_to_privileges(schema, &relations);
    }

    /// Privileges go with their objects: those on a left-out table or view,
    /// or in a left-out schema, are left out too.
    fn apply_to_privileges(
        &self,
        schema: &mut Schema,
        relations: &std::collections::HashSet<QualifiedName>,
    ) {
        use super::PrivilegeObject as O;
        let kind = |p: &super::Privilege| match p.on {
            O::Sequence => self.kind(ObjectKind::Sequences),
            O::Function | O::Procedure => self.kind(ObjectKind::Functions),
            O::Domain => self.kind(ObjectKind::Domains),
            O::Schema => self.kind(ObjectKind::Schemas),
            _ => true,
        };
        schema.privileges.retain(|p| {
            kind(p)
                && match p.on {
                    O::Table | O::View | O::MaterializedView => relations.contains(&p.name),
                    O::Schema => self.schema(&p.name.name),
                    _ => self.schema(&p.name.schema),
                }
        });
        schema.default_privileges.retain(|d| self.schema(&d.schema));
    }
}

/// `*` matches any run of characters, `?` one character; the rest literally.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Classic two-pointer match with backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Function, Table, View};

    #[test]
    fn wildcards() {
        assert!(wildcard("tmp_*", "tmp_"));
        assert!(wildcard("tmp_*", "tmp_2026"));
        assert!(!wildcard("tmp_*", "temp_1"));
        assert!(wildcard("*_log", "audit_log"));
        assert!(wildcard("a?c*z", "abcxyz"));
        assert!(!wildcard("a?c", "ac"));
        assert!(wildcard("*", ""));
        assert!(wildcard("billing.*", "billing.invoices"));
    }

    fn table(schema: &str, name: &str) -> Table {
        Table {
            name: QualifiedName::new(schema, name),
            ..Table::default()
        }
    }

    #[test]
    fn schemas_tables_and_kinds() {
        let mut s = Schema {
            tables: vec![
                table("public", "users"),
                table("public", "tmp_import"),
                table("audit", "log"),
                table("billing", "invoices"),
            ],
            views: vec![View {
                name: QualifiedName::new("public", "tmp_view"),
                ..View::default()
            }],
            functions: vec![Function {
                name: QualifiedName::new("public", "f"),
                ..Function::default()
            }],
            ..Schema::default()
        };
        let f = Filter {
            exclude_schemas: vec!["audit".into()],
            exclude_tables: vec!["tmp_*".into(), "billing.*".into()],
            exclude_kinds: vec![ObjectKind::Functions],
            ..Filter::default()
        };
        f.apply(&mut s);
        let names: Vec<&str> = s.tables.iter().map(|t| t.name.name.as_str()).collect();
        assert_eq!(names, ["users"]);
        assert!(s.views.is_empty());
        assert!(s.functions.is_empty());
    }

    #[test]
    fn privileges_only_when_asked_and_with_their_objects() {
        use crate::schema::{DefaultPrivilege, Privilege, PrivilegeObject};
        let on = |on, schema: &str, name: &str| Privilege {
            on,
            name: QualifiedName::new(schema, name),
            grantee: "r".into(),
            privilege: "SELECT".into(),
            ..Privilege::default()
        };
        let schema = Schema {
            tables: vec![table("public", "users"), table("public", "tmp_x")],
            privileges: vec![
                on(PrivilegeObject::Table, "public", "users"),
                on(PrivilegeObject::Table, "public", "tmp_x"),
                on(PrivilegeObject::Function, "public", "f"),
                on(PrivilegeObject::Sequence, "audit", "s"),
            ],
            default_privileges: vec![DefaultPrivilege::default()],
            ..Schema::default()
        };
        let mut off = schema.clone();
        Filter::default().apply(&mut off);
        assert!(off.privileges.is_empty() && off.default_privileges.is_empty());
        let mut on_ = schema.clone();
        Filter {
            privileges: true,
            exclude_schemas: vec!["audit".into()],
            exclude_tables: vec!["tmp_*".into()],
            exclude_kinds: vec![ObjectKind::Functions],
            ..Filter::default()
        }
        .apply(&mut on_);
        assert_eq!(on_.privileges, [schema.privileges[0].clone()]);
        assert_eq!(on_.default_privileges.len(), 1);
    }

    #[test]
    fn include_lists_narrow() {
        let f = Filter {
            include_schemas: vec!["public".into()],
            include_tables: vec!["user*".into()],
            ..Filter::default()
        };
        assert!(f.relation(&QualifiedName::new("public", "users")));
        assert!(!f.relation(&QualifiedName::new("public", "posts")));
        assert!(!f.relation(&QualifiedName::new("other", "users")));
    }
}
