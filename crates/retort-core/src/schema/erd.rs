//! Entity-relationship diagrams of a [`Schema`]: Mermaid's `erDiagram` and a
//! Graphviz digraph, for `retort inspect --format mermaid|dot`.
//!
//! Both show every table with its columns and their types, the primary-key
//! and foreign-key columns marked (`PK`, `FK`), and one edge per foreign key
//! from the referencing table to the referenced one. Names are escaped so
//! that any identifier the database allows keeps the output valid:
//!
//! - Mermaid: a table is a quoted entity name (`"public.users"`, with the
//!   characters Mermaid's grammar forbids there — `"`, `%`, `\` and control
//!   characters — replaced by `_`); a column's name and type are written as
//!   Mermaid's attribute grammar allows (other characters become `_`), and
//!   when that changed them the exact `name type` follows as the attribute's
//!   quoted comment.
//! - Graphviz: nodes are `t0`, `t1`… and everything a user named is inside
//!   HTML-like labels, with `&`, `<`, `>` and `"` written as entities.
//!
//! Views, sequences and the rest are not drawn: a diagram is about tables
//! and how they reference each other.

use super::{QualifiedName, Schema, Table};

/// A table's name as the diagrams show it: `name` in the default schema
/// (`public`, or none), `schema.name` elsewhere.
fn display_name(name: &QualifiedName) -> String {
    if name.schema.is_empty() || name.schema == "public" {
        name.name.clone()
    } else {
        format!("{}.{}", name.schema, name.name)
    }
}

/// The marks of a column: `PK`, `FK`, or both.
fn keys(table: &Table, column: &str) -> Vec<&'static str> {
    let mut keys = Vec::new();
    if table
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.iter().any(|c| c == column))
    {
        keys.push("PK");
    }
    if table
        .foreign_keys
        .iter()
        .any(|fk| fk.columns.iter().any(|c| c == column))
    {
        keys.push("FK");
    }
    keys
}

/// Mermaid's quoted entity name: anything but `"`, `%`, `\` and control
/// characters.
fn mermaid_entity(name: &QualifiedName) -> String {
    let text: String = display_name(name)
        .chars()
        .map(|c| {
            if c == '"' || c == '%' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("\"{text}\"")
}

/// A word of Mermaid's attribute grammar (`[A-Za-z_][A-Za-z0-9_\-()\[\]]*`).
fn mermaid_word(text: &str) -> String {
    let mut word: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '(' | ')' | '[' | ']') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        word.insert(0, '_');
    }
    word
}

/// Text for a Mermaid quoted comment: no `"`.
fn mermaid_comment(text: &str) -> String {
    text.chars()
        .map(|c| if c == '"' || c.is_control() { '\'' } else { c })
        .collect()
}

/// The schema as a Mermaid `erDiagram`.
pub fn mermaid(schema: &Schema) -> String {
    let mut out = String::from("erDiagram\n");
    for table in &schema.tables {
        out.push_str(&format!("    {} {{\n", mermaid_entity(&table.name)));
        for column in &table.columns {
            let name = mermaid_word(&column.name);
            let data_type = mermaid_word(&column.data_type);
            out.push_str(&format!("        {data_type} {name}"));
            let keys = keys(table, &column.name);
            if !keys.is_empty() {
                out.push_str(&format!(" {}", keys.join(",")));
            }
            if name != column.name || data_type != column.data_type {
                out.push_str(&format!(
                    " \"{}\"",
                    mermaid_comment(&format!("{} {}", column.name, column.data_type))
                ));
            }
            out.push('\n');
        }
        out.push_str("    }\n");
    }
    for table in &schema.tables {
        for fk in &table.foreign_keys {
            // The referenced side is exactly one row (or none, when the
            // referencing columns may be null); the referencing side, many.
            let nullable = fk.columns.iter().any(|c| {
                table
                    .columns
                    .iter()
                    .any(|col| &col.name == c && col.nullable)
            });
            let one = if nullable { "|o" } else { "||" };
            out.push_str(&format!(
                "    {} {one}--o{{ {} : \"{}\"\n",
                mermaid_entity(&fk.references),
                mermaid_entity(&table.name),
                mermaid_comment(&fk.columns.join(", "))
            ));
        }
    }
    out
}

/// Text inside a Graphviz HTML-like label.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The schema as a Graphviz digraph: one node per table (a table of its
/// columns), one edge per foreign key, from the referencing table to the
/// referenced one, labelled with the referencing columns.
pub fn dot(schema: &Schema) -> String {
    let mut out = String::from(
        "digraph schema {\n    rankdir=LR;\n    node [shape=plaintext, fontname=\"Helvetica\"];\n    edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    let id = |name: &QualifiedName| {
        schema
            .tables
            .iter()
            .position(|t| &t.name == name)
            .map(|i| format!("t{i}"))
    };
    for (i, table) in schema.tables.iter().enumerate() {
        out.push_str(&format!(
            "    t{i} [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\"><tr><td colspan=\"3\" bgcolor=\"lightgrey\"><b>{}</b></td></tr>",
            html(&display_name(&table.name))
        ));
        for column in &table.columns {
            out.push_str(&format!(
                "<tr><td align=\"left\">{}</td><td align=\"left\">{}</td><td>{}</td></tr>",
                html(&column.name),
                html(&column.data_type),
                keys(table, &column.name).join(",")
            ));
        }
        out.push_str("</table>>];\n");
    }
    for (i, table) in schema.tables.iter().enumerate() {
        for fk in &table.foreign_keys {
            // A reference to a table that is not drawn (filtered out, or in
            // another database) gets a plain node of its own.
            let target = match id(&fk.references) {
                Some(target) => target,
                None => {
                    let node = format!("x{i}_{}", out.len());
                    out.push_str(&format!(
                        "    {node} [shape=box, style=dashed, label=<{}>];\n",
                        html(&display_name(&fk.references))
                    ));
                    node
                }
            };
            out.push_str(&format!(
                "    t{i} -> {target} [label=<{}>];\n",
                html(&fk.columns.join(", "))
            ));
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, ForeignKey, PrimaryKey};

    fn column(name: &str, data_type: &str, nullable: bool) -> Column {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            nullable,
            ..Default::default()
        }
    }

    fn sample() -> Schema {
        let parent = Table {
            name: QualifiedName {
                schema: "public".into(),
                name: "odd \"name\" <&>%".into(),
            },
            columns: vec![column("id", "integer", false)],
            primary_key: Some(PrimaryKey {
                name: "pk".into(),
                columns: vec!["id".into()],
                ..Default::default()
            }),
            ..Default::default()
        };
        let child = Table {
            name: QualifiedName {
                schema: "app".into(),
                name: "child".into(),
            },
            columns: vec![
                column("id", "bigint", false),
                column("parent id", "numeric(10,2)", true),
            ],
            foreign_keys: vec![ForeignKey {
                name: "fk".into(),
                columns: vec!["parent id".into()],
                references: parent.name.clone(),
                referenced_columns: vec!["id".into()],
                ..Default::default()
            }],
            ..Default::default()
        };
        Schema {
            tables: vec![child, parent],
            ..Default::default()
        }
    }

    #[test]
    fn mermaid_escapes_names_and_marks_keys() {
        let text = mermaid(&sample());
        assert!(text.starts_with("erDiagram\n"), "{text}");
        assert!(text.contains("    \"odd _name_ <&>_\" {\n"), "{text}");
        assert!(text.contains("        integer id PK\n"), "{text}");
        assert!(
            text.contains("        numeric(10_2) parent_id FK \"parent id numeric(10,2)\"\n"),
            "{text}"
        );
        assert!(
            text.contains("    \"odd _name_ <&>_\" |o--o{ \"app.child\" : \"parent id\"\n"),
            "{text}"
        );
    }

    #[test]
    fn dot_keeps_names_inside_escaped_labels() {
        let text = dot(&sample());
        assert!(text.starts_with("digraph schema {\n"), "{text}");
        assert!(
            text.contains("<b>odd &quot;name&quot; &lt;&amp;&gt;%</b>"),
            "{text}"
        );
        assert!(
            text.contains(
                "<td align=\"left\">parent id</td><td align=\"left\">numeric(10,2)</td><td>FK</td>"
            ),
            "{text}"
        );
        assert!(
            text.contains("    t0 -> t1 [label=<parent id>];\n"),
            "{text}"
        );
        assert!(text.trim_end().ends_with('}'), "{text}");
    }
}
