//! `/Users`: a SCIM user is a federated QuickSight user. QuickSight holds the user, its e-mail,
//! role, login and groups, and is written first; the table holds the SCIM id and what QuickSight
//! cannot (the attributes as written, `active`, `meta`), written second. A failed table write
//! answers 503 and the client repeats the request: every QuickSight call is idempotent, so the
//! repeat finds QuickSight done and writes the table. A record whose QuickSight user is gone
//! (deleted elsewhere, or a DELETE whose table write failed) is removed when next read.

mod read;
mod update;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::error::{ScimError, ScimType};
use crate::keys::KeyKind;
use crate::mapping::plan;
use crate::protocol::ResourceKind;
use crate::protocol::schema::{require, written};
use crate::records::{Ctx, Held, UserDoc, new_id, now};
use crate::store::Write;

pub use read::matching;
pub use update::{patch, replace};

use read::{read, representation};

/// A record younger than this is trusted when QuickSight does not show its user yet: QuickSight
/// shows a registration after a delay (eventual consistency).
const VISIBILITY_GRACE: Duration = Duration::from_secs(60);

pub async fn create(ctx: &Ctx<'_>, body: &Value) -> Result<Value, ScimError> {
    let resource = written(ResourceKind::User, body)?;
    require(ResourceKind::User, &resource, ScimType::InvalidValue)?;
    let id = new_id();
    let planned = plan(ctx, &id, &resource, &BTreeSet::new(), false)?;
    let quicksight_user = planned.user_name().to_owned();
    let user_name = resource["userName"].as_str().unwrap_or_default().to_owned();
    ctx.unique(KeyKind::UserName, &user_name, &id).await?;
    ctx.unique(KeyKind::QuickSightUser, &quicksight_user, &id).await?;
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
                key: ctx.key(KeyKind::User, &id),
                doc: json!(doc),
            },
            ctx.name(KeyKind::UserName, &user_name, &id),
            ctx.name(KeyKind::QuickSightUser, &quicksight_user, &id),
        ])
        .await?;
    Ok(representation(ctx, &doc, 1, None, Some(Vec::new())))
}

pub async fn get(ctx: &Ctx<'_>, id: &str) -> Result<Value, ScimError> {
    let held = held(ctx, id).await?;
    read(ctx, held).await?.ok_or_else(|| not_found(id))
}

async fn held(ctx: &Ctx<'_>, id: &str) -> Result<Held<UserDoc>, ScimError> {
    ctx.record::<UserDoc>(id).await?.ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ScimError {
    ScimError::NotFound(format!("User {id} not found"))
}

/// Removes the record and its names.
async fn forget(ctx: &Ctx<'_>, doc: &UserDoc) -> Result<(), ScimError> {
    let keys = [
        ctx.key(KeyKind::User, &doc.id),
        ctx.key(KeyKind::UserName, doc.user_name()),
        ctx.key(KeyKind::QuickSightUser, &doc.quick_sight_user),
    ];
    ctx.app
        .table
        .write(keys.into_iter().map(|key| Write::Delete { key }).collect())
        .await?;
    Ok(())
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> Result<(), ScimError> {
    let held = held(ctx, id).await?;
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
