//! Custom permissions profiles (CreateCustomPermissions and the rest) and where they apply: to a
//! user (UpdateUserCustomPermission, or `CustomPermissionsName` on RegisterUser and UpdateUser)
//! and to a role in a namespace (UpdateRoleCustomPermission). A profile that is still applied
//! cannot be deleted (ConflictException: the emulator's reading, docs/quicksight-facts.md).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AccountPath, Query, Region, Scope, Tag, UserPath, page, parse_body};
use crate::store::{Profile, profile_key};
use crate::wire::{ApiError, ApiResult, ok};
use crate::{Emulator, model};

#[derive(Deserialize)]
pub struct ProfilePath {
    #[serde(rename = "AwsAccountId")]
    account: String,
    #[serde(rename = "CustomPermissionsName")]
    name: String,
}

#[derive(Deserialize)]
pub struct RolePath {
    #[serde(rename = "Role")]
    role: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ProfileBody {
    custom_permissions_name: Option<String>,
    capabilities: Option<BTreeMap<String, String>>,
    governance: Option<Value>,
    tags: Option<Vec<Tag>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ApplyBody {
    custom_permissions_name: Option<String>,
}

fn capabilities(b: &mut ProfileBody) -> Result<BTreeMap<String, String>, ApiError> {
    let capabilities = b.capabilities.take().unwrap_or_default();
    for (name, state) in &capabilities {
        model::capability_state(name, state)?;
    }
    Ok(capabilities)
}

/// A body's `CustomPermissionsName`, required and checked.
fn required_name(name: Option<String>) -> Result<String, ApiError> {
    let name = name.ok_or_else(|| ApiError::invalid("CustomPermissionsName is required."))?;
    model::custom_permissions_name(&name)?;
    Ok(name)
}

fn applied_name(body: &Bytes) -> Result<String, ApiError> {
    required_name(parse_body::<ApplyBody>(body)?.custom_permissions_name)
}

pub async fn create(
    State(emu): State<Arc<Emulator>>,
    Extension(Region(region)): Extension<Region>,
    Path(AccountPath { account }): Path<AccountPath>,
    body: Bytes,
) -> ApiResult {
    model::account_id(&account)?;
    let mut b: ProfileBody = parse_body(&body)?;
    let name = required_name(b.custom_permissions_name.take())?;
    let capabilities = capabilities(&mut b)?;
    if let Some(tags) = &b.tags {
        model::tags(tags)?;
    }
    let mut store = emu.store();
    let key = profile_key(&account, &name);
    if store.profiles.contains_key(&key) {
        return Err(ApiError::exists_untyped(format!(
            "The custom permissions profile {name} already exists."
        )));
    }
    let arn = format!("arn:aws:quicksight:{region}:{account}:custompermission/{name}");
    let profile = Profile {
        arn: arn.clone(),
        custom_permissions_name: name,
        capabilities,
        governance: b.governance,
    };
    store.profiles.insert(key, profile);
    if let Some(tags) = b.tags {
        let tags = tags.into_iter().map(|t| (t.key, t.value)).collect();
        store.tags.insert(arn.clone(), tags);
    }
    Ok(ok(200, json!({ "Arn": arn })))
}

pub async fn describe(State(emu): State<Arc<Emulator>>, Path(path): Path<ProfilePath>) -> ApiResult {
    model::account_id(&path.account)?;
    model::custom_permissions_name(&path.name)?;
    let store = emu.store();
    let profile = store.profile(&path.account, &path.name)?;
    Ok(ok(200, json!({ "CustomPermissions": profile })))
}

pub async fn list(
    State(emu): State<Arc<Emulator>>,
    Path(AccountPath { account }): Path<AccountPath>,
    axum::extract::Query(query): Query,
) -> ApiResult {
    model::account_id(&account)?;
    let store = emu.store();
    let prefix = format!("{account}/");
    let items = store
        .profiles
        .iter()
        .filter(|(key, _)| key.starts_with(&prefix))
        .map(|(key, profile)| (key.clone(), profile.clone()));
    let (profiles, next) = page(items, &query)?;
    Ok(ok(200, json!({ "CustomPermissionsList": profiles, "NextToken": next })))
}

/// Replaces the profile's capabilities and governance (an omitted governance is removed).
pub async fn update(State(emu): State<Arc<Emulator>>, Path(path): Path<ProfilePath>, body: Bytes) -> ApiResult {
    model::account_id(&path.account)?;
    model::custom_permissions_name(&path.name)?;
    let mut b: ProfileBody = parse_body(&body)?;
    let capabilities = capabilities(&mut b)?;
    let mut store = emu.store();
    let profile = store.profile_mut(&path.account, &path.name)?;
    profile.capabilities = capabilities;
    profile.governance = b.governance;
    Ok(ok(200, json!({ "Arn": profile.arn })))
}

/// Refused while the profile is applied to a user or a role.
pub async fn delete(State(emu): State<Arc<Emulator>>, Path(path): Path<ProfilePath>) -> ApiResult {
    model::account_id(&path.account)?;
    model::custom_permissions_name(&path.name)?;
    let mut store = emu.store();
    let arn = store.profile(&path.account, &path.name)?.arn.clone();
    let uses = store.profile_uses(&path.account, &path.name);
    if !uses.is_empty() {
        return Err(ApiError::conflict(format!(
            "The custom permissions profile {} is applied to {}: remove it from them first.",
            path.name,
            uses.join(", ")
        )));
    }
    store.profiles.remove(&profile_key(&path.account, &path.name));
    store.tags.remove(&arn);
    Ok(ok(200, json!({ "Arn": arn })))
}

pub async fn update_user(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(UserPath { name }): Path<UserPath>,
    body: Bytes,
) -> ApiResult {
    model::user_name(&name)?;
    let profile = applied_name(&body)?;
    let mut store = emu.store();
    store.profile(&scope.account, &profile)?;
    let user = super::users::visible_user(scope.space(&mut store)?, &name)?;
    user.custom_permissions_name = Some(profile);
    Ok(ok(200, json!({})))
}

pub async fn delete_user(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(UserPath { name }): Path<UserPath>,
) -> ApiResult {
    model::user_name(&name)?;
    let mut store = emu.store();
    let user = super::users::visible_user(scope.space(&mut store)?, &name)?;
    user.custom_permissions_name = None;
    Ok(ok(200, json!({})))
}

pub async fn update_role(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(RolePath { role }): Path<RolePath>,
    body: Bytes,
) -> ApiResult {
    model::profile_role(&role)?;
    let profile = applied_name(&body)?;
    let mut store = emu.store();
    store.profile(&scope.account, &profile)?;
    scope.space(&mut store)?.role_profiles.insert(role, profile);
    Ok(ok(200, json!({})))
}

/// A role without a profile answers without `CustomPermissionsName` (the member is optional).
pub async fn describe_role(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(RolePath { role }): Path<RolePath>,
) -> ApiResult {
    model::profile_role(&role)?;
    let mut store = emu.store();
    let profile = scope.space(&mut store)?.role_profiles.get(&role).cloned();
    Ok(ok(200, json!({ "CustomPermissionsName": profile })))
}

pub async fn delete_role(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(RolePath { role }): Path<RolePath>,
) -> ApiResult {
    model::profile_role(&role)?;
    let mut store = emu.store();
    scope.space(&mut store)?.role_profiles.remove(&role);
    Ok(ok(200, json!({})))
}
