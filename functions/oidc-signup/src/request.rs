//! What a login request carries: the ID token, and optionally the dashboard to embed. A request
//! comes through a function URL (or an HTTP API) or as a direct invocation (`{"id_token": …}`).

use qs_function_url::Request;
use qs_model::validate::FieldError;
use serde_json::Value;

/// The bearer token of a function URL / HTTP API request (`request`, read from `payload` once by
/// the caller), or `id_token` of a direct invocation.
pub fn token<'a>(payload: &'a Value, request: Option<&'a Request>) -> Option<&'a str> {
    payload["id_token"].as_str().or_else(|| request?.bearer())
}

/// `dashboard_id` of the request: a member of a direct invocation, or of the JSON body of a
/// function URL / HTTP API request. No body, no dashboard.
pub fn dashboard_id(payload: &Value, request: Option<&Request>) -> Result<Option<String>, FieldError> {
    let parsed;
    let body = match request {
        Some(request) => {
            let text = request
                .body()
                .map_err(|e| FieldError::new("body", format!("must be UTF-8 JSON ({e})"), "(not shown)"))?
                .unwrap_or_default();
            if text.trim().is_empty() {
                return Ok(None);
            }
            parsed = serde_json::from_str::<Value>(&text)
                .ok()
                .filter(Value::is_object)
                .ok_or_else(|| {
                    FieldError::new(
                        "body",
                        "must be a JSON object such as {\"dashboard_id\": \"...\"}",
                        &text,
                    )
                })?;
            &parsed
        }
        None => payload,
    };
    match &body["dashboard_id"] {
        Value::Null => Ok(None),
        Value::String(id) => Ok(Some(id.clone())),
        other => Err(FieldError::new("dashboard_id", "must be a string", &other.to_string())),
    }
}
