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
                WHERE rw.ev_class = c.oid AND t.oid <> c.oid), obj_description(c.oid, 'pg_class'), \
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
            definition: text(r, 2).trim().to_string(),
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
