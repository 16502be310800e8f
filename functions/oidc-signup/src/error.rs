//! Why a sign-up was not provisioned, mapped to the HTTP answer and its log line in one place.

use qs_engine::{EngineError, Outcome};
use qs_model::user::Refusal;
use qs_model::validate::ValidationErrors;
use qs_observe::logging::Json;
use qs_observe::metrics::{Counts, Metric};
use serde_json::{Value, json};

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

/// An HTTP answer in the shape function URLs and HTTP APIs (payload v2) expect.
fn answer(status: u16, body: Value) -> Value {
    json!({ "statusCode": status, "headers": { "content-type": "application/json" }, "body": body.to_string() })
}

/// A 503 the client may repeat after `Retry-After` seconds.
fn retry_after(seconds: &str, body: Value) -> Value {
    let mut answer = answer(503, body);
    answer["headers"]["retry-after"] = json!(seconds);
    answer
}

/// 200 with the outcome, or the error's status and body; logged either way.
pub fn respond(result: Result<Outcome, SignupError>) -> Value {
    let mut counts = Counts::default();
    counts.add(Metric::JwksRefetches, crate::verify::take_refetches());
    match &result {
        Ok(outcome) => counts.outcome(outcome),
        Err(e) => counts.add(e.metric(), 1),
    }
    counts.emit("oidc-signup");
    let error = match result {
        Ok(outcome) => {
            tracing::info!(json.outcome = %Json(&outcome), "user provisioned");
            return answer(200, serde_json::to_value(&outcome).unwrap_or_default());
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
            tracing::error!(error = %e, "QuickSight failed");
            let body = json!({
                "error": "QuickSight failed; the request is safe to retry",
                "detail": e.to_string(),
                "retryable": e.is_transient(),
            });
            answer(503, body)
        }
    }
}
