//! A second judge of schema equality, independent of retort's own
//! introspection: `pg_dump --schema-only` (version 18, which dumps every
//! older server too), normalised so that two databases holding the same
//! schema dump the same text.
//!
//! Normalised away: comments, `SET` and `set_config` lines, pg_dump 18's
//! `\restrict`/`\unrestrict` lines (a random key per run), blank lines, and
//! the order of the columns and constraints inside a `CREATE TABLE`: a
//! column added by `ALTER TABLE ... ADD COLUMN` comes last in the table,
//! where `CREATE TABLE` may have put it in the middle, and retort does not
//! treat column order as part of a schema. Nothing else is reordered. The
//! field of `EXTRACT(Field FROM …)` is lowercased: PostgreSQL prints it as
//! it was written in `extract('YEAR' from …)` but as `year` once the view
//! is created from its own printed text, and the field is not
//! case-sensitive.

use std::process::{Command, Stdio};

use crate::pgtools;

/// The normalised `pg_dump --schema-only` of the database at `url`.
pub fn schema(url: &str) -> Result<String, String> {
    let pg_dump = pgtools::pg_dump();
    let out = Command::new(&pg_dump)
        .args(["--schema-only", "--no-password", "--dbname", url])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", pg_dump.display()))?;
    if !out.status.success() {
        return Err(format!(
            "pg_dump of {url} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(normalise(&String::from_utf8_lossy(&out.stdout)))
}

/// Drops what does not describe the schema and sorts the lines of each
/// `CREATE TABLE`'s column list (see the module's documentation), and each
/// run of consecutive `GRANT`/`REVOKE` lines: pg_dump prints an object's
/// access list in the order the privileges were granted, which says nothing
/// about what is granted.
pub fn normalise(dump: &str) -> String {
    sorted_privilege_runs(&normalise_lines(dump))
}

/// Each run of consecutive `GRANT`/`REVOKE` lines in name order.
fn sorted_privilege_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<&str> = Vec::new();
    let flush = |run: &mut Vec<&str>, out: &mut String| {
        run.sort_unstable();
        for l in run.drain(..) {
            out.push_str(l);
            out.push('\n');
        }
    };
    for line in text.lines() {
        if line.starts_with("GRANT ") || line.starts_with("REVOKE ") {
            run.push(line);
            continue;
        }
        flush(&mut run, &mut out);
        out.push_str(line);
        out.push('\n');
    }
    flush(&mut run, &mut out);
    out
}

fn normalise_lines(dump: &str) -> String {
    let mut out = String::new();
    let mut table: Option<Vec<String>> = None;
    for line in dump.lines() {
        if let Some(lines) = table.as_mut() {
            if line.starts_with(')') {
                lines.sort();
                let n = lines.len();
                for (i, l) in lines.iter().enumerate() {
                    out.push_str(l);
                    out.push_str(if i + 1 < n { ",\n" } else { "\n" });
                }
                out.push_str(line);
                out.push('\n');
                table = None;
            } else {
                lines.push(line.trim_end_matches(',').to_string());
            }
            continue;
        }
        let skip = line.trim().is_empty()
            || line.starts_with("--")
            || line.starts_with("SET ")
            || line.starts_with("SELECT pg_catalog.set_config(")
            || line.starts_with("\\restrict")
            || line.starts_with("\\unrestrict");
        if skip {
            continue;
        }
        let Some(line) = without_attver(line) else {
            continue;
        };
        let line = lower_extract_fields(&sorted_options(&line));
        out.push_str(&line);
        out.push('\n');
        if line.starts_with("CREATE ") && line.contains(" TABLE ") && line.ends_with(" (") {
            table = Some(Vec::new());
        }
    }
    out
}

/// A table's storage parameters, `WITH (b='1', a='2')` on a line of their
/// own, in name order: PostgreSQL keeps them in the order they were set, and
/// `ALTER TABLE ... SET` appends, so a downgrade that sets one back moves it
/// to the end without changing what the table is.
fn sorted_options(line: &str) -> String {
    let Some(inner) = line
        .strip_prefix("WITH (")
        .and_then(|l| l.strip_suffix(");").or_else(|| l.strip_suffix(')')))
    else {
        return line.to_string();
    };
    if inner.contains('(') {
        return line.to_string();
    }
    let mut options: Vec<&str> = inner.split(", ").collect();
    options.sort_unstable();
    let end = if line.ends_with(';') { ");" } else { ")" };
    format!("WITH ({}{end}", options.join(", "))
}

/// `EXTRACT(YEAR FROM x)` as `EXTRACT(year FROM x)` (see the module's
/// documentation).
fn lower_extract_fields(line: &str) -> String {
    const OPEN: &str = "EXTRACT(";
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(OPEN) {
        let after = &rest[at + OPEN.len()..];
        let field = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        out.push_str(&rest[..at + OPEN.len()]);
        if after[field..].starts_with(" FROM ") {
            out.push_str(&after[..field].to_ascii_lowercase());
            rest = &after[field..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Debian's 15.20 (and later 15.x) stores an internal `pg_attver=<n>` in
/// every column's options, and pg_dump shows it as
/// `ALTER TABLE ONLY t ALTER COLUMN c SET (pg_attver=<n>);`: the option is
/// removed, and the line when it was the only one.
fn without_attver(line: &str) -> Option<String> {
    let Some(at) = line.find("pg_attver=") else {
        return Some(line.to_string());
    };
    let end = line[at + "pg_attver=".len()..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(line.len(), |n| at + "pg_attver=".len() + n);
    let (head, tail) = (&line[..at], &line[end..]);
    let joined = if let Some(tail) = tail.strip_prefix(", ") {
        format!("{head}{tail}")
    } else if let Some(head) = head.strip_suffix(", ") {
        format!("{head}{tail}")
    } else {
        format!("{head}{tail}")
    };
    if joined.ends_with(" SET ();") {
        None
    } else {
        Some(joined)
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn privilege_runs_are_sorted() {
        assert_eq!(
            normalise("GRANT b TO x;\nGRANT a TO x;\nCREATE VIEW v;\nREVOKE c;\nGRANT d;\n"),
            "GRANT a TO x;\nGRANT b TO x;\nCREATE VIEW v;\nGRANT d;\nREVOKE c;\n"
        );
    }

    #[test]
    fn extract_fields_are_lowercased() {
        assert_eq!(
            normalise("    EXTRACT(YEAR FROM t.d) AS y, EXTRACT(Month FROM d), EXTRACT(epoch\n"),
            "    EXTRACT(year FROM t.d) AS y, EXTRACT(month FROM d), EXTRACT(epoch\n"
        );
    }

    #[test]
    fn column_order_and_noise_are_normalised_away() {
        let a = "--\n-- PostgreSQL database dump\n--\n\\restrict abc\nSET x = 1;\n\
                 SELECT pg_catalog.set_config('search_path', '', false);\n\n\
                 CREATE TABLE public.t (\n    a integer,\n    c text,\n    b text\n);\n\\unrestrict abc\n";
        let b = "CREATE TABLE public.t (\n    a integer,\n    b text,\n    c text\n);\n";
        assert_eq!(normalise(a), normalise(b));
        assert_eq!(
            normalise(b),
            "CREATE TABLE public.t (\n    a integer,\n    b text,\n    c text\n);\n"
        );
        let attver = "ALTER TABLE ONLY public.t ALTER COLUMN a SET (pg_attver=1193);\n\
                      ALTER TABLE ONLY public.t ALTER COLUMN b SET (n_distinct=5, pg_attver=12);\n";
        assert_eq!(
            normalise(attver),
            "ALTER TABLE ONLY public.t ALTER COLUMN b SET (n_distinct=5);\n"
        );
        assert_eq!(
            normalise(")\nWITH (fillfactor='80', autovacuum_enabled='false');\n"),
            ")\nWITH (autovacuum_enabled='false', fillfactor='80');\n"
        );
        // A different type is still a difference.
        assert_ne!(normalise(a), normalise(&b.replace("b text", "b varchar")));
    }
}
