//! Values a revision's SQL reads when it runs: `{{ tenant }}` (the target's
//! tenant) and `{{ x.KEY }}` (`-x KEY=VALUE`). Only these two exact forms
//! are replaced, statement by statement, just before a run; any other `{{`
//! (a PostgreSQL array literal `'{{1,2},{3,4}}'`) stays as written. The
//! file itself is never rewritten, so its checksum is the same for every
//! target.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// What `{{ tenant }}` and `{{ x.KEY }}` stand for on one target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables {
    /// `{{ tenant }}`: the tenant's schema in a schema-per-tenant fleet, or
    /// the database's name (a SQLite file's name without its extension).
    pub tenant: Option<String>,
    /// `{{ x.KEY }}`: the `-x KEY=VALUE` arguments. A `{tenant}` in a value
    /// is replaced by the tenant.
    pub x: BTreeMap<String, String>,
}

/// A placeholder found in SQL: where it is, and what it names.
struct Placeholder<'a> {
    start: usize,
    end: usize,
    name: Name<'a>,
}

enum Name<'a> {
    Tenant,
    X(&'a str),
}

impl Variables {
    /// `sql` with every `{{ tenant }}` and `{{ x.KEY }}` replaced; borrowed
    /// when it has none. An error names the variable that has no value.
    pub fn substitute<'s>(&self, sql: &'s str) -> Result<Cow<'s, str>, String> {
        let mut out = String::new();
        let mut copied = 0;
        let mut from = 0;
        while let Some(p) = next_placeholder(sql, from) {
            out.push_str(&sql[copied..p.start]);
            out.push_str(&self.value(&p.name)?);
            copied = p.end;
            from = p.end;
        }
        if copied == 0 {
            return Ok(Cow::Borrowed(sql));
        }
        out.push_str(&sql[copied..]);
        Ok(Cow::Owned(out))
    }

    /// The tenant, or the error a revision that needs it gets.
    fn tenant(&self) -> Result<&str, String> {
        self.tenant.as_deref().ok_or_else(|| {
            "{{ tenant }} has no value here: the target is neither a tenant schema nor a named database".to_string()
        })
    }

    fn value(&self, name: &Name<'_>) -> Result<String, String> {
        match name {
            Name::Tenant => Ok(self.tenant()?.to_string()),
            Name::X(key) => {
                let Some(value) = self.x.get(*key) else {
                    return Err(format!(
                        "{{{{ x.{key} }}}} has no value: pass -x {key}=VALUE"
                    ));
                };
                if value.contains("{tenant}") {
                    Ok(value.replace("{tenant}", self.tenant()?))
                } else {
                    Ok(value.clone())
                }
            }
        }
    }
}

/// The first `{{ tenant }}` or `{{ x.KEY }}` at or after `from` (spaces
/// inside the braces optional; KEY of letters, digits and `_`).
fn next_placeholder(sql: &str, mut from: usize) -> Option<Placeholder<'_>> {
    while let Some(i) = sql[from..].find("{{") {
        let start = from + i;
        let inner_start = start + 2;
        if let Some(p) = placeholder_at(sql, start, inner_start) {
            return Some(p);
        }
        from = inner_start;
    }
    None
}

fn placeholder_at(sql: &str, start: usize, inner_start: usize) -> Option<Placeholder<'_>> {
    let close = sql[inner_start..].find("}}")? + inner_start;
    let inner = sql[inner_start..close].trim_matches(' ');
    let name = if inner == "tenant" {
        Name::Tenant
    } else {
        let key = inner.strip_prefix("x.")?;
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        if key.is_empty() || !key.chars().all(word) {
            return None;
        }
        Name::X(key)
    };
    Some(Placeholder {
        start,
        end: close + 2,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Variables {
        let mut x = BTreeMap::new();
        x.insert("owner".to_string(), "{tenant}_owner".to_string());
        x.insert("team".to_string(), "billing".to_string());
        Variables {
            tenant: Some("acme".into()),
            x,
        }
    }

    #[test]
    fn replaces_tenant_and_x() {
        let v = vars();
        assert_eq!(
            v.substitute("GRANT SELECT ON t TO {{ tenant }}_app, {{x.owner}}, {{  x.team }}")
                .unwrap(),
            "GRANT SELECT ON t TO acme_app, acme_owner, billing"
        );
    }

    #[test]
    fn leaves_other_braces_alone() {
        let v = vars();
        let sql = "SELECT '{{1,2},{3,4}}'::int[][], '{{ other }}', '{{ x.a-b }}'";
        assert!(matches!(v.substitute(sql).unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn missing_values_are_errors() {
        let v = Variables::default();
        assert!(v
            .substitute("SELECT '{{ tenant }}'")
            .unwrap_err()
            .contains("tenant"));
        assert!(v
            .substitute("SELECT '{{ x.owner }}'")
            .unwrap_err()
            .contains("-x owner=VALUE"));
    }
}
