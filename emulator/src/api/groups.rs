use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;

use super::{Query, Region, check_scope, page, parse_body};
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
    Path((account, namespace)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    check_scope(&account, &namespace)?;
    let b: GroupBody = parse_body(&body)?;
    let name = b
        .group_name
        .ok_or_else(|| ApiError::invalid("GroupName is required."))?;
    model::group_name(&name)?;
    if let Some(d) = &b.description {
        model::description(d)?;
    }
    let mut store = emu.store.lock().expect("store lock");
    let id = store.next_id();
    let space = store.space(&account, &namespace);
    // QuickSight refuses a second CreateGroup; it never replaces the group (and its members).
    if space.groups.contains_key(&name) {
        return Err(ApiError::exists("GROUP", format!("The group {name} already exists.")));
    }
    let group = Group {
        arn: format!("arn:aws:quicksight:{region}:{account}:group/{namespace}/{name}"),
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
    Path((account, namespace, name)): Path<(String, String, String)>,
) -> ApiResult {
    check_scope(&account, &namespace)?;
    model::group_name(&name)?;
    let mut store = emu.store.lock().expect("store lock");
    let group = existing(store.space(&account, &namespace), &name)?;
    Ok(ok(200, json!({ "Group": group })))
}

pub async fn update(
    State(emu): State<Arc<Emulator>>,
    Path((account, namespace, name)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult {
    check_scope(&account, &namespace)?;
    model::group_name(&name)?;
    let b: GroupBody = parse_body(&body)?;
    if let Some(d) = &b.description {
        model::description(d)?;
    }
    let mut store = emu.store.lock().expect("store lock");
    let group = existing(store.space(&account, &namespace), &name)?;
    group.description = b.description;
    Ok(ok(200, json!({ "Group": group })))
}

pub async fn delete(
    State(emu): State<Arc<Emulator>>,
    Path((account, namespace, name)): Path<(String, String, String)>,
) -> ApiResult {
    check_scope(&account, &namespace)?;
    model::group_name(&name)?;
    let mut store = emu.store.lock().expect("store lock");
    let space = store.space(&account, &namespace);
    existing(space, &name)?;
    space.groups.remove(&name);
    Ok(ok(200, json!({})))
}

pub async fn list(
    State(emu): State<Arc<Emulator>>,
    Path((account, namespace)): Path<(String, String)>,
    query: Query,
) -> ApiResult {
    check_scope(&account, &namespace)?;
    let mut store = emu.store.lock().expect("store lock");
    let space = store.space(&account, &namespace);
    let (groups, next) = page(space.groups.iter().map(|(k, g)| (k.clone(), g)), &query)?;
    Ok(ok(200, json!({ "GroupList": groups, "NextToken": next })))
}
