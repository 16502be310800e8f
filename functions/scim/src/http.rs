//! SCIM's answers as function URL responses: `application/scim+json`, a `Location` for what was
//! created, the error resource of RFC 7644 §3.12 with `Retry-After` when the client may repeat.

use qs_function_url::Response;
use serde_json::Value;

use crate::error::ScimError;

pub const BASE_PATH: &str = "/scim/v2";
const CONTENT_TYPE: &str = "application/scim+json";

/// A successful answer.
pub fn answer(status: u16, body: Option<&Value>, location: Option<&str>) -> Value {
    let response = Response::json(status, CONTENT_TYPE, body);
    match location {
        Some(location) => response.header("location", location),
        None => response,
    }
    .into_payload()
}

/// The error's answer: its status, its SCIM error body, `Retry-After` when the client may repeat
/// it; a 401 with `WWW-Authenticate` and nothing else.
pub fn error_answer(error: &ScimError) -> Value {
    let mut response = Response::json(error.status(), CONTENT_TYPE, error.body().as_ref());
    if let Some(seconds) = error.retry_after() {
        response = response.header("retry-after", seconds.to_string());
    }
    if matches!(error, ScimError::Unauthorized) {
        response = response
            .without_header("content-type")
            .header("www-authenticate", "Bearer");
    }
    response.into_payload()
}
