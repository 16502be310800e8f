//! The Lambda entry point: logging, configuration and the clients, once per cold start.

use cognito_signup::{App, handle, read_env};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use qs_engine::{Engine, FirstCall, load_sdk_config};
use qs_model::config::EnvReader;
use qs_observe::logging::init_logging;
use serde_json::Value;

// One thread: Lambda runs one invocation at a time, and at small memory sizes a second worker
// thread only costs start-up CPU (see the benchmark).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    init_logging();
    let (config, settings) = read_env(EnvReader::from_env())?;
    let sdk = load_sdk_config(&config).await?;
    // PostConfirmation runs once per sign-up: the user is new, so RegisterUser comes first.
    let engine = Engine::connect(&sdk, &config)
        .await
        .with_first_call(FirstCall::Register);
    let for_queue = sdk.clone();
    // The Cognito client only with tenants on (and TENANT_ATTRIBUTE_WRITABLE=refuse).
    let app = App::new(config, settings, engine, move || aws_sdk_sqs::Client::new(&for_queue))
        .with_tenant_check(|| aws_sdk_cognitoidentityprovider::Client::new(&sdk));
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| handle(&app, event))).await
}
