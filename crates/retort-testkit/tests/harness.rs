//! The harness itself: a cluster starts, each test gets its own database.

#[test]
fn each_test_gets_its_own_empty_database() {
    let a = retort_testkit::pg::database();
    let b = retort_testkit::pg::database();
    assert_ne!(a.name, b.name);
    let mut ca = a.client();
    ca.batch_execute("CREATE TABLE only_in_a (id int)").unwrap();
    let mut cb = b.client();
    let n: i64 = cb
        .query_one("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "databases must be isolated");
    let version: String = ca.query_one("SHOW server_version", &[]).unwrap().get(0);
    assert!(version.starts_with("1"), "{version}");
}

#[test]
fn a_dropped_database_is_gone() {
    let server = retort_testkit::pg::server();
    let name = {
        let db = retort_testkit::pg::database();
        db.name.clone()
    };
    let mut admin = postgres::Client::connect(&server.url("postgres"), postgres::NoTls).unwrap();
    let n: i64 = admin
        .query_one("SELECT count(*) FROM pg_database WHERE datname = $1", &[&name])
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
}
