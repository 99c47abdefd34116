//! What a statement does, as far as the rules care: a small list of
//! operations that both the parser path (`ast`) and the token fallback
//! (`scan`) produce, so the rules never look at SQL text.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer};

/// A constraint added by `ALTER TABLE … ADD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConstraintKind {
    /// `FOREIGN KEY … REFERENCES`.
    ForeignKey,
    /// `CHECK (…)`; the column when the expression is exactly `col IS NOT NULL`.
    Check {
        /// The column of a `CHECK (col IS NOT NULL)`.
        not_null_of: Option<String>,
    },
    /// `UNIQUE` or `PRIMARY KEY`; `using_index` for `… USING INDEX name`.
    Unique {
        /// Built from an existing index (no index build under the lock).
        using_index: bool,
    },
    /// `EXCLUDE` and anything else.
    Other,
}

/// One thing a statement does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    /// `CREATE TABLE name`.
    CreateTable { table: String },
    /// `ALTER TABLE t ADD COLUMN c …`.
    AddColumn {
        table: String,
        column: String,
        not_null: bool,
        has_default: bool,
        /// Why the default (or type) rewrites the table, when it does.
        rewrite: Option<String>,
    },
    /// `ALTER TABLE t DROP COLUMN c`.
    DropColumn { table: String, column: String },
    /// `ALTER TABLE t RENAME COLUMN a TO b`.
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// `ALTER TABLE t RENAME TO u`.
    RenameTable { table: String, to: String },
    /// `ALTER TABLE t ALTER COLUMN c TYPE …`.
    AlterColumnType {
        table: String,
        column: String,
        new_type: String,
    },
    /// `ALTER TABLE t ALTER COLUMN c SET NOT NULL`.
    SetNotNull { table: String, column: String },
    /// `ALTER TABLE t ADD [CONSTRAINT n] …`.
    AddConstraint {
        table: String,
        name: Option<String>,
        kind: ConstraintKind,
        not_valid: bool,
    },
    /// `ALTER TABLE t VALIDATE CONSTRAINT n`.
    ValidateConstraint { table: String, name: String },
    /// Any other `ALTER TABLE` action (takes a lock on the table).
    OtherAlterTable { table: String },
    /// `CREATE [UNIQUE] INDEX … ON t`.
    CreateIndex { table: String, concurrently: bool },
    /// `DROP INDEX [CONCURRENTLY]`.
    DropIndex { concurrently: bool },
    /// `REINDEX [CONCURRENTLY]`.
    Reindex { concurrently: bool },
    /// `DROP TABLE t`.
    DropTable { table: String },
    /// `ALTER TYPE t ADD VALUE 'v'`.
    AddEnumValue { type_name: String, value: String },
    /// `SET [LOCAL] lock_timeout …` or `set_config('lock_timeout', …)`.
    SetLockTimeout,
    /// `VACUUM FULL`.
    VacuumFull,
    /// `CLUSTER`.
    Cluster,
}

impl Op {
    /// The table an operation locks, for operations that take a lock strong
    /// enough to block reads or writes (ACCESS EXCLUSIVE or SHARE).
    pub(crate) fn locked_table(&self) -> Option<&str> {
        match self {
            Op::AddColumn { table, .. }
            | Op::DropColumn { table, .. }
            | Op::RenameColumn { table, .. }
            | Op::RenameTable { table, .. }
            | Op::AlterColumnType { table, .. }
            | Op::SetNotNull { table, .. }
            | Op::AddConstraint { table, .. }
            | Op::OtherAlterTable { table }
            | Op::DropTable { table } => Some(table),
            Op::CreateIndex {
                table,
                concurrently: false,
            } => Some(table),
            _ => None,
        }
    }
}

/// Functions whose result differs per row, so a column default calling them
/// makes PostgreSQL fill every existing row: a table rewrite.
const VOLATILE_FUNCTIONS: [&str; 9] = [
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "txid_current",
];

/// Column types that bring a sequence default (`nextval`), i.e. a volatile one.
const SERIAL_TYPES: [&str; 6] = [
    "serial",
    "serial2",
    "serial4",
    "serial8",
    "smallserial",
    "bigserial",
];

/// Tokens of `sql` without whitespace and comments; `None` if it does not
/// tokenize.
pub(crate) fn tokens(sql: &str) -> Option<Vec<Token>> {
    let dialect = PostgreSqlDialect {};
    let all = Tokenizer::new(&dialect, sql).tokenize().ok()?;
    Some(
        all.into_iter()
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .collect(),
    )
}

/// Whether `t` is the bare keyword `kw`.
pub(crate) fn is_kw(t: &Token, kw: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.keyword == kw && w.quote_style.is_none())
}

/// An identifier as PostgreSQL folds it: unquoted names lower-cased.
pub(crate) fn fold(value: &str, quoted: bool) -> String {
    if quoted {
        value.to_string()
    } else {
        value.to_lowercase()
    }
}

/// Why a new column's type or default rewrites the table, if it does.
/// `data_type` and `default` are SQL text (the default may be absent).
pub(crate) fn rewrite_reason(
    data_type: &str,
    default: Option<&str>,
    stored_generated: bool,
    identity: bool,
) -> Option<String> {
    let ty = data_type.trim().to_lowercase();
    if SERIAL_TYPES.contains(&ty.as_str()) {
        return Some(format!("type {ty} fills every row from a sequence"));
    }
    if identity {
        return Some("an identity column fills every row from a sequence".into());
    }
    if stored_generated {
        return Some("a stored generated column is computed for every row".into());
    }
    let default = default?;
    let toks = tokens(default)?;
    toks.windows(2).find_map(|w| match (&w[0], &w[1]) {
        (Token::Word(f), Token::LParen) if f.quote_style.is_none() => {
            let name = f.value.to_lowercase();
            VOLATILE_FUNCTIONS
                .contains(&name.as_str())
                .then(|| format!("the default calls {name}(), which is volatile"))
        }
        _ => None,
    })
}

/// The column of a check expression that is exactly `col IS NOT NULL`
/// (outer parentheses allowed).
pub(crate) fn not_null_check_column(expr: &str) -> Option<String> {
    let mut toks: &[Token] = &tokens(expr)?;
    while let (Some(Token::LParen), Some(Token::RParen)) = (toks.first(), toks.last()) {
        toks = &toks[1..toks.len() - 1];
    }
    match toks {
        [Token::Word(col), is, not, null]
            if is_kw(is, Keyword::IS) && is_kw(not, Keyword::NOT) && is_kw(null, Keyword::NULL) =>
        {
            Some(fold(&col.value, col.quote_style.is_some()))
        }
        _ => None,
    }
}
