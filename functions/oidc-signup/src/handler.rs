//! From the request to a provisioned user (and, with `EMBED_EXPERIENCE`, an embed URL for them):
//! token in, outcome out, as an HTTP answer.

use lambda_runtime::{Error, LambdaEvent};
use qs_engine::runtime::answer_deadline;
use qs_engine::{Embed, Outcome};
use qs_function_url::Request;
use qs_model::embed::Experience;
use qs_model::validate::FieldError;
use serde_json::Value;

use crate::error::respond;
use crate::request::{dashboard_id, token};
use crate::{App, Claims, Rejected, SignupError};

/// A provisioned user, and the embed URL when the deployment embeds.
#[derive(Debug)]
pub struct Login {
    pub outcome: Outcome,
    pub embed: Option<Embed>,
}

pub async fn handle(app: &App, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let result = login(app, &event.payload, event.context.deadline).await;
    Ok(respond(
        result,
        &event.context.request_id,
        app.engine.take_namespaces_created(),
    ))
}

async fn login(app: &App, payload: &Value, deadline_ms: u64) -> Result<Login, SignupError> {
    let request = Request::from_payload(payload);
    let token = token(payload, request.as_ref()).ok_or(Rejected::Missing)?;
    let tenant_claim = app.config.tenancy().map(|t| t.claim.as_str());
    let claims = Claims::read(
        &app.verifier.verify(token).await?,
        &app.settings.groups_claim,
        tenant_claim,
    );
    let experience = experience(app, payload, request.as_ref()).map_err(|e| SignupError::Request(e.into()))?;
    if claims.email_unverified {
        let error = FieldError::new("email_verified", "the e-mail must not be unverified", "false");
        return Err(SignupError::Claims(error.into()));
    }
    let planned = claims
        .signup_user(app.verifier.issuer())
        .to_change(&app.config, app.settings.session_name_source)
        .and_then(|change| change.plan(&app.config))
        .map_err(SignupError::Claims)?;
    let deadline = answer_deadline(deadline_ms);
    let outcome = app.engine.apply(&planned, deadline).await?;
    // A dry run registers nobody, so there is nobody to embed for.
    let (Some(experience), Some(embedding), false) = (experience, &app.settings.embedding, outcome.dry_run) else {
        return Ok(Login { outcome, embed: None });
    };
    let embed = app
        .engine
        .embed_url(&planned.home, &outcome, &experience, embedding, deadline)
        .await;
    match embed {
        Ok(embed) => Ok(Login {
            outcome,
            embed: Some(embed),
        }),
        Err(error) => Err(SignupError::EmbedUnavailable {
            outcome: Box::new(outcome),
            error,
        }),
    }
}

/// What this login's URL opens: `None` without `EMBED_EXPERIENCE`, where asking for a dashboard
/// is an error too (it would be silently ignored).
fn experience(app: &App, payload: &Value, request: Option<&Request>) -> Result<Option<Experience>, FieldError> {
    let dashboard = dashboard_id(payload, request)?;
    match (&app.settings.embedding, dashboard) {
        (Some(embedding), dashboard) => embedding.experience_for(dashboard.as_deref()).map(Some),
        (None, None) => Ok(None),
        (None, Some(id)) => Err(FieldError::new(
            "dashboard_id",
            "this deployment embeds nothing (EMBED_EXPERIENCE is unset)",
            &id,
        )),
    }
}
