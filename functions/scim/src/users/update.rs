//! Writing users: PUT, PATCH (applied, then as a PUT), renames, and the role a group change gives.

use std::collections::BTreeSet;

use qs_model::message::{Planned, UserAction};
use serde_json::{Value, json};

use super::read::{group_refs, representation};
use super::{Held, READ_ONLY, UserDoc, not_found, plan};
use crate::error::ScimError;
use crate::groups;
use crate::protocol::patch;
use crate::resource::{Ctx, moved, now, required_string, written};
use crate::store::Write;

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
        groups::existing(ctx, &old.groups_when_deactivated).await?
    };
    let names: BTreeSet<String> = groups.iter().map(|g| g.display_name.clone()).collect();
    let planned = plan(ctx, &old.id, &resource, &names, true)?;
    let quicksight_user = planned.user_name().to_owned();
    let renamed = quicksight_user != old.quick_sight_user;
    let new_name = !user_name.eq_ignore_ascii_case(old.user_name());
    if new_name {
        ctx.unique(
            &ctx.user_name_key(&user_name),
            &old.id,
            format!("userName {user_name:?} is taken"),
        )
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
        key: ctx.user_key(&old.id),
        doc: json!(doc),
        version: held.version,
    }];
    if new_name {
        writes.extend(moved(
            ctx.user_name_key(old.user_name()),
            ctx.user_name_key(&user_name),
            &old.id,
        ));
    }
    if renamed {
        writes.extend(moved(
            ctx.quicksight_user_key(&old.quick_sight_user),
            ctx.quicksight_user_key(&quicksight_user),
            &old.id,
        ));
    }
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
    let planned = plan(ctx, id, &held.doc.resource, &names, true)?;
    if let UserAction::Upsert { .. } = planned.action {
        ctx.count(&ctx.app.engine.apply(&planned, ctx.deadline).await?);
    }
    Ok(())
}
