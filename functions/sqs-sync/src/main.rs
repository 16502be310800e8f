//! sqs-sync: applies queued QuickSight user changes, reporting only the failed messages back to
//! SQS (ReportBatchItemFailures), so they are retried and in the end reach the dead-letter queue.

use std::time::Duration;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use qs_provision::batch::{BatchItem, BatchLimits, BatchRunner, ItemReport, ItemResult};
use qs_provision::config::{Config, GroupScope};
use qs_provision::engine::{Engine, build_client};
use qs_provision::runtime::{deadline_from_epoch_millis, env_var, init_logging, number_in};
use serde::Serialize;

struct App {
    config: Config,
    engine: Engine,
    scope: GroupScope,
    limits: BatchLimits,
}

/// The partial batch response Lambda reads, plus each message's outcome for whoever invoked us.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    batch_item_failures: Vec<BatchItemFailure>,
    results: Vec<ItemReport>,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_logging();
    let config = Config::from_env()?;
    let limits = BatchLimits {
        max_concurrency: env_var("MAX_CONCURRENCY", 4, number_in(1..=64))?,
        start_margin: Duration::from_millis(env_var("START_MARGIN_MS", 2000, number_in(0..=60_000))?),
        ..BatchLimits::default()
    };
    let engine = Engine::new(build_client(&config).await, &config);
    let app = App {
        scope: config.group_scope(),
        config,
        engine,
        limits,
    };
    lambda_runtime::run(service_fn(|event| handle(&app, event))).await
}

async fn handle(app: &App, event: LambdaEvent<SqsEvent>) -> Result<Response, Error> {
    let deadline = deadline_from_epoch_millis(event.context.deadline);
    let items = event
        .payload
        .records
        .into_iter()
        .map(|r| BatchItem {
            id: r.message_id.unwrap_or_default(),
            fifo_group: r.attributes.get("MessageGroupId").cloned(),
            body: r.body.unwrap_or_default(),
        })
        .collect();
    let runner = BatchRunner {
        engine: &app.engine,
        config: &app.config,
        scope: &app.scope,
        limits: app.limits,
    };
    let results = runner.run(items, deadline).await;
    for report in &results {
        let line = serde_json::to_string(report)?;
        match &report.result {
            ItemResult::Applied { .. } => {
                tracing::info!(message_id = %report.message_id, report = %line, "message applied")
            }
            ItemResult::Failed { .. } => {
                tracing::warn!(message_id = %report.message_id, report = %line, "message failed; it returns to the queue")
            }
        }
    }
    let batch_item_failures = results
        .iter()
        .filter(|r| r.failed())
        .map(|r| {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = r.message_id.clone();
            failure
        })
        .collect();
    Ok(Response {
        batch_item_failures,
        results,
    })
}
