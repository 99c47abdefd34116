//! Runs the fuzz corpus (`fuzz/corpus/`) through the same checks as the fuzz
//! targets, as an ordinary test on the stable toolchain: no input may panic
//! the revision parser or the splitter. See docs/fuzzing.md for fuzzing
//! longer and adding what a fuzzer finds.

use std::path::Path;

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).expect("read")))
        .collect()
}

/// Runs `check` on every file, reporting every input that panics.
fn run(target: &str, min: usize, check: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    let files = corpus(target);
    assert!(
        files.len() >= min,
        "{target}: only {} corpus files",
        files.len()
    );
    let failures: Vec<String> = files
        .iter()
        .filter(|(_, data)| std::panic::catch_unwind(|| check(data)).is_err())
        .map(|(name, _)| name.clone())
        .collect();
    assert!(failures.is_empty(), "inputs that panic: {failures:#?}");
}

#[test]
fn parse_revision_corpus() {
    run("parse_revision", 20, |data| {
        if let Ok(text) = std::str::from_utf8(data) {
            retort::script::fuzz_check_revision(text);
        }
    });
}

#[test]
fn split_statements_corpus() {
    run("split_statements", 20, |data| {
        if let Some((first, rest)) = data.split_first() {
            if let Ok(text) = std::str::from_utf8(rest) {
                retort::script::fuzz_check_split(*first, text);
            }
        }
    });
}
