//! A function URL's (or an HTTP API's, payload 2.0) request in, the SCIM answer out.

use base64::Engine as _;
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};

use crate::error::{ScimError, ScimType};

pub const BASE_PATH: &str = "/scim/v2";
const CONTENT_TYPE: &str = "application/scim+json";

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path below [`BASE_PATH`], split at `/` (`["Users", "<id>"]`).
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: Option<String>,
    /// `https://<host>/scim/v2`: where `meta.location` points.
    pub base: String,
}

impl Request {
    pub fn from_event(event: &Value) -> Result<Self, ScimError> {
        let method = event
            .pointer("/requestContext/http/method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_ascii_uppercase();
        let path = event.get("rawPath").and_then(Value::as_str).unwrap_or("/");
        let header = |name: &str| header(event, name);
        let host = header("host")
            .or_else(|| {
                event
                    .pointer("/requestContext/domainName")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "localhost".into());
        let rest = path
            .strip_prefix(BASE_PATH)
            .filter(|r| r.is_empty() || r.starts_with('/'))
            .ok_or_else(|| ScimError::NotFound(format!("{path} is not under {BASE_PATH}")))?;
        let segments = rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let query = event
            .get("rawQueryString")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(k), decode(v))
            })
            .collect();
        let body = match event.get("body").and_then(Value::as_str) {
            Some(b) if event.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map_err(|_| ScimError::bad(ScimType::InvalidSyntax, "the body is not valid base64"))?;
                Some(
                    String::from_utf8(bytes)
                        .map_err(|_| ScimError::bad(ScimType::InvalidSyntax, "the body is not UTF-8"))?,
                )
            }
            Some(b) => Some(b.to_owned()),
            None => None,
        };
        Ok(Self {
            method,
            segments,
            query,
            body,
            base: format!("https://{host}{BASE_PATH}"),
        })
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as a JSON object.
    pub fn json(&self) -> Result<Value, ScimError> {
        let body = self
            .body
            .as_deref()
            .filter(|b| !b.trim().is_empty())
            .ok_or_else(|| ScimError::bad(ScimType::InvalidSyntax, "the request needs a JSON body"))?;
        let value: Value = serde_json::from_str(body)
            .map_err(|e| ScimError::bad(ScimType::InvalidSyntax, format!("the body is not JSON: {e}")))?;
        if !value.is_object() {
            return Err(ScimError::bad(
                ScimType::InvalidSyntax,
                "the body must be a JSON object",
            ));
        }
        Ok(value)
    }
}

/// A request header, found without regard to case.
pub fn header(event: &Value, name: &str) -> Option<String> {
    event
        .get("headers")
        .and_then(Value::as_object)
        .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .and_then(|(_, v)| v.as_str())
        .map(str::to_owned)
}

/// Query values: `%XX` decoded, `+` a space (as form encoding, which some clients use).
fn decode(v: &str) -> String {
    percent_decode_str(&v.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// A successful answer.
pub fn answer(status: u16, body: Option<&Value>, location: Option<&str>) -> Value {
    let mut headers = json!({ "content-type": CONTENT_TYPE, "cache-control": "no-store" });
    if let Some(location) = location {
        headers["location"] = json!(location);
    }
    json!({
        "statusCode": status,
        "headers": headers,
        "body": body.map(Value::to_string).unwrap_or_default(),
    })
}

/// The error's answer: its status, its SCIM error body, `Retry-After` when the client may repeat
/// it; a 401 with `WWW-Authenticate` and nothing else.
pub fn error_answer(error: &ScimError) -> Value {
    let mut answer = answer(error.status(), error.body().as_ref(), None);
    if let Some(seconds) = error.retry_after() {
        answer["headers"]["retry-after"] = json!(seconds.to_string());
    }
    if matches!(error, ScimError::Unauthorized) {
        answer["headers"] = json!({ "www-authenticate": "Bearer", "cache-control": "no-store" });
    }
    answer
}
