//! From the request to a provisioned user: token in, outcome out, as an HTTP answer.

use std::time::Duration;

use lambda_runtime::{Error, LambdaEvent};
use qs_engine::Outcome;
use qs_engine::runtime::deadline_from_epoch_millis;
use qs_model::validate::FieldError;
use serde_json::Value;

use crate::error::respond;
use crate::{App, Claims, Rejected, SignupError};

const ANSWER_MARGIN: Duration = Duration::from_millis(300);

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

pub async fn handle(app: &App, event: LambdaEvent<Value>) -> Result<Value, Error> {
    Ok(respond(provision(app, &event.payload, event.context.deadline).await))
}

async fn provision(app: &App, payload: &Value, deadline_ms: u64) -> Result<Outcome, SignupError> {
    let token = token(payload).ok_or(Rejected::Missing)?;
    let tenant_claim = app.config.tenancy().map(|t| t.claim.as_str());
    let claims = Claims::read(
        &app.verifier.verify(token).await?,
        &app.settings.groups_claim,
        tenant_claim,
    );
    if claims.email_unverified {
        let error = FieldError::new("email_verified", "the e-mail must not be unverified", "false");
        return Err(SignupError::Claims(error.into()));
    }
    let planned = claims
        .signup_user(app.verifier.issuer())
        .to_change(&app.config, app.settings.session_name_source)
        .and_then(|change| change.plan(&app.config))
        .map_err(SignupError::Claims)?;
    let deadline = deadline_from_epoch_millis(deadline_ms) - ANSWER_MARGIN;
    Ok(app.engine.apply(&planned, deadline).await?)
}
