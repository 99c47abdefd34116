//! What SQLite's pragmas do not tell: CHECK constraints and the expressions
//! of generated columns live only in the table's `CREATE TABLE` text
//! (`sqlite_schema.sql`), so that text is read here.
//!
//! SQLite accepts a far looser grammar than any full SQL parser does (`ON
//! CONFLICT` clauses, type names with spaces, bare `AS (…)`), so the
//! statement's structure is found by a scan over `sqlparser`'s tokens — which
//! never fails on SQL SQLite accepted — and only the expressions themselves
//! are parsed, to print them in one canonical spelling (`a>0` and `a > 0`
//! must compare equal).

use sqlparser::dialect::SQLiteDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use crate::schema::CheckConstraint;

/// A generated column's expression and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Generated {
    /// The column.
    pub column: String,
    /// The expression, canonically spelled.
    pub expression: String,
    /// `VIRTUAL` (SQLite's default) rather than `STORED`.
    pub is_virtual: bool,
}

/// The parts of a `CREATE TABLE` statement the pragmas leave out.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct TableExtras {
    /// Table and column CHECK constraints, in statement order.
    pub checks: Vec<CheckConstraint>,
    /// Generated columns.
    pub generated: Vec<Generated>,
    /// The rowid key is declared `AUTOINCREMENT`.
    pub autoincrement: bool,
}

/// Reads checks and generated columns from a `CREATE TABLE` statement.
/// Text that does not tokenize (SQLite stored it, so this does not happen in
/// practice) yields nothing rather than an error.
pub(super) fn table_extras(create_table: &str) -> TableExtras {
    let dialect = SQLiteDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, create_table).tokenize() else {
        return TableExtras::default();
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| {
            !matches!(
                t,
                Token::Whitespace(
                    Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)
                )
            )
        })
        .collect();
    let mut extras = TableExtras::default();
    let Some(open) = tokens.iter().position(|t| *t == Token::LParen) else {
        return extras;
    };
    for element in elements(&tokens[open + 1..]) {
        read_element(element, &mut extras);
    }
    extras
}

/// The comma-separated column definitions and table constraints inside the
/// statement's outer parentheses.
fn elements(body: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in body.iter().enumerate() {
        match t {
            Token::LParen => depth += 1,
            Token::RParen if depth == 0 => {
                out.push(&body[start..i]);
                return out;
            }
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => {
                out.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

fn keyword(t: &Token) -> Option<Keyword> {
    match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    }
}

fn is_space(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

/// One column definition or table constraint.
fn read_element(element: &[Token], extras: &mut TableExtras) {
    // Indexes of the significant tokens, so "the next token" skips spaces.
    let sig: Vec<usize> = (0..element.len())
        .filter(|&i| !is_space(&element[i]))
        .collect();
    let Some(&first) = sig.first() else { return };
    let column = match keyword(&element[first]) {
        Some(
            Keyword::CONSTRAINT
            | Keyword::PRIMARY
            | Keyword::UNIQUE
            | Keyword::CHECK
            | Keyword::FOREIGN,
        ) => None,
        _ => match &element[first] {
            Token::Word(w) => Some(w.value.clone()),
            Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
    };
    let mut pending_name = String::new();
    let mut k = if column.is_some() { 1 } else { 0 };
    while k < sig.len() {
        let at = sig[k];
        match keyword(&element[at]) {
            Some(Keyword::CONSTRAINT) => {
                if let Some(&n) = sig.get(k + 1) {
                    pending_name = name_of(&element[n]);
                }
                k += 2;
                continue;
            }
            Some(Keyword::CHECK) => {
                if let Some((expr, next)) = parenthesised(element, &sig, k + 1) {
                    extras.checks.push(CheckConstraint {
                        name: std::mem::take(&mut pending_name),
                        expression: expr,
                        comment: None,
                        ..Default::default()
                    });
                    k = next;
                    continue;
                }
            }
            Some(Keyword::AS) => {
                if let (Some(col), Some((expr, next))) =
                    (&column, parenthesised(element, &sig, k + 1))
                {
                    let is_virtual = sig
                        .get(next)
                        .is_none_or(|&i| keyword(&element[i]) != Some(Keyword::STORED));
                    extras.generated.push(Generated {
                        column: col.clone(),
                        expression: expr,
                        is_virtual,
                    });
                    k = next;
                    continue;
                }
            }
            Some(Keyword::AUTOINCREMENT) => extras.autoincrement = true,
            Some(_) | None => {
                // Any other clause ends a pending `CONSTRAINT name`'s reach
                // only when it is itself a constraint; names are rare enough
                // outside CHECK that keeping it is harmless.
                if matches!(element[at], Token::LParen) {
                    // Skip a parenthesised group (a type's size, a DEFAULT
                    // expression) so nothing inside it is mistaken for a clause.
                    k = skip_group(element, &sig, k);
                    continue;
                }
            }
        }
        k += 1;
    }
}

fn name_of(t: &Token) -> String {
    match t {
        Token::Word(w) => w.value.clone(),
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Index into `sig` just past the group opened at `sig[k]`.
fn skip_group(element: &[Token], sig: &[usize], k: usize) -> usize {
    let mut depth = 0usize;
    for (j, &i) in sig.iter().enumerate().skip(k) {
        match element[i] {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
    }
    sig.len()
}

/// The canonical text of the parenthesised expression starting at `sig[k]`,
/// and the `sig` index after its closing parenthesis.
fn parenthesised(element: &[Token], sig: &[usize], k: usize) -> Option<(String, usize)> {
    let &open = sig.get(k)?;
    if element[open] != Token::LParen {
        return None;
    }
    let end = skip_group(element, sig, k);
    let &close = sig.get(end - 1)?;
    if element[close] != Token::RParen || close <= open {
        return None;
    }
    let text: String = element[open + 1..close]
        .iter()
        .map(|t| t.to_string())
        .collect();
    Some((canonical(&text), end))
}

/// An expression in one spelling: parsed and printed back, or — if the
/// parser does not know the syntax — with its whitespace collapsed.
fn canonical(expr: &str) -> String {
    let dialect = SQLiteDialect {};
    let parsed = Parser::new(&dialect).try_with_sql(expr).and_then(|mut p| {
        let e = p.parse_expr()?;
        // Trailing tokens mean the parse did not cover the whole text.
        match p.peek_token().token {
            Token::EOF => Ok(e.to_string()),
            _ => Err(sqlparser::parser::ParserError::ParserError(
                "trailing".into(),
            )),
        }
    });
    parsed.unwrap_or_else(|_| expr.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, expression: &str) -> CheckConstraint {
        CheckConstraint {
            name: name.into(),
            expression: expression.into(),
            comment: None,
            ..Default::default()
        }
    }

    #[test]
    fn checks_of_columns_and_table_named_or_not() {
        let x = table_extras(
            "CREATE TABLE \"t x\" (a INTEGER PRIMARY KEY, b INT CHECK (b>0) NOT NULL, \
             c INT CONSTRAINT c_pos CHECK(c >= 0), CONSTRAINT ck CHECK (b < 100 AND c<>0), CHECK(length(\"t x\".b) > 1))",
        );
        assert_eq!(
            x.checks,
            vec![
                check("", "b > 0"),
                check("c_pos", "c >= 0"),
                check("ck", "b < 100 AND c <> 0"),
                check("", "length(\"t x\".b) > 1"),
            ]
        );
        assert!(x.generated.is_empty());
        assert!(!x.autoincrement);
        assert!(
            table_extras("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v)").autoincrement
        );
    }

    #[test]
    fn generated_columns_with_and_without_keywords() {
        let x = table_extras(
            "CREATE TABLE t (a INT, c AS (a*2) STORED, d TEXT GENERATED ALWAYS AS (lower( a )) VIRTUAL, e INT AS (a + 1))",
        );
        let g = |column: &str, expression: &str, is_virtual| Generated {
            column: column.into(),
            expression: expression.into(),
            is_virtual,
        };
        assert_eq!(
            x.generated,
            vec![
                g("c", "a * 2", false),
                g("d", "lower(a)", true),
                g("e", "a + 1", true)
            ]
        );
    }

    #[test]
    fn what_a_strict_parser_refuses_is_still_read() {
        let x = table_extras(
            "CREATE TABLE t (a, b default (1+2), [c c] `d` CHECK ([c c] IS NOT NULL), \
             UNIQUE(a) ON CONFLICT REPLACE, CHECK (a IN (1, 2, 3))) WITHOUT ROWID, STRICT",
        );
        assert_eq!(x.checks.len(), 2, "{x:?}");
        assert_eq!(x.checks[1].expression, "a IN (1, 2, 3)");
    }

    #[test]
    fn words_inside_parentheses_are_not_clauses() {
        // CAST(… AS …) and a DEFAULT expression hold AS and CHECK-like words.
        let x = table_extras(
            "CREATE TABLE t (a TEXT DEFAULT (CAST(1 AS TEXT)), b INT CHECK (CAST(b AS TEXT) <> 'check'))",
        );
        assert!(x.generated.is_empty(), "{x:?}");
        assert_eq!(x.checks, vec![check("", "CAST(b AS TEXT) <> 'check'")]);
    }

    #[test]
    fn comments_and_garbage_do_not_panic() {
        let x =
            table_extras("CREATE TABLE t ( -- a comment\n a INT /* CHECK (x) */ CHECK (a > 0))");
        assert_eq!(x.checks, vec![check("", "a > 0")]);
        for s in [
            "",
            "CREATE TABLE",
            "CREATE TABLE t (",
            "CREATE TABLE t (a CHECK",
            "(((",
            ")))",
            "CREATE TABLE t (a AS",
            "'",
        ] {
            let _ = table_extras(s);
        }
    }
}
