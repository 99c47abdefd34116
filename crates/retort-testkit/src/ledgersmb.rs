//! LedgerSMB's database schema, for the real-world round trip. Its licence
//! (GPL-2) keeps it out of this repository: the test takes it from Debian's
//! package instead, downloaded once with `apt-get download` into the
//! workspace's `target/test-tools/ledgersmb/`, checked against a pinned
//! sha256, unpacked with `dpkg-deb -x`, and loaded with `psql` in the order
//! LedgerSMB's own installer (`LedgerSMB::Database::create_and_load`) uses.
//!
//! Nothing here skips: a package that cannot be had is a test failure that
//! says what to install or run.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::alembic::run;

/// The Debian package pinned (bookworm's).
pub const PACKAGE: &str = "ledgersmb=1.6.33+ds-2.1";
/// Its file, as `apt-get download` names it.
const DEB: &str = "ledgersmb_1.6.33+ds-2.1_all.deb";
/// The sha256 of that file (Debian's `Packages` index lists the same).
const SHA256: &str = "3ee14f6a20877d033b9e8a6c90d9d964b1cfd8ac9b3cef959ec247d53d2e2946";

/// LedgerSMB's installed tree (`…/usr/share/ledgersmb`, holding `sql/`),
/// downloaded and unpacked on first use. Panics with what to do when the
/// package cannot be had.
pub fn home() -> PathBuf {
    match fetch() {
        Ok(path) => path,
        Err(e) => panic!(
            "cannot get LedgerSMB's schema from Debian's package {PACKAGE}: {e}\n\
             The real-world test needs apt-get (with current package lists: \
             `apt-get update`), dpkg-deb and sha256sum; scripts/test.sh sets them up."
        ),
    }
}

fn fetch() -> Result<PathBuf, String> {
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-tools/ledgersmb");
    std::fs::create_dir_all(&cache).map_err(|e| format!("creating {}: {e}", cache.display()))?;
    let lock_path = cache.join("fetch.lock");
    let _lock = crate::sys::locked(&lock_path)?;
    let root = cache.join("root");
    let home = root.join("usr/share/ledgersmb");
    let done = cache.join(".retort-complete");
    if done.exists() && home.join("sql/Pg-database.sql").is_file() {
        return Ok(home);
    }
    let deb = cache.join(DEB);
    if !deb.is_file() || sha256(&deb)? != SHA256 {
        let _ = std::fs::remove_file(&deb);
        run(Command::new("apt-get")
            .args(["download", "-q", PACKAGE])
            .current_dir(&cache))?;
    }
    let sum = sha256(&deb)?;
    if sum != SHA256 {
        return Err(format!(
            "{} has sha256 {sum}, expected {SHA256}",
            deb.display()
        ));
    }
    let _ = std::fs::remove_dir_all(&root);
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root))?;
    if !home.join("sql/Pg-database.sql").is_file() {
        return Err(format!("{} has no sql/Pg-database.sql", home.display()));
    }
    std::fs::write(&done, SHA256).map_err(|e| format!("writing {}: {e}", done.display()))?;
    Ok(home)
}

fn sha256(file: &Path) -> Result<String, String> {
    let out = Command::new("sha256sum")
        .arg(file)
        .output()
        .map_err(|e| format!("sha256sum: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "sha256sum {}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string())
}

/// Loads LedgerSMB's schema into the empty database at `url`, as its
/// installer does: `sql/Pg-database.sql`, then every script of
/// `sql/changes/LOADORDER` (one transaction each; a `!` script runs
/// statement by statement and its failures are ignored, as LedgerSMB
/// ignores them), then every module of `sql/modules/LOADORDER`, each of
/// which must set the `module_load_ok` flag to `yes`. LedgerSMB's own
/// patch-tracking tables (`db_patches`, `db_patch_log`, which its Perl code
/// creates) are left out. Panics on any other failure.
pub fn load(home: &Path, url: &str) {
    let sql = home.join("sql");
    psql(
        home,
        url,
        &["--set=ON_ERROR_STOP=on", "-f"],
        &sql.join("Pg-database.sql"),
    );
    for line in lines(&sql.join("changes/LOADORDER")) {
        match line.strip_prefix('!') {
            Some(name) => {
                // Errors ignored: psql without ON_ERROR_STOP commits each
                // statement (or BEGIN … COMMIT block) or rolls it back.
                let path = sql.join("changes").join(name.trim_start_matches('!'));
                let _ = psql_output(home, url, &["-f"], &path);
            }
            None => psql(
                home,
                url,
                &["--single-transaction", "--set=ON_ERROR_STOP=on", "-f"],
                &sql.join("changes").join(&line),
            ),
        }
    }
    for module in lines(&sql.join("modules/LOADORDER")) {
        query(
            home,
            url,
            "DELETE FROM defaults WHERE setting_key = 'module_load_ok'; \
             INSERT INTO defaults (setting_key, value) VALUES ('module_load_ok', 'no')",
        );
        psql(
            home,
            url,
            &["--set=ON_ERROR_STOP=on", "-f"],
            &sql.join("modules").join(&module),
        );
        let ok = query(
            home,
            url,
            "SELECT value FROM defaults WHERE setting_key = 'module_load_ok'",
        );
        assert_eq!(ok.trim(), "yes", "LedgerSMB module {module} did not load");
    }
}

/// The entries of a LOADORDER file: `#` comments and blank lines dropped.
fn lines(path: &Path) -> Vec<String> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn psql(home: &Path, url: &str, args: &[&str], file: &Path) {
    if let Err(e) = psql_output(home, url, args, file) {
        panic!("loading LedgerSMB: {e}");
    }
}

fn psql_output(home: &Path, url: &str, args: &[&str], file: &Path) -> Result<String, String> {
    // From LedgerSMB's home: modules `\i` and `\copy` paths under `sql/`.
    let out = Command::new("psql")
        .args(["-X", "-q", "-t", "-A", "-d", url])
        .args(args)
        .arg(file)
        .current_dir(home)
        .env("PGOPTIONS", "-c client_min_messages=warning")
        .output()
        .map_err(|e| format!("psql (from postgresql-client): {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "psql -f {} failed ({}): {}",
            file.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn query(home: &Path, url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-t",
            "-A",
            "--set=ON_ERROR_STOP=on",
            "-d",
            url,
            "-c",
            sql,
        ])
        .current_dir(home)
        .output()
        .unwrap_or_else(|e| panic!("psql (from postgresql-client): {e}"));
    assert!(
        out.status.success(),
        "loading LedgerSMB: `{sql}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
