//! oidc-signup: provisions a QuickSight user on first login with any OpenID Connect provider,
//! from a verified ID token (function URL / HTTP API with `Authorization: Bearer`, or direct
//! invocation with `{"id_token": "..."}`).

mod claims;
mod error;
mod handler;
mod request;
mod settings;
mod verify;

use qs_engine::Engine;
use qs_model::config::{Config, ConfigError, EnvReader, RoleDowngrade};

pub use claims::Claims;
pub use error::SignupError;
pub use handler::{Login, handle};
pub use settings::Settings;
pub use verify::{Rejected, Verifier};

/// What the function builds once, at cold start.
pub struct App {
    pub config: Config,
    pub settings: Settings,
    pub verifier: Verifier,
    pub engine: Engine,
}

impl App {
    pub fn new(config: Config, settings: Settings, verifier: Verifier, engine: Engine) -> Self {
        // Sign-ups never take a role down: they neither delete users nor may.
        let engine = engine.with_role_downgrade(RoleDowngrade::Keep);
        Self {
            config,
            settings,
            verifier,
            engine,
        }
    }
}

/// The shared configuration and the function's own variables, every bad one reported at once. An
/// OIDC sign-up is a CUSTOM_OIDC login unless configured otherwise.
pub fn read_env(lookup: impl Fn(&str) -> Option<String>) -> Result<(Config, Settings), ConfigError> {
    let mut env = EnvReader::new(move |name| {
        lookup(name).or_else(|| (name == "EXTERNAL_LOGIN_PROVIDER").then(|| "CUSTOM_OIDC".into()))
    });
    let config = Config::read(&mut env);
    let settings = Settings::read(&mut env);
    env.finish((config, settings))
}

#[cfg(test)]
mod tests;
