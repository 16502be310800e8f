//! A filter evaluated over a resource's JSON (its names as the schema spells them): a multi-valued
//! attribute matches when one of its values does; strings compare without case unless the
//! attribute is `caseExact`; `dateTime`s compare as instants.

use aws_sdk_dynamodb::primitives::{DateTime, DateTimeFormat};
use serde_json::Value;

use super::{Filter, Op};
use crate::protocol::schema::{AttrRef, Type};

impl Filter {
    pub fn matches(&self, resource: &Value) -> bool {
        match self {
            Self::And(a, b) => a.matches(resource) && b.matches(resource),
            Self::Or(a, b) => a.matches(resource) || b.matches(resource),
            Self::Not(a) => !a.matches(resource),
            Self::Present(r) => values(resource, r).into_iter().any(assigned),
            Self::Has(r, inner) => values(resource, r).into_iter().any(|e| inner.matches(e)),
            // `ne` is the negation of `eq`: an attribute without a value is not equal to any.
            Self::Compare(r, Op::Ne, expected) => {
                !values(resource, r).into_iter().any(|v| compare(r, Op::Eq, v, expected))
            }
            Self::Compare(r, op, expected) => values(resource, r).into_iter().any(|v| compare(r, *op, v, expected)),
        }
    }
}

/// The values `r` names in `resource`: each element of a multi-valued attribute, each element's
/// sub-attribute.
fn values<'a>(resource: &'a Value, r: &AttrRef) -> Vec<&'a Value> {
    let container = match r.extension {
        Some(schema) => resource.get(schema.id),
        None => Some(resource),
    };
    let Some(value) = container.and_then(|c| c.get(r.attr.name)) else {
        return Vec::new();
    };
    let elements: Vec<&Value> = match value {
        Value::Array(elements) if r.attr.multi => elements.iter().collect(),
        other => vec![other],
    };
    match r.sub {
        None => elements,
        Some(sub) => elements.into_iter().filter_map(|e| e.get(sub.name)).collect(),
    }
}

fn assigned(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn compare(r: &AttrRef, op: Op, actual: &Value, expected: &Value) -> bool {
    let leaf = r.leaf();
    match (actual, expected) {
        (Value::Bool(a), Value::Bool(b)) => op == Op::Eq && a == b,
        (Value::String(a), Value::String(b)) if leaf.kind == Type::DateTime => match (instant(a), instant(b)) {
            (Some(a), Some(b)) => ordered(op, a.cmp(&b)),
            _ => false,
        },
        (Value::String(a), Value::String(b)) => {
            let (a, b) = if leaf.case_exact {
                (a.clone(), b.clone())
            } else {
                (a.to_lowercase(), b.to_lowercase())
            };
            match op {
                Op::Co => a.contains(&b),
                Op::Sw => a.starts_with(&b),
                Op::Ew => a.ends_with(&b),
                _ => ordered(op, a.cmp(&b)),
            }
        }
        _ => false,
    }
}

fn ordered(op: Op, order: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match op {
        Op::Eq => order == Equal,
        Op::Ne => order != Equal,
        Op::Gt => order == Greater,
        Op::Ge => order != Less,
        Op::Lt => order == Less,
        Op::Le => order != Greater,
        Op::Co | Op::Sw | Op::Ew => false,
    }
}

/// An RFC 3339 instant, to the nanosecond.
pub fn instant(text: &str) -> Option<(i64, u32)> {
    DateTime::from_str(text, DateTimeFormat::DateTime)
        .ok()
        .map(|d| (d.secs(), d.subsec_nanos()))
}
