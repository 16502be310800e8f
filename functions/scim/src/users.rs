//! `/Users`: a SCIM user is a federated QuickSight user. QuickSight holds the user, its e-mail,
//! role, login and groups, and is written first; the table holds the SCIM id and what QuickSight
//! cannot (the attributes as written, `active`, `meta`), written second. A failed table write
//! answers 503 and the client repeats the request: every QuickSight call is idempotent, so the
//! repeat finds QuickSight done and writes the table. A record whose QuickSight user is gone
//! (deleted elsewhere, or a DELETE whose table write failed) is removed when next read.

mod plan;

use std::collections::BTreeSet;
use std::time::Duration;

use qs_model::message::{Planned, UserAction};
use qs_model::user::ExistingUser;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{ScimError, ScimType};
use crate::groups;
use crate::protocol::filter::{Attr, Filter};
use crate::protocol::{ENTERPRISE_USER_SCHEMA, Page, ResourceKind, USER_SCHEMA, get_ci, patch};
use crate::resource::{Ctx, new_id, now, ordered, required_string, written};
use crate::settings::Deactivate;
use crate::store::Write;

pub use plan::plan;

/// Sent by clients, never written: a user's groups are the Groups' members.
const READ_ONLY: [&str; 1] = ["groups"];
/// A record younger than this is trusted when QuickSight does not show its user yet: QuickSight
/// shows a registration after a delay (eventual consistency).
const VISIBILITY_GRACE: Duration = Duration::from_secs(60);

/// The table's record of one SCIM user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDoc {
    pub id: String,
    /// `RoleName/SessionName`.
    pub quick_sight_user: String,
    /// The attributes as the client wrote them.
    pub resource: Value,
    pub created: String,
    pub last_modified: String,
}

impl UserDoc {
    pub fn user_name(&self) -> &str {
        get_ci(&self.resource, "userName").and_then(Value::as_str).unwrap_or_default()
    }
}

pub fn is_active(resource: &Value) -> bool {
    get_ci(resource, "active") != Some(&Value::Bool(false))
}

pub struct Held {
    pub doc: UserDoc,
    pub version: u64,
}

impl Ctx<'_> {
    /// Whether QuickSight holds a user whose SCIM user has `resource`.
    fn in_quicksight(&self, resource: &Value) -> bool {
        is_active(resource) || self.app.settings.deactivate == Deactivate::Keep
    }

    fn user_key(&self, id: &str) -> String {
        self.key("user", id)
    }

    fn user_name_key(&self, user_name: &str) -> String {
        self.key("userName", &user_name.to_lowercase())
    }

    pub fn quicksight_user_key(&self, quicksight_user: &str) -> String {
        self.key("qsUser", quicksight_user)
    }

    pub async fn held_user(&self, id: &str) -> Result<Option<Held>, ScimError> {
        let Some(stored) = self.app.table.get(&self.user_key(id)).await? else {
            return Ok(None);
        };
        let doc = serde_json::from_value(stored.doc).map_err(|e| ScimError::Internal(format!("user {id}: {e}")))?;
        Ok(Some(Held {
            doc,
            version: stored.version,
        }))
    }

    /// The id an index item (`userName#…`, `qsUser#…`) points at.
    pub async fn indexed(&self, key: &str) -> Result<Option<String>, ScimError> {
        let stored = self.app.table.get(key).await?;
        Ok(stored.and_then(|s| s.doc.get("id").and_then(Value::as_str).map(str::to_owned)))
    }

    /// 409 when `key` points at another resource than `id`.
    pub async fn unique(&self, key: &str, id: &str, what: String) -> Result<(), ScimError> {
        match self.indexed(key).await? {
            Some(other) if other != id => Err(ScimError::Conflict(what)),
            _ => Ok(()),
        }
    }
}

pub async fn create(ctx: &Ctx<'_>, body: &Value) -> Result<Value, ScimError> {
    let resource = written(body, &READ_ONLY);
    let user_name = required_string(&resource, "userName")?;
    let id = new_id();
    let planned = plan(ctx, &id, &resource, &BTreeSet::new())?;
    let quicksight_user = planned.user_name().to_owned();
    ctx.unique(&ctx.user_name_key(&user_name), &id, format!("userName {user_name:?} is taken"))
        .await?;
    ctx.unique(
        &ctx.quicksight_user_key(&quicksight_user),
        &id,
        format!("the QuickSight user {quicksight_user} is already another SCIM user's"),
    )
    .await?;
    if ctx.in_quicksight(&resource) {
        ctx.app.engine.apply(&planned, ctx.deadline).await?;
    }
    let at = now();
    let doc = UserDoc {
        id: id.clone(),
        quick_sight_user: quicksight_user.clone(),
        resource,
        created: at.clone(),
        last_modified: at,
    };
    ctx.app
        .table
        .write(vec![
            Write::Create {
                key: ctx.user_key(&id),
                doc: json!(doc),
            },
            Write::Create {
                key: ctx.user_name_key(&user_name),
                doc: json!({ "id": id }),
            },
            Write::Create {
                key: ctx.quicksight_user_key(&quicksight_user),
                doc: json!({ "id": id }),
            },
        ])
        .await?;
    Ok(representation(ctx, &doc, 1, None, Some(Vec::new())))
}

pub async fn get(ctx: &Ctx<'_>, id: &str) -> Result<Value, ScimError> {
    let held = ctx.held_user(id).await?.ok_or_else(|| not_found(id))?;
    read(ctx, held).await?.ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ScimError {
    ScimError::NotFound(format!("User {id} not found"))
}

/// The user as QuickSight and the table hold it; `None` when QuickSight no longer has it (the
/// record is then removed).
async fn read(ctx: &Ctx<'_>, held: Held) -> Result<Option<Value>, ScimError> {
    let doc = &held.doc;
    if !ctx.in_quicksight(&doc.resource) {
        return Ok(Some(representation(ctx, doc, held.version, None, Some(Vec::new()))));
    }
    let home = &ctx.home;
    let Some(existing) = ctx.app.engine.describe(home, &doc.quick_sight_user, ctx.deadline).await? else {
        if recently_written(doc) {
            return Ok(Some(representation(ctx, doc, held.version, None, Some(Vec::new()))));
        }
        tracing::warn!(id = doc.id, user = doc.quick_sight_user, "QuickSight no longer has the user: its record is removed");
        forget(ctx, doc).await?;
        return Ok(None);
    };
    let groups = groups::of_user(ctx, &doc.quick_sight_user).await?;
    let members: Vec<Value> = groups
        .iter()
        .map(|g| json!({ "value": g.id, "display": g.display_name, "$ref": ctx.location(ResourceKind::Group, &g.id) }))
        .collect();
    Ok(Some(representation(ctx, doc, held.version, Some(&existing), Some(members))))
}

fn recently_written(doc: &UserDoc) -> bool {
    let written = aws_sdk_dynamodb::primitives::DateTime::from_str(
        &doc.last_modified,
        aws_sdk_dynamodb::primitives::DateTimeFormat::DateTime,
    );
    let Ok(written) = written else { return false };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as i64;
    let age = now - written.to_millis().unwrap_or(0);
    age < VISIBILITY_GRACE.as_millis() as i64
}

/// Removes the record and its names.
async fn forget(ctx: &Ctx<'_>, doc: &UserDoc) -> Result<(), ScimError> {
    ctx.app
        .table
        .write(vec![
            Write::Delete {
                key: ctx.user_key(&doc.id),
            },
            Write::Delete {
                key: ctx.user_name_key(doc.user_name()),
            },
            Write::Delete {
                key: ctx.quicksight_user_key(&doc.quick_sight_user),
            },
        ])
        .await?;
    Ok(())
}

/// The resource as a client reads it: the attributes as written, QuickSight's e-mail, the groups.
fn representation(
    ctx: &Ctx<'_>,
    doc: &UserDoc,
    version: u64,
    existing: Option<&ExistingUser>,
    groups: Option<Vec<Value>>,
) -> Value {
    let mut resource = doc.resource.clone();
    let mut schemas = vec![json!(USER_SCHEMA)];
    if get_ci(&resource, ENTERPRISE_USER_SCHEMA).is_some() {
        schemas.push(json!(ENTERPRISE_USER_SCHEMA));
    }
    if let Some(email) = existing.and_then(|e| e.email.as_deref()) {
        overlay_email(&mut resource, email);
    }
    let object = resource.as_object_mut().expect("written() keeps an object");
    if get_ci(&doc.resource, "active").is_none() {
        object.insert("active".into(), json!(true));
    }
    if let Some(groups) = groups {
        object.insert("groups".into(), Value::Array(groups));
    }
    let meta = ctx.meta(ResourceKind::User, &doc.id, &doc.created, &doc.last_modified, version);
    ordered(Value::Array(schemas), &doc.id, resource, meta)
}

/// QuickSight's e-mail as the primary (or first) e-mail's value.
fn overlay_email(resource: &mut Value, email: &str) {
    let Some(Value::Array(emails)) = resource
        .as_object_mut()
        .and_then(|o| o.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case("emails")).map(|(_, v)| v))
    else {
        return;
    };
    let primary = emails
        .iter()
        .position(|e| get_ci(e, "primary") == Some(&Value::Bool(true)))
        .unwrap_or(0);
    if let Some(object) = emails.get_mut(primary).and_then(Value::as_object_mut) {
        object.insert("value".into(), json!(email));
    }
}

pub async fn list(ctx: &Ctx<'_>, filter: Option<&Filter>, page: Page) -> Result<Value, ScimError> {
    let candidates = match filter {
        Some(f) if f.value_of(Attr::Id).is_some() => {
            let id = f.value_of(Attr::Id).unwrap_or_default();
            ctx.held_user(id).await?.into_iter().collect()
        }
        Some(f) if f.value_of(Attr::UserName).is_some() => {
            let name = f.value_of(Attr::UserName).unwrap_or_default();
            match ctx.indexed(&ctx.user_name_key(name)).await? {
                Some(id) => ctx.held_user(&id).await?.into_iter().collect(),
                None => Vec::new(),
            }
        }
        _ => scan(ctx).await?,
    };
    let mut matching: Vec<Held> = candidates.into_iter().filter(|h| filter.is_none_or(|f| matches(f, &h.doc))).collect();
    matching.sort_by(|a, b| (&a.doc.created, &a.doc.id).cmp(&(&b.doc.created, &b.doc.id)));
    // One user (the lookups IdPs make before they write) is read from QuickSight too; a longer
    // list is answered from the table alone, without groups, rather than with two calls per user.
    let resources = if matching.len() == 1 {
        let held = matching.pop().expect("one");
        read(ctx, held).await?.into_iter().collect()
    } else {
        matching
            .iter()
            .map(|h| representation(ctx, &h.doc, h.version, None, None))
            .collect()
    };
    Ok(page.answer(resources))
}

async fn scan(ctx: &Ctx<'_>) -> Result<Vec<Held>, ScimError> {
    let stored = ctx.app.table.scan(&ctx.user_key("")).await?;
    stored
        .into_iter()
        .map(|s| {
            let doc: UserDoc = serde_json::from_value(s.doc).map_err(|e| ScimError::Internal(e.to_string()))?;
            Ok(Held { doc, version: s.version })
        })
        .collect()
}

fn matches(filter: &Filter, doc: &UserDoc) -> bool {
    filter.0.iter().all(|clause| {
        let actual = match clause.attr {
            Attr::Id => Some(doc.id.as_str()),
            Attr::UserName => Some(doc.user_name()),
            Attr::ExternalId => get_ci(&doc.resource, "externalId").and_then(Value::as_str),
            Attr::DisplayName | Attr::MemberValue => None,
        };
        actual.is_some_and(|a| clause.matches(a))
    })
}

pub async fn replace(ctx: &Ctx<'_>, id: &str, body: &Value) -> Result<Value, ScimError> {
    let held = ctx.held_user(id).await?.ok_or_else(|| not_found(id))?;
    update(ctx, held, written(body, &READ_ONLY)).await
}

pub async fn patch(ctx: &Ctx<'_>, id: &str, body: &Value) -> Result<Value, ScimError> {
    let held = ctx.held_user(id).await?.ok_or_else(|| not_found(id))?;
    let mut resource = held.doc.resource.clone();
    resource["id"] = json!(held.doc.id);
    patch::apply(&mut resource, body)?;
    update(ctx, held, written(&resource, &READ_ONLY)).await
}

/// Makes QuickSight hold `resource`'s user, then records it.
async fn update(ctx: &Ctx<'_>, held: Held, resource: Value) -> Result<Value, ScimError> {
    let old = &held.doc;
    let user_name = required_string(&resource, "userName")?;
    let was_in_quicksight = ctx.in_quicksight(&old.resource);
    let groups = if was_in_quicksight {
        groups::of_user(ctx, &old.quick_sight_user).await?
    } else {
        Vec::new()
    };
    let names: BTreeSet<String> = groups.iter().map(|g| g.display_name.clone()).collect();
    let planned = plan(ctx, &old.id, &resource, &names)?;
    let quicksight_user = planned.user_name().to_owned();
    let renamed = quicksight_user != old.quick_sight_user;
    let new_name = !user_name.eq_ignore_ascii_case(old.user_name());
    if new_name {
        ctx.unique(&ctx.user_name_key(&user_name), &old.id, format!("userName {user_name:?} is taken"))
            .await?;
    }
    if renamed {
        ctx.unique(
            &ctx.quicksight_user_key(&quicksight_user),
            &old.id,
            format!("the QuickSight user {quicksight_user} is already another SCIM user's"),
        )
        .await?;
    }
    let engine = &ctx.app.engine;
    match (ctx.in_quicksight(&resource), was_in_quicksight && renamed) {
        (true, true) => rename(ctx, &old.quick_sight_user, &planned).await?,
        (true, false) => {
            engine.apply(&planned, ctx.deadline).await?;
        }
        // Deactivated (SCIM_DEACTIVATE=delete): the user goes, through the asset handover rules.
        (false, _) => {
            engine.delete_user(&ctx.home, &old.quick_sight_user, ctx.deadline).await?;
        }
    }
    let doc = UserDoc {
        id: old.id.clone(),
        quick_sight_user: quicksight_user.clone(),
        resource,
        created: old.created.clone(),
        last_modified: now(),
    };
    let mut writes = vec![Write::Replace {
        key: ctx.user_key(&old.id),
        doc: json!(doc),
        version: held.version,
    }];
    if new_name {
        writes.push(Write::Create {
            key: ctx.user_name_key(&user_name),
            doc: json!({ "id": old.id }),
        });
        writes.push(Write::Delete {
            key: ctx.user_name_key(old.user_name()),
        });
    }
    if renamed {
        writes.push(Write::Create {
            key: ctx.quicksight_user_key(&quicksight_user),
            doc: json!({ "id": old.id }),
        });
        writes.push(Write::Delete {
            key: ctx.quicksight_user_key(&old.quick_sight_user),
        });
    }
    ctx.app.table.write(writes).await?;
    let version = held.version + 1;
    match read(ctx, Held { doc: doc.clone(), version }).await? {
        Some(answer) => Ok(answer),
        None => Err(not_found(&doc.id)),
    }
}

/// A rename QuickSight cannot do: the user under its new name, with its managed groups, then the
/// old name deleted through the asset handover rules. Each step is idempotent, so a repeated
/// request finishes a rename that failed halfway. A deletion the rules refuse removes the new
/// user again (it owns nothing yet) and answers the refusal.
async fn rename(ctx: &Ctx<'_>, old_user: &str, planned: &Planned) -> Result<(), ScimError> {
    let engine = &ctx.app.engine;
    let home = &ctx.home;
    let old_groups = engine.groups_of(home, old_user, ctx.deadline).await?.unwrap_or_default();
    let scope = ctx.app.config.group_scope(home);
    let managed: BTreeSet<String> = old_groups.into_iter().filter(|g| scope.is_managed(g)).collect();
    engine.apply(planned, ctx.deadline).await?;
    let new_user = planned.user_name();
    if !managed.is_empty() {
        engine
            .change_groups(home, new_user, &managed, &BTreeSet::new(), ctx.deadline)
            .await?;
    }
    if let Err(refused) = engine.delete_user(home, old_user, ctx.deadline).await {
        if refused.is_refusal() {
            engine.delete_user(home, new_user, ctx.deadline).await?;
        }
        return Err(refused.into());
    }
    Ok(())
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> Result<(), ScimError> {
    let held = ctx.held_user(id).await?.ok_or_else(|| not_found(id))?;
    ctx.app
        .engine
        .delete_user(&ctx.home, &held.doc.quick_sight_user, ctx.deadline)
        .await?;
    forget(ctx, &held.doc).await
}

/// Re-applies the user's role after its groups changed (GROUP_MAPPING may map a group to a role).
pub async fn refresh_role(ctx: &Ctx<'_>, id: &str) -> Result<(), ScimError> {
    let Some(held) = ctx.held_user(id).await? else {
        return Ok(());
    };
    if !ctx.in_quicksight(&held.doc.resource) {
        return Ok(());
    }
    let groups = groups::of_user(ctx, &held.doc.quick_sight_user).await?;
    let names: BTreeSet<String> = groups.into_iter().map(|g| g.display_name).collect();
    let planned = plan(ctx, id, &held.doc.resource, &names)?;
    if let UserAction::Upsert { .. } = planned.action {
        ctx.app.engine.apply(&planned, ctx.deadline).await?;
    }
    Ok(())
}

/// 400 `invalidValue` for a request that would leave a user without what QuickSight needs.
pub fn invalid(detail: impl Into<String>) -> ScimError {
    ScimError::bad(ScimType::InvalidValue, detail)
}
