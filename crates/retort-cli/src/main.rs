//! `retort`: the command-line front end of the retort library.

mod cli;
mod commands;
mod context;
mod fleet_live;
mod output;
mod progress;
mod term;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cli::{Cli, Format};

fn main() -> ExitCode {
    install_panic_report();
    install_interrupt_cleanup();
    let cli = Cli::parse_checked();
    term::init(cli.color);
    let result = commands::dispatch(&cli);
    term::flush();
    if INTERRUPTED.load(Ordering::SeqCst) {
        // The handler is dropping scratch databases (which may be what made
        // the command fail): let it finish and exit with 130.
        loop {
            std::thread::park();
        }
    }
    match result {
        Ok(_) if term::stdout_failed() => ExitCode::from(1),
        Ok(code) => code,
        Err(e) => {
            if cli.format == Format::Json {
                let doc = serde_json::json!({ "error": { "message": e.to_string(), "exit_code": e.exit_code() } });
                term::outln!("{doc}");
                term::flush();
            }
            term::errln!("{} {e}", term::error_prefix());
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}

/// Set by the Ctrl-C handler before it starts cleaning up.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Ctrl-C: drop the scratch databases autogenerate may have open, then stop.
/// A migration interrupted this way is rolled back by the database exactly
/// as if the process had been killed (each revision is one transaction).
fn install_interrupt_cleanup() {
    // If a handler cannot be installed, Ctrl-C keeps its default meaning.
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        retort::dialect::drop_scratch_databases();
        progress::clear();
        term::eprint(format_args!("interrupted\n"));
        std::process::exit(130);
    });
}

/// A bug must still read as a message, not a backtrace: say what happened
/// and ask for a report.
fn install_panic_report() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        term::eprint(format_args!(
            "{} retort hit an internal error{location}: {payload}\n\
             This is a bug in retort, not in your project. Please report it with the command you ran.\n\
             Your database was left as the last completed revision left it.\n",
            term::error_prefix()
        ));
    }));
}
