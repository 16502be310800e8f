//! Writing groups: PUT, PATCH (applied to the group with its members, then as a PUT), renames.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::members::{change_members, member_ids, member_users, refresh_roles, take_members};
use super::read::representation;
use super::{GroupDoc, Held, not_found};
use crate::error::ScimError;
use crate::protocol::patch;
use crate::resource::{Ctx, moved, now, required_string, written};
use crate::store::Write;

pub async fn replace(ctx: &Ctx<'_>, id: &str, body: &Value) -> Result<Value, ScimError> {
    let held = ctx.held_group(id).await?.ok_or_else(|| not_found(id))?;
    let mut resource = written(body, &[]);
    let members = take_members(&mut resource)?;
    update(ctx, held, resource, members).await
}

pub async fn patch(ctx: &Ctx<'_>, id: &str, body: &Value) -> Result<Value, ScimError> {
    let held = ctx.held_group(id).await?.ok_or_else(|| not_found(id))?;
    let members = member_ids(ctx, &held.doc.quick_sight_group)
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut resource = held.doc.resource.clone();
    resource["members"] = Value::Array(members);
    resource["id"] = json!(held.doc.id);
    patch::apply(&mut resource, body)?;
    let mut resource = written(&resource, &[]);
    let members = take_members(&mut resource)?;
    update(ctx, held, resource, members).await
}

/// Makes QuickSight's group and members what `resource` and `members` say, then records it. A new
/// display name is a new QuickSight group (QuickSight cannot rename one): created, given the
/// members, then the old one deleted.
async fn update(ctx: &Ctx<'_>, held: Held, resource: Value, members: Vec<Value>) -> Result<Value, ScimError> {
    let old = &held.doc;
    let display_name = required_string(&resource, "displayName")?;
    let group = ctx.quicksight_group(&display_name)?;
    let renamed = group != old.quick_sight_group;
    let new_name = !display_name.eq_ignore_ascii_case(old.display_name());
    if new_name {
        ctx.unique(
            &ctx.display_name_key(&display_name),
            &old.id,
            format!("displayName {display_name:?} is taken"),
        )
        .await?;
    }
    if renamed {
        ctx.unique(
            &ctx.quicksight_group_key(&group),
            &old.id,
            format!("the QuickSight group {group} is already another SCIM group's"),
        )
        .await?;
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
            if ctx.indexed(&ctx.quicksight_user_key(user)).await?.is_some() {
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
        key: ctx.group_key(&old.id),
        doc: json!(doc),
        version: held.version,
    }];
    if new_name {
        writes.extend(moved(
            ctx.display_name_key(old.display_name()),
            ctx.display_name_key(&display_name),
            &old.id,
        ));
    }
    if renamed {
        writes.extend(moved(
            ctx.quicksight_group_key(&old.quick_sight_group),
            ctx.quicksight_group_key(&group),
            &old.id,
        ));
    }
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
