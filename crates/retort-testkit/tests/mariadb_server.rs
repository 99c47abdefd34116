//! The harness's MariaDB starts, serves a database per test, and knows its users.

use mysql::prelude::Queryable;

#[test]
fn a_database_per_test_on_a_running_server() {
    let a = retort_testkit::mariadb::database();
    let b = retort_testkit::mariadb::database();
    assert_ne!(a.name, b.name);
    a.execute("CREATE TABLE t (id INT PRIMARY KEY)");
    assert_eq!(a.tables(), vec!["t"]);
    assert!(b.tables().is_empty());
    let version = a.column("SELECT VERSION()");
    assert!(version[0].contains("MariaDB"), "{version:?}");
    // The TLS-only user is refused without TLS.
    let opts = mysql::OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(a.server().port)
        .user(Some(retort_testkit::mariadb::TLS_USER))
        .pass(Some(retort_testkit::mariadb::PASSWORD));
    let err = mysql::Conn::new(opts).map(|_| ()).unwrap_err();
    assert!(err.to_string().contains("Access denied"), "{err}");
    let mut c = a.client();
    let n: Option<i64> = c.query_first("SELECT COUNT(*) FROM t").unwrap();
    assert_eq!(n, Some(0));
}
