//! sqs-sync: applies queued QuickSight user changes, reporting only the failed messages back to
//! SQS (ReportBatchItemFailures), so they are retried and in the end reach the dead-letter queue.

use std::time::Duration;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsEvent};
use lambda_runtime::{Diagnostic, LambdaEvent};
use qs_engine::Engine;
use qs_engine::batch::{BatchItem, BatchLimits, BatchRunner, ItemReport};
use qs_engine::runtime::deadline_from_epoch_millis;
use qs_model::config::{Config, ConfigError, EnvReader, parse};
use qs_observe::metrics::Counts;
use serde::Serialize;

/// What the function builds once, at cold start.
pub struct App {
    pub config: Config,
    pub engine: Engine,
    pub limits: BatchLimits,
}

impl App {
    pub fn new(config: Config, engine: Engine, limits: BatchLimits) -> Self {
        Self { config, engine, limits }
    }
}

/// The shared configuration and this function's own variables, every bad one reported at once.
pub fn read_env(mut env: EnvReader) -> Result<(Config, BatchLimits), ConfigError> {
    let config = Config::read(&mut env);
    let limits = BatchLimits {
        max_concurrency: env.optional("MAX_CONCURRENCY", parse::number_in(1..=64)).unwrap_or(4),
        start_margin: Duration::from_millis(
            env.optional("START_MARGIN_MS", parse::number_in(0..=60_000))
                .unwrap_or(2000),
        ),
        ..BatchLimits::default()
    };
    env.finish((config, limits))
}

/// Why a whole invocation failed, so SQS redelivers its batch as a whole.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Real SQS always sets a messageId. Without one a failure could only be reported as an empty
    /// itemIdentifier, which Lambda reads as "retry the whole batch" while the others are reported
    /// applied: the invocation fails instead (every change is idempotent).
    #[error("SQS record {index} has no messageId; the whole batch returns to the queue")]
    NoMessageId { index: usize },
}

impl From<BatchError> for Diagnostic {
    fn from(e: BatchError) -> Self {
        let kind = match e {
            BatchError::NoMessageId { .. } => "NoMessageId",
        };
        Diagnostic {
            error_type: kind.into(),
            error_message: e.to_string(),
        }
    }
}

/// The partial batch response Lambda reads, plus each message's outcome for whoever invoked us.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    pub batch_item_failures: Vec<BatchItemFailure>,
    pub results: Vec<ItemReport>,
}

pub async fn handle(app: &App, event: LambdaEvent<SqsEvent>) -> Result<Response, BatchError> {
    let deadline = deadline_from_epoch_millis(event.context.deadline);
    let mut items = Vec::with_capacity(event.payload.records.len());
    for (index, record) in event.payload.records.into_iter().enumerate() {
        let Some(id) = record.message_id.filter(|id| !id.is_empty()) else {
            return Err(BatchError::NoMessageId { index });
        };
        items.push(BatchItem {
            id,
            fifo_group: record.attributes.get("MessageGroupId").cloned(),
            body: record.body.unwrap_or_default(),
        });
    }
    let runner = BatchRunner {
        engine: &app.engine,
        config: &app.config,
        limits: app.limits,
    };
    let results = runner.run(items, deadline).await;
    let mut counts = Counts::default();
    counts.add(
        qs_observe::metrics::Metric::NamespacesCreated,
        app.engine.take_namespaces_created(),
    );
    for report in &results {
        report.count(&mut counts);
    }
    counts.emit("sqs-sync");
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

#[cfg(test)]
mod tests;
