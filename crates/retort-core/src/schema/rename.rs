//! Renames. A catalog cannot tell a renamed column from a dropped one and a
//! new one, so renames are said, never guessed: by a hint in the desired
//! schema (`-- retort: renamed from OLD`), by `--rename OLD=NEW`, or by an
//! answer at a terminal. [`candidates`] finds the drop/add pairs worth asking
//! about; [`Renames::apply`] renames them in the current model so that the
//! diff sees one object, not two.

use serde::Serialize;

use super::diff::Change;
use super::{QualifiedName, Schema, Table};

/// One rename.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rename {
    /// A table.
    Table {
        /// Its old name.
        from: QualifiedName,
        /// Its new name.
        to: QualifiedName,
    },
    /// A column of `table` (named as in the desired schema).
    Column {
        /// The table, by its new name.
        table: QualifiedName,
        /// The old column name.
        from: String,
        /// The new column name.
        to: String,
    },
}

impl Rename {
    /// `old=new` as the command line takes it.
    pub fn describe(&self) -> String {
        match self {
            Rename::Table { from, to } => format!("{}={}", dotted(from), dotted(to)),
            Rename::Column { table, from, to } => {
                format!("{}.{from}={}.{to}", dotted(table), dotted(table))
            }
        }
    }
}

fn dotted(n: &QualifiedName) -> String {
    if n.schema.is_empty() || n.schema == "public" {
        n.name.clone()
    } else {
        format!("{}.{}", n.schema, n.name)
    }
}

/// A rename as written by a user (hint or `--rename`): names not yet matched
/// against the models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameRequest {
    /// The table the column belongs to (new name), or `None` for a table
    /// rename.
    pub table: Option<String>,
    /// The old name (of the table, possibly `schema.name`, or the column).
    pub from: String,
    /// The new name.
    pub to: String,
}

impl RenameRequest {
    /// Parses `--rename OLD=NEW`: `old_table=new_table`,
    /// `schema.old=schema.new`, or `table.old_col=table.new_col` — which of
    /// the last two is meant is decided against the models.
    pub fn parse(text: &str) -> Option<Self> {
        let (from, to) = text.split_once('=')?;
        let (from, to) = (from.trim(), to.trim());
        if from.is_empty() || to.is_empty() {
            return None;
        }
        Some(Self {
            table: None,
            from: from.to_string(),
            to: to.to_string(),
        })
    }
}

/// Reads `-- retort: renamed from OLD` hints from desired-schema SQL.
///
/// A hint on the `CREATE TABLE` line, or on its own line just above it,
/// renames the table. A hint at the end of a column's line, or on its own
/// line just above the column, renames the column.
pub fn hints(sql: &str) -> Vec<RenameRequest> {
    const MARK: &str = "retort: renamed from";
    let lines: Vec<&str> = sql.lines().collect();
    let mut out = Vec::new();
    let mut current_table: Option<String> = None;
    let mut pending: Option<String> = None;
    for line in &lines {
        let (code, comment) = match line.find("--") {
            Some(i) => (line[..i].trim(), Some(line[i + 2..].trim())),
            None => (line.trim(), None),
        };
        let hint = comment
            .and_then(|c| c.strip_prefix(MARK))
            .map(|rest| rest.trim().trim_end_matches([';', ',']).to_string())
            .filter(|old| !old.is_empty());
        if code.is_empty() {
            if hint.is_some() {
                pending = hint;
            }
            continue;
        }
        let hint = hint.or_else(|| pending.take());
        if let Some(name) = create_table_name(code) {
            current_table = Some(name.clone());
            if let Some(old) = hint {
                out.push(RenameRequest {
                    table: None,
                    from: old,
                    to: name,
                });
            }
        } else if let (Some(old), Some(table)) = (hint, &current_table) {
            if let Some(column) = first_identifier(code) {
                out.push(RenameRequest {
                    table: Some(table.clone()),
                    from: old,
                    to: column,
                });
            }
        }
    }
    out
}

/// The table name of a line that starts `CREATE [TEMP] TABLE [IF NOT EXISTS]`.
fn create_table_name(code: &str) -> Option<String> {
    let upper = code.to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().collect();
    if words.first() != Some(&"CREATE") {
        return None;
    }
    let at = upper.find(" TABLE ")? + " TABLE ".len();
    let mut rest = code[at..].trim_start();
    for skip in ["IF NOT EXISTS "] {
        if rest.to_ascii_uppercase().starts_with(skip) {
            rest = rest[skip.len()..].trim_start();
        }
    }
    let name = qualified_identifier(rest)?;
    Some(name)
}

/// A possibly dotted, possibly quoted identifier at the start of `text`,
/// returned as written without quotes (`"Big".t` → `Big.t`).
fn qualified_identifier(text: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let (part, after) = identifier(rest)?;
        parts.push(part);
        match after.strip_prefix('.') {
            Some(more) => rest = more,
            None => break,
        }
    }
    Some(parts.join("."))
}

fn first_identifier(code: &str) -> Option<String> {
    let upper = code.to_ascii_uppercase();
    for constraint in ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", ")"] {
        if upper.starts_with(constraint) {
            return None;
        }
    }
    identifier(code).map(|(name, _)| name)
}

/// One identifier (quoted with `"`, `` ` `` or `[]`, or bare) and the rest.
fn identifier(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start();
    let mut chars = text.char_indices();
    let (_, first) = chars.next()?;
    let close = match first {
        '"' => Some('"'),
        '`' => Some('`'),
        '[' => Some(']'),
        _ => None,
    };
    if let Some(close) = close {
        let body = &text[1..];
        let end = body.find(close)?;
        return Some((body[..end].to_string(), &body[end + 1..]));
    }
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(text.len());
    (end > 0).then(|| (text[..end].to_string(), &text[end..]))
}

/// Names compare as a database would: exactly, or ignoring case (unquoted
/// names in hints and on the command line).
fn same(a: &str, b: &str) -> bool {
    a == b || a.eq_ignore_ascii_case(b)
}

fn find_table<'s>(schema: &'s Schema, name: &str) -> Option<&'s Table> {
    let (want_schema, want_name) = match name.rsplit_once('.') {
        Some((s, n)) => (Some(s), n),
        None => (None, name),
    };
    schema.tables.iter().find(|t| {
        same(&t.name.name, want_name) && want_schema.is_none_or(|s| same(&t.name.schema, s))
    })
}

/// The renames in `requests` that make sense between `from` and `to`: the
/// old name exists only in `from`, the new one only in `to`. Others (a hint
/// whose rename was applied long ago) are left out silently.
pub fn resolve(requests: &[RenameRequest], from: &Schema, to: &Schema) -> Vec<Rename> {
    let mut out = Vec::new();
    // Tables first: a column hint names its table by the new name.
    for r in requests.iter().filter(|r| r.table.is_none()) {
        if let Some(rename) = table_rename(&r.from, &r.to, from, to) {
            out.push(rename);
        }
    }
    let renamed = Renames(&out).apply(from);
    let from = &renamed;
    for r in requests {
        match &r.table {
            None => {
                if let Some(rename) = dotted_column_rename(r, from, to) {
                    out.push(rename);
                }
            }
            Some(table) => {
                if let Some(rename) = column_rename(table, &r.from, &r.to, from, to) {
                    out.push(rename);
                }
            }
        }
    }
    let mut unique = Vec::new();
    for r in out {
        if !unique.contains(&r) {
            unique.push(r);
        }
    }
    unique
}

/// After renames, constraints and indexes of the tables involved that differ
/// from the desired ones only by name (`people_pkey` → `users_pkey`) are
/// renamed too, rather than dropped and created again. Returns the changes
/// and makes them in `schema`. PostgreSQL only: SQLite names neither
/// constraints (usually) nor lets an index be renamed.
pub fn follow_ups(schema: &mut Schema, to: &Schema, renames: &[Rename]) -> Vec<Change> {
    let mut out = Vec::new();
    for r in renames {
        let name = match r {
            Rename::Table { to, .. } => to,
            Rename::Column { table, .. } => table,
        };
        let (Some(t), Some(want)) = (
            schema.tables.iter_mut().find(|t| &t.name == name),
            to.table(name),
        ) else {
            continue;
        };
        let mut rename = |from: &mut String, to: &str, index: bool| {
            if from != to && !from.is_empty() && !to.is_empty() {
                out.push(if index {
                    Change::RenameIndex {
                        table: name.clone(),
                        from: from.clone(),
                        to: to.to_string(),
                    }
                } else {
                    Change::RenameConstraint {
                        table: name.clone(),
                        from: from.clone(),
                        to: to.to_string(),
                    }
                });
                *from = to.to_string();
            }
        };
        if let (Some(pk), Some(wpk)) = (&mut t.primary_key, &want.primary_key) {
            if pk.columns == wpk.columns {
                rename(&mut pk.name, &wpk.name, false);
            }
        }
        for u in &mut t.uniques {
            if let Some(w) = want.uniques.iter().find(|w| w.columns == u.columns) {
                rename(&mut u.name, &w.name, false);
            }
        }
        for c in &mut t.checks {
            if let Some(w) = want.checks.iter().find(|w| w.expression == c.expression) {
                rename(&mut c.name, &w.name, false);
            }
        }
        for f in &mut t.foreign_keys {
            if let Some(w) = want.foreign_keys.iter().find(|w| {
                w.columns == f.columns
                    && w.references == f.references
                    && w.referenced_columns == f.referenced_columns
            }) {
                rename(&mut f.name, &w.name, false);
            }
        }
        for i in &mut t.indexes {
            if let Some(w) = want.indexes.iter().find(|w| {
                w.parts == i.parts
                    && w.unique == i.unique
                    && w.predicate == i.predicate
                    && w.include == i.include
                    && w.method == i.method
            }) {
                rename(&mut i.name, &w.name, true);
            }
        }
    }
    schema.normalize();
    out
}

fn table_rename(old: &str, new: &str, from: &Schema, to: &Schema) -> Option<Rename> {
    let o = find_table(from, old)?;
    let n = find_table(to, new)?;
    // Moving between schemas is not a rename.
    (o.name.schema == n.name.schema
        && find_table(to, old).is_none()
        && find_table(from, new).is_none())
    .then(|| Rename::Table {
        from: o.name.clone(),
        to: n.name.clone(),
    })
}

/// `table.old=table.new` on the command line.
fn dotted_column_rename(r: &RenameRequest, from: &Schema, to: &Schema) -> Option<Rename> {
    let (t_old, c_old) = r.from.rsplit_once('.')?;
    let (t_new, c_new) = r.to.rsplit_once('.')?;
    if !same(t_old, t_new) {
        return None;
    }
    column_rename(t_new, c_old, c_new, from, to)
}

fn column_rename(table: &str, old: &str, new: &str, from: &Schema, to: &Schema) -> Option<Rename> {
    let n = find_table(to, table)?;
    // The table may itself be renamed: look it up in `from` by either name.
    let o = from
        .tables
        .iter()
        .find(|t| t.name == n.name)
        .or_else(|| find_table(from, table))?;
    let has = |t: &Table, c: &str| t.columns.iter().any(|col| same(&col.name, c));
    let old_col = o.columns.iter().find(|c| same(&c.name, old))?;
    let new_col = n.columns.iter().find(|c| same(&c.name, new))?;
    (!has(n, &old_col.name) && !has(o, &new_col.name)).then(|| Rename::Column {
        table: n.name.clone(),
        from: old_col.name.clone(),
        to: new_col.name.clone(),
    })
}

/// Drop/add pairs that look like renames and were not asked for: a dropped
/// and an added table with the same columns, or, in a table on both sides, a
/// dropped and an added column of the same type and nullability (only when
/// there is exactly one of each, so the pairing is clear).
pub fn candidates(from: &Schema, to: &Schema) -> Vec<Rename> {
    let mut out = Vec::new();
    let dropped: Vec<&Table> = from
        .tables
        .iter()
        .filter(|t| to.table(&t.name).is_none())
        .collect();
    let added: Vec<&Table> = to
        .tables
        .iter()
        .filter(|t| from.table(&t.name).is_none())
        .collect();
    for d in &dropped {
        let shape = |t: &Table| {
            t.columns
                .iter()
                .map(|c| (c.name.clone(), c.data_type.clone()))
                .collect::<Vec<_>>()
        };
        let same_shape: Vec<&&Table> = added.iter().filter(|a| shape(a) == shape(d)).collect();
        if let [a] = same_shape.as_slice() {
            out.push(Rename::Table {
                from: d.name.clone(),
                to: a.name.clone(),
            });
        }
    }
    for n in &to.tables {
        let Some(o) = from.table(&n.name) else {
            continue;
        };
        let gone: Vec<_> = o
            .columns
            .iter()
            .filter(|c| !n.columns.iter().any(|x| x.name == c.name))
            .collect();
        let new: Vec<_> = n
            .columns
            .iter()
            .filter(|c| !o.columns.iter().any(|x| x.name == c.name))
            .collect();
        if let ([g], [a]) = (gone.as_slice(), new.as_slice()) {
            if g.data_type == a.data_type && g.nullable == a.nullable {
                out.push(Rename::Column {
                    table: n.name.clone(),
                    from: g.name.clone(),
                    to: a.name.clone(),
                });
            }
        }
    }
    out
}

/// The tables below `table` (its partitions and inheriting tables, theirs…).
fn descendants(schema: &Schema, table: &QualifiedName) -> Vec<QualifiedName> {
    let mut out: Vec<QualifiedName> = Vec::new();
    let mut frontier = vec![table.clone()];
    while let Some(parent) = frontier.pop() {
        for t in &schema.tables {
            if t.parents().any(|p| *p == parent) && !out.contains(&t.name) && t.name != *table {
                out.push(t.name.clone());
                frontier.push(t.name.clone());
            }
        }
    }
    out
}

/// Renames to apply to a model.
pub struct Renames<'r>(pub &'r [Rename]);

impl Renames<'_> {
    /// `schema` (the current side) with the renames made, including every
    /// reference to a renamed table or column (keys, foreign keys from other
    /// tables, index and check text). With no renames, `schema` itself:
    /// no copy of a schema of thousands of tables.
    pub fn apply<'s>(&self, schema: &'s Schema) -> std::borrow::Cow<'s, Schema> {
        if self.0.is_empty() {
            return std::borrow::Cow::Borrowed(schema);
        }
        let mut s = schema.clone();
        for rename in self.0 {
            match rename {
                Rename::Table { from, to } => {
                    for t in &mut s.tables {
                        if t.name == *from {
                            t.name = to.clone();
                        }
                        for fk in &mut t.foreign_keys {
                            if fk.references == *from {
                                fk.references = to.clone();
                            }
                        }
                        // Partitions and inheriting tables name their parents.
                        for parent in t
                            .partition_of
                            .iter_mut()
                            .map(|p| &mut p.parent)
                            .chain(t.inherits.iter_mut())
                        {
                            if parent == from {
                                *parent = to.clone();
                            }
                        }
                    }
                    // Its privileges go with it.
                    for p in &mut s.privileges {
                        if p.on == super::PrivilegeObject::Table && p.name == *from {
                            p.name = to.clone();
                        }
                    }
                }
                Rename::Column { table, from, to } => {
                    // PostgreSQL renames the column in the table's children too.
                    let family = descendants(&s, table);
                    for t in s.tables.iter_mut().filter(|t| family.contains(&t.name)) {
                        for c in t.columns.iter_mut().filter(|c| c.inherited) {
                            if c.name == *from {
                                c.name = to.clone();
                            }
                        }
                    }
                    for t in &mut s.tables {
                        for fk in &mut t.foreign_keys {
                            if fk.references == *table {
                                rename_in(&mut fk.referenced_columns, from, to);
                            }
                        }
                        if t.name != *table {
                            continue;
                        }
                        for c in &mut t.columns {
                            if c.name == *from {
                                c.name = to.clone();
                            }
                        }
                        if let Some(pk) = &mut t.primary_key {
                            rename_in(&mut pk.columns, from, to);
                        }
                        for u in &mut t.uniques {
                            rename_in(&mut u.columns, from, to);
                        }
                        for fk in &mut t.foreign_keys {
                            rename_in(&mut fk.columns, from, to);
                        }
                        for c in &mut t.checks {
                            c.expression = replace_word(&c.expression, from, to);
                        }
                        for i in &mut t.indexes {
                            for p in &mut i.parts {
                                *p = replace_word(p, from, to);
                            }
                            rename_in(&mut i.include, from, to);
                            if let Some(pred) = &mut i.predicate {
                                *pred = replace_word(pred, from, to);
                            }
                        }
                    }
                }
            }
        }
        s.normalize();
        std::borrow::Cow::Owned(s)
    }
}

fn rename_in(list: &mut [String], from: &str, to: &str) {
    for item in list.iter_mut() {
        if item == from {
            *item = to.to_string();
        }
    }
}

/// `text` with whole-word occurrences of `word` (bare or double-quoted)
/// replaced by `new`. Words inside string literals are rare enough in key
/// and check expressions to accept the imprecision: at worst a constraint is
/// dropped and added again.
fn replace_word(text: &str, word: &str, new: &str) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let quoted_old = format!("\"{word}\"");
    let quoted_new = format!("\"{new}\"");
    let text = text.replace(&quoted_old, &quoted_new);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find(word) {
        // The character before the match: in `rest`, or already in `out`.
        let prev = rest[..i]
            .chars()
            .next_back()
            .or_else(|| out.chars().next_back());
        let before_ok = !prev.is_some_and(is_word);
        let after = &rest[i + word.len()..];
        let after_ok = !after.chars().next().is_some_and(is_word);
        out.push_str(&rest[..i]);
        if before_ok && after_ok {
            out.push_str(new);
        } else {
            out.push_str(word);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_for_tables_and_columns() {
        let sql = "-- retort: renamed from people\n\
            CREATE TABLE users (\n    id integer PRIMARY KEY,\n    \
            full_name text NOT NULL, -- retort: renamed from name\n    \
            -- retort: renamed from mail\n    email text\n);\n\
            CREATE TABLE \"Big Table\" ( -- retort: renamed from small_table\n  x int\n);";
        let h = hints(sql);
        let req = |table: Option<&str>, from: &str, to: &str| RenameRequest {
            table: table.map(str::to_string),
            from: from.into(),
            to: to.into(),
        };
        assert_eq!(
            h,
            vec![
                req(None, "people", "users"),
                req(Some("users"), "name", "full_name"),
                req(Some("users"), "mail", "email"),
                req(None, "small_table", "Big Table"),
            ]
        );
    }

    #[test]
    fn words_are_replaced_whole() {
        assert_eq!(
            replace_word("lower(name) || nickname", "name", "full"),
            "lower(full) || nickname"
        );
        assert_eq!(replace_word("(\"name\" > 0)", "name", "n2"), "(\"n2\" > 0)");
        assert_eq!(replace_word("name", "name", "x"), "x");
        assert_eq!(replace_word("a_name", "name", "x"), "a_name");
    }

    #[test]
    fn parse_command_line() {
        assert_eq!(
            RenameRequest::parse("a=b").map(|r| (r.from, r.to)),
            Some(("a".into(), "b".into()))
        );
        assert!(RenameRequest::parse("a=").is_none());
        assert!(RenameRequest::parse("ab").is_none());
    }

    #[test]
    fn a_renamed_table_keeps_its_grants() {
        use crate::schema::{Privilege, QualifiedName, Schema};
        let (old, new) = (
            QualifiedName::new("public", "people"),
            QualifiedName::new("public", "users"),
        );
        let schema = Schema {
            privileges: vec![Privilege {
                name: old.clone(),
                grantee: "r".into(),
                privilege: "SELECT".into(),
                ..Privilege::default()
            }],
            ..Schema::default()
        };
        let renames = [Rename::Table {
            from: old,
            to: new.clone(),
        }];
        assert_eq!(Renames(&renames).apply(&schema).privileges[0].name, new);
    }
}
