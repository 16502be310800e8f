//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5), on attributes and sub-attributes,
//! fully qualified or not: `id` and `schemas` are always returned. Names no schema defines select
//! nothing.

use serde_json::{Map, Value};

use super::ResourceKind;
use super::query::Query;
use super::schema::{AttrRef, Returned, Scope};

#[derive(Debug, Clone, Default)]
pub struct Projection {
    only: Option<Vec<AttrRef>>,
    excluded: Vec<AttrRef>,
}

impl Projection {
    pub fn new(kind: ResourceKind, query: &Query) -> Self {
        let resolve = |names: &Vec<String>| -> Vec<AttrRef> {
            names
                .iter()
                .filter_map(|n| Scope::Resource(kind).resolve(n.trim()).ok())
                .collect()
        };
        Self {
            only: query.attributes.as_ref().map(resolve),
            excluded: query.excluded.as_ref().map(resolve).unwrap_or_default(),
        }
    }

    /// Whether the answer holds the core attribute `name` (`members` and `groups` cost a read).
    pub fn wants(&self, name: &str) -> bool {
        let named = |r: &AttrRef| r.extension.is_none() && r.attr.name == name;
        self.only.as_ref().is_none_or(|o| o.iter().any(named))
            && !self.excluded.iter().any(|r| named(r) && r.sub.is_none())
    }

    pub fn apply(&self, resource: &mut Value) {
        let Some(object) = resource.as_object_mut() else { return };
        if let Some(only) = &self.only {
            object.retain(|key, value| key == "schemas" || keep(key, value, only));
        }
        for r in &self.excluded {
            if r.attr.returned == Returned::Always {
                continue;
            }
            let Some(container) = (match r.extension {
                Some(schema) => object.get_mut(schema.id).and_then(Value::as_object_mut),
                None => Some(&mut *object),
            }) else {
                continue;
            };
            match r.sub {
                None => {
                    container.remove(r.attr.name);
                }
                Some(sub) => each_object(container.get_mut(r.attr.name), |o| {
                    o.remove(sub.name);
                }),
            }
        }
        if let Some(object) = resource.as_object_mut() {
            object.retain(|_, v| !matches!(v, Value::Object(o) if o.is_empty()));
        }
    }
}

/// Whether the top-level `key` stays under `attributes=only`, and narrowed to what is named.
fn keep(key: &str, value: &mut Value, only: &[AttrRef]) -> bool {
    let is_extension = only.iter().any(|r| r.extension.is_some_and(|s| s.id == key));
    if is_extension {
        let named: Vec<&AttrRef> = only
            .iter()
            .filter(|r| r.extension.is_some_and(|s| s.id == key))
            .collect();
        if let Some(object) = value.as_object_mut() {
            object.retain(|attr, v| narrow(attr, v, &named));
        }
        return true;
    }
    let named: Vec<&AttrRef> = only.iter().filter(|r| r.extension.is_none()).collect();
    if key == "id" {
        return true;
    }
    narrow(key, value, &named)
}

fn narrow(attr: &str, value: &mut Value, named: &[&AttrRef]) -> bool {
    let refs: Vec<&&AttrRef> = named.iter().filter(|r| r.attr.name == attr).collect();
    if refs.is_empty() {
        return false;
    }
    if refs.iter().all(|r| r.sub.is_some()) {
        let subs: Vec<&str> = refs.iter().filter_map(|r| r.sub.map(|s| s.name)).collect();
        each_object(Some(value), |o| o.retain(|k, _| subs.contains(&k.as_str())));
    }
    true
}

fn each_object(value: Option<&mut Value>, mut f: impl FnMut(&mut Map<String, Value>)) {
    match value {
        Some(Value::Object(o)) => f(o),
        Some(Value::Array(list)) => list.iter_mut().filter_map(Value::as_object_mut).for_each(f),
        _ => {}
    }
}
