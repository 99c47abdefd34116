//! Invariant checks shared by the fuzz targets (`fuzz/`) and the corpus test
//! (`tests/fuzz_corpus.rs`): they panic when an invariant breaks, which is
//! what a fuzzer looks for. Not part of the supported API.

use std::path::Path;

use crate::dialect::DialectKind;

use super::{split, Script, Statement};

const DIALECTS: [DialectKind; 3] = DialectKind::ALL;

/// Parses `text` as a revision file and splits its sections in every
/// dialect. Invariants: no panic; a parsed file has a 64-character lowercase
/// hex checksum; every statement satisfies [`check_statements`].
#[doc(hidden)]
pub fn fuzz_check_revision(text: &str) {
    let Ok(script) = Script::parse(Path::new("fuzz.sql"), text) else {
        return;
    };
    assert_eq!(script.checksum.len(), 64, "checksum length");
    assert!(
        script
            .checksum
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "checksum is lowercase hex"
    );
    let upgrade = script.upgrade().ok();
    let downgrade = script.downgrade().ok().flatten();
    for section in [upgrade, downgrade].into_iter().flatten() {
        for dialect in DIALECTS {
            if let Ok(statements) = section.statements(dialect) {
                check_statements(&section.sql, section.first_line, &statements);
            }
        }
    }
}

/// Splits `text` in the dialect chosen by `selector` (modulo 3).
#[doc(hidden)]
pub fn fuzz_check_split(selector: u8, text: &str) {
    let dialect = DIALECTS[usize::from(selector) % DIALECTS.len()];
    if let Ok(statements) = split(text, 1, dialect) {
        check_statements(text, 1, &statements);
    }
}

/// Every statement is non-empty and trimmed, starts on a line of the input,
/// and statements come in input order.
fn check_statements(sql: &str, first_line: usize, statements: &[Statement]) {
    let last_line = first_line + sql.matches('\n').count();
    let mut previous = first_line;
    for s in statements {
        assert!(!s.sql.is_empty(), "empty statement");
        assert_eq!(s.sql, s.sql.trim(), "statement not trimmed");
        assert!(
            s.line >= first_line && s.line <= last_line,
            "line {} outside {first_line}..={last_line}",
            s.line
        );
        assert!(s.line >= previous, "statements out of order");
        previous = s.line;
    }
}
