//! Views and materialized views, with what they read.

use std::collections::HashMap;

use crate::dialect::catalog::{list, opt, query, text, truthy};
use crate::dialect::Connection;
use crate::error::Result;
use crate::schema::{Index, QualifiedName, View};

/// Views and materialized views; `view_indexes` are the materialized views'
/// indexes, by view.
pub(super) fn views(
    conn: &mut dyn Connection,
    rel: &str,
    mut view_indexes: HashMap<QualifiedName, Vec<Index>>,
) -> Result<Vec<View>> {
    let mut views: Vec<View> = query(
        conn,
        "views",
        &format!(
            // What a view reads comes from its rewrite rule's dependencies,
            // as `schema RS name` items joined by US.
            "SELECT n.nspname, c.relname, pg_get_viewdef(c.oid, true), c.relkind = 'm', \
             (SELECT string_agg(DISTINCT tn.nspname || E'\\x1e' || t.relname, E'\\x1f') FROM pg_rewrite rw \
                JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid AND d.refclassid = 'pg_class'::regclass \
                JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace \
                WHERE rw.ev_class = c.oid AND t.oid <> c.oid), (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0), \
             (SELECT string_agg(a.attname || E'\\x1e' || ds.description, E'\\x1f' ORDER BY a.attnum) FROM pg_description ds \
                JOIN pg_attribute a ON a.attrelid = ds.objoid AND a.attnum = ds.objsubid \
                WHERE ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid > 0) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND {rel} ORDER BY 1, 2"
        ),
    )?
    .iter()
    .map(|r| {
        let mut reads: Vec<QualifiedName> = list(&text(r, 4))
            .iter()
            .filter_map(|item| item.split_once('\u{1e}'))
            .map(|(schema, name)| QualifiedName::new(schema, name))
            .collect();
        reads.sort();
        View {
            name: QualifiedName::new(text(r, 0), text(r, 1)),
            definition: settle_extract_fields(text(r, 2).trim()),
            materialized: truthy(r, 3),
            reads,
            comment: opt(r, 5),
            indexes: Vec::new(),
            triggers: Vec::new(),
            column_comments: list(&text(r, 6))
                .iter()
                .filter_map(|item| item.split_once('\u{1e}'))
                .map(|(column, comment)| (column.to_string(), comment.to_string()))
                .collect(),
            options: Vec::new(),
        }
    })
    .collect();
    for v in &mut views {
        if let Some(mut indexes) = view_indexes.remove(&v.name) {
            indexes.sort_by(|a, b| a.name.cmp(&b.name));
            v.indexes = indexes;
        }
    }
    Ok(views)
}

/// `EXTRACT(YEAR FROM …)` as `EXTRACT(year FROM …)`. PostgreSQL prints the
/// field of `extract('YEAR' from …)` as it was written, but parses the
/// printed `EXTRACT(YEAR FROM …)` to `year`: a view created from its own
/// definition would read back different, and every diff would replace it.
/// The field names no case-sensitive thing, so the lowercase form is the
/// fixed point. Text in quotes is left alone.
fn settle_extract_fields(def: &str) -> String {
    const OPEN: &str = "EXTRACT(";
    let mut out = String::with_capacity(def.len());
    let mut quote: Option<char> = None;
    let mut rest = def;
    while let Some(c) = rest.chars().next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if c == '\'' || c == '"' {
            quote = Some(c);
        } else if let Some(after) = rest.strip_prefix(OPEN) {
            let field_len = after
                .find(|ch: char| !ch.is_ascii_alphabetic())
                .unwrap_or(after.len());
            if field_len > 0 && after[field_len..].starts_with(" FROM ") {
                out.push_str(OPEN);
                out.push_str(&after[..field_len].to_ascii_lowercase());
                rest = &after[field_len..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::settle_extract_fields;

    #[test]
    fn extract_fields_are_lowercased_outside_quotes() {
        assert_eq!(
            settle_extract_fields(
                "SELECT EXTRACT(YEAR FROM now()) AS y, EXTRACT(epoch FROM x.t), 'EXTRACT(DAY FROM t)', \"EXTRACT(DAY FROM c)\""
            ),
            "SELECT EXTRACT(year FROM now()) AS y, EXTRACT(epoch FROM x.t), 'EXTRACT(DAY FROM t)', \"EXTRACT(DAY FROM c)\""
        );
        assert_eq!(settle_extract_fields("EXTRACT(YEAR"), "EXTRACT(YEAR");
        assert_eq!(
            settle_extract_fields("séance EXTRACT(Month FROM d)"),
            "séance EXTRACT(month FROM d)"
        );
    }
}
