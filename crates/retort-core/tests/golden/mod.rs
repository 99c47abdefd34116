//! Golden files for tests: compare what a test produced with a file kept in
//! the repository, show a line diff on a mismatch, and rewrite the file when
//! the test runs with `RETORT_BLESS=1`.
//!
//! A missing golden file is a mismatch (never created silently) unless
//! blessing. Use it from a test with `mod golden;`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The environment variable that rewrites golden files instead of comparing.
pub const BLESS_VAR: &str = "RETORT_BLESS";

/// Whether this run rewrites golden files (`RETORT_BLESS` set to anything
/// but empty or `0`).
pub fn blessing() -> bool {
    std::env::var_os(BLESS_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

/// SQL statements as a golden file holds them: each statement followed by
/// `;` and a blank line, so the file reads like a migration and diffs well.
pub fn sql_file(statements: &[String]) -> String {
    statements.iter().map(|s| format!("{s};\n\n")).collect()
}

/// A unified line diff from `expected` to `actual`, with a few lines of
/// context, for a failure message.
pub fn line_diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("expected (golden file)", "actual")
        .to_string()
}

/// Compares `actual` with the golden file at `path`. When blessing, writes
/// `actual` there (creating folders) if it differs and returns `Ok`.
/// Otherwise a missing or different file is an `Err` with the path, a line
/// diff and the command that re-blesses (`bless_hint`, e.g.
/// `cargo nextest run -p retort-core --test diff_roundtrip`).
pub fn check(path: &Path, actual: &str, bless_hint: &str) -> Result<(), String> {
    let expected = std::fs::read_to_string(path).ok();
    if expected.as_deref() == Some(actual) {
        return Ok(());
    }
    if blessing() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        }
        std::fs::write(path, actual).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return Ok(());
    }
    let rebless = format!(
        "if the change is intended, re-bless with `{BLESS_VAR}=1 {bless_hint}` and review the diff"
    );
    Err(match expected {
        None => format!(
            "{}: golden file missing; {rebless}\nactual:\n{actual}",
            path.display()
        ),
        Some(expected) => format!(
            "{}: differs from the golden file; {rebless}\n{}",
            path.display(),
            line_diff(&expected, actual)
        ),
    })
}

/// Panics with every message in `failures` (from [`check`]), if any, and
/// how many there were.
#[track_caller]
pub fn assert_none(failures: &[String]) {
    if !failures.is_empty() {
        panic!(
            "{} golden file(s) differ:\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    }
}

/// Where a rendered-SQL golden file for `dialect` on a server of major
/// version `major` lives in `expected/`: `<dialect><major>.<direction>.sql`
/// when that file exists (SQL that legitimately differs on that version;
/// a `<dialect><major>.why` file beside it says why in one line), else the
/// shared `<dialect>.<direction>.sql`.
pub fn versioned_path(expected: &Path, dialect: &str, major: u32, direction: &str) -> PathBuf {
    let specific = expected.join(format!("{dialect}{major}.{direction}.sql"));
    if specific.exists() {
        specific
    } else {
        expected.join(format!("{dialect}.{direction}.sql"))
    }
}

/// Compares rendered SQL with its golden file for a server of major version
/// `major` (see [`versioned_path`]). The `reference` server (PostgreSQL 15
/// as installed) owns the shared file; when blessing on another version,
/// SQL that differs from the shared file goes to a version-specific file,
/// which then needs its `.why` file (a case that only applies to newer
/// servers writes the shared file). A version-specific file without a
/// `.why` is a mismatch.
pub fn check_versioned(
    expected: &Path,
    dialect: &str,
    major: u32,
    reference: bool,
    direction: &str,
    actual: &str,
    bless_hint: &str,
) -> Result<(), String> {
    let mut path = versioned_path(expected, dialect, major, direction);
    let shared = expected.join(format!("{dialect}.{direction}.sql"));
    if !reference && path == shared && blessing() {
        // A case that only runs on newer servers owns the shared file.
        let same = std::fs::read_to_string(&shared).map_or(true, |s| s == actual);
        if !same {
            path = expected.join(format!("{dialect}{major}.{direction}.sql"));
        }
    } else if reference && path != shared {
        // The reference version always reads and writes the shared file.
        path = shared.clone();
    }
    if path != shared {
        let why = expected.join(format!("{dialect}{major}.why"));
        if !why.exists() && !blessing() {
            return Err(format!(
                "{}: a version-specific golden file needs a one-line reason in {}",
                path.display(),
                why.display()
            ));
        }
        let read = |p: &Path| std::fs::read_to_string(p).ok();
        if !blessing() && read(&path).is_some() && read(&path) == read(&shared) {
            return Err(format!(
                "{}: the same as {}; remove it (and its .why when no other file needs it)",
                path.display(),
                shared.display()
            ));
        }
    }
    check(&path, actual, bless_hint)
}

/// A difference between two `pg_dump`s that the model cannot express yet,
/// from a case's `dump-known-differences` file: one per line,
/// `postgres>=18 upgrade KIND: reason`, meaning that on PostgreSQL 18 or
/// newer, after the upgrade, the dumps differ by KIND and by nothing else.
struct KnownDifference {
    min_major: u32,
    direction: String,
    kind: String,
}

/// The kinds of known differences, each with what erases it from a dump
/// line (`None`: the line goes): `not-null-constraint-names` (PostgreSQL 18
/// names NOT NULL constraints; `a integer CONSTRAINT t_a_not_null NOT NULL`
/// becomes `a integer NOT NULL`), `inherited-check-kept-local` (check
/// lines go) and `column-privileges` (`GRANT`/`REVOKE` of columns go).
fn erase(kind: &str, line: &str) -> Option<String> {
    match kind {
        "not-null-constraint-names" => {
            let Some(at) = line.find(" CONSTRAINT ") else {
                return Some(line.to_string());
            };
            let rest = &line[at + " CONSTRAINT ".len()..];
            Some(match rest.split_once(' ') {
                Some((_, tail)) if tail.starts_with("NOT NULL") => {
                    format!("{} {tail}", &line[..at])
                }
                _ => line.to_string(),
            })
        }
        // A table that gets `INHERIT parent` must have the parent's checks
        // first, and keeps them as its own too (`conislocal`): PostgreSQL
        // has no statement that makes a check inherited only, so pg_dump
        // shows it in the child's `CREATE TABLE`. Check lines are erased.
        "inherited-check-kept-local" => {
            let t = line.trim_start();
            if t.starts_with("CONSTRAINT ") && t.contains(" CHECK ") {
                None
            } else {
                Some(line.to_string())
            }
        }
        // `GRANT UPDATE(col) ON TABLE …`: column privileges, not modelled.
        "column-privileges" => {
            let privilege = line
                .strip_prefix("GRANT ")
                .or_else(|| line.strip_prefix("REVOKE "))
                .and_then(|rest| rest.split_once(" ON "))
                .map(|(privilege, _)| privilege);
            match privilege {
                Some(p) if p.contains('(') => None,
                _ => Some(line.to_string()),
            }
        }
        other => panic!("unknown kind of pg_dump difference {other:?}"),
    }
}

fn known_differences(dir: &Path) -> Vec<KnownDifference> {
    let path = dir.join("dump-known-differences");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let bad = || -> String { format!("{}: cannot read {l:?}", path.display()) };
            let (head, reason) = l.split_once(": ").unwrap_or_else(|| panic!("{}", bad()));
            let words: Vec<&str> = head.split_whitespace().collect();
            let [version, direction, kind] = words[..] else {
                panic!("{}", bad())
            };
            let min_major = version
                .strip_prefix("postgres>=")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{}", bad()));
            assert!(
                !reason.trim().is_empty(),
                "{}: {l:?} needs a reason",
                path.display()
            );
            KnownDifference {
                min_major,
                direction: direction.to_string(),
                kind: kind.to_string(),
            }
        })
        .collect()
}

/// The second judge's verdict on a case (folder `dir`) on PostgreSQL
/// `major`: the normalised dump `actual` after the `direction` ("upgrade"
/// or "downgrade") must equal `expected`, unless the case's
/// `dump-known-differences` lists the difference; then it must still be
/// there, and be nothing else.
pub fn judge_dumps(
    dir: &Path,
    major: u32,
    direction: &str,
    expected: &str,
    actual: &str,
) -> Result<(), String> {
    let case = dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let known: Vec<KnownDifference> = known_differences(dir)
        .into_iter()
        .filter(|k| major >= k.min_major && k.direction == direction)
        .collect();
    let differs = || {
        format!(
            "{case}: pg_dump --schema-only after the {direction} differs{}:\n{}",
            if known.is_empty() {
                ""
            } else {
                " beyond its known differences"
            },
            line_diff(expected, actual)
        )
    };
    if known.is_empty() {
        return if expected == actual {
            Ok(())
        } else {
            Err(differs())
        };
    }
    if expected == actual {
        return Err(format!(
            "{case}: the known pg_dump difference after the {direction} on PostgreSQL {major} is gone: \
             remove it from {}",
            dir.join("dump-known-differences").display()
        ));
    }
    let erased = |dump: &str| -> String {
        dump.lines()
            .filter_map(|l| {
                known
                    .iter()
                    .try_fold(l.to_string(), |l, k| erase(&k.kind, &l))
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    if erased(expected) == erased(actual) {
        Ok(())
    } else {
        Err(differs())
    }
}

/// The normalised `pg_dump --schema-only` of the scratch database `scratch`
/// on the PostgreSQL `server` (the second judge's input).
pub fn dump_of(
    server: &retort_testkit::pg::Server,
    scratch: &mut retort::dialect::Scratch,
) -> String {
    let name = scratch
        .connection()
        .query_column("SELECT current_database()")
        .expect("current_database()")
        .into_iter()
        .flatten()
        .next()
        .expect("a database name");
    retort_testkit::dump::schema(&server.url(&name)).unwrap_or_else(|e| panic!("{e}"))
}

/// The second judge on MariaDB: `mariadb-dump --no-data` (with routines,
/// triggers and events) of the scratch database `scratch` on the test
/// `server`, normalised by [`normalise_mariadb_dump`].
pub fn mariadb_dump_of(
    server: &retort_testkit::mariadb::Server,
    scratch: &mut retort::dialect::Scratch,
) -> String {
    let name = scratch
        .connection()
        .query_column("SELECT DATABASE()")
        .expect("DATABASE()")
        .into_iter()
        .flatten()
        .next()
        .expect("a current database");
    let out = std::process::Command::new("mariadb-dump")
        .args([
            "--host=127.0.0.1",
            &format!("--port={}", server.port),
            &format!("--user={}", retort_testkit::mariadb::USER),
            "--no-data",
            "--skip-comments",
            "--skip-dump-date",
            "--routines",
            "--triggers",
            "--events",
            "--skip-add-drop-table",
            &name,
        ])
        .env("MYSQL_PWD", retort_testkit::mariadb::PASSWORD)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run mariadb-dump: {e}"));
    assert!(
        out.status.success(),
        "mariadb-dump of {name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    normalise_mariadb_dump(&String::from_utf8_lossy(&out.stdout), &name)
}

/// A `mariadb-dump` of database `database` as two databases holding the
/// same schema dump it: without comments, blank lines, `DELIMITER` lines,
/// the client's `SET` and `DROP … IF EXISTS` lines (also inside `/*!…*/`),
/// sequences' `DO SETVAL` (their state, not their definition), `DEFINER=`
/// clauses, tables' `AUTO_INCREMENT=N` (the next value, not the schema) and
/// the database's own name where the server qualifies a name with it
/// (`nextval(\`db\`.\`seq\`)`). Inside a `CREATE TABLE` the columns keep
/// their order (the model compares it); the key and constraint lines are
/// sorted, as the server lists them in the order they were added, and the
/// trailing commas go.
pub fn normalise_mariadb_dump(dump: &str, database: &str) -> String {
    let qualifier = format!("`{}`.", database.replace('`', "``"));
    let mut out = String::new();
    let mut in_table = false;
    let mut columns: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for raw in dump.lines() {
        let line = without_auto_increment(&without_definer(raw)).replace(&qualifier, "");
        if in_table {
            if line.starts_with(')') {
                out.extend(columns.drain(..).map(|c| c + "\n"));
                keys.sort();
                out.extend(keys.drain(..).map(|k| k + "\n"));
                out.push_str(&line);
                out.push('\n');
                in_table = false;
            } else {
                let item = line.trim_end().trim_end_matches(',').to_string();
                if item.trim_start().starts_with('`') {
                    columns.push(item);
                } else {
                    keys.push(item);
                }
            }
            continue;
        }
        if is_dump_noise(&line) {
            continue;
        }
        in_table = line.starts_with("CREATE TABLE ") && line.trim_end().ends_with('(');
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Whether a `mariadb-dump` line says nothing about the schema.
fn is_dump_noise(line: &str) -> bool {
    let t = line.trim();
    // `/*!50003 SET …*/`, `/*M!999999\- enable the sandbox mode */`.
    let code = match t.strip_prefix("/*") {
        Some(rest) => rest
            .trim_start_matches(['!', 'M'])
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start(),
        None => t,
    };
    t.is_empty()
        || t.starts_with("--")
        || t.starts_with("DELIMITER ")
        || t.starts_with("/*M!999999")
        || code.starts_with("SET ")
        || code.starts_with("DROP ")
        || code.starts_with("DO SETVAL(")
}

/// `line` without `DEFINER=\`user\`@\`host\`` clauses.
fn without_definer(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("DEFINER=") {
        out.push_str(&rest[..at]);
        let mut tail = &rest[at + "DEFINER=".len()..];
        // `user`@`host`: two backquoted names (`` doubles a backquote).
        for part in 0..2 {
            tail = skip_backquoted(tail);
            if part == 0 {
                tail = tail.strip_prefix('@').unwrap_or(tail);
            }
        }
        rest = tail.strip_prefix(' ').unwrap_or(tail);
    }
    out.push_str(rest);
    out
}

/// `s` after a leading backquoted name (or after a bare word such as
/// `CURRENT_USER`).
fn skip_backquoted(s: &str) -> &str {
    let Some(inner) = s.strip_prefix('`') else {
        let end = s
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '(' || c == ')'))
            .unwrap_or(s.len());
        return &s[end..];
    };
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            if bytes.get(i + 1) == Some(&b'`') {
                i += 2;
                continue;
            }
            return &inner[i + 1..];
        }
        i += 1;
    }
    ""
}

/// `line` without a table option ` AUTO_INCREMENT=N`.
fn without_auto_increment(line: &str) -> String {
    if !line.starts_with(')') {
        return line.to_string();
    }
    let Some(at) = line.find(" AUTO_INCREMENT=") else {
        return line.to_string();
    };
    let tail = &line[at + " AUTO_INCREMENT=".len()..];
    let digits = tail.chars().take_while(char::is_ascii_digit).count();
    format!("{}{}", &line[..at], &tail[digits..])
}

/// The MariaDB judge's verdict on a case (folder `dir`): the normalised
/// dump `actual` after the `direction` ("upgrade" or "downgrade") must
/// equal `expected`.
pub fn judge_mariadb_dumps(
    dir: &Path,
    direction: &str,
    expected: &str,
    actual: &str,
) -> Result<(), String> {
    if expected == actual {
        return Ok(());
    }
    let case = dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    Err(format!(
        "{case}: mariadb-dump --no-data after the {direction} differs:\n{}",
        line_diff(expected, actual)
    ))
}
