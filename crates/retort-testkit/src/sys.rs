//! Small pieces every server harness and tool cache here needs: who runs
//! the tests, a free port, and an exclusive lock on a file shared by the
//! run's test processes.

use std::fs::{File, OpenOptions};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

/// Whether the tests run as root (servers then run as their system user).
pub(crate) fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
pub(crate) fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// `path` opened (created if missing) and locked exclusively, waiting for
/// other processes that hold it; unlocked when the file is dropped.
pub(crate) fn locked(path: &Path) -> Result<File, String> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| format!("cannot open lock file {}: {e}", path.display()))?;
    file.lock()
        .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
    Ok(file)
}
