//! `completions` and `man`: generated from the clap definitions, so they
//! never disagree with `--help`. Neither reads a project.

use std::path::Path;

use clap::CommandFactory;
use retort::{Error, Result};

use crate::cli::{Cli, CompletionsArgs, Format, ManArgs};
use crate::output::print_json;
use crate::term::{outln, Stdout};

/// `retort completions SHELL`: the script on standard output.
pub fn completions(args: &CompletionsArgs) -> Result<()> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "retort", &mut Stdout);
    Ok(())
}

/// `retort man`: retort(1) on standard output, or with `--dir` every page
/// written into that folder.
pub fn man(cli: &Cli, args: &ManArgs) -> Result<()> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let Some(dir) = &args.dir else {
        return render(&command, &mut Stdout)
            .map_err(|e| Error::Usage(format!("cannot write the manual page: {e}")));
    };
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let mut pages = Vec::new();
    for page in
        std::iter::once(&command).chain(command.get_subcommands().filter(|s| !s.is_hide_set()))
    {
        pages.push(write_page(page, dir)?);
    }
    match cli.format {
        Format::Json => print_json(&serde_json::json!({ "created": pages })),
        Format::Text => {
            if !cli.quiet {
                for path in &pages {
                    outln!("Creating {} ...  done", path.display());
                }
            }
        }
    }
    Ok(())
}

fn render(command: &clap::Command, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    clap_mangen::Man::new(command.clone()).render(out)
}

fn write_page(command: &clap::Command, dir: &Path) -> Result<std::path::PathBuf> {
    let man = clap_mangen::Man::new(command.clone());
    let path = dir.join(man.get_filename());
    let mut text = Vec::new();
    man.render(&mut text).map_err(|e| io_error(&path, e))?;
    std::fs::write(&path, text).map_err(|e| io_error(&path, e))?;
    Ok(path)
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}
