use std::time::Duration;

use qs_model::config::{EnvReader, parse};
use qs_model::signup::CognitoAttributes;

/// The trigger's own variables, read once at cold start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Which user attributes name the user and their groups (shared with the reconciler).
    pub attributes: CognitoAttributes,
    /// `SIGNUP_BUDGET_MS`: time given to QuickSight, well inside Cognito's 5 s.
    pub budget: Duration,
    /// `RETRY_QUEUE_URL`: where a change goes when QuickSight fails.
    pub retry_queue_url: Option<String>,
    /// `FAIL_SIGNUP_ON_ERROR`: fail the sign-up when even the retry queue cannot take the change.
    pub fail_signup_on_error: bool,
}

impl Settings {
    /// Reads the variables through `env`, which collects every error.
    pub fn read(env: &mut EnvReader) -> Self {
        Self {
            attributes: CognitoAttributes::read(env),
            budget: Duration::from_millis(
                env.optional("SIGNUP_BUDGET_MS", parse::number_in(100..=4500))
                    .unwrap_or(3000),
            ),
            retry_queue_url: env.optional("RETRY_QUEUE_URL", parse::string),
            fail_signup_on_error: env.optional("FAIL_SIGNUP_ON_ERROR", parse::boolean).unwrap_or(false),
        }
    }
}
