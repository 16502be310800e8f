//! What the trigger did or why it could not, mapped to Cognito's answer and one log line in one
//! place.

use lambda_runtime::Diagnostic;
use qs_engine::{EngineError, Outcome};
use qs_model::validate::ValidationErrors;
use qs_observe::logging::Json;
use qs_observe::metrics::{Counts, Metric};
use serde_json::Value;

/// What the trigger did with an event.
#[derive(Debug)]
pub enum Handled {
    /// Not a sign-up confirmation (a forgotten-password confirmation, say): nothing to do.
    NotASignup {
        trigger_source: String,
    },
    Provisioned(Outcome),
    /// QuickSight failed; the change is on the retry queue for sqs-sync.
    Queued {
        message_id: String,
        quicksight: EngineError,
    },
}

/// Why the trigger could not provision the user, nor queue the change.
#[derive(Debug, thiserror::Error)]
pub enum TriggerError {
    #[error("not a Cognito PostConfirmation event: {0}")]
    MalformedEvent(String),
    #[error("the user's attributes cannot make a QuickSight user: {0}")]
    Invalid(ValidationErrors),
    #[error("this deployment may not apply the sign-up: {0}")]
    Refused(EngineError),
    #[error("the sign-up's tenant is not trusted: {0}")]
    TenantUntrusted(crate::Untrusted),
    /// Cognito shows this one to the app: it carries the request id and no SDK text.
    #[error("QuickSight failed ({}) and the retry queue did not take the change ({queue}); request id {request_id}", quicksight.summary())]
    NotQueued {
        quicksight: EngineError,
        queue: QueueError,
        request_id: String,
    },
}

impl From<TriggerError> for Diagnostic {
    fn from(e: TriggerError) -> Self {
        let kind = match e {
            TriggerError::MalformedEvent(_) => "MalformedEvent",
            TriggerError::Invalid(_) => "InvalidAttributes",
            TriggerError::Refused(_) => "Refused",
            TriggerError::TenantUntrusted(_) => "TenantUntrusted",
            TriggerError::NotQueued { .. } => "NotProvisionedNorQueued",
        };
        Diagnostic {
            error_type: kind.into(),
            error_message: e.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("RETRY_QUEUE_URL is not set")]
    NotConfigured,
    /// SQS's error code (`no answer` when it never answered).
    #[error("SendMessage failed: {0}")]
    Send(String),
}

/// Cognito's answer: the event unchanged, except that the sign-up fails when QuickSight and the
/// queue both failed and `fail_signup_on_error` is set. Nothing else ever fails a sign-up.
pub fn respond(
    result: Result<Handled, TriggerError>,
    event: Value,
    fail_signup_on_error: bool,
    namespaces_created: u64,
) -> Result<Value, Diagnostic> {
    let mut counts = Counts::default();
    counts.add(Metric::NamespacesCreated, namespaces_created);
    match &result {
        Ok(Handled::NotASignup { .. }) => {}
        Ok(Handled::Provisioned(outcome)) => counts.outcome(outcome),
        Ok(Handled::Queued { .. }) => counts.add(Metric::SignupsQueued, 1),
        Err(_) => counts.add(Metric::SignupsNotProvisioned, 1),
    }
    counts.emit("cognito-signup");
    match result {
        Ok(Handled::NotASignup { trigger_source }) => {
            tracing::info!(trigger_source, "not a sign-up confirmation; event returned unchanged")
        }
        Ok(Handled::Provisioned(outcome)) => {
            tracing::info!(json.outcome = %Json(&outcome), "user provisioned")
        }
        Ok(Handled::Queued { message_id, quicksight }) => {
            tracing::warn!(error = %quicksight.summary(), message_id, "QuickSight failed; the change is queued for a retry");
            tracing::debug!(error = %quicksight, "QuickSight's error")
        }
        Err(
            e @ (TriggerError::MalformedEvent(_)
            | TriggerError::Invalid(_)
            | TriggerError::Refused(_)
            | TriggerError::TenantUntrusted(_)),
        ) => {
            tracing::error!(error = %e, "sign-up not provisioned in QuickSight, and not queued")
        }
        Err(e @ TriggerError::NotQueued { .. }) => {
            if let TriggerError::NotQueued { quicksight, .. } = &e {
                tracing::debug!(error = %quicksight, "QuickSight's error");
            }
            tracing::error!(error = %e, fail_signup_on_error, "sign-up not provisioned in QuickSight");
            if fail_signup_on_error {
                return Err(e.into());
            }
        }
    }
    Ok(event)
}
