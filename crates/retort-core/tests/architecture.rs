//! The layering rules of docs/architecture.md, checked on the library's
//! source so that they stay true:
//!
//! - only `dialect/` (and lint rules, which say which databases they apply
//!   to) names a `DialectKind` variant: everything else asks the dialect;
//! - `schema/` (the dialect-free model and diff) imports nothing from
//!   `dialect`, `runner` or `migrator`;
//! - no library function is longer than 150 lines.
//!
//! Test modules (`#[cfg(test)]`) may name whatever they test. Each check is
//! also run on a small bad input, to show that it catches what it is for.

use std::path::{Path, PathBuf};

/// The longest a library function may be, in lines.
const MAX_FUNCTION_LINES: usize = 150;

/// Every `.rs` file under `src/`, as (path relative to `src/`, text).
fn library_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&root)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).expect("readable source");
            (rel, text)
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text with every `#[cfg(test)]` item blanked out (its lines kept
/// empty, so line numbers still match). Relies on rustfmt's layout: the item
/// ends at the first line that closes it at its own indentation.
fn without_tests(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim() == "#[cfg(test)]" {
            let indent = line.len() - line.trim_start().len();
            let close = format!("{}}}", " ".repeat(indent));
            let mut j = i + 1;
            // A one-line item (`mod tests;`, `use …;`) ends on its own line.
            if !lines.get(j).is_some_and(|l| l.trim_end().ends_with(';')) {
                while j < lines.len() && lines[j] != close {
                    j += 1;
                }
            }
            out.extend(std::iter::repeat_n(String::new(), j + 1 - i));
            i = j + 1;
            continue;
        }
        out.push(line.to_string());
        i += 1;
    }
    out
}

/// Lines outside `dialect/` and `lint/` that name a `DialectKind` variant
/// (`DialectKind::Sqlite`; not `DialectKind::ALL` or a method). Comments
/// (doc examples among them: user code) do not count.
fn dialect_variant_violations(rel: &str, text: &str) -> Vec<String> {
    if rel.starts_with("dialect/") || rel.starts_with("lint/") {
        return Vec::new();
    }
    without_tests(text)
        .iter()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//") && names_a_variant(line))
        .map(|(n, line)| format!("src/{rel}:{}: {}", n + 1, line.trim()))
        .collect()
}

fn names_a_variant(line: &str) -> bool {
    line.match_indices("DialectKind::").any(|(at, m)| {
        let rest = &line[at + m.len()..];
        let mut chars = rest.chars();
        // Variants are CamelCase; constants (ALL) are upper case.
        matches!(
            (chars.next(), chars.next()),
            (Some(a), Some(b)) if a.is_ascii_uppercase() && b.is_ascii_lowercase()
        )
    })
}

/// Lines in `schema/` that reach into the database layers.
fn schema_import_violations(rel: &str, text: &str) -> Vec<String> {
    if !rel.starts_with("schema/") {
        return Vec::new();
    }
    let forbidden = ["crate::dialect", "crate::runner", "crate::migrator"];
    without_tests(text)
        .iter()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .filter(|(_, line)| forbidden.iter().any(|f| line.contains(f)))
        .map(|(n, line)| format!("src/{rel}:{}: {}", n + 1, line.trim()))
        .collect()
}

/// Functions (outside test modules) longer than `max` lines, with their
/// length. A function starts at a line whose code begins with `fn` (after
/// visibility and qualifiers) and ends at the first `}` at its indentation.
fn long_functions(rel: &str, text: &str, max: usize) -> Vec<String> {
    let lines = without_tests(text);
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let code = line.trim_start();
        let Some(name) = function_name(code) else {
            continue;
        };
        if code.trim_end().ends_with(';') {
            continue; // a declaration without a body
        }
        let indent = line.len() - code.len();
        let close = format!("{}}}", " ".repeat(indent));
        let Some(end) = lines[i + 1..].iter().position(|l| *l == close) else {
            continue;
        };
        let length = end + 2;
        if length > max {
            found.push(format!("src/{rel}:{}: fn {name} is {length} lines", i + 1));
        }
    }
    found
}

fn function_name(code: &str) -> Option<&str> {
    let mut rest = code;
    for prefix in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
    ] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("fn ")?;
    let end = rest.find(['(', '<']).unwrap_or(rest.len());
    Some(&rest[..end])
}

fn report(what: &str, violations: &[String]) {
    assert!(
        violations.is_empty(),
        "{what}:\n{}\n(see docs/architecture.md)",
        violations.join("\n")
    );
}

#[test]
fn only_the_dialect_module_names_a_database() {
    let violations: Vec<String> = library_files()
        .iter()
        .flat_map(|(rel, text)| dialect_variant_violations(rel, text))
        .collect();
    report(
        "library code outside dialect/ names a DialectKind variant; ask the dialect (its capabilities or a hook) instead",
        &violations,
    );
}

#[test]
fn schema_imports_no_database_layer() {
    let violations: Vec<String> = library_files()
        .iter()
        .flat_map(|(rel, text)| schema_import_violations(rel, text))
        .collect();
    report(
        "schema/ must stay dialect-free: it imports dialect, runner or migrator",
        &violations,
    );
}

#[test]
fn no_library_function_is_too_long() {
    let violations: Vec<String> = library_files()
        .iter()
        .flat_map(|(rel, text)| long_functions(rel, text, MAX_FUNCTION_LINES))
        .collect();
    report(
        &format!("functions longer than {MAX_FUNCTION_LINES} lines; split them"),
        &violations,
    );
}

#[test]
fn the_checks_catch_what_they_are_for() {
    let naming = "fn f(k: DialectKind) -> bool {\n    k == DialectKind::Sqlite\n}\n";
    assert_eq!(
        dialect_variant_violations("runner.rs", naming),
        ["src/runner.rs:2: k == DialectKind::Sqlite"]
    );
    assert!(dialect_variant_violations("dialect/sqlite/mod.rs", naming).is_empty());
    assert!(dialect_variant_violations("lint/rules.rs", naming).is_empty());
    let allowed = "const A: [DialectKind; 3] = DialectKind::ALL;\nlet k = DialectKind::from_scheme(s);\n/// diff(DialectKind::Sqlite, &a, &b);\n#[cfg(test)]\nmod tests {\n    const K: DialectKind = DialectKind::Postgres;\n}\n";
    assert!(dialect_variant_violations("script/split.rs", allowed).is_empty());

    let import = "use crate::dialect::DialectKind;\nuse super::Table;\n";
    assert_eq!(
        schema_import_violations("schema/diff.rs", import),
        ["src/schema/diff.rs:1: use crate::dialect::DialectKind;"]
    );
    assert!(schema_import_violations("autogen.rs", import).is_empty());

    let body: String = (0..151).map(|_| "    let x = 1;\n").collect();
    let long = format!("pub(crate) fn big() {{\n{body}}}\n\nfn small() {{\n}}\n");
    assert_eq!(
        long_functions("x.rs", &long, 150),
        ["src/x.rs:1: fn big is 153 lines"]
    );
    assert!(long_functions("x.rs", &long, 153).is_empty());
}
