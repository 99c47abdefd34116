//! Citus distribution: the functions that distribute a table, make it a
//! reference or local table, change its distribution, or take it out of
//! Citus. Each is a `SELECT` of the function, as Citus documents them.

use super::Postgres;
use crate::dialect::Dialect;
use crate::schema::{Change, Distribution, QualifiedName};

/// Renders a [`Change::SetDistribution`]; `false` for any other change.
pub(super) fn render(d: &Postgres, change: &Change, out: &mut Vec<String>) -> bool {
    let Change::SetDistribution {
        table,
        distribution,
    } = change
    else {
        return false;
    };
    let name = regclass(d, table);
    match distribution {
        (_, None) => out.push(format!("SELECT undistribute_table({name})")),
        (Some(Distribution::Hash { .. }), Some(to @ Distribution::Hash { .. })) => {
            out.push(alter_distributed(d, &name, to))
        }
        (from, Some(to)) => {
            if from.is_some() {
                out.push(format!("SELECT undistribute_table({name})"));
            }
            out.push(distribute(d, &name, to));
        }
    }
    true
}

/// The table's name as a `regclass` argument: a literal of its quoted,
/// qualified name.
fn regclass(d: &Postgres, table: &QualifiedName) -> String {
    d.literal(&d.qualified(table))
}

/// The statement that distributes a plain table.
fn distribute(d: &Postgres, name: &str, to: &Distribution) -> String {
    match to {
        Distribution::Reference => format!("SELECT create_reference_table({name})"),
        Distribution::Local => format!("SELECT citus_add_local_table_to_metadata({name})"),
        Distribution::Hash {
            column,
            colocate_with,
            shard_count,
        } => format!(
            "SELECT create_distributed_table({name}, {}, {})",
            d.literal(column),
            colocation(d, colocate_with.as_ref(), *shard_count)
        ),
    }
}

/// `alter_distributed_table` to another column, colocation group or shard
/// count.
fn alter_distributed(d: &Postgres, name: &str, to: &Distribution) -> String {
    let Distribution::Hash {
        column,
        colocate_with,
        shard_count,
    } = to
    else {
        return distribute(d, name, to);
    };
    format!(
        "SELECT alter_distributed_table({name}, distribution_column => {}, {})",
        d.literal(column),
        colocation(d, colocate_with.as_ref(), *shard_count)
    )
}

/// A group's first table gets a group of its own with its shard count
/// (never Citus's implicit default group, which would join tables the
/// model keeps apart); the others join the first one's group.
fn colocation(d: &Postgres, colocate_with: Option<&QualifiedName>, shard_count: u32) -> String {
    match colocate_with {
        Some(leader) => format!("colocate_with => {}", d.literal(&d.qualified(leader))),
        None => format!("colocate_with => 'none', shard_count => {shard_count}"),
    }
}
