use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use super::{Query, Region, Scope, Tag, UserPath, page, parse_body};
use crate::Emulator;
use crate::model;
use crate::store::User;
use crate::wire::{ApiError, ApiResult, ok};

/// What QuickSight reports as the provider URL of COGNITO users.
const COGNITO_URL: &str = "cognito-identity.amazonaws.com";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RegisterUserBody {
    identity_type: Option<String>,
    email: Option<String>,
    user_role: Option<String>,
    iam_arn: Option<String>,
    session_name: Option<String>,
    user_name: Option<String>,
    custom_permissions_name: Option<String>,
    external_login_federation_provider_type: Option<String>,
    custom_federation_provider_url: Option<String>,
    external_login_id: Option<String>,
    tags: Option<Vec<Tag>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UpdateUserBody {
    email: Option<String>,
    role: Option<String>,
    custom_permissions_name: Option<String>,
    unapply_custom_permissions: Option<bool>,
    external_login_federation_provider_type: Option<String>,
    custom_federation_provider_url: Option<String>,
    external_login_id: Option<String>,
}

fn required<'a>(field: &str, v: &'a Option<String>) -> Result<&'a str, ApiError> {
    v.as_deref()
        .ok_or_else(|| ApiError::invalid(format!("{field} is required.")))
}

/// The external login fields to store: (type, reported URL, id). `NONE` clears them, and is
/// accepted only where `allow_none` (UpdateUser).
type Login = (Option<String>, Option<String>, Option<String>);

fn external_login(
    kind: Option<&str>,
    url: Option<&str>,
    id: Option<&str>,
    allow_none: bool,
) -> Result<Option<Login>, ApiError> {
    match kind {
        None if url.is_some() || id.is_some() => Err(ApiError::invalid(
            "ExternalLoginFederationProviderType is required with ExternalLoginId or CustomFederationProviderUrl.",
        )),
        None => Ok(None),
        Some("NONE") if allow_none => Ok(Some((None, None, None))),
        Some("COGNITO") => {
            if url.is_some() {
                return Err(ApiError::invalid(
                    "CustomFederationProviderUrl is only allowed when ExternalLoginFederationProviderType is CUSTOM_OIDC.",
                ));
            }
            let id = id
                .filter(|i| !i.is_empty())
                .ok_or_else(|| ApiError::invalid("ExternalLoginId is required for COGNITO."))?;
            Ok(Some((
                Some("COGNITO".into()),
                Some(COGNITO_URL.into()),
                Some(id.into()),
            )))
        }
        Some("CUSTOM_OIDC") => {
            let url = url
                .filter(|u| u.starts_with("https://") && u.len() > "https://".len())
                .ok_or_else(|| {
                    ApiError::invalid("CustomFederationProviderUrl must be an https URL for CUSTOM_OIDC.")
                })?;
            let id = id
                .filter(|i| !i.is_empty())
                .ok_or_else(|| ApiError::invalid("ExternalLoginId is required for CUSTOM_OIDC."))?;
            Ok(Some((Some("CUSTOM_OIDC".into()), Some(url.into()), Some(id.into()))))
        }
        Some(other) => Err(ApiError::invalid(format!(
            "ExternalLoginFederationProviderType '{other}' is not valid; use COGNITO or CUSTOM_OIDC{}.",
            if allow_none { " or NONE" } else { "" }
        ))),
    }
}

fn set_login(user: &mut User, login: Login) {
    (
        user.external_login_federation_provider_type,
        user.external_login_federation_provider_url,
        user.external_login_id,
    ) = login;
}

pub async fn register(
    State(emu): State<Arc<Emulator>>,
    Extension(Region(region)): Extension<Region>,
    scope: Scope,
    body: Bytes,
) -> ApiResult {
    let b: RegisterUserBody = parse_body(&body)?;
    let identity_type = required("IdentityType", &b.identity_type)?;
    let email = required("Email", &b.email)?;
    model::email(email)?;
    let role = required("UserRole", &b.user_role)?;
    model::user_role("userRole", role)?;
    let (user_name, session) = match identity_type {
        "IAM" => {
            if b.user_name.is_some() {
                return Err(ApiError::invalid(
                    "UserName is not allowed with IdentityType IAM: the user is named after the IAM identity (RoleName/SessionName).",
                ));
            }
            let role_name = model::role_arn(required("IamArn", &b.iam_arn)?)?;
            let session = required("SessionName", &b.session_name)?;
            model::session_name(session)?;
            (format!("{role_name}/{session}"), Some(session))
        }
        "QUICKSIGHT" => {
            if b.iam_arn.is_some() || b.session_name.is_some() {
                return Err(ApiError::invalid(
                    "IamArn and SessionName are only allowed with IdentityType IAM.",
                ));
            }
            let name = required("UserName", &b.user_name)?;
            model::user_name(name)?;
            (name.to_owned(), None)
        }
        "IAM_IDENTITY_CENTER" => {
            return Err(ApiError::invalid(
                "IdentityType IAM_IDENTITY_CENTER is not supported by quicksight-local.",
            ));
        }
        other => {
            return Err(ApiError::invalid(format!(
                "IdentityType '{other}' must be one of IAM, QUICKSIGHT, IAM_IDENTITY_CENTER."
            )));
        }
    };
    if let Some(name) = &b.custom_permissions_name {
        model::custom_permissions_name(name)?;
    }
    let login = external_login(
        b.external_login_federation_provider_type.as_deref(),
        b.custom_federation_provider_url.as_deref(),
        b.external_login_id.as_deref(),
        false,
    )?;
    if let Some(tags) = &b.tags {
        model::tags(tags)?;
    }

    let mut store = emu.store();
    if let Some(name) = &b.custom_permissions_name {
        store.profile(&scope.account, name)?;
    }
    let id = store.next_id();
    let space = scope.space(&mut store)?;
    if space.users.contains_key(&user_name) {
        return Err(ApiError::exists(
            "USER",
            format!("The user {user_name} already exists."),
        ));
    }
    let principal_id = match session {
        Some(s) => format!("federated/iam/AROA{id:017X}:{s}"),
        None => format!("user/d-{id:010x}/{user_name}"),
    };
    let mut user = User {
        arn: scope.arn(&region, "user", &user_name),
        user_name: user_name.clone(),
        email: email.to_owned(),
        role: role.to_owned(),
        identity_type: identity_type.to_owned(),
        active: identity_type == "IAM",
        principal_id,
        custom_permissions_name: b.custom_permissions_name,
        external_login_federation_provider_type: None,
        external_login_federation_provider_url: None,
        external_login_id: None,
        hidden_until: (!emu.consistency_delay.is_zero()).then(|| Instant::now() + emu.consistency_delay),
    };
    if let Some(login) = login {
        set_login(&mut user, login);
    }
    let body = json!({ "User": &user });
    let arn = user.arn.clone();
    space.users.insert(user_name, user);
    if let Some(tags) = b.tags {
        store
            .tags
            .insert(arn, tags.into_iter().map(|t| (t.key, t.value)).collect());
    }
    Ok(ok(201, body))
}

pub(super) fn visible_user<'a>(space: &'a mut crate::store::Space, name: &str) -> Result<&'a mut User, ApiError> {
    space
        .users
        .get_mut(name)
        .filter(|u| u.is_visible())
        .ok_or_else(|| ApiError::not_found("USER", format!("The user {name} does not exist.")))
}

pub async fn describe(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(UserPath { name }): Path<UserPath>,
) -> ApiResult {
    model::user_name(&name)?;
    let mut store = emu.store();
    let user = visible_user(scope.space(&mut store)?, &name)?;
    Ok(ok(200, json!({ "User": user })))
}

pub async fn update(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(UserPath { name }): Path<UserPath>,
    body: Bytes,
) -> ApiResult {
    model::user_name(&name)?;
    let b: UpdateUserBody = parse_body(&body)?;
    let email = required("Email", &b.email)?;
    model::email(email)?;
    let role = required("Role", &b.role)?;
    model::user_role("role", role)?;
    if let Some(cp) = &b.custom_permissions_name {
        model::custom_permissions_name(cp)?;
    }
    if b.unapply_custom_permissions == Some(true) && b.custom_permissions_name.is_some() {
        return Err(ApiError::invalid(
            "CustomPermissionsName and UnapplyCustomPermissions cannot be used together.",
        ));
    }
    let login = external_login(
        b.external_login_federation_provider_type.as_deref(),
        b.custom_federation_provider_url.as_deref(),
        b.external_login_id.as_deref(),
        true,
    )?;
    let mut store = emu.store();
    if let Some(cp) = &b.custom_permissions_name {
        store.profile(&scope.account, cp)?;
    }
    let user = visible_user(scope.space(&mut store)?, &name)?;
    // QuickSight refuses to take an author's or admin's role down to a reader's (their assets
    // would be orphaned); the only way down is DeleteUser and RegisterUser.
    if is_author_or_admin(&user.role) && is_reader(role) {
        return Err(ApiError::invalid(format!(
            "You cannot downgrade a user role from {} to {role}. Delete the user and register it again with the new role.",
            user.role
        )));
    }
    user.email = email.to_owned();
    user.role = role.to_owned();
    if let Some(cp) = b.custom_permissions_name {
        user.custom_permissions_name = Some(cp);
    }
    if b.unapply_custom_permissions == Some(true) {
        user.custom_permissions_name = None;
    }
    if let Some(login) = login {
        set_login(user, login);
    }
    Ok(ok(200, json!({ "User": user })))
}

fn is_author_or_admin(role: &str) -> bool {
    matches!(role, "ADMIN" | "AUTHOR" | "ADMIN_PRO" | "AUTHOR_PRO")
}

fn is_reader(role: &str) -> bool {
    matches!(role, "READER" | "READER_PRO")
}

pub async fn delete(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(UserPath { name }): Path<UserPath>,
) -> ApiResult {
    model::user_name(&name)?;
    let mut store = emu.store();
    // A user QuickSight does not show yet cannot be deleted either (404), as it cannot be read.
    visible_user(scope.space(&mut store)?, &name)?;
    if !store.delete_user(&scope.account, &scope.namespace, &name)? {
        return Err(ApiError::not_found("USER", format!("The user {name} does not exist.")));
    }
    Ok(ok(200, json!({})))
}

/// DeleteUserByPrincipalId: the only way to remove a user whose IAM role was deleted ("N/A").
pub async fn delete_by_principal_id(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(PrincipalPath { principal_id }): Path<PrincipalPath>,
) -> ApiResult {
    let mut store = emu.store();
    let space = scope.space(&mut store)?;
    let key = space
        .users
        .iter()
        .find(|(_, u)| u.principal_id == principal_id)
        .map(|(k, _)| k.clone());
    let Some(key) = key else {
        return Err(ApiError::not_found(
            "USER",
            format!("No user has the principal ID {principal_id}."),
        ));
    };
    store.delete_user(&scope.account, &scope.namespace, &key)?;
    Ok(ok(200, json!({})))
}

/// What QuickSight does to the users of an IAM role that is deleted: they stay, named "N/A",
/// with their principal id and external login, out of every group. Keyed `N/A:<principal id>`
/// here, as several can exist.
pub fn orphan_role(store: &mut crate::store::Store, role: &str) -> usize {
    let prefix = format!("{role}/");
    let mut orphaned = 0;
    for space in store.spaces.values_mut() {
        let names: Vec<String> = space.users.keys().filter(|n| n.starts_with(&prefix)).cloned().collect();
        for name in names {
            let mut user = space.remove_user(&name).expect("listed above");
            store.tags.remove(&user.arn);
            user.user_name = "N/A".into();
            space.users.insert(format!("N/A:{}", user.principal_id), user);
            orphaned += 1;
        }
    }
    orphaned
}

#[derive(Deserialize)]
pub struct PrincipalPath {
    #[serde(rename = "PrincipalId")]
    principal_id: String,
}

pub async fn list(State(emu): State<Arc<Emulator>>, scope: Scope, query: Query) -> ApiResult {
    let mut store = emu.store();
    let space = scope.space(&mut store)?;
    // A just-registered user is missing from lists too (the facts: invisible to membership and
    // list calls for seconds).
    let visible = space.users.iter().filter(|(_, u)| u.is_visible());
    let (users, next) = page(visible.map(|(k, u)| (k.clone(), u)), &query)?;
    Ok(ok(200, json!({ "UserList": users, "NextToken": next })))
}

pub async fn list_groups(
    State(emu): State<Arc<Emulator>>,
    scope: Scope,
    Path(UserPath { name }): Path<UserPath>,
    query: Query,
) -> ApiResult {
    model::user_name(&name)?;
    let mut store = emu.store();
    let space = scope.space(&mut store)?;
    visible_user(space, &name)?;
    let groups = space
        .groups
        .iter()
        .filter(|(_, g)| g.members.contains(&name))
        .map(|(k, g)| (k.clone(), g));
    let (groups, next) = page(groups, &query)?;
    Ok(ok(200, json!({ "GroupList": groups, "NextToken": next })))
}
