use std::sync::Arc;

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;

use super::groups::existing;
use super::{GroupPath, Query, Scope, page};
use crate::Emulator;
use crate::model;
use crate::store::Space;
use crate::wire::{ApiError, ApiResult, ok};

#[derive(Deserialize)]
pub struct MemberPath {
    #[serde(rename = "GroupName")]
    group: String,
    #[serde(rename = "MemberName")]
    member: String,
}

/// The member's ARN, if the user exists and QuickSight already shows it.
fn member_arn(space: &Space, member: &str) -> Result<String, ApiError> {
    space
        .users
        .get(member)
        .filter(|u| u.is_visible())
        .map(|u| u.arn.clone())
        .ok_or_else(|| ApiError::not_found("USER", format!("The user {member} does not exist.")))
}

fn check(group: &str, member: &str) -> Result<(), ApiError> {
    model::group_name(group)?;
    model::member_name(member)
}

pub async fn create(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(MemberPath { group, member }): Path<MemberPath>,
) -> ApiResult {
    check(&group, &member)?;
    let mut store = emu.store();
    let space = scope.space(&mut store)?;
    existing(space, &group)?;
    let arn = member_arn(space, &member)?;
    existing(space, &group)?.members.insert(member.clone());
    Ok(ok(200, json!({ "GroupMember": { "Arn": arn, "MemberName": member } })))
}

pub async fn describe(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(MemberPath { group, member }): Path<MemberPath>,
) -> ApiResult {
    check(&group, &member)?;
    let mut store = emu.store();
    let space = scope.space(&mut store)?;
    let arn = member_arn(space, &member)?;
    if !existing(space, &group)?.members.contains(&member) {
        return Err(ApiError::not_found(
            "GROUP",
            format!("The user {member} is not a member of the group {group}."),
        ));
    }
    Ok(ok(200, json!({ "GroupMember": { "Arn": arn, "MemberName": member } })))
}

pub async fn delete(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(MemberPath { group, member }): Path<MemberPath>,
) -> ApiResult {
    check(&group, &member)?;
    let mut store = emu.store();
    let space = scope.space(&mut store)?;
    member_arn(space, &member)?;
    if !existing(space, &group)?.members.remove(&member) {
        return Err(ApiError::not_found(
            "GROUP",
            format!("The user {member} is not a member of the group {group}."),
        ));
    }
    Ok(ok(200, json!({})))
}

pub async fn list(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(GroupPath { name: group }): Path<GroupPath>,
    query: Query,
) -> ApiResult {
    model::group_name(&group)?;
    let mut store = emu.store();
    let space = scope.space(&mut store)?;
    let members = existing(space, &group)?.members.clone();
    let listed = members.into_iter().map(|m| {
        let arn = space.users.get(&m).map(|u| u.arn.clone());
        (m.clone(), json!({ "Arn": arn, "MemberName": m }))
    });
    let (members, next) = page(listed, &query)?;
    Ok(ok(200, json!({ "GroupMemberList": members, "NextToken": next })))
}
