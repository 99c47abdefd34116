//! Throwaway MariaDB for tests: one `mariadbd` per test run on a temp
//! datadir, a socket and a free port, shared by the run's processes through
//! a lock file and stopped by a watchdog when the test runner exits. Each
//! test gets its own database. `root` logs in only over the socket, so the
//! harness creates TCP users with passwords ([`USER`], [`TLS_USER`],
//! [`ENCODED_USER`]) and tests connect as them.

use std::fs::{self, File};
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mysql::prelude::Queryable;

/// The TCP user every test connects as (all privileges).
pub const USER: &str = "retort";
/// [`USER`]'s password.
pub const PASSWORD: &str = "pw-s3cret";
/// A user that may only connect over TLS (`REQUIRE SSL`).
pub const TLS_USER: &str = "tls_only";
/// A user whose password needs percent-encoding in a URL.
pub const ENCODED_USER: &str = "enc_user";
/// [`ENCODED_USER`]'s password, as typed (not encoded).
pub const ENCODED_PASSWORD: &str = "p@ss:w/rd%";

/// A running server.
#[derive(Debug, Clone)]
pub struct Server {
    /// TCP port on 127.0.0.1.
    pub port: u16,
    /// The server's folder (socket `sock`, TLS certificate `server.crt`).
    pub dir: PathBuf,
}

impl Server {
    /// URL of database `db` as [`USER`] over TCP.
    pub fn url(&self, db: &str) -> String {
        format!("mysql://{USER}:{PASSWORD}@127.0.0.1:{}/{db}", self.port)
    }

    /// The Unix socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("sock")
    }

    /// The self-signed certificate the server presents (a CA for `ssl-ca`).
    pub fn certificate(&self) -> PathBuf {
        self.dir.join("server.crt")
    }

    /// A client connection as [`USER`] (to database `db`, or none).
    pub fn client(&self, db: Option<&str>) -> mysql::Conn {
        let opts = mysql::OptsBuilder::new()
            .ip_or_hostname(Some("127.0.0.1"))
            .tcp_port(self.port)
            .user(Some(USER))
            .pass(Some(PASSWORD))
            .db_name(db);
        mysql::Conn::new(opts).unwrap_or_else(|e| {
            panic!(
                "cannot connect to the test MariaDB on port {}: {e}",
                self.port
            )
        })
    }
}

/// A database created for one test and dropped when this value is dropped.
pub struct TestDb {
    /// Its name.
    pub name: String,
    /// `mysql://retort:…@127.0.0.1:PORT/NAME`.
    pub url: String,
    server: Server,
}

impl TestDb {
    /// A client connected to this database.
    pub fn client(&self) -> mysql::Conn {
        self.server.client(Some(&self.name))
    }

    /// The server it lives on.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// Runs `sql` (any number of statements), panicking on error.
    pub fn execute(&self, sql: &str) {
        self.client()
            .query_drop(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The first column of every row of `sql`, as text (NULL as `"NULL"`).
    pub fn column(&self, sql: &str) -> Vec<String> {
        let rows: Vec<mysql::Row> = self
            .client()
            .query(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter()
            .map(|row| match row.as_ref(0) {
                Some(mysql::Value::NULL) | None => "NULL".to_string(),
                Some(mysql::Value::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
                Some(v) => v.as_sql(true).trim_matches('\'').to_string(),
            })
            .collect()
    }

    /// The tables of this database, sorted.
    pub fn tables(&self) -> Vec<String> {
        let mut t = self.column(&format!(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '{}'",
            self.name
        ));
        t.sort();
        t
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let opts = mysql::OptsBuilder::new()
            .ip_or_hostname(Some("127.0.0.1"))
            .tcp_port(self.server.port)
            .user(Some(USER))
            .pass(Some(PASSWORD));
        if let Ok(mut c) = mysql::Conn::new(opts) {
            let _ = c.query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name));
        }
    }
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The run's shared server, started on first use. Panics (the test fails,
/// never skips) when it cannot be started.
pub fn server() -> Server {
    match SERVER.get_or_init(start_or_join) {
        Ok(s) => s.clone(),
        Err(e) => panic!("MariaDB for tests could not be started: {e}"),
    }
}

/// A fresh, empty database for one test.
pub fn database() -> TestDb {
    let server = server();
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("t_{}_{n}", std::process::id());
    let mut admin = server.client(None);
    admin
        .query_drop(format!(
            "DROP DATABASE IF EXISTS `{name}`; CREATE DATABASE `{name}`"
        ))
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    TestDb {
        url: server.url(&name),
        name,
        server,
    }
}

/// Processes of one test run share a server: the run is the test runner
/// (our parent process), or `RETORT_TEST_RUN_ID` when set.
fn run_key() -> String {
    std::env::var("RETORT_TEST_RUN_ID")
        .unwrap_or_else(|_| std::os::unix::process::parent_id().to_string())
}

fn start_or_join() -> Result<Server, String> {
    let key = run_key();
    let base = std::env::temp_dir().join(format!("retort-test-maria-{key}"));
    let lock_path = std::env::temp_dir().join(format!("retort-test-maria-{key}.lock"));
    let lock = crate::sys::locked(&lock_path)?;
    let result = join(&base).map_or_else(|| start(&base, &key), Ok);
    let _ = lock.unlock();
    result
}

/// An already running server of this run, if there is one.
fn join(base: &Path) -> Option<Server> {
    let port: u16 = fs::read_to_string(base.join("port"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(1)).ok()?;
    Some(Server {
        port,
        dir: base.to_path_buf(),
    })
}

fn start(base: &Path, key: &str) -> Result<Server, String> {
    let (install_db, mariadbd) = find_binaries()?;
    let _ = fs::remove_dir_all(base);
    fs::create_dir_all(base).map_err(|e| format!("cannot create {}: {e}", base.display()))?;
    make_certificate(base)?;
    // Its own temporary folder: the server's temporary tables must not
    // share /tmp with whatever else cleans it.
    let tmp = base.join("tmp");
    fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let as_root = crate::sys::is_root();
    if as_root {
        run(Command::new("chown").args(["-R", "mysql:mysql"]).arg(base))
            .map_err(|e| format!("{e} (is the mariadb-server package installed?)"))?;
    }
    let data = base.join("data");
    let mut install = Command::new(&install_db);
    install
        .arg(format!("--datadir={}", data.display()))
        .args(["--auth-root-authentication-method=normal", "--skip-test-db"]);
    if as_root {
        install.arg("--user=mysql");
    }
    run(&mut install)?;
    let port = crate::sys::free_port()?;
    let log = base.join("log");
    let mut server = Command::new(&mariadbd);
    server
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--socket={}", base.join("sock").display()))
        .arg(format!("--port={port}"))
        .arg("--bind-address=127.0.0.1")
        .arg(format!("--pid-file={}", base.join("pid").display()))
        .arg(format!("--tmpdir={}", tmp.display()))
        .arg(format!("--log-error={}", log.display()))
        .arg(format!("--ssl-cert={}", base.join("server.crt").display()))
        .arg(format!("--ssl-key={}", base.join("server.key").display()))
        .args([
            "--skip-name-resolve",
            "--max-connections=400",
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
            "--innodb-buffer-pool-size=64M",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci",
        ]);
    if as_root {
        server.arg("--user=mysql");
    }
    let child = server
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", mariadbd.display()))?;
    spawn_watchdog(base, child.id(), key)?;
    wait_ready(base, port).map_err(|e| {
        let tail = fs::read_to_string(&log).unwrap_or_default();
        format!("{e}\nserver log:\n{tail}")
    })?;
    create_users(base)?;
    let mut f = File::create(base.join("port")).map_err(|e| e.to_string())?;
    writeln!(f, "{port}").map_err(|e| e.to_string())?;
    Ok(Server {
        port,
        dir: base.to_path_buf(),
    })
}

fn wait_ready(base: &Path, port: u16) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if base.join("sock").exists()
            && TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(1))
                .is_ok()
        {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("mariadbd did not accept connections within 60 s".into())
}

/// The test users, created as `root` over the socket.
fn create_users(base: &Path) -> Result<(), String> {
    let socket = base.join("sock").display().to_string();
    let opts = mysql::OptsBuilder::new()
        .socket(Some(socket))
        .user(Some("root"));
    // The socket file appears before the server listens on it: retry.
    let started = Instant::now();
    let mut root = loop {
        match mysql::Conn::new(opts.clone()) {
            Ok(conn) => break conn,
            Err(e) if started.elapsed() > Duration::from_secs(30) => {
                return Err(format!("cannot log in as root: {e}"))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    let escaped = ENCODED_PASSWORD.replace('\\', "\\\\").replace('\'', "''");
    root.query_drop(format!(
        "CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}';\
         GRANT ALL ON *.* TO '{USER}'@'127.0.0.1' WITH GRANT OPTION;\
         CREATE USER '{TLS_USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}' REQUIRE SSL;\
         GRANT ALL ON *.* TO '{TLS_USER}'@'127.0.0.1';\
         CREATE USER '{ENCODED_USER}'@'127.0.0.1' IDENTIFIED BY '{escaped}';\
         GRANT ALL ON *.* TO '{ENCODED_USER}'@'127.0.0.1'"
    ))
    .map_err(|e| format!("cannot create test users: {e}"))
}

/// A self-signed certificate for the server's TLS.
fn make_certificate(base: &Path) -> Result<(), String> {
    run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(base.join("server.key"))
        .arg("-out")
        .arg(base.join("server.crt")))
    .map_err(|e| format!("cannot make a TLS certificate for the test server: {e}"))
}

/// Stops the server and removes its files once the test runner is gone,
/// however the run ends.
fn spawn_watchdog(base: &Path, server_pid: u32, key: &str) -> Result<(), String> {
    let runner_pid = if key.chars().all(|c| c.is_ascii_digit()) {
        key.to_string()
    } else {
        std::os::unix::process::parent_id().to_string()
    };
    let script = format!(
        "while kill -0 {runner_pid} 2>/dev/null; do sleep 1; done; kill -9 {server_pid} 2>/dev/null; \
         sleep 1; rm -rf {} {}.lock",
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
        .map_err(|e| format!("cannot start the server's watchdog: {e}"))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} failed: {}{}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// `mariadb-install-db` and `mariadbd`, from PATH or /usr/sbin.
fn find_binaries() -> Result<(PathBuf, PathBuf), String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin".into(), "/usr/bin".into()]);
    let find = |name: &str| dirs.iter().map(|d| d.join(name)).find(|p| p.is_file());
    match (find("mariadb-install-db"), find("mariadbd")) {
        (Some(install), Some(server)) => Ok((install, server)),
        _ => Err(
            "MariaDB server binaries (mariadb-install-db, mariadbd) not found; install \
                  them with `apt-get install -y mariadb-server mariadb-client` \
                  (scripts/test.sh does this for you)"
                .to_string(),
        ),
    }
}
