//! oidc-signup: provisions a QuickSight user on first login with any OpenID Connect provider,
//! from a verified ID token (function URL / HTTP API with `Authorization: Bearer`, or direct
//! invocation with `{"id_token": "..."}`).

mod handler;
mod settings;
mod verify;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use qs_provision::config::{Config, GroupScope};
use qs_provision::engine::{Engine, build_client};
use qs_provision::runtime::init_logging;
use serde_json::Value;

pub struct App {
    config: Config,
    settings: settings::Settings,
    verifier: verify::Verifier,
    engine: Engine,
    scope: GroupScope,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_logging();
    // An OIDC sign-up is a CUSTOM_OIDC login unless configured otherwise.
    let config = Config::from_lookup(|name| {
        std::env::var(name)
            .ok()
            .or_else(|| (name == "EXTERNAL_LOGIN_PROVIDER").then(|| "CUSTOM_OIDC".into()))
    })?;
    let settings = settings::Settings::from_env()?;
    let verifier = verify::Verifier::new(
        settings.issuer.clone(),
        settings.audiences.clone(),
        settings.jwks_url.clone(),
    );
    // Apps call this on logins that may not be the first, so most users exist: the engine's
    // default describe-first costs them no mutating call.
    let engine = Engine::new(build_client(&config).await, &config);
    let app = App {
        scope: config.group_scope(),
        config,
        settings,
        verifier,
        engine,
    };
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| handler::handle(&app, event))).await
}
