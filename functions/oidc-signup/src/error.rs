//! Why a sign-up was not provisioned, mapped to the HTTP answer and its log line in one place.

use qs_engine::{EngineError, Outcome};
use qs_function_url::Response;
use qs_model::user::Refusal;
use qs_model::validate::ValidationErrors;
use qs_observe::logging::Json;
use qs_observe::metrics::{Counts, Metric};
use serde_json::{Value, json};

use crate::handler::Login;
use crate::verify::Rejected;

#[derive(Debug, thiserror::Error)]
pub enum SignupError {
    /// The token failed a check: 401 naming the check, never the token.
    #[error("token refused: {0}")]
    Token(Rejected),
    /// The provider's keys could not be fetched: 503, safe to retry.
    #[error("the provider's keys are unavailable: {0}")]
    KeysUnavailable(String),
    /// Claims QuickSight would refuse: 400 naming each claim and rule.
    #[error("invalid claims: {0}")]
    Claims(ValidationErrors),
    /// The user exists, tied to another identity's login: 409 naming the user, never the other
    /// identity's values.
    #[error("user {user} is tied to a different external login")]
    LoginConflict { user: String },
    /// The tenant has no namespace and this deployment creates none: 403 naming the tenant.
    #[error("tenant {tenant} has no QuickSight namespace")]
    UnknownTenant { tenant: String },
    /// The tenant's namespace is being created: 503 with `Retry-After`.
    #[error("namespace {namespace} is not ready yet")]
    TenantNotReady { namespace: String },
    /// QuickSight failed: 503, safe to retry.
    #[error("QuickSight failed: {0}")]
    QuickSight(EngineError),
    /// The request asks for what this deployment does not allow (a `dashboard_id`): 400 naming it.
    #[error("invalid request: {0}")]
    Request(ValidationErrors),
    /// The user is provisioned, the embed URL is not: 503 (with `Retry-After` when transient).
    #[error("the user is provisioned; the embed URL is not: {error}")]
    EmbedUnavailable { outcome: Box<Outcome>, error: EngineError },
}

/// Seconds a client waits before asking again while a tenant's namespace is being created.
const NAMESPACE_RETRY_AFTER: &str = "5";

impl SignupError {
    /// The metric that counts sign-ups that failed this way.
    fn metric(&self) -> Metric {
        match self {
            Self::Token(_) => Metric::TokensRefused,
            Self::KeysUnavailable(_) => Metric::KeysUnavailable,
            Self::Claims(_) => Metric::ClaimsInvalid,
            Self::Request(_) => Metric::RequestsInvalid,
            Self::EmbedUnavailable { .. } => Metric::EmbedUrlsUnavailable,
            Self::LoginConflict { .. } => Metric::LoginConflicts,
            Self::UnknownTenant { .. } => Metric::TenantsUnknown,
            Self::TenantNotReady { .. } | Self::QuickSight(_) => Metric::SignupsFailedQuickSight,
        }
    }
}

impl From<EngineError> for SignupError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Refused(Refusal::LoginConflict { user }) => Self::LoginConflict { user },
            EngineError::Refused(Refusal::UnknownTenant { tenant, .. }) => Self::UnknownTenant { tenant },
            EngineError::NamespaceNotReady { namespace, .. } => Self::TenantNotReady { namespace },
            other => Self::QuickSight(other),
        }
    }
}

impl From<Rejected> for SignupError {
    fn from(rejected: Rejected) -> Self {
        match rejected {
            Rejected::KeysUnavailable(why) => Self::KeysUnavailable(why),
            other => Self::Token(other),
        }
    }
}

/// An HTTP answer in the shape function URLs and HTTP APIs (payload v2) expect. Never cached:
/// answers name users and may carry an embed URL, a bearer credential.
fn answer(status: u16, body: Value) -> Value {
    Response::json(status, "application/json", Some(&body)).into_payload()
}

/// A 503 the client may repeat after `Retry-After` seconds.
fn retry_after(seconds: &str, body: Value) -> Value {
    Response::json(503, "application/json", Some(&body))
        .header("retry-after", seconds)
        .into_payload()
}

/// Seconds a client waits before asking again for an embed URL QuickSight could not give.
const EMBED_RETRY_AFTER: &str = "2";

/// Why QuickSight gave no embed URL, in words an operator can act on: the account's pricing plan
/// and edition are configuration, named by their exception.
fn embed_cause(error: &EngineError) -> &'static str {
    match error.code() {
        Some("UnsupportedPricingPlanException") => {
            "UnsupportedPricingPlanException: the account's QuickSight pricing plan does not allow embedding (account configuration)"
        }
        Some("UnsupportedUserEditionException") => {
            "UnsupportedUserEditionException: the account's QuickSight edition does not allow embedding; Enterprise edition does (account configuration)"
        }
        Some("ResourceNotFoundException") => "the dashboard to embed does not exist",
        Some("AccessDeniedException") => {
            "the function's role may not call quicksight:GenerateEmbedUrlForRegisteredUser for this user"
        }
        Some("InvalidParameterValueException") => "QuickSight refused the embedding settings (EMBED_*)",
        _ if error.is_transient() => "QuickSight did not answer in time; retry",
        _ => "QuickSight refused the embed URL",
    }
}

/// 200 with the outcome (and the embed URL), or the error's status and body; logged either way.
/// The URL appears in the answer only: never in a log line or a metric.
/// `namespaces_created`: tenants' namespaces the engine created meanwhile.
pub fn respond(result: Result<Login, SignupError>, request_id: &str, namespaces_created: u64) -> Value {
    let mut counts = Counts::default();
    counts.add(Metric::JwksRefetches, crate::verify::take_refetches());
    counts.add(Metric::NamespacesCreated, namespaces_created);
    match &result {
        Ok(login) => {
            counts.outcome(&login.outcome);
            counts.add(Metric::EmbedUrlsIssued, u64::from(login.embed.is_some()));
        }
        Err(SignupError::EmbedUnavailable { outcome, .. }) => {
            counts.outcome(outcome);
            counts.add(Metric::EmbedUrlsUnavailable, 1);
        }
        Err(e) => counts.add(e.metric(), 1),
    }
    counts.emit("oidc-signup");
    let error = match result {
        Ok(Login { outcome, embed }) => {
            tracing::info!(json.outcome = %Json(&outcome), embed_url_issued = embed.is_some(), "user provisioned");
            let mut body = serde_json::to_value(&outcome).unwrap_or_default();
            if let Some(embed) = embed {
                body["embed_url"] = json!(embed.url.expose());
                body["embed_url_expires_at"] = json!(embed.expires_at_rfc3339());
            }
            return answer(200, body);
        }
        Err(e) => e,
    };
    match error {
        SignupError::Token(reason) => {
            tracing::warn!(reason = %reason, "token refused");
            answer(401, json!({ "error": "token refused", "reason": reason.to_string() }))
        }
        SignupError::KeysUnavailable(why) => {
            tracing::error!(reason = %why, "the provider's keys are unavailable");
            answer(
                503,
                json!({ "error": "the identity provider's keys are unavailable; retry" }),
            )
        }
        SignupError::Claims(errors) => {
            tracing::warn!(json.errors = %Json(&errors), "claims QuickSight would refuse");
            answer(400, json!({ "error": "invalid claims", "errors": errors }))
        }
        SignupError::Request(errors) => {
            tracing::warn!(json.errors = %Json(&errors), "a request this deployment does not allow");
            answer(400, json!({ "error": "invalid request", "errors": errors }))
        }
        SignupError::LoginConflict { user } => {
            tracing::error!(user_name = %user, "sign-up for a user tied to a different external login; not moved");
            let body = json!({
                "error": "the QuickSight user exists and is tied to a different login",
                "user_name": user,
            });
            answer(409, body)
        }
        SignupError::UnknownTenant { tenant } => {
            tracing::warn!(tenant = %tenant, "sign-up for a tenant without a namespace; TENANT_CREATE_NAMESPACE is off");
            let body = json!({
                "error": "the tenant has no QuickSight namespace",
                "reason": "unknown_tenant",
                "tenant": tenant,
            });
            answer(403, body)
        }
        SignupError::TenantNotReady { namespace } => {
            tracing::warn!(namespace = %namespace, "the tenant's namespace is still being created");
            let body = json!({
                "error": "the tenant's QuickSight namespace is being created; retry",
                "reason": "namespace_not_ready",
            });
            retry_after(NAMESPACE_RETRY_AFTER, body)
        }
        SignupError::QuickSight(e) => {
            // The SDK's words stay at debug: answers and error lines carry stable fields only.
            tracing::error!(error = %e.summary(), retryable = e.is_transient(), request_id, "QuickSight failed");
            tracing::debug!(error = %e, "QuickSight's error");
            let body = json!({
                "error": "QuickSight failed; the request is safe to retry",
                "reason": "quicksight_failed",
                "detail": e.summary(),
                "retryable": e.is_transient(),
                "request_id": request_id,
            });
            answer(503, body)
        }
        SignupError::EmbedUnavailable { outcome, error } => {
            let cause = embed_cause(&error);
            tracing::error!(user_name = %outcome.user_name, cause, error = %error.summary(), request_id, "the user is provisioned; the embed URL is not");
            tracing::debug!(error = %error, "the embed call's error");
            let transient = error.is_transient();
            let mut body = serde_json::to_value(&outcome).unwrap_or_default();
            body["error"] = json!("the user is provisioned; the embed URL is not");
            body["reason"] = json!("embed_unavailable");
            body["cause"] = json!(cause);
            body["detail"] = json!(error.summary());
            body["retryable"] = json!(transient);
            body["request_id"] = json!(request_id);
            match transient {
                true => retry_after(EMBED_RETRY_AFTER, body),
                false => answer(503, body),
            }
        }
    }
}
