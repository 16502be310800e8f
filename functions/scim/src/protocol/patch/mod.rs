//! PATCH (RFC 7644 §3.5.2) on a resource's attributes as the schema spells them. Every path is
//! read by [`Path`] (RFC 7644 §3.10) and every value checked against the attribute it targets, so
//! no operation can leave an attribute the schema does not define. As Okta and Microsoft Entra ID
//! send it: `op` in any case, booleans as strings, no `path` with a value whose keys are paths
//! (`"name.givenName"`, `"emails[type eq \"work\"].value"`, an extension's URN), and `remove` of
//! `members` with the members to remove as its value. The caller then checks the result as a PUT
//! of the whole resource, and a required attribute left unassigned as `mutability`.

use serde_json::{Map, Value};

use super::filter::{Filter, Op as FilterOp};
use super::path::Path;
use super::schema::{AttrRef, Attribute, Mutability, canonical_element, canonical_value, extension_value};
use super::{PATCH_SCHEMA, ResourceKind};
use crate::error::{ScimError, ScimType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Remove,
    Replace,
}

/// Applies the PATCH request `body` to `resource`, the attributes of the `kind` resource `id`.
pub fn apply(kind: ResourceKind, id: &str, resource: &mut Map<String, Value>, body: &Value) -> Result<(), ScimError> {
    let schemas = field(body, "schemas").and_then(Value::as_array);
    if !schemas.is_some_and(|s| s.iter().any(|s| s.as_str() == Some(PATCH_SCHEMA))) {
        return Err(ScimError::bad(
            ScimType::InvalidSyntax,
            format!("a PATCH body's schemas must hold {PATCH_SCHEMA}"),
        ));
    }
    let operations = field(body, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::bad(ScimType::InvalidSyntax, "a PATCH body needs an Operations array"))?;
    let target = Target { kind, id };
    for (i, operation) in operations.iter().enumerate() {
        target.one(resource, operation).map_err(|e| match e {
            ScimError::BadRequest { scim_type, detail } => {
                ScimError::bad(scim_type, format!("Operations[{i}]: {detail}"))
            }
            other => other,
        })?;
    }
    Ok(())
}

/// A member of the PATCH message (not a resource: its names are the message's, in any case).
fn field<'a>(message: &'a Value, name: &str) -> Option<&'a Value> {
    message
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

struct Target<'a> {
    kind: ResourceKind,
    id: &'a str,
}

impl Target<'_> {
    fn one(&self, resource: &mut Map<String, Value>, operation: &Value) -> Result<(), ScimError> {
        let op = match field(operation, "op")
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
        let path = field(operation, "path")
            .and_then(Value::as_str)
            .filter(|p| !p.trim().is_empty());
        let value = field(operation, "value").cloned();
        match (op, path, value) {
            (Op::Remove, None, _) => Err(ScimError::bad(ScimType::NoTarget, "remove needs a path")),
            (Op::Remove, Some(path), value) => remove(resource, &Path::parse(self.kind, path)?, value),
            (_, _, None) => Err(ScimError::bad(ScimType::InvalidSyntax, "add and replace need a value")),
            // No path: each key of the value is an attribute, a path (Entra) or an extension.
            (op, None, Some(Value::Object(attrs))) => {
                for (key, value) in attrs {
                    self.set(resource, &Path::parse(self.kind, &key)?, op, value)?;
                }
                Ok(())
            }
            (_, None, Some(_)) => Err(ScimError::bad(
                ScimType::InvalidSyntax,
                "without a path, the value must be an object of attributes",
            )),
            (op, Some(path), Some(value)) => self.set(resource, &Path::parse(self.kind, path)?, op, value),
        }
    }

    fn set(&self, resource: &mut Map<String, Value>, path: &Path, op: Op, value: Value) -> Result<(), ScimError> {
        let (at, filter) = match path {
            // The extension as a whole: each of its attributes as if it were named (RFC 7644
            // §3.5.2.1 and §3.5.2.3: sub-attributes not given are left as they are).
            Path::Extension(schema) => {
                let attrs = extension_value(schema, &value, super::schema::Canonical::Written)
                    .map_err(|why| ScimError::bad(ScimType::InvalidValue, why))?;
                for (name, value) in attrs.as_ref().and_then(Value::as_object).into_iter().flatten() {
                    let attr = schema
                        .attribute(name)
                        .expect("extension_value keeps the schema's attributes");
                    let at = AttrRef {
                        extension: Some(schema),
                        attr,
                        sub: None,
                    };
                    self.set(resource, &Path::Attr { at, filter: None }, op, value.clone())?;
                }
                return Ok(());
            }
            Path::Attr { at, filter } => (at, filter),
        };
        let name = at.dotted();
        if at.attr.mutability == Mutability::ReadOnly || at.sub.is_some_and(|s| s.mutability == Mutability::ReadOnly) {
            // Okta's group rename repeats the id in its value: writing what is there changes nothing.
            if at.attr.name == "id" && value.as_str() == Some(self.id) {
                return Ok(());
            }
            return Err(ScimError::bad(ScimType::Mutability, format!("{name} is read-only")));
        }
        if at.attr.mutability == Mutability::WriteOnly {
            // A password: accepted, never kept (the schema says so).
            return Ok(());
        }
        let container = container(resource, at, true).expect("created");
        match (filter, at.sub) {
            (None, None) => {
                let new = canonical_value(at.attr, &value, &name)?;
                let key = at.attr.name;
                match (op, container.get_mut(key), new) {
                    (_, _, None) if op == Op::Replace => {
                        container.remove(key);
                    }
                    (_, _, None) => {}
                    // add to a multi-valued attribute appends what it does not hold yet.
                    (Op::Add, Some(Value::Array(existing)), Some(Value::Array(new))) => {
                        for v in new {
                            if !existing.iter().any(|e| same_value(e, &v)) {
                                existing.push(v);
                            }
                        }
                    }
                    (Op::Replace, Some(Value::Array(existing)), Some(Value::Array(new))) => {
                        *existing = new;
                    }
                    // A complex attribute: the sub-attributes given replace theirs, the others stay.
                    (_, Some(Value::Object(existing)), Some(Value::Object(new))) => {
                        for (k, v) in new {
                            write(existing, at.attr.sub_attribute(&k).expect("canonical"), Some(v), &name)?;
                        }
                    }
                    (_, _, Some(new)) => {
                        immutable(at.attr, container.get(key), Some(&new), &name)?;
                        container.insert(key.to_owned(), new);
                    }
                }
            }
            (None, Some(sub)) => {
                let new = canonical_value(sub, &value, &name)?;
                let key = at.attr.name;
                if at.attr.multi {
                    let list = container.entry(key).or_insert_with(|| Value::Array(Vec::new()));
                    let list = list.as_array_mut().expect("canonical: multi-valued is an array");
                    if list.is_empty() {
                        list.push(Value::Object(Map::new()));
                    }
                    for element in list.iter_mut().filter_map(Value::as_object_mut) {
                        write(element, sub, new.clone(), &name)?;
                    }
                } else {
                    let parent = container.entry(key).or_insert_with(|| Value::Object(Map::new()));
                    write(
                        parent.as_object_mut().expect("canonical: complex is an object"),
                        sub,
                        new,
                        &name,
                    )?;
                }
            }
            (Some(filter), sub) => {
                let key = at.attr.name;
                let list = container.entry(key).or_insert_with(|| Value::Array(Vec::new()));
                let list = list.as_array_mut().expect("canonical: multi-valued is an array");
                let mut found = false;
                for element in list.iter_mut().filter(|e| filter.matches(e)) {
                    found = true;
                    write_element(element, at.attr, sub, &value, &name)?;
                }
                if !found {
                    // RFC 7644 §3.5.2.3: a replace whose filter matches nothing fails. An add
                    // creates the element the filter describes (Entra adds a new e-mail type so).
                    let mut element = match op {
                        Op::Add => described(filter).ok_or_else(|| no_match(&name))?,
                        _ => return Err(no_match(&name)),
                    };
                    write_element(&mut element, at.attr, sub, &value, &name)?;
                    list.push(element);
                }
            }
        }
        tidy(resource);
        Ok(())
    }
}

fn no_match(name: &str) -> ScimError {
    ScimError::bad(ScimType::NoTarget, format!("no value of {name} matches the filter"))
}

/// The element a filter of `eq`s on sub-attributes describes (`type eq "work"`).
fn described(filter: &Filter) -> Option<Value> {
    let mut element = Map::new();
    for clause in filter.conjuncts() {
        match clause {
            Filter::Compare(r, FilterOp::Eq, v) => {
                element.insert(r.attr.name.to_owned(), v.clone());
            }
            _ => return None,
        }
    }
    Some(Value::Object(element))
}

/// The object the attribute lives in: the resource, or its extension's (created if asked).
fn container<'a>(
    resource: &'a mut Map<String, Value>,
    at: &AttrRef,
    create: bool,
) -> Option<&'a mut Map<String, Value>> {
    let Some(schema) = at.extension else {
        return Some(resource);
    };
    if create {
        resource.entry(schema.id).or_insert_with(|| Value::Object(Map::new()));
    }
    resource.get_mut(schema.id)?.as_object_mut()
}

/// Sets (`Some`) or unassigns (`None`) the sub-attribute `sub` of `object`.
fn write(
    object: &mut Map<String, Value>,
    sub: &'static Attribute,
    value: Option<Value>,
    name: &str,
) -> Result<(), ScimError> {
    immutable(sub, object.get(sub.name), value.as_ref(), name)?;
    match value {
        Some(value) => object.insert(sub.name.to_owned(), value),
        None => object.remove(sub.name),
    };
    Ok(())
}

fn write_element(
    element: &mut Value,
    attr: &'static Attribute,
    sub: Option<&'static Attribute>,
    value: &Value,
    name: &str,
) -> Result<(), ScimError> {
    let object = element
        .as_object_mut()
        .expect("canonical: a complex value is an object");
    match sub {
        Some(sub) => write(object, sub, canonical_value(sub, value, name)?, name),
        None => {
            let Some(Value::Object(new)) = canonical_element(attr, value, name)? else {
                return Ok(());
            };
            for (k, v) in new {
                write(object, attr.sub_attribute(&k).expect("canonical"), Some(v), name)?;
            }
            Ok(())
        }
    }
}

/// RFC 7643 §7: an immutable value, once set, is not changed (a member's `value`, for one).
fn immutable(attr: &Attribute, old: Option<&Value>, new: Option<&Value>, name: &str) -> Result<(), ScimError> {
    match (attr.mutability, old) {
        (Mutability::Immutable, Some(old)) if Some(old) != new => Err(ScimError::bad(
            ScimType::Mutability,
            format!("{name} is immutable: {old} cannot change"),
        )),
        _ => Ok(()),
    }
}

fn remove(resource: &mut Map<String, Value>, path: &Path, value: Option<Value>) -> Result<(), ScimError> {
    let (at, filter) = match path {
        Path::Extension(schema) => {
            resource.remove(schema.id);
            return Ok(());
        }
        Path::Attr { at, filter } => (at, filter),
    };
    let name = at.dotted();
    if at.attr.mutability == Mutability::ReadOnly || at.sub.is_some_and(|s| s.mutability == Mutability::ReadOnly) {
        return Err(ScimError::bad(ScimType::Mutability, format!("{name} is read-only")));
    }
    let Some(container) = container(resource, at, false) else {
        return Ok(());
    };
    let key = at.attr.name;
    match (filter, at.sub, value) {
        // Entra: {"op":"Remove","path":"members","value":[{"value":"<id>"}]}.
        (None, None, Some(Value::Array(gone))) if at.attr.multi => {
            if let Some(Value::Array(list)) = container.get_mut(key) {
                list.retain(|e| !gone.iter().any(|g| same_value(e, g)));
            }
        }
        (None, None, _) => {
            container.remove(key);
        }
        (None, Some(sub), _) => {
            let elements: Vec<&mut Value> = match container.get_mut(key) {
                Some(Value::Array(list)) => list.iter_mut().collect(),
                Some(object @ Value::Object(_)) => vec![object],
                _ => Vec::new(),
            };
            for object in elements.into_iter().filter_map(Value::as_object_mut) {
                write(object, sub, None, &name)?;
            }
        }
        (Some(filter), sub, _) => {
            let Some(Value::Array(list)) = container.get_mut(key) else {
                return Err(no_match(&name));
            };
            if !list.iter().any(|e| filter.matches(e)) {
                return Err(no_match(&name));
            }
            match sub {
                None => list.retain(|e| !filter.matches(e)),
                Some(sub) => {
                    for object in list
                        .iter_mut()
                        .filter(|e| filter.matches(e))
                        .filter_map(Value::as_object_mut)
                    {
                        write(object, sub, None, &name)?;
                    }
                }
            }
        }
    }
    tidy(resource);
    Ok(())
}

/// Unassigned values are absent: empty lists, objects and elements go, at every level.
fn tidy(resource: &mut Map<String, Value>) {
    fn empty(v: &mut Value) -> bool {
        match v {
            Value::Null => true,
            Value::Array(list) => {
                list.retain_mut(|e| !empty(e));
                list.is_empty()
            }
            Value::Object(object) => {
                object.retain(|_, v| !empty(v));
                object.is_empty()
            }
            _ => false,
        }
    }
    resource.retain(|_, v| !empty(v));
}

/// Two values of a multi-valued attribute are the same when their `value`s are (members, e-mails).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a.get("value"), b.get("value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests;
