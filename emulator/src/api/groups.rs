use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;

use super::{GroupPath, Query, Region, Scope, page, parse_body};
use crate::Emulator;
use crate::model;
use crate::store::{Group, Space};
use crate::wire::{ApiError, ApiResult, ok};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GroupBody {
    group_name: Option<String>,
    description: Option<String>,
}

pub fn existing<'a>(space: &'a mut Space, name: &str) -> Result<&'a mut Group, ApiError> {
    space
        .groups
        .get_mut(name)
        .ok_or_else(|| ApiError::not_found("GROUP", format!("The group {name} does not exist.")))
}

pub async fn create(
    State(emu): State<Arc<Emulator>>,
    Extension(Region(region)): Extension<Region>,
    scope: Scope,
    body: Bytes,
) -> ApiResult {
    let b: GroupBody = parse_body(&body)?;
    let name = b
        .group_name
        .ok_or_else(|| ApiError::invalid("GroupName is required."))?;
    model::group_name(&name)?;
    if let Some(d) = &b.description {
        model::description(d)?;
    }
    let mut store = emu.store();
    let id = store.next_id();
    let space = scope.space(&mut store)?;
    // QuickSight refuses a second CreateGroup; it never replaces the group (and its members).
    if space.groups.contains_key(&name) {
        return Err(ApiError::exists("GROUP", format!("The group {name} already exists.")));
    }
    let group = Group {
        arn: scope.arn(&region, "group", &name),
        group_name: name.clone(),
        description: b.description,
        principal_id: format!("group/d-{id:010x}/{name}"),
        members: Default::default(),
    };
    let body = json!({ "Group": &group });
    space.groups.insert(name, group);
    Ok(ok(201, body))
}

pub async fn describe(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(GroupPath { name }): Path<GroupPath>,
) -> ApiResult {
    model::group_name(&name)?;
    let mut store = emu.store();
    let group = existing(scope.space(&mut store)?, &name)?;
    Ok(ok(200, json!({ "Group": group })))
}

pub async fn update(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(GroupPath { name }): Path<GroupPath>,
    body: Bytes,
) -> ApiResult {
    model::group_name(&name)?;
    let b: GroupBody = parse_body(&body)?;
    if let Some(d) = &b.description {
        model::description(d)?;
    }
    let mut store = emu.store();
    let group = existing(scope.space(&mut store)?, &name)?;
    group.description = b.description;
    Ok(ok(200, json!({ "Group": group })))
}

pub async fn delete(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(GroupPath { name }): Path<GroupPath>,
) -> ApiResult {
    model::group_name(&name)?;
    let mut store = emu.store();
    let space = scope.space(&mut store)?;
    existing(space, &name)?;
    space.groups.remove(&name);
    Ok(ok(200, json!({})))
}

pub async fn list(State(emu): State<Arc<Emulator>>, scope: Scope, query: Query) -> ApiResult {
    let mut store = emu.store();
    let space = scope.space(&mut store)?;
    let (groups, next) = page(space.groups.iter().map(|(k, g)| (k.clone(), g)), &query)?;
    Ok(ok(200, json!({ "GroupList": groups, "NextToken": next })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SearchBody {
    filters: Option<Vec<GroupFilter>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupFilter {
    operator: String,
    name: String,
    value: String,
}

/// SearchGroups: a POST that reads. The model allows one filter, `GROUP_NAME` `StartsWith`.
pub async fn search(State(emu): State<Arc<Emulator>>, scope: Scope, query: Query, body: Bytes) -> ApiResult {
    let b: SearchBody = parse_body(&body)?;
    let filters = b.filters.ok_or_else(|| ApiError::invalid("Filters is required."))?;
    let [filter] = filters.as_slice() else {
        return Err(ApiError::invalid("Filters must hold exactly one filter."));
    };
    if filter.operator != "StartsWith" || filter.name != "GROUP_NAME" {
        return Err(ApiError::invalid(format!(
            "Filter {} {} is not supported: the only filter is GROUP_NAME StartsWith.",
            filter.name, filter.operator
        )));
    }
    let mut store = emu.store();
    let space = scope.space(&mut store)?;
    let found = space
        .groups
        .iter()
        .filter(|(name, _)| name.starts_with(&filter.value))
        .map(|(k, g)| (k.clone(), g));
    let (groups, next) = page(found, &query)?;
    Ok(ok(200, json!({ "GroupList": groups, "NextToken": next })))
}
