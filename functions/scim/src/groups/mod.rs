//! `/Groups`: a SCIM group is the QuickSight group `MANAGED_GROUP_PREFIX` + `displayName`, so no
//! group outside the managed scope is ever touched. QuickSight holds the group and its members
//! (written first); the table holds the SCIM id, `externalId`, `meta` (written second), with the
//! same repair-on-repeat as users. A member is a SCIM user: its id is found through the
//! `qsUser#` item of its QuickSight user.

mod members;
mod read;
mod update;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{ScimError, ScimType};
use crate::protocol::get_ci;
use crate::resource::{Ctx, name, new_id, now, required_string, written};
use crate::store::Write;

pub use read::{existing, get, list, of_user};
pub use update::{patch, replace};

use members::{change_members, member_users, refresh_roles, take_members};
use read::representation;

/// The table's record of one SCIM group.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupDoc {
    pub id: String,
    pub quick_sight_group: String,
    /// The attributes as written, without `members` (QuickSight holds those).
    pub resource: Value,
    pub created: String,
    pub last_modified: String,
}

impl GroupDoc {
    fn display_name(&self) -> &str {
        get_ci(&self.resource, "displayName")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

type Held = crate::resource::Held<GroupDoc>;

/// A SCIM group a user is in.
#[derive(Debug, Clone)]
pub struct UserGroup {
    pub id: String,
    pub display_name: String,
    pub quicksight_group: String,
}

impl Ctx<'_> {
    fn prefix(&self) -> &str {
        self.app.config.managed_group_prefix.as_deref().unwrap_or_default()
    }

    fn group_key(&self, id: &str) -> String {
        self.key("group", id)
    }

    fn display_name_key(&self, name: &str) -> String {
        self.key("displayName", &name.to_lowercase())
    }

    fn quicksight_group_key(&self, name: &str) -> String {
        self.key("qsGroup", name)
    }

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

    async fn held_group(&self, id: &str) -> Result<Option<Held>, ScimError> {
        self.held("group", id).await
    }
}

pub(super) fn not_found(id: &str) -> ScimError {
    ScimError::NotFound(format!("Group {id} not found"))
}

pub async fn create(ctx: &Ctx<'_>, body: &Value) -> Result<Value, ScimError> {
    let mut resource = written(body, &[]);
    let members = take_members(&mut resource)?;
    let display_name = required_string(&resource, "displayName")?;
    let group = ctx.quicksight_group(&display_name)?;
    let id = new_id();
    ctx.unique(
        &ctx.display_name_key(&display_name),
        &id,
        format!("displayName {display_name:?} is taken"),
    )
    .await?;
    ctx.unique(
        &ctx.quicksight_group_key(&group),
        &id,
        format!("the QuickSight group {group} is already another SCIM group's"),
    )
    .await?;
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
                key: ctx.group_key(&id),
                doc: json!(doc),
            },
            name(ctx.display_name_key(&display_name), &id),
            name(ctx.quicksight_group_key(&group), &id),
        ])
        .await?;
    refresh_roles(ctx, &[&display_name], &users).await?;
    Ok(representation(ctx, &doc, 1, Some(members)))
}

pub(super) async fn forget(ctx: &Ctx<'_>, doc: &GroupDoc) -> Result<(), ScimError> {
    ctx.app
        .table
        .write(vec![
            Write::Delete {
                key: ctx.group_key(&doc.id),
            },
            Write::Delete {
                key: ctx.display_name_key(doc.display_name()),
            },
            Write::Delete {
                key: ctx.quicksight_group_key(&doc.quick_sight_group),
            },
        ])
        .await?;
    Ok(())
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> Result<(), ScimError> {
    let held = ctx.held_group(id).await?.ok_or_else(|| not_found(id))?;
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
