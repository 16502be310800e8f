//! Self-upgrades: a namespace's configuration (UpdateSelfUpgradeConfiguration: `AUTO_APPROVAL` or
//! `ADMIN_APPROVAL`), the requests (ListSelfUpgrades) and an administrator's decision
//! (UpdateSelfUpgrade: `APPROVE`, `DENY`, `VERIFY`). `POST /_emulator/self-upgrades` stands in for
//! a user asking; under `AUTO_APPROVAL` the role is given at once, as QuickSight does.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Query, Scope, page, parse_body};
use crate::store::{SelfUpgrade, Space};
use crate::wire::{ApiError, ApiResult, ok};
use crate::{Emulator, model};

const STATUSES: [&str; 2] = ["AUTO_APPROVAL", "ADMIN_APPROVAL"];

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ConfigurationBody {
    self_upgrade_status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DecisionBody {
    upgrade_request_id: Option<String>,
    action: Option<String>,
}

pub async fn describe_configuration(State(emu): State<Arc<Emulator>>, scope: Scope) -> ApiResult {
    let mut store = emu.store();
    let status = scope.space(&mut store)?.self_upgrade_status.clone();
    let configuration = status.map(|s| json!({ "SelfUpgradeStatus": s }));
    Ok(ok(
        200,
        json!({ "Status": 200, "SelfUpgradeConfiguration": configuration }),
    ))
}

pub async fn update_configuration(State(emu): State<Arc<Emulator>>, scope: Scope, body: Bytes) -> ApiResult {
    let b: ConfigurationBody = parse_body(&body)?;
    let status = b
        .self_upgrade_status
        .ok_or_else(|| ApiError::invalid("SelfUpgradeStatus is required."))?;
    if !STATUSES.contains(&status.as_str()) {
        return Err(ApiError::invalid(format!(
            "1 validation error detected: Value '{status}' at 'selfUpgradeStatus' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            STATUSES.join(", ")
        )));
    }
    let mut store = emu.store();
    scope.space(&mut store)?.self_upgrade_status = Some(status);
    Ok(ok(200, json!({ "Status": 200 })))
}

pub async fn list(State(emu): State<Arc<Emulator>>, scope: Scope, axum::extract::Query(query): Query) -> ApiResult {
    let mut store = emu.store();
    let requests = scope.space(&mut store)?.self_upgrades.clone();
    let (requests, next) = page(requests.into_iter(), &query)?;
    Ok(ok(
        200,
        json!({ "Status": 200, "SelfUpgradeRequestDetails": requests, "NextToken": next }),
    ))
}

/// APPROVE gives the user the requested role; DENY leaves it; both only for a pending request.
/// VERIFY checks that an approved request's role is the user's (`VERIFY_FAILED` otherwise).
pub async fn update(State(emu): State<Arc<Emulator>>, scope: Scope, body: Bytes) -> ApiResult {
    let b: DecisionBody = parse_body(&body)?;
    let id = b
        .upgrade_request_id
        .ok_or_else(|| ApiError::invalid("UpgradeRequestId is required."))?;
    let action = b.action.ok_or_else(|| ApiError::invalid("Action is required."))?;
    let mut store = emu.store();
    let space = scope.space(&mut store)?;
    let request = space
        .self_upgrades
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found_untyped(format!("The self-upgrade request {id} does not exist.")))?;
    let decided = decide(space, request, &action)?;
    space.self_upgrades.insert(id, decided.clone());
    Ok(ok(200, json!({ "Status": 200, "SelfUpgradeRequestDetail": decided })))
}

fn decide(space: &mut Space, mut request: SelfUpgrade, action: &str) -> Result<SelfUpgrade, ApiError> {
    let pending = request.request_status == "PENDING";
    request.last_update_attempt_time = Some(now_millis());
    match action {
        "APPROVE" | "DENY" if !pending => {
            return Err(ApiError::invalid(format!(
                "The self-upgrade request {} is {}, not PENDING.",
                request.upgrade_request_id, request.request_status
            )));
        }
        "APPROVE" => approve(space, &mut request),
        "DENY" => request.request_status = "DENIED".into(),
        "VERIFY" if request.request_status == "APPROVED" => {
            let role = space.users.get(&request.user_name).map(|u| u.role.as_str());
            if role != Some(request.requested_role.as_str()) {
                request.request_status = "VERIFY_FAILED".into();
                request.last_update_failure_reason = Some("The user does not hold the requested role.".into());
            }
        }
        "VERIFY" => {}
        other => {
            return Err(ApiError::invalid(format!(
                "1 validation error detected: Value '{other}' at 'action' failed to satisfy constraint: Member must satisfy enum value set: [APPROVE, DENY, VERIFY]"
            )));
        }
    }
    Ok(request)
}

/// The requested role, given (`UPDATE_FAILED` when the user is gone).
fn approve(space: &mut Space, request: &mut SelfUpgrade) {
    match space.users.get_mut(&request.user_name) {
        Some(user) => {
            user.role = request.requested_role.clone();
            request.request_status = "APPROVED".into();
        }
        None => {
            request.request_status = "UPDATE_FAILED".into();
            request.last_update_failure_reason = Some(format!("The user {} does not exist.", request.user_name));
        }
    }
}

/// `POST /_emulator/self-upgrades` `{"Namespace", "UserName", "RequestedRole", "RequestNote"}`
/// (and `AwsAccountId`, when more than one account has the namespace): a user asks for a role.
pub async fn admin_request(State(emu): State<Arc<Emulator>>, Json(body): Json<Value>) -> Response {
    match admin_request_inner(&emu, &body) {
        Ok(request) => Json(json!(request)).into_response(),
        Err(e) => e.into_response(),
    }
}

fn admin_request_inner(emu: &Emulator, body: &Value) -> Result<SelfUpgrade, ApiError> {
    let field = |name: &str| body[name].as_str().map(str::to_owned);
    let (Some(namespace), Some(user_name), Some(requested)) =
        (field("Namespace"), field("UserName"), field("RequestedRole"))
    else {
        return Err(ApiError::invalid(
            "expected {\"Namespace\", \"UserName\", \"RequestedRole\", \"RequestNote\"}",
        ));
    };
    model::namespace(&namespace)?;
    model::user_role("RequestedRole", &requested)?;
    let mut store = emu.store();
    let id = format!("upgrade-{}", store.next_id);
    store.next_id += 1;
    let account = field("AwsAccountId");
    let space = store
        .spaces
        .iter_mut()
        .filter(|(key, _)| key.ends_with(&format!("/{namespace}")))
        .filter(|(key, _)| account.as_ref().is_none_or(|a| key.starts_with(&format!("{a}/"))))
        .map(|(_, space)| space)
        .find(|space| space.users.contains_key(&user_name))
        .ok_or_else(|| ApiError::user_not_found(format!("User {user_name} is not in namespace {namespace}.")))?;
    let original = space.users[&user_name].role.clone();
    let mut request = SelfUpgrade {
        upgrade_request_id: id.clone(),
        user_name,
        original_role: original,
        requested_role: requested,
        request_note: field("RequestNote"),
        creation_time: now_millis(),
        request_status: "PENDING".into(),
        last_update_attempt_time: None,
        last_update_failure_reason: None,
    };
    if space.self_upgrade_status.as_deref() == Some("AUTO_APPROVAL") {
        approve(space, &mut request);
    }
    space.self_upgrades.insert(id, request.clone());
    emu.dirty.store(true, std::sync::atomic::Ordering::Release);
    Ok(request)
}
