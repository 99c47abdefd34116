//! `embed_migrations!`: a retort project compiled into the binary.
//!
//! ```text
//! static MIGRATIONS: retort::embed::EmbeddedProject =
//!     retort_macros::embed_migrations!("migrations");
//! ```
//!
//! The path is relative to the crate's `Cargo.toml`. It names the project's
//! migrations folder (or the project folder itself): the configuration is
//! the `retort.toml` in that folder or the one above it, and the revision
//! files are in its version locations; without a `retort.toml`, they are
//! the `.sql` files of `PATH/versions`, or of `PATH` when it has no
//! `versions` folder.
//!
//! Everything the CLI would refuse is a compile error naming the file: a
//! file that does not parse, a duplicate id, a missing parent or
//! dependency, a cycle, and several heads that are not each on a branch of
//! their own (`retort verify`'s rule). Each file is included with
//! `include_str!`, so editing one rebuilds the crate; for adding or
//! removing one, the crate needs a build script with
//! `println!("cargo:rerun-if-changed=migrations");` (docs/embedding.md).

use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
use retort::config::Config;
use retort::project::Project;
use retort::verify::{check_heads, Status};

/// Embeds a retort project; see the crate documentation.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let expanded = match path_argument(input).and_then(|arg| expand(&arg)) {
        Ok(code) => code,
        Err(message) => format!("::core::compile_error!({message:?})"),
    };
    expanded.parse().unwrap_or_else(|_| {
        "::core::compile_error!(\"embed_migrations!: internal error\")"
            .parse()
            .unwrap_or_default()
    })
}

/// The one string literal the macro takes.
fn path_argument(input: TokenStream) -> Result<String, String> {
    const USAGE: &str = "embed_migrations! takes one string literal: the migrations folder, relative to Cargo.toml (embed_migrations!(\"migrations\"))";
    let mut tokens = input.into_iter();
    let (Some(proc_macro::TokenTree::Literal(lit)), None) = (tokens.next(), tokens.next()) else {
        return Err(USAGE.into());
    };
    let text = lit.to_string();
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => Ok(inner.to_string()),
        _ => Err(USAGE.into()),
    }
}

/// The expression for the project at `arg`, or the compile error.
fn expand(arg: &str) -> Result<String, String> {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").map_err(|_| {
        "embed_migrations!: CARGO_MANIFEST_DIR is not set (build with cargo)".to_string()
    })?;
    let manifest = PathBuf::from(manifest);
    let not_a_folder = || {
        format!(
            "embed_migrations!: {} is not a folder (the path is relative to {})",
            manifest.join(arg).display(),
            manifest.join("Cargo.toml").display()
        )
    };
    let dir = manifest
        .join(arg)
        .canonicalize()
        .map_err(|_| not_a_folder())?;
    if !dir.is_dir() {
        return Err(not_a_folder());
    }
    let manifest = manifest.canonicalize().unwrap_or(manifest);
    let (config, config_file) = config_for(&dir)?;
    let project = Project::load(config).map_err(|e| format!("embed_migrations!: {e}"))?;
    let heads = check_heads(&project);
    if heads.status == Status::Failed {
        let problems: Vec<String> = heads
            .problems
            .iter()
            .map(|p| match &p.file {
                Some(file) => format!("{} ({})", p.message, file.display()),
                None => p.message.clone(),
            })
            .collect();
        return Err(format!("embed_migrations!: {}", problems.join("; ")));
    }
    Ok(render(&manifest, &project, config_file.as_deref()))
}

/// The project's configuration and its file: `retort.toml` in `dir` or its
/// parent, else the defaults with the revision files in `dir/versions` (or
/// `dir`). The header cache is off: a build writes nothing into the
/// source tree.
fn config_for(dir: &Path) -> Result<(Config, Option<PathBuf>), String> {
    let file = std::iter::once(dir.join("retort.toml"))
        .chain(dir.parent().map(|p| p.join("retort.toml")))
        .find(|f| f.is_file());
    let mut config = match &file {
        Some(f) => Config::load(f).map_err(|e| format!("embed_migrations!: {e}"))?,
        None => {
            let versions = dir.join("versions");
            let mut config = Config::defaults(dir);
            config.version_locations = vec![if versions.is_dir() {
                versions
            } else {
                dir.to_path_buf()
            }];
            config
        }
    };
    config.header_cache = false;
    Ok((config, file))
}

/// The `EmbeddedProject` expression.
fn render(manifest: &Path, project: &Project, config_file: Option<&Path>) -> String {
    let file = |path: &Path| {
        let shown = path
            .strip_prefix(manifest)
            .unwrap_or(path)
            .display()
            .to_string();
        format!(
            "::retort::embed::EmbeddedFile {{ path: {shown:?}, text: ::core::include_str!({:?}) }}",
            path.display().to_string()
        )
    };
    let config = match config_file {
        Some(path) => format!("::core::option::Option::Some({})", file(path)),
        None => "::core::option::Option::None".to_string(),
    };
    let revisions: Vec<String> = project
        .scripts()
        .iter()
        .map(|s| {
            format!(
                "::retort::embed::EmbeddedRevision {{ file: {}, id: {:?}, checksum: {:?} }}",
                file(&s.path),
                s.id,
                s.checksum
            )
        })
        .collect();
    format!(
        "::retort::embed::EmbeddedProject {{ config: {config}, revisions: &[{}] }}",
        revisions.join(", ")
    )
}
