//! A resource as the schema spells it: each attribute under its schema name (clients may write any
//! case, RFC 7643 §2.1), each value of its advertised type (`"False"` is false, as Microsoft Entra
//! ID sends it), `readOnly` and `writeOnly` values dropped (RFC 7643 §2.2), unassigned values (null,
//! `[]`, `{}`) absent. What no schema defines is refused, so nothing undefined is ever stored.

use serde_json::{Map, Value};

use super::{Attribute, Schema, Type};
use crate::error::{ScimError, ScimType};
use crate::protocol::ResourceKind;

/// What a value that does not fit the schema does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canonical {
    /// A client's: refused, naming the attribute, the rule and the value.
    Written,
    /// A record's, written before the schema said so: left out.
    Stored,
}

/// The attributes of `body` (a client's resource), without `schemas`, `id` and `meta`.
pub fn written(kind: ResourceKind, body: &Value) -> Result<Map<String, Value>, ScimError> {
    resource(kind, body, Canonical::Written).map_err(|why| ScimError::bad(ScimType::InvalidValue, why))
}

/// A record's attributes, as [`written`] would have kept them.
pub fn stored(kind: ResourceKind, body: &Value) -> Map<String, Value> {
    resource(kind, body, Canonical::Stored).unwrap_or_default()
}

fn resource(kind: ResourceKind, body: &Value, mode: Canonical) -> Result<Map<String, Value>, String> {
    let object = body
        .as_object()
        .ok_or_else(|| format!("a {} must be a JSON object", kind.name()))?;
    let mut out = Map::new();
    for (key, value) in object {
        if ["schemas", "id", "meta"].iter().any(|c| c.eq_ignore_ascii_case(key)) {
            continue;
        }
        if let Some(extension) = kind.extension(key) {
            if let Some(attributes) = extension_value(extension, value, mode)? {
                out.insert(extension.id.to_owned(), attributes);
            }
            continue;
        }
        let attr = match kind.core().attribute(key) {
            Some(attr) => attr,
            None if mode == Canonical::Stored => continue,
            None => return Err(unknown(kind.core(), key)),
        };
        if attr.dropped_when_written() {
            continue;
        }
        if let Some(value) = checked(attr, value, key, mode)? {
            out.insert(attr.name.to_owned(), value);
        }
    }
    Ok(out)
}

/// An extension's object, its attributes checked as the resource's are.
pub fn extension_value(schema: &'static Schema, value: &Value, mode: Canonical) -> Result<Option<Value>, String> {
    let object = match value {
        Value::Null => return Ok(None),
        Value::Object(object) => object,
        other if mode == Canonical::Written => {
            return Err(format!(
                "{} must be an object of its attributes, not {other}",
                schema.id
            ));
        }
        _ => return Ok(None),
    };
    let mut out = Map::new();
    for (key, value) in object {
        let attr = match schema.attribute(key) {
            Some(attr) => attr,
            None if mode == Canonical::Stored => continue,
            None => return Err(unknown(schema, key)),
        };
        if attr.dropped_when_written() {
            continue;
        }
        let path = format!("{}:{}", schema.id, attr.name);
        if let Some(value) = checked(attr, value, &path, mode)? {
            out.insert(attr.name.to_owned(), value);
        }
    }
    Ok((!out.is_empty()).then_some(Value::Object(out)))
}

fn unknown(schema: &Schema, key: &str) -> String {
    format!("{key}: is not an attribute of {} (GET /Schemas lists them)", schema.id)
}

/// A client's value for `attr` (named `path` in errors): `None` when it leaves it unassigned.
pub fn canonical_value(attr: &'static Attribute, value: &Value, path: &str) -> Result<Option<Value>, ScimError> {
    checked(attr, value, path, Canonical::Written).map_err(|why| ScimError::bad(ScimType::InvalidValue, why))
}

/// One element of the multi-valued `attr` (or the value of a single-valued one).
pub fn canonical_element(attr: &'static Attribute, value: &Value, path: &str) -> Result<Option<Value>, ScimError> {
    single(attr, value, path, Canonical::Written).map_err(|why| ScimError::bad(ScimType::InvalidValue, why))
}

fn checked(attr: &'static Attribute, value: &Value, path: &str, mode: Canonical) -> Result<Option<Value>, String> {
    if !attr.multi {
        return single(attr, value, path, mode);
    }
    let elements = match value {
        Value::Null => return Ok(None),
        Value::Array(elements) => elements,
        other if mode == Canonical::Written => {
            return Err(format!("{path}: is multi-valued and takes an array, not {other}"));
        }
        _ => return Ok(None),
    };
    let mut out = Vec::new();
    for (i, element) in elements.iter().enumerate() {
        if let Some(element) = single(attr, element, &format!("{path}[{i}]"), mode)? {
            out.push(element);
        }
    }
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

fn single(attr: &'static Attribute, value: &Value, path: &str, mode: Canonical) -> Result<Option<Value>, String> {
    let refuse = |rule: &str| -> Result<Option<Value>, String> {
        match mode {
            Canonical::Written => Err(format!("{path}: {rule}, not {value}")),
            Canonical::Stored => Ok(None),
        }
    };
    match (attr.kind, value) {
        (_, Value::Null) => Ok(None),
        (Type::Complex, Value::Object(object)) => {
            let mut out = Map::new();
            for (key, value) in object {
                let sub = match attr.sub_attribute(key) {
                    Some(sub) => sub,
                    None if mode == Canonical::Stored => continue,
                    None => {
                        return Err(format!(
                            "{path}: has no sub-attribute {key:?} (GET /Schemas lists them)"
                        ));
                    }
                };
                if sub.dropped_when_written() {
                    continue;
                }
                if let Some(value) = single(sub, value, &format!("{path}.{}", sub.name), mode)? {
                    out.insert(sub.name.to_owned(), value);
                }
            }
            Ok((!out.is_empty()).then_some(Value::Object(out)))
        }
        // Microsoft Entra ID writes the enterprise `manager` as the manager's id alone: a
        // single-valued complex attribute with a `value` takes its `value` so (never a list's
        // element: a bare string as a member stays refused).
        (Type::Complex, Value::String(id)) if !attr.multi && attr.sub_attribute("value").is_some() => {
            Ok(Some(serde_json::json!({ "value": id })))
        }
        (Type::Complex, _) => refuse("must be an object of sub-attributes"),
        (Type::Boolean, Value::Bool(_)) => Ok(Some(value.clone())),
        // Microsoft Entra ID sends booleans as "True" and "False".
        (Type::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(Value::Bool(true))),
        (Type::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(Value::Bool(false))),
        (Type::Boolean, _) => refuse("must be true or false"),
        (_, Value::String(_)) => Ok(Some(value.clone())),
        (_, _) => refuse("must be a string"),
    }
}

/// Every attribute the schemas require, present: a create or a PUT without one is refused with
/// `invalidValue`; a PATCH that leaves one unassigned with `mutability` (RFC 7644 §3.5.2.2).
pub fn require(kind: ResourceKind, resource: &Map<String, Value>, scim_type: ScimType) -> Result<(), ScimError> {
    for attr in kind.core().attributes.iter().filter(|a| a.required) {
        let why = match attr.name {
            "emails" => "QuickSight registers no user without an e-mail",
            "displayName" => "it names the QuickSight group",
            _ => "the schema requires it",
        };
        let missing = |what: String| Err(ScimError::bad(scim_type, format!("{what} is required: {why}")));
        match resource.get(attr.name) {
            None => return missing(attr.name.to_owned()),
            Some(Value::String(s)) if s.trim().is_empty() => return missing(format!("a non-empty {}", attr.name)),
            Some(Value::Array(elements)) => {
                for (i, element) in elements.iter().enumerate() {
                    for sub in attr.sub.iter().filter(|s| s.required) {
                        let value = element.get(sub.name).and_then(Value::as_str);
                        if value.is_none_or(|v| v.trim().is_empty()) {
                            return missing(format!("{}[{i}].{}", attr.name, sub.name));
                        }
                    }
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}
