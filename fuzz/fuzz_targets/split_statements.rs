//! Fuzzes the statement splitter directly; the first byte picks the dialect.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((first, rest)) = data.split_first() {
        if let Ok(text) = std::str::from_utf8(rest) {
            retort::script::fuzz_check_split(*first, text);
        }
    }
});
