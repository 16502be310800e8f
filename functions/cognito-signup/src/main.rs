//! cognito-signup: the Cognito user-pool PostConfirmation trigger. Provisions the new user in
//! QuickSight within a budget; when QuickSight fails, queues the same change for sqs-sync, so a
//! sign-up never fails because of QuickSight.

mod settings;
mod trigger;

use aws_sdk_sqs::Client as SqsClient;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use qs_provision::config::{Config, GroupScope};
use qs_provision::engine::{Engine, FirstCall, build_client};
use qs_provision::runtime::init_logging;
use serde_json::Value;

use settings::Settings;

pub struct App {
    config: Config,
    settings: Settings,
    engine: Engine,
    scope: GroupScope,
    sqs: SqsClient,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_logging();
    let config = Config::from_env()?;
    let settings = Settings::from_env()?;
    // PostConfirmation runs once per sign-up: the user is new, so RegisterUser comes first.
    let engine = Engine::new(build_client(&config).await, &config).with_first_call(FirstCall::Register);
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let app = App {
        scope: config.group_scope(),
        sqs: SqsClient::new(&sdk),
        config,
        settings,
        engine,
    };
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| trigger::handle(&app, event))).await
}
