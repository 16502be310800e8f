//! Reading users: one from QuickSight and the table (a stale record repaired), a list from the table.

use qs_model::user::ExistingUser;
use serde_json::{Value, json};

use super::{Held, UserDoc, VISIBILITY_GRACE, forget};
use crate::error::ScimError;
use crate::groups::{self, UserGroup};
use crate::protocol::filter::{Attr, Filter};
use crate::protocol::{ENTERPRISE_USER_SCHEMA, Page, ResourceKind, USER_SCHEMA, get_ci};
use crate::resource::{Ctx, by_creation, ordered};

/// The user as QuickSight and the table hold it; `None` when QuickSight no longer has it (the
/// record is then removed).
pub(super) async fn read(ctx: &Ctx<'_>, held: Held) -> Result<Option<Value>, ScimError> {
    let doc = &held.doc;
    if !ctx.in_quicksight(&doc.resource) {
        return Ok(Some(representation(ctx, doc, held.version, None, Some(Vec::new()))));
    }
    let home = &ctx.home;
    let Some(existing) = ctx
        .app
        .engine
        .describe(home, &doc.quick_sight_user, ctx.deadline)
        .await?
    else {
        if recently_written(doc) {
            return Ok(Some(representation(ctx, doc, held.version, None, Some(Vec::new()))));
        }
        tracing::warn!(
            id = doc.id,
            user = doc.quick_sight_user,
            "QuickSight no longer has the user: its record is removed"
        );
        forget(ctx, doc).await?;
        return Ok(None);
    };
    let groups = groups::of_user(ctx, &doc.quick_sight_user).await?;
    Ok(Some(representation(
        ctx,
        doc,
        held.version,
        Some(&existing),
        Some(group_refs(ctx, &groups)),
    )))
}

/// The user's `groups` attribute.
pub(super) fn group_refs(ctx: &Ctx<'_>, groups: &[UserGroup]) -> Vec<Value> {
    groups
        .iter()
        .map(|g| json!({ "value": g.id, "display": g.display_name, "$ref": ctx.location(ResourceKind::Group, &g.id) }))
        .collect()
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

/// The resource as a client reads it: the attributes as written, QuickSight's e-mail, the groups.
pub(super) fn representation(
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
    let Some(Value::Array(emails)) = resource.as_object_mut().and_then(|o| {
        o.iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case("emails"))
            .map(|(_, v)| v)
    }) else {
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
        _ => ctx.scan("user").await?,
    };
    let mut matching: Vec<Held> = candidates
        .into_iter()
        .filter(|h| filter.is_none_or(|f| matches(f, &h.doc)))
        .collect();
    by_creation(&mut matching, |d| &d.created, |d| &d.id);
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
