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
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'",
            &[],
        )
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
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
}

#[test]
fn the_cluster_offers_tls_and_password_roles() {
    use retort_testkit::pg::{PASSWORD, PASSWORD_USER, TLS_ONLY_USER};
    let db = retort_testkit::pg::database();
    let port = db.server().port;
    // Without TLS the TLS-only role is rejected by pg_hba.
    let plain = format!("postgresql://{TLS_ONLY_USER}@127.0.0.1:{port}/{}", db.name);
    let err = postgres::Client::connect(&plain, postgres::NoTls)
        .err()
        .expect("must be rejected");
    assert!(format!("{err:?}").contains("pg_hba"), "{err:?}");
    // The password role needs its password.
    let wrong = format!(
        "postgresql://{PASSWORD_USER}:nope@127.0.0.1:{port}/{}",
        db.name
    );
    assert!(postgres::Client::connect(&wrong, postgres::NoTls).is_err());
    let right = format!(
        "postgresql://{PASSWORD_USER}:{PASSWORD}@127.0.0.1:{port}/{}",
        db.name
    );
    postgres::Client::connect(&right, postgres::NoTls).expect("right password connects");
}

/// Every supported version starts (installed into the cache first where it
/// is not on the machine), is the version it claims, serves TLS, and two
/// databases on it share its one cluster.
#[test]
fn every_version_starts_and_is_what_it_claims() {
    use retort_testkit::pg::{database_on, Version};
    let mut ports = Vec::new();
    for version in Version::ALL {
        let a = database_on(version);
        let b = database_on(version);
        assert_eq!(a.server().port, b.server().port, "{version:?}: one cluster");
        let mut c = a.client();
        let num: String = c.query_one("SHOW server_version_num", &[]).unwrap().get(0);
        let num: u32 = num.parse().unwrap();
        assert_eq!(num / 10000, version.major(), "{version:?}");
        let ssl: String = c.query_one("SHOW ssl", &[]).unwrap().get(0);
        assert_eq!(ssl, "on", "{version:?}");
        if version == Version::Debian15Newest {
            assert!(num >= 150020, "the newest Debian 15 is {num}");
        }
        ports.push(a.server().port);
    }
    ports.sort();
    ports.dedup();
    assert_eq!(ports.len(), Version::ALL.len(), "one cluster per version");
}
