//! The REST-JSON wire format: JSON bodies, the HTTP status as `Status`, errors with the
//! `x-amzn-ErrorType` header the SDKs read.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

pub fn request_id() -> String {
    let n = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// A QuickSight error, by its modeled name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub resource_type: Option<&'static str>,
}

impl ApiError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).expect("valid status"),
            code,
            message: message.into(),
            resource_type: None,
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidParameterValueException", message)
    }
    pub fn not_found(resource_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            resource_type: Some(resource_type),
            ..Self::new(404, "ResourceNotFoundException", message)
        }
    }
    /// A 404 whose resource type the model's enum does not have (a custom permissions profile).
    pub fn not_found_untyped(message: impl Into<String>) -> Self {
        Self::new(404, "ResourceNotFoundException", message)
    }
    /// Updating or deleting would leave an inconsistent state (a profile still applied).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "ConflictException", message)
    }
    pub fn exists_untyped(message: impl Into<String>) -> Self {
        Self::new(409, "ResourceExistsException", message)
    }
    pub fn exists(resource_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            resource_type: Some(resource_type),
            ..Self::new(409, "ResourceExistsException", message)
        }
    }
    pub fn limit(message: impl Into<String>) -> Self {
        Self::new(409, "LimitExceededException", message)
    }
    /// A namespace not `CREATED` yet (or being deleted): 503, which clients retry.
    pub fn not_ready(message: impl Into<String>) -> Self {
        Self::new(503, "ResourceUnavailableException", message)
    }
    /// GenerateEmbedUrlForRegisteredUser's answer for a user ARN that names no user.
    pub fn user_not_found(message: impl Into<String>) -> Self {
        Self::new(404, "QuickSightUserNotFoundException", message)
    }
    pub fn session_lifetime(message: impl Into<String>) -> Self {
        Self::new(400, "SessionLifetimeInMinutesInvalidException", message)
    }
    pub fn bad_token() -> Self {
        Self::new(400, "InvalidNextTokenException", "The NextToken is not valid.")
    }
    pub fn access_denied() -> Self {
        Self::new(
            401,
            "AccessDeniedException",
            "Missing Authentication Token: requests must be signed with SigV4.",
        )
    }
    /// QuickSight's answer to user management called outside the identity region, word for word as
    /// reported (docs/quicksight-facts.md).
    pub fn wrong_region(called: &str, identity: &str) -> Self {
        Self::new(
            401,
            "AccessDeniedException",
            format!(
                "Operation is being called from endpoint {called}, but your identity region is {identity}. Please use the {identity} endpoint."
            ),
        )
    }
    /// A user or group write in an account whose identities a directory manages (reported for
    /// IAM Identity Center: data-dot-all issue 1408).
    pub fn directory_managed(directory: &str) -> Self {
        Self::new(
            401,
            "AccessDeniedException",
            format!("Operation is disabled for identities managed by {directory}"),
        )
    }

    pub fn throttled() -> Self {
        Self::new(429, "ThrottlingException", "Rate exceeded")
    }
    pub fn internal() -> Self {
        Self::new(
            500,
            "InternalFailureException",
            "An internal failure occurred (injected by --fail-rate).",
        )
    }
    pub fn unavailable() -> Self {
        Self::new(
            503,
            "ResourceUnavailableException",
            "The service is unavailable (injected by --fail-rate).",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let id = request_id();
        let mut body = json!({ "Message": self.message, "RequestId": id });
        if let Some(t) = self.resource_type {
            body["ResourceType"] = json!(t);
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert("x-amzn-ErrorType", HeaderValue::from_static(self.code));
        headers.insert("x-amzn-RequestId", HeaderValue::from_str(&id).expect("ascii id"));
        response
    }
}

/// A success: `body` plus `RequestId`, with `status` as the HTTP status.
pub fn ok(status: u16, mut body: Value) -> Response {
    let id = request_id();
    if let Value::Object(map) = &mut body {
        // Absent optional members (a last page's NextToken) are left out, as the service does.
        map.retain(|_, v| !v.is_null());
    }
    body["RequestId"] = json!(id);
    let mut response = (StatusCode::from_u16(status).expect("valid status"), axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert("x-amzn-RequestId", HeaderValue::from_str(&id).expect("ascii id"));
    response
}

pub type ApiResult = Result<Response, ApiError>;
