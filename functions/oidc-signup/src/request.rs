//! What a login request carries: the ID token, and optionally the dashboard to embed.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qs_model::validate::FieldError;
use serde_json::Value;

/// The bearer token of a function URL / HTTP API request, or `id_token` of a direct invocation.
pub fn token(payload: &Value) -> Option<&str> {
    if let Some(t) = payload["id_token"].as_str() {
        return Some(t);
    }
    let headers = payload["headers"].as_object()?;
    let value = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))?
        .1
        .as_str()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

/// `dashboard_id` of the request: a member of a direct invocation, or of the JSON body of a
/// function URL / HTTP API request (base64 when `isBase64Encoded`). No body, no dashboard.
pub fn dashboard_id(payload: &Value) -> Result<Option<String>, FieldError> {
    let parsed;
    let body = match &payload["body"] {
        Value::String(body) if payload.get("headers").is_some() => {
            let decoded;
            let text = if payload["isBase64Encoded"] == true {
                decoded = STANDARD
                    .decode(body)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(|| FieldError::new("body", "must be base64 of UTF-8 JSON", "(not shown)"))?;
                &decoded
            } else {
                body
            };
            if text.trim().is_empty() {
                return Ok(None);
            }
            parsed = serde_json::from_str::<Value>(text)
                .ok()
                .filter(Value::is_object)
                .ok_or_else(|| {
                    FieldError::new(
                        "body",
                        "must be a JSON object such as {\"dashboard_id\": \"...\"}",
                        text,
                    )
                })?;
            &parsed
        }
        _ => payload,
    };
    match &body["dashboard_id"] {
        Value::Null => Ok(None),
        Value::String(id) => Ok(Some(id.clone())),
        other => Err(FieldError::new("dashboard_id", "must be a string", &other.to_string())),
    }
}
