//! A batch of queued changes applied with bounded concurrency, never racing one user, keeping
//! FIFO order, and never starting work the invocation's deadline cannot finish.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use qs_model::config::Config;
use qs_model::message::{Change, Planned};
use qs_model::user::Refusal;
use qs_model::validate::FieldError;
use qs_observe::logging::Json;
use qs_observe::metrics::{Counts, Metric};
use serde::Serialize;
use tokio::time::Instant;
use tracing::Instrument;

use crate::{Engine, EngineError, Outcome};

/// One queued message.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub id: String,
    /// The FIFO `MessageGroupId`, when the queue is FIFO.
    pub fifo_group: Option<String>,
    pub body: String,
}

/// Why a message was not applied; it goes back to the queue (and in the end to the DLQ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Failure {
    /// Not valid JSON or not valid values: each error names the field and the rule.
    Invalid { errors: Vec<FieldError> },
    /// A change this deployment must not apply (a role downgrade under ROLE_DOWNGRADE=fail, a
    /// login that may not be moved).
    Refused { refusal: Refusal, message: String },
    /// QuickSight refused or failed: `code` is QuickSight's error code, absent when it never
    /// answered (or the engine gave up first: a deadline, a user not visible yet).
    Quicksight {
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        message: String,
        transient: bool,
    },
    /// Not started: too little time left in the invocation.
    DeadlineNear,
    /// Not applied because an earlier message of the same FIFO group failed.
    EarlierInGroupFailed { group: String },
}

impl Failure {
    /// The metric that counts failures of this kind.
    pub fn metric(&self) -> Metric {
        match self {
            Failure::Invalid { .. } => Metric::ChangesFailedInvalid,
            Failure::Refused { .. } => Metric::ChangesFailedRefused,
            Failure::Quicksight { .. } => Metric::ChangesFailedQuickSight,
            Failure::DeadlineNear => Metric::ChangesFailedDeadlineNear,
            Failure::EarlierInGroupFailed { .. } => Metric::ChangesFailedEarlierInGroup,
        }
    }

    /// Why the engine did not apply a change.
    fn of(error: EngineError) -> Self {
        let message = error.to_string();
        match error {
            EngineError::Refused(refusal) => Failure::Refused { refusal, message },
            other => Failure::Quicksight {
                code: other.code().map(str::to_owned),
                transient: other.is_transient(),
                message,
            },
        }
    }

    /// A message that can never be applied as it is: invalid, or refused by this deployment.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Failure::Invalid { .. } | Failure::Refused { .. })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemReport {
    pub message_id: String,
    #[serde(flatten)]
    pub result: ItemResult,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ItemResult {
    // Boxed: an outcome is far larger than a failure.
    Applied { op: &'static str, outcome: Box<Outcome> },
    Failed { failure: Failure },
}

impl ItemReport {
    /// Logged as the message is done, not with the batch, so the line's time is when it was applied.
    /// The report's members are the line's own (`status`, `op`, `outcome`, `failure.reason`).
    fn log(&self) {
        match &self.result {
            ItemResult::Applied { .. } => tracing::info!(json = %Json(self), "message applied"),
            ItemResult::Failed { .. } => {
                tracing::warn!(json = %Json(self), "message failed; it returns to the queue")
            }
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self.result, ItemResult::Failed { .. })
    }

    /// This message's part of the invocation's metrics: what it did, or why it failed.
    pub fn count(&self, counts: &mut Counts) {
        match &self.result {
            ItemResult::Applied { outcome, .. } => counts.outcome(outcome),
            ItemResult::Failed { failure } => counts.add(failure.metric(), 1),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    pub max_concurrency: usize,
    /// No message is started with less time than this left.
    pub start_margin: Duration,
    /// Time kept back at the end to send the response.
    pub respond_margin: Duration,
}

impl Default for BatchLimits {
    fn default() -> Self {
        Self {
            max_concurrency: 4,
            start_margin: Duration::from_secs(2),
            respond_margin: Duration::from_millis(300),
        }
    }
}

pub struct BatchRunner<'a> {
    pub engine: &'a Engine,
    pub config: &'a Config,
    pub limits: BatchLimits,
}

struct Parsed {
    item: BatchItem,
    change: Result<(Change, Planned), Vec<FieldError>>,
}

impl BatchRunner<'_> {
    /// Applies the batch; reports come back in the batch's order.
    pub async fn run(&self, items: Vec<BatchItem>, deadline: Instant) -> Vec<ItemReport> {
        let parsed: Vec<Parsed> = items.into_iter().map(|item| self.parse(item)).collect();
        let chains = self.chains(&parsed);
        let mut reports: Vec<Option<ItemReport>> = (0..parsed.len()).map(|_| None).collect();
        let mut runs = futures::stream::iter(chains.into_iter().map(|chain| self.run_chain(&parsed, chain, deadline)))
            .buffer_unordered(self.limits.max_concurrency.max(1));
        while let Some(done) = runs.next().await {
            for (i, report) in done {
                reports[i] = Some(report);
            }
        }
        reports
            .into_iter()
            .map(|r| r.expect("every message reported"))
            .collect()
    }

    fn parse(&self, item: BatchItem) -> Parsed {
        let change = Change::parse(&item.body)
            .and_then(|c| c.plan(self.config).map(|p| (c, p)))
            .map_err(|e| e.0);
        Parsed { item, change }
    }

    /// Messages that must run one after the other: a FIFO group, else one user's changes (a user
    /// is a name in a namespace).
    fn chains(&self, parsed: &[Parsed]) -> Vec<Vec<usize>> {
        let mut chains: Vec<Vec<usize>> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for (i, p) in parsed.iter().enumerate() {
            let key = match (&p.item.fifo_group, &p.change) {
                (Some(group), _) => format!("fifo:{group}"),
                (None, Ok((_, planned))) => format!("user:{}/{}", planned.home.namespace, planned.user_name()),
                (None, Err(_)) => format!("alone:{i}"),
            };
            match by_key.get(&key) {
                Some(&c) => chains[c].push(i),
                None => {
                    by_key.insert(key, chains.len());
                    chains.push(vec![i]);
                }
            }
        }
        chains
    }

    async fn run_chain(&self, parsed: &[Parsed], chain: Vec<usize>, deadline: Instant) -> Vec<(usize, ItemReport)> {
        let mut reports = Vec::with_capacity(chain.len());
        let mut fifo_failed = false;
        for i in chain {
            let p = &parsed[i];
            let result = match (&p.change, &p.item.fifo_group) {
                (Err(errors), _) => ItemResult::Failed {
                    failure: Failure::Invalid { errors: errors.clone() },
                },
                (_, Some(group)) if fifo_failed => ItemResult::Failed {
                    failure: Failure::EarlierInGroupFailed { group: group.clone() },
                },
                (Ok(_), _) if Instant::now() + self.limits.start_margin > deadline => ItemResult::Failed {
                    failure: Failure::DeadlineNear,
                },
                (Ok((change, planned)), _) => {
                    let item_deadline = deadline - self.limits.respond_margin;
                    // The engine's own log lines name the message they belong to.
                    let span = tracing::info_span!("message", message_id = %p.item.id);
                    match self.engine.apply(planned, item_deadline).instrument(span).await {
                        Ok(outcome) => ItemResult::Applied {
                            op: change.op(),
                            outcome: Box::new(outcome),
                        },
                        Err(e) => ItemResult::Failed {
                            failure: Failure::of(e),
                        },
                    }
                }
            };
            // An invalid or refused message is never applied, so passing over it reorders nothing:
            // it fails alone. Any other failure holds back the rest of its FIFO group, which must
            // not run before it.
            fifo_failed |= matches!(&result, ItemResult::Failed { failure } if !failure.is_permanent());
            let report = ItemReport {
                message_id: p.item.id.clone(),
                result,
            };
            report.log();
            reports.push((i, report));
        }
        reports
    }
}
