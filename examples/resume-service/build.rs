// Rebuild when a revision file is added or removed (docs/embedding.md).
fn main() {
    println!("cargo:rerun-if-changed=../resumator/migrations");
}
