//! Identifier quoting, shared by the dialects: only when needed, always
//! correctly. A name is left bare when it is made of letters, digits and
//! `_`, does not start with a digit, is not a reserved word, and (on
//! databases that fold unquoted names) is lower case; otherwise it is put in
//! the dialect's quotes with inner quotes doubled. Each [`super::Dialect`]
//! decides its quote character and whether case matters.

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

/// Whether `name` can stand bare. `case_matters`: the database folds bare
/// names (PostgreSQL folds to lower case), so an upper-case letter needs
/// quotes to survive.
pub fn is_plain(name: &str, case_matters: bool) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !(case_matters && name.chars().any(|c| c.is_ascii_uppercase()))
        && !reserved(&name.to_ascii_lowercase())
}

/// `name` between `quote`s, inner quotes doubled.
pub fn quoted(name: &str, quote: char) -> String {
    let doubled: String = [quote, quote].iter().collect();
    format!("{quote}{}{quote}", name.replace(quote, &doubled))
}

#[cfg(test)]
mod tests {
    use crate::dialect::{of, DialectKind};
    use crate::schema::QualifiedName;

    #[test]
    fn quotes_only_when_needed() {
        let pg = of(DialectKind::Postgres);
        assert_eq!(pg.ident("users"), "users");
        assert_eq!(pg.ident("user_roles2"), "user_roles2");
        assert_eq!(pg.ident("Users"), "\"Users\"");
        assert_eq!(pg.ident("first name"), "\"first name\"");
        assert_eq!(pg.ident("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(pg.ident("order"), "\"order\"");
        assert_eq!(pg.ident("2fa"), "\"2fa\"");
        assert_eq!(pg.ident(""), "\"\"");
        let sqlite = of(DialectKind::Sqlite);
        assert_eq!(sqlite.ident("Users"), "Users");
        assert_eq!(sqlite.ident("select"), "\"select\"");
        assert_eq!(pg.qualified(&QualifiedName::new("public", "t")), "t");
        assert_eq!(pg.qualified(&QualifiedName::new("Ops", "t")), "\"Ops\".t");
        let mysql = of(DialectKind::Mysql);
        assert_eq!(mysql.ident("order"), "`order`");
        assert_eq!(mysql.ident("a`b"), "`a``b`");
        assert_eq!(mysql.literal("it's \\ here"), "'it''s \\\\ here'");
    }
}
