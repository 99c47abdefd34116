//! The header and the sections of a revision file.

use std::path::Path;
use std::sync::OnceLock;

use super::{checksum, first_line, Script, ScriptError, Section, SectionTexts, Sections};

/// The header keys: Alembic's, then retort's own (`Transaction`, `Code`).
const KEYS: [&str; 7] = [
    "Revision ID",
    "Revises",
    "Branch Labels",
    "Depends On",
    "Create Date",
    "Transaction",
    "Code",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Header,
    Upgrade,
    Downgrade,
}

/// Fields collected from the header.
#[derive(Default)]
struct Fields {
    id: Option<String>,
    parents: Vec<String>,
    branch_labels: Vec<String>,
    depends_on: Vec<String>,
    create_date: Option<String>,
    transactional: Option<bool>,
    code: Option<String>,
    seen: Vec<&'static str>,
}

pub(super) fn parse(path: &Path, text: &str) -> Result<Script, ScriptError> {
    // A byte-order mark (editors on Windows write one) is not text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut part = Part::Header;
    let mut doc: Vec<&str> = Vec::new();
    let mut fields = Fields::default();
    // Sections are slices of the file: (first line, start byte, end byte).
    let mut upgrade: Collected = None;
    let mut downgrade: Collected = None;
    let mut offset = 0;
    for (index, raw) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let line_start = offset;
        offset += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(marker) = marker(line) {
            close_section(part, &mut upgrade, &mut downgrade, line_start);
            part = open_section(path, line_no, marker, part, &mut upgrade, &mut downgrade)?;
            if let Some(s) = section_mut(part, &mut upgrade, &mut downgrade) {
                s.1 = offset.min(text.len());
                s.2 = s.1;
            }
            continue;
        }
        if part == Part::Header {
            header_line(path, line_no, line, &mut doc, &mut fields)?;
        }
    }
    close_section(part, &mut upgrade, &mut downgrade, text.len());
    let id = fields.id.ok_or_else(|| {
        let hint = doc
            .iter()
            .find_map(|l| l.split_once(':').and_then(|(k, _)| suggest(k.trim())))
            .map(|k| format!(" (a line in the description looks like a misspelt '{k}')"))
            .unwrap_or_default();
        ScriptError::at(
            path,
            None,
            format!("missing 'Revision ID' in the header{hint}"),
        )
    })?;
    let up = upgrade.ok_or_else(|| {
        ScriptError::at(
            path,
            None,
            "missing '-- +upgrade' marker: put the upgrade statements under a line '-- +upgrade'",
        )
    })?;
    let upgrade = section(path, text, up);
    let downgrade = downgrade.map(|d| section(path, text, d));
    if fields.code.is_some() {
        for s in std::iter::once(&upgrade).chain(downgrade.as_ref()) {
            if let Some(line) = first_sql_line(s) {
                return Err(ScriptError::at(
                    path,
                    Some(line),
                    "a revision with 'Code:' runs Rust, not SQL: leave its sections empty (comments are fine)",
                ));
            }
        }
        if fields.transactional == Some(false) {
            return Err(ScriptError::at(
                path,
                None,
                "a revision with 'Code:' always runs in its transaction: remove 'Transaction: false'",
            ));
        }
    }
    let doc = doc.join("\n").trim().to_string();
    let message = first_line(&doc);
    Ok(Script {
        path: path.to_path_buf(),
        id,
        parents: fields.parents,
        branch_labels: fields.branch_labels,
        depends_on: fields.depends_on,
        create_date: fields.create_date,
        transactional: fields.transactional.unwrap_or(true),
        code: fields.code,
        message,
        doc,
        checksum: checksum(&upgrade.sql),
        sections: Sections {
            upgrade_line: upgrade.first_line,
            downgrade_line: downgrade.as_ref().map(|d| d.first_line),
            stamp: None,
            text: OnceLock::from(Box::new(SectionTexts { upgrade, downgrade })),
        },
    })
}

/// The line of a section's first line that is neither blank nor a `--`
/// comment.
fn first_sql_line(s: &Section) -> Option<usize> {
    s.sql
        .lines()
        .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--"))
        .map(|i| s.first_line + i)
}

/// `-- +upgrade` → Upgrade, `-- +downgrade` → Downgrade.
fn marker(line: &str) -> Option<Part> {
    let rest = line.trim().strip_prefix("--")?.trim();
    match rest {
        "+upgrade" => Some(Part::Upgrade),
        "+downgrade" => Some(Part::Downgrade),
        _ => None,
    }
}

/// A section found so far: first line, start and end byte offsets.
type Collected = Option<(usize, usize, usize)>;

fn section_mut<'c>(
    part: Part,
    upgrade: &'c mut Collected,
    downgrade: &'c mut Collected,
) -> Option<&'c mut (usize, usize, usize)> {
    match part {
        Part::Upgrade => upgrade.as_mut(),
        Part::Downgrade => downgrade.as_mut(),
        Part::Header => None,
    }
}

/// The section being read ends where the next marker (or the file) starts.
fn close_section(part: Part, upgrade: &mut Collected, downgrade: &mut Collected, end: usize) {
    if let Some(s) = section_mut(part, upgrade, downgrade) {
        s.2 = end.max(s.1);
    }
}

fn open_section(
    path: &Path,
    line_no: usize,
    marker: Part,
    current: Part,
    upgrade: &mut Collected,
    downgrade: &mut Collected,
) -> Result<Part, ScriptError> {
    match marker {
        Part::Upgrade if upgrade.is_some() => Err(ScriptError::at(
            path,
            Some(line_no),
            "second '-- +upgrade' marker; a file has one upgrade section",
        )),
        Part::Upgrade if current == Part::Downgrade => Err(ScriptError::at(
            path,
            Some(line_no),
            "'-- +upgrade' after '-- +downgrade'; put the upgrade section first",
        )),
        Part::Upgrade => {
            *upgrade = Some((line_no + 1, 0, 0));
            Ok(Part::Upgrade)
        }
        Part::Downgrade if downgrade.is_some() => Err(ScriptError::at(
            path,
            Some(line_no),
            "second '-- +downgrade' marker; a file has one downgrade section",
        )),
        Part::Downgrade if upgrade.is_none() => Err(ScriptError::at(
            path,
            Some(line_no),
            "'-- +downgrade' before '-- +upgrade'; put the upgrade section first",
        )),
        Part::Downgrade => {
            *downgrade = Some((line_no + 1, 0, 0));
            Ok(Part::Downgrade)
        }
        Part::Header => Ok(current),
    }
}

fn section(path: &Path, text: &str, (first_line, start, end): (usize, usize, usize)) -> Section {
    Section {
        sql: text[start..end].to_string(),
        first_line,
        path: path.to_path_buf(),
    }
}

fn header_line<'a>(
    path: &Path,
    line_no: usize,
    line: &'a str,
    doc: &mut Vec<&'a str>,
    fields: &mut Fields,
) -> Result<(), ScriptError> {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        if fields.seen.is_empty() {
            doc.push("");
        }
        return Ok(());
    }
    let Some(comment) = trimmed.strip_prefix("--") else {
        return Err(ScriptError::at(
            path,
            Some(line_no),
            "SQL before the '-- +upgrade' marker; the header may hold only '--' comments",
        ));
    };
    let content = comment.strip_prefix(' ').unwrap_or(comment).trim_end();
    // `retort lint` directives may sit among the keys; they are not keys.
    if content.trim_start().starts_with(crate::lint::MARKER) {
        return Ok(());
    }
    let key_value = content.split_once(':').map(|(k, v)| (k.trim(), v.trim()));
    match key_value {
        Some((key, value)) if KEYS.contains(&key) => set_field(path, line_no, key, value, fields),
        // Once the keys have started, every comment line must be a key.
        Some((key, _)) if !fields.seen.is_empty() && looks_like_key(key) => {
            let hint = suggest(key)
                .map(|k| format!(" (did you mean '{k}'?)"))
                .unwrap_or_default();
            Err(ScriptError::at(
                path,
                Some(line_no),
                format!(
                    "unknown header key '{key}'{hint}; known keys: {}",
                    KEYS.join(", ")
                ),
            ))
        }
        _ if !fields.seen.is_empty() && !content.is_empty() => Err(ScriptError::at(
            path,
            Some(line_no),
            "unexpected comment among the header keys; put the description above 'Revision ID'",
        )),
        _ => {
            if fields.seen.is_empty() {
                doc.push(content);
            }
            Ok(())
        }
    }
}

fn looks_like_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 30
        && key
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '_' || c == '-')
}

fn set_field(
    path: &Path,
    line_no: usize,
    key: &str,
    value: &str,
    f: &mut Fields,
) -> Result<(), ScriptError> {
    let key_static = KEYS
        .iter()
        .copied()
        .find(|k| *k == key)
        .unwrap_or("Revision ID");
    if f.seen.contains(&key_static) {
        return Err(ScriptError::at(
            path,
            Some(line_no),
            format!("'{key}' appears twice in the header"),
        ));
    }
    f.seen.push(key_static);
    match key {
        "Revision ID" => {
            if value.is_empty()
                || !value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(ScriptError::at(
                    path,
                    Some(line_no),
                    format!(
                        "'Revision ID: {value}' is not a valid id: use letters, digits, '_' or '-'"
                    ),
                ));
            }
            f.id = Some(value.to_string());
        }
        "Revises" => f.parents = list(value),
        "Branch Labels" => f.branch_labels = list(value),
        "Depends On" => f.depends_on = list(value),
        "Create Date" => f.create_date = Some(value.to_string()).filter(|v| !v.is_empty()),
        "Code" => {
            if value.is_empty() || value.chars().any(char::is_whitespace) {
                return Err(ScriptError::at(
                    path,
                    Some(line_no),
                    format!("'Code: {value}' must name the Rust migration, one word (Migrator::register_code)"),
                ));
            }
            f.code = Some(value.to_string());
        }
        _ => {
            f.transactional = Some(match value.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => true,
                "false" | "no" | "off" => false,
                _ => {
                    return Err(ScriptError::at(
                        path,
                        Some(line_no),
                        format!("'Transaction: {value}' must be true or false"),
                    ))
                }
            })
        }
    }
    Ok(())
}

/// A comma-separated list; Alembic's `None` means empty.
fn list(value: &str) -> Vec<String> {
    if value.eq_ignore_ascii_case("none") {
        return Vec::new();
    }
    value
        .split(',')
        .map(|s| s.trim().trim_matches(|c| c == '\'' || c == '"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The known key closest to `key`, if it is a near miss.
fn suggest(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    KEYS.iter()
        .map(|k| (edit_distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d > 0 && *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "-- Add user roles table\n--\n-- More words: with a colon.\n--\n-- Revision ID: 3f2a9c1b7d10\n-- Revises: 9b1e0c44aa21\n-- Create Date: 2026-11-23 23:40:00+00:00\n\n-- +upgrade\nCREATE TABLE r (id int);\n\n-- +downgrade\nDROP TABLE r;\n";

    fn parse_str(text: &str) -> Result<Script, ScriptError> {
        parse(Path::new("v/x.sql"), text)
    }

    fn err(text: &str) -> String {
        parse_str(text).unwrap_err().to_string()
    }

    #[test]
    fn parses_the_spec_example() {
        let s = parse_str(GOOD).unwrap();
        assert_eq!(s.id, "3f2a9c1b7d10");
        assert_eq!(s.parents, ["9b1e0c44aa21"]);
        assert_eq!(s.message, "Add user roles table");
        assert!(s.doc.contains("More words: with a colon."));
        assert_eq!(s.create_date.as_deref(), Some("2026-11-23 23:40:00+00:00"));
        assert!(s.transactional);
        let up = s.upgrade().unwrap();
        assert_eq!(up.first_line, 10);
        assert!(up.sql.starts_with("CREATE TABLE r"));
        assert_eq!(s.downgrade().unwrap().unwrap().sql.trim(), "DROP TABLE r;");
        assert_eq!(s.checksum, checksum(&up.sql));
        assert_eq!(s.checksum.len(), 64);
    }

    #[test]
    fn merge_labels_depends_and_transaction() {
        let s = parse_str("-- m\n-- Revision ID: m1\n-- Revises: a, b\n-- Branch Labels: x, y\n-- Depends On: c\n-- Transaction: false\n-- +upgrade\n").unwrap();
        assert_eq!(s.parents, ["a", "b"]);
        assert_eq!(s.branch_labels, ["x", "y"]);
        assert_eq!(s.depends_on, ["c"]);
        assert!(!s.transactional);
        assert!(s.downgrade().unwrap().is_none(), "no marker: irreversible");
        assert!(!s.is_reversible());
        let root =
            parse_str("-- Revision ID: r\n-- Revises: None\n-- +upgrade\n-- +downgrade\n").unwrap();
        assert!(root.parents.is_empty());
        assert_eq!(root.downgrade().unwrap().unwrap().sql, "");
    }

    #[test]
    fn crlf_files_parse() {
        let s = parse_str(&GOOD.replace('\n', "\r\n")).unwrap();
        assert_eq!(s.id, "3f2a9c1b7d10");
        assert_eq!(s.upgrade().unwrap().first_line, 10);
        assert_eq!(s.upgrade_line(), 10);
    }

    #[test]
    fn crlf_and_a_byte_order_mark_keep_the_header_and_the_checksum() {
        let lf = parse_str(GOOD).unwrap();
        let windows = parse_str(&format!("\u{feff}{}", GOOD.replace('\n', "\r\n"))).unwrap();
        assert_eq!(windows.id, lf.id);
        assert_eq!(windows.message, lf.message);
        assert_eq!(windows.parents, lf.parents);
        assert_eq!(windows.checksum, lf.checksum);
        assert_eq!(windows.upgrade_line(), lf.upgrade_line());
        let crlf_sql = &windows.upgrade().unwrap().sql;
        assert!(crlf_sql.contains("\r\n"));
        assert_ne!(super::super::checksum_as_written(crlf_sql), lf.checksum);
        assert!(windows.matches_recorded(&lf.checksum).unwrap());
        assert!(lf.matches_recorded(&lf.checksum).unwrap());
        let as_written = super::super::checksum_as_written(crlf_sql);
        assert!(
            windows.matches_recorded(&as_written).unwrap(),
            "0.1's checksum of the CRLF text"
        );
        assert!(
            lf.matches_recorded(&as_written).unwrap(),
            "the LF checkout of that file"
        );
        assert!(!windows.matches_recorded("0000").unwrap());
    }

    #[test]
    fn errors_name_file_and_line() {
        assert_eq!(
            err("-- x\n-- Revision ID: a\n-- Revizes: b\n-- +upgrade\n"),
            "v/x.sql:3: unknown header key 'Revizes' (did you mean 'Revises'?); known keys: Revision ID, Revises, Branch Labels, Depends On, Create Date, Transaction, Code"
        );
        assert!(err("-- Revision ID: a\n-- Revision ID: b\n-- +upgrade\n")
            .starts_with("v/x.sql:2: 'Revision ID' appears twice"));
        assert!(
            err("-- x\n-- Revises: b\n-- +upgrade\n").starts_with("v/x.sql: missing 'Revision ID'")
        );
        assert!(err("-- Revison ID: a\n-- +upgrade\n").contains("misspelt 'Revision ID'"));
        assert!(
            err("-- Revision ID: a\n-- Transaction: maybe\n-- +upgrade\n")
                .starts_with("v/x.sql:2: 'Transaction: maybe'")
        );
        assert!(
            err("-- Revision ID: a\nCREATE TABLE x (id int);\n-- +upgrade\n")
                .starts_with("v/x.sql:2: SQL before")
        );
        assert!(err("-- Revision ID: a\n").contains("missing '-- +upgrade'"));
        assert!(err("-- Revision ID: a\n-- +upgrade\n-- +upgrade\n")
            .starts_with("v/x.sql:3: second '-- +upgrade'"));
        assert!(err("-- Revision ID: a\n-- +downgrade\n-- +upgrade\n")
            .starts_with("v/x.sql:2: '-- +downgrade' before"));
        assert!(err("-- Revision ID: a b\n-- +upgrade\n")
            .starts_with("v/x.sql:1: 'Revision ID: a b' is not a valid id"));
        assert!(err("-- Revision ID: a\n-- stray words\n-- +upgrade\n")
            .starts_with("v/x.sql:2: unexpected comment"));
    }
}
