//! The Lambda entry point: logging, configuration and the QuickSight client, once per cold start.

use lambda_runtime::{Error, service_fn};
use qs_engine::{Engine, load_sdk_config};
use qs_model::config::EnvReader;
use qs_observe::logging::init_logging;
use sqs_sync::{App, handle, read_env};

// One thread: Lambda runs one invocation at a time, and at small memory sizes a second worker
// thread only costs start-up CPU (see the benchmark).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    init_logging();
    let (config, limits) = read_env(EnvReader::from_env())?;
    let sdk = load_sdk_config(&config).await?;
    let engine = Engine::connect(&sdk, &config).await.require_federation()?;
    let app = App::new(config, engine, limits);
    lambda_runtime::run(service_fn(|event| handle(&app, event))).await
}
