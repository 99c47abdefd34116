//! The progress line on standard error (indicatif), for long work: the
//! steps of an upgrade or downgrade, `verify`'s stairway, the reading of
//! schemas for a diff.
//!
//! It is drawn only when standard error is a terminal that can redraw a
//! line (not `TERM=dumb`), the format is text and `-q` is not given: never
//! in a pipe, a file or JSON. It is cleared when the work ends, so what
//! stays on the screen is exactly what a pipe would have received. While it
//! shows, every message on standard error ([`errln!`](crate::term::errln))
//! is printed above it.

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use retort::plan::Direction;
use retort::progress::{ProgressEvent, ProgressFn};

use crate::cli::{Cli, Format};
use crate::term::{self, style, Stream};

/// The line showing now, for [`suspend`].
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Runs `f` (which writes to standard error) with the progress line, if
/// one shows, taken off the screen and drawn again after.
pub fn suspend<R>(f: impl FnOnce() -> R) -> R {
    let bar = ACTIVE.lock().ok().and_then(|active| active.clone());
    match bar {
        Some(bar) => bar.suspend(f),
        None => f(),
    }
}

/// Erases the progress line, if one shows, for good (Ctrl-C).
pub fn clear() {
    let bar = ACTIVE.lock().ok().and_then(|mut active| active.take());
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

/// Whether this run may draw a progress line. Redrawing a line takes
/// terminal control codes, so `NO_COLOR` (a request for output without
/// escape codes) turns it off too, like `-q`, JSON and a pipe.
pub fn enabled(cli: &Cli) -> bool {
    !cli.quiet
        && cli.format == Format::Text
        && term::stderr_is_live_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// What the numbered steps are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Revisions applied or reverted: `applying ID message`.
    Migration,
    /// `verify`'s stairway: `stairway ID message`.
    Stairway,
}

/// A progress line, cleared when dropped. Without a terminal it is inert.
pub struct Line {
    bar: Option<ProgressBar>,
}

impl Line {
    /// A line of numbered steps (`[12/200] applying 3f2a9c1b7d10 add users`),
    /// drawn from the first event on (nothing shows when there is nothing
    /// to do).
    pub fn steps(cli: &Cli) -> Self {
        if !enabled(cli) {
            return Self { bar: None };
        }
        let template = if term::colored(Stream::Err) {
            "{wide_msg} {elapsed:.dim}"
        } else {
            "{wide_msg} {elapsed}"
        };
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
            .with_style(style_or_default(template));
        Self::show(bar)
    }

    /// A spinner with `message` (`reading migrations@head and schema.sql`),
    /// ticking until dropped.
    pub fn spinner(cli: &Cli, message: &str) -> Self {
        if !enabled(cli) {
            return Self { bar: None };
        }
        let template = if term::colored(Stream::Err) {
            "{spinner:.cyan} {wide_msg} {elapsed:.dim}"
        } else {
            "{spinner} {wide_msg} {elapsed}"
        };
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_style(style_or_default(template))
            .with_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        // Drawn now, not at the first tick: a quick read still shows what
        // it was doing.
        bar.tick();
        Self::show(bar)
    }

    fn show(bar: ProgressBar) -> Self {
        if let Ok(mut active) = ACTIVE.lock() {
            *active = Some(bar.clone());
        }
        Self { bar: Some(bar) }
    }

    /// A callback for the library's progress hook that moves this line.
    pub fn hook(&self, work: Work) -> Box<ProgressFn> {
        let bar = self.bar.clone();
        Box::new(move |event: &ProgressEvent<'_>| {
            if let Some(bar) = &bar {
                show_event(bar, work, event);
            }
        })
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            if let Ok(mut active) = ACTIVE.lock() {
                *active = None;
            }
            bar.finish_and_clear();
        }
    }
}

fn style_or_default(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn show_event(bar: &ProgressBar, work: Work, event: &ProgressEvent<'_>) {
    if bar.is_hidden() {
        bar.set_draw_target(ProgressDrawTarget::stderr());
    }
    match event {
        ProgressEvent::StepStarted(step) => {
            let verb = match (work, step.direction) {
                (Work::Stairway, _) => "stairway",
                (Work::Migration, Direction::Upgrade) => "applying",
                (Work::Migration, Direction::Downgrade) => "reverting",
            };
            let count = format!("[{}/{}]", step.index, step.total);
            // One update, so one redraw, per step.
            bar.set_message(format!(
                "{} {verb} {} {}",
                term::paint(Stream::Err, style::EMPHASIS, &count),
                term::paint(Stream::Err, style::ID, step.revision),
                step.message
            ));
        }
        ProgressEvent::Stage { name } => bar.set_message(format!("verify: {name}")),
        _ => {}
    }
}
