//! Golden tests for the statement splitter, one file per tricky case (the
//! layout Atlas uses for its lexer): `tests/splitter/<dialect>/<case>.sql`
//! and, beside it, `<case>.sql.golden` with the expected statements.
//!
//! Run with `UPDATE_GOLDEN=1` to rewrite the golden files after a deliberate
//! change, then review the diff.

use std::path::Path;

use retort::dialect::DialectKind;
use retort::script::split;

fn render(sql: &str, dialect: DialectKind) -> String {
    match split(sql, 1, dialect) {
        Ok(statements) => statements
            .iter()
            .map(|s| {
                format!(
                    "-- line {}\n{}\n-- end\n",
                    s.line,
                    s.sql.replace('\r', "\\r")
                )
            })
            .collect(),
        Err(e) => format!("-- error at line {}: {}\n", e.line, e.message),
    }
}

#[test]
fn splitter_golden_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/splitter");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (dir, dialect) in [
        ("sqlite", DialectKind::Sqlite),
        ("postgres", DialectKind::Postgres),
        ("mysql", DialectKind::Mysql),
    ] {
        let mut cases: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("case folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .collect();
        cases.sort();
        for case in cases {
            let sql = std::fs::read_to_string(&case).expect("case");
            let actual = render(&sql, dialect);
            let golden = case.with_extension("sql.golden");
            if update {
                std::fs::write(&golden, &actual).expect("write golden");
            }
            let expected = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
                panic!(
                    "{} has no golden file; run with UPDATE_GOLDEN=1",
                    case.display()
                )
            });
            if expected != actual {
                failures.push(format!(
                    "{}\n--- expected\n{expected}--- actual\n{actual}",
                    case.display()
                ));
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} cases found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
