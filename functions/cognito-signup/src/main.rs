//! The Lambda entry point: logging, configuration and the clients, once per cold start.

use cognito_signup::{App, handle, read_env};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use qs_provision::config::EnvReader;
use qs_provision::engine::{Engine, FirstCall, build_client};
use qs_provision::logging::init_logging;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_logging();
    let (config, settings) = read_env(EnvReader::from_env())?;
    // PostConfirmation runs once per sign-up: the user is new, so RegisterUser comes first.
    let engine = Engine::new(build_client(&config).await, &config).with_first_call(FirstCall::Register);
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let app = App::new(config, settings, engine, aws_sdk_sqs::Client::new(&sdk));
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| handle(&app, event))).await
}
