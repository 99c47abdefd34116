//! The terminal: whether to colour each stream, the styles, and a standard
//! output that survives a closed pipe.
//!
//! Colour is decided once at start-up by [`init`] from `--color` and
//! anstream's detection (`NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE`, whether the
//! stream is a terminal), with `TERM=dumb` always meaning no colour under
//! `--color auto`. With colour off every string is written exactly as it
//! would be without this module: [`paint`] adds nothing.
//!
//! # A closed pipe
//!
//! `retort history | head -1`: `head` exits after one line and the next
//! write to standard output fails with `EPIPE`. `println!` would panic there.
//! Every write to standard output goes through [`Stdout`] instead, which, on
//! a broken pipe, stops writing and throws the rest away, silently; the
//! command finishes its work and exits with the code it would have had.
//!
//! Restoring `SIGPIPE`'s default at start-up (what C tools do) was rejected:
//! the signal kills the process wherever it is — in the middle of a
//! non-transactional revision, which it would leave half-applied, or with
//! scratch databases of autogenerate still open on a PostgreSQL server, which
//! nothing would drop — and a death by signal is not the exit status 0
//! expected of `retort history | head -1` either. Exiting 0 at once on the
//! first failed write was rejected too: `retort lint | head -1` must still
//! exit 1 when lint found problems.
//!
//! Any other error writing standard output (a full disk) is reported once on
//! standard error, the rest of the output is dropped, and the process exits 1
//! ([`stdout_failed`]).

use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anstream::ColorChoice;
use anstyle::{AnsiColor, Style};

use crate::cli::ColorWhen;

static STDOUT_COLOR: AtomicBool = AtomicBool::new(false);
static STDERR_COLOR: AtomicBool = AtomicBool::new(false);
/// Standard output is gone (broken pipe) or failed: writes are dropped.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// Standard output failed with something other than a broken pipe.
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

/// The streams retort writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output: results.
    Out,
    /// Standard error: messages and progress.
    Err,
}

/// Whether `TERM` says the terminal cannot do more than print characters.
pub fn term_is_dumb() -> bool {
    std::env::var_os("TERM").is_some_and(|t| t == "dumb")
}

/// Decides, once, whether each stream gets colour.
pub fn init(when: ColorWhen) {
    let choice = color_choice(when);
    choice.write_global();
    // anstream reads the global choice and, under `auto`, NO_COLOR,
    // CLICOLOR(_FORCE) and whether the stream is a terminal. It lets a CI
    // variable override TERM=dumb; retort does not.
    let decide = |detected: ColorChoice| match choice {
        ColorChoice::Auto => !term_is_dumb() && detected != ColorChoice::Never,
        other => other != ColorChoice::Never,
    };
    let out = decide(anstream::AutoStream::choice(&io::stdout()));
    let err = decide(anstream::AutoStream::choice(&io::stderr()));
    STDOUT_COLOR.store(out, Ordering::Relaxed);
    STDERR_COLOR.store(err, Ordering::Relaxed);
}

/// `--color` as anstream's choice (also handed to clap for its own help and
/// errors).
pub fn color_choice(when: ColorWhen) -> ColorChoice {
    match when {
        ColorWhen::Auto => ColorChoice::Auto,
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
    }
}

/// Whether `stream` is coloured.
pub fn colored(stream: Stream) -> bool {
    match stream {
        Stream::Out => STDOUT_COLOR.load(Ordering::Relaxed),
        Stream::Err => STDERR_COLOR.load(Ordering::Relaxed),
    }
}

/// Whether standard error is a terminal that can redraw a line (for the
/// progress line).
pub fn stderr_is_live_terminal() -> bool {
    io::stderr().is_terminal() && !term_is_dumb()
}

/// `text` in `style` when `stream` is coloured, else `text` unchanged.
pub fn paint(stream: Stream, style: Style, text: &str) -> String {
    if colored(stream) {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

/// The styles, one per kind of state (each state is also a word).
pub mod style {
    use super::{AnsiColor, Style};

    /// `error:`, `FAILED`.
    pub const ERROR: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
    /// `warning:`.
    pub const WARNING: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
    /// `note:`.
    pub const NOTE: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
    /// `ok`, `(current)`, a change that adds.
    pub const GOOD: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
    /// A change that adds something.
    pub const ADDED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
    /// A change that removes something.
    pub const REMOVED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
    /// A change that alters or renames something; `skipped`.
    pub const CHANGED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
    /// A revision id.
    pub const ID: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
    /// `(head)`.
    pub const HEAD: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
    /// `(branchpoint)`, `(mergepoint)`.
    pub const POINT: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Magenta)));
    /// A file name and line, a lint rule.
    pub const EMPHASIS: Style = Style::new().bold();
}

/// Standard output that drops what it is given once the reader has gone
/// (see the module's documentation). Usable wherever an `io::Write` is
/// wanted (`clap_complete::generate`, `clap_mangen`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Stdout;

impl Stdout {
    fn failed(&self, e: io::Error) -> io::Result<()> {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != io::ErrorKind::BrokenPipe {
            STDOUT_FAILED.store(true, Ordering::Relaxed);
            let _ = writeln!(
                io::stderr(),
                "{} cannot write to standard output: {e}",
                paint(Stream::Err, style::ERROR, "error:")
            );
        }
        Ok(())
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if STDOUT_CLOSED.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        match io::stdout().lock().write_all(buf) {
            Ok(()) => Ok(buf.len()),
            Err(e) => self.failed(e).map(|()| buf.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if STDOUT_CLOSED.load(Ordering::Relaxed) {
            return Ok(());
        }
        match io::stdout().lock().flush() {
            Ok(()) => Ok(()),
            Err(e) => self.failed(e),
        }
    }
}

/// Writes to standard output through [`Stdout`]; never fails, never panics.
pub fn print(args: fmt::Arguments<'_>) {
    let _ = Stdout.write_fmt(args);
}

/// Writes to standard error, ignoring a failure (there is nowhere left to
/// report it, and a migration must not stop because its log went away).
pub fn eprint(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// Flushes standard output (at exit).
pub fn flush() {
    let _ = Stdout.flush();
}

/// Whether writing standard output failed with an error other than a
/// broken pipe (the process then exits 1).
pub fn stdout_failed() -> bool {
    STDOUT_FAILED.load(Ordering::Relaxed)
}

/// `error:` as it starts a message on standard error.
pub fn error_prefix() -> String {
    paint(Stream::Err, style::ERROR, "error:")
}

/// `warning:` as it starts a message on standard error.
pub fn warning_prefix() -> String {
    paint(Stream::Err, style::WARNING, "warning:")
}

/// `note:` as it starts a message on standard error.
pub fn note_prefix() -> String {
    paint(Stream::Err, style::NOTE, "note:")
}

/// `print!` through [`Stdout`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::term::print(format_args!($($arg)*)) };
}

/// `println!` through [`Stdout`].
macro_rules! outln {
    () => { $crate::term::print(format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::term::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` that never panics, drawn above a progress line if one is
/// showing.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::progress::suspend(|| $crate::term::eprint(format_args!("{}\n", format_args!($($arg)*))))
    };
}

pub(crate) use {errln, out, outln};
