//! The example service as its users run it: the binary starts against a
//! SQLite file and a PostgreSQL database, migrates at start-up, and
//! answers HTTP requests from the migrated tables.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The service's process, killed when dropped.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the binary on `url` and waits until it accepts connections.
fn start(url: &str) -> (Service, u16) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_resume-service"))
        .env("DATABASE_URL", url)
        .env("ADDR", format!("127.0.0.1:{port}"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("the service starts");
    let mut service = Service(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = service.0.try_wait() {
            let mut err = String::new();
            let _ = service
                .0
                .stderr
                .take()
                .map(|mut e| e.read_to_string(&mut err));
            panic!("the service exited ({status}): {err}");
        }
        assert!(Instant::now() < deadline, "the service did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    (service, port)
}

/// `GET path` over HTTP/1.1: (status line, body).
fn get(port: u16, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("a response");
    (
        head.lines().next().unwrap_or_default().to_string(),
        body.to_string(),
    )
}

fn serves_the_migrated_tables(url: &str) {
    let (_service, port) = start(url);
    let (status, body) = get(port, "/templates");
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    assert_eq!(body, r#"["classic"]"#);
    let (status, body) = get(port, "/version");
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    assert_eq!(body, r#"{"revisions":["5e1a7c3d9f40"]}"#);
}

#[test]
fn the_service_migrates_and_serves_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}", dir.path().join("resumes.db").display());
    serves_the_migrated_tables(&url);
    // A second start finds the database at head and serves the same.
    serves_the_migrated_tables(&url);
}

#[test]
fn the_service_migrates_and_serves_on_postgres() {
    let db = retort_testkit::pg::database();
    serves_the_migrated_tables(&db.url);
}

#[test]
fn an_unreachable_database_stops_the_service_with_a_clear_error() {
    let port = free_port();
    let url = format!("postgresql://app:secret@127.0.0.1:{port}/app");
    let out = Command::new(env!("CARGO_BIN_EXE_resume-service"))
        .env("DATABASE_URL", &url)
        .env("ADDR", format!("127.0.0.1:{}", free_port()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot migrate"), "{err}");
    assert!(
        !err.contains("secret"),
        "the password is never printed: {err}"
    );
}
