//! `embed_migrations!` seen from a crate that uses it: small crates built
//! with cargo (in this test's target folder, kept between runs) show the
//! compile errors the macro gives, and that adding, removing or editing a
//! revision file is picked up by the next `cargo build`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A crate named `name` that embeds its `migrations` folder and prints each
/// revision's id and checksum; `main` replaces its `src/main.rs` when given.
fn probe(name: &str, main: Option<&str>) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let versions = dir.join("migrations/versions");
    let _ = std::fs::remove_dir_all(&versions);
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let crates = crates.canonicalize().unwrap();
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nretort-core = {{ path = {:?}, default-features = false }}\nretort-macros = {{ path = {:?} }}\n\n\
         [workspace]\n",
        crates.join("retort-core").display().to_string(),
        crates.join("retort-macros").display().to_string(),
    );
    write_if_changed(&dir.join("Cargo.toml"), &manifest);
    // The workspace's versions of every dependency: nothing new to fetch.
    let lock = std::fs::read_to_string(crates.join("../Cargo.lock")).unwrap();
    if !dir.join("Cargo.lock").exists() {
        std::fs::write(dir.join("Cargo.lock"), lock).unwrap();
    }
    write_if_changed(
        &dir.join("build.rs"),
        "fn main() {\n    println!(\"cargo:rerun-if-changed=migrations\");\n}\n",
    );
    let default_main = "static MIGRATIONS: retort::embed::EmbeddedProject =\n    retort_macros::embed_migrations!(\"migrations\");\n\n\
        fn main() {\n    let project = MIGRATIONS.project().expect(\"project\");\n    for s in project.scripts() {\n        println!(\"{} {}\", s.id, s.checksum);\n    }\n}\n";
    write_if_changed(&dir.join("src/main.rs"), main.unwrap_or(default_main));
    dir
}

/// Writes `text` unless the file already holds it (an unchanged file keeps
/// its time, so cargo does not rebuild for it).
fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap();
    }
}

fn cargo_build(dir: &Path) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args(["build", "--quiet"])
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("probe-target"),
        )
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

/// Builds the probe and runs it: its lines (`id checksum`).
fn build_and_run(dir: &Path) -> Vec<String> {
    let out = cargo_build(dir);
    assert!(
        out.status.success(),
        "cargo build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let name = dir.file_name().unwrap();
    let exe = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("probe-target/debug")
        .join(name);
    let run = Command::new(exe).output().expect("the probe runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Builds the probe, which must fail; its error output.
fn compile_error(dir: &Path) -> String {
    let out = cargo_build(dir);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "the build succeeded:\n{stderr}");
    stderr
}

fn revision(dir: &Path, file: &str, id: &str, parents: &str, sql: &str) {
    std::fs::write(
        dir.join("migrations/versions").join(file),
        format!("-- Revision {id}\n--\n-- Revision ID: {id}\n-- Revises: {parents}\n\n-- +upgrade\n{sql}\n\n-- +downgrade\n"),
    )
    .unwrap();
}

fn ids(lines: &[String]) -> Vec<&str> {
    lines.iter().filter_map(|l| l.split(' ').next()).collect()
}

#[test]
fn adding_removing_and_editing_a_revision_file_rebuilds_the_crate() {
    let dir = probe("probe_rebuild", None);
    revision(&dir, "a.sql", "a", "", "CREATE TABLE a (id integer);");
    let first = build_and_run(&dir);
    assert_eq!(ids(&first), ["a"]);

    revision(&dir, "b.sql", "b", "a", "CREATE TABLE b (id integer);");
    assert_eq!(ids(&build_and_run(&dir)), ["a", "b"], "an added file");

    std::fs::remove_file(dir.join("migrations/versions/b.sql")).unwrap();
    assert_eq!(ids(&build_and_run(&dir)), ["a"], "a removed file");

    revision(
        &dir,
        "a.sql",
        "a",
        "",
        "CREATE TABLE a (id integer, x integer);",
    );
    let edited = build_and_run(&dir);
    assert_eq!(ids(&edited), ["a"]);
    assert_ne!(edited, first, "an edited file has a new checksum");
}

#[test]
fn what_the_cli_refuses_is_a_compile_error_naming_the_file() {
    let dir = probe("probe_errors", None);
    let case = |files: &[(&str, &str, &str)], expected: &[&str]| {
        let versions = dir.join("migrations/versions");
        for entry in std::fs::read_dir(&versions).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        for (file, id, parents) in files {
            revision(&dir, file, id, parents, "SELECT 1;");
        }
        let stderr = compile_error(&dir);
        for part in expected {
            assert!(stderr.contains(part), "expected {part:?} in:\n{stderr}");
        }
        stderr
    };
    case(
        &[("a.sql", "a", ""), ("b.sql", "b", "nope")],
        &["revision nope referenced from b", "b.sql", "is not present"],
    );
    case(
        &[("a.sql", "a", ""), ("b.sql", "a", "")],
        &["revision a is present more than once", "a.sql", "b.sql"],
    );
    case(
        &[("a.sql", "a", "b"), ("b.sql", "b", "a")],
        &["cycle detected", "a.sql"],
    );
    case(
        &[("a.sql", "a", ""), ("b.sql", "b", "a"), ("c.sql", "c", "a")],
        &["is one of 2 heads", "retort merge"],
    );
    // A file that does not parse.
    std::fs::write(
        dir.join("migrations/versions/broken.sql"),
        "-- no header at all\nSELECT 1;\n",
    )
    .unwrap();
    let stderr = compile_error(&dir);
    assert!(stderr.contains("broken.sql"), "{stderr}");
    assert!(
        stderr.contains("SQL before the '-- +upgrade' marker"),
        "{stderr}"
    );
}

#[test]
fn a_bad_argument_or_a_missing_folder_is_a_compile_error() {
    let dir = probe(
        "probe_arguments",
        Some("static A: retort::embed::EmbeddedProject = retort_macros::embed_migrations!(42);\nfn main() {}\n"),
    );
    let stderr = compile_error(&dir);
    assert!(stderr.contains("takes one string literal"), "{stderr}");
    let dir = probe(
        "probe_arguments",
        Some("static A: retort::embed::EmbeddedProject = retort_macros::embed_migrations!(\"nowhere\");\nfn main() {}\n"),
    );
    let stderr = compile_error(&dir);
    assert!(stderr.contains("nowhere is not a folder"), "{stderr}");
}
