//! The table's records of users and groups, and what every endpoint shares: the request's context
//! (its home, its base URL, its deadline), ids, timestamps, `meta`, the unique names' items.

use std::sync::Mutex;

use aws_sdk_dynamodb::primitives::{DateTime, DateTimeFormat};
use qs_engine::Outcome;
use qs_model::tenant::Home;
use qs_observe::metrics::Counts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use crate::App;
use crate::error::ScimError;
use crate::keys::{Key, KeyKind};
use crate::protocol::ResourceKind;
use crate::protocol::schema::stored;
use crate::settings::Deactivate;
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

/// The table's record of one SCIM user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDoc {
    pub id: String,
    /// `RoleName/SessionName`.
    pub quick_sight_user: String,
    /// The attributes as the schema spells them ([`crate::protocol::schema::written`]).
    pub resource: Map<String, Value>,
    pub created: String,
    pub last_modified: String,
    /// The SCIM groups of a user deactivated out of QuickSight (`SCIM_DEACTIVATE=delete`), given
    /// back when it is active again: its memberships went with QuickSight's user.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups_when_deactivated: Vec<String>,
}

/// The table's record of one SCIM group.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupDoc {
    pub id: String,
    pub quick_sight_group: String,
    /// The attributes as written, without `members` (QuickSight holds those).
    pub resource: Map<String, Value>,
    pub created: String,
    pub last_modified: String,
}

/// A record of the table, of one resource type.
pub trait Record: DeserializeOwned + Serialize {
    const KIND: ResourceKind;
    const KEY: KeyKind;
    fn id(&self) -> &str;
    fn created(&self) -> &str;
    fn resource_mut(&mut self) -> &mut Map<String, Value>;
}

macro_rules! record {
    ($doc:ty, $kind:ident) => {
        impl Record for $doc {
            const KIND: ResourceKind = ResourceKind::$kind;
            const KEY: KeyKind = KeyKind::$kind;
            fn id(&self) -> &str {
                &self.id
            }
            fn created(&self) -> &str {
                &self.created
            }
            fn resource_mut(&mut self) -> &mut Map<String, Value> {
                &mut self.resource
            }
        }
    };
}

record!(UserDoc, User);
record!(GroupDoc, Group);

/// A string attribute of a resource (its names are the schema's).
pub fn text<'a>(resource: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    resource.get(name).and_then(Value::as_str)
}

impl UserDoc {
    pub fn user_name(&self) -> &str {
        text(&self.resource, "userName").unwrap_or_default()
    }
}

impl GroupDoc {
    pub fn display_name(&self) -> &str {
        text(&self.resource, "displayName").unwrap_or_default()
    }
}

/// `active` (RFC 7643 §4.1.1 leaves its meaning to the provider): only `false` takes a user out of
/// QuickSight; `true` and unassigned keep it there, as a create without `active` does.
pub fn is_active(resource: &Map<String, Value>) -> bool {
    resource.get("active") != Some(&Value::Bool(false))
}

/// A resource's record as read, with the version a replacement must find.
pub struct Held<T> {
    pub doc: T,
    pub version: u64,
}

impl<T: Record> Held<T> {
    /// A record written by an earlier release keeps only what the schema defines, as it spells it.
    fn from_stored(stored_item: Stored) -> Result<Self, ScimError> {
        let mut doc: T = serde_json::from_value(stored_item.doc)
            .map_err(|e| ScimError::Internal(format!("a record does not read: {e}")))?;
        let resource = std::mem::take(doc.resource_mut());
        *doc.resource_mut() = stored(T::KIND, &Value::Object(resource));
        Ok(Self {
            doc,
            version: stored_item.version,
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

    pub fn key(&self, kind: KeyKind, value: &str) -> Key {
        Key::new(kind, &self.home.namespace, value)
    }

    /// Whether QuickSight holds a user whose SCIM user has `resource`.
    pub fn in_quicksight(&self, resource: &Map<String, Value>) -> bool {
        is_active(resource) || self.app.settings.deactivate == Deactivate::Keep
    }

    /// The record of the resource `id`.
    pub async fn record<T: Record>(&self, id: &str) -> Result<Option<Held<T>>, ScimError> {
        let stored = self.app.table.get(&self.key(T::KEY, id)).await?;
        stored.map(Held::from_stored).transpose()
    }

    /// Every record of `T`'s kind in this home.
    pub async fn records<T: Record>(&self) -> Result<Vec<Held<T>>, ScimError> {
        let stored = self.app.table.scan(T::KEY, &self.home.namespace).await?;
        stored.into_iter().map(Held::from_stored).collect()
    }

    /// The id a name's item points at.
    pub async fn indexed(&self, kind: KeyKind, name: &str) -> Result<Option<String>, ScimError> {
        let stored = self.app.table.get(&self.key(kind, name)).await?;
        Ok(stored.and_then(|s| s.doc.get("id").and_then(Value::as_str).map(str::to_owned)))
    }

    /// 409 `uniqueness` when the name is another resource's than `id`'s.
    pub async fn unique(&self, kind: KeyKind, name: &str, id: &str) -> Result<(), ScimError> {
        match self.indexed(kind, name).await? {
            Some(other) if other != id => Err(taken(&self.key(kind, name))),
            _ => Ok(()),
        }
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

    /// The write that gives the unique name to the resource `id` (it must be free).
    pub fn name(&self, kind: KeyKind, name: &str, id: &str) -> Write {
        Write::Create {
            key: self.key(kind, name),
            doc: json!({ "id": id }),
        }
    }

    /// The writes that move a unique name from `from` to `to`, when it changes.
    pub fn rename(&self, kind: KeyKind, from: &str, to: &str, id: &str) -> Vec<Write> {
        if self.key(kind, from) == self.key(kind, to) {
            return Vec::new();
        }
        vec![
            self.name(kind, to, id),
            Write::Delete {
                key: self.key(kind, from),
            },
        ]
    }
}

fn taken(key: &Key) -> ScimError {
    ScimError::Conflict(format!("{} is taken by another resource", key.shown()))
}

/// `schemas` and `id` first, then the attributes, then `meta`: as RFC 7643's examples read.
pub fn ordered(schemas: Vec<&str>, id: &str, attributes: Map<String, Value>, meta: Value) -> Value {
    let mut object = Map::new();
    object.insert("schemas".into(), json!(schemas));
    object.insert("id".into(), json!(id));
    object.extend(attributes);
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
fn creation_order(created: &str, id: &str) -> (Option<DateTime>, String) {
    (
        DateTime::from_str(created, DateTimeFormat::DateTime).ok(),
        id.to_owned(),
    )
}

/// What a filter selected, in creation order: one resource, which the caller reads whole (the
/// lookups IdPs make before they write), or the table's representations of several.
pub enum Selected<T> {
    One(Held<T>),
    Many(Vec<Value>),
}

pub fn selected<T: Record>(mut found: Vec<(Held<T>, Value)>) -> Selected<T> {
    found.sort_by_cached_key(|(h, _)| creation_order(h.doc.created(), h.doc.id()));
    match found.len() {
        1 => Selected::One(found.remove(0).0),
        _ => Selected::Many(found.into_iter().map(|(_, resource)| resource).collect()),
    }
}

impl From<StoreError> for ScimError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { key } if key.kind().is_resource() => Self::Unavailable {
                status: 503,
                detail: "the resource was changed by another request meanwhile; retry".into(),
            },
            StoreError::Conflict { key } => taken(&key),
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

#[cfg(test)]
mod tests {
    use super::creation_order;

    #[test]
    fn lists_order_by_the_instant_of_creation_not_its_text_then_by_id() {
        let mut list = vec![
            ("2026-12-02T10:00:00.5Z", "a"),
            ("2026-12-02T10:00:00.123457Z", "b"),
            ("2026-12-02T10:00:00.123456Z", "z"),
            ("2026-12-02T10:00:00.123457Z", "a"),
            ("2026-12-02T10:00:00Z", "c"),
        ];
        list.sort_by_cached_key(|(created, id)| creation_order(created, id));
        let order = list;
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
