//! A real Citus cluster for the engine tests: a coordinator and two workers
//! on one machine, from the build `scripts/build-citus.sh` leaves in the
//! workspace's ignored `.cache/citus/` (Citus 13.2 on Debian's PostgreSQL
//! 15). One cluster serves a test run; each test gets its own database on
//! all three nodes, with the extension created and the workers added.

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::pg::{self, Server};

/// Where `scripts/build-citus.sh` installs Citus: a copy of Debian's
/// PostgreSQL 15 tree with the extension in it.
pub fn install_dir() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/citus/root")
}

fn bin_dir() -> PathBuf {
    install_dir().join("usr/lib/postgresql/15/bin")
}

/// Whether a built Citus is present (the test command runs the engine tests
/// only then, and says so when it does not).
pub fn is_built() -> bool {
    bin_dir().join("postgres").is_file()
        && install_dir()
            .join("usr/lib/postgresql/15/lib/citus.so")
            .is_file()
}

/// The three nodes of the run's cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// The coordinator, where clients connect and migrations run.
    pub coordinator: Server,
    /// The two workers, which hold the shards.
    pub workers: [Server; 2],
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();

/// The run's cluster, started on first use. Panics (the test fails) when
/// Citus is not built or a node cannot start.
pub fn cluster() -> Cluster {
    match CLUSTER.get_or_init(start) {
        Ok(c) => c.clone(),
        Err(e) => panic!("the Citus cluster for tests could not be started: {e}"),
    }
}

fn start() -> Result<Cluster, String> {
    if !is_built() {
        return Err(format!(
            "no Citus build in {}: run scripts/build-citus.sh /path/to/citus (tag v13.2.2) first",
            install_dir().display()
        ));
    }
    // Citus wants a couple of background workers and prepared transactions
    // (two-phase commit across nodes).
    let opts = "-c shared_preload_libraries=citus -c max_prepared_transactions=100 -c citus.log_remote_commands=off";
    let node = |role: &str| {
        pg::start_or_join_named(&format!("retort-test-citus-{role}"), || Ok(bin_dir()), opts)
    };
    Ok(Cluster {
        coordinator: node("coordinator")?,
        workers: [node("worker1")?, node("worker2")?],
    })
}

/// A database on every node of the cluster, with the extension created and
/// the nodes registered; dropped from every node when this value goes away.
pub struct CitusDb {
    /// Its name.
    pub name: String,
    /// The coordinator's URL of it.
    pub url: String,
    cluster: Cluster,
}

impl CitusDb {
    /// A client connected to it on the coordinator.
    pub fn client(&self) -> postgres::Client {
        connect(&self.url)
    }

    /// The cluster it lives on.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The URL of this database on worker `i`.
    pub fn worker_url(&self, i: usize) -> String {
        self.cluster.workers[i].url(&self.name)
    }
}

impl Drop for CitusDb {
    fn drop(&mut self) {
        for server in self.cluster.all() {
            if let Ok(mut c) = postgres::Client::connect(&server.url("postgres"), postgres::NoTls) {
                let _ = c.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }
}

impl Cluster {
    fn all(&self) -> [&Server; 3] {
        [&self.coordinator, &self.workers[0], &self.workers[1]]
    }
}

fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to the Citus test database {url}: {e}"))
}

/// A fresh Citus database for one test. Test processes make theirs one at
/// a time (a lock file of the run): Citus's node registration opens
/// connections to every worker, and concurrent ones were seen to fail.
pub fn database() -> CitusDb {
    let cluster = cluster();
    let name = pg::unique_name("c");
    let lock_path =
        std::env::temp_dir().join(format!("retort-test-citus-setup-{}.lock", pg::run_key()));
    let lock = crate::sys::locked(&lock_path)
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", lock_path.display()));
    for server in cluster.all() {
        let mut admin = connect(&server.url("postgres"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("cannot create {name} on port {}: {e:?}", server.port));
        connect(&server.url(&name))
            .batch_execute("CREATE EXTENSION citus")
            .unwrap_or_else(|e| {
                panic!(
                    "cannot create the citus extension on port {}: {e:?}",
                    server.port
                )
            });
    }
    let db = CitusDb {
        url: cluster.coordinator.url(&name),
        name,
        cluster: cluster.clone(),
    };
    let mut coordinator = db.client();
    let mut register = vec![format!(
        "SELECT citus_set_coordinator_host('127.0.0.1', {})",
        cluster.coordinator.port
    )];
    for worker in &cluster.workers {
        register.push(format!(
            "SELECT citus_add_node('127.0.0.1', {})",
            worker.port
        ));
    }
    for sql in &register {
        coordinator
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("cannot register the Citus nodes ({sql}): {e:?}"));
    }
    let _ = lock.unlock();
    db
}
