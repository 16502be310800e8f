//! What users and groups share: the request's context (its home, its base URL, its deadline), ids,
//! timestamps, `meta`, and the keys of the table's items.

use std::sync::Mutex;

use aws_sdk_dynamodb::primitives::{DateTime, DateTimeFormat};
use qs_engine::Outcome;
use qs_model::tenant::Home;
use qs_observe::metrics::Counts;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use crate::App;
use crate::error::{ScimError, ScimType};
use crate::protocol::{ResourceKind, get_ci};
use crate::store::{StoreError, Stored, Write};

/// One request's view: the app, the home its token gives it, where its resources live.
pub struct Ctx<'a> {
    pub app: &'a App,
    pub home: Home,
    pub base: String,
    pub deadline: Instant,
    /// What the request's engine calls did, for its metric line.
    pub counts: &'a Mutex<Counts>,
}

/// A resource's record as read, with the version a replacement must find.
pub struct Held<T> {
    pub doc: T,
    pub version: u64,
}

impl<T: DeserializeOwned> Held<T> {
    fn from_stored(stored: Stored) -> Result<Self, ScimError> {
        let doc = serde_json::from_value(stored.doc)
            .map_err(|e| ScimError::Internal(format!("a record does not read: {e}")))?;
        Ok(Self {
            doc,
            version: stored.version,
        })
    }
}

impl Ctx<'_> {
    /// Counts what one engine call did to a user (registered, updated, deleted, memberships).
    pub fn count(&self, outcome: &Outcome) {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .outcome(outcome);
    }

    pub fn key(&self, kind: &str, name: &str) -> String {
        format!("{kind}#{}#{name}", self.home.namespace)
    }

    /// The record of the `kind` resource `id`.
    pub async fn held<T: DeserializeOwned>(&self, kind: &str, id: &str) -> Result<Option<Held<T>>, ScimError> {
        let stored = self.app.table.get(&self.key(kind, id)).await?;
        stored.map(Held::from_stored).transpose()
    }

    /// Every record of `kind` in this home.
    pub async fn scan<T: DeserializeOwned>(&self, kind: &str) -> Result<Vec<Held<T>>, ScimError> {
        let stored = self.app.table.scan(&self.key(kind, "")).await?;
        stored.into_iter().map(Held::from_stored).collect()
    }

    pub fn location(&self, kind: ResourceKind, id: &str) -> String {
        format!("{}/{}/{id}", self.base, kind.endpoint())
    }

    /// `meta` (RFC 7643 §3.1): `version` is the item's, as a weak ETag.
    pub fn meta(&self, kind: ResourceKind, id: &str, created: &str, last_modified: &str, version: u64) -> Value {
        json!({
            "resourceType": kind.name(),
            "created": created,
            "lastModified": last_modified,
            "location": self.location(kind, id),
            "version": format!("W/\"{version}\""),
        })
    }
}

/// The write that gives the unique name `key` to the resource `id` (it must be free).
pub fn name(key: String, id: &str) -> Write {
    Write::Create {
        key,
        doc: json!({ "id": id }),
    }
}

/// The writes that move a unique name (`from` to `to`) to the resource `id`.
pub fn moved(from: String, to: String, id: &str) -> [Write; 2] {
    [name(to, id), Write::Delete { key: from }]
}

/// `schemas` and `id` first, then the attributes, then `meta`: as RFC 7643's examples read.
pub fn ordered(schemas: Value, id: &str, attributes: Value, meta: Value) -> Value {
    let mut object = Map::new();
    object.insert("schemas".into(), schemas);
    object.insert("id".into(), json!(id));
    for (k, v) in attributes.as_object().into_iter().flatten() {
        object.insert(k.clone(), v.clone());
    }
    object.insert("meta".into(), meta);
    Value::Object(object)
}

/// A random version-4 UUID: the SCIM `id`, given once and never derived from a name.
pub fn new_id() -> String {
    let bits = fastrand::u128(..);
    let bits = (bits & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Now, as RFC 3339 with microseconds: fine enough that resources created one after another
/// list in that order.
pub fn now() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let micros = since.subsec_micros() * 1000;
    DateTime::from_secs_and_nanos(since.as_secs() as i64, micros)
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_default()
}

/// A list's order, the same for every page (RFC 7644 §3.4.2.4): by creation, then by id. A
/// timestamp's fraction has as many digits as it needs, so the text alone would not order it.
pub fn by_creation<T>(held: &mut [Held<T>], created: impl Fn(&T) -> &str, id: impl Fn(&T) -> &str) {
    held.sort_by_cached_key(|h| {
        let at = DateTime::from_str(created(&h.doc), DateTimeFormat::DateTime).ok();
        (at, id(&h.doc).to_owned())
    });
}

/// The attributes a client wrote: `id`, `meta` and (RFC 7643 §2.2) read-only attributes it may
/// send are ignored; `schemas` is given back from what is held.
pub fn written(body: &Value, read_only: &[&str]) -> Value {
    let mut attributes = Map::new();
    for (k, v) in body.as_object().into_iter().flatten() {
        let ignored = ["id", "meta", "schemas"]
            .iter()
            .chain(read_only)
            .any(|a| a.eq_ignore_ascii_case(k));
        if !ignored {
            attributes.insert(k.clone(), crate::protocol::patch::normalized(k, v.clone()));
        }
    }
    Value::Object(attributes)
}

/// A required, non-empty string attribute.
pub fn required_string(resource: &Value, name: &str) -> Result<String, ScimError> {
    match get_ci(resource, name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(other) if !other.is_null() => Err(ScimError::bad(
            ScimType::InvalidValue,
            format!("{name} must be a non-empty string, not {other}"),
        )),
        _ => Err(ScimError::bad(ScimType::InvalidValue, format!("{name} is required"))),
    }
}

/// An optional string attribute.
pub fn optional_string(resource: &Value, name: &str) -> Result<Option<String>, ScimError> {
    match get_ci(resource, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ScimError::bad(
            ScimType::InvalidValue,
            format!("{name} must be a string, not {other}"),
        )),
    }
}

impl From<StoreError> for ScimError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { key } if key.starts_with("user#") || key.starts_with("group#") => {
                Self::Unavailable {
                    status: 503,
                    detail: "the resource was changed by another request meanwhile; retry".into(),
                }
            }
            StoreError::Conflict { key } => Self::Conflict(format!("{} is taken by another resource", shown(&key))),
            StoreError::Unavailable(why) => {
                tracing::warn!(why, "the SCIM table is unavailable");
                Self::Unavailable {
                    status: 503,
                    detail: "the SCIM table did not answer; retry".into(),
                }
            }
            StoreError::Failed(why) => Self::Internal(why),
        }
    }
}

/// A table key as a client may see it: the kind and value, not the namespace.
fn shown(key: &str) -> String {
    let mut parts = key.splitn(3, '#');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(kind), Some(_), Some(name)) => format!("{kind} {name:?}"),
        _ => "the resource".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Held, by_creation};

    #[test]
    fn lists_order_by_the_instant_of_creation_not_its_text_then_by_id() {
        let held = |created: &str, id: &str| Held {
            doc: (created.to_owned(), id.to_owned()),
            version: 1,
        };
        let mut list = vec![
            held("2026-12-02T10:00:00.5Z", "a"),
            held("2026-12-02T10:00:00.123457Z", "b"),
            held("2026-12-02T10:00:00.123456Z", "z"),
            held("2026-12-02T10:00:00.123457Z", "a"),
            held("2026-12-02T10:00:00Z", "c"),
        ];
        by_creation(&mut list, |d| &d.0, |d| &d.1);
        let order: Vec<(&str, &str)> = list.iter().map(|h| (h.doc.0.as_str(), h.doc.1.as_str())).collect();
        assert_eq!(
            order,
            [
                ("2026-12-02T10:00:00Z", "c"),
                ("2026-12-02T10:00:00.123456Z", "z"),
                ("2026-12-02T10:00:00.123457Z", "a"),
                ("2026-12-02T10:00:00.123457Z", "b"),
                ("2026-12-02T10:00:00.5Z", "a"),
            ]
        );
    }
}
