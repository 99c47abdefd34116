//! Taking over a database that real Alembic (from PyPI) migrated, as
//! docs/alembic.md tells it: point retort at `alembic_version`, write a
//! baseline revision with the id of Alembic's head, then keep going with
//! retort — and Alembic still recognises the database afterwards.

mod common;

use std::path::Path;
use std::process::Command;

use common::{retort, Backend, Db};

on_both_backends!(continues_a_database_that_alembic_migrated);

const USERS: &str = r#"
"""create users"""
from alembic import op
import sqlalchemy as sa

revision = "1a2b3c4d5e6f"
down_revision = None
branch_labels = None
depends_on = None

def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(200), nullable=False),
    )
    op.create_index("ix_users_email", "users", ["email"], unique=True)

def downgrade():
    op.drop_index("ix_users_email", "users")
    op.drop_table("users")
"#;

const POSTS: &str = r#"
"""add posts"""
from alembic import op
import sqlalchemy as sa

revision = "2b3c4d5e6f70"
down_revision = "1a2b3c4d5e6f"
branch_labels = None
depends_on = None

def upgrade():
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
    )

def downgrade():
    op.drop_table("posts")
"#;

fn alembic(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(retort_testkit::alembic::alembic())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("spawn alembic");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "alembic {args:?} failed: {text}");
    text
}

/// An Alembic project with two revisions, applied to `url` by Alembic.
fn alembic_project(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    alembic(dir.path(), &["init", "alembic"]);
    let ini = dir.path().join("alembic.ini");
    let text = std::fs::read_to_string(&ini).unwrap();
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("sqlalchemy.url") {
                // SQLAlchemy 2.1 defaults to psycopg 3; name the driver installed.
                let url = url.replace("postgresql://", "postgresql+psycopg2://");
                format!("sqlalchemy.url = {}", url.replace('%', "%%"))
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&ini, text).unwrap();
    let versions = dir.path().join("alembic/versions");
    std::fs::write(versions.join("1a2b3c4d5e6f_create_users.py"), USERS).unwrap();
    std::fs::write(versions.join("2b3c4d5e6f70_add_posts.py"), POSTS).unwrap();
    alembic(dir.path(), &["upgrade", "head"]);
    dir
}

fn continues_a_database_that_alembic_migrated(backend: Backend) {
    let db = Db::new(backend);
    let url = db.url();
    let alembic_dir = alembic_project(&url);
    assert_eq!(
        db.versions_in("alembic_version"),
        vec!["2b3c4d5e6f70".to_string()]
    );

    // 1. A retort project on the same database and version table.
    let project = tempfile::tempdir().unwrap();
    let d = project.path();
    retort(d, &["init"]).ok();
    std::fs::write(
        d.join("retort.toml"),
        format!(
            "[database]\nurl = \"{url}\"\n[migrations]\nversion_table = \"alembic_version\"\n[autogenerate]\nschema = [\"schema.sql\"]\n"
        ),
    )
    .unwrap();
    // retort reads where Alembic left the database, even with no revision
    // of its own yet (the id is unknown to it).
    let current = retort(d, &["current"]).fails(1);
    assert!(current.stderr.contains("2b3c4d5e6f70"), "{}", current.all());

    // 2. The schema as SQL (the version table is never part of it), and a
    //    baseline revision with the id of Alembic's head.
    let schema = retort(d, &["diff", "--from", "migrations@base", "--to", &url]).ok();
    assert!(
        schema.stdout.contains("CREATE TABLE posts"),
        "{}",
        schema.stdout
    );
    assert!(
        !schema.stdout.contains("alembic_version"),
        "{}",
        schema.stdout
    );
    std::fs::write(d.join("schema.sql"), &schema.stdout).unwrap();
    retort(
        d,
        &[
            "revision",
            "--autogenerate",
            "--from-migrations",
            "--rev-id",
            "2b3c4d5e6f70",
            "-m",
            "baseline from alembic",
        ],
    )
    .ok();
    let current = retort(d, &["current"]).ok();
    assert!(
        current.stdout.contains("2b3c4d5e6f70 (head)"),
        "{}",
        current.all()
    );
    retort(d, &["check"]).ok();
    let verify = retort(d, &["verify"]).ok();
    assert!(
        verify.stderr.contains("all checks passed"),
        "{}",
        verify.all()
    );

    // 3. Keep going with retort: edit schema.sql, autogenerate, upgrade.
    let mut desired = std::fs::read_to_string(d.join("schema.sql")).unwrap();
    desired.push_str("\nALTER TABLE posts ADD COLUMN published boolean;\n");
    std::fs::write(d.join("schema.sql"), desired).unwrap();
    let written = retort(
        d,
        &[
            "revision",
            "--autogenerate",
            "-m",
            "add published",
            "--rev-id",
            "3c4d5e6f7081",
        ],
    )
    .ok();
    assert!(written.stdout.contains("3c4d5e6f7081"), "{}", written.all());
    retort(d, &["upgrade", "head"]).ok();
    assert_eq!(
        db.versions_in("alembic_version"),
        vec!["3c4d5e6f7081".to_string()]
    );
    assert!(db
        .column("SELECT count(*) FROM posts WHERE published IS NULL")
        .iter()
        .all(|n| n == "0"));
    retort(d, &["check"]).ok();

    // 4. Back down one step: Alembic recognises its own head again and can
    //    take the database further down itself.
    retort(d, &["downgrade", "-1"]).ok();
    assert_eq!(
        db.versions_in("alembic_version"),
        vec!["2b3c4d5e6f70".to_string()]
    );
    let alembic_current = alembic(alembic_dir.path(), &["current"]);
    assert!(
        alembic_current.contains("2b3c4d5e6f70 (head)"),
        "{alembic_current}"
    );
    alembic(alembic_dir.path(), &["downgrade", "1a2b3c4d5e6f"]);
    assert_eq!(
        db.versions_in("alembic_version"),
        vec!["1a2b3c4d5e6f".to_string()]
    );
    assert!(!db.tables().contains(&"posts".to_string()));

    // 5. A new database built by retort alone has the same schema as the
    //    one Alembic built.
    alembic(alembic_dir.path(), &["upgrade", "head"]);
    let fresh = Db::new(backend);
    retort(d, &["--url", &fresh.url(), "upgrade", "2b3c4d5e6f70"]).ok();
    let same = retort(d, &["diff", "--from", &url, "--to", &fresh.url()]).ok();
    assert!(same.stdout.trim().is_empty(), "{}", same.stdout);
    assert_eq!(
        fresh.versions_in("alembic_version"),
        vec!["2b3c4d5e6f70".to_string()]
    );
}

/// MariaDB: Alembic (with PyMySQL) migrates, retort continues on
/// `alembic_version` from a hand-written baseline (autogenerate is not built
/// for MariaDB yet), and Alembic recognises the database afterwards.
#[test]
fn mariadb_continues_a_database_that_alembic_migrated() {
    let db = Db::new(Backend::Mariadb);
    let url = db.url();
    let alembic_dir = alembic_project(&url.replace("mysql://", "mysql+pymysql://"));
    assert_eq!(
        db.versions_in("alembic_version"),
        vec!["2b3c4d5e6f70".to_string()]
    );
    // Alembic's version table has the layout retort's has.
    assert_eq!(
        db.column("SELECT CONCAT_WS(' ', column_name, column_type, is_nullable, column_key) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'alembic_version'"),
        vec!["version_num varchar(32) NO PRI".to_string()]
    );

    let project = tempfile::tempdir().unwrap();
    let d = project.path();
    retort(d, &["init"]).ok();
    std::fs::write(
        d.join("retort.toml"),
        format!("[database]\nurl = \"{url}\"\n[migrations]\nversion_table = \"alembic_version\"\n"),
    )
    .unwrap();
    let versions = d.join("migrations/versions");
    std::fs::write(
        versions.join("2b3c4d5e6f70_baseline.sql"),
        "-- baseline from alembic\n-- Revision ID: 2b3c4d5e6f70\n-- Revises:\n\n-- +upgrade\nCREATE TABLE users (id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL);\nCREATE UNIQUE INDEX ix_users_email ON users (email);\nCREATE TABLE posts (id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY, user_id INTEGER NOT NULL, title VARCHAR(100) NOT NULL, FOREIGN KEY (user_id) REFERENCES users (id));\n\n-- +downgrade\nDROP TABLE posts;\nDROP TABLE users;\n",
    )
    .unwrap();
    std::fs::write(
        versions.join("3c4d5e6f7081_add_published.sql"),
        "-- add published\n-- Revision ID: 3c4d5e6f7081\n-- Revises: 2b3c4d5e6f70\n\n-- +upgrade\nALTER TABLE posts ADD COLUMN published BOOLEAN NOT NULL DEFAULT FALSE;\n\n-- +downgrade\nALTER TABLE posts DROP COLUMN published;\n",
    )
    .unwrap();
    let current = retort(d, &["current"]).ok();
    assert_eq!(current.stdout, "2b3c4d5e6f70\n", "{}", current.all());
    retort(d, &["upgrade", "head"]).ok();
    assert_eq!(
        db.versions_in("alembic_version"),
        vec!["3c4d5e6f7081".to_string()]
    );
    assert_eq!(
        db.column("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'posts' AND column_name = 'published'"),
        vec!["1".to_string()]
    );
    retort(d, &["downgrade", "-1"]).ok();
    assert_eq!(
        db.versions_in("alembic_version"),
        vec!["2b3c4d5e6f70".to_string()]
    );
    // Alembic knows where it is, and takes the database down itself.
    let current = alembic(alembic_dir.path(), &["current"]);
    assert!(current.contains("2b3c4d5e6f70 (head)"), "{current}");
    alembic(alembic_dir.path(), &["downgrade", "base"]);
    assert!(db.tables().is_empty(), "{:?}", db.tables());
}
