//! From the request to a provisioned user: token in, outcome out, as an HTTP answer.

use std::time::Duration;

use lambda_runtime::{Error, LambdaEvent};
use qs_provision::runtime::deadline_from_epoch_millis;
use qs_provision::signup::SignupUser;
use serde_json::{Value, json};

use crate::App;
use crate::verify::Rejected;

const ANSWER_MARGIN: Duration = Duration::from_millis(300);

/// An HTTP answer in the shape function URLs and HTTP APIs (payload v2) expect.
fn answer(status: u16, body: Value) -> Value {
    json!({ "statusCode": status, "headers": { "content-type": "application/json" }, "body": body.to_string() })
}

/// The bearer token of a function URL / HTTP API request, or `id_token` of a direct invocation.
fn token(payload: &Value) -> Option<&str> {
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

fn groups(claims: &Value, claim: &str) -> Vec<String> {
    match &claims[claim] {
        Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Value::String(s) => s
            .split(',')
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

pub async fn handle(app: &App, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let claims = match token(&event.payload) {
        None => Err(Rejected::Missing),
        Some(t) => app.verifier.verify(t).await,
    };
    let claims = match claims {
        Ok(claims) => claims,
        Err(Rejected::KeysUnavailable(why)) => {
            tracing::error!(reason = %why, "the provider's keys are unavailable");
            return Ok(answer(
                503,
                json!({ "error": "the identity provider's keys are unavailable; retry" }),
            ));
        }
        Err(reason) => {
            tracing::warn!(reason = %reason, "token refused");
            return Ok(answer(
                401,
                json!({ "error": "token refused", "reason": reason.to_string() }),
            ));
        }
    };
    if claims["email_verified"] == json!(false) || claims["email_verified"] == json!("false") {
        return Ok(answer(
            400,
            json!({ "error": "invalid claims", "errors": [{ "field": "email_verified", "rule": "the e-mail must not be unverified", "value": "false" }] }),
        ));
    }
    let user = SignupUser {
        email: claims["email"].as_str().map(str::to_owned),
        sub: claims["sub"].as_str().map(str::to_owned),
        external_login_id: None,
        idp_groups: groups(&claims, &app.settings.groups_claim),
        provider_url: Some(app.verifier.issuer().to_owned()),
    };
    let planned = user
        .to_change(&app.config, app.settings.session_name_source)
        .and_then(|change| change.plan(&app.config, &app.engine));
    let planned = match planned {
        Ok(p) => p,
        Err(errors) => {
            tracing::warn!(errors = %errors, "claims QuickSight would refuse");
            return Ok(answer(400, json!({ "error": "invalid claims", "errors": errors })));
        }
    };
    let deadline = deadline_from_epoch_millis(event.context.deadline) - ANSWER_MARGIN;
    match planned.apply(&app.engine, &app.scope, deadline).await {
        Ok(outcome) => {
            tracing::info!(outcome = %serde_json::to_string(&outcome)?, "user provisioned");
            Ok(answer(200, serde_json::to_value(&outcome)?))
        }
        Err(e) => {
            tracing::error!(error = %e, "QuickSight failed");
            Ok(answer(
                503,
                json!({ "error": "QuickSight failed; the request is safe to retry", "detail": e.to_string(), "retryable": e.is_transient() }),
            ))
        }
    }
}
