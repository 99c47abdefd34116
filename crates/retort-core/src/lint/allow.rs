//! Allow comments: `-- retort-lint: allow R003, dropping-column` anywhere in
//! a revision file allows those rules for the whole revision;
//! `-- retort-lint: allow-next R002` allows them for the next statement only.

use std::collections::BTreeSet;

use super::Rule;

/// The marker that starts a directive inside a `--` comment.
pub const MARKER: &str = "retort-lint:";

/// The allow comments of one revision.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Allowances {
    /// Rules allowed for the whole revision.
    pub revision: BTreeSet<Rule>,
    /// `(line of the comment, rules)`: allowed for the first statement that
    /// starts below that line.
    pub next: Vec<(usize, BTreeSet<Rule>)>,
    /// `(line, message)` for directives that could not be read.
    pub problems: Vec<(usize, String)>,
}

impl Allowances {
    /// Reads the directives of `text`, whose first line is file line
    /// `first_line`. Only whole-line `--` comments are read.
    pub fn parse(text: &str, first_line: usize) -> Self {
        let mut out = Allowances::default();
        out.add(text, first_line);
        out
    }

    /// Adds the directives of another piece of the file.
    pub fn add(&mut self, text: &str, first_line: usize) {
        for (n, raw) in text.lines().enumerate() {
            let line = first_line + n;
            let Some(comment) = raw.trim().strip_prefix("--") else {
                continue;
            };
            let Some(rest) = comment.trim().strip_prefix(MARKER) else {
                continue;
            };
            let rest = rest.trim();
            let (verb, list) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let next = match verb {
                "allow" => false,
                "allow-next" => true,
                other => {
                    self.problems.push((
                        line,
                        format!("unknown directive '{other}': write '-- {MARKER} allow RULE[, RULE…]' or 'allow-next RULE[, RULE…]'"),
                    ));
                    continue;
                }
            };
            let mut rules = BTreeSet::new();
            for word in list
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|w| !w.is_empty())
            {
                match Rule::parse(word) {
                    Some(rule) => {
                        rules.insert(rule);
                    }
                    None => self.problems.push((
                        line,
                        format!("unknown lint rule '{word}' (see `docs/lint.md` for the list)"),
                    )),
                }
            }
            if rules.is_empty() {
                if list.trim().is_empty() {
                    self.problems
                        .push((line, format!("'{verb}' names no rule")));
                }
                continue;
            }
            if next {
                self.next.push((line, rules));
            } else {
                self.revision.extend(rules);
            }
        }
    }

    /// Whether `rule` is allowed for the statement starting at
    /// `statement_line`, given the start lines of every statement of the
    /// revision (sorted).
    pub fn allows(&self, rule: Rule, statement_line: usize, statement_lines: &[usize]) -> bool {
        if self.revision.contains(&rule) {
            return true;
        }
        self.next.iter().any(|(line, rules)| {
            rules.contains(&rule)
                && statement_lines.iter().find(|&&s| s > *line) == Some(&statement_line)
        })
    }
}
