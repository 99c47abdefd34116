//! MySQL's and MariaDB's own dangers, read from a statement's tokens (with
//! MySQL's tokenizer: backticks, `#` comments): what an `ALTER TABLE` asks
//! of the server (`ALGORITHM=`, `LOCK=`, actions that copy the table, columns
//! placed with `FIRST`/`AFTER`) and whether a `SET` bounds
//! `lock_wait_timeout`.

use sqlparser::dialect::MySqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::ops::is_kw;

/// What a MySQL `ALTER TABLE` does, as R016 and R017 see it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Alter {
    /// The table (last name part, lower-cased: MySQL table names are
    /// case-insensitive on the usual servers).
    pub table: String,
    /// `ALGORITHM=…`, upper-cased (`COPY`, `INPLACE`, `INSTANT`, `DEFAULT`).
    pub algorithm: Option<String>,
    /// Why the server copies the table, one entry per action that does.
    pub copies: Vec<String>,
    /// Columns added with `FIRST` or `AFTER`.
    pub placed: Vec<String>,
    /// `DROP PRIMARY KEY` is one of the actions.
    drops_primary_key: bool,
    /// `ADD PRIMARY KEY` (or `ADD CONSTRAINT … PRIMARY KEY`) is one of them.
    adds_primary_key: bool,
}

impl Alter {
    /// `ALGORITHM=INPLACE` or `INSTANT`: the server refuses rather than copy.
    pub fn no_copy_asked(&self) -> bool {
        matches!(self.algorithm.as_deref(), Some("INPLACE" | "INSTANT"))
    }
}

fn tokens(sql: &str) -> Option<Vec<Token>> {
    let all = Tokenizer::new(&MySqlDialect {}, sql).tokenize().ok()?;
    Some(
        all.into_iter()
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .collect(),
    )
}

fn word(t: Option<&Token>) -> Option<String> {
    match t {
        Some(Token::Word(w)) => Some(w.value.to_lowercase()),
        _ => None,
    }
}

/// Reads `sql` when it is an `ALTER TABLE`.
pub(crate) fn alter(sql: &str) -> Option<Alter> {
    let t = tokens(sql)?;
    if !(t.first().is_some_and(|x| is_kw(x, Keyword::ALTER))
        && t.get(1).is_some_and(|x| is_kw(x, Keyword::TABLE)))
    {
        return None;
    }
    // ALTER TABLE [db.]name action [, action …]
    let mut i = 2;
    let mut table = word(t.get(i))?;
    while matches!(t.get(i + 1), Some(Token::Period)) {
        i += 2;
        table = word(t.get(i))?;
    }
    let mut out = Alter {
        table,
        ..Alter::default()
    };
    let mut depth = 0usize;
    let mut start = i + 1;
    for j in i + 1..=t.len() {
        match t.get(j) {
            Some(Token::LParen) => depth += 1,
            Some(Token::RParen) => depth = depth.saturating_sub(1),
            Some(Token::Comma) if depth == 0 => {
                action(&t[start..j], &mut out);
                start = j + 1;
            }
            None => action(&t[start..], &mut out),
            _ => {}
        }
    }
    // InnoDB keeps rows in primary-key order: a new key in the same
    // statement is an in-place rebuild, none at all is a copy.
    if out.drops_primary_key && !out.adds_primary_key {
        out.copies
            .push("DROP PRIMARY KEY without a new one in the same ALTER".into());
    }
    Some(out)
}

/// One comma-separated action of an `ALTER TABLE`.
fn action(a: &[Token], out: &mut Alter) {
    let w = |i: usize| word(a.get(i)).unwrap_or_default();
    let value_after_eq = |i: usize| {
        let v = if matches!(a.get(i), Some(Token::Eq)) {
            i + 1
        } else {
            i
        };
        w(v).to_uppercase()
    };
    match w(0).as_str() {
        "algorithm" => out.algorithm = Some(value_after_eq(1)),
        "convert" if w(1) == "to" => out
            .copies
            .push("CONVERT TO CHARACTER SET rewrites every text column".into()),
        "modify" | "change" => {
            let verb = w(0).to_uppercase();
            let col = if w(1) == "column" { w(2) } else { w(1) };
            out.copies.push(format!(
                "{verb} of column {col} copies the table when it changes the column's type"
            ));
        }
        "engine" => out
            .copies
            .push("ENGINE= rebuilds the table by copying it".into()),
        "force" => out.copies.push("FORCE rebuilds the table".into()),
        "order" if w(1) == "by" => out
            .copies
            .push("ORDER BY copies the table to sort its rows".into()),
        "partition" if w(1) == "by" => out
            .copies
            .push("PARTITION BY copies the rows into the partitions".into()),
        "remove" if w(1) == "partitioning" => out
            .copies
            .push("REMOVE PARTITIONING copies the rows into one table".into()),
        "drop" if w(1) == "primary" => out.drops_primary_key = true,
        "add"
            if w(1) == "primary"
                || (w(1) == "constraint" && a.iter().any(|x| is_kw(x, Keyword::PRIMARY))) =>
        {
            out.adds_primary_key = true;
        }
        "add" => {
            // ADD [COLUMN] [IF NOT EXISTS] c type … [FIRST | AFTER x]; not
            // ADD INDEX/KEY/CONSTRAINT/… and not ADD (c1 …, c2 …).
            let mut i = if w(1) == "column" { 2 } else { 1 };
            if w(i) == "if" {
                i += 3;
            }
            let not_column = [
                "index",
                "key",
                "constraint",
                "primary",
                "unique",
                "foreign",
                "fulltext",
                "spatial",
                "check",
                "partition",
                "period",
                "system",
            ];
            let col = w(i);
            let depth0_placed = a.iter().enumerate().skip(i + 1).any(|(n, x)| {
                let open = a[..n].iter().filter(|y| matches!(y, Token::LParen)).count();
                let close = a[..n].iter().filter(|y| matches!(y, Token::RParen)).count();
                open == close && (is_kw(x, Keyword::FIRST) || is_kw(x, Keyword::AFTER))
            });
            if !col.is_empty() && !not_column.contains(&col.as_str()) && depth0_placed {
                out.placed.push(col);
            }
        }
        _ => {}
    }
}

/// Whether `sql` is a `SET` that bounds `lock_wait_timeout` for the session
/// (`SET [SESSION] lock_wait_timeout = …`, `SET @@session.lock_wait_timeout
/// = …`, `SET @@lock_wait_timeout = …`); `SET GLOBAL` does not count, it
/// only affects later sessions.
pub(crate) fn sets_lock_wait_timeout(sql: &str) -> bool {
    let Some(t) = tokens(sql) else {
        return false;
    };
    if !t.first().is_some_and(|x| is_kw(x, Keyword::SET))
        || t.iter().any(|x| is_kw(x, Keyword::GLOBAL))
    {
        return false;
    }
    t.iter().any(|x| match x {
        Token::Word(w) => w
            .value
            .trim_start_matches('@')
            .eq_ignore_ascii_case("lock_wait_timeout"),
        _ => false,
    })
}
