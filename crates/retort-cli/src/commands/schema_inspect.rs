//! `retort inspect SRC`: one schema state, as SQL, JSON or a diagram.

use retort::autogen::{self, Comparison, Source};
use retort::schema::{erd, Schema};
use retort::{Error, Result};

use crate::cli::{Cli, FormatChoice, InspectArgs};
use crate::output::print_json;
use crate::progress;
use crate::term::{errln, out};

/// Reads SRC (a URL, SQL, or migrations@REV; see [`super::sides`]) and
/// prints it in the chosen format: `sql` (also `text`, the default) is the
/// DDL that creates it from an empty database, `json` the model, `mermaid`
/// and `dot` an entity-relationship diagram.
pub fn inspect(cli: &Cli, args: &InspectArgs) -> Result<()> {
    let (sides, sources) =
        super::sides::resolve(cli, &[("SRC", &args.src)], args.dev.dev_url.as_deref())?;
    let source = sources
        .into_iter()
        .next()
        .ok_or_else(|| Error::Usage("expected SRC".into()))?;
    let line = progress::Line::spinner(cli, &format!("reading {}", source.describe()));
    let scope = sides
        .scope()
        .with_privileges(args.privileges.with_privileges);
    let read = autogen::read_in(scope, &source, &sides.server);
    drop(line);
    let schema = read?;
    match cli.format_choice {
        FormatChoice::Json => print_json(&schema),
        FormatChoice::Mermaid => out!("{}", erd::mermaid(&schema)),
        FormatChoice::Dot => out!("{}", erd::dot(&schema)),
        FormatChoice::Text | FormatChoice::Sql => {
            let sql = as_sql(&sides.server.kind, &source, &schema)?;
            out!("{sql}");
            if schema == Schema::default() && !cli.quiet {
                errln!("The schema is empty.");
            }
        }
    }
    Ok(())
}

/// The DDL that creates `schema` in an empty database: the upgrade from an
/// empty schema, rendered by the dialect, under a header naming the source.
fn as_sql(kind: &retort::DialectKind, source: &Source, schema: &Schema) -> Result<String> {
    let body = Comparison::new(*kind, &Schema::default(), schema).upgrade_sql()?;
    let mut text = format!(
        "-- Schema of {} ({kind}), as retort {} reads it.\n",
        source.describe(),
        env!("CARGO_PKG_VERSION")
    );
    if !body.is_empty() {
        text.push('\n');
        text.push_str(&body);
        text.push('\n');
    }
    Ok(text)
}
