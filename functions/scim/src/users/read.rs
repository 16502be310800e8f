//! Reading users: one from QuickSight and the table (a stale record repaired), a filtered list
//! from the table.

use qs_model::user::ExistingUser;
use serde_json::{Value, json};

use super::{VISIBILITY_GRACE, forget};
use crate::error::ScimError;
use crate::keys::KeyKind;
use crate::memberships::{group_refs, of_user};
use crate::protocol::filter::Filter;
use crate::protocol::{ENTERPRISE_USER_SCHEMA, ResourceKind, USER_SCHEMA};
use crate::records::{Ctx, Held, Selected, UserDoc, ordered, selected};

/// The user as QuickSight and the table hold it; `None` when QuickSight no longer has it (the
/// record is then removed).
pub(super) async fn read(ctx: &Ctx<'_>, held: Held<UserDoc>) -> Result<Option<Value>, ScimError> {
    let doc = &held.doc;
    if !ctx.in_quicksight(&doc.resource) {
        return Ok(Some(representation(ctx, doc, held.version, None, Some(Vec::new()))));
    }
    let Some(existing) = ctx
        .app
        .engine
        .describe(&ctx.home, &doc.quick_sight_user, ctx.deadline)
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
    let groups = of_user(ctx, &doc.quick_sight_user).await?;
    Ok(Some(representation(
        ctx,
        doc,
        held.version,
        Some(&existing),
        Some(group_refs(ctx, &groups)),
    )))
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
    let mut schemas = vec![USER_SCHEMA];
    if resource.contains_key(ENTERPRISE_USER_SCHEMA) {
        schemas.push(ENTERPRISE_USER_SCHEMA);
    }
    if let Some(email) = existing.and_then(|e| e.email.as_deref()) {
        overlay_email(&mut resource, email);
    }
    if let Some(groups) = groups.filter(|g| !g.is_empty()) {
        resource.insert("groups".into(), Value::Array(groups));
    }
    let meta = ctx.meta(ResourceKind::User, &doc.id, &doc.created, &doc.last_modified, version);
    ordered(schemas, &doc.id, resource, meta)
}

/// QuickSight's e-mail as the primary (or first) e-mail's value.
fn overlay_email(resource: &mut serde_json::Map<String, Value>, email: &str) {
    let Some(Value::Array(emails)) = resource.get_mut("emails") else {
        return;
    };
    let primary = emails
        .iter()
        .position(|e| e.get("primary") == Some(&Value::Bool(true)))
        .unwrap_or(0);
    if let Some(object) = emails.get_mut(primary).and_then(Value::as_object_mut) {
        object.insert("value".into(), json!(email));
    }
}

/// The users `filter` selects, in creation order. One (the lookups IdPs make before they write)
/// is read from QuickSight too; more are answered from the table alone, without groups unless
/// the filter reads them, rather than with two calls per user.
pub async fn matching(ctx: &Ctx<'_>, filter: Option<&Filter>) -> Result<Vec<Value>, ScimError> {
    let candidates: Vec<Held<UserDoc>> = match filter {
        Some(f) if f.required_value("id").is_some() => ctx
            .record(f.required_value("id").unwrap_or_default())
            .await?
            .into_iter()
            .collect(),
        Some(f) if f.required_value("userName").is_some() => {
            let name = f.required_value("userName").unwrap_or_default();
            match ctx.indexed(KeyKind::UserName, name).await? {
                Some(id) => ctx.record(&id).await?.into_iter().collect(),
                None => Vec::new(),
            }
        }
        _ => ctx.records().await?,
    };
    let reads_groups = filter.is_some_and(|f| f.reads("groups"));
    let mut matched = Vec::new();
    for held in candidates {
        let groups = match reads_groups && ctx.in_quicksight(&held.doc.resource) {
            true => Some(group_refs(ctx, &of_user(ctx, &held.doc.quick_sight_user).await?)),
            false => None,
        };
        let resource = representation(ctx, &held.doc, held.version, None, groups);
        if filter.is_none_or(|f| f.matches(&resource)) {
            matched.push((held, resource));
        }
    }
    Ok(match selected(matched) {
        Selected::One(held) => read(ctx, held).await?.into_iter().collect(),
        Selected::Many(resources) => resources,
    })
}
