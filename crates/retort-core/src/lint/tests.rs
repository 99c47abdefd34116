//! Unit tests: each rule with cases that must and must not fire, the allow
//! comments, dialects, and the token scan agreeing with the parser.

use std::path::Path;

use super::ops::Op;
use super::{ast, lint_script, scan, LintOptions, LintReport, Rule};
use crate::dialect::DialectKind;
use crate::script::Script;

fn revision(headers: &str, upgrade: &str) -> Script {
    let text = format!(
        "-- test\n--\n-- Revision ID: abc123\n-- Revises:\n{headers}\n-- +upgrade\n{upgrade}\n\n-- +downgrade\nDROP TABLE nothing_here;\n"
    );
    match Script::parse(Path::new("t.sql"), &text) {
        Ok(s) => s,
        Err(e) => panic!("bad test revision: {e}\n{text}"),
    }
}

fn run(dialect: DialectKind, headers: &str, upgrade: &str) -> LintReport {
    let script = revision(headers, upgrade);
    let options = LintOptions {
        dialect,
        ..LintOptions::default()
    };
    match lint_script(&script, None, &options) {
        Ok(r) => r,
        Err(e) => panic!("lint failed: {e}"),
    }
}

/// The rule ids found on PostgreSQL, lock_timeout set first so R010 stays
/// out of the way unless a test wants it.
fn pg(upgrade: &str) -> Vec<&'static str> {
    ids(&run(
        DialectKind::Postgres,
        "",
        &format!("SET lock_timeout = '2s';\n{upgrade}"),
    ))
}

fn sqlite(upgrade: &str) -> Vec<&'static str> {
    ids(&run(DialectKind::Sqlite, "", upgrade))
}

fn ids(report: &LintReport) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.rule.id()).collect()
}

// R001 adding-not-null-column

#[test]
fn r001_not_null_without_default_fires() {
    assert_eq!(
        pg("ALTER TABLE users ADD COLUMN age integer NOT NULL;"),
        ["R001"]
    );
    assert_eq!(
        sqlite("ALTER TABLE users ADD COLUMN age integer NOT NULL;"),
        ["R001"]
    );
}

#[test]
fn r001_not_null_with_default_or_nullable_or_new_table_is_fine() {
    assert!(pg("ALTER TABLE users ADD COLUMN age integer NOT NULL DEFAULT 0;").is_empty());
    assert!(pg("ALTER TABLE users ADD COLUMN age integer;").is_empty());
    assert!(
        pg("CREATE TABLE users (id int);\nALTER TABLE users ADD COLUMN age integer NOT NULL;")
            .is_empty()
    );
    // NOT NULL inside a CHECK is not the column's nullability.
    assert!(
        pg("ALTER TABLE users ADD COLUMN age integer CHECK (age IS NOT NULL OR true);").is_empty()
    );
}

// R002 creating-index-non-concurrently

#[test]
fn r002_index_without_concurrently_fires_on_existing_table() {
    assert_eq!(pg("CREATE INDEX users_email ON users (email);"), ["R002"]);
    assert_eq!(
        pg("CREATE UNIQUE INDEX IF NOT EXISTS ux ON public.users USING btree (email);"),
        ["R002"]
    );
}

#[test]
fn r002_concurrently_new_table_and_sqlite_are_fine() {
    let r = run(
        DialectKind::Postgres,
        "-- Transaction: false",
        "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY users_email ON users (email);",
    );
    assert!(ids(&r).is_empty(), "{:?}", r.findings);
    assert!(pg(
        "CREATE TABLE users (id int, email text);\nCREATE INDEX users_email ON users (email);"
    )
    .is_empty());
    assert!(sqlite("CREATE INDEX users_email ON users (email);").is_empty());
}

// R003 adding-constraint-without-not-valid

#[test]
fn r003_foreign_key_or_check_without_not_valid_fires() {
    assert_eq!(
        pg("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);"),
        ["R003"]
    );
    assert_eq!(pg("ALTER TABLE orders ADD CHECK (total >= 0);"), ["R003"]);
}

#[test]
fn r003_not_valid_new_table_and_sqlite_are_fine() {
    assert!(pg("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;").is_empty());
    assert!(pg("ALTER TABLE orders VALIDATE CONSTRAINT fk;").is_empty());
    // Validating in the transaction that added it keeps the ADD's lock.
    assert_eq!(
        pg("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT fk;"),
        ["R003"]
    );
    assert!(pg("ALTER TABLE orders ADD CONSTRAINT pos CHECK (total >= 0) NOT VALID;").is_empty());
    assert!(pg(
        "CREATE TABLE orders (id int, total int);\nALTER TABLE orders ADD CHECK (total >= 0);"
    )
    .is_empty());
    assert!(sqlite("ALTER TABLE orders ADD CHECK (total >= 0);").is_empty());
}

// R004 changing-column-type

#[test]
fn r004_type_change_fires() {
    assert_eq!(
        pg("ALTER TABLE users ALTER COLUMN id TYPE bigint;"),
        ["R004"]
    );
    assert_eq!(
        pg("ALTER TABLE users ALTER id SET DATA TYPE bigint USING id::bigint;"),
        ["R004"]
    );
}

#[test]
fn r004_other_column_changes_are_fine() {
    assert!(pg("ALTER TABLE users ALTER COLUMN id SET DEFAULT 0;").is_empty());
    assert!(
        pg("CREATE TABLE users (id int);\nALTER TABLE users ALTER COLUMN id TYPE bigint;")
            .is_empty()
    );
}

// R005 renaming-column, R006 renaming-table

#[test]
fn r005_r006_renames_fire_on_both_dialects() {
    assert_eq!(
        pg("ALTER TABLE users RENAME COLUMN name TO full_name;"),
        ["R005"]
    );
    assert_eq!(
        sqlite("ALTER TABLE users RENAME COLUMN name TO full_name;"),
        ["R005"]
    );
    assert_eq!(pg("ALTER TABLE users RENAME TO accounts;"), ["R006"]);
    assert_eq!(sqlite("ALTER TABLE users RENAME TO accounts;"), ["R006"]);
}

#[test]
fn r005_r006_renames_of_new_tables_and_constraints_are_fine() {
    assert!(pg("CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t RENAME TO u;\nALTER TABLE u RENAME COLUMN b TO c;").is_empty());
    assert!(pg("ALTER TABLE users RENAME CONSTRAINT a TO b;").is_empty());
}

// R007 dropping-column, R008 dropping-table

#[test]
fn r007_r008_drops_fire() {
    assert_eq!(pg("ALTER TABLE users DROP COLUMN age;"), ["R007"]);
    assert_eq!(sqlite("ALTER TABLE users DROP COLUMN age;"), ["R007"]);
    assert_eq!(pg("DROP TABLE IF EXISTS a, b CASCADE;"), ["R008", "R008"]);
    assert_eq!(sqlite("DROP TABLE users;"), ["R008"]);
}

#[test]
fn r007_r008_drops_of_new_tables_constraints_and_rebuilds_are_fine() {
    assert!(
        pg("CREATE TABLE tmp (a int);\nALTER TABLE tmp DROP COLUMN a;\nDROP TABLE tmp;").is_empty()
    );
    assert!(pg("ALTER TABLE users DROP CONSTRAINT users_age_check;").is_empty());
    assert!(pg("DROP INDEX users_email;").is_empty());
    // SQLite's documented table rebuild drops no data.
    assert!(sqlite(
        "CREATE TABLE \"_retort_new_users\" (id integer PRIMARY KEY, name text NOT NULL);\n\
         INSERT INTO \"_retort_new_users\" (id, name) SELECT id, name FROM users;\n\
         DROP TABLE users;\n\
         ALTER TABLE \"_retort_new_users\" RENAME TO users;"
    )
    .is_empty());
}

// R009 setting-not-null

#[test]
fn r009_set_not_null_fires_without_validated_check() {
    assert_eq!(
        pg("ALTER TABLE users ALTER COLUMN email SET NOT NULL;"),
        ["R009"]
    );
    // A NOT VALID check that is never validated does not help.
    assert_eq!(
        pg("ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;"),
        ["R009"]
    );
}

#[test]
fn r009_validated_check_first_is_fine() {
    // Validated in the same transaction: R009 is satisfied, but R003 says
    // the validation runs under the ADD's lock.
    assert_eq!(
        pg(
            "ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID;\n\
            ALTER TABLE users VALIDATE CONSTRAINT nn;\n\
            ALTER TABLE users ALTER COLUMN email SET NOT NULL;"
        ),
        ["R003"]
    );
    // Outside a transaction, nothing to say.
    let r = run(
        DialectKind::Postgres,
        "-- Transaction: false",
        "SET lock_timeout = '1s';\n\
         ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID;\n\
         ALTER TABLE users VALIDATE CONSTRAINT nn;\n\
         ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    );
    assert!(ids(&r).is_empty(), "{:?}", r.findings);
}

#[test]
fn r009_check_added_in_an_earlier_revision_counts_once_validated() {
    let script = revision(
        "",
        "SET lock_timeout = '1s';\nALTER TABLE users VALIDATE CONSTRAINT nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    );
    let mut known = std::collections::HashMap::new();
    known.insert("nn".to_string(), ("users".to_string(), "email".to_string()));
    let options = LintOptions::default();
    let r = super::lint_with(&script, None, &options, &known).unwrap_or_default();
    assert!(ids(&r).is_empty(), "{:?}", r.findings);
    // Without that knowledge it is flagged.
    let r = lint_script(&script, None, &options).unwrap_or_default();
    assert_eq!(ids(&r), ["R009"]);
}

// R010 missing-lock-timeout

#[test]
fn r010_strong_lock_before_lock_timeout_fires_once() {
    let r = run(
        DialectKind::Postgres,
        "",
        "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;",
    );
    assert_eq!(ids(&r), ["R010"]);
    assert_eq!(r.findings[0].line, 7);
}

#[test]
fn r010_lock_timeout_first_or_new_tables_or_sqlite_are_fine() {
    for set in [
        "SET lock_timeout = '2s';",
        "SET LOCAL lock_timeout TO '2s';",
        "SELECT set_config('lock_timeout', '2s', true);",
    ] {
        let r = run(
            DialectKind::Postgres,
            "",
            &format!("{set}\nALTER TABLE users ADD COLUMN a int;"),
        );
        assert!(ids(&r).is_empty(), "{set}: {:?}", r.findings);
    }
    let r = run(
        DialectKind::Postgres,
        "",
        "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nALTER TABLE t ADD COLUMN b int;",
    );
    assert!(ids(&r).is_empty(), "{:?}", r.findings);
    assert!(sqlite("ALTER TABLE users ADD COLUMN a int;").is_empty());
}

#[test]
fn r010_set_after_the_lock_is_too_late() {
    let r = run(
        DialectKind::Postgres,
        "",
        "ALTER TABLE users ADD COLUMN a int;\nSET lock_timeout = '2s';",
    );
    assert_eq!(ids(&r), ["R010"]);
}

// R011 adding-enum-value-in-transaction

fn pg_version(version: u32, headers: &str, upgrade: &str) -> Vec<&'static str> {
    let script = revision(headers, &format!("SET lock_timeout = '2s';\n{upgrade}"));
    let options = LintOptions {
        postgres_version: version,
        ..LintOptions::default()
    };
    ids(&lint_script(&script, None, &options).unwrap_or_default())
}

#[test]
fn r011_add_value_in_transaction_before_12_fires() {
    assert_eq!(
        pg_version(11, "", "ALTER TYPE mood ADD VALUE 'meh';"),
        ["R011"]
    );
    assert!(pg_version(
        11,
        "-- Transaction: false",
        "ALTER TYPE mood ADD VALUE 'meh';"
    )
    .is_empty());
    assert!(pg_version(13, "", "ALTER TYPE mood ADD VALUE 'meh';").is_empty());
}

#[test]
fn r011_new_value_used_in_the_same_transaction_fires() {
    assert_eq!(
        pg_version(
            15,
            "",
            "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' AFTER 'ok';\nUPDATE people SET mood = 'meh';"
        ),
        ["R011"]
    );
    assert!(pg_version(
        15,
        "",
        "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET mood = 'ok';"
    )
    .is_empty());
}

// R012 vacuum-full-or-cluster

#[test]
fn r012_vacuum_full_and_cluster_fire() {
    assert_eq!(pg("VACUUM FULL users;"), ["R012"]);
    assert_eq!(pg("VACUUM (FULL, ANALYZE) users;"), ["R012"]);
    assert_eq!(pg("CLUSTER users USING users_pkey;"), ["R012"]);
}

#[test]
fn r012_plain_vacuum_is_fine() {
    assert!(pg("VACUUM ANALYZE users;").is_empty());
    assert!(pg("VACUUM (FULL false) users;").is_empty());
}

// R013 adding-volatile-default

#[test]
fn r013_volatile_default_fires() {
    assert_eq!(
        pg("ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();"),
        ["R013"]
    );
    assert_eq!(pg("ALTER TABLE users ADD COLUMN n bigserial;"), ["R013"]);
    assert_eq!(
        pg("ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;"),
        ["R013"]
    );
}

#[test]
fn r013_constant_and_stable_defaults_are_fine() {
    assert!(
        pg("ALTER TABLE users ADD COLUMN created timestamptz NOT NULL DEFAULT now();").is_empty()
    );
    assert!(pg("ALTER TABLE users ADD COLUMN flag boolean NOT NULL DEFAULT false;").is_empty());
    assert!(pg(
        "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();"
    )
    .is_empty());
}

// R014 adding-unique-constraint

#[test]
fn r014_unique_without_using_index_fires() {
    assert_eq!(
        pg("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"),
        ["R014"]
    );
    assert_eq!(pg("ALTER TABLE users ADD PRIMARY KEY (id);"), ["R014"]);
}

#[test]
fn r014_using_index_is_fine() {
    assert!(pg(
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;"
    )
    .is_empty());
}

// R015 concurrently-in-transaction

#[test]
fn r015_concurrently_in_a_transactional_revision_fires() {
    assert_eq!(
        pg("CREATE INDEX CONCURRENTLY i ON users (email);"),
        ["R015"]
    );
    assert_eq!(pg("DROP INDEX CONCURRENTLY i;"), ["R015"]);
}

#[test]
fn r015_transaction_false_is_fine() {
    let r = run(
        DialectKind::Postgres,
        "-- Transaction: false",
        "DROP INDEX CONCURRENTLY i;",
    );
    assert!(ids(&r).is_empty(), "{:?}", r.findings);
}

// Allow comments

#[test]
fn allow_in_the_header_or_section_allows_the_rule_for_the_revision() {
    let text = "-- test\n--\n-- Revision ID: abc123\n-- Revises:\n-- retort-lint: allow R007\n\n-- +upgrade\nSET lock_timeout = '1s';\nALTER TABLE a DROP COLUMN x;\nALTER TABLE b DROP COLUMN y;\n-- retort-lint: allow dropping-table, R006\nDROP TABLE c;\n";
    let script = Script::parse(Path::new("t.sql"), text).expect("parses");
    let r = lint_script(&script, Some(text), &LintOptions::default()).expect("lints");
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.allowed.len(), 3);
    assert!(r.warnings.is_empty());
}

#[test]
fn allow_next_allows_only_the_next_statement() {
    let r = run(
        DialectKind::Postgres,
        "",
        "SET lock_timeout = '1s';\n-- retort-lint: allow-next R007\nALTER TABLE a DROP COLUMN x;\nALTER TABLE b DROP COLUMN y;",
    );
    assert_eq!(ids(&r), ["R007"]);
    assert!(r.findings[0].statement.contains("b DROP"));
    assert_eq!(r.allowed.len(), 1);
}

#[test]
fn unknown_rules_in_allow_comments_are_warnings() {
    let r = run(
        DialectKind::Postgres,
        "",
        "-- retort-lint: allow R999\n-- retort-lint: permit R001\nSELECT 1;",
    );
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(r.warnings[0].message.contains("R999"));
}

// Dialects, sections, robustness

#[test]
fn postgres_only_rules_are_silent_on_sqlite() {
    for rule in Rule::ALL {
        let everywhere = !rule.postgres_only() && !rule.mysql_only();
        assert_eq!(rule.applies_to(DialectKind::Sqlite), everywhere);
        assert_eq!(rule.applies_to(DialectKind::Postgres), !rule.mysql_only());
        assert_eq!(rule.applies_to(DialectKind::Mysql), !rule.postgres_only());
    }
    assert!(sqlite("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id);\nCREATE INDEX i ON t (a);").is_empty());
}

#[test]
fn downgrade_is_linted_only_on_request() {
    let script = revision("", "SELECT 1;");
    let up_only = lint_script(&script, None, &LintOptions::default()).unwrap_or_default();
    assert!(up_only.findings.is_empty());
    let options = LintOptions {
        downgrade: true,
        ..LintOptions::default()
    };
    let both = lint_script(&script, None, &options).unwrap_or_default();
    assert_eq!(ids(&both), ["R010", "R008"]);
    assert_eq!(both.findings[1].section, "downgrade");
}

#[test]
fn sql_nobody_parses_yields_no_findings_and_no_panic() {
    assert!(pg("CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DROP TABLE x; RETURN NULL; END $$;").is_empty());
    assert!(pg("FROBNICATE THE TABLE users;").is_empty());
    assert!(pg("ALTER TABLE;").is_empty());
    assert!(pg("INSERT INTO users VALUES ('DROP TABLE users');").is_empty());
}

#[test]
fn rule_ids_and_names_parse_both_ways() {
    for rule in Rule::ALL {
        assert_eq!(Rule::parse(rule.id()), Some(rule));
        assert_eq!(Rule::parse(&rule.name().to_uppercase()), Some(rule));
    }
    assert_eq!(Rule::parse("R000"), None);
}

/// Statements `sqlparser` parses: the token scan must read them the same way,
/// so a statement that only the scan can read is linted just as strictly.
#[test]
fn token_scan_agrees_with_the_parser() {
    let statements = [
        "CREATE TABLE s.users (id int)",
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ux ON ONLY s.users (email)",
        "CREATE INDEX ON users (lower(email))",
        "ALTER TABLE users ADD COLUMN age integer NOT NULL",
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS token uuid DEFAULT gen_random_uuid()",
        "ALTER TABLE users ADD COLUMN created timestamptz NOT NULL DEFAULT now()",
        "ALTER TABLE users ADD n bigserial",
        "ALTER TABLE users DROP COLUMN IF EXISTS age CASCADE",
        "ALTER TABLE users RENAME COLUMN a TO b",
        "ALTER TABLE users RENAME TO accounts",
        "ALTER TABLE \"Users\" ALTER COLUMN \"Id\" TYPE bigint",
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL",
        "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'x'",
        "ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES b (id) NOT VALID",
        "ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID",
        "ALTER TABLE users ADD CHECK (a > 0)",
        "ALTER TABLE users ADD CONSTRAINT k UNIQUE (email)",
        "ALTER TABLE users ADD PRIMARY KEY (id)",
        "ALTER TABLE users VALIDATE CONSTRAINT nn",
        "ALTER TABLE users ADD COLUMN a int, DROP COLUMN b, ALTER COLUMN c TYPE text",
        "DROP TABLE IF EXISTS a, s.b",
        "ALTER TYPE mood ADD VALUE 'meh'",
    ];
    for sql in statements {
        let parsed = ast::statement_ops(sql, DialectKind::Postgres);
        let scanned = scan::statement_ops(sql);
        assert!(!parsed.is_empty(), "{sql}: nothing read");
        assert_eq!(normalise(parsed), normalise(scanned), "{sql}");
    }
}

/// Type names are spelled differently by the two paths; compare the rest.
fn normalise(ops: Vec<Op>) -> Vec<Op> {
    ops.into_iter()
        .map(|op| match op {
            Op::AlterColumnType { table, column, .. } => Op::AlterColumnType {
                table,
                column,
                new_type: String::new(),
            },
            other => other,
        })
        .collect()
}

/// Every rule has its page in docs/lint/ and a row in docs/lint.md.
#[test]
fn every_rule_is_documented() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let index = std::fs::read_to_string(docs.join("lint.md")).unwrap_or_default();
    for rule in Rule::ALL {
        let page = docs.join(format!("lint/{}-{}.md", rule.id(), rule.name()));
        let text = std::fs::read_to_string(&page).unwrap_or_default();
        assert!(
            text.starts_with(&format!("# {} {}", rule.id(), rule.name())),
            "{} is missing or has the wrong title",
            page.display()
        );
        assert!(
            index.contains(&format!("| {} |", rule.name())),
            "docs/lint.md lacks {rule}"
        );
    }
}

// R016–R019: MySQL's and MariaDB's own dangers

/// The rule ids found on MySQL, lock_wait_timeout set first so R018 stays
/// out of the way unless a test wants it.
fn my(upgrade: &str) -> Vec<&'static str> {
    ids(&run(
        DialectKind::Mysql,
        "",
        &format!("SET SESSION lock_wait_timeout = 10;\n{upgrade}"),
    ))
}

#[test]
fn r016_algorithm_copy_type_changes_and_convert_fire() {
    for sql in [
        "ALTER TABLE users ALGORITHM=COPY, ADD INDEX users_a (a);",
        "ALTER TABLE users ADD INDEX users_a (a), ALGORITHM = COPY;",
        "ALTER TABLE users MODIFY COLUMN age BIGINT;",
        "ALTER TABLE app.users MODIFY age BIGINT NOT NULL;",
        "ALTER TABLE `users` CHANGE `age` `years` INT;",
        "ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;",
        "ALTER TABLE users ENGINE=InnoDB;",
        "ALTER TABLE users FORCE;",
        "ALTER TABLE users ORDER BY name;",
        "ALTER TABLE users PARTITION BY HASH (id) PARTITIONS 4;",
        "ALTER TABLE users REMOVE PARTITIONING;",
        "ALTER TABLE users DROP PRIMARY KEY;",
    ] {
        assert_eq!(my(sql), ["R016"], "{sql}");
    }
    let r = run(
        DialectKind::Mysql,
        "",
        "SET lock_wait_timeout = 5;\nALTER TABLE users MODIFY age BIGINT, LOCK=NONE;",
    );
    assert!(r.findings[0]
        .message
        .contains("ALGORITHM=INPLACE, LOCK=NONE"));
    assert!(r.findings[0].message.contains("MODIFY of column age"));
}

#[test]
fn r016_inplace_instant_new_tables_and_other_alters_are_fine() {
    for sql in [
        "ALTER TABLE users MODIFY age BIGINT, ALGORITHM=INPLACE, LOCK=NONE;",
        "ALTER TABLE users ALGORITHM=INSTANT, CHANGE age years INT;",
        "ALTER TABLE users ADD COLUMN n INT;",
        "ALTER TABLE users ADD INDEX users_a (a), ALGORITHM=COPY, ALGORITHM=INPLACE;",
        "ALTER TABLE users RENAME COLUMN a TO b;",
        "ALTER TABLE users DROP PRIMARY KEY, ADD PRIMARY KEY (id, region);",
        "ALTER TABLE users DROP PRIMARY KEY, ADD CONSTRAINT pk PRIMARY KEY (id);",
        "ALTER TABLE users ENGINE=InnoDB, ALGORITHM=INPLACE;",
        "ALTER TABLE users DROP PARTITION p0;",
        "UPDATE users SET age = 1;",
    ] {
        assert!(!my(sql).contains(&"R016"), "{sql}");
    }
    let found = my("CREATE TABLE t (a INT);\nALTER TABLE t MODIFY a BIGINT;");
    assert_eq!(found, ["R019"]);
}

#[test]
fn r017_column_added_first_or_after_fires() {
    for sql in [
        "ALTER TABLE users ADD COLUMN n INT AFTER id;",
        "ALTER TABLE users ADD n INT NOT NULL DEFAULT 0 FIRST;",
        "ALTER TABLE `users` ADD COLUMN IF NOT EXISTS `n` INT AFTER `id`;",
    ] {
        assert_eq!(my(sql), ["R017"], "{sql}");
    }
    assert_eq!(
        my("ALTER TABLE users ADD COLUMN a INT AFTER id, ADD COLUMN b INT FIRST;"),
        ["R017", "R017"]
    );
}

#[test]
fn r017_at_the_end_instant_inplace_indexes_and_new_tables_are_fine() {
    for sql in [
        "ALTER TABLE users ADD COLUMN n INT;",
        "ALTER TABLE users ADD COLUMN n INT AFTER id, ALGORITHM=INSTANT;",
        "ALTER TABLE users ALGORITHM=INPLACE, LOCK=NONE, ADD COLUMN n INT FIRST;",
        "ALTER TABLE users ADD INDEX first_idx (a);",
        "ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0);",
    ] {
        assert!(my(sql).is_empty(), "{sql}: {:?}", my(sql));
    }
    let r = run(
        DialectKind::Mysql,
        "",
        "CREATE TABLE t (a INT);\nALTER TABLE t ADD COLUMN b INT FIRST;",
    );
    assert_eq!(ids(&r), ["R019"]);
}

#[test]
fn r018_ddl_without_lock_wait_timeout_fires_once() {
    let r = run(
        DialectKind::Mysql,
        "",
        "ALTER TABLE users ADD COLUMN a INT;",
    );
    assert_eq!(ids(&r), ["R018"]);
    assert_eq!(r.findings[0].line, 7);
    let r = run(
        DialectKind::Mysql,
        "",
        "INSERT INTO log VALUES (1);\nDROP TABLE old;\nALTER TABLE users ADD COLUMN a INT;\nSET SESSION lock_wait_timeout = 5;",
    );
    assert_eq!(ids(&r), ["R018", "R008", "R019"]);
    assert_eq!(r.findings[0].line, 8);
    // SET GLOBAL only reaches later sessions; innodb_lock_wait_timeout is
    // about row locks.
    for set in [
        "SET GLOBAL lock_wait_timeout = 5;",
        "SET SESSION innodb_lock_wait_timeout = 5;",
    ] {
        let r = run(
            DialectKind::Mysql,
            "",
            &format!("{set}\nCREATE INDEX i ON users (a);"),
        );
        assert_eq!(ids(&r), ["R018"], "{set}");
    }
}

#[test]
fn r018_set_in_the_revision_or_config_or_new_tables_are_fine() {
    for set in [
        "SET SESSION lock_wait_timeout = 5;",
        "SET lock_wait_timeout = 5;",
        "SET @@session.lock_wait_timeout = 5;",
        "SET @@lock_wait_timeout = 5, sql_mode = '';",
    ] {
        let r = run(
            DialectKind::Mysql,
            "",
            &format!("{set}\nALTER TABLE users ADD COLUMN a INT;"),
        );
        assert!(ids(&r).is_empty(), "{set}: {:?}", r.findings);
    }
    let script = revision("", "ALTER TABLE users ADD COLUMN a INT;");
    let options = LintOptions {
        dialect: DialectKind::Mysql,
        lock_wait_timeout_configured: true,
        ..LintOptions::default()
    };
    let r = lint_script(&script, None, &options).unwrap_or_default();
    assert!(ids(&r).is_empty(), "{:?}", r.findings);
    let r = run(DialectKind::Mysql, "", "CREATE TABLE t (a INT);");
    assert!(ids(&r).is_empty(), "{:?}", r.findings);
    // Quoted or not, MySQL's table names match case-insensitively.
    let r = run(
        DialectKind::Mysql,
        "",
        "CREATE TABLE `Users` (a INT);\nALTER TABLE users MODIFY a BIGINT FIRST;",
    );
    assert_eq!(ids(&r), ["R019"], "{:?}", r.findings);
}

#[test]
fn r019_several_ddl_statements_fire_once_at_the_second() {
    let r = run(
        DialectKind::Mysql,
        "",
        "SET lock_wait_timeout = 5;\nCREATE TABLE a (id INT);\nINSERT INTO a VALUES (1);\nCREATE TABLE b (id INT);\nCREATE TABLE c (id INT);",
    );
    assert_eq!(ids(&r), ["R019"]);
    assert_eq!(r.findings[0].line, 10);
    assert!(
        r.findings[0]
            .message
            .contains("holds 3 DDL statements (the first at line 8)"),
        "{}",
        r.findings[0].message
    );
}

#[test]
fn r019_one_ddl_statement_with_data_is_fine() {
    assert!(
        my("CREATE TABLE a (id INT);\nINSERT INTO a VALUES (1);\nUPDATE a SET id = 2;").is_empty()
    );
    assert!(my("INSERT INTO a VALUES (1);\nDELETE FROM a;").is_empty());
}

#[test]
fn mysql_rules_never_fire_on_postgres_or_sqlite() {
    let upgrade = "ALTER TABLE users ALGORITHM=COPY, ADD INDEX i (a);\nALTER TABLE users ADD COLUMN n INT AFTER id;\nALTER TABLE users MODIFY age BIGINT;\nCREATE TABLE x (id INT);\nCREATE TABLE y (id INT);";
    let mysql = ids(&run(DialectKind::Mysql, "", upgrade));
    for rule in ["R016", "R017", "R018", "R019"] {
        assert!(mysql.contains(&rule), "{rule} not on MySQL: {mysql:?}");
    }
    for dialect in [DialectKind::Postgres, DialectKind::Sqlite] {
        let found = ids(&run(dialect, "", upgrade));
        for rule in ["R016", "R017", "R018", "R019"] {
            assert!(!found.contains(&rule), "{rule} on {dialect:?}: {found:?}");
        }
    }
}

#[test]
fn postgres_rules_are_silent_on_mysql() {
    let r = run(
        DialectKind::Mysql,
        "",
        "SET lock_wait_timeout = 5;\nALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id);",
    );
    assert!(ids(&r).is_empty(), "{:?}", r.findings);
}
