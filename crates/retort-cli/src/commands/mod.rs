//! One module per group of commands; `dispatch` routes the parsed command line.

mod authoring;
mod autogen;
mod fleet;
mod fleet_commands;
mod graph;
mod inspect;
mod lint;
mod migrate;
mod schema_inspect;
mod shell;
mod sides;
mod unlock;
mod verify;

use std::process::ExitCode;

use retort::Result;

use crate::cli::{Cli, Command};

/// Runs the command and returns the process exit code.
pub fn dispatch(cli: &Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Check(args) => return autogen::check(cli, args),
        Command::Verify(args) => return verify::verify(cli, args),
        Command::Squash(args) => authoring::squash(cli, args),
        Command::Lint(args) => return lint::lint(cli, args),
        Command::Diff(args) => return autogen::diff(cli, args),
        Command::Inspect(args) => schema_inspect::inspect(cli, args),
        Command::Init(args) => authoring::init(cli, args),
        Command::Revision(args) => authoring::revision(cli, args),
        Command::Merge(args) => authoring::merge(cli, args),
        Command::Upgrade(args) => migrate::upgrade(cli, args),
        Command::Downgrade(args) => migrate::downgrade(cli, args),
        Command::Stamp(args) => migrate::stamp(cli, args),
        Command::Import(args) => migrate::import(cli, args),
        Command::Adopt(args) => migrate::adopt(cli, args),
        Command::Current(args) => inspect::current(cli, args),
        Command::History(args) => inspect::history(cli, args),
        Command::Heads(args) => inspect::heads(cli, args),
        Command::Branches(_) => inspect::branches(cli),
        Command::Graph(_) => graph::graph(cli),
        Command::Show(args) => inspect::show(cli, args),
        Command::Resolve(args) => migrate::resolve(cli, args),
        Command::Unlock(args) => unlock::unlock(cli, args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(cli, args),
    }?;
    Ok(ExitCode::SUCCESS)
}
