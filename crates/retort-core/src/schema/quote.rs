//! Identifier quoting: only when needed, always correctly. A name is left
//! bare when it is lower case (SQLite: any case, as SQLite folds nothing but
//! compares case-insensitively), made of letters, digits and `_`, does not
//! start with a digit, and is not a reserved word; otherwise it is put in
//! double quotes with inner quotes doubled.

use crate::dialect::DialectKind;

use super::QualifiedName;

/// Words that cannot be bare identifiers (PostgreSQL's reserved key words,
/// plus SQLite's that matter in DDL).
const RESERVED: &[&str] = &[
    "abort",
    "action",
    "add",
    "after",
    "all",
    "alter",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "attach",
    "authorization",
    "autoincrement",
    "before",
    "begin",
    "between",
    "binary",
    "both",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "commit",
    "concurrently",
    "conflict",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "database",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "detach",
    "distinct",
    "do",
    "drop",
    "each",
    "else",
    "end",
    "escape",
    "except",
    "exclusive",
    "exists",
    "explain",
    "fail",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "glob",
    "grant",
    "group",
    "having",
    "if",
    "ignore",
    "ilike",
    "immediate",
    "in",
    "index",
    "indexed",
    "initially",
    "inner",
    "insert",
    "instead",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "match",
    "natural",
    "no",
    "not",
    "notnull",
    "null",
    "of",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "plan",
    "pragma",
    "primary",
    "query",
    "raise",
    "recursive",
    "references",
    "regexp",
    "reindex",
    "release",
    "rename",
    "replace",
    "restrict",
    "returning",
    "right",
    "rollback",
    "row",
    "savepoint",
    "select",
    "session_user",
    "set",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "temp",
    "temporary",
    "then",
    "to",
    "trailing",
    "transaction",
    "trigger",
    "true",
    "false",
    "union",
    "unique",
    "update",
    "user",
    "using",
    "vacuum",
    "values",
    "variadic",
    "verbose",
    "view",
    "virtual",
    "when",
    "where",
    "window",
    "with",
    "without",
];

fn reserved(word: &str) -> bool {
    RESERVED.contains(&word)
}

/// `name`, quoted if it must be.
pub fn ident(kind: DialectKind, name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && (kind == DialectKind::Sqlite || !name.chars().any(|c| c.is_ascii_uppercase()))
        && !reserved(&name.to_ascii_lowercase());
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// `schema.name` (the schema left out when empty or `public`), each part
/// quoted if it must be.
pub fn qualified(kind: DialectKind, name: &QualifiedName) -> String {
    if name.schema.is_empty() || name.schema == "public" {
        ident(kind, &name.name)
    } else {
        format!("{}.{}", ident(kind, &name.schema), ident(kind, &name.name))
    }
}

/// A comma-separated list of quoted names.
pub fn list(kind: DialectKind, names: &[String]) -> String {
    names
        .iter()
        .map(|n| ident(kind, n))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        let pg = DialectKind::Postgres;
        assert_eq!(ident(pg, "users"), "users");
        assert_eq!(ident(pg, "user_roles2"), "user_roles2");
        assert_eq!(ident(pg, "Users"), "\"Users\"");
        assert_eq!(ident(pg, "first name"), "\"first name\"");
        assert_eq!(ident(pg, "say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(ident(pg, "order"), "\"order\"");
        assert_eq!(ident(pg, "2fa"), "\"2fa\"");
        assert_eq!(ident(pg, ""), "\"\"");
        assert_eq!(ident(DialectKind::Sqlite, "Users"), "Users");
        assert_eq!(ident(DialectKind::Sqlite, "select"), "\"select\"");
        assert_eq!(qualified(pg, &QualifiedName::new("public", "t")), "t");
        assert_eq!(qualified(pg, &QualifiedName::new("Ops", "t")), "\"Ops\".t");
    }
}
