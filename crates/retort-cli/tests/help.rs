//! `--help` of `retort` and of every subcommand, pinned by snapshots in
//! tests/snapshots/ (`cargo insta review` after a deliberate change). The
//! list of subcommands comes from the clap definition itself, hidden ones
//! included, so a new command cannot be left unpinned: its snapshot is
//! missing and the test fails.
//!
//! The text is the same on every machine: clap is built without
//! `wrap_help`, so the terminal's width never matters (COLUMNS is set
//! anyway), and output into a pipe has no colour.

mod common;

#[allow(dead_code)]
#[path = "../src/cli.rs"]
mod cli;

use clap::CommandFactory;

use common::retort_command;

fn help(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = retort_command(dir.path(), args)
        .env("COLUMNS", "80")
        .env("NO_COLOR", "1")
        .output()
        .expect("spawn retort");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "{args:?}");
    String::from_utf8(out.stdout).expect("UTF-8 help")
}

#[test]
fn help_of_retort_and_of_every_subcommand_is_pinned() {
    insta::assert_snapshot!("retort", help(&["--help"]));
    let command = cli::Cli::command();
    let mut names = Vec::new();
    for sub in command.get_subcommands() {
        let name = sub.get_name();
        names.push(name.to_string());
        insta::assert_snapshot!(format!("retort-{name}"), help(&[name, "--help"]));
    }
    // The definition the test read is the binary's: both list the same
    // commands (the hidden `man` aside).
    let listed = help(&["--help"]);
    for name in &names {
        let hidden = command
            .find_subcommand(name)
            .is_some_and(|s| s.is_hide_set());
        assert_eq!(
            listed.contains(&format!("\n  {name} ")),
            !hidden,
            "{name} in `retort --help`:\n{listed}"
        );
    }
    assert!(names.len() >= 20, "{names:?}");
}

#[test]
fn short_help_works_for_every_subcommand() {
    for sub in cli::Cli::command().get_subcommands() {
        let text = help(&[sub.get_name(), "-h"]);
        assert!(text.contains("Usage: retort "), "{text}");
    }
}
