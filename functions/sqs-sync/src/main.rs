//! The Lambda entry point: logging, configuration and the QuickSight client, once per cold start.

use lambda_runtime::{Error, service_fn};
use qs_provision::config::EnvReader;
use qs_provision::engine::{Engine, build_client};
use qs_provision::logging::init_logging;
use sqs_sync::{App, handle, read_env};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_logging();
    let (config, limits) = read_env(EnvReader::from_env())?;
    let engine = Engine::new(build_client(&config).await, &config);
    let app = App::new(config, engine, limits);
    lambda_runtime::run(service_fn(|event| handle(&app, event))).await
}
