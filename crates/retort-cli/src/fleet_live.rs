//! The live display of a fleet on a terminal: a line per running target
//! and a bar for the whole fleet, on standard error (indicatif), cleared
//! at the end. Drawn only where [`crate::progress::enabled`] allows (a
//! terminal, text output, no `-q`); elsewhere nothing changes: one line per
//! target as it finishes, then the summary.
//!
//! Targets are started in their order, `parallel` at a time (canaries
//! first, which are the first K), so after `n` have finished the running
//! ones are the next unfinished ones among the first `n + parallel`.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::Cli;

/// The fleet's target labels in order, set when the targets are read.
static LABELS: OnceLock<Vec<String>> = OnceLock::new();

/// Records the targets' labels (their masked URLs and schemas), in order.
pub fn set_labels(labels: Vec<String>) {
    let _ = LABELS.set(labels);
}

/// The display; inert when not on a terminal.
pub struct Live {
    inner: Option<Inner>,
}

struct Inner {
    multi: MultiProgress,
    whole: ProgressBar,
    lines: Vec<ProgressBar>,
    labels: Vec<String>,
    /// Which targets (by label index) finished, and how many.
    state: Mutex<(Vec<bool>, usize)>,
}

impl Live {
    /// Starts the display for `total` targets, `parallel` at a time.
    pub fn start(cli: &Cli, command: &str, total: usize, parallel: usize) -> Self {
        if !crate::progress::enabled(cli) {
            return Self { inner: None };
        }
        let labels = LABELS.get().cloned().unwrap_or_default();
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let lines = (0..parallel.clamp(1, total.max(1)))
            .map(|_| {
                let line = multi.add(ProgressBar::new_spinner());
                line.set_style(style("  {spinner} {wide_msg}"));
                line.enable_steady_tick(Duration::from_millis(120));
                line
            })
            .collect();
        let whole = multi.add(ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX)));
        whole.set_style(style(&format!(
            "{command} [{{bar:30}}] {{pos}}/{{len}} targets, {{elapsed}}"
        )));
        let live = Inner {
            multi,
            whole,
            lines,
            state: Mutex::new((vec![false; labels.len()], 0)),
            labels,
        };
        live.redraw();
        Self { inner: Some(live) }
    }

    /// A target finished (`label`): the bar moves, the running lines
    /// change, and `print` (its line) is printed above the display.
    pub fn finished(&self, label: &str, print: impl FnOnce()) {
        let Some(live) = &self.inner else {
            print();
            return;
        };
        live.multi.suspend(print);
        if let Ok(mut state) = live.state.lock() {
            let (done, count) = &mut *state;
            if let Some(i) = (0..live.labels.len()).find(|&i| !done[i] && live.labels[i] == label) {
                done[i] = true;
            }
            *count += 1;
        }
        live.whole.inc(1);
        live.redraw();
    }
}

impl Inner {
    /// Shows the running targets: the unfinished ones among the first
    /// `finished + parallel`.
    fn redraw(&self) {
        let Ok(state) = self.state.lock() else { return };
        let (done, count) = &*state;
        let window = (count + self.lines.len()).min(self.labels.len());
        let mut running = (0..window).filter(|&i| !done[i]);
        for line in &self.lines {
            match running.next() {
                Some(i) => line.set_message(format!("running {}", self.labels[i])),
                None => line.set_message(String::new()),
            }
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(live) = self.inner.take() {
            for line in &live.lines {
                line.finish_and_clear();
            }
            live.whole.finish_and_clear();
            let _ = live.multi.clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}
