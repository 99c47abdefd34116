//! Scratch projects: a temp folder with a `retort.toml` and revision files.

use std::path::{Path, PathBuf};

/// A project in a temp folder, removed when dropped.
pub struct TestProject {
    dir: tempfile::TempDir,
}

impl Default for TestProject {
    fn default() -> Self {
        Self::new()
    }
}

impl TestProject {
    /// An empty project with the default layout and config.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("migrations/versions")).expect("versions dir");
        std::fs::write(
            dir.path().join("retort.toml"),
            "[database]\nurl = \"sqlite:///test.db\"\n",
        )
        .expect("config");
        Self { dir }
    }

    /// The project folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The versions folder.
    pub fn versions(&self) -> PathBuf {
        self.dir.path().join("migrations/versions")
    }

    /// Replaces `retort.toml`.
    pub fn write_config(&self, text: &str) {
        std::fs::write(self.dir.path().join("retort.toml"), text).expect("config");
    }

    /// Writes a revision file `<id>.sql`. `parents` comma-separated (empty
    /// for a root); `extra_headers` like `"Branch Labels: a\n"`.
    pub fn revision(
        &self,
        id: &str,
        parents: &str,
        extra_headers: &str,
        upgrade: &str,
        downgrade: Option<&str>,
    ) -> PathBuf {
        let mut text =
            format!("-- revision {id}\n--\n-- Revision ID: {id}\n-- Revises: {parents}\n");
        for line in extra_headers.lines() {
            text.push_str(&format!("-- {line}\n"));
        }
        text.push_str(&format!("\n-- +upgrade\n{upgrade}\n"));
        if let Some(down) = downgrade {
            text.push_str(&format!("\n-- +downgrade\n{down}\n"));
        }
        let path = self.versions().join(format!("{id}.sql"));
        std::fs::write(&path, text).expect("revision file");
        path
    }

    /// A revision whose upgrade creates table `t_<id>` and whose downgrade
    /// drops it, as in Alembic's own graph tests.
    pub fn table_revision(&self, id: &str, parents: &str, extra_headers: &str) -> PathBuf {
        self.revision(
            id,
            parents,
            extra_headers,
            &format!("CREATE TABLE t_{id} (id integer PRIMARY KEY);"),
            Some(&format!("DROP TABLE t_{id};")),
        )
    }
}
