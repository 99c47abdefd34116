//! The token fallback: statements `sqlparser` cannot parse (or that its tree
//! does not model, such as `VACUUM`, `CLUSTER`, `DROP INDEX CONCURRENTLY`)
//! are read as a list of tokens, matching keywords at parenthesis depth 0.
//! A statement that does not even tokenize yields nothing: lint never fails
//! on SQL it does not understand.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::ops::{fold, is_kw, not_null_check_column, rewrite_reason, tokens, ConstraintKind, Op};

/// The operations of one statement, read from its tokens.
pub(crate) fn statement_ops(sql: &str) -> Vec<Op> {
    let Some(toks) = tokens(sql) else {
        return Vec::new();
    };
    let t = Toks(&toks);
    let first = toks.first();
    match first {
        Some(x) if is_kw(x, Keyword::CREATE) => create(t),
        Some(x) if is_kw(x, Keyword::ALTER) => alter(t),
        Some(x) if is_kw(x, Keyword::DROP) => drop(t),
        Some(x) if is_kw(x, Keyword::SET) => set(t),
        Some(x) if is_kw(x, Keyword::VACUUM) => vacuum(t),
        Some(x) if is_kw(x, Keyword::CLUSTER) => vec![Op::Cluster],
        Some(x) if is_kw(x, Keyword::REINDEX) => vec![Op::Reindex {
            concurrently: t.has_kw(Keyword::CONCURRENTLY),
        }],
        Some(x) if is_kw(x, Keyword::SELECT) => select(t),
        _ => Vec::new(),
    }
}

/// A statement's tokens with a few helpers.
#[derive(Clone, Copy)]
struct Toks<'a>(&'a [Token]);

impl<'a> Toks<'a> {
    fn kw(&self, i: usize, kw: Keyword) -> bool {
        self.0.get(i).is_some_and(|t| is_kw(t, kw))
    }

    /// Whether the keyword occurs at depth 0.
    fn has_kw(&self, kw: Keyword) -> bool {
        self.depth0().any(|(_, t)| is_kw(t, kw))
    }

    /// Tokens at parenthesis depth 0, with their index.
    fn depth0(&self) -> impl Iterator<Item = (usize, &'a Token)> + 'a {
        let mut depth = 0usize;
        self.0.iter().enumerate().filter(move |(_, t)| match t {
            Token::LParen => {
                depth += 1;
                false
            }
            Token::RParen => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
    }

    /// Skips `IF [NOT] EXISTS` at `i`.
    fn skip_if_exists(&self, mut i: usize) -> usize {
        if self.kw(i, Keyword::IF) {
            i += 1;
            if self.kw(i, Keyword::NOT) {
                i += 1;
            }
            if self.kw(i, Keyword::EXISTS) {
                i += 1;
            }
        }
        i
    }

    /// A possibly qualified name at `i`: its last part, folded, and the
    /// index after it.
    fn name(&self, mut i: usize) -> Option<(String, usize)> {
        loop {
            let last = match self.0.get(i) {
                Some(Token::Word(w)) => fold(&w.value, w.quote_style.is_some()),
                _ => return None,
            };
            i += 1;
            if matches!(self.0.get(i), Some(Token::Period)) {
                i += 1;
            } else {
                return Some((last, i));
            }
        }
    }
}

fn create(t: Toks) -> Vec<Op> {
    // CREATE [OR REPLACE] [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED] TABLE …
    // CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t …
    let mut i = 1;
    while t.0.get(i).is_some_and(|x| {
        [
            Keyword::OR,
            Keyword::REPLACE,
            Keyword::GLOBAL,
            Keyword::LOCAL,
            Keyword::TEMP,
            Keyword::TEMPORARY,
            Keyword::UNLOGGED,
            Keyword::UNIQUE,
        ]
        .into_iter()
        .any(|k| is_kw(x, k))
    }) {
        i += 1;
    }
    if t.kw(i, Keyword::TABLE) {
        let i = t.skip_if_exists(i + 1);
        return t
            .name(i)
            .map(|(table, _)| vec![Op::CreateTable { table }])
            .unwrap_or_default();
    }
    if t.kw(i, Keyword::INDEX) {
        let concurrently = t.kw(i + 1, Keyword::CONCURRENTLY);
        let on = t
            .depth0()
            .find(|(_, x)| is_kw(x, Keyword::ON))
            .map(|(j, _)| j);
        if let Some(on) = on {
            let j = if t.kw(on + 1, Keyword::ONLY) {
                on + 2
            } else {
                on + 1
            };
            if let Some((table, _)) = t.name(j) {
                return vec![Op::CreateIndex {
                    table,
                    concurrently,
                }];
            }
        }
    }
    Vec::new()
}

fn drop(t: Toks) -> Vec<Op> {
    if t.kw(1, Keyword::INDEX) {
        return vec![Op::DropIndex {
            concurrently: t.kw(2, Keyword::CONCURRENTLY),
        }];
    }
    if !t.kw(1, Keyword::TABLE) {
        return Vec::new();
    }
    // DROP TABLE [IF EXISTS] a, b [CASCADE|RESTRICT]
    let mut i = t.skip_if_exists(2);
    let mut out = Vec::new();
    while let Some((table, next)) = t.name(i) {
        if [Keyword::CASCADE, Keyword::RESTRICT]
            .iter()
            .any(|&k| t.kw(i, k))
        {
            break;
        }
        out.push(Op::DropTable { table });
        if matches!(t.0.get(next), Some(Token::Comma)) {
            i = next + 1;
        } else {
            break;
        }
    }
    out
}

fn set(t: Toks) -> Vec<Op> {
    // SET [SESSION|LOCAL] lock_timeout { = | TO } …
    let mut i = 1;
    if t.kw(i, Keyword::SESSION) || t.kw(i, Keyword::LOCAL) {
        i += 1;
    }
    match t.0.get(i) {
        Some(Token::Word(w)) if w.value.eq_ignore_ascii_case("lock_timeout") => {
            vec![Op::SetLockTimeout]
        }
        _ => Vec::new(),
    }
}

fn select(t: Toks) -> Vec<Op> {
    // SELECT set_config('lock_timeout', '…', …)
    let calls_set_config =
        t.0.iter()
            .any(|x| matches!(x, Token::Word(w) if w.value.eq_ignore_ascii_case("set_config")));
    let names_lock_timeout = t.0.iter().any(
        |x| matches!(x, Token::SingleQuotedString(s) if s.eq_ignore_ascii_case("lock_timeout")),
    );
    if calls_set_config && names_lock_timeout {
        vec![Op::SetLockTimeout]
    } else {
        Vec::new()
    }
}

fn vacuum(t: Toks) -> Vec<Op> {
    // VACUUM FULL …, VACUUM (FULL, ANALYZE) …; `FULL false` turns it off.
    let full = t.0.iter().enumerate().any(|(i, x)| {
        is_kw(x, Keyword::FULL)
            && !matches!(t.0.get(i + 1), Some(Token::Word(w)) if w.value.eq_ignore_ascii_case("false") || w.value.eq_ignore_ascii_case("off"))
            && !matches!(t.0.get(i + 1), Some(Token::Number(n, _)) if n == "0")
    });
    if full {
        vec![Op::VacuumFull]
    } else {
        Vec::new()
    }
}

fn alter(t: Toks) -> Vec<Op> {
    if t.kw(1, Keyword::TYPE) {
        return alter_type(t);
    }
    if !t.kw(1, Keyword::TABLE) {
        return Vec::new();
    }
    // ALTER TABLE [IF EXISTS] [ONLY] name [*] action [, action …]
    let mut i = t.skip_if_exists(2);
    if t.kw(i, Keyword::ONLY) {
        i += 1;
    }
    let Some((table, mut i)) = t.name(i) else {
        return Vec::new();
    };
    if matches!(t.0.get(i), Some(Token::Mul)) {
        i += 1;
    }
    // Split the actions at depth-0 commas.
    let mut actions = Vec::new();
    let mut start = i;
    let mut depth = 0usize;
    for (j, x) in t.0.iter().enumerate().skip(i) {
        match x {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                actions.push(&t.0[start..j]);
                start = j + 1;
            }
            _ => {}
        }
    }
    actions.push(&t.0[start..]);
    actions
        .into_iter()
        .filter(|a| !a.is_empty())
        .map(|a| alter_action(&table, Toks(a)))
        .collect()
}

fn alter_action(table: &str, a: Toks) -> Op {
    let table = table.to_string();
    let other = || Op::OtherAlterTable {
        table: table.clone(),
    };
    if a.kw(0, Keyword::ADD) {
        let constraint_start = [
            Keyword::CONSTRAINT,
            Keyword::CHECK,
            Keyword::FOREIGN,
            Keyword::UNIQUE,
            Keyword::PRIMARY,
            Keyword::EXCLUDE,
        ]
        .iter()
        .any(|&k| a.kw(1, k));
        if constraint_start {
            return add_constraint(table, a);
        }
        let i = if a.kw(1, Keyword::COLUMN) { 2 } else { 1 };
        let i = a.skip_if_exists(i);
        return add_column(table.clone(), a, i).unwrap_or_else(other);
    }
    if a.kw(0, Keyword::DROP) && !a.kw(1, Keyword::CONSTRAINT) {
        // DROP [COLUMN] [IF EXISTS] c; not DROP CONSTRAINT, not the
        // column-level DROP forms (those start with ALTER).
        let i = if a.kw(1, Keyword::COLUMN) { 2 } else { 1 };
        let i = a.skip_if_exists(i);
        return match a.name(i) {
            Some((column, _)) => Op::DropColumn { table, column },
            None => other(),
        };
    }
    if a.kw(0, Keyword::RENAME) {
        if a.kw(1, Keyword::TO) {
            return match a.name(2) {
                Some((to, _)) => Op::RenameTable { table, to },
                None => other(),
            };
        }
        if a.kw(1, Keyword::CONSTRAINT) {
            return other();
        }
        let i = if a.kw(1, Keyword::COLUMN) { 2 } else { 1 };
        return match a.name(i) {
            Some((from, j)) if a.kw(j, Keyword::TO) => match a.name(j + 1) {
                Some((to, _)) => Op::RenameColumn { table, from, to },
                None => other(),
            },
            _ => other(),
        };
    }
    if a.kw(0, Keyword::ALTER) {
        let i = if a.kw(1, Keyword::COLUMN) { 2 } else { 1 };
        let Some((column, j)) = a.name(i) else {
            return other();
        };
        // [SET DATA] TYPE t
        let ty = if a.kw(j, Keyword::TYPE) {
            Some(j + 1)
        } else if a.kw(j, Keyword::SET) && a.kw(j + 1, Keyword::DATA) && a.kw(j + 2, Keyword::TYPE)
        {
            Some(j + 3)
        } else {
            None
        };
        if let Some(k) = ty {
            let end = (k..a.0.len())
                .find(|&n| a.kw(n, Keyword::USING) || a.kw(n, Keyword::COLLATE))
                .unwrap_or(a.0.len());
            return Op::AlterColumnType {
                table,
                column,
                new_type: text(&a.0[k..end]),
            };
        }
        if a.kw(j, Keyword::SET) && a.kw(j + 1, Keyword::NOT) && a.kw(j + 2, Keyword::NULL) {
            return Op::SetNotNull { table, column };
        }
        return other();
    }
    if a.kw(0, Keyword::VALIDATE) && a.kw(1, Keyword::CONSTRAINT) {
        if let Some((name, _)) = a.name(2) {
            return Op::ValidateConstraint { table, name };
        }
    }
    other()
}

fn add_column(table: String, a: Toks, i: usize) -> Option<Op> {
    let Some(Token::Word(col)) = a.0.get(i) else {
        return None;
    };
    let column = fold(&col.value, col.quote_style.is_some());
    let rest = Toks(&a.0[i + 1..]);
    // The type runs to the first column-option keyword.
    let option_start = |x: &Token| {
        [
            Keyword::NOT,
            Keyword::NULL,
            Keyword::DEFAULT,
            Keyword::CONSTRAINT,
            Keyword::PRIMARY,
            Keyword::UNIQUE,
            Keyword::CHECK,
            Keyword::REFERENCES,
            Keyword::GENERATED,
            Keyword::COLLATE,
        ]
        .iter()
        .any(|&k| is_kw(x, k))
    };
    let type_end = rest.0.iter().position(option_start).unwrap_or(rest.0.len());
    let data_type = text(&rest.0[..type_end]);
    let d0: Vec<(usize, &Token)> = rest.depth0().collect();
    let not_null = d0.windows(2).any(|w| {
        (is_kw(w[0].1, Keyword::NOT) && is_kw(w[1].1, Keyword::NULL))
            || (is_kw(w[0].1, Keyword::PRIMARY) && is_kw(w[1].1, Keyword::KEY))
    });
    // DEFAULT expr runs to the next option keyword at depth 0.
    let default = d0
        .iter()
        .position(|(_, x)| is_kw(x, Keyword::DEFAULT))
        .map(|p| {
            let from = d0[p].0 + 1;
            let to = d0[p + 1..]
                .iter()
                .find(|(_, x)| option_start(x))
                .map_or(rest.0.len(), |(j, _)| *j);
            text(&rest.0[from..to.max(from)])
        });
    let generated = d0.iter().position(|(_, x)| is_kw(x, Keyword::GENERATED));
    let (stored, identity) = match generated {
        Some(_) => {
            let identity = rest.has_kw(Keyword::IDENTITY);
            (!identity && rest.has_kw(Keyword::STORED), identity)
        }
        None => (false, false),
    };
    let rewrite = rewrite_reason(&data_type, default.as_deref(), stored, identity);
    Some(Op::AddColumn {
        table,
        column,
        not_null,
        has_default: default.is_some() || rewrite.is_some(),
        rewrite,
    })
}

fn add_constraint(table: String, a: Toks) -> Op {
    let mut i = 1;
    let mut name = None;
    if a.kw(1, Keyword::CONSTRAINT) {
        if let Some((n, j)) = a.name(2) {
            name = Some(n);
            i = j;
        }
    }
    let not_valid = a
        .depth0()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| is_kw(w[0].1, Keyword::NOT) && is_kw(w[1].1, Keyword::VALID));
    let kind = if a.kw(i, Keyword::FOREIGN) {
        ConstraintKind::ForeignKey
    } else if a.kw(i, Keyword::CHECK) {
        // CHECK ( expr ) [NO INHERIT] [NOT VALID]
        let body = match a.0.get(i + 1) {
            Some(Token::LParen) => {
                let mut depth = 0usize;
                let mut end = a.0.len();
                for (j, x) in a.0.iter().enumerate().skip(i + 1) {
                    match x {
                        Token::LParen => depth += 1,
                        Token::RParen => {
                            depth -= 1;
                            if depth == 0 {
                                end = j;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                text(&a.0[(i + 2).min(end)..end])
            }
            _ => String::new(),
        };
        ConstraintKind::Check {
            not_null_of: not_null_check_column(&body),
        }
    } else if a.kw(i, Keyword::UNIQUE) || a.kw(i, Keyword::PRIMARY) {
        let using_index = a
            .depth0()
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| is_kw(w[0].1, Keyword::USING) && is_kw(w[1].1, Keyword::INDEX));
        ConstraintKind::Unique { using_index }
    } else {
        ConstraintKind::Other
    };
    Op::AddConstraint {
        table,
        name,
        kind,
        not_valid,
    }
}

fn alter_type(t: Toks) -> Vec<Op> {
    // ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'v' [BEFORE|AFTER 'w']
    let Some((type_name, i)) = t.name(2) else {
        return Vec::new();
    };
    if !(t.kw(i, Keyword::ADD) && t.kw(i + 1, Keyword::VALUE)) {
        return Vec::new();
    }
    let j = t.skip_if_exists(i + 2);
    match t.0.get(j) {
        Some(Token::SingleQuotedString(value)) => vec![Op::AddEnumValue {
            type_name,
            value: value.clone(),
        }],
        _ => Vec::new(),
    }
}

/// Tokens back to text, separated by single spaces (for messages only).
fn text(toks: &[Token]) -> String {
    let mut out = String::new();
    for (n, x) in toks.iter().enumerate() {
        let glue = matches!(
            x,
            Token::LParen | Token::RParen | Token::Comma | Token::Period
        ) || matches!(
            toks.get(n.wrapping_sub(1)),
            Some(Token::LParen | Token::Period)
        );
        if n > 0 && !glue {
            out.push(' ');
        }
        out.push_str(&x.to_string());
    }
    out
}
