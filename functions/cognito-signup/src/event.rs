//! The PostConfirmation event, read through a small typed view so the event itself goes back to
//! Cognito unchanged (the typed event of aws_lambda_events refuses unknown trigger sources).

use std::collections::HashMap;

use qs_engine::runtime::answer_deadline;
use qs_model::message::Change;
use serde::Deserialize;
use serde_json::Value;
use tokio::time::Instant;

use crate::{App, Handled, QueueError, TriggerError};

const SIGNUP: &str = "PostConfirmation_ConfirmSignUp";
/// Time kept back from the Lambda deadline to answer Cognito.

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Source {
    trigger_source: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Signup {
    user_pool_id: String,
    #[serde(default)]
    caller_context: CallerContext,
    request: Request,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CallerContext {
    client_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    user_attributes: HashMap<String, String>,
}

pub(crate) async fn provision(
    app: &App,
    payload: &Value,
    deadline_ms: u64,
    request_id: &str,
) -> Result<Handled, TriggerError> {
    let malformed = |e: serde_json::Error| TriggerError::MalformedEvent(e.to_string());
    let Source { trigger_source } = Source::deserialize(payload).map_err(malformed)?;
    if trigger_source != SIGNUP {
        return Ok(Handled::NotASignup { trigger_source });
    }
    let signup = Signup::deserialize(payload).map_err(malformed)?;
    let attributes = &app.settings.attributes;
    let tenant_attribute = app.config.tenancy().map(|t| t.attribute.as_str());
    let change = attributes
        .user(
            &signup.user_pool_id,
            &signup.request.user_attributes,
            Vec::new(),
            tenant_attribute,
        )
        .to_change(&app.config, attributes.session_name_source)
        .map_err(TriggerError::Invalid)?;
    let planned = change.plan(&app.config).map_err(TriggerError::Invalid)?;
    if let (Some(guard), Some(attribute)) = (&app.tenant_guard, tenant_attribute) {
        let client_id = signup.caller_context.client_id.as_deref();
        guard
            .check(&signup.user_pool_id, client_id, attribute)
            .await
            .map_err(TriggerError::TenantUntrusted)?;
    }
    let deadline = (Instant::now() + app.settings.budget).min(answer_deadline(deadline_ms));
    match app.engine.apply(&planned, deadline).await {
        Ok(outcome) => Ok(Handled::Provisioned(outcome)),
        // Not transient (a login another identity holds): a retry would be refused again.
        Err(quicksight) if quicksight.is_refusal() => Err(TriggerError::Refused(quicksight)),
        Err(quicksight) => match queue_retry(app, &change, &submission(&signup)).await {
            Ok(message_id) => Ok(Handled::Queued { message_id, quicksight }),
            Err(queue) => Err(TriggerError::NotQueued {
                quicksight,
                queue,
                request_id: request_id.to_owned(),
            }),
        },
    }
}

/// This sign-up: Cognito may invoke the trigger again for it, and a FIFO queue then keeps one copy.
fn submission(signup: &Signup) -> String {
    let sub = signup.request.user_attributes.get("sub").map_or("", String::as_str);
    format!("signup:{}:{sub}", signup.user_pool_id)
}

/// Sends the change to the retry queue in the sqs-sync message format, in the user's FIFO group
/// (the same whoever sends a change to that user), so it never runs beside a bulk change to them.
async fn queue_retry(app: &App, change: &Change, submission: &str) -> Result<String, QueueError> {
    let url = app
        .settings
        .retry_queue_url
        .as_deref()
        .ok_or(QueueError::NotConfigured)?;
    let mut send = app.sqs.send_message().queue_url(url).message_body(change.to_json());
    if url.ends_with(".fifo") {
        let (group, dedup) = change.fifo_ids(submission);
        send = send.message_group_id(group).message_deduplication_id(dedup);
    }
    let sent = send.send().await.map_err(|e| {
        tracing::debug!(error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "SQS's error");
        let code = aws_sdk_sqs::error::ProvideErrorMetadata::code(&e).unwrap_or("no answer");
        QueueError::Send(code.to_owned())
    })?;
    Ok(sent.message_id().unwrap_or_default().to_owned())
}
