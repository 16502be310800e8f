//! `/Groups`: a SCIM group is the QuickSight group `MANAGED_GROUP_PREFIX` + `displayName`, so no
//! group outside the managed scope is ever touched. QuickSight holds the group and its members
//! (written first); the table holds the SCIM id, `externalId`, `meta` (written second), with the
//! same repair-on-repeat as users. A member is a SCIM user: its id is found through the
//! `qsUser` item of its QuickSight user.

mod read;
mod update;

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::error::{ScimError, ScimType};
use crate::keys::KeyKind;
use crate::memberships::{change_members, member_users, refresh_roles};
use crate::protocol::ResourceKind;
use crate::protocol::schema::{require, written};
use crate::records::{Ctx, GroupDoc, Held, new_id, now};
use crate::store::Write;

pub use read::{get, matching};
pub use update::{patch, replace};

use read::representation;

impl Ctx<'_> {
    /// The QuickSight group of a display name, checked against QuickSight's rules.
    fn quicksight_group(&self, display_name: &str) -> Result<String, ScimError> {
        let name = format!("{}{display_name}", self.prefix());
        qs_model::validate::fields::group_name("displayName", &name).map_err(|e| {
            ScimError::bad(
                ScimType::InvalidValue,
                format!("displayName {display_name:?}: the QuickSight group {name:?} {}", e.rule),
            )
        })?;
        Ok(name)
    }
}

async fn held(ctx: &Ctx<'_>, id: &str) -> Result<Held<GroupDoc>, ScimError> {
    ctx.record::<GroupDoc>(id).await?.ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ScimError {
    ScimError::NotFound(format!("Group {id} not found"))
}

/// A client's group: its attributes, and apart (QuickSight holds them) its members.
fn written_group(body: &Value, scim_type: ScimType) -> Result<(Map<String, Value>, Vec<Value>), ScimError> {
    let mut resource = written(ResourceKind::Group, body)?;
    require(ResourceKind::Group, &resource, scim_type)?;
    let members = match resource.remove("members") {
        Some(Value::Array(members)) => members,
        _ => Vec::new(),
    };
    Ok((resource, members))
}

pub async fn create(ctx: &Ctx<'_>, body: &Value) -> Result<Value, ScimError> {
    let (resource, members) = written_group(body, ScimType::InvalidValue)?;
    let display_name = resource["displayName"].as_str().unwrap_or_default().to_owned();
    let group = ctx.quicksight_group(&display_name)?;
    let id = new_id();
    ctx.unique(KeyKind::DisplayName, &display_name, &id).await?;
    ctx.unique(KeyKind::QuickSightGroup, &group, &id).await?;
    let users = member_users(ctx, &members).await?;
    let engine = &ctx.app.engine;
    engine.ensure_group(&ctx.home, &group, ctx.deadline).await?;
    change_members(ctx, &group, &users, &BTreeSet::new()).await?;
    let at = now();
    let doc = GroupDoc {
        id: id.clone(),
        quick_sight_group: group.clone(),
        resource,
        created: at.clone(),
        last_modified: at,
    };
    ctx.app
        .table
        .write(vec![
            Write::Create {
                key: ctx.key(KeyKind::Group, &id),
                doc: json!(doc),
            },
            ctx.name(KeyKind::DisplayName, &display_name, &id),
            ctx.name(KeyKind::QuickSightGroup, &group, &id),
        ])
        .await?;
    refresh_roles(ctx, &[&display_name], &users).await?;
    Ok(representation(ctx, &doc, 1, Some(members)))
}

async fn forget(ctx: &Ctx<'_>, doc: &GroupDoc) -> Result<(), ScimError> {
    let keys = [
        ctx.key(KeyKind::Group, &doc.id),
        ctx.key(KeyKind::DisplayName, doc.display_name()),
        ctx.key(KeyKind::QuickSightGroup, &doc.quick_sight_group),
    ];
    ctx.app
        .table
        .write(keys.into_iter().map(|key| Write::Delete { key }).collect())
        .await?;
    Ok(())
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> Result<(), ScimError> {
    let held = held(ctx, id).await?;
    let engine = &ctx.app.engine;
    let members = engine
        .members_of(&ctx.home, &held.doc.quick_sight_group, ctx.deadline)
        .await?
        .unwrap_or_default();
    engine
        .delete_group(&ctx.home, &held.doc.quick_sight_group, ctx.deadline)
        .await?;
    forget(ctx, &held.doc).await?;
    refresh_roles(ctx, &[held.doc.display_name()], &members).await
}
