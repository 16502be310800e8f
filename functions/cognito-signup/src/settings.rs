use std::time::Duration;

use qs_provision::runtime::{boolean, env_optional as optional, env_var, number_in};
use qs_provision::signup::SessionNameSource;

/// The trigger's own variables, read once at cold start.
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
    pub fn from_env() -> Result<Self, String> {
        Ok(Self {
            session_name_source: env_var("SESSION_NAME_SOURCE", SessionNameSource::Email, |v| {
                SessionNameSource::parse(v).map_err(|e| e.rule)
            })?,
            external_login_id_attribute: optional("EXTERNAL_LOGIN_ID_ATTRIBUTE").unwrap_or_else(|| "sub".into()),
            groups_attribute: optional("GROUPS_ATTRIBUTE"),
            budget: Duration::from_millis(env_var("SIGNUP_BUDGET_MS", 3000, number_in(100..=4500))?),
            retry_queue_url: optional("RETRY_QUEUE_URL"),
            fail_signup_on_error: env_var("FAIL_SIGNUP_ON_ERROR", false, boolean)?,
        })
    }
}
