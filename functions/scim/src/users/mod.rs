//! `/Users`: a SCIM user is a federated QuickSight user. QuickSight holds the user, its e-mail,
//! role, login and groups, and is written first; the table holds the SCIM id and what QuickSight
//! cannot (the attributes as written, `active`, `meta`), written second. A failed table write
//! answers 503 and the client repeats the request: every QuickSight call is idempotent, so the
//! repeat finds QuickSight done and writes the table. A record whose QuickSight user is gone
//! (deleted elsewhere, or a DELETE whose table write failed) is removed when next read.

mod plan;
mod read;
mod update;

use std::collections::BTreeSet;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{ScimError, ScimType};
use crate::protocol::get_ci;
use crate::resource::{Ctx, name, new_id, now, required_string, written};
use crate::settings::Deactivate;
use crate::store::Write;

pub use plan::plan;
pub use read::list;
pub use update::{patch, refresh_role, replace};

use read::{read, representation};

/// Sent by clients, never written: a user's groups are the Groups' members.
const READ_ONLY: [&str; 1] = ["groups"];

/// A record younger than this is trusted when QuickSight does not show its user yet: QuickSight
/// shows a registration after a delay (eventual consistency).
const VISIBILITY_GRACE: Duration = Duration::from_secs(60);

/// The table's record of one SCIM user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDoc {
    pub id: String,
    /// `RoleName/SessionName`.
    pub quick_sight_user: String,
    /// The attributes as the client wrote them.
    pub resource: Value,
    pub created: String,
    pub last_modified: String,
    /// The SCIM groups of a user deactivated out of QuickSight (`SCIM_DEACTIVATE=delete`), given
    /// back when it is active again: its memberships went with QuickSight's user.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups_when_deactivated: Vec<String>,
}

impl UserDoc {
    pub fn user_name(&self) -> &str {
        get_ci(&self.resource, "userName")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

fn is_active(resource: &Value) -> bool {
    get_ci(resource, "active") != Some(&Value::Bool(false))
}

pub type Held = crate::resource::Held<UserDoc>;

impl Ctx<'_> {
    /// Whether QuickSight holds a user whose SCIM user has `resource`.
    pub fn in_quicksight(&self, resource: &Value) -> bool {
        is_active(resource) || self.app.settings.deactivate == Deactivate::Keep
    }

    fn user_key(&self, id: &str) -> String {
        self.key("user", id)
    }

    fn user_name_key(&self, user_name: &str) -> String {
        self.key("userName", &user_name.to_lowercase())
    }

    pub fn quicksight_user_key(&self, quicksight_user: &str) -> String {
        self.key("qsUser", quicksight_user)
    }

    pub async fn held_user(&self, id: &str) -> Result<Option<Held>, ScimError> {
        self.held("user", id).await
    }

    /// The id an index item (`userName#…`, `qsUser#…`) points at.
    pub async fn indexed(&self, key: &str) -> Result<Option<String>, ScimError> {
        let stored = self.app.table.get(key).await?;
        Ok(stored.and_then(|s| s.doc.get("id").and_then(Value::as_str).map(str::to_owned)))
    }

    /// 409 when `key` points at another resource than `id`.
    pub async fn unique(&self, key: &str, id: &str, what: String) -> Result<(), ScimError> {
        match self.indexed(key).await? {
            Some(other) if other != id => Err(ScimError::Conflict(what)),
            _ => Ok(()),
        }
    }
}

pub async fn create(ctx: &Ctx<'_>, body: &Value) -> Result<Value, ScimError> {
    let resource = written(body, &READ_ONLY);
    let user_name = required_string(&resource, "userName")?;
    let id = new_id();
    let planned = plan(ctx, &id, &resource, &BTreeSet::new(), false)?;
    let quicksight_user = planned.user_name().to_owned();
    ctx.unique(
        &ctx.user_name_key(&user_name),
        &id,
        format!("userName {user_name:?} is taken"),
    )
    .await?;
    ctx.unique(
        &ctx.quicksight_user_key(&quicksight_user),
        &id,
        format!("the QuickSight user {quicksight_user} is already another SCIM user's"),
    )
    .await?;
    if ctx.in_quicksight(&resource) {
        ctx.count(&ctx.app.engine.apply(&planned, ctx.deadline).await?);
    }
    let at = now();
    let doc = UserDoc {
        id: id.clone(),
        quick_sight_user: quicksight_user.clone(),
        resource,
        created: at.clone(),
        last_modified: at,
        groups_when_deactivated: Vec::new(),
    };
    ctx.app
        .table
        .write(vec![
            Write::Create {
                key: ctx.user_key(&id),
                doc: json!(doc),
            },
            name(ctx.user_name_key(&user_name), &id),
            name(ctx.quicksight_user_key(&quicksight_user), &id),
        ])
        .await?;
    Ok(representation(ctx, &doc, 1, None, Some(Vec::new())))
}

pub async fn get(ctx: &Ctx<'_>, id: &str) -> Result<Value, ScimError> {
    let held = ctx.held_user(id).await?.ok_or_else(|| not_found(id))?;
    read(ctx, held).await?.ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ScimError {
    ScimError::NotFound(format!("User {id} not found"))
}

/// Removes the record and its names.
async fn forget(ctx: &Ctx<'_>, doc: &UserDoc) -> Result<(), ScimError> {
    ctx.app
        .table
        .write(vec![
            Write::Delete {
                key: ctx.user_key(&doc.id),
            },
            Write::Delete {
                key: ctx.user_name_key(doc.user_name()),
            },
            Write::Delete {
                key: ctx.quicksight_user_key(&doc.quick_sight_user),
            },
        ])
        .await?;
    Ok(())
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> Result<(), ScimError> {
    let held = ctx.held_user(id).await?.ok_or_else(|| not_found(id))?;
    // A deactivated user was deleted from QuickSight then, and the deletion confirmed.
    if ctx.in_quicksight(&held.doc.resource) {
        let deleted = ctx
            .app
            .engine
            .delete_user(&ctx.home, &held.doc.quick_sight_user, ctx.deadline)
            .await?;
        ctx.count(&deleted);
    }
    forget(ctx, &held.doc).await
}

/// 400 `invalidValue` for a request that would leave a user without what QuickSight needs.
pub fn invalid(detail: impl Into<String>) -> ScimError {
    ScimError::bad(ScimType::InvalidValue, detail)
}
