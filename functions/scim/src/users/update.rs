//! Writing users: PUT, PATCH (applied, then as a PUT), renames, deactivation.

use std::collections::BTreeSet;

use qs_model::message::Planned;
use serde_json::{Map, Value, json};

use super::read::representation;
use super::{held, plan};
use crate::error::{ScimError, ScimType};
use crate::keys::KeyKind;
use crate::memberships::{existing, group_refs, of_user};
use crate::protocol::schema::{require, written};
use crate::protocol::{ResourceKind, patch};
use crate::records::{Ctx, Held, UserDoc, now};
use crate::store::Write;

pub async fn replace(ctx: &Ctx<'_>, id: &str, body: &Value) -> Result<Value, ScimError> {
    let held = held(ctx, id).await?;
    let resource = written(ResourceKind::User, body)?;
    require(ResourceKind::User, &resource, ScimType::InvalidValue)?;
    update(ctx, held, resource).await
}

pub async fn patch(ctx: &Ctx<'_>, id: &str, body: &Value) -> Result<Value, ScimError> {
    let held = held(ctx, id).await?;
    let mut resource = held.doc.resource.clone();
    patch::apply(ResourceKind::User, id, &mut resource, body)?;
    let resource = written(ResourceKind::User, &Value::Object(resource))?;
    require(ResourceKind::User, &resource, ScimType::Mutability)?;
    update(ctx, held, resource).await
}

/// Makes QuickSight hold `resource`'s user, then records it.
async fn update(ctx: &Ctx<'_>, held: Held<UserDoc>, resource: Map<String, Value>) -> Result<Value, ScimError> {
    let old = &held.doc;
    let user_name = resource["userName"].as_str().unwrap_or_default().to_owned();
    let was_in_quicksight = ctx.in_quicksight(&old.resource);
    let groups = if was_in_quicksight {
        of_user(ctx, &old.quick_sight_user).await?
    } else {
        existing(ctx, &old.groups_when_deactivated).await?
    };
    let names: BTreeSet<String> = groups.iter().map(|g| g.display_name.clone()).collect();
    let planned = plan(ctx, &old.id, &resource, &names, true)?;
    let quicksight_user = planned.user_name().to_owned();
    let renamed = quicksight_user != old.quick_sight_user;
    if !user_name.eq_ignore_ascii_case(old.user_name()) {
        ctx.unique(KeyKind::UserName, &user_name, &old.id).await?;
    }
    if renamed {
        ctx.unique(KeyKind::QuickSightUser, &quicksight_user, &old.id).await?;
    }
    let engine = &ctx.app.engine;
    let in_quicksight = ctx.in_quicksight(&resource);
    match (in_quicksight, was_in_quicksight && renamed) {
        (true, true) => rename(ctx, &old.quick_sight_user, &planned).await?,
        (true, false) => {
            ctx.count(&engine.apply(&planned, ctx.deadline).await?);
            if !was_in_quicksight && !groups.is_empty() {
                let names = groups.iter().map(|g| g.quicksight_group.clone()).collect();
                let none = BTreeSet::new();
                let joined = engine
                    .change_groups(&ctx.home, &quicksight_user, &names, &none, ctx.deadline)
                    .await?;
                ctx.count(&joined);
            }
        }
        // Deactivated (SCIM_DEACTIVATE=delete): the user goes, through the asset handover rules.
        // One deactivated before was deleted then, and the deletion confirmed: a repeat (Okta
        // pushes updates to deactivated users) need not wait out QuickSight's consistency window.
        (false, _) if was_in_quicksight => {
            let deleted = engine
                .delete_user(&ctx.home, &old.quick_sight_user, ctx.deadline)
                .await?;
            ctx.count(&deleted);
        }
        (false, _) => {}
    }
    // Kept while the user is out of QuickSight, so that reactivation gives its groups back.
    let groups_when_deactivated = match in_quicksight {
        true => Vec::new(),
        false => groups.iter().map(|g| g.id.clone()).collect(),
    };
    let doc = UserDoc {
        id: old.id.clone(),
        quick_sight_user: quicksight_user.clone(),
        resource,
        created: old.created.clone(),
        last_modified: now(),
        groups_when_deactivated,
    };
    let mut writes = vec![Write::Replace {
        key: ctx.key(KeyKind::User, &old.id),
        doc: json!(doc),
        version: held.version,
    }];
    writes.extend(ctx.rename(KeyKind::UserName, old.user_name(), &user_name, &old.id));
    writes.extend(ctx.rename(
        KeyKind::QuickSightUser,
        &old.quick_sight_user,
        &quicksight_user,
        &old.id,
    ));
    ctx.app.table.write(writes).await?;
    // What QuickSight now holds is what was just written: the answer needs no second read.
    let groups = if in_quicksight {
        group_refs(ctx, &groups)
    } else {
        Vec::new()
    };
    Ok(representation(ctx, &doc, held.version + 1, None, Some(groups)))
}

/// A rename QuickSight cannot do: the user under its new name, with its managed groups; then the
/// old name's assets handed to the new name and checked, and the old name deleted. Each step is
/// idempotent, so a repeated request finishes a rename that failed halfway.
async fn rename(ctx: &Ctx<'_>, old_user: &str, planned: &Planned) -> Result<(), ScimError> {
    let engine = &ctx.app.engine;
    let home = &ctx.home;
    let old_groups = engine
        .groups_of(home, old_user, ctx.deadline)
        .await?
        .unwrap_or_default();
    let scope = ctx.app.config.group_scope(home);
    let managed: BTreeSet<String> = old_groups.into_iter().filter(|g| scope.is_managed(g)).collect();
    let outcome = engine.apply(planned, ctx.deadline).await?;
    ctx.count(&outcome);
    let new_user = planned.user_name();
    if !managed.is_empty() {
        let moved = engine
            .change_groups(home, new_user, &managed, &BTreeSet::new(), ctx.deadline)
            .await?;
        ctx.count(&moved);
    }
    let heir = match outcome.arn {
        Some(arn) => arn,
        None => engine
            .describe(home, new_user, ctx.deadline)
            .await?
            .and_then(|u| u.arn)
            .ok_or_else(|| ScimError::Unavailable {
                status: 503,
                detail: format!("QuickSight does not show {new_user} yet; retry"),
            })?,
    };
    ctx.count(&engine.retire_old_name(home, old_user, &heir, ctx.deadline).await?);
    Ok(())
}
