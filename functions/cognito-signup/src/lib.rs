//! cognito-signup: the Cognito user-pool PostConfirmation trigger. Provisions the new user in
//! QuickSight within a budget; when QuickSight fails, queues the same change for sqs-sync, so a
//! sign-up never fails because of QuickSight.

mod error;
mod event;
mod settings;
mod tenant_guard;

use std::sync::LazyLock;

use aws_sdk_sqs::Client as SqsClient;
use lambda_runtime::{Diagnostic, LambdaEvent};
use qs_engine::Engine;
use qs_model::account::DirectoryAccount;
use qs_model::config::{Config, ConfigError, EnvReader, RoleDowngrade};
use qs_model::tenant::WritableTenant;
use serde_json::Value;

pub use error::{Handled, QueueError, TriggerError};
pub use settings::Settings;
pub use tenant_guard::{TenantGuard, Untrusted};

/// The retry queue's client, built the first time QuickSight fails: most sign-ups never need it,
/// and a cold start pays for nothing it does not use.
pub type RetryQueue = LazyLock<SqsClient, Box<dyn FnOnce() -> SqsClient + Send>>;

/// What the function builds once, at cold start.
pub struct App {
    pub config: Config,
    pub settings: Settings,
    pub engine: Engine,
    pub sqs: RetryQueue,
    /// Tenants on and `TENANT_ATTRIBUTE_WRITABLE=refuse`: the check of a sign-up's app client.
    pub tenant_guard: Option<TenantGuard>,
    /// The account's identities come from a directory: sign-ups go through unprovisioned (the
    /// pool's users must not be locked out by a QuickSight they cannot be added to).
    pub directory_account: Option<DirectoryAccount>,
}

impl App {
    pub fn new(
        config: Config,
        settings: Settings,
        engine: Engine,
        sqs: impl FnOnce() -> SqsClient + Send + 'static,
    ) -> Self {
        // Sign-ups never take a role down: they neither delete users nor may.
        let engine = engine.with_role_downgrade(RoleDowngrade::Keep);
        let directory_account = engine.directory_account();
        if let Some(stop) = &directory_account {
            tracing::error!("{stop}; sign-ups go through without a QuickSight user");
        }
        Self {
            config,
            settings,
            engine,
            sqs: LazyLock::new(Box::new(sqs)),
            tenant_guard: None,
            directory_account,
        }
    }

    /// With tenants on, what checks that the tenant attribute is not the user's to write: the
    /// guard on `cognito`, or (`TENANT_ATTRIBUTE_WRITABLE=allow`) one warning per cold start.
    pub fn with_tenant_check(mut self, cognito: impl FnOnce() -> aws_sdk_cognitoidentityprovider::Client) -> Self {
        match self
            .config
            .tenancy()
            .map(|t| (t.attribute_writable, t.attribute.as_str()))
        {
            Some((WritableTenant::Refuse, _)) => self.tenant_guard = Some(TenantGuard::new(cognito())),
            Some((WritableTenant::Allow, attribute)) => tracing::warn!(
                attribute,
                "TENANT_ATTRIBUTE_WRITABLE=allow: a tenant is accepted even from an app client whose users can write it"
            ),
            None => {}
        }
        self
    }
}

/// The shared configuration and the trigger's own variables, every bad one reported at once.
pub fn read_env(mut env: EnvReader) -> Result<(Config, Settings), ConfigError> {
    let config = Config::read(&mut env);
    let settings = Settings::read(&mut env);
    env.finish((config, settings))
}

/// The trigger: Cognito gets its event back unchanged, unless the sign-up is to fail.
pub async fn handle(app: &App, event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
    if let Some(stop) = &app.directory_account {
        tracing::warn!(
            mode = %stop.mode,
            "not provisioned: the account's users come from {}", stop.directory
        );
        return Ok(event.payload);
    }
    let result = event::provision(app, &event.payload, event.context.deadline, &event.context.request_id).await;
    let created = app.engine.take_namespaces_created();
    error::respond(result, event.payload, app.settings.fail_signup_on_error, created)
}

#[cfg(test)]
mod tests;
