//! Real Alembic, from PyPI, for tests that start from a database Alembic
//! migrated. Installed once into a virtualenv under the workspace's
//! `target/test-tools/` (or taken from `RETORT_TEST_ALEMBIC`), shared by
//! every test process through a file lock.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The versions installed: the ones the takeover guide was checked with.
const PACKAGES: &[&str] = &[
    "alembic==1.20.1",
    "SQLAlchemy==2.1.9",
    "psycopg2-binary==2.9.13",
    "PyMySQL==1.2.4",
];

/// The `alembic` executable. Panics with what to do when it cannot be
/// installed: a test that needs Alembic fails, it never skips.
pub fn alembic() -> PathBuf {
    if let Ok(path) = std::env::var("RETORT_TEST_ALEMBIC") {
        return PathBuf::from(path);
    }
    match install() {
        Ok(path) => path,
        Err(e) => panic!(
            "cannot install Alembic for the takeover tests: {e}\n\
             They need python3 with venv (Debian: python3-venv) and access to PyPI; \
             scripts/test.sh installs the Debian packages. Or point RETORT_TEST_ALEMBIC at an alembic executable."
        ),
    }
}

fn install() -> Result<PathBuf, String> {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-tools");
    std::fs::create_dir_all(&tools).map_err(|e| format!("creating {}: {e}", tools.display()))?;
    let venv = tools.join("alembic-venv");
    let exe = venv.join("bin").join("alembic");
    let done = venv.join(".retort-complete");
    let lock_path = tools.join("alembic.lock");
    let _lock = crate::sys::locked(&lock_path)?;
    // A venv made with another package list is made again.
    let installed = std::fs::read_to_string(&done).unwrap_or_default();
    if installed == PACKAGES.join("\n") && exe.exists() {
        return Ok(exe);
    }
    let _ = std::fs::remove_dir_all(&venv);
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip"))
        .args(["install", "-q", "--disable-pip-version-check"])
        .args(PACKAGES))?;
    std::fs::write(&done, PACKAGES.join("\n"))
        .map_err(|e| format!("writing {}: {e}", done.display()))?;
    Ok(exe)
}

pub(crate) fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
