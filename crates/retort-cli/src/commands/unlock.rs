//! `retort unlock [--force]`: who holds the migration lock, and (where the
//! lock is a lease: CockroachDB, YugabyteDB) freeing a dead holder's lease
//! before it expires.

use retort::dialect::LockKind;
use retort::Result;

use crate::cli::{Cli, Format, UnlockArgs};
use crate::context::load_and_connect;
use crate::output::print_json;
use crate::term::{errln, outln};

/// Shows the lease's holder; with `--force`, deletes the lease.
pub fn unlock(cli: &Cli, args: &UnlockArgs) -> Result<()> {
    let mut migrator = load_and_connect(cli)?;
    let engine = migrator.engine();
    let lock = migrator.connection().capabilities().lock;
    if lock != LockKind::Lease {
        return report(cli, engine.name(), lock_name(lock), None, false, || {
            errln!(
                "Nothing to unlock: on {engine} the migration lock is a {} held by the runner's session, and it ends with that session (a dead runner's lock is already gone).",
                lock_name(lock)
            );
        });
    }
    let holder = if args.force {
        migrator.break_lease()?
    } else {
        migrator.lease_holder()?
    };
    let text = || match (&holder, args.force) {
        (None, _) => errln!("Nothing to unlock: no runner holds the lease (engine {engine})."),
        (Some(h), true) => {
            outln!("Deleted the {h}.");
            errln!("If that runner is still alive, it stops before its next statement when its heartbeat finds the lease gone.");
        }
        (Some(h), false) => {
            outln!("The migration lock is a {h}.");
            errln!("If that runner is dead, its lease is taken over once it expires; `retort unlock --force` frees it now.");
        }
    };
    report(
        cli,
        engine.name(),
        "lease",
        holder.as_deref(),
        args.force,
        text,
    )
}

/// Prints the outcome as JSON, or runs `text`.
fn report(
    cli: &Cli,
    engine: &str,
    lock: &str,
    holder: Option<&str>,
    removed: bool,
    text: impl FnOnce(),
) -> Result<()> {
    match cli.format {
        Format::Json => print_json(&serde_json::json!({
            "command": "unlock",
            "engine": engine,
            "lock": lock,
            "holder": holder,
            "removed": removed && holder.is_some(),
        })),
        Format::Text => {
            if !cli.quiet {
                text();
            }
        }
    }
    Ok(())
}

/// How the lock kinds are named to users.
fn lock_name(lock: LockKind) -> &'static str {
    match lock {
        LockKind::Session => "session advisory lock",
        LockKind::WriteTransaction => "write lock taken by each transaction",
        LockKind::Named => "named lock (GET_LOCK)",
        LockKind::Lease => "lease",
    }
}
