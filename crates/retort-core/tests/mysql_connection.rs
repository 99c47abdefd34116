//! The MariaDB connection on a real server: batches report errors of any
//! statement, errors carry the server's number and SQLSTATE, NULLs are
//! NULLs, the named lock is exclusive and its release is checked.

use std::path::Path;

use retort::dialect::mysql::conn::MysqlConnection;
use retort::dialect::mysql::server::Flavor;
use retort::dialect::Connection;
use retort::DatabaseUrl;

fn connect(url: &str) -> MysqlConnection {
    let url = DatabaseUrl::parse(url, Path::new("/")).expect("url");
    MysqlConnection::connect(&url).expect("connects")
}

#[test]
fn statements_rows_errors_and_the_server_version() {
    let db = retort_testkit::mariadb::database();
    let mut c = connect(&db.url);
    let server = c.server().expect("VERSION() parses");
    assert_eq!(server.flavor, Flavor::Mariadb);
    assert!(server.supported() && server.features().sequences);

    c.execute("CREATE TABLE t (id INT PRIMARY KEY, note VARCHAR(10))")
        .unwrap();
    assert!(c.table_exists(None, "t").unwrap());
    assert!(!c.table_exists(None, "nope").unwrap());
    assert!(c.table_exists(Some(&db.name), "t").unwrap());
    // An error in the second statement of a batch is not lost.
    let e = c
        .execute("INSERT INTO t VALUES (1, NULL); INSERT INTO missing VALUES (2)")
        .unwrap_err();
    assert!(e.message.contains("missing"), "{e}");
    assert_eq!(e.code.as_deref(), Some("1146, SQLSTATE 42S02"));
    let rows = c.query_rows("SELECT id, note FROM t").unwrap();
    assert_eq!(rows, vec![vec![Some("1".to_string()), None]]);
}

#[test]
fn the_named_lock_is_exclusive_and_its_release_is_checked() {
    let db = retort_testkit::mariadb::database();
    let mut a = connect(&db.url);
    let mut b = connect(&db.url);
    assert!(a.try_lock_session(42).unwrap());
    assert!(a.holds_session_lock());
    assert!(!b.try_lock_session(42).unwrap(), "held by a");
    let holder = b.lock_holder(42).expect("the holder is known");
    assert!(holder.contains("MySQL connection"), "{holder}");
    // Another key, or the same key in another database, is another lock.
    assert!(b.try_lock_session(43).unwrap());
    b.unlock_session(43).unwrap();
    let other = retort_testkit::mariadb::database();
    let mut c = connect(&other.url);
    assert!(c.try_lock_session(42).unwrap());
    c.unlock_session(42).unwrap();

    a.unlock_session(42).unwrap();
    assert!(!a.holds_session_lock());
    // Releasing a lock this session no longer holds is an error, not silence.
    let e = a.unlock_session(42).unwrap_err();
    assert!(e.message.contains("no longer held"), "{e}");
    assert!(b.try_lock_session(42).unwrap());
    let e = a.unlock_session(42).unwrap_err();
    assert!(e.message.contains("another session"), "{e}");
}
