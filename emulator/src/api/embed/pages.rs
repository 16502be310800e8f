//! The pages a browser gets from an embed URL: the experience (a placeholder that reports to the
//! embedding page as QuickSight's does), the used-or-expired answer, and the SDK's control frame.
//! They post the SDK's events to the parent: `EXPERIENCE_INITIALIZED` and `CONTENT_LOADED`, or
//! `ERROR_OCCURRED` with `errorCode: "Forbidden"`. What the pages contain beyond the events is the
//! emulator's own (docs/quicksight-facts.md).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Reads the SDK's query parameters (`contextId`, `discriminator`, `punyCodeEmbedOrigin`) and
/// posts `EVENTS` to the embedding page's origin. `punyCodeEmbedOrigin` is punycode of
/// `<origin>/`: for an ASCII origin, the origin, '/' and the delimiter '-'. Any other origin gets
/// no event (the emulator does not decode punycode).
const REPORTER: &str = r#"
const query = new URLSearchParams(location.search);
const puny = query.get('punyCodeEmbedOrigin') || '';
const origin = /^[\x20-\x7e]+\/-$/.test(puny) ? puny.slice(0, -2) : null;
const target = Object.assign({}, EXPERIENCE.target, {
  contextId: query.get('contextId'),
  discriminator: Number(query.get('discriminator') || 0),
});
for (const [eventName, message] of EVENTS) {
  if (origin) window.parent.postMessage({ eventName, eventTarget: target, message }, origin);
}
"#;

/// JSON as a script literal: no `</script>` or `<!--` can end the script early.
fn script_json(value: &Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

fn html(status: StatusCode, frame_ancestors: Option<&[String]>, title: &str, body: &str, script: &str) -> Response {
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;margin:0;padding:1em;background:#f4f6f8}}\
         .placeholder{{border:2px dashed #8a9ba8;border-radius:8px;padding:2em;text-align:center}}</style>\
         </head><body>{body}<script>{script}</script></body></html>"
    );
    let mut response = (status, page).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(domains) = frame_ancestors {
        let sources = if domains.is_empty() {
            "'none'".to_owned()
        } else {
            domains.join(" ")
        };
        if let Ok(value) = HeaderValue::from_str(&format!("frame-ancestors {sources}")) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    response
}

/// Text for an HTML body: escaped.
fn text(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The experience, first load: a placeholder naming what QuickSight would show, and the events
/// of content that loaded. Framed only by `allowed_domains` (none: by no page).
pub fn experience(target: &Value, what: &str, user: &str, allowed_domains: &[String]) -> Response {
    let experience = json!({ "target": target });
    let script = format!(
        "const EXPERIENCE = {};\nconst EVENTS = [['EXPERIENCE_INITIALIZED', {{}}], ['CONTENT_LOADED', {{ title: {} }}]];\n{REPORTER}",
        script_json(&experience),
        script_json(&json!(what)),
    );
    let body = format!(
        "<div class=\"placeholder\" id=\"quicksight-local-experience\"><h1>{}</h1><p>for {}</p>\
         <p>quicksight-local: a placeholder where QuickSight shows the experience</p></div>",
        text(what),
        text(user)
    );
    html(StatusCode::OK, Some(allowed_domains), what, &body, &script)
}

/// A code used before, expired or never issued: QuickSight's `Forbidden`.
pub fn forbidden(target: &Value, allowed_domains: Option<&[String]>) -> Response {
    let experience = json!({ "target": target });
    let script = format!(
        "const EXPERIENCE = {};\nconst EVENTS = [['ERROR_OCCURRED', {{ errorCode: 'Forbidden' }}]];\n{REPORTER}",
        script_json(&experience)
    );
    let body = "<div class=\"placeholder\"><h1>Forbidden</h1>\
                <p>This embed URL was used already, has expired, or was never issued.</p></div>";
    html(StatusCode::FORBIDDEN, allowed_domains, "Forbidden", body, &script)
}

/// The SDK's hidden control frame (`/embed/<session>/embedControl`): it answers each message the
/// SDK sends it with a plain success, so a call the emulator does not implement ends at once
/// rather than after the SDK's time-out.
pub fn control() -> Response {
    let script = r#"
window.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.eventId && data.eventName !== 'ACKNOWLEDGE' && event.source) {
    event.source.postMessage({ eventId: data.eventId, message: { success: true } }, event.origin);
  }
});
"#;
    html(StatusCode::OK, None, "quicksight-local control", "", script)
}
