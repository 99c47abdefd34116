//! A small service that carries the resumator example's migrations in its
//! binary (`embed_migrations!`), upgrades its database at start-up with the
//! async API, and serves the resume templates over HTTP.
//!
//! ```text
//! DATABASE_URL=sqlite:///resumes.db cargo run -p resume-service
//! curl http://127.0.0.1:3000/templates      # ["classic"]
//! curl http://127.0.0.1:3000/version        # {"revisions":["5e1a7c3d9f40"]}
//! ```

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use retort::embed::EmbeddedProject;
use retort::nonblocking::AsyncMigrator;

/// The resumator example's revisions, compiled in.
pub static MIGRATIONS: EmbeddedProject =
    retort_macros::embed_migrations!("../resumator/migrations");

/// What the handlers share: the database and its migrator.
#[derive(Clone)]
pub struct App {
    url: Arc<str>,
    migrator: AsyncMigrator,
}

/// An error as the client sees it: status 500 and the message (retort's
/// messages never contain a password).
type Failure = (StatusCode, String);

fn failure(e: retort::Error) -> Failure {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

impl App {
    /// Upgrades `url` to head, then returns the service's state.
    pub async fn start(url: &str) -> retort::Result<App> {
        let migrator = AsyncMigrator::new(MIGRATIONS.project()?, url)?;
        let applied = migrator.upgrade("head").await?;
        eprintln!("resume-service: {} revisions applied", applied.len());
        Ok(App {
            url: url.into(),
            migrator,
        })
    }

    /// The HTTP routes.
    pub fn router(self) -> Router {
        Router::new()
            .route("/templates", get(templates))
            .route("/version", get(version))
            .with_state(self)
    }
}

/// `GET /templates`: the names of the resume templates, sorted.
async fn templates(State(app): State<App>) -> Result<Json<Vec<String>>, Failure> {
    let url = app.url.to_string();
    // The example reads with retort's own connection so that one code path
    // serves SQLite and PostgreSQL; a real service uses its own driver.
    let names = tokio::task::spawn_blocking(move || -> Result<Vec<String>, String> {
        let parsed = retort::DatabaseUrl::parse(&url, std::path::Path::new("."))
            .map_err(|e| e.to_string())?;
        let mut conn = retort::dialect::connect(&parsed).map_err(|e| e.to_string())?;
        let names = conn
            .query_column("SELECT name FROM resume_templates ORDER BY name")
            .map_err(|db| format!("reading the templates: {db}"))?;
        Ok(names.into_iter().flatten().collect())
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|names| names)
    .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok(Json(names))
}

/// The response of `GET /version`.
#[derive(Debug, serde::Serialize)]
pub struct Version {
    /// The database's current revisions (the version-table rows).
    pub revisions: Vec<String>,
}

/// `GET /version`: the database's current revisions.
async fn version(State(app): State<App>) -> Result<Json<Version>, Failure> {
    let revisions = app.migrator.current().await.map_err(failure)?;
    Ok(Json(Version { revisions }))
}
