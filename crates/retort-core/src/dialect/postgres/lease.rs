//! The lease lock ([`LockKind::Lease`](crate::dialect::LockKind::Lease)):
//! a row in `retort_lock` naming its holder and an expiry, taken with one
//! atomic statement (insert, or take over an expired row), kept alive by a
//! heartbeat thread on a connection of its own, and deleted on release.
//! For engines whose advisory locks are missing or cannot be trusted
//! (CockroachDB, YugabyteDB).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::db_url::DatabaseUrl;
use crate::dialect::{sql, Connection, LeaseSettings};
use crate::error::DbError;

/// `schema.retort_lock`, quoted as needed.
fn table(settings: &LeaseSettings) -> String {
    settings.table.qualified()
}

/// The lock table, created if missing. Concurrent runners may race to
/// create it: losing that race is fine.
pub(super) fn ensure_table(
    conn: &mut dyn Connection,
    settings: &LeaseSettings,
) -> Result<(), DbError> {
    let create = format!(
        "CREATE TABLE IF NOT EXISTS {} (name TEXT PRIMARY KEY, holder TEXT NOT NULL, acquired_at TIMESTAMPTZ NOT NULL, heartbeat_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL)",
        table(settings)
    );
    match conn.execute(&create) {
        Err(e) if !matches!(e.code.as_deref(), Some("23505" | "42P07")) => Err(e),
        _ => Ok(()),
    }
}

/// Who this process is, for the lock table's `holder` column: host, pid
/// and a random id (two runs of one process never share a lease).
pub(super) fn holder_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::env::var("HOSTNAME"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown-host".into());
    let mut bytes = [0u8; 6];
    let _ = getrandom::fill(&mut bytes);
    let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{host} pid {} id {id}", std::process::id())
}

fn ttl_sql(ttl: Duration) -> String {
    format!("interval '{} milliseconds'", ttl.as_millis())
}

/// Takes the lease if it is free or expired, in one statement.
pub(super) fn try_acquire(
    conn: &mut dyn Connection,
    settings: &LeaseSettings,
    holder: &str,
) -> Result<bool, DbError> {
    let t = table(settings);
    let rows = conn.query_rows(&format!(
        "INSERT INTO {t} AS l (name, holder, acquired_at, heartbeat_at, expires_at) \
         VALUES ({name}, {holder}, now(), now(), now() + {ttl}) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, \
         heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at \
         WHERE l.expires_at < now() RETURNING l.holder",
        name = sql::literal(&settings.name),
        holder = sql::literal(holder),
        ttl = ttl_sql(settings.ttl),
    ))?;
    Ok(!rows.is_empty())
}

/// Deletes this holder's lease.
pub(super) fn release(
    conn: &mut dyn Connection,
    settings: &LeaseSettings,
    holder: &str,
) -> Result<(), DbError> {
    conn.execute(&format!(
        "DELETE FROM {} WHERE name = {} AND holder = {}",
        table(settings),
        sql::literal(&settings.name),
        sql::literal(holder)
    ))
}

/// The lease's holder, when it started, and when it expires (or expired).
pub(super) fn describe(
    conn: &mut dyn Connection,
    settings: &LeaseSettings,
) -> Result<Option<String>, DbError> {
    if !conn.table_exists(settings.table.schema.as_deref(), &settings.table.name)? {
        return Ok(None);
    }
    let rows = conn.query_rows(&format!(
        "SELECT holder, to_char(acquired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
         to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), (expires_at < now())::text \
         FROM {} WHERE name = {}",
        table(settings),
        sql::literal(&settings.name)
    ))?;
    Ok(rows.first().map(|row| {
        let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        let state = if field(3) == "true" {
            "expired"
        } else {
            "expires"
        };
        format!(
            "lease held by {} since {}, {state} {}",
            field(0),
            field(1),
            field(2)
        )
    }))
}

/// Deletes the lease whoever holds it, returning who did.
pub(super) fn break_lease(
    conn: &mut dyn Connection,
    settings: &LeaseSettings,
) -> Result<Option<String>, DbError> {
    let holder = describe(conn, settings)?;
    if holder.is_some() {
        conn.execute(&format!(
            "DELETE FROM {} WHERE name = {}",
            table(settings),
            sql::literal(&settings.name)
        ))?;
    }
    Ok(holder)
}

/// The thread that renews a held lease every third of its TTL, on a
/// connection of its own (a long statement on the run's connection does
/// not stop it). If a renewal finds the lease gone, or renewals fail for
/// so long that the lease may have expired, the lease is marked lost and
/// the run stops before its next statement.
pub(super) struct Heartbeat {
    stop: Arc<AtomicBool>,
    lost: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Heartbeat {
    /// Starts renewing `holder`'s lease, connecting to `url`.
    pub(super) fn start(url: DatabaseUrl, settings: LeaseSettings, holder: String) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let lost = Arc::new(Mutex::new(None));
        let thread = {
            let (stop, lost) = (Arc::clone(&stop), Arc::clone(&lost));
            std::thread::spawn(move || beat(&url, &settings, &holder, &stop, &lost))
        };
        Self {
            stop,
            lost,
            thread: Some(thread),
        }
    }

    /// Why the lease was lost, if it was.
    pub(super) fn lost(&self) -> Option<String> {
        self.lost.lock().ok().and_then(|l| l.clone())
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The heartbeat thread's loop.
fn beat(
    url: &DatabaseUrl,
    settings: &LeaseSettings,
    holder: &str,
    stop: &AtomicBool,
    lost: &Mutex<Option<String>>,
) {
    let every = (settings.ttl / 3).max(Duration::from_millis(100));
    let mut conn: Option<Box<dyn Connection>> = None;
    let mut last_renewed = Instant::now();
    let mut next = Instant::now() + every;
    let mark = |why: String| {
        if let Ok(mut l) = lost.lock() {
            *l = Some(why);
        }
    };
    while !stop.load(Ordering::SeqCst) {
        if Instant::now() < next {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        next = Instant::now() + every;
        if conn.is_none() {
            conn = super::super::connect(url).ok();
        }
        let renewed = match conn.as_deref_mut() {
            Some(c) => renew(c, settings, holder),
            None => Err(DbError::msg("cannot reconnect to renew the lease")),
        };
        match renewed {
            Ok(true) => last_renewed = Instant::now(),
            Ok(false) => {
                mark(
                    "another runner took it over or it was deleted (`retort unlock --force`)"
                        .into(),
                );
                return;
            }
            Err(e) => {
                conn = None;
                // The lease may expire before the next renewal: stop.
                if last_renewed.elapsed() + every >= settings.ttl {
                    mark(format!("renewing it failed for too long: {}", e.message));
                    return;
                }
            }
        }
    }
}

/// Extends the lease; `false` when this holder no longer has it.
fn renew(
    conn: &mut dyn Connection,
    settings: &LeaseSettings,
    holder: &str,
) -> Result<bool, DbError> {
    let rows = conn.query_rows(&format!(
        "UPDATE {} SET heartbeat_at = now(), expires_at = now() + {} WHERE name = {} AND holder = {} RETURNING 1",
        table(settings),
        ttl_sql(settings.ttl),
        sql::literal(&settings.name),
        sql::literal(holder)
    ))?;
    Ok(!rows.is_empty())
}
