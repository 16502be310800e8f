//! Memberships, which QuickSight holds and both resources show: a user's `groups`, a group's
//! `members`, the membership calls, and the roles (and profiles) a mapped group gives its members.
//! Users and groups both use this module; neither uses the other.

use std::collections::BTreeSet;

use qs_model::message::UserAction;
use serde_json::{Value, json};

use crate::error::{ScimError, ScimType};
use crate::keys::KeyKind;
use crate::mapping::plan;
use crate::protocol::ResourceKind;
use crate::records::{Ctx, GroupDoc, UserDoc};

/// A SCIM group a user is in.
#[derive(Debug, Clone)]
pub struct UserGroup {
    pub id: String,
    pub display_name: String,
    pub quicksight_group: String,
}

impl Ctx<'_> {
    /// MANAGED_GROUP_PREFIX: every SCIM group's QuickSight name starts with it.
    pub fn prefix(&self) -> &str {
        self.app.config.managed_group_prefix.as_deref().unwrap_or_default()
    }
}

/// The SCIM groups `quicksight_user` is in, from QuickSight's ListUserGroups.
pub async fn of_user(ctx: &Ctx<'_>, quicksight_user: &str) -> Result<Vec<UserGroup>, ScimError> {
    let names = ctx
        .app
        .engine
        .groups_of(&ctx.home, quicksight_user, ctx.deadline)
        .await?
        .unwrap_or_default();
    let mut groups = Vec::new();
    for name in names.iter().filter(|n| n.starts_with(ctx.prefix())) {
        if let Some(id) = ctx.indexed(KeyKind::QuickSightGroup, name).await? {
            groups.push(UserGroup {
                id,
                display_name: name[ctx.prefix().len()..].to_owned(),
                quicksight_group: name.clone(),
            });
        }
    }
    Ok(groups)
}

/// The groups of `ids` that still exist.
pub async fn existing(ctx: &Ctx<'_>, ids: &[String]) -> Result<Vec<UserGroup>, ScimError> {
    let mut groups = Vec::new();
    for id in ids {
        if let Some(held) = ctx.record::<GroupDoc>(id).await? {
            groups.push(UserGroup {
                id: held.doc.id.clone(),
                display_name: held.doc.display_name().to_owned(),
                quicksight_group: held.doc.quick_sight_group,
            });
        }
    }
    Ok(groups)
}

/// A user's `groups` attribute.
pub fn group_refs(ctx: &Ctx<'_>, groups: &[UserGroup]) -> Vec<Value> {
    groups
        .iter()
        .map(|g| json!({ "value": g.id, "$ref": ctx.location(ResourceKind::Group, &g.id), "display": g.display_name, "type": "direct" }))
        .collect()
}

/// A group's `members`: the SCIM users among its QuickSight members (`None`: QuickSight has no
/// such group).
pub async fn member_ids(ctx: &Ctx<'_>, group: &str) -> Result<Option<Vec<Value>>, ScimError> {
    let Some(names) = ctx.app.engine.members_of(&ctx.home, group, ctx.deadline).await? else {
        return Ok(None);
    };
    let mut members = Vec::new();
    for name in names {
        if let Some(id) = ctx.indexed(KeyKind::QuickSightUser, &name).await? {
            members.push(json!({ "value": id, "$ref": ctx.location(ResourceKind::User, &id), "type": "User" }));
        }
    }
    Ok(Some(members))
}

/// The QuickSight users of the SCIM users `members` names: 400 for an id that is no user, and
/// users held only in the table (deactivated) left out.
pub async fn member_users(ctx: &Ctx<'_>, members: &[Value]) -> Result<BTreeSet<String>, ScimError> {
    let mut users = BTreeSet::new();
    for (i, member) in members.iter().enumerate() {
        let id = member.get("value").and_then(Value::as_str).ok_or_else(|| {
            ScimError::bad(
                ScimType::InvalidValue,
                format!("members[{i}].value is required: {member} has none"),
            )
        })?;
        let held = ctx.record::<UserDoc>(id).await?.ok_or_else(|| {
            ScimError::bad(
                ScimType::InvalidValue,
                format!("members[{i}].value: there is no User {id}"),
            )
        })?;
        if ctx.in_quicksight(&held.doc.resource) {
            users.insert(held.doc.quick_sight_user);
        }
    }
    Ok(users)
}

pub async fn change_members(
    ctx: &Ctx<'_>,
    group: &str,
    add: &BTreeSet<String>,
    remove: &BTreeSet<String>,
) -> Result<(), ScimError> {
    let one = BTreeSet::from([group.to_owned()]);
    let none = BTreeSet::new();
    let engine = &ctx.app.engine;
    for user in add {
        ctx.count(&engine.change_groups(&ctx.home, user, &one, &none, ctx.deadline).await?);
    }
    for user in remove {
        ctx.count(&engine.change_groups(&ctx.home, user, &none, &one, ctx.deadline).await?);
    }
    Ok(())
}

/// Re-applies the roles (and profiles) of `users` when GROUP_MAPPING maps one of `display_names`
/// to a role or a custom permissions profile.
pub async fn refresh_roles(ctx: &Ctx<'_>, display_names: &[&str], users: &BTreeSet<String>) -> Result<(), ScimError> {
    let mapping = &ctx.app.config.group_mapping;
    if !display_names.iter().any(|n| {
        mapping
            .0
            .get(*n)
            .is_some_and(|m| m.role.is_some() || m.custom_permissions.is_some())
    }) {
        return Ok(());
    }
    for user in users {
        if let Some(id) = ctx.indexed(KeyKind::QuickSightUser, user).await? {
            refresh_role(ctx, &id).await?;
        }
    }
    Ok(())
}

/// Re-applies a user's role after its groups changed (GROUP_MAPPING may map a group to a role).
async fn refresh_role(ctx: &Ctx<'_>, id: &str) -> Result<(), ScimError> {
    let Some(held) = ctx.record::<UserDoc>(id).await? else {
        return Ok(());
    };
    if !ctx.in_quicksight(&held.doc.resource) {
        return Ok(());
    }
    let groups = of_user(ctx, &held.doc.quick_sight_user).await?;
    let names: BTreeSet<String> = groups.into_iter().map(|g| g.display_name).collect();
    let planned = plan(ctx, id, &held.doc.resource, &names, true)?;
    if let UserAction::Upsert { .. } = planned.action {
        ctx.count(&ctx.app.engine.apply(&planned, ctx.deadline).await?);
    }
    Ok(())
}
