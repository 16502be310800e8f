//! One request: authenticated, routed to its resource, answered; logged and counted without the
//! token or the body.

use std::sync::Mutex;
use std::time::Duration;

use lambda_runtime::{Error, LambdaEvent};
use qs_engine::runtime::deadline_from_epoch_millis;
use qs_observe::metrics::{Counts, Metric};
use serde_json::Value;

use crate::error::{ScimError, ScimType};
use crate::http::{Request, answer, error_answer, header};
use crate::protocol::filter::Filter;
use crate::protocol::{Page, ResourceKind, discovery};
use crate::resource::Ctx;
use crate::{App, groups, users};

/// Time kept back from the invocation's deadline to answer in.
const ANSWER_MARGIN: Duration = Duration::from_millis(300);

pub async fn handle(app: &App, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let deadline = deadline_from_epoch_millis(event.context.deadline) - ANSWER_MARGIN;
    let (method, path) = (
        event
            .payload
            .pointer("/requestContext/http/method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_owned(),
        event
            .payload
            .get("rawPath")
            .and_then(Value::as_str)
            .unwrap_or("/")
            .to_owned(),
    );
    let counts = Mutex::new(Counts::default());
    let result = serve(app, &event.payload, deadline, &counts).await;
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
    payload: &Value,
    deadline: tokio::time::Instant,
    counts: &Mutex<Counts>,
) -> Result<Value, ScimError> {
    // The token first: without one, nothing about the request is answered, not even its path.
    let tenant = app.auth.check(header(payload, "authorization").as_deref()).await?;
    let request = Request::from_event(payload)?;
    let home = app
        .config
        .home(tenant.as_deref())
        .map_err(|e| ScimError::Internal(format!("the token's tenant cannot be served: {e}")))?;
    let ctx = Ctx {
        app,
        home,
        base: request.base.clone(),
        deadline,
        counts,
    };
    route(&ctx, &request).await
}

async fn route(ctx: &Ctx<'_>, request: &Request) -> Result<Value, ScimError> {
    let segments: Vec<&str> = request.segments.iter().map(String::as_str).collect();
    let method = request.method.as_str();
    let base = &ctx.base;
    let ok = |body: Value| Ok(answer(200, Some(&project(body, request)?), None));
    match (method, segments.as_slice()) {
        ("GET", ["ServiceProviderConfig"]) => ok(discovery::service_provider_config(base)),
        ("GET", ["ResourceTypes"]) => ok(discovery::resource_types_list(base)),
        ("GET", ["ResourceTypes", id]) => discovery::resource_types(base)
            .into_iter()
            .find(|r| r["id"] == *id)
            .map_or_else(|| Err(ScimError::NotFound(format!("ResourceType {id} not found"))), ok),
        ("GET", ["Schemas"]) => ok(discovery::schemas_list(base)),
        ("GET", ["Schemas", id]) => discovery::schemas(base)
            .into_iter()
            .find(|s| s["id"] == *id)
            .map_or_else(|| Err(ScimError::NotFound(format!("Schema {id} not found"))), ok),
        ("GET", ["Users"]) => {
            let (filter, page) = listing(ResourceKind::User, request)?;
            ok(users::list(ctx, filter.as_ref(), page).await?)
        }
        ("POST", ["Users"]) => created(users::create(ctx, &request.json()?).await?, request),
        ("GET", ["Users", id]) => ok(users::get(ctx, id).await?),
        ("PUT", ["Users", id]) => ok(users::replace(ctx, id, &request.json()?).await?),
        ("PATCH", ["Users", id]) => ok(users::patch(ctx, id, &request.json()?).await?),
        ("DELETE", ["Users", id]) => {
            users::delete(ctx, id).await?;
            Ok(answer(204, None, None))
        }
        ("GET", ["Groups"]) => {
            let (filter, page) = listing(ResourceKind::Group, request)?;
            ok(groups::list(ctx, filter.as_ref(), page, wants_members(request)).await?)
        }
        ("POST", ["Groups"]) => created(groups::create(ctx, &request.json()?).await?, request),
        ("GET", ["Groups", id]) => ok(groups::get(ctx, id, wants_members(request)).await?),
        ("PUT", ["Groups", id]) => ok(groups::replace(ctx, id, &request.json()?).await?),
        ("PATCH", ["Groups", id]) => ok(groups::patch(ctx, id, &request.json()?).await?),
        ("DELETE", ["Groups", id]) => {
            groups::delete(ctx, id).await?;
            Ok(answer(204, None, None))
        }
        (
            _,
            ["ServiceProviderConfig" | "ResourceTypes" | "Schemas", ..]
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

fn created(body: Value, request: &Request) -> Result<Value, ScimError> {
    let location = body
        .pointer("/meta/location")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(answer(201, Some(&project(body, request)?), location.as_deref()))
}

fn listing(kind: ResourceKind, request: &Request) -> Result<(Option<Filter>, Page), ScimError> {
    if request.param("sortBy").is_some() {
        return Err(ScimError::bad(
            ScimType::InvalidValue,
            "sortBy: sorting is not supported (ServiceProviderConfig says so)",
        ));
    }
    let filter = request
        .param("filter")
        .filter(|f| !f.trim().is_empty())
        .map(|f| Filter::parse(kind, f))
        .transpose()?;
    let page = Page::parse(request.param("startIndex"), request.param("count"))?;
    Ok((filter, page))
}

/// Whether the answer needs the group's members (one QuickSight read): not when excluded, or
/// when `attributes` names others only.
fn wants_members(request: &Request) -> bool {
    let names = |p: &str| {
        request
            .param(p)
            .map(|v| v.split(',').any(|a| a.trim().eq_ignore_ascii_case("members")))
    };
    !names("excludedAttributes").unwrap_or(false) && names("attributes").unwrap_or(true)
}

/// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5), on top-level attributes: `id` and
/// `schemas` are always returned. A list answer is projected resource by resource.
fn project(mut body: Value, request: &Request) -> Result<Value, ScimError> {
    let list = |p: &str| -> Option<Vec<String>> {
        request.param(p).map(|v| {
            v.split(',')
                .map(|a| {
                    let a = a.trim();
                    let a = a.rsplit_once(':').map_or(a, |(_, n)| n);
                    a.split('.').next().unwrap_or(a).to_ascii_lowercase()
                })
                .filter(|a| !a.is_empty())
                .collect()
        })
    };
    let (only, excluded) = (list("attributes"), list("excludedAttributes"));
    if only.is_none() && excluded.is_none() {
        return Ok(body);
    }
    let keep = |k: &str| {
        let k = k.to_ascii_lowercase();
        if matches!(k.as_str(), "id" | "schemas") {
            return true;
        }
        only.as_ref().is_none_or(|o| o.contains(&k)) && excluded.as_ref().is_none_or(|e| !e.contains(&k))
    };
    let one = |resource: &mut Value| {
        if let Some(object) = resource.as_object_mut() {
            object.retain(|k, _| keep(k));
        }
    };
    if let Some(resources) = body.get_mut("Resources").and_then(Value::as_array_mut) {
        resources.iter_mut().for_each(one);
    } else if body.get("id").is_some() {
        one(&mut body);
    }
    Ok(body)
}
