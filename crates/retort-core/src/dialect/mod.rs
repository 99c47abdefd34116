//! Database dialects: one module per database behind one interface.

mod kind;

pub use kind::DialectKind;
