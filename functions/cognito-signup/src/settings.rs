use std::time::Duration;

use qs_provision::config::{EnvReader, parse};
use qs_provision::signup::SessionNameSource;

/// The trigger's own variables, read once at cold start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `SESSION_NAME_SOURCE`: derive the session name from the e-mail (default) or from `sub`.
    pub session_name_source: SessionNameSource,
    /// `EXTERNAL_LOGIN_ID_ATTRIBUTE`: the user attribute holding the ExternalLoginId (default `sub`).
    pub external_login_id_attribute: String,
    /// `GROUPS_ATTRIBUTE`: a comma-separated attribute of identity-provider groups.
    pub groups_attribute: Option<String>,
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
            session_name_source: env
                .optional("SESSION_NAME_SOURCE", SessionNameSource::parse)
                .unwrap_or(SessionNameSource::Email),
            external_login_id_attribute: env
                .optional("EXTERNAL_LOGIN_ID_ATTRIBUTE", parse::string)
                .unwrap_or_else(|| "sub".into()),
            groups_attribute: env.optional("GROUPS_ATTRIBUTE", parse::string),
            budget: Duration::from_millis(
                env.optional("SIGNUP_BUDGET_MS", parse::number_in(100..=4500))
                    .unwrap_or(3000),
            ),
            retry_queue_url: env.optional("RETRY_QUEUE_URL", parse::string),
            fail_signup_on_error: env.optional("FAIL_SIGNUP_ON_ERROR", parse::boolean).unwrap_or(false),
        }
    }
}
