//! The PostConfirmation event, read through a small typed view so the event itself goes back to
//! Cognito unchanged (the typed event of aws_lambda_events refuses unknown trigger sources).

use std::collections::HashMap;
use std::time::Duration;

use lambda_runtime::{Error, LambdaEvent};
use qs_provision::message::Change;
use qs_provision::runtime::deadline_from_epoch_millis;
use qs_provision::signup::SignupUser;
use serde::Deserialize;
use serde_json::Value;
use tokio::time::Instant;

use crate::App;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct View {
    trigger_source: String,
    region: String,
    user_pool_id: String,
    request: Request,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Request {
    user_attributes: HashMap<String, String>,
}

/// Time kept back from the Lambda deadline to answer Cognito.
const ANSWER_MARGIN: Duration = Duration::from_millis(300);

pub async fn handle(app: &App, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let view: View = serde_json::from_value(event.payload.clone()).unwrap_or_default();
    let attributes = &view.request.user_attributes;
    let status = attributes.get("cognito:user_status").map(String::as_str).unwrap_or("");
    if view.trigger_source != "PostConfirmation_ConfirmSignUp" {
        tracing::info!(trigger_source = %view.trigger_source, "not a sign-up confirmation; event returned unchanged");
        return Ok(event.payload);
    }
    let change = match signup_user(app, &view).to_change(&app.config, app.settings.session_name_source) {
        Ok(change) => change,
        Err(errors) => {
            tracing::error!(errors = %errors, user_status = status, "sign-up cannot be provisioned in QuickSight; not queued");
            return Ok(event.payload);
        }
    };
    let planned = match change.plan(&app.config, &app.engine) {
        Ok(planned) => planned,
        Err(errors) => {
            tracing::error!(errors = %errors, user_status = status, "sign-up values QuickSight would refuse; not queued");
            return Ok(event.payload);
        }
    };
    let deadline =
        (Instant::now() + app.settings.budget).min(deadline_from_epoch_millis(event.context.deadline) - ANSWER_MARGIN);
    match planned.apply(&app.engine, &app.scope, deadline).await {
        Ok(outcome) => {
            tracing::info!(outcome = %serde_json::to_string(&outcome)?, user_status = status, "user provisioned");
            Ok(event.payload)
        }
        Err(e) => {
            tracing::warn!(error = %e, user_name = %planned.user_name(&app.engine), "QuickSight failed; queueing the change for a retry");
            match queue_retry(app, &change).await {
                Ok(message_id) => {
                    tracing::info!(message_id, "change queued for a retry");
                    Ok(event.payload)
                }
                Err(send_error) => {
                    tracing::error!(error = %send_error, quicksight_error = %e, "the retry queue did not take the change either");
                    if app.settings.fail_signup_on_error {
                        Err(format!("QuickSight provisioning failed and could not be queued: {send_error}").into())
                    } else {
                        Ok(event.payload)
                    }
                }
            }
        }
    }
}

fn signup_user(app: &App, view: &View) -> SignupUser {
    let attributes = &view.request.user_attributes;
    let idp_groups = app
        .settings
        .groups_attribute
        .as_ref()
        .and_then(|name| attributes.get(name))
        .map(|v| {
            v.split(',')
                .map(|g| g.trim().to_owned())
                .filter(|g| !g.is_empty())
                .collect()
        })
        .unwrap_or_default();
    SignupUser {
        email: attributes.get("email").cloned(),
        sub: attributes.get("sub").cloned(),
        external_login_id: attributes.get(&app.settings.external_login_id_attribute).cloned(),
        idp_groups,
        // A user pool is an OIDC provider: its issuer is the provider URL.
        provider_url: (!view.region.is_empty() && !view.user_pool_id.is_empty()).then(|| {
            format!(
                "https://cognito-idp.{}.amazonaws.com/{}",
                view.region, view.user_pool_id
            )
        }),
    }
}

/// Sends the change to the retry queue in the sqs-sync message format, with the same FIFO ids
/// qs-enqueue uses, so a retried sign-up and a bulk change to that user share one group.
async fn queue_retry(app: &App, change: &Change) -> Result<String, String> {
    let url = app
        .settings
        .retry_queue_url
        .as_deref()
        .ok_or("RETRY_QUEUE_URL is not set")?;
    let body = change.to_json();
    let mut send = app.sqs.send_message().queue_url(url).message_body(&body);
    if url.ends_with(".fifo") {
        let (group, dedup) = change.fifo_ids();
        send = send.message_group_id(group).message_deduplication_id(dedup);
    }
    let sent = send
        .send()
        .await
        .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
    Ok(sent.message_id().unwrap_or_default().to_owned())
}
