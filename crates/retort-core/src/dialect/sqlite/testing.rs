//! `retort::testing` on SQLite: the template and the copies are files in
//! the folder of the URL's file.

use std::path::PathBuf;

use crate::db_url::{DatabaseUrl, SqliteTarget};
use crate::dialect::scratch::Cleanup;
use crate::error::{Error, Result};

/// The file called `name.db` beside the URL's file.
fn beside(server: &DatabaseUrl, name: &str) -> Result<PathBuf> {
    match &server.sqlite {
        Some(SqliteTarget::File(path)) => {
            let dir = path.parent().map(PathBuf::from).unwrap_or_default();
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            Ok(dir.join(format!("{name}.db")))
        }
        _ => Err(Error::Usage(
            "retort::testing on SQLite needs a file URL (sqlite:///folder/any.db): the template and the copies are files in that folder".into(),
        )),
    }
}

fn url_of(path: &std::path::Path) -> Result<DatabaseUrl> {
    DatabaseUrl::parse(
        &format!("sqlite:///{}", path.display()),
        std::path::Path::new("."),
    )
}

pub(super) fn template(server: &DatabaseUrl, name: &str) -> Result<DatabaseUrl> {
    url_of(&beside(server, name)?)
}

pub(super) fn copy(
    server: &DatabaseUrl,
    template: &str,
    name: &str,
) -> Result<(DatabaseUrl, Cleanup)> {
    let from = beside(server, template)?;
    let to = beside(server, name)?;
    std::fs::copy(&from, &to).map_err(|e| Error::io(&from, e))?;
    let url = url_of(&to)?;
    let cleanup: Cleanup = Box::new(move || {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut file = to.clone().into_os_string();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    });
    Ok((url, cleanup))
}
