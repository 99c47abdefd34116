//! `DATABASE_URL=… [ADDR=127.0.0.1:3000] resume-service`: upgrades the
//! database to head, then serves `/templates` and `/version`.

use resume_service::App;

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite:///resumes.db".into());
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let app = match App::start(&url).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!(
                "resume-service: cannot migrate {}: {e}",
                retort::mask_url(&url)
            );
            std::process::exit(1);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("resume-service: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    eprintln!("resume-service: listening on http://{addr}");
    if let Err(e) = axum::serve(listener, app.router()).await {
        eprintln!("resume-service: {e}");
        std::process::exit(1);
    }
}
