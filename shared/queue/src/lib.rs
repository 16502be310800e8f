//! qs-queue: sending changes to the bulk queue: SendMessageBatch, ten entries a call, several
//! calls in flight, failed entries retried. qs-enqueue sends a file's rows with it, the reconciler
//! its plan. No QuickSight SDK.

pub mod sdk_error;

use std::time::Duration;

pub use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use futures::StreamExt;
use qs_model::message::Change;
use sdk_error::describe;

const BATCH: usize = 10;
const IN_FLIGHT: usize = 4;
const ATTEMPTS: u32 = 5;

/// A valid change to send, with the sender's own reference for it (qs-enqueue: its line in the
/// file, so a failure names the line the user can fix).
pub struct Outgoing<'a> {
    pub line: u64,
    pub change: &'a Change,
    /// This one submission of the change (qs-enqueue: the file's hash and the line; the
    /// reconciler: the run and the user): a FIFO queue's deduplication id, so sending the same
    /// submission again adds nothing while a change submitted again is kept.
    pub submission: String,
}

/// A change SQS did not take, after every attempt.
#[derive(Debug, PartialEq, Eq)]
pub struct NotSent {
    pub line: u64,
    pub error: String,
}

pub struct Sent {
    pub sent: usize,
    pub failed: Vec<NotSent>,
}

/// An entry's id is its row's position in the call, as SendMessageBatch wants ids unique per call.
fn entry(id: usize, row: &Outgoing<'_>, fifo: bool) -> SendMessageBatchRequestEntry {
    let mut entry = SendMessageBatchRequestEntry::builder()
        .id(id.to_string())
        .message_body(row.change.to_json());
    if fifo {
        let (group, dedup) = row.change.fifo_ids(&row.submission);
        entry = entry.message_group_id(group).message_deduplication_id(dedup);
    }
    entry.build().expect("id and body are set")
}

/// Sends every change; `progress` is told how many more were handled (sent or given up on).
pub async fn send_all(sqs: &Client, queue_url: &str, rows: &[Outgoing<'_>], progress: &(dyn Fn(usize) + Sync)) -> Sent {
    let fifo = queue_url.ends_with(".fifo");
    let results: Vec<(usize, Vec<NotSent>)> = futures::stream::iter(rows.chunks(BATCH))
        .map(|chunk| async move {
            let outcome = send_batch(sqs, queue_url, chunk, fifo).await;
            progress(chunk.len());
            outcome
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let sent = results.iter().map(|r| r.0).sum();
    let mut failed: Vec<NotSent> = results.into_iter().flat_map(|r| r.1).collect();
    failed.sort_by_key(|f| f.line);
    Sent { sent, failed }
}

/// Sends one batch, retrying the entries SQS reports failed; returns (sent, rows not sent).
async fn send_batch(sqs: &Client, queue_url: &str, chunk: &[Outgoing<'_>], fifo: bool) -> (usize, Vec<NotSent>) {
    let mut pending: Vec<usize> = (0..chunk.len()).collect();
    let mut sent = 0;
    let mut last_errors: Vec<(usize, String)> = Vec::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt - 1))).await;
        }
        let entries = pending.iter().map(|&i| entry(i, &chunk[i], fifo)).collect();
        match sqs
            .send_message_batch()
            .queue_url(queue_url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            Ok(out) => {
                sent += out.successful().len();
                last_errors = out
                    .failed()
                    .iter()
                    .filter_map(|f| Some((f.id().parse().ok()?, f.message().unwrap_or(f.code()).to_owned())))
                    .collect();
                pending.retain(|i| last_errors.iter().any(|(failed, _)| failed == i));
            }
            Err(e) => {
                let message = describe(&e);
                last_errors = pending.iter().map(|&i| (i, message.clone())).collect();
            }
        }
        if pending.is_empty() {
            return (sent, Vec::new());
        }
    }
    let failed = last_errors
        .into_iter()
        .map(|(i, error)| NotSent {
            line: chunk[i].line,
            error,
        })
        .collect();
    (sent, failed)
}

#[cfg(test)]
mod tests;
