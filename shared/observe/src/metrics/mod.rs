//! CloudWatch metrics in the embedded metric format (EMF), with no API call: one log line per
//! invocation whose `_aws` member is a real JSON object, which CloudWatch Logs turns into metrics.
//! The line goes through the same logger as every other line ([`crate::logging`] nests the
//! document's members instead of quoting them), so it carries `request_id` (and, inside a batch
//! message's span, `message_id`) like the rest of the schema.

mod names;
mod throttles;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

pub use names::Metric;
pub use throttles::{record_throttled, take_throttled};

use qs_model::outcome::{Outcome, UserChange};

/// The CloudWatch namespace of every metric.
pub const NAMESPACE: &str = "qs-provision";
/// The one dimension: which function emitted the metric.
pub const DIMENSION: &str = "Function";
/// The target metric lines are logged under; kept at every log level.
pub const TARGET: &str = "qs_observe::metrics";

/// Counts by metric for one invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(BTreeMap<Metric, u64>);

impl Counts {
    pub fn add(&mut self, metric: Metric, n: u64) {
        *self.0.entry(metric).or_default() += n;
    }

    pub fn get(&self, metric: Metric) -> u64 {
        self.0.get(&metric).copied().unwrap_or(0)
    }

    /// What one engine operation did to the user and the memberships.
    pub fn outcome(&mut self, outcome: &Outcome) {
        let user = match outcome.user {
            UserChange::Registered => Metric::UsersRegistered,
            UserChange::Updated { .. } => Metric::UsersUpdated,
            UserChange::Recreated => Metric::UsersRecreated,
            UserChange::Unchanged => Metric::UsersUnchanged,
            UserChange::Deleted => Metric::UsersDeleted,
            UserChange::NotFound => Metric::UsersNotFound,
        };
        self.add(user, 1);
        self.add(Metric::MembershipsAdded, outcome.groups.memberships_added.len() as u64);
        self.add(
            Metric::MembershipsRemoved,
            outcome.groups.memberships_removed.len() as u64,
        );
        self.add(Metric::AssetsHandedOver, outcome.assets_handed_over.len() as u64);
    }

    /// The EMF document for these counts: every metric a `Count` in [`NAMESPACE`] by `Function`.
    /// Zero counts are included, so a quiet period shows as 0 rather than as no data.
    pub fn document(&self, function: &str, timestamp_ms: u64) -> Value {
        self.document_with(function, &[], timestamp_ms)
    }

    /// [`Self::document`] with more dimensions (`Phase`, say): the counts by `Function`, and by
    /// `Function` and those.
    pub fn document_with(&self, function: &str, dimensions: &[(&str, &str)], timestamp_ms: u64) -> Value {
        let metrics: Vec<Value> = self
            .0
            .keys()
            .map(|metric| json!({ "Name": metric.name(), "Unit": "Count" }))
            .collect();
        let mut document = Map::new();
        document.insert(
            "_aws".into(),
            json!({
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE,
                    "Dimensions": dimension_sets(dimensions),
                    "Metrics": metrics,
                }],
            }),
        );
        document.insert(DIMENSION.into(), Value::String(function.to_owned()));
        for (name, value) in dimensions {
            document.insert((*name).to_owned(), Value::String((*value).to_owned()));
        }
        for (metric, n) in &self.0 {
            document.insert(metric.name().to_owned(), (*n).into());
        }
        Value::Object(document)
    }

    /// Logs the counts as one EMF line, with the QuickSight calls throttled since the last line.
    pub fn emit(self, function: &str) {
        self.emit_with(function, &[]);
    }

    /// [`Self::emit`] with more dimensions.
    pub fn emit_with(mut self, function: &str, dimensions: &[(&str, &str)]) {
        self.add(Metric::ThrottledCalls, take_throttled());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64;
        let document = self.document_with(function, dimensions, now).to_string();
        tracing::info!(target: TARGET, json = document.as_str(), "metrics");
    }
}

/// `[[Function]]`, and with more dimensions also `[Function, …]`.
fn dimension_sets(dimensions: &[(&str, &str)]) -> Value {
    let mut all = vec![DIMENSION];
    all.extend(dimensions.iter().map(|(name, _)| *name));
    match dimensions.is_empty() {
        true => json!([[DIMENSION]]),
        false => json!([[DIMENSION], all]),
    }
}

#[cfg(test)]
mod tests;
