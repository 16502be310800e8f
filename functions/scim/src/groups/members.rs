//! A group's members: SCIM user ids to QuickSight users and back, membership calls, and the roles
//! a mapped group gives its members.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::error::{ScimError, ScimType};
use crate::protocol::{ResourceKind, get_ci};
use crate::resource::Ctx;
use crate::users;

/// The QuickSight users of the SCIM users `members` names (`[{"value": "<id>"}]`): 400 for an id
/// that is no user, and users held only in the table (deactivated) left out.
pub(super) async fn member_users(ctx: &Ctx<'_>, members: &[Value]) -> Result<BTreeSet<String>, ScimError> {
    let mut users = BTreeSet::new();
    for member in members {
        let id = get_ci(member, "value")
            .and_then(Value::as_str)
            .ok_or_else(|| ScimError::bad(ScimType::InvalidValue, format!("members: {member} has no string value")))?;
        let held = ctx
            .held_user(id)
            .await?
            .ok_or_else(|| ScimError::bad(ScimType::InvalidValue, format!("members: there is no User {id}")))?;
        if ctx.in_quicksight(&held.doc.resource) {
            users.insert(held.doc.quick_sight_user);
        }
    }
    Ok(users)
}

/// `members` of a written resource (taken out of it: QuickSight holds them).
pub(super) fn take_members(resource: &mut Value) -> Result<Vec<Value>, ScimError> {
    let object = resource.as_object_mut().expect("written() keeps an object");
    let key = object.keys().find(|k| k.eq_ignore_ascii_case("members")).cloned();
    match key.and_then(|k| object.remove(&k)) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(members)) => Ok(members),
        Some(other) => Err(ScimError::bad(
            ScimType::InvalidValue,
            format!("members must be an array, not {other}"),
        )),
    }
}

pub(super) async fn change_members(
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
pub(super) async fn refresh_roles(
    ctx: &Ctx<'_>,
    display_names: &[&str],
    users: &BTreeSet<String>,
) -> Result<(), ScimError> {
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
        if let Some(id) = ctx.indexed(&ctx.quicksight_user_key(user)).await? {
            users::refresh_role(ctx, &id).await?;
        }
    }
    Ok(())
}

/// The SCIM ids of the group's QuickSight members (`None`: QuickSight has no such group).
pub(super) async fn member_ids(ctx: &Ctx<'_>, group: &str) -> Result<Option<Vec<Value>>, ScimError> {
    let Some(names) = ctx.app.engine.members_of(&ctx.home, group, ctx.deadline).await? else {
        return Ok(None);
    };
    let mut members = Vec::new();
    for name in names {
        if let Some(id) = ctx.indexed(&ctx.quicksight_user_key(&name)).await? {
            members.push(json!({ "value": id, "$ref": ctx.location(ResourceKind::User, &id), "type": "User" }));
        }
    }
    Ok(Some(members))
}
