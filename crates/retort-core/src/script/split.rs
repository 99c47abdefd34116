//! The statement splitter: a small lexer that knows where a `;` does not end
//! a statement — inside strings, quoted identifiers, comments, PostgreSQL
//! dollar-quoted bodies, and `BEGIN … END` bodies of triggers, routines and
//! PostgreSQL's `BEGIN ATOMIC` — and MySQL's `DELIMITER` lines.

use crate::dialect::{DialectKind, SplitRules};

use super::Statement;

/// A section that cannot be split, with the line where the problem starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// 1-based file line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Splits `sql` (whose first line is file line `first_line`) into statements.
/// Comment-only pieces are dropped; each statement keeps its text as written
/// (inner comments included) minus leading comments and the final delimiter.
pub fn split(
    sql: &str,
    first_line: usize,
    dialect: DialectKind,
) -> Result<Vec<Statement>, SplitError> {
    Splitter::new(sql, first_line, crate::dialect::of(dialect).split_rules()).run()
}

struct Splitter<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    rules: &'static SplitRules,
    out: Vec<Statement>,
    /// Byte offset and line of the current statement's first token.
    start: Option<(usize, usize)>,
    /// Nesting of `BEGIN`/`CASE` … `END` blocks inside the statement.
    depth: usize,
    /// The statement's first words (upper-cased), to recognise bodies.
    words: Vec<String>,
    /// The previous word, for `BEGIN ATOMIC` and `END IF`.
    last_word: String,
    delimiter: String,
}

impl<'a> Splitter<'a> {
    fn new(src: &'a str, first_line: usize, rules: &'static SplitRules) -> Self {
        Self {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            line: first_line,
            rules,
            out: Vec::new(),
            start: None,
            depth: 0,
            words: Vec::new(),
            last_word: String::new(),
            delimiter: ";".into(),
        }
    }

    fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn advance(&mut self, n: usize) {
        for _ in 0..n {
            if self.bytes.get(self.pos) == Some(&b'\n') {
                self.line += 1;
            }
            self.pos += 1;
        }
    }

    fn mark_start(&mut self) {
        if self.start.is_none() {
            self.start = Some((self.pos, self.line));
        }
    }

    fn run(mut self) -> Result<Vec<Statement>, SplitError> {
        while self.pos < self.bytes.len() {
            if self.at_line_start()
                && self.start.is_none()
                && self.rules.delimiter_lines
                && self.try_delimiter_line()
            {
                continue;
            }
            // A custom DELIMITER ends a statement even inside a body: that
            // is what it is for.
            let custom = self.delimiter != ";";
            if (self.depth == 0 || custom) && self.at_delimiter() {
                self.finish(self.pos);
                let n = self.delimiter.len();
                self.advance(n);
                continue;
            }
            let c = self.bytes[self.pos];
            match c {
                b'-' if self.peek(1) == Some(b'-') && self.dash_comment() => self.line_comment(),
                b'#' if self.rules.hash_comments => self.line_comment(),
                b'/' if self.peek(1) == Some(b'*') => {
                    // MySQL runs `/*! … */` (executable comments): they are
                    // statement text, not comments.
                    if self.rules.hash_comments && self.peek(2) == Some(b'!') {
                        self.mark_start();
                    }
                    self.block_comment()?;
                }
                b'\'' => {
                    self.mark_start();
                    let backslash = self.rules.backslash_escapes || self.is_e_string();
                    self.quoted(b'\'', backslash, "string")?;
                }
                b'"' => {
                    self.mark_start();
                    self.quoted(b'"', self.rules.backslash_escapes, "quoted identifier")?;
                }
                b'`' if self.rules.backtick_identifiers => {
                    self.mark_start();
                    self.quoted(b'`', false, "quoted identifier")?;
                }
                b'[' if self.rules.bracket_identifiers => {
                    self.mark_start();
                    self.quoted(b']', false, "bracketed identifier")?;
                }
                b'$' if self.rules.dollar_quotes && self.dollar_tag().is_some() => {
                    self.mark_start();
                    self.dollar_body()?;
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    self.mark_start();
                    self.word();
                }
                c if c.is_ascii_whitespace() => self.advance(1),
                _ => {
                    self.mark_start();
                    // Punctuation separates keywords: `END; CASE` is not `END CASE`.
                    self.last_word.clear();
                    // Step over the whole character, so the cursor never
                    // rests inside a multi-byte UTF-8 sequence.
                    let width = self.src[self.pos..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                    self.advance(width);
                }
            }
        }
        if self.depth > 0 {
            if let Some((_, line)) = self.start {
                return Err(SplitError {
                    line,
                    message: "a BEGIN … END body starting here is not closed with END".into(),
                });
            }
        }
        self.finish(self.bytes.len());
        Ok(self.out)
    }

    /// Whether the delimiter starts at the cursor (compared as bytes, so it
    /// is safe at any position).
    fn at_delimiter(&self) -> bool {
        self.bytes[self.pos..].starts_with(self.delimiter.as_bytes())
    }

    fn at_line_start(&self) -> bool {
        self.pos == 0 || self.bytes[self.pos - 1] == b'\n'
    }

    /// MySQL client's `DELIMITER $$`: changes what ends a statement.
    fn try_delimiter_line(&mut self) -> bool {
        let rest = &self.src[self.pos..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let line = rest[..line_end].trim();
        let Some(word) = line.get(..10) else {
            return false;
        };
        if !word.eq_ignore_ascii_case("delimiter ") {
            return false;
        }
        let new = line[10..].trim();
        if new.is_empty() {
            return false;
        }
        self.delimiter = new.to_string();
        self.advance(line_end);
        true
    }

    /// `--` starts a comment, except in MySQL when no space follows
    /// (`5--1` is arithmetic there).
    fn dash_comment(&self) -> bool {
        !self.rules.dash_comment_needs_space || self.peek(2).is_none_or(|c| c.is_ascii_whitespace())
    }

    fn line_comment(&mut self) {
        while let Some(c) = self.peek(0) {
            if c == b'\n' {
                break;
            }
            self.advance(1);
        }
    }

    fn block_comment(&mut self) -> Result<(), SplitError> {
        let open_line = self.line;
        let nests = self.rules.nested_block_comments;
        let mut depth = 0usize;
        while self.pos < self.bytes.len() {
            if self.peek(0) == Some(b'/') && self.peek(1) == Some(b'*') && (nests || depth == 0) {
                depth += 1;
                self.advance(2);
            } else if self.peek(0) == Some(b'*') && self.peek(1) == Some(b'/') {
                depth -= 1;
                self.advance(2);
                if depth == 0 {
                    return Ok(());
                }
            } else {
                self.advance(1);
            }
        }
        Err(SplitError {
            line: open_line,
            message: "a /* comment starting here is not closed".into(),
        })
    }

    /// `E'…'` (PostgreSQL escape string): the quote follows a lone `E`.
    fn is_e_string(&self) -> bool {
        self.rules.escape_strings
            && self.pos >= 1
            && matches!(self.bytes[self.pos - 1], b'E' | b'e')
            && (self.pos < 2
                || !(self.bytes[self.pos - 2].is_ascii_alphanumeric()
                    || self.bytes[self.pos - 2] == b'_'))
    }

    fn quoted(&mut self, quote: u8, backslash: bool, what: &str) -> Result<(), SplitError> {
        let open_line = self.line;
        self.advance(1);
        while let Some(c) = self.peek(0) {
            if backslash && c == b'\\' {
                self.advance(2);
            } else if c == quote {
                if self.peek(1) == Some(quote) {
                    self.advance(2);
                } else {
                    self.advance(1);
                    return Ok(());
                }
            } else {
                self.advance(1);
            }
        }
        Err(SplitError {
            line: open_line,
            message: format!("a {what} starting here is not closed"),
        })
    }

    /// The `$tag$` at the cursor, if it is one (`$1` is a parameter).
    fn dollar_tag(&self) -> Option<String> {
        let rest = &self.bytes[self.pos + 1..];
        let end = rest.iter().position(|&c| c == b'$')?;
        let tag = &rest[..end];
        let valid = tag
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80)
            && tag.first().is_none_or(|c| !c.is_ascii_digit());
        // A dollar quote cannot follow an identifier character (`a$b$`).
        let prev_ident = self.pos > 0
            && (self.bytes[self.pos - 1].is_ascii_alphanumeric()
                || self.bytes[self.pos - 1] == b'_');
        (valid && !prev_ident).then(|| format!("${}$", String::from_utf8_lossy(tag)))
    }

    fn dollar_body(&mut self) -> Result<(), SplitError> {
        let open_line = self.line;
        let tag = self.dollar_tag().unwrap_or_else(|| "$$".into());
        self.advance(tag.len());
        match self.src[self.pos..].find(tag.as_str()) {
            Some(i) => {
                self.advance(i + tag.len());
                Ok(())
            }
            None => Err(SplitError {
                line: open_line,
                message: format!("a {tag} quoted body starting here is not closed with {tag}"),
            }),
        }
    }

    /// A keyword or identifier: tracks `BEGIN`/`CASE`/`END` nesting.
    fn word(&mut self) {
        let start = self.pos;
        let custom = self.delimiter != ";";
        while let Some(c) = self.peek(0) {
            if custom && self.at_delimiter() {
                break;
            }
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' {
                self.advance(1);
            } else {
                break;
            }
        }
        let word = self.src[start..self.pos].to_ascii_uppercase();
        if self.words.len() < 6 {
            self.words.push(word.clone());
        }
        match word.as_str() {
            "BEGIN" if self.has_body() => self.depth += 1,
            "ATOMIC" if self.last_word == "BEGIN" && self.rules.begin_atomic => self.depth += 1,
            "CASE" if self.depth > 0 && self.last_word != "END" => self.depth += 1,
            "IF" | "LOOP" | "WHILE" | "REPEAT" | "CASE" if self.last_word == "END" => {
                // `END IF` and friends close a construct we did not count
                // (`END CASE` undoes the decrement done for its `END`).
                if word == "CASE" || !self.rules.compound_statements {
                    // nothing: CASE was counted and END already closed it
                } else {
                    self.depth += 1;
                }
            }
            "END" if self.depth > 0 => self.depth -= 1,
            _ => {}
        }
        self.last_word = word;
    }

    /// Whether `BEGIN` opens a body here: inside `CREATE TRIGGER` (SQLite,
    /// MySQL) or MySQL routines and events. A bare `BEGIN` statement starts a
    /// transaction; PostgreSQL bodies use `BEGIN ATOMIC` or dollar quotes.
    fn has_body(&self) -> bool {
        if self.depth > 0 {
            return self.rules.compound_statements;
        }
        let creates = self.words.first().is_some_and(|w| w == "CREATE");
        creates
            && self
                .words
                .iter()
                .any(|w| self.rules.body_statements.contains(&w.as_str()))
    }

    fn finish(&mut self, end: usize) {
        if let Some((start, line)) = self.start.take() {
            let sql = self.src[start..end].trim();
            if !sql.is_empty() {
                self.out.push(Statement {
                    sql: sql.to_string(),
                    line,
                });
            }
        }
        self.depth = 0;
        self.words.clear();
        self.last_word.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqls(sql: &str, d: DialectKind) -> Vec<String> {
        split(sql, 1, d)
            .unwrap()
            .into_iter()
            .map(|s| s.sql)
            .collect()
    }

    #[test]
    fn basic_and_lines() {
        let st = split(
            "-- lead\nCREATE TABLE a (id int);\n\n/* c */ INSERT INTO a VALUES (1);\nSELECT 1",
            10,
            DialectKind::Sqlite,
        )
        .unwrap();
        assert_eq!(st.len(), 3);
        assert_eq!(st[0].sql, "CREATE TABLE a (id int)");
        assert_eq!(st[0].line, 11);
        assert_eq!(st[1].sql, "INSERT INTO a VALUES (1)");
        assert_eq!(st[1].line, 13);
        assert_eq!(st[2].line, 14);
    }

    #[test]
    fn comment_only_and_empty() {
        assert!(sqls("", DialectKind::Postgres).is_empty());
        assert!(sqls("-- nothing\n/* here */\n;;", DialectKind::Postgres).is_empty());
    }

    #[test]
    fn end_if_in_mysql_procedure() {
        let sql = "CREATE PROCEDURE p()\nBEGIN\n  IF 1 THEN SELECT 1; END IF;\n  CASE WHEN 1 THEN SELECT 2; END CASE;\nEND;\nSELECT 3;";
        let v = sqls(sql, DialectKind::Mysql);
        assert_eq!(v.len(), 2, "{v:#?}");
        assert!(v[0].ends_with("END"));
    }
}
