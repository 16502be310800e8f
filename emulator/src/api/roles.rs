//! Role memberships (CreateRoleMembership, DeleteRoleMembership, ListRoleMemberships): a group
//! given a QuickSight role in a namespace, as accounts whose directory manages identities give
//! their directory groups a role. The groups are the directory's, so any valid group name is
//! taken; adding a group a second time changes nothing (the API has no ResourceExistsException
//! for it).

use std::sync::Arc;

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;

use super::{Query, Scope, page};
use crate::wire::{ApiError, ApiResult, ok};
use crate::{Emulator, model};

#[derive(Deserialize)]
pub struct RolePath {
    #[serde(rename = "Role")]
    role: String,
}

#[derive(Deserialize)]
pub struct MemberPath {
    #[serde(rename = "Role")]
    role: String,
    #[serde(rename = "MemberName")]
    member: String,
}

fn role(role: &str) -> Result<(), ApiError> {
    model::user_role("Role", role)
}

/// The role and the group a membership path names, checked.
fn membership(path: &MemberPath) -> Result<(), ApiError> {
    role(&path.role)?;
    model::group_name(&path.member)
}

pub async fn create_membership(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(path): Path<MemberPath>,
) -> ApiResult {
    membership(&path)?;
    let mut store = emu.store();
    let members = scope.space(&mut store)?.role_members.entry(path.role).or_default();
    members.insert(path.member);
    Ok(ok(200, json!({ "Status": 200 })))
}

pub async fn delete_membership(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(path): Path<MemberPath>,
) -> ApiResult {
    membership(&path)?;
    let mut store = emu.store();
    let members = scope
        .space(&mut store)?
        .role_members
        .entry(path.role.clone())
        .or_default();
    if !members.remove(&path.member) {
        return Err(ApiError::not_found(
            "GROUP",
            format!("Group {} is not a member of role {}.", path.member, path.role),
        ));
    }
    Ok(ok(200, json!({ "Status": 200 })))
}

pub async fn list_memberships(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(RolePath { role: name }): Path<RolePath>,
    axum::extract::Query(query): Query,
) -> ApiResult {
    role(&name)?;
    let mut store = emu.store();
    let members = scope
        .space(&mut store)?
        .role_members
        .get(&name)
        .cloned()
        .unwrap_or_default();
    let (members, next) = page(members.into_iter().map(|m| (m.clone(), m)), &query)?;
    Ok(ok(
        200,
        json!({ "Status": 200, "MembersList": members, "NextToken": next }),
    ))
}
