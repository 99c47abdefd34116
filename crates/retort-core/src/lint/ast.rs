//! The parser path: statements that `sqlparser` parses are read from its
//! syntax tree. Statement kinds this module does not model go to the token
//! scan, which recognises the few other forms the rules care about.

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, AlterTypeOperation, ColumnDef, ColumnOption,
    GeneratedExpressionMode, Ident, ObjectName, ObjectType, RenameTableNameKind, Statement,
    TableConstraint,
};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use super::ops::{fold, not_null_check_column, rewrite_reason, ConstraintKind, Op};
use super::scan;
use crate::dialect::DialectKind;

/// The operations of one statement: from the syntax tree when `sqlparser`
/// parses it, else from the token scan. Never fails.
pub(crate) fn statement_ops(sql: &str, dialect: DialectKind) -> Vec<Op> {
    let parser_dialect: Box<dyn Dialect> = match dialect {
        DialectKind::Postgres => Box::new(PostgreSqlDialect {}),
        DialectKind::Sqlite => Box::new(SQLiteDialect {}),
        DialectKind::Mysql => Box::new(MySqlDialect {}),
    };
    match Parser::parse_sql(parser_dialect.as_ref(), sql) {
        Ok(statements) if statements.len() == 1 => {
            tree_ops(&statements[0]).unwrap_or_else(|| scan::statement_ops(sql))
        }
        _ => scan::statement_ops(sql),
    }
}

/// Operations read from the tree; `None` for statement kinds left to the scan.
fn tree_ops(statement: &Statement) -> Option<Vec<Op>> {
    match statement {
        Statement::CreateTable(ct) => Some(vec![Op::CreateTable {
            table: object(&ct.name),
        }]),
        Statement::CreateIndex(ci) => Some(vec![Op::CreateIndex {
            table: object(&ci.table_name),
            concurrently: ci.concurrently,
        }]),
        Statement::AlterTable(at) => {
            let table = object(&at.name);
            Some(
                at.operations
                    .iter()
                    .map(|op| alter_table_op(&table, op))
                    .collect(),
            )
        }
        Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        } => Some(
            names
                .iter()
                .map(|n| Op::DropTable { table: object(n) })
                .collect(),
        ),
        Statement::AlterType(at) => match &at.operation {
            AlterTypeOperation::AddValue(add) => Some(vec![Op::AddEnumValue {
                type_name: object(&at.name),
                value: add.value.value.clone(),
            }]),
            _ => Some(Vec::new()),
        },
        // DROP INDEX (CONCURRENTLY is not kept in the tree), SET, VACUUM,
        // CLUSTER, REINDEX, SELECT set_config(…): the scan reads those.
        _ => None,
    }
}

fn alter_table_op(table: &str, op: &AlterTableOperation) -> Op {
    let table = table.to_string();
    match op {
        AlterTableOperation::AddColumn { column_def, .. } => add_column(table, column_def),
        AlterTableOperation::DropColumn { column_names, .. } => match column_names.first() {
            Some(c) => Op::DropColumn {
                table,
                column: ident(c),
            },
            None => Op::OtherAlterTable { table },
        },
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => Op::RenameColumn {
            table,
            from: ident(old_column_name),
            to: ident(new_column_name),
        },
        AlterTableOperation::RenameTable { table_name } => {
            let (RenameTableNameKind::As(to) | RenameTableNameKind::To(to)) = table_name;
            Op::RenameTable {
                table,
                to: object(to),
            }
        }
        AlterTableOperation::AlterColumn { column_name, op } => match op {
            AlterColumnOperation::SetDataType { data_type, .. } => Op::AlterColumnType {
                table,
                column: ident(column_name),
                new_type: data_type.to_string(),
            },
            AlterColumnOperation::SetNotNull => Op::SetNotNull {
                table,
                column: ident(column_name),
            },
            _ => Op::OtherAlterTable { table },
        },
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => {
            let (name, kind) = constraint_kind(constraint);
            Op::AddConstraint {
                table,
                name,
                kind,
                not_valid: *not_valid,
            }
        }
        AlterTableOperation::ValidateConstraint { name } => Op::ValidateConstraint {
            table,
            name: ident(name),
        },
        _ => Op::OtherAlterTable { table },
    }
}

fn add_column(table: String, def: &ColumnDef) -> Op {
    let mut not_null = false;
    let mut default = None;
    let mut stored_generated = false;
    let mut identity = false;
    for option in &def.options {
        match &option.option {
            ColumnOption::NotNull | ColumnOption::PrimaryKey(_) => not_null = true,
            ColumnOption::Default(expr) => default = Some(expr.to_string()),
            ColumnOption::Generated {
                generation_expr,
                generation_expr_mode,
                ..
            } => match generation_expr {
                Some(_) => {
                    stored_generated =
                        *generation_expr_mode != Some(GeneratedExpressionMode::Virtual)
                }
                None => identity = true,
            },
            _ => {}
        }
    }
    let data_type = def.data_type.to_string();
    let rewrite = rewrite_reason(&data_type, default.as_deref(), stored_generated, identity);
    // A value for every row (identity, generated, serial) counts as a default.
    let has_default = default.is_some() || rewrite.is_some();
    Op::AddColumn {
        table,
        column: ident(&def.name),
        not_null,
        has_default,
        rewrite,
    }
}

fn constraint_kind(c: &TableConstraint) -> (Option<String>, ConstraintKind) {
    match c {
        TableConstraint::ForeignKey(fk) => {
            (fk.name.as_ref().map(ident), ConstraintKind::ForeignKey)
        }
        TableConstraint::Check(ck) => (
            ck.name.as_ref().map(ident),
            ConstraintKind::Check {
                not_null_of: not_null_check_column(&ck.expr.to_string()),
            },
        ),
        TableConstraint::Unique(u) => (
            u.name.as_ref().map(ident),
            ConstraintKind::Unique { using_index: false },
        ),
        TableConstraint::PrimaryKey(p) => (
            p.name.as_ref().map(ident),
            ConstraintKind::Unique { using_index: false },
        ),
        TableConstraint::UniqueUsingIndex(u) | TableConstraint::PrimaryKeyUsingIndex(u) => (
            u.name.as_ref().map(ident),
            ConstraintKind::Unique { using_index: true },
        ),
        _ => (None, ConstraintKind::Other),
    }
}

fn ident(i: &Ident) -> String {
    fold(&i.value, i.quote_style.is_some())
}

/// The last part of a (possibly schema-qualified) name, folded. Tables are
/// matched by their last part: a revision rarely has two same-named tables
/// in different schemas.
fn object(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .map(ident)
        .unwrap_or_else(|| name.to_string().to_lowercase())
}
