//! PATCH (RFC 7644 §3.5.2) applied to a resource's JSON, as the standard defines it and as Okta and
//! Microsoft Entra ID send it: `op` in any case (`Replace`), booleans as strings (`"False"`), no
//! `path` with a value whose keys are paths (`"name.givenName"`, `"emails[type eq \"work\"].value"`),
//! and `remove` of `members` with the members to remove as its value. The result is then checked as
//! a PUT of the whole resource would be.

use serde_json::{Map, Value};

use super::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, PATCH_SCHEMA, USER_SCHEMA, get_ci, same_name};
use crate::error::{ScimError, ScimType};

/// Attributes no PATCH may write (RFC 7643 §3.1 and §4.1: `readOnly`).
const READ_ONLY: [&str; 3] = ["id", "meta", "groups"];
/// Attributes whose string spellings of a boolean are read as the boolean (Entra sends `"False"`).
const BOOLEANS: [&str; 2] = ["active", "primary"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Remove,
    Replace,
}

/// Applies the PATCH request `body` to `resource`.
pub fn apply(resource: &mut Value, body: &Value) -> Result<(), ScimError> {
    let schemas = get_ci(body, "schemas").and_then(Value::as_array);
    if !schemas.is_some_and(|s| s.iter().any(|s| s.as_str() == Some(PATCH_SCHEMA))) {
        return Err(ScimError::bad(
            ScimType::InvalidSyntax,
            format!("a PATCH body's schemas must hold {PATCH_SCHEMA}"),
        ));
    }
    let operations = get_ci(body, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::bad(ScimType::InvalidSyntax, "a PATCH body needs an Operations array"))?;
    for (i, operation) in operations.iter().enumerate() {
        one(resource, operation).map_err(|e| match e {
            ScimError::BadRequest { scim_type, detail } => {
                ScimError::bad(scim_type, format!("Operations[{i}]: {detail}"))
            }
            other => other,
        })?;
    }
    Ok(())
}

fn one(resource: &mut Value, operation: &Value) -> Result<(), ScimError> {
    let op = match get_ci(operation, "op")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("add") => Op::Add,
        Some("remove") => Op::Remove,
        Some("replace") => Op::Replace,
        other => {
            return Err(ScimError::bad(
                ScimType::InvalidSyntax,
                format!("op must be add, remove or replace, not {}", other.unwrap_or("missing")),
            ));
        }
    };
    let path = get_ci(operation, "path")
        .and_then(Value::as_str)
        .filter(|p| !p.trim().is_empty());
    let value = get_ci(operation, "value").cloned();
    match (op, path, value) {
        (Op::Remove, None, _) => Err(ScimError::bad(ScimType::NoTarget, "remove needs a path")),
        (Op::Remove, Some(path), value) => remove(resource, &Path::parse(path)?, value),
        (_, _, None) => Err(ScimError::bad(ScimType::InvalidSyntax, "add and replace need a value")),
        // No path: each key of the value is an attribute, or (Entra) a path.
        (op, None, Some(Value::Object(attrs))) => {
            for (key, value) in attrs {
                set(resource, &Path::parse(&key)?, op, value)?;
            }
            Ok(())
        }
        (_, None, Some(_)) => Err(ScimError::bad(
            ScimType::InvalidSyntax,
            "without a path, the value must be an object of attributes",
        )),
        (op, Some(path), Some(value)) => set(resource, &Path::parse(path)?, op, value),
    }
}

/// `[schema:]attr[filter][.sub]`.
#[derive(Debug, Clone, PartialEq)]
struct Path {
    /// The extension the attribute belongs to; `None` for the core schema.
    extension: Option<String>,
    attr: String,
    filter: Option<Vec<(String, Value)>>,
    sub: Option<String>,
}

impl Path {
    fn parse(raw: &str) -> Result<Self, ScimError> {
        let invalid = |why: &str| ScimError::bad(ScimType::InvalidPath, format!("path {raw:?}: {why}"));
        let (extension, rest) = split_schema(raw.trim());
        let (head, filter, tail) = match rest.find('[') {
            Some(open) => {
                let close = rest
                    .rfind(']')
                    .filter(|&c| c > open)
                    .ok_or_else(|| invalid("a [ is not closed"))?;
                (
                    &rest[..open],
                    Some(value_filter(&rest[open + 1..close]).map_err(|w| invalid(&w))?),
                    &rest[close + 1..],
                )
            }
            None => (rest, None, ""),
        };
        let (attr, sub) = match (head.split_once('.'), tail.strip_prefix('.')) {
            (Some((attr, sub)), _) if filter.is_none() => (attr, Some(sub)),
            (None, Some(sub)) => (head, Some(sub)),
            (None, None) if tail.is_empty() => (head, None),
            _ => return Err(invalid("not an attribute path")),
        };
        if attr.is_empty()
            || !attr
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
        {
            return Err(invalid("not an attribute name"));
        }
        Ok(Self {
            extension,
            attr: attr.to_owned(),
            filter,
            sub: sub.map(str::to_owned),
        })
    }
}

/// A fully qualified path's schema: the core schemas are the resource itself.
fn split_schema(raw: &str) -> (Option<String>, &str) {
    for core in [USER_SCHEMA, GROUP_SCHEMA] {
        if raw.len() > core.len() && raw[..core.len()].eq_ignore_ascii_case(core) && raw.as_bytes()[core.len()] == b':'
        {
            return (None, &raw[core.len() + 1..]);
        }
    }
    if raw.len() > ENTERPRISE_USER_SCHEMA.len()
        && raw[..ENTERPRISE_USER_SCHEMA.len()].eq_ignore_ascii_case(ENTERPRISE_USER_SCHEMA)
        && raw.as_bytes()[ENTERPRISE_USER_SCHEMA.len()] == b':'
    {
        return (
            Some(ENTERPRISE_USER_SCHEMA.to_owned()),
            &raw[ENTERPRISE_USER_SCHEMA.len() + 1..],
        );
    }
    if raw.starts_with("urn:") {
        let before_filter = raw.find('[').unwrap_or(raw.len());
        if let Some(colon) = raw[..before_filter].rfind(':') {
            return (Some(raw[..colon].to_owned()), &raw[colon + 1..]);
        }
    }
    (None, raw)
}

/// `type eq "work" and primary eq true`: sub-attribute equalities.
fn value_filter(raw: &str) -> Result<Vec<(String, Value)>, String> {
    raw.split(" and ")
        .map(|clause| {
            let mut parts = clause.trim().splitn(3, ' ');
            let (Some(sub), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(format!("the filter {clause:?} is not `attribute eq value`"));
            };
            if !op.eq_ignore_ascii_case("eq") {
                return Err(format!("the filter operator {op} is not supported (only eq)"));
            }
            let value: Value =
                serde_json::from_str(value.trim()).map_err(|_| format!("{value} is not a JSON value"))?;
            Ok((sub.to_owned(), value))
        })
        .collect()
}

fn matches(element: &Value, filter: &[(String, Value)]) -> bool {
    filter
        .iter()
        .all(|(sub, expected)| match (get_ci(element, sub), expected) {
            (Some(Value::String(a)), Value::String(b)) => a.eq_ignore_ascii_case(b),
            (Some(actual), expected) => &normalized(sub, actual.clone()) == expected,
            (None, _) => false,
        })
}

/// The container the path's attribute lives in: the resource, or its extension's object.
fn container<'a>(resource: &'a mut Value, path: &Path, create: bool) -> Option<&'a mut Map<String, Value>> {
    let root = resource.as_object_mut()?;
    let Some(extension) = &path.extension else {
        return Some(root);
    };
    let key = root.keys().find(|k| same_name(k, extension)).cloned();
    let key = match key {
        Some(key) => key,
        None if create => {
            root.insert(extension.clone(), Value::Object(Map::new()));
            extension.clone()
        }
        None => return None,
    };
    root.get_mut(&key)?.as_object_mut()
}

/// The key under which `attr` is kept in `map` (its existing spelling, else as given).
fn key_in(map: &Map<String, Value>, attr: &str) -> String {
    map.keys()
        .find(|k| same_name(k, attr))
        .cloned()
        .unwrap_or_else(|| attr.to_owned())
}

fn set(resource: &mut Value, path: &Path, op: Op, value: Value) -> Result<(), ScimError> {
    if path.extension.is_none() && READ_ONLY.iter().any(|a| same_name(a, &path.attr)) {
        // Okta's group rename repeats the id in the value: writing what is there changes nothing.
        if path.filter.is_none() && path.sub.is_none() && get_ci(resource, &path.attr) == Some(&value) {
            return Ok(());
        }
        return Err(ScimError::bad(
            ScimType::Mutability,
            format!("{} is read-only", path.attr),
        ));
    }
    let map = container(resource, path, true)
        .ok_or_else(|| ScimError::bad(ScimType::InvalidPath, "the resource is not an object"))?;
    let key = key_in(map, &path.attr);
    match (&path.filter, &path.sub) {
        (None, None) => {
            let value = normalized(&path.attr, value);
            match (op, map.get_mut(&key), value) {
                // add to a multi-valued attribute appends what it does not hold yet.
                (Op::Add, Some(Value::Array(existing)), Value::Array(new)) => {
                    for v in new {
                        if !existing.iter().any(|e| same_value(e, &v)) {
                            existing.push(v);
                        }
                    }
                }
                (Op::Add, Some(Value::Object(existing)), Value::Object(new)) => {
                    for (k, v) in new {
                        let k = key_in(existing, &k);
                        existing.insert(k, v);
                    }
                }
                (_, _, value) => {
                    map.insert(key, value);
                }
            }
        }
        (None, Some(sub)) => {
            let parent = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
            let parent = parent
                .as_object_mut()
                .ok_or_else(|| ScimError::bad(ScimType::InvalidPath, format!("{} has no sub-attributes", path.attr)))?;
            let sub_key = key_in(parent, sub);
            parent.insert(sub_key, normalized(sub, value));
        }
        (Some(filter), sub) => {
            let list = map.entry(key).or_insert_with(|| Value::Array(Vec::new()));
            let list = list
                .as_array_mut()
                .ok_or_else(|| ScimError::bad(ScimType::InvalidPath, format!("{} is not multi-valued", path.attr)))?;
            let mut found = false;
            for element in list.iter_mut().filter(|e| matches(e, filter)) {
                found = true;
                write_element(element, sub.as_deref(), value.clone())?;
            }
            // Entra writes emails[type eq "work"].value to a user with no work e-mail yet: the
            // element is created from the filter, as an add of it would.
            if !found {
                let mut element = Value::Object(filter.iter().cloned().collect());
                write_element(&mut element, sub.as_deref(), value)?;
                list.push(element);
            }
        }
    }
    Ok(())
}

fn write_element(element: &mut Value, sub: Option<&str>, value: Value) -> Result<(), ScimError> {
    match (sub, element.as_object_mut()) {
        (Some(sub), Some(object)) => {
            let key = key_in(object, sub);
            object.insert(key, normalized(sub, value));
        }
        (None, Some(object)) => match value {
            Value::Object(new) => {
                for (k, v) in new {
                    let k = key_in(object, &k);
                    object.insert(k.clone(), normalized(&k, v));
                }
            }
            _ => {
                return Err(ScimError::bad(
                    ScimType::InvalidValue,
                    "a filtered element's value must be an object",
                ));
            }
        },
        _ => {
            return Err(ScimError::bad(
                ScimType::InvalidPath,
                "the filter matched a value that is not an object",
            ));
        }
    }
    Ok(())
}

fn remove(resource: &mut Value, path: &Path, value: Option<Value>) -> Result<(), ScimError> {
    if path.extension.is_none() && READ_ONLY.iter().any(|a| same_name(a, &path.attr)) {
        return Err(ScimError::bad(
            ScimType::Mutability,
            format!("{} is read-only", path.attr),
        ));
    }
    let Some(map) = container(resource, path, false) else {
        return Ok(());
    };
    let key = key_in(map, &path.attr);
    match (&path.filter, &path.sub, value) {
        // Entra: {"op":"Remove","path":"members","value":[{"value":"<id>"}]}.
        (None, None, Some(Value::Array(gone))) if map.get(&key).is_some_and(Value::is_array) => {
            if let Some(Value::Array(list)) = map.get_mut(&key) {
                list.retain(|e| !gone.iter().any(|g| same_value(e, g)));
            }
        }
        (None, None, _) => {
            map.remove(&key);
        }
        (None, Some(sub), _) => {
            if let Some(Value::Object(parent)) = map.get_mut(&key) {
                let sub_key = key_in(parent, sub);
                parent.remove(&sub_key);
            }
        }
        (Some(filter), sub, _) => {
            let Some(Value::Array(list)) = map.get_mut(&key) else {
                return Err(ScimError::bad(
                    ScimType::NoTarget,
                    format!("{} holds no values", path.attr),
                ));
            };
            if !list.iter().any(|e| matches(e, filter)) {
                return Err(ScimError::bad(
                    ScimType::NoTarget,
                    format!("no value of {} matches the filter", path.attr),
                ));
            }
            match sub {
                None => list.retain(|e| !matches(e, filter)),
                Some(sub) => {
                    for object in list
                        .iter_mut()
                        .filter(|e| matches(e, filter))
                        .filter_map(Value::as_object_mut)
                    {
                        let sub_key = key_in(object, sub);
                        object.remove(&sub_key);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Two values of a multi-valued attribute are the same when their `value`s are (members, e-mails).
fn same_value(a: &Value, b: &Value) -> bool {
    match (get_ci(a, "value"), get_ci(b, "value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// `"False"` and `"true"` read as booleans for the boolean attributes; other values as sent.
pub fn normalized(attr: &str, value: Value) -> Value {
    match value {
        Value::String(s) if BOOLEANS.iter().any(|b| same_name(b, attr)) => match s.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(s),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(normalized_element).collect()),
        other => other,
    }
}

/// A multi-valued attribute's element with its boolean sub-attributes (`primary`) normalized.
fn normalized_element(item: Value) -> Value {
    match item {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(k, v)| {
                    let v = normalized(&k, v);
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests;
