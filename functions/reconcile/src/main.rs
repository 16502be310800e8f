//! The Lambda entry point: logging, configuration and the clients, once per cold start.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use qs_model::config::EnvReader;
use qs_observe::logging::init_logging;
use qs_reconciler::Reconciler;
use reconcile::{App, handle, read_env};
use serde_json::Value;

// One thread: Lambda runs one invocation at a time, and at small memory sizes a second worker
// thread only costs start-up CPU (see the benchmark).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    init_logging();
    let (config, options, source, queue_url) = read_env(EnvReader::from_env())?;
    let sdk = qs_engine::load_sdk_config(&config).await?;
    let app = App {
        reconciler: Reconciler::build(config, options, source, &sdk).await,
        sqs: aws_sdk_sqs::Client::new(&sdk),
        queue_url,
    };
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| handle(&app, event))).await
}
