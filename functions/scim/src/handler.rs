//! One request: authenticated, routed to its resource, answered; logged and counted without the
//! token or the body.

use std::sync::Mutex;

use lambda_runtime::{Error, LambdaEvent};
use qs_engine::runtime::answer_deadline;
use qs_function_url::Request;
use qs_observe::metrics::{Counts, Metric};
use serde_json::Value;

use crate::error::{ScimError, ScimType};
use crate::http::{BASE_PATH, answer, error_answer};
use crate::protocol::projection::Projection;
use crate::protocol::query::Query;
use crate::protocol::{ResourceKind, discovery};
use crate::records::Ctx;
use crate::search::search;
use crate::{App, groups, users};

pub async fn handle(app: &App, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let deadline = answer_deadline(event.context.deadline);
    let request = Request::from_payload(&event.payload).unwrap_or_default();
    let (method, path) = (request.method.clone(), request.path.clone());
    let counts = Mutex::new(Counts::default());
    let result = serve(app, &request, deadline, &counts).await;
    let status = match &result {
        Ok(answer) => answer["statusCode"].as_u64().unwrap_or(200) as u16,
        Err(e) => e.status(),
    };
    let mut counts = counts.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    counts.add(Metric::ScimRequests, 1);
    counts.add(Metric::NamespacesCreated, app.engine.take_namespaces_created());
    counts.add(Metric::ScimRequestsUnauthorized, u64::from(status == 401));
    counts.add(
        Metric::ScimRequestsInvalid,
        u64::from((400..500).contains(&status) && status != 401 && status != 429),
    );
    counts.add(Metric::ScimRequestsFailed, u64::from(status >= 500 || status == 429));
    counts.emit("scim");
    match result {
        Ok(answer) => {
            tracing::info!(method, path, status, "answered");
            Ok(answer)
        }
        Err(error) => {
            match &error {
                ScimError::Internal(why) => tracing::error!(method, path, status, error = %why, "failed"),
                ScimError::Unavailable { detail, .. } => {
                    tracing::warn!(method, path, status, error = %detail, "unavailable")
                }
                ScimError::Unauthorized => tracing::warn!(method, path, status, "no valid bearer token"),
                other => tracing::info!(method, path, status, error = %other, "refused"),
            }
            Ok(error_answer(&error))
        }
    }
}

async fn serve(
    app: &App,
    request: &Request,
    deadline: tokio::time::Instant,
    counts: &Mutex<Counts>,
) -> Result<Value, ScimError> {
    // The token first: without one, nothing about the request is answered, not even its path.
    let tenant = app.auth.check(request.bearer()).await?;
    let home = app
        .config
        .home(tenant.as_deref())
        .map_err(|e| ScimError::Internal(format!("the token's tenant cannot be served: {e}")))?;
    let host = request.host.as_deref().unwrap_or("localhost");
    let ctx = Ctx {
        app,
        home,
        base: format!("https://{host}{BASE_PATH}"),
        deadline,
        counts,
    };
    route(&ctx, request).await
}

async fn route(ctx: &Ctx<'_>, request: &Request) -> Result<Value, ScimError> {
    let segments = request
        .segments_under(BASE_PATH)
        .ok_or_else(|| ScimError::NotFound(format!("{} is not under {BASE_PATH}", request.path)))?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = request.method.as_str();
    let base = &ctx.base;
    let query = || Query::from_params(|name| request.param(name));
    let ok = |body: Value, kind: Option<ResourceKind>| -> Result<Value, ScimError> {
        let body = match kind {
            Some(kind) => projected(kind, body, &query()?),
            None => body,
        };
        Ok(answer(200, Some(&body), None))
    };
    use ResourceKind::{Group, User};
    match (method, segments.as_slice()) {
        ("GET", ["ServiceProviderConfig"]) => ok(discovery::service_provider_config(base), None),
        ("GET", ["ResourceTypes"]) => ok(discovery::resource_types_list(base), None),
        ("GET", ["ResourceTypes", id]) => discovery::resource_types(base)
            .into_iter()
            .find(|r| r["id"] == *id)
            .map_or_else(
                || Err(ScimError::NotFound(format!("ResourceType {id} not found"))),
                |r| ok(r, None),
            ),
        ("GET", ["Schemas"]) => ok(discovery::schemas_list(base), None),
        ("GET", ["Schemas", id]) => discovery::schemas(base)
            .into_iter()
            .find(|s| s["id"] == *id)
            .map_or_else(
                || Err(ScimError::NotFound(format!("Schema {id} not found"))),
                |s| ok(s, None),
            ),
        ("GET", []) => ok(search(ctx, &ResourceKind::ALL, &query()?).await?, None),
        ("POST", [".search"]) => ok(
            search(ctx, &ResourceKind::ALL, &Query::from_search(&json(request)?)?).await?,
            None,
        ),
        ("GET", ["Users"]) => ok(search(ctx, &[User], &query()?).await?, None),
        ("POST", ["Users", ".search"]) => ok(search(ctx, &[User], &Query::from_search(&json(request)?)?).await?, None),
        ("POST", ["Users"]) => created(User, users::create(ctx, &json(request)?).await?, &query()?),
        ("GET", ["Users", id]) => ok(users::get(ctx, id).await?, Some(User)),
        ("PUT", ["Users", id]) => ok(users::replace(ctx, id, &json(request)?).await?, Some(User)),
        ("PATCH", ["Users", id]) => ok(users::patch(ctx, id, &json(request)?).await?, Some(User)),
        ("DELETE", ["Users", id]) => {
            users::delete(ctx, id).await?;
            Ok(answer(204, None, None))
        }
        ("GET", ["Groups"]) => ok(search(ctx, &[Group], &query()?).await?, None),
        ("POST", ["Groups", ".search"]) => ok(
            search(ctx, &[Group], &Query::from_search(&json(request)?)?).await?,
            None,
        ),
        ("POST", ["Groups"]) => created(Group, groups::create(ctx, &json(request)?).await?, &query()?),
        ("GET", ["Groups", id]) => {
            let members = Projection::new(Group, &query()?).wants("members");
            ok(groups::get(ctx, id, members).await?, Some(Group))
        }
        ("PUT", ["Groups", id]) => ok(groups::replace(ctx, id, &json(request)?).await?, Some(Group)),
        ("PATCH", ["Groups", id]) => ok(groups::patch(ctx, id, &json(request)?).await?, Some(Group)),
        ("DELETE", ["Groups", id]) => {
            groups::delete(ctx, id).await?;
            Ok(answer(204, None, None))
        }
        (
            _,
            ["ServiceProviderConfig" | "ResourceTypes" | "Schemas", ..]
            | []
            | [".search"]
            | ["Users" | "Groups"]
            | ["Users" | "Groups", _],
        ) => Err(ScimError::MethodNotAllowed(format!(
            "{method} is not supported on /{}",
            segments.join("/")
        ))),
        _ => Err(ScimError::NotFound(format!(
            "/{} is not a SCIM endpoint of this service",
            segments.join("/")
        ))),
    }
}

fn projected(kind: ResourceKind, mut body: Value, query: &Query) -> Value {
    Projection::new(kind, query).apply(&mut body);
    body
}

fn created(kind: ResourceKind, body: Value, query: &Query) -> Result<Value, ScimError> {
    let location = body
        .pointer("/meta/location")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(answer(201, Some(&projected(kind, body, query)), location.as_deref()))
}

/// The body as a JSON object.
fn json(request: &Request) -> Result<Value, ScimError> {
    let body = request
        .body()
        .map_err(|e| ScimError::bad(ScimType::InvalidSyntax, e.to_string()))?
        .filter(|b| !b.trim().is_empty())
        .ok_or_else(|| ScimError::bad(ScimType::InvalidSyntax, "the request needs a JSON body"))?;
    let value: Value = serde_json::from_str(&body)
        .map_err(|e| ScimError::bad(ScimType::InvalidSyntax, format!("the body is not JSON: {e}")))?;
    if !value.is_object() {
        return Err(ScimError::bad(
            ScimType::InvalidSyntax,
            "the body must be a JSON object",
        ));
    }
    Ok(value)
}
