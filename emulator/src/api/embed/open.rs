//! Opening an embed URL: `GET /embed/<session>/<path>` and `/embedding/<session>/<path>`, as a
//! browser (the experience's page) or any other client (the session as JSON), once.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::shape::Shape;
use super::{Opened, pages};
use crate::Emulator;

#[derive(Debug, Deserialize)]
pub struct SessionPath {
    session: String,
    rest: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeQuery {
    code: Option<String>,
}

/// `GET /embed/<session>/<experience path>` (and `/embed/<session>/embedControl`, the SDK's control
/// frame).
pub async fn open_embed(
    State(emu): State<Arc<Emulator>>,
    Path(path): Path<SessionPath>,
    Query(query): Query<CodeQuery>,
    headers: HeaderMap,
) -> Response {
    if path.rest == "embedControl" {
        return pages::control();
    }
    open(&emu, "embed", path, query, &headers)
}

/// `GET /embedding/<session>/<experience path>`: the console and Q experiences.
pub async fn open_embedding(
    State(emu): State<Arc<Emulator>>,
    Path(path): Path<SessionPath>,
    Query(query): Query<CodeQuery>,
    headers: HeaderMap,
) -> Response {
    open(&emu, "embedding", path, query, &headers)
}

/// The session an embed URL opens, the first time within its validity and for its own path and
/// code; after that QuickSight's "used or expired" (401 as JSON, `Forbidden` to a browser).
fn open(emu: &Emulator, prefix: &str, path: SessionPath, query: CodeQuery, headers: &HeaderMap) -> Response {
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let asked = Shape::parse(prefix, &path.rest);
    let opened = match &asked {
        Some(shape) => emu.embeds.open(&path.session, shape, query.code.as_deref()),
        None => Opened::Unknown,
    };
    match (opened, browser) {
        (Opened::Fresh(issued), false) => axum::Json(json!({
            "user": issued.user,
            "experience": issued.experience,
            "session_lifetime_minutes": issued.session_lifetime_minutes,
            "allowed_domains": issued.allowed_domains,
        }))
        .into_response(),
        (Opened::Fresh(issued), true) => {
            let what = describe(&issued.shape);
            let user = issued.user["UserName"].as_str().unwrap_or_default();
            pages::experience(&issued.shape.event_target(), &what, user, &issued.allowed_domains)
        }
        (_, false) => (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "error": "this embed URL was redeemed already, has expired, or was never issued" })),
        )
            .into_response(),
        (Opened::Spent(shape, domains), true) => pages::forbidden(&shape.event_target(), Some(&domains)),
        (Opened::Unknown, true) => {
            let target = asked.map_or(json!({}), |s| s.event_target());
            pages::forbidden(&target, None)
        }
    }
}

/// What the placeholder says it stands for.
fn describe(shape: &Shape) -> String {
    match shape {
        Shape::Dashboard { dashboard } => format!("Dashboard {dashboard}"),
        Shape::Visual {
            dashboard,
            sheet,
            visual,
        } => format!("Visual {visual} of sheet {sheet}, dashboard {dashboard}"),
        Shape::Console { path } => format!("QuickSight console at {path}"),
        Shape::QSearch { generative: false } => "Q search bar".to_owned(),
        Shape::QSearch { generative: true } => "Generative Q&A".to_owned(),
    }
}
