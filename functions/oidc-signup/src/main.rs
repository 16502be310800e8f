//! The Lambda entry point: logging, configuration, the verifier and the QuickSight client, once per
//! cold start.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use oidc_signup::{App, Verifier, handle, read_env};
use qs_engine::{Engine, load_sdk_config};
use qs_observe::logging::init_logging;
use serde_json::Value;

// One thread: Lambda runs one invocation at a time, and at small memory sizes a second worker
// thread only costs start-up CPU (see the benchmark).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    init_logging();
    let (config, settings) = read_env(|name| std::env::var(name).ok())?;
    // The provider's keys come over the QuickSight client's HTTPS stack and trust store.
    let verifier = Verifier::new(
        settings.issuer.clone(),
        settings.audiences.clone(),
        settings.jwks_url.clone(),
        config.ca_bundle.as_ref(),
    );
    // Apps call this on logins that may not be the first, so most users exist: the engine's
    // default describe-first costs them no mutating call.
    let sdk = load_sdk_config(&config).await?;
    let engine = Engine::connect(&sdk, &config).await.require_federation()?;
    let app = App::new(config, settings, verifier, engine);
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| handle(&app, event))).await
}
