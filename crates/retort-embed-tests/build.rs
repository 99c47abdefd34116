// What docs/embedding.md asks of a crate that embeds migrations: rebuild
// when a revision file is added or removed (editing one is tracked by the
// macro's include_str!).
fn main() {
    println!("cargo:rerun-if-changed=../../examples/resumator/migrations");
    println!("cargo:rerun-if-changed=tests/crlf");
    println!("cargo:rerun-if-changed=tests/portable");
}
