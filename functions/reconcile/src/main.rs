//! The Lambda entry point: logging, configuration and the clients, once per cold start.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use qs_provision::config::EnvReader;
use qs_provision::logging::init_logging;
use qs_provision::reconcile::Reconciler;
use reconcile::{App, handle, read_env};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_logging();
    let (config, options, source, queue_url) = read_env(EnvReader::from_env())?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let app = App {
        reconciler: Reconciler::build(config, options, source, &sdk).await,
        sqs: aws_sdk_sqs::Client::new(&sdk),
        queue_url,
    };
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| handle(&app, event))).await
}
