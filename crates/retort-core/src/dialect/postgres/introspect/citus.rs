//! Citus's distribution of tables (`pg_dist_partition`), read when the
//! database is a Citus coordinator. Shards are hidden from the catalog
//! queries by Citus itself, and its own tables are extension members: only
//! the distribution of the user's tables is read.

use std::collections::BTreeMap;

use crate::dialect::catalog::{opt, query, text, truthy, Builder};
use crate::dialect::Connection;
use crate::error::Result;
use crate::schema::{Distribution, QualifiedName};

/// Marks each table Citus distributes. `autoconverted` is read through
/// `to_jsonb` so that a Citus without that column still answers.
pub(super) fn distribution(conn: &mut dyn Connection, b: &mut Builder) -> Result<()> {
    let rows = query(
        conn,
        "the distribution of Citus tables",
        "SELECT n.nspname, c.relname, p.partmethod::text, p.repmodel::text, \
         coalesce(to_jsonb(p) ->> 'autoconverted', 'false') = 'true', \
         column_to_column_name(p.logicalrelid, p.partkey), p.colocationid, \
         (SELECT count(*) FROM pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid) \
         FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 1, 2",
    )?;
    // Hash-distributed tables by colocation group, in name order: the
    // first of each group leads it, and the others name it.
    let mut groups: BTreeMap<String, Vec<QualifiedName>> = BTreeMap::new();
    for r in &rows {
        let name = QualifiedName::new(text(r, 0), text(r, 1));
        let Some(t) = b.table(&name) else { continue };
        t.distribution = match (text(r, 2).as_str(), text(r, 3).as_str()) {
            ("h", _) => {
                groups.entry(text(r, 6)).or_default().push(name);
                Some(Distribution::Hash {
                    column: opt(r, 5).unwrap_or_default(),
                    colocate_with: None,
                    shard_count: text(r, 7).parse().unwrap_or_default(),
                })
            }
            ("n", "t") => Some(Distribution::Reference),
            ("n", _) if !truthy(r, 4) => Some(Distribution::Local),
            ("n", _) => None,
            (method, _) => {
                t.unsupported = Some(format!(
                    "Citus distribution method `{method}` (append or range) is not modelled"
                ));
                None
            }
        };
    }
    for members in groups.values() {
        let Some((leader, rest)) = members.split_first() else {
            continue;
        };
        for name in rest {
            if let Some(Distribution::Hash { colocate_with, .. }) =
                b.table(name).and_then(|t| t.distribution.as_mut())
            {
                *colocate_with = Some(leader.clone());
            }
        }
    }
    Ok(())
}
