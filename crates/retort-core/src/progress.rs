//! Progress of long work, reported to a caller that wants to show it.
//!
//! The library never prints. A caller that wants a progress line (the CLI
//! draws one on a terminal) installs a [`ProgressFn`] with
//! [`Migrator::set_progress`](crate::Migrator::set_progress) or passes one to
//! [`verify_with_progress`](crate::verify::verify_with_progress), and is
//! called at step boundaries with a [`ProgressEvent`]:
//!
//! ```no_run
//! # fn main() -> retort::Result<()> {
//! use retort::progress::ProgressEvent;
//!
//! let project = retort::Project::discover(std::path::Path::new("."))?;
//! let mut migrator = retort::Migrator::connect(project, "sqlite:///app.db")?;
//! migrator.set_progress(Box::new(|event: &ProgressEvent<'_>| {
//!     if let ProgressEvent::StepStarted(step) = event {
//!         eprintln!("[{}/{}] {}", step.index, step.total, step.revision);
//!     }
//! }));
//! migrator.upgrade("head", &mut |_| {})?;
//! # Ok(())
//! # }
//! ```
//!
//! Events are cheap to ignore: a callback that does nothing costs a function
//! call per step.

use std::time::Duration;

use crate::plan::{Direction, Step};
use crate::project::Project;
use crate::runner::Progress;

/// A callback that receives [`ProgressEvent`]s.
pub type ProgressFn = dyn FnMut(&ProgressEvent<'_>);

/// One step of a run of several (a revision applied or reverted, a revision
/// of `verify`'s stairway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepProgress<'a> {
    /// The step's position, from 1 to `total`.
    pub index: usize,
    /// How many steps the run has (it can grow when another runner moves
    /// the database and the run is planned again).
    pub total: usize,
    /// The revision's full id.
    pub revision: &'a str,
    /// The revision's message (its first line).
    pub message: &'a str,
    /// Which section runs.
    pub direction: Direction,
}

/// What long work reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProgressEvent<'a> {
    /// A stage of the work begins (for `verify`: `heads`, `checksums`,
    /// `downgrades`, `stairway`, `schema`).
    Stage {
        /// The stage's name.
        name: &'a str,
    },
    /// A step is about to run.
    StepStarted(StepProgress<'a>),
    /// A step finished (for a migration: its version-table change is
    /// committed).
    StepFinished {
        /// The step.
        step: StepProgress<'a>,
        /// How long it took.
        elapsed: Duration,
    },
}

/// Wraps the runner's callback so that, besides forwarding every runner
/// event to `inner`, it reports numbered steps to `hook`: `done` steps of
/// `total` ran before this plan.
pub(crate) fn numbered<'f>(
    project: &'f Project,
    hook: Option<&'f mut ProgressFn>,
    done: usize,
    total: usize,
    inner: &'f mut dyn FnMut(Progress<'_>),
) -> impl FnMut(Progress<'_>) + 'f {
    let mut hook = hook;
    let mut index = done;
    move |event: Progress<'_>| {
        if let Some(hook) = hook.as_deref_mut() {
            let numbered = |step, index| step_progress(project, step, index, total);
            match &event {
                Progress::Started { step, .. } | Progress::Resuming { step, .. } => {
                    index += 1;
                    hook(&ProgressEvent::StepStarted(numbered(step, index)));
                }
                Progress::Finished { step, elapsed } => hook(&ProgressEvent::StepFinished {
                    step: numbered(step, index),
                    elapsed: *elapsed,
                }),
                Progress::Waiting { .. } => {}
            }
        }
        inner(event);
    }
}

fn step_progress<'s>(
    project: &'s Project,
    step: &'s Step,
    index: usize,
    total: usize,
) -> StepProgress<'s> {
    StepProgress {
        index,
        total,
        revision: &step.revision,
        message: project
            .script(&step.revision)
            .map_or("", |s| s.message.as_str()),
        direction: step.direction,
    }
}
