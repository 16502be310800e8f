//! SendMessageBatch, ten entries a call, several calls in flight, failed entries retried.

use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use futures::StreamExt;
use indicatif::ProgressBar;
use qs_provision::message::Change;

const BATCH: usize = 10;
const IN_FLIGHT: usize = 4;
const ATTEMPTS: u32 = 5;

/// A valid row to send: its line in the file, so a failure names the line the user can fix.
pub struct Row<'a> {
    pub line: u64,
    pub change: &'a Change,
    /// This row of this file (the file's hash and the line): a FIFO queue's deduplication id, so
    /// sending the file again adds nothing while a change repeated on another line is kept.
    pub submission: String,
}

/// A row SQS did not take, after every attempt.
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
fn entry(id: usize, row: &Row<'_>, fifo: bool) -> SendMessageBatchRequestEntry {
    let mut entry = SendMessageBatchRequestEntry::builder()
        .id(id.to_string())
        .message_body(row.change.to_json());
    if fifo {
        let (group, dedup) = row.change.fifo_ids(&row.submission);
        entry = entry.message_group_id(group).message_deduplication_id(dedup);
    }
    entry.build().expect("id and body are set")
}

pub async fn send_all(sqs: &Client, queue_url: &str, rows: &[Row<'_>], progress: &ProgressBar) -> Sent {
    let fifo = queue_url.ends_with(".fifo");
    let results: Vec<(usize, Vec<NotSent>)> = futures::stream::iter(rows.chunks(BATCH))
        .map(|chunk| async move {
            let outcome = send_batch(sqs, queue_url, chunk, fifo).await;
            progress.inc(chunk.len() as u64);
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
async fn send_batch(sqs: &Client, queue_url: &str, chunk: &[Row<'_>], fifo: bool) -> (usize, Vec<NotSent>) {
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
                use aws_sdk_sqs::error::ProvideErrorMetadata;
                let message = match (e.code(), e.message()) {
                    (Some(code), Some(message)) => format!("{code}: {message}"),
                    _ => aws_sdk_sqs::error::DisplayErrorContext(&e).to_string(),
                };
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
