//! Fuzzes the revision-file parser and, through it, the splitter of every
//! dialect. Any panic is a bug; the invariants are those of
//! `crates/retort-core/tests/fuzz_corpus.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        retort::script::fuzz_check_revision(text);
    }
});
