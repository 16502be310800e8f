//! quicksight-local: Amazon QuickSight's user and group management API, served locally.

pub mod api;
pub mod args;
pub mod assets;
mod limits;
mod model;
pub mod operations;
mod store;
pub mod tls;
mod wire;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use api::{Region, users};
pub use args::Args;
use limits::{Stats, TokenBucket};
use operations::{Access, OPERATIONS, Operation};
pub use store::Store;
use wire::ApiError;

pub struct Emulator {
    store: Mutex<Store>,
    stats: Stats,
    mutating_bucket: Option<TokenBucket>,
    read_bucket: Option<TokenBucket>,
    consistency_delay: Duration,
    fail_rate: f64,
    latency: Duration,
    /// `--namespace-create-delay-ms`: how long CreateNamespace's (and DeleteNamespace's) work takes.
    namespace_delay: Duration,
    namespace_limit: usize,
    /// The embed URLs issued and not yet redeemed, and how long each stays redeemable.
    embeds: api::embed::Embeds,
    embed_url_validity: Duration,
    /// `--identity-region`: where user management answers.
    identity_region: Option<String>,
    /// `--authentication-type`: the account's sign-in method.
    authentication_type: String,
    /// Whether this emulator serves HTTPS (embed URLs use its scheme).
    tls: bool,
    state_file: Option<PathBuf>,
    dirty: AtomicBool,
}

impl Emulator {
    pub fn new(args: &Args, store: Store) -> Self {
        Self {
            store: Mutex::new(store),
            stats: Stats::default(),
            mutating_bucket: args.rate_limit.map(TokenBucket::new),
            read_bucket: args.rate_limit.map(TokenBucket::new),
            consistency_delay: Duration::from_millis(args.consistency_delay_ms),
            fail_rate: args.fail_rate,
            latency: Duration::from_millis(args.latency_ms),
            namespace_delay: Duration::from_millis(args.namespace_create_delay_ms),
            namespace_limit: args.namespace_limit,
            embeds: Default::default(),
            embed_url_validity: Duration::from_secs(args.embed_url_valid_seconds),
            tls: args.tls,
            identity_region: args.identity_region.clone(),
            authentication_type: args.authentication_type.clone(),
            state_file: args.state.clone(),
            dirty: AtomicBool::new(false),
        }
    }

    /// The store, for one handler's work (never held across an await).
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes the state file if anything changed since the last save.
    pub fn save_if_dirty(&self) -> std::io::Result<()> {
        let Some(path) = &self.state_file else { return Ok(()) };
        if !self.dirty.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        let json = self.store().to_json();
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&json)?)?;
        std::fs::rename(tmp, path)
    }
}

/// The QuickSight API (every operation of [`OPERATIONS`], each behind [`gate`]) plus the
/// emulator's own admin endpoints under `/_emulator/`.
pub fn router(emu: Arc<Emulator>) -> Router {
    let quicksight = OPERATIONS.iter().fold(Router::new(), |router, op| {
        let gated = op
            .endpoint()
            .route_layer(middleware::from_fn_with_state((emu.clone(), op), gate));
        router.route(op.path, gated)
    });
    Router::new()
        .merge(quicksight)
        .route("/embed/{session}/{*rest}", get(api::embed::open_embed))
        .route("/embedding/{session}/{*rest}", get(api::embed::open_embedding))
        .route("/_emulator/state", get(admin_state))
        .route("/_emulator/stats", get(admin_stats))
        .route("/_emulator/reset", post(admin_reset))
        .route("/_emulator/orphan-role", post(admin_orphan_role))
        .route("/_emulator/namespaces", post(admin_namespace))
        .route("/_emulator/assets", get(admin_assets).post(admin_seed_asset))
        .route("/_emulator/self-upgrades", post(api::self_upgrades::admin_request))
        .fallback(|| async {
            ApiError {
                status: axum::http::StatusCode::NOT_FOUND,
                code: "UnknownOperationException",
                message: "quicksight-local serves the operations docs/quicksight-local.md lists only.".into(),
                resource_type: None,
            }
        })
        .with_state(emu)
}

/// The region of a SigV4 `Authorization` header's credential scope.
fn signed_region(authorization: &str) -> Option<String> {
    let scope = authorization.split("Credential=").nth(1)?.split([',', ' ']).next()?;
    scope.split('/').nth(2).filter(|r| !r.is_empty()).map(str::to_owned)
}

/// What every QuickSight request passes before its handler: authentication, latency, rate limit,
/// injected failures; and the counts behind `/_emulator/stats`.
async fn gate(
    State((emu, operation)): State<(Arc<Emulator>, &'static Operation)>,
    mut request: Request,
    next: Next,
) -> Response {
    let op = operation.name;
    let mutating = operation.access == Access::Write;
    emu.stats.record(op, |s| s.requests += 1);
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let Some(authorization) = authorization else {
        emu.stats.record(op, |s| s.client_errors += 1);
        return ApiError::access_denied().into_response();
    };
    let region = signed_region(authorization).unwrap_or_else(|| "us-east-1".into());
    if let Some(identity) = emu.identity_region.as_deref()
        && identity != region
        && operation.needs_identity_region()
    {
        emu.stats.record(op, |s| s.client_errors += 1);
        return ApiError::wrong_region(&region, identity).into_response();
    }
    let directory = directory_name(&emu.authentication_type);
    let disabled_here = match directory {
        Some(_) => operation.disabled_for_directory_identities(),
        None => operation.needs_directory_identities(),
    };
    if disabled_here {
        emu.stats.record(op, |s| s.client_errors += 1);
        return ApiError::directory_managed(directory.unwrap_or("QuickSight")).into_response();
    }
    request.extensions_mut().insert(Region(region));
    if !emu.latency.is_zero() {
        tokio::time::sleep(emu.latency).await;
    }
    let bucket = if mutating {
        &emu.mutating_bucket
    } else {
        &emu.read_bucket
    };
    if bucket.as_ref().is_some_and(|b| !b.try_take()) {
        emu.stats.record(op, |s| s.throttled += 1);
        return ApiError::throttled().into_response();
    }
    if emu.fail_rate > 0.0 && fastrand::f64() < emu.fail_rate {
        emu.stats.record(op, |s| s.injected_failures += 1);
        let error = if fastrand::bool() {
            ApiError::internal()
        } else {
            ApiError::unavailable()
        };
        return error.into_response();
    }
    let response = next.run(request).await;
    let succeeded = response.status().is_success();
    emu.stats.record(op, |s| {
        if succeeded {
            s.succeeded += 1
        } else {
            s.client_errors += 1
        }
    });
    if succeeded && mutating {
        emu.dirty.store(true, Ordering::Release);
    }
    response
}

/// The directory that manages identities under an account's sign-in method, if one does.
fn directory_name(authentication_type: &str) -> Option<&'static str> {
    match authentication_type {
        "IAM_IDENTITY_CENTER" => Some("IAM Identity Center"),
        "ACTIVE_DIRECTORY" => Some("Active Directory"),
        _ => None,
    }
}

async fn admin_state(State(emu): State<Arc<Emulator>>) -> Response {
    Json(emu.store().to_json()).into_response()
}

async fn admin_stats(State(emu): State<Arc<Emulator>>) -> Response {
    let operations = emu.stats.snapshot();
    let total = operations.values().fold(limits::OpStats::default(), |mut t, s| {
        t.requests += s.requests;
        t.succeeded += s.succeeded;
        t.throttled += s.throttled;
        t.injected_failures += s.injected_failures;
        t.client_errors += s.client_errors;
        t
    });
    Json(json!({ "operations": operations, "total": total })).into_response()
}

/// Simulates deleting the IAM role `{"role": "<name>"}`: its users become "N/A" users.
async fn admin_orphan_role(State(emu): State<Arc<Emulator>>, Json(body): Json<serde_json::Value>) -> Response {
    let Some(role) = body["role"].as_str() else {
        return ApiError::invalid("expected {\"role\": \"<IAM role name>\"}").into_response();
    };
    let orphaned = users::orphan_role(&mut emu.store(), role);
    emu.dirty.store(true, Ordering::Release);
    Json(json!({ "orphaned": orphaned })).into_response()
}

/// Clears users, groups and counts (between benchmark rounds).
async fn admin_reset(State(emu): State<Arc<Emulator>>) -> Response {
    *emu.store() = Store::default();
    emu.stats.clear();
    emu.embeds.clear();
    emu.dirty.store(true, Ordering::Release);
    Json(json!({ "reset": true })).into_response()
}

/// Every asset with its permissions.
async fn admin_assets(State(emu): State<Arc<Emulator>>) -> Response {
    let assets: Vec<serde_json::Value> = emu
        .store()
        .assets
        .values()
        .map(
            |a| json!({ "kind": a.kind, "id": a.id, "name": a.name, "arn": a.arn, "permissions": a.permission_list() }),
        )
        .collect();
    Json(json!({ "assets": assets })).into_response()
}

/// Seeds an asset: `{"kind": "dashboard"|"analysis"|"dataset"|"datasource"|"folder", "id", "name",
/// "permissions": [{"Principal", "Actions"}]}`.
async fn admin_seed_asset(State(emu): State<Arc<Emulator>>, Json(body): Json<api::assets::Seed>) -> Response {
    if let Err(e) = api::assets::seed(&mut emu.store(), body) {
        return e.into_response();
    }
    emu.dirty.store(true, Ordering::Release);
    Json(json!({ "seeded": true })).into_response()
}

/// Creates a namespace `{"AwsAccountId": "...", "Namespace": "..."}` at once, `CREATED`, as a seed
/// (CreateNamespace makes one `CREATING` first).
async fn admin_namespace(State(emu): State<Arc<Emulator>>, Json(body): Json<serde_json::Value>) -> Response {
    let (Some(account), Some(namespace)) = (body["AwsAccountId"].as_str(), body["Namespace"].as_str()) else {
        return ApiError::invalid("expected {\"AwsAccountId\": \"...\", \"Namespace\": \"...\"}").into_response();
    };
    if let Err(e) = model::account_id(account).and_then(|()| model::namespace(namespace)) {
        return e.into_response();
    }
    let created = emu.store().seed_namespace(account, namespace);
    emu.dirty.store(true, Ordering::Release);
    Json(json!({ "created": created })).into_response()
}
