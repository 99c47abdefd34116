//! The rules themselves: one pass over a section's statements, in order,
//! remembering what the revision did so far (tables it created, whether it
//! set `lock_timeout`, which NOT NULL checks it validated).

use std::collections::{HashMap, HashSet};

use super::ast::statement_ops;
use super::ops::{ConstraintKind, Op};
use super::{LintOptions, Rule};
use crate::dialect::DialectKind;
use crate::script::Statement;

/// A finding before it gets its revision and file: rule, statement index,
/// message.
pub(crate) struct RawFinding {
    pub rule: Rule,
    pub statement: usize,
    pub message: String,
}

/// What the revision did so far.
#[derive(Default)]
struct State {
    /// Tables created earlier in the revision (last name part, folded).
    created: HashSet<String>,
    /// A `SET lock_timeout` ran.
    lock_timeout: bool,
    /// R010 was reported already (once per revision).
    lock_reported: bool,

    /// `CHECK (col IS NOT NULL)` constraints by name: those of other
    /// revisions, and those added NOT VALID in this one.
    pending_checks: HashMap<String, (String, String)>,
    /// Constraints added NOT VALID in this revision.
    not_valid_here: HashSet<String>,
    /// `(table, column)` with a validated `CHECK (col IS NOT NULL)`.
    validated: HashSet<(String, String)>,
}

/// Runs every rule over one section's statements.
pub(crate) fn check(
    statements: &[Statement],
    transactional: bool,
    options: &LintOptions,
    known_checks: &HashMap<String, (String, String)>,
) -> Vec<RawFinding> {
    let ops: Vec<Vec<Op>> = statements
        .iter()
        .map(|s| statement_ops(&s.sql, options.dialect))
        .collect();
    let created_anywhere: HashSet<&str> = ops
        .iter()
        .flatten()
        .filter_map(|op| match op {
            Op::CreateTable { table } => Some(table.as_str()),
            _ => None,
        })
        .collect();
    let mut state = State {
        pending_checks: known_checks.clone(),
        ..State::default()
    };
    let mut out = Vec::new();
    if options.dialect == DialectKind::Mysql {
        mysql_rules(statements, &ops, options, &mut out);
    }
    for (index, statement_ops) in ops.iter().enumerate() {
        for op in statement_ops {
            let mut emit = |rule: Rule, message: String| {
                if rule.applies_to(options.dialect) {
                    out.push(RawFinding {
                        rule,
                        statement: index,
                        message,
                    });
                }
            };
            // R010 first: it concerns the lock, whatever the operation is.
            let strong = match op {
                Op::VacuumFull | Op::Cluster => Some("the table it works on"),
                _ => op.locked_table().filter(|t| !state.created.contains(*t)),
            };
            if let Some(what) = strong {
                if !state.lock_timeout && !state.lock_reported {
                    state.lock_reported = true;
                    emit(
                        Rule::MissingLockTimeout,
                        format!(
                            "this statement locks {what} before the revision sets lock_timeout: if it has to wait behind a long query, every query on that table queues behind it; start the revision with SET lock_timeout = '2s' (or SET LOCAL)",
                            what = if what == "the table it works on" { what.to_string() } else { format!("table {what}") }
                        ),
                    );
                }
            }
            check_op(
                op,
                &mut state,
                &ops[index + 1..],
                statements,
                index,
                &created_anywhere,
                transactional,
                options,
                &mut emit,
            );
        }
    }
    // The MySQL rules ran first: put every finding in statement order.
    out.sort_by_key(|f| f.statement);
    out
}

#[allow(clippy::too_many_arguments)]
fn check_op(
    op: &Op,
    state: &mut State,
    later: &[Vec<Op>],
    statements: &[Statement],
    index: usize,
    created_anywhere: &HashSet<&str>,
    transactional: bool,
    options: &LintOptions,
    emit: &mut dyn FnMut(Rule, String),
) {
    let existing = |t: &str| !state.created.contains(t);
    match op {
        Op::CreateTable { table } => {
            state.created.insert(table.clone());
        }
        Op::AddColumn {
            table,
            column,
            not_null,
            has_default,
            rewrite,
        } if existing(table) => {
            if *not_null && !*has_default {
                let fails = if options.dialect == DialectKind::Sqlite {
                    "SQLite refuses it outright"
                } else {
                    "it fails as soon as the table has a row"
                };
                emit(
                    Rule::AddingNotNullColumn,
                    format!("column {column} is added to {table} as NOT NULL without a default: {fails}; add it with a DEFAULT, or nullable, backfill, then make it NOT NULL"),
                );
            }
            if let Some(reason) = rewrite {
                emit(
                    Rule::AddingVolatileDefault,
                    format!("adding column {column} rewrites all of {table} under an ACCESS EXCLUSIVE lock ({reason}); add the column without it, then backfill in batches"),
                );
            }
        }
        Op::DropColumn { table, column } if existing(table) => emit(
            Rule::DroppingColumn,
            format!("column {table}.{column} is dropped with its data, and running code that still reads it breaks; stop using it in a release first, then drop it"),
        ),
        Op::RenameColumn { table, from, to } if existing(table) => emit(
            Rule::RenamingColumn,
            format!("column {table}.{from} is renamed to {to}: code still running against the old name breaks; add the new column, write both, then drop the old one"),
        ),
        Op::RenameTable { table, to } => {
            if existing(table) {
                emit(
                    Rule::RenamingTable,
                    format!("table {table} is renamed to {to}: code still running against the old name breaks; create the new table (or a view under the old name) and move over in steps"),
                );
            } else {
                state.created.insert(to.clone());
            }
        }
        Op::AlterColumnType {
            table,
            column,
            new_type,
        } if existing(table) => emit(
            Rule::ChangingColumnType,
            format!("changing {table}.{column} to {new_type} holds an ACCESS EXCLUSIVE lock and, unless the types are binary-compatible, rewrites the table and its indexes; add a new column, backfill, and switch over"),
        ),
        Op::SetNotNull { table, column }
            if existing(table) && !state.validated.contains(&(table.clone(), column.clone())) =>
        {
            emit(
                Rule::SettingNotNull,
                format!("SET NOT NULL on {table}.{column} scans the whole table under an ACCESS EXCLUSIVE lock; first ADD CONSTRAINT … CHECK ({column} IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT, then SET NOT NULL (PostgreSQL 12+ skips the scan)"),
            );
        }
        Op::AddConstraint {
            table,
            name,
            kind,
            not_valid,
        } if existing(table) => add_constraint(table, name.as_deref(), kind, *not_valid, state, emit),
        Op::ValidateConstraint { table, name } => {
            if transactional && state.not_valid_here.contains(name) {
                emit(
                    Rule::AddingConstraintWithoutNotValid,
                    format!("constraint {name} is validated in the same transaction that added it NOT VALID, so the ADD's lock on {table} is held during the whole scan; validate it in a later revision"),
                );
            }
            if let Some(key) = state.pending_checks.remove(name) {
                state.validated.insert(key);
            }
        }
        Op::CreateIndex {
            table,
            concurrently,
        } => {
            if *concurrently && transactional {
                emit(Rule::ConcurrentlyInTransaction, concurrently_message("CREATE INDEX CONCURRENTLY"));
            }
            if !*concurrently && existing(table) {
                emit(
                    Rule::CreatingIndexNonConcurrently,
                    format!("building an index on {table} without CONCURRENTLY blocks every write to the table until it finishes; use CREATE INDEX CONCURRENTLY in a revision with 'Transaction: false'"),
                );
            }
        }
        Op::DropIndex { concurrently: true } if transactional => {
            emit(Rule::ConcurrentlyInTransaction, concurrently_message("DROP INDEX CONCURRENTLY"))
        }
        Op::Reindex { concurrently: true } if transactional => {
            emit(Rule::ConcurrentlyInTransaction, concurrently_message("REINDEX CONCURRENTLY"))
        }
        Op::DropTable { table } => {
            // SQLite's rebuild (create new, copy, drop old, rename new to
            // old) drops no data: skip a drop that a later rename undoes.
            let rebuilt = later.iter().flatten().any(|op| {
                matches!(op, Op::RenameTable { table: from, to } if to == table && created_anywhere.contains(from.as_str()))
            });
            if existing(table) && !rebuilt {
                emit(
                    Rule::DroppingTable,
                    format!("table {table} is dropped with its data, and running code that still uses it breaks; stop using it in a release first, then drop it"),
                );
            }
            state.created.remove(table);
        }
        Op::AddEnumValue { type_name, value } if transactional => {
            add_enum_value(type_name, value, &statements[index + 1..], options, emit)
        }
        Op::SetLockTimeout => state.lock_timeout = true,
        Op::VacuumFull => emit(
            Rule::VacuumFullOrCluster,
            "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock (and cannot run in a transaction); use pg_repack or plain VACUUM".into(),
        ),
        Op::Cluster => emit(
            Rule::VacuumFullOrCluster,
            "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock; use pg_repack, or run it in a maintenance window, not in a migration".into(),
        ),
        _ => {}
    }
}

/// R016–R019, MySQL's and MariaDB's own dangers: table copies, columns
/// placed with FIRST/AFTER, no `lock_wait_timeout`, several DDL statements.
fn mysql_rules(
    statements: &[Statement],
    ops: &[Vec<Op>],
    options: &LintOptions,
    out: &mut Vec<RawFinding>,
) {
    // Tables created in the revision so far: no copy, no wait. Lower-cased:
    // MySQL table names are case-insensitive on the usual servers.
    let mut created: HashSet<String> = HashSet::new();
    let mut lock_wait_timeout = options.lock_wait_timeout_configured;
    let mut lock_wait_reported = false;
    let ddl = crate::dialect::of(DialectKind::Mysql);
    let ddl_total = statements
        .iter()
        .filter(|s| ddl.commits_implicitly(&s.sql))
        .count();
    let mut ddl_seen = 0;
    let mut first_ddl_line = 0;
    for (index, s) in statements.iter().enumerate() {
        let mut emit = |rule: Rule, message: String| {
            out.push(RawFinding {
                rule,
                statement: index,
                message,
            })
        };
        if super::mysql::sets_lock_wait_timeout(&s.sql) {
            lock_wait_timeout = true;
        }
        let locked = ops[index].iter().find_map(|op| {
            op.locked_table()
                .filter(|t| !created.contains(&t.to_lowercase()))
        });
        if let (Some(table), false, false) = (locked, lock_wait_timeout, lock_wait_reported) {
            lock_wait_reported = true;
            emit(
                Rule::MissingLockWaitTimeout,
                format!("this statement needs the metadata lock of table {table} and nothing bounds the wait (the server's default lock_wait_timeout is a year): behind a long transaction it waits, and every query on {table} queues behind it; start the revision with SET SESSION lock_wait_timeout = 10, or set [database] lock_wait_timeout in retort.toml"),
            );
        }
        if ddl.commits_implicitly(&s.sql) {
            ddl_seen += 1;
            if ddl_seen == 1 {
                first_ddl_line = s.line;
            } else if ddl_seen == 2 {
                emit(
                    Rule::SeveralDdlStatements,
                    format!("this revision holds {ddl_total} DDL statements (the first at line {first_ddl_line}); each commits on its own, so if this one fails the earlier ones stay applied (retort resumes after a fix, docs/mysql.md); put each DDL statement in its own revision where you can"),
                );
            }
        }
        if let Some(alter) = super::mysql::alter(&s.sql) {
            if !created.contains(&alter.table) && !alter.no_copy_asked() {
                mysql_alter(&alter, &mut emit);
            }
        }
        for op in &ops[index] {
            match op {
                Op::CreateTable { table } => {
                    created.insert(table.to_lowercase());
                }
                Op::RenameTable { table, to } if created.contains(&table.to_lowercase()) => {
                    created.insert(to.to_lowercase());
                }
                Op::DropTable { table } => {
                    created.remove(&table.to_lowercase());
                }
                _ => {}
            }
        }
    }
}

/// R016 and R017 for one `ALTER TABLE` on an existing table that does not
/// already say `ALGORITHM=INPLACE` or `INSTANT`.
fn mysql_alter(alter: &super::mysql::Alter, emit: &mut dyn FnMut(Rule, String)) {
    let table = &alter.table;
    let mut copies = alter.copies.clone();
    if alter.algorithm.as_deref() == Some("COPY") {
        copies.insert(0, "ALGORITHM=COPY asks for a copy".into());
    }
    if !copies.is_empty() {
        emit(
            Rule::CopyingTable,
            format!("this ALTER copies all of {table} into a new table while writes to it wait ({}); say ALGORITHM=INPLACE, LOCK=NONE (or ALGORITHM=INSTANT) so the server refuses instead of copying, and for a type change add a new column, backfill, and switch over", copies.join("; ")),
        );
    }
    for column in &alter.placed {
        emit(
            Rule::AddingColumnNotAtEnd,
            format!("column {column} is added to {table} with FIRST/AFTER: instant only on MySQL 8.0.29+ and MariaDB 10.4+, a rebuild of the whole table on older MySQL 8.0 (as long as a copy, and replicas lag behind it); add it at the end, or say ALGORITHM=INSTANT so an older server refuses instead of rebuilding"),
        );
    }
}

/// `ADD CONSTRAINT` on an existing table: validation without `NOT VALID`,
/// unique keys built under a lock; remembers `NOT VALID` checks for the
/// rules that look at what follows.
fn add_constraint(
    table: &str,
    name: Option<&str>,
    kind: &ConstraintKind,
    not_valid: bool,
    state: &mut State,
    emit: &mut dyn FnMut(Rule, String),
) {
    let label = name.map(|n| format!(" {n}")).unwrap_or_default();
    match kind {
                ConstraintKind::ForeignKey | ConstraintKind::Check { .. } if !not_valid => {
                    let what = if *kind == ConstraintKind::ForeignKey {
                        "foreign key"
                    } else {
                        "check"
                    };
                    emit(
                        Rule::AddingConstraintWithoutNotValid,
                        format!("adding {what}{label} to {table} checks every row while holding a lock that blocks writes; add it NOT VALID, then VALIDATE CONSTRAINT in a later revision"),
                    );
                }
                ConstraintKind::Unique { using_index: false } => emit(
                    Rule::AddingUniqueConstraint,
                    format!("adding unique/primary key{label} to {table} builds an index under an ACCESS EXCLUSIVE lock; CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … USING INDEX"),
                ),
                _ => {}
            }
    if let (true, Some(n)) = (not_valid, name) {
        state.not_valid_here.insert(n.to_string());
    }
    if let ConstraintKind::Check {
        not_null_of: Some(column),
    } = kind
    {
        let key = (table.to_string(), column.clone());
        if not_valid {
            if let Some(n) = name {
                state.pending_checks.insert(n.to_string(), key);
            }
        } else {
            state.validated.insert(key);
        }
    }
}

/// `ALTER TYPE … ADD VALUE` in a transaction: refused before PostgreSQL 12,
/// and the new value cannot be used later in the same transaction.
fn add_enum_value(
    type_name: &str,
    value: &str,
    later_statements: &[Statement],
    options: &LintOptions,
    emit: &mut dyn FnMut(Rule, String),
) {
    if options.postgres_version < 12 {
        emit(
                    Rule::AddingEnumValueInTransaction,
                    format!("ALTER TYPE {type_name} ADD VALUE cannot run inside a transaction before PostgreSQL 12 (target: {}); put it in its own revision with 'Transaction: false'", options.postgres_version),
                );
    } else {
        let quoted = format!("'{}'", value.replace('\'', "''"));
        if let Some(used) = later_statements.iter().find(|s| s.sql.contains(&quoted)) {
            emit(
                        Rule::AddingEnumValueInTransaction,
                        format!("the new value {quoted} of {type_name} is used at line {} in the same transaction, which PostgreSQL refuses (unsafe use of new value); use it in a later revision", used.line),
                    );
        }
    }
}

fn concurrently_message(what: &str) -> String {
    format!("{what} cannot run inside a transaction block and this revision runs in one; add 'Transaction: false' to its header (and keep the statement alone in that revision)")
}

/// The `CHECK (col IS NOT NULL)` constraints that `statements` add, by name:
/// a later revision that validates one of them by name may then SET NOT NULL
/// without R009.
pub(crate) fn not_null_checks(
    statements: &[Statement],
    dialect: DialectKind,
    into: &mut HashMap<String, (String, String)>,
) {
    for s in statements {
        for op in statement_ops(&s.sql, dialect) {
            if let Op::AddConstraint {
                table,
                name: Some(name),
                kind:
                    ConstraintKind::Check {
                        not_null_of: Some(column),
                    },
                ..
            } = op
            {
                into.insert(name, (table, column));
            }
        }
    }
}
