//! A function URL's (or an HTTP API's, payload 2.0) request, read once into [`Request`], and the
//! answer as [`Response`]: what the functions behind a URL (`scim`, `oidc-signup`) share, so that
//! neither reads the payload by hand.

use std::collections::BTreeMap;

use base64::Engine as _;
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use serde_json::{Value, json};

/// The payload as the Lambda service sends it; every member optional, so that a request is read
/// whatever it leaves out.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Payload {
    raw_path: Option<String>,
    raw_query_string: Option<String>,
    headers: BTreeMap<String, Value>,
    body: Option<String>,
    is_base64_encoded: bool,
    request_context: Context,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Context {
    domain_name: Option<String>,
    http: Http,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Http {
    method: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the body is not valid base64")]
    Base64,
    #[error("the body is not UTF-8")]
    Utf8,
}

#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Upper case; `GET` when the payload says none.
    pub method: String,
    /// As sent (`%XX` still encoded): [`Request::segments_under`] decodes it.
    pub path: String,
    /// The query string's pairs, decoded (`+` is a space, as form encoding, which some clients use).
    pub query: Vec<(String, String)>,
    /// Names lower-cased.
    headers: BTreeMap<String, String>,
    body: Option<String>,
    base64: bool,
    /// The `Host` header, else the request context's domain name.
    pub host: Option<String>,
}

impl Request {
    /// The request of an HTTP payload; `None` for a payload that is not one (no `headers`: a
    /// direct invocation).
    pub fn from_payload(payload: &Value) -> Option<Self> {
        payload.get("headers")?;
        // Read from the payload in place: a body is not copied to be read.
        let payload = Payload::deserialize(payload).unwrap_or_default();
        let headers: BTreeMap<String, String> = payload
            .headers
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.to_ascii_lowercase(), v.to_owned())))
            .collect();
        let host = headers.get("host").cloned().or(payload.request_context.domain_name);
        let query = payload
            .raw_query_string
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(k), decode(v))
            })
            .collect();
        Some(Self {
            method: payload
                .request_context
                .http
                .method
                .unwrap_or_else(|| "GET".into())
                .to_ascii_uppercase(),
            path: payload.raw_path.unwrap_or_else(|| "/".into()),
            query,
            headers,
            body: payload.body,
            base64: payload.is_base64_encoded,
            host,
        })
    }

    /// A header, by a name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// The token of `Authorization: Bearer <token>` (the scheme in any case, RFC 6750 §2.1).
    pub fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    }

    /// A query parameter, by a name in any case.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (base64 decoded when the payload says so); `None` when there is none.
    pub fn body(&self) -> Result<Option<String>, BodyError> {
        let Some(body) = &self.body else { return Ok(None) };
        if !self.base64 {
            return Ok(Some(body.clone()));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| BodyError::Base64)?;
        String::from_utf8(bytes).map(Some).map_err(|_| BodyError::Utf8)
    }

    /// The path below `base`, split at `/` and each segment decoded; `None` outside `base`.
    pub fn segments_under(&self, base: &str) -> Option<Vec<String>> {
        let rest = self
            .path
            .strip_prefix(base)
            .filter(|r| r.is_empty() || r.starts_with('/'))?;
        Some(
            rest.split('/')
                .filter(|s| !s.is_empty())
                .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
                .collect(),
        )
    }
}

fn decode(v: &str) -> String {
    percent_decode_str(&v.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// An answer: status, headers, a text body.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

impl Response {
    /// `body` as JSON of `content_type`, never cached (answers carry users and tokens).
    pub fn json(status: u16, content_type: &str, body: Option<&Value>) -> Self {
        Self {
            status,
            headers: BTreeMap::from([
                ("content-type".into(), content_type.into()),
                ("cache-control".into(), "no-store".into()),
            ]),
            body: body.map(Value::to_string).unwrap_or_default(),
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.insert(name.to_ascii_lowercase(), value.into());
        self
    }

    pub fn without_header(mut self, name: &str) -> Self {
        self.headers.remove(&name.to_ascii_lowercase());
        self
    }

    /// The payload the Lambda service turns into the HTTP answer.
    pub fn into_payload(self) -> Value {
        json!({ "statusCode": self.status, "headers": self.headers, "body": self.body })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{BodyError, Request, Response};

    #[test]
    fn a_function_url_payload_reads_as_its_request() {
        let payload = json!({
            "version": "2.0",
            "rawPath": "/scim/v2/Users/a%2Fb",
            "rawQueryString": "filter=userName+eq+%22x%22&COUNT=2",
            "headers": { "Host": "h.example", "Authorization": "bearer  abc " },
            "requestContext": { "http": { "method": "patch" }, "domainName": "d.example", "timeEpoch": 1 },
            "body": "eyJhIjoxfQ==",
            "isBase64Encoded": true
        });
        let request = Request::from_payload(&payload).unwrap();
        assert_eq!(request.method, "PATCH");
        assert_eq!(request.host.as_deref(), Some("h.example"));
        assert_eq!(request.bearer(), Some("abc"));
        assert_eq!(request.param("count"), Some("2"));
        assert_eq!(request.param("filter"), Some("userName eq \"x\""));
        assert_eq!(request.body().unwrap().as_deref(), Some("{\"a\":1}"));
        assert_eq!(
            request.segments_under("/scim/v2"),
            Some(vec!["Users".to_owned(), "a/b".to_owned()])
        );
        assert_eq!(request.segments_under("/scim/v3"), None);
    }

    #[test]
    fn what_is_not_a_request_or_not_a_body_says_so() {
        assert!(Request::from_payload(&json!({ "id_token": "t" })).is_none());
        let bad = json!({ "headers": {}, "body": "%%%", "isBase64Encoded": true });
        assert_eq!(Request::from_payload(&bad).unwrap().body(), Err(BodyError::Base64));
        let minimal = Request::from_payload(&json!({ "headers": {} })).unwrap();
        assert_eq!((minimal.method.as_str(), minimal.path.as_str()), ("GET", "/"));
        assert_eq!(minimal.bearer(), None);
        for authorization in ["Basic abc", "abc", "Bearer"] {
            let other = Request::from_payload(&json!({ "headers": { "authorization": authorization } })).unwrap();
            assert_eq!(other.bearer(), None, "{authorization}");
        }
    }

    #[test]
    fn a_response_is_the_payload_lambda_answers_with() {
        let answer = Response::json(201, "application/scim+json", Some(&json!({ "id": "1" })))
            .header("Location", "https://x/1")
            .into_payload();
        assert_eq!(answer["statusCode"], 201);
        assert_eq!(answer["headers"]["location"], "https://x/1");
        assert_eq!(answer["headers"]["cache-control"], "no-store");
        assert_eq!(answer["body"], "{\"id\":\"1\"}");
    }
}
