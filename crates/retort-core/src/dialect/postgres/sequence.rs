//! Sequence options and their defaults, which depend on the sequence's type
//! and direction: the model keeps only what differs from them, so a schema
//! that never mentions `MINVALUE` reads back without one.

use crate::schema::IdentityOptions;

/// The smallest and largest values of a sequence type.
fn type_bounds(data_type: &str) -> (i64, i64) {
    match data_type {
        "smallint" => (i16::MIN.into(), i16::MAX.into()),
        "integer" => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN, i64::MAX),
    }
}

/// The default `MINVALUE` and `MAXVALUE` for a type and an increment.
pub(super) fn default_bounds(data_type: &str, increment: i64) -> (i64, i64) {
    let (lo, hi) = type_bounds(data_type);
    if increment < 0 {
        (lo, -1)
    } else {
        (1, hi)
    }
}

/// Every option of a sequence, defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Effective {
    pub(super) start: i64,
    pub(super) increment: i64,
    pub(super) min: i64,
    pub(super) max: i64,
    pub(super) cache: i64,
    pub(super) cycle: bool,
}

impl Effective {
    /// The options of an identity column of `data_type`.
    pub(super) fn of_identity(data_type: &str, o: Option<&IdentityOptions>) -> Self {
        let o = o.cloned().unwrap_or_default();
        let increment = o.increment.unwrap_or(1);
        let (lo, hi) = default_bounds(data_type, increment);
        let (min, max) = (o.min_value.unwrap_or(lo), o.max_value.unwrap_or(hi));
        Effective {
            start: o.start.unwrap_or(if increment < 0 { max } else { min }),
            increment,
            min,
            max,
            cache: o.cache.unwrap_or(1),
            cycle: o.cycle,
        }
    }

    /// The model's form: `None` where an option is its default.
    pub(super) fn identity_options(self, data_type: &str) -> Option<IdentityOptions> {
        let (lo, hi) = default_bounds(data_type, self.increment);
        let o = IdentityOptions {
            start: (self.start
                != if self.increment < 0 {
                    self.max
                } else {
                    self.min
                })
            .then_some(self.start),
            increment: (self.increment != 1).then_some(self.increment),
            min_value: (self.min != lo).then_some(self.min),
            max_value: (self.max != hi).then_some(self.max),
            cache: (self.cache != 1).then_some(self.cache),
            cycle: self.cycle,
        };
        (o != IdentityOptions::default()).then_some(o)
    }

    /// `SET …` clauses of `ALTER COLUMN` for what differs from `from`.
    pub(super) fn alter_clauses(self, from: Effective) -> Vec<String> {
        let mut s = Vec::new();
        if self.increment != from.increment {
            s.push(format!("SET INCREMENT BY {}", self.increment));
        }
        if self.min != from.min {
            s.push(format!("SET MINVALUE {}", self.min));
        }
        if self.max != from.max {
            s.push(format!("SET MAXVALUE {}", self.max));
        }
        if self.start != from.start {
            s.push(format!("SET START WITH {}", self.start));
        }
        if self.cache != from.cache {
            s.push(format!("SET CACHE {}", self.cache));
        }
        if self.cycle != from.cycle {
            s.push(
                if self.cycle {
                    "SET CYCLE"
                } else {
                    "SET NO CYCLE"
                }
                .to_string(),
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_read_back_as_none() {
        let e = Effective::of_identity("integer", None);
        assert_eq!((e.start, e.min, e.max), (1, 1, i32::MAX.into()));
        assert_eq!(e.identity_options("integer"), None);
        let down = IdentityOptions {
            increment: Some(-1),
            ..Default::default()
        };
        let e = Effective::of_identity("bigint", Some(&down));
        assert_eq!((e.start, e.min, e.max), (-1, i64::MIN, -1));
        assert_eq!(e.identity_options("bigint"), Some(down));
    }
}
