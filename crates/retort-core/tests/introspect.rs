//! Introspection into the schema model, on real SQLite and PostgreSQL:
//! the objects and attributes come back as the database normalises them,
//! retort's own tables are left out, and the catalog is read set-wise (the
//! number of queries does not grow with the number of tables).

use std::path::Path;

use retort::dialect::introspect;
use retort::dialect::sql::TableRef;
use retort::dialect::{self, Connection, DialectKind};
use retort::schema::{FkAction, Identity, QualifiedName};
use retort::DatabaseUrl;
use retort::DbError;

/// Counts the queries that pass through to a real connection.
struct Counting {
    inner: Box<dyn Connection>,
    queries: usize,
}

impl Connection for Counting {
    fn kind(&self) -> DialectKind {
        self.inner.kind()
    }
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.inner.execute(sql)
    }
    fn query_rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, DbError> {
        self.queries += 1;
        self.inner.query_rows(sql)
    }
    fn table_exists(&mut self, schema: Option<&str>, name: &str) -> Result<bool, DbError> {
        self.inner.table_exists(schema, name)
    }
}

fn open(url: &str) -> Counting {
    let url = DatabaseUrl::parse(url, Path::new("/")).unwrap();
    Counting {
        inner: dialect::connect(&url).unwrap(),
        queries: 0,
    }
}

fn own_tables() -> Vec<TableRef> {
    ["retort_version", "retort_history"]
        .iter()
        .map(|n| TableRef {
            schema: None,
            name: n.to_string(),
        })
        .collect()
}

const COMMON: &str = "
CREATE TABLE users (id integer PRIMARY KEY, email varchar(255) NOT NULL UNIQUE, name text DEFAULT 'anon');
CREATE TABLE posts (id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE, title text NOT NULL);
CREATE INDEX posts_title ON posts (title DESC);
CREATE UNIQUE INDEX posts_user_title ON posts (user_id, title) WHERE title <> '';
CREATE VIEW titles AS SELECT title FROM posts;
CREATE TABLE retort_version (version_num varchar(32) NOT NULL PRIMARY KEY);
";

fn tables(n: usize) -> String {
    (0..n).map(|i| format!("CREATE TABLE t{i} (id integer PRIMARY KEY, v text);\nCREATE INDEX t{i}_v ON t{i} (v);\n")).collect()
}

#[test]
fn sqlite_model() {
    let mut c = open("sqlite://:memory:");
    c.execute(COMMON).unwrap();
    let s = introspect(&mut c, &own_tables()).unwrap();
    let names: Vec<&str> = s.tables.iter().map(|t| t.name.name.as_str()).collect();
    assert_eq!(names, ["posts", "users"], "retort's tables are left out");
    let users = s.table(&QualifiedName::new("", "users")).unwrap();
    assert_eq!(users.primary_key.as_ref().unwrap().columns, ["id"]);
    assert_eq!(users.uniques[0].columns, ["email"]);
    let email = &users.columns[1];
    assert_eq!(
        (email.data_type.as_str(), email.nullable),
        ("varchar(255)", false)
    );
    assert_eq!(users.columns[2].default.as_deref(), Some("'anon'"));
    let posts = s.table(&QualifiedName::new("", "posts")).unwrap();
    let fk = &posts.foreign_keys[0];
    assert_eq!(
        (
            fk.columns.clone(),
            fk.references.name.as_str(),
            fk.on_delete
        ),
        (vec!["user_id".to_string()], "users", FkAction::Cascade)
    );
    assert_eq!(posts.indexes.len(), 2);
    assert_eq!(posts.indexes[0].parts, ["title DESC"]);
    let partial = &posts.indexes[1];
    assert!(partial.unique);
    assert_eq!(partial.predicate.as_deref(), Some("title <> ''"));
    assert_eq!(s.views[0].name.name, "titles");
}

#[test]
fn sqlite_checks_and_generated_columns_come_from_the_create_statement() {
    let mut c = open("sqlite://:memory:");
    c.execute(
        "CREATE TABLE items (q INT CHECK (q>0), p INT, t INT AS (q*p) STORED, \
         v TEXT GENERATED ALWAYS AS (upper(p)), CONSTRAINT small CHECK (q < 10))",
    )
    .unwrap();
    let s = introspect(&mut c, &[]).unwrap();
    let items = s.table(&QualifiedName::new("", "items")).unwrap();
    let checks: Vec<(&str, &str)> = items
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.expression.as_str()))
        .collect();
    assert_eq!(checks, [("", "q > 0"), ("small", "q < 10")]);
    let generated: Vec<_> = items
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.generated.as_deref(), c.generated_virtual))
        .collect();
    assert_eq!(
        generated,
        [
            ("q", None, false),
            ("p", None, false),
            ("t", Some("q * p"), false),
            ("v", Some("upper(p)"), true)
        ]
    );
}

#[test]
fn sqlite_reads_set_wise() {
    let mut small = open("sqlite://:memory:");
    small.execute(&tables(5)).unwrap();
    introspect(&mut small, &[]).unwrap();
    let mut big = open("sqlite://:memory:");
    big.execute(&tables(200)).unwrap();
    let s = introspect(&mut big, &[]).unwrap();
    assert_eq!(s.tables.len(), 200);
    assert_eq!(
        small.queries, big.queries,
        "one query per kind, whatever the table count"
    );
}

#[test]
fn postgres_model() {
    let db = retort_testkit::pg::database();
    let mut c = open(&db.url);
    c.execute(COMMON).unwrap();
    c.execute(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
         CREATE SEQUENCE tickets START 100 INCREMENT 5;
         CREATE TABLE \"Mixed Case\" (
             id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
             m mood NOT NULL DEFAULT 'ok',
             price numeric(10,2) CHECK (price > 0),
             total numeric GENERATED ALWAYS AS (price * 2) STORED,
             tags text[] COLLATE \"C\");
         COMMENT ON TABLE \"Mixed Case\" IS 'odd name';
         COMMENT ON COLUMN \"Mixed Case\".price IS 'in euros';
         CREATE INDEX mixed_tags ON \"Mixed Case\" USING gin (tags);
         CREATE INDEX mixed_cover ON \"Mixed Case\" (m) INCLUDE (price);
         CREATE MATERIALIZED VIEW happy AS SELECT id FROM \"Mixed Case\" WHERE m = 'happy';
         ALTER TABLE posts ADD CONSTRAINT posts_user_fk2 FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;",
    )
    .unwrap();
    let s = introspect(&mut c, &own_tables()).unwrap();
    let names: Vec<&str> = s.tables.iter().map(|t| t.name.name.as_str()).collect();
    assert_eq!(names, ["Mixed Case", "posts", "users"]);
    let users = s.table(&QualifiedName::new("public", "users")).unwrap();
    assert_eq!(users.primary_key.as_ref().unwrap().name, "users_pkey");
    assert_eq!(users.uniques[0].name, "users_email_key");
    assert_eq!(users.columns[1].data_type, "character varying(255)");
    assert_eq!(users.columns[2].default.as_deref(), Some("'anon'::text"));
    let mixed = s
        .table(&QualifiedName::new("public", "Mixed Case"))
        .unwrap();
    assert_eq!(mixed.comment.as_deref(), Some("odd name"));
    assert_eq!(mixed.columns[0].identity, Some(Identity::Always));
    assert_eq!(mixed.columns[1].data_type, "mood");
    assert_eq!(mixed.columns[2].comment.as_deref(), Some("in euros"));
    assert_eq!(
        mixed.columns[3].generated.as_deref(),
        Some("(price * (2)::numeric)")
    );
    // As `COLLATE` takes it: "C" needs its quotes.
    assert_eq!(mixed.columns[4].collation.as_deref(), Some("\"C\""));
    assert_eq!(mixed.checks[0].expression, "(price > 0::numeric)");
    let gin = mixed
        .indexes
        .iter()
        .find(|i| i.name == "mixed_tags")
        .unwrap();
    assert_eq!(gin.method.as_deref(), Some("gin"));
    let cover = mixed
        .indexes
        .iter()
        .find(|i| i.name == "mixed_cover")
        .unwrap();
    assert_eq!(
        (cover.parts.clone(), cover.include.clone()),
        (vec!["m".to_string()], vec!["price".to_string()])
    );
    let posts = s.table(&QualifiedName::new("public", "posts")).unwrap();
    let deferred = posts
        .foreign_keys
        .iter()
        .find(|f| f.name == "posts_user_fk2")
        .unwrap();
    assert!(deferred.deferrable && deferred.initially_deferred);
    let partial = posts
        .indexes
        .iter()
        .find(|i| i.name == "posts_user_title")
        .unwrap();
    assert_eq!(partial.predicate.as_deref(), Some("title <> ''::text"));
    assert_eq!(
        posts
            .indexes
            .iter()
            .find(|i| i.name == "posts_title")
            .unwrap()
            .parts,
        ["title DESC"]
    );
    assert_eq!(s.enums[0].values, ["sad", "ok", "happy"]);
    assert_eq!(
        (
            s.sequences[0].name.name.as_str(),
            s.sequences[0].start,
            s.sequences[0].increment
        ),
        ("tickets", 100, 5)
    );
    assert!(s
        .views
        .iter()
        .any(|v| v.name.name == "happy" && v.materialized));
    assert!(s
        .views
        .iter()
        .any(|v| v.name.name == "titles" && !v.materialized));
    // Identity and serial sequences belong to their columns, not the model.
    assert_eq!(s.sequences.len(), 1);
}

#[test]
fn postgres_reads_set_wise() {
    let a = retort_testkit::pg::database();
    let b = retort_testkit::pg::database();
    let mut small = open(&a.url);
    small.execute(&tables(5)).unwrap();
    introspect(&mut small, &[]).unwrap();
    let mut big = open(&b.url);
    big.execute(&tables(200)).unwrap();
    let s = introspect(&mut big, &[]).unwrap();
    assert_eq!(s.tables.len(), 200);
    assert_eq!(small.queries, big.queries);
    // One first for what the others depend on (server version, extension
    // members, keywords), then one per kind: tables, columns, constraints,
    // indexes, views, sequences, types, triggers, functions, operators,
    // schemas, extensions, domains, policies, collations (pg_collation has
    // nothing to ride on), privileges (every access control list and
    // pg_default_acl): 17.
    assert!(big.queries <= 17, "{} catalog queries", big.queries);
}

/// Privileges: grants beyond the owner's and the built-in defaults, a
/// revoked default, and default privileges; nothing for an object whose
/// list is the default (NULL), nor for the owner, nor for `public`'s
/// initial privileges.
#[test]
fn postgres_reads_privileges() {
    use retort::schema::{DefaultPrivilege, Privilege, PrivilegeObject};
    let db = retort_testkit::pg::database();
    let mut c = open(&db.url);
    c.execute(
        "DO $$ BEGIN CREATE ROLE retort_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
         CREATE TABLE plain (id integer);
         CREATE TABLE shared (id integer);
         GRANT SELECT ON shared TO retort_reader WITH GRANT OPTION;
         GRANT UPDATE ON shared TO PUBLIC;
         CREATE FUNCTION f(x integer) RETURNS integer LANGUAGE sql AS 'SELECT x';
         REVOKE EXECUTE ON FUNCTION f(integer) FROM PUBLIC;
         CREATE FUNCTION g() RETURNS integer LANGUAGE sql AS 'SELECT 1';
         GRANT EXECUTE ON FUNCTION g() TO retort_reader;
         ALTER DEFAULT PRIVILEGES REVOKE USAGE ON TYPES FROM PUBLIC;",
    )
    .unwrap();
    let s = introspect(&mut c, &[]).unwrap();
    let on = |on, name: &str, args: &str, grantee: &str, privilege: &str| Privilege {
        on,
        name: QualifiedName::new("public", name),
        arguments: args.into(),
        grantee: grantee.into(),
        privilege: privilege.into(),
        ..Privilege::default()
    };
    assert_eq!(
        s.privileges,
        vec![
            on(PrivilegeObject::Table, "shared", "", "PUBLIC", "UPDATE"),
            Privilege {
                grantable: true,
                ..on(
                    PrivilegeObject::Table,
                    "shared",
                    "",
                    "retort_reader",
                    "SELECT"
                )
            },
            Privilege {
                revoked: true,
                ..on(
                    PrivilegeObject::Function,
                    "f",
                    "x integer",
                    "PUBLIC",
                    "EXECUTE"
                )
            },
            on(
                PrivilegeObject::Function,
                "g",
                "",
                "retort_reader",
                "EXECUTE"
            ),
        ]
    );
    assert_eq!(
        s.default_privileges,
        vec![DefaultPrivilege {
            on: "TYPES".into(),
            grantee: "PUBLIC".into(),
            privilege: "USAGE".into(),
            revoked: true,
            ..DefaultPrivilege::default()
        }]
    );
}

/// Partitions and inheriting tables: their parents, bounds and keys come
/// back, and what PostgreSQL clones onto a partition or passes to a child
/// (keys, indexes, foreign keys, triggers, checks, columns) is the parent's,
/// not the child's; what the child has of its own stays. Read in the same
/// number of queries as any other schema.
#[test]
fn postgres_partitions_and_inheritance() {
    let db = retort_testkit::pg::database();
    let mut c = open(&db.url);
    c.execute(
        "CREATE TABLE users (id integer PRIMARY KEY);
         CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TABLE orders (id bigint, placed date, user_id integer REFERENCES users (id),
             PRIMARY KEY (id, placed)) PARTITION BY RANGE (placed);
         CREATE INDEX orders_user ON orders (user_id);
         CREATE TRIGGER orders_noop BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION noop();
         CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE INDEX orders_2024_id ON orders_2024 (id);
         CREATE TABLE orders_rest PARTITION OF orders DEFAULT;
         CREATE TABLE named (name text CHECK (name <> ''));
         CREATE TABLE people (age integer) INHERITS (named);",
    )
    .unwrap();
    let s = introspect(&mut c, &[]).unwrap();
    let table = |n: &str| s.table(&QualifiedName::new("public", n)).unwrap();
    let orders = table("orders");
    assert_eq!(orders.partition_by.as_deref(), Some("RANGE (placed)"));
    assert!(orders.columns.iter().all(|c| !c.inherited));
    let p = table("orders_2024");
    let of = p.partition_of.as_ref().unwrap();
    assert_eq!(
        (of.parent.name.as_str(), of.bound.as_str()),
        ("orders", "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')")
    );
    assert!(p.columns.iter().all(|c| c.inherited));
    // Only its own index: the key, the parent's index, foreign key and
    // trigger are clones.
    let indexes: Vec<&str> = p.indexes.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(indexes, ["orders_2024_id"]);
    assert!(p.primary_key.is_none() && p.foreign_keys.is_empty() && p.triggers.is_empty());
    // The copies are only named, by the parent's index they copy.
    let clones: Vec<(&str, &str)> = p
        .cloned_indexes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        clones,
        [
            ("orders_pkey", "orders_2024_pkey"),
            ("orders_user", "orders_2024_user_id_idx")
        ]
    );
    assert_eq!(
        table("orders_rest").partition_of.as_ref().unwrap().bound,
        "DEFAULT"
    );
    let people = table("people");
    assert_eq!(people.inherits, [QualifiedName::new("public", "named")]);
    let inherited: Vec<(&str, bool)> = people
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.inherited))
        .collect();
    assert_eq!(inherited, [("name", true), ("age", false)]);
    assert!(people.checks.is_empty(), "{:?}", people.checks);
    assert_eq!(table("named").checks.len(), 1);
    // Same number of queries as the set-wise test's schemas.
    let other = retort_testkit::pg::database();
    let mut plain = open(&other.url);
    plain.execute(&tables(5)).unwrap();
    introspect(&mut plain, &[]).unwrap();
    assert_eq!(c.queries, plain.queries);
}

/// Index and key columns are named in the client from the columns already
/// read (not by a catalog join per key): the server's own
/// `pg_get_indexdef(index, k, true)` is the judge for every index column,
/// with keyword, mixed-case and quoted names, expressions, `INCLUDE`
/// columns, a dropped column before the key and a materialized view's
/// index; keys name their columns, and a foreign key into one of retort's
/// own tables (not read) still names the referenced column.
#[test]
fn postgres_index_and_key_columns_are_named_as_the_server_names_them() {
    let db = retort_testkit::pg::database();
    let mut c = open(&db.url);
    c.execute(
        r#"CREATE TABLE retort_version (version_num varchar(32) NOT NULL PRIMARY KEY);
         CREATE TABLE "Odd" (gone integer, id integer, "user" text, "Mixed" text, "with ""quote" text,
             "order" integer, plain_col text, "select" text,
             CONSTRAINT odd_pk PRIMARY KEY ("order", id), CONSTRAINT odd_uq UNIQUE ("Mixed", "user"),
             CONSTRAINT odd_fk FOREIGN KEY ("select") REFERENCES retort_version (version_num));
         ALTER TABLE "Odd" DROP COLUMN gone;
         CREATE TABLE child (a integer, b integer, FOREIGN KEY (b, a) REFERENCES "Odd" ("order", id));
         CREATE INDEX odd_cols ON "Odd" ("user" DESC, "Mixed", "with ""quote" text_pattern_ops, plain_col);
         CREATE INDEX odd_expr ON "Odd" (lower("Mixed"), "order", (id + 1)) INCLUDE ("select", plain_col);
         CREATE MATERIALIZED VIEW mv AS SELECT id, "user" FROM "Odd";
         CREATE INDEX mv_user ON mv ("user", id);"#,
    )
    .unwrap();
    let s = introspect(&mut c, &own_tables()).unwrap();
    let judge = c
        .inner
        .query_rows(
            "SELECT i.relname, k, pg_get_indexdef(ix.indexrelid, k, true), k <= ix.indnkeyatts \
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid, generate_series(1, ix.indnatts) k \
             WHERE i.relname IN ('odd_cols', 'odd_expr', 'mv_user') ORDER BY 1, 2",
        )
        .unwrap();
    let odd = s.table(&QualifiedName::new("public", "Odd")).unwrap();
    let mv = s.views.iter().find(|v| v.name.name == "mv").unwrap();
    for index in ["odd_cols", "odd_expr", "mv_user"] {
        let found = odd
            .indexes
            .iter()
            .chain(&mv.indexes)
            .find(|i| i.name == index)
            .unwrap();
        let server: Vec<(String, bool)> = judge
            .iter()
            .filter(|r| r[0].as_deref() == Some(index))
            .map(|r| (r[2].clone().unwrap(), r[3].as_deref() == Some("t")))
            .collect();
        let keys: Vec<&String> = server.iter().filter(|(_, k)| *k).map(|(c, _)| c).collect();
        let included: Vec<&String> = server.iter().filter(|(_, k)| !*k).map(|(c, _)| c).collect();
        assert_eq!(found.parts.len(), keys.len(), "{index}: {:?}", found.parts);
        for (part, key) in found.parts.iter().zip(&keys) {
            assert!(part.starts_with(key.as_str()), "{index}: {part} vs {key}");
        }
        assert_eq!(
            found.include.iter().collect::<Vec<_>>(),
            included,
            "{index}"
        );
    }
    let cols = odd.indexes.iter().find(|i| i.name == "odd_cols").unwrap();
    assert_eq!(
        cols.parts,
        [
            r#""user" DESC"#,
            r#""Mixed""#,
            r#""with ""quote" text_pattern_ops"#,
            "plain_col"
        ]
    );
    let pk = odd.primary_key.as_ref().unwrap();
    assert_eq!(pk.columns, ["order", "id"]);
    assert_eq!(odd.uniques[0].columns, ["Mixed", "user"]);
    let fk = &odd.foreign_keys[0];
    assert_eq!(fk.columns, ["select"]);
    assert_eq!(fk.referenced_columns, ["version_num"]);
    let child = s.table(&QualifiedName::new("public", "child")).unwrap();
    assert_eq!(child.foreign_keys[0].columns, ["b", "a"]);
    assert_eq!(child.foreign_keys[0].referenced_columns, ["order", "id"]);
}
