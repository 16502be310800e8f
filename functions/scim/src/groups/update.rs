//! Writing groups: PUT, PATCH (applied to the group with its members, then as a PUT), renames.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::read::representation;
use super::{held, not_found, written_group};
use crate::error::{ScimError, ScimType};
use crate::keys::KeyKind;
use crate::memberships::{change_members, member_ids, member_users, refresh_roles};
use crate::protocol::{ResourceKind, patch};
use crate::records::{Ctx, GroupDoc, Held, now};
use crate::store::Write;

pub async fn replace(ctx: &Ctx<'_>, id: &str, body: &Value) -> Result<Value, ScimError> {
    let held = held(ctx, id).await?;
    let (resource, members) = written_group(body, ScimType::InvalidValue)?;
    update(ctx, held, resource, members).await
}

pub async fn patch(ctx: &Ctx<'_>, id: &str, body: &Value) -> Result<Value, ScimError> {
    let held = held(ctx, id).await?;
    let members = member_ids(ctx, &held.doc.quick_sight_group)
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut resource = held.doc.resource.clone();
    if !members.is_empty() {
        resource.insert("members".into(), Value::Array(members));
    }
    patch::apply(ResourceKind::Group, id, &mut resource, body)?;
    let (resource, members) = written_group(&Value::Object(resource), ScimType::Mutability)?;
    update(ctx, held, resource, members).await
}

/// Makes QuickSight's group and members what `resource` and `members` say, then records it. A new
/// display name is a new QuickSight group (QuickSight cannot rename one): created, given the
/// members, then the old one deleted.
async fn update(
    ctx: &Ctx<'_>,
    held: Held<GroupDoc>,
    resource: Map<String, Value>,
    members: Vec<Value>,
) -> Result<Value, ScimError> {
    let old = &held.doc;
    let display_name = resource["displayName"].as_str().unwrap_or_default().to_owned();
    let group = ctx.quicksight_group(&display_name)?;
    let renamed = group != old.quick_sight_group;
    if !display_name.eq_ignore_ascii_case(old.display_name()) {
        ctx.unique(KeyKind::DisplayName, &display_name, &old.id).await?;
    }
    if renamed {
        ctx.unique(KeyKind::QuickSightGroup, &group, &old.id).await?;
    }
    let desired = member_users(ctx, &members).await?;
    let engine = &ctx.app.engine;
    let current = engine
        .members_of(&ctx.home, &old.quick_sight_group, ctx.deadline)
        .await?
        .unwrap_or_default();
    let changed: BTreeSet<String> = current.symmetric_difference(&desired).cloned().collect();
    if renamed {
        engine.ensure_group(&ctx.home, &group, ctx.deadline).await?;
        change_members(ctx, &group, &desired, &BTreeSet::new()).await?;
        engine
            .delete_group(&ctx.home, &old.quick_sight_group, ctx.deadline)
            .await?;
    } else {
        let add = desired.difference(&current).cloned().collect();
        // Only SCIM users leave: a member this service did not provision stays.
        let mut remove = BTreeSet::new();
        for user in current.difference(&desired) {
            if ctx.indexed(KeyKind::QuickSightUser, user).await?.is_some() {
                remove.insert(user.clone());
            }
        }
        change_members(ctx, &group, &add, &remove).await?;
    }
    let doc = GroupDoc {
        id: old.id.clone(),
        quick_sight_group: group.clone(),
        resource,
        created: old.created.clone(),
        last_modified: now(),
    };
    let mut writes = vec![Write::Replace {
        key: ctx.key(KeyKind::Group, &old.id),
        doc: json!(doc),
        version: held.version,
    }];
    writes.extend(ctx.rename(KeyKind::DisplayName, old.display_name(), &display_name, &old.id));
    writes.extend(ctx.rename(KeyKind::QuickSightGroup, &old.quick_sight_group, &group, &old.id));
    ctx.app.table.write(writes).await?;
    let affected = if renamed {
        current.union(&desired).cloned().collect()
    } else {
        changed
    };
    refresh_roles(ctx, &[&display_name, old.display_name()], &affected).await?;
    let answer_members = member_ids(ctx, &group).await?.unwrap_or_default();
    Ok(representation(ctx, &doc, held.version + 1, Some(answer_members)))
}
